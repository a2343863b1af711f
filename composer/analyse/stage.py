"""The analyse stage: a message in, an :class:`~composer.model.Analysis` out.

>>> a = analyse("Mom, thank you for always cooking for us. I love you.", recipient="")
>>> a.theme, a.relation, a.recipient
('gratitude', 'parent', 'Mom')
>>> [w.text for w in a.words][:4], a.words[0].pause_after
(['Mom', 'thank', 'you', 'for'], 1)
>>> analyse("!!! ...", recipient="Mom")
Traceback (most recent call last):
...
composer.errors.InputError: The message has no words to sing, only punctuation or symbols.
"""

from __future__ import annotations

from ..errors import InputError
from ..model import Analysis
from .normalise import normalise
from .recipient import name_text, span_text, sung_name, vocatives
from .sentiment import sentiment_of
from .syllables import fold
from .tokens import tokenise
from .understand import Said, evidence_of, name_clues, relation_of, theme_scores
from .words import tokens_to_words

__all__ = ["analyse", "MAX_MESSAGE_CHARS"]

MAX_MESSAGE_CHARS = 2000
"""The longest message accepted, in characters (a song of several minutes)."""


def _check(message: str, recipient: str, sender: str) -> None:
    """Refuse arguments that are not text, and messages with nothing to sing."""
    for name, value in (("message", message), ("recipient", recipient), ("sender", sender)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be str, got {type(value).__name__}")
    if not message.strip():
        raise InputError("The message is empty.", field="message", value=message)
    if len(message) > MAX_MESSAGE_CHARS:
        raise InputError(
            f"The message is too long: {len(message):,} characters, at most {MAX_MESSAGE_CHARS:,}.",
            field="message", value=message,
        )


def analyse(message: str, *, recipient: str, sender: str = "") -> Analysis:
    """Understand a message: its sung words, sentiment, themes and recipient.

    Args:
        message: the message as the sender wrote it.
        recipient: the recipient's name, or "" to find it in the message
            (a vocative such as "Mom, ..." or "Dear Ate Joy,").
        sender: the sender's name, or "".

    Returns:
        The analysis; ``recipient`` is the name as it will be sung.

    Raises:
        InputError: the message is empty, too long, or has no word in Latin
            letters to sing.
        TypeError: an argument is not a str.
    """
    _check(message, recipient, sender)
    text = normalise(message)
    tokens = tokenise(text)
    if not tokens:
        if any(ch.isalpha() for ch in text):
            raise InputError("The message has no words in Latin letters to sing.", field="message", value=message)
        raise InputError("The message has no words to sing, only punctuation or symbols.", field="message",
                         value=message)
    words = tokens_to_words(tokens)
    keys = [fold(w.text) for w in words]
    found = vocatives(tokens)
    name = sung_name(recipient)
    if not name and found:
        name = span_text(text, found[0])
    given = tokenise(name_text(recipient))
    names = [Said("to", [fold(t.text) for t in given], [t.text for t in given])]
    names += [Said("message", [fold(t.text) for t in v], [t.text for t in v]) for v in found]
    said = Said("message", keys, [w.text for w in words])
    clues = name_clues(names, said)
    themes = theme_scores(keys, evidence_of(clues))
    relation, cue = relation_of(clues, said, themes)
    return Analysis(
        message=message,
        text=text,
        words=words,
        sentiment=sentiment_of(text),
        themes=themes,
        theme=themes[0][0],
        relation=relation,
        recipient=name,
        sender=sung_name(sender),
        given_to=recipient,
        given_from=sender,
        relation_cue=cue,
    )
