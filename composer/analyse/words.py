"""Text -> sung :class:`~composer.model.Word` values: :func:`words_of`.

Tokens (:mod:`.tokens`) are pronounced one by one (:mod:`.pronounce`), with
two readings that need the neighbouring words:

- a run of two or more single capital letters is spelled letter by letter
  ("four A M": "A" is the letter, not the article);
- a kinship title before a capitalised name takes its title pronunciation
  (rules/pronunciation.toml [titles]: "Ate Joy" is "AH-teh Joy", while
  "we ate" keeps the verb).

>>> [(w.text, w.syllables, w.stresses, w.pause_after) for w in words_of("Up at 4am, Ate Joy!")]
[('Up', ('Up',), (1,), 0), ('at', ('at',), (0,), 0), ('four', ('four',), (1,), 0), ('A', ('A',), (1,), 0), ('M', ('M',), (1,), 1), ('Ate', ('A', 'te'), (1, 0), 0), ('Joy', ('Joy',), (1,), 2)]
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from ..model import Word
from .normalise import normalise
from .pronounce import letter, pronounce, pronounce_as, pronunciations
from .syllables import fold
from .tokens import Token, tokenise

__all__ = ["words_of", "tokens_to_words"]


def _is_letter(token: Token) -> bool:
    return len(token.text) == 1 and token.text.isupper()


def _spelled(tokens: Sequence[Token], i: int) -> bool:
    """Whether token ``i`` belongs to a run of two or more single capitals."""
    if not _is_letter(tokens[i]):
        return False
    before = i > 0 and _is_letter(tokens[i - 1]) and tokens[i - 1].pause_after == 0
    after = i + 1 < len(tokens) and _is_letter(tokens[i + 1]) and tokens[i].pause_after == 0
    return before or after


def tokens_to_words(tokens: Sequence[Token]) -> tuple[Word, ...]:
    """Pronounce tokens in context (letter runs, titles) and keep their pauses."""
    titles = pronunciations().titles
    out = []
    for i, tok in enumerate(tokens):
        key = fold(tok.text)
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if _spelled(tokens, i):
            word = letter(tok.text)
        elif (
            key in titles
            and tok.text[0].isupper()
            and tok.pause_after == 0
            and nxt is not None
            and nxt.text[0].isupper()
        ):
            word = pronounce_as(tok.text, titles[key])
        else:
            word = pronounce(tok.text)
        out.append(replace(word, pause_after=tok.pause_after))
    return tuple(out)


def words_of(text: str) -> tuple[Word, ...]:
    """The sung words of any text (a message, a lyric template line), in order.

    The text is normalised (emoji read, numbers spelled out), tokenised and
    pronounced. ``pause_after`` is 1 after ``, ; : ( )`` and dashes, 2 after
    ``. ! ?``, a line break and the end of the text. Text with nothing to
    sing gives ``()``.

    >>> [w.syllables for w in words_of("Happy 60th, Zoë! A 🎂 for you 🎉")]
    [('Hap', 'py'), ('six', 'ti', 'eth'), ('Zo', 'ë'), ('A',), ('birth', 'day'), ('for',), ('you',)]
    """
    return tokens_to_words(tokenise(normalise(text)))
