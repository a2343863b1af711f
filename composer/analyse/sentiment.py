"""Sentiment of a message: VADER's scores, as :class:`~composer.model.Sentiment`.

We use ``vaderSentiment``, VADER's reference implementation, which ships
its lexicon inside the package (nothing is downloaded; importing nltk would
cost most of a second). The analyser is built once, on first use.

>>> s = sentiment_of("Thank you, I love you so much!")
>>> s.compound > 0.5, s.negative
(True, 0.0)
>>> sentiment_of("I'm sorry I hurt you.").compound < 0
True
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ..model import Sentiment

__all__ = ["sentiment_of"]


@cache
def _analyser() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def sentiment_of(text: str) -> Sentiment:
    """VADER's compound, positive, negative and neutral scores of ``text``."""
    scores = _analyser().polarity_scores(text)
    return Sentiment(
        compound=float(scores["compound"]),
        positive=float(scores["pos"]),
        negative=float(scores["neg"]),
        neutral=float(scores["neu"]),
    )
