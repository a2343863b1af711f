"""Split normalised text into sung tokens and the pauses between them.

A token is a run of Latin letters, with apostrophes inside it ("I'm",
"Lupe's", "O'Brien"). A leading or trailing apostrophe is kept only when the
dictionary knows the word with it ("'cause", "singin'") or the word drops a
g ("lovin'"); otherwise it is a quotation mark. Hyphenated words are sung as
separate words ("twenty-six" -> "twenty", "six"). Letters of other scripts
and every other character are not sung.

The characters between two tokens give the pause after the first:
2 after ``. ! ?`` or a line break; 1 after ``, ; : ( ) [ ]``, a dash
(``–``, ``—``, ``--`` or a hyphen with a space beside it); else 0. The last
token of a text always ends a sentence (2).

>>> [(t.text, t.pause_after) for t in tokenise("Mom, I'm home -- twenty-six (yes) ok")]
[('Mom', 1), ("I'm", 0), ('home', 1), ('twenty', 0), ('six', 1), ('yes', 1), ('ok', 2)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import cmu

__all__ = ["Token", "tokenise", "pause_of"]

_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff\u2c60-\u2c7f\ua720-\ua7ff"
_TOKEN = re.compile(rf"'?[{_LATIN}]+(?:'[{_LATIN}]+)*'?")
_SENTENCE_END = frozenset(".!?\n\u3002")
_PHRASE_END = frozenset(",;:()[]{}\u2013\u2014\u2015\u3001")


@dataclass(frozen=True, slots=True)
class Token:
    """A sung word as written, with the pause after it (0, 1 or 2) and its
    place in the text (``text[start:end]``)."""

    text: str
    pause_after: int = 0
    start: int = 0
    end: int = 0


def pause_of(between: str) -> int:
    """The pause marked by the characters between two words.

    >>> pause_of(", "), pause_of("! "), pause_of(" - "), pause_of("-"), pause_of(" ")
    (1, 2, 1, 0, 0)
    """
    if any(ch in _SENTENCE_END for ch in between):
        return 2
    if any(ch in _PHRASE_END for ch in between):
        return 1
    if "--" in between or " -" in between or "- " in between:
        return 1
    return 0


def _trim_apostrophes(word: str) -> str:
    if word.startswith("'") and not cmu.all_phones(word.lower()):
        word = word[1:]
    if word.endswith("'") and not (word.lower().endswith("in'") or cmu.all_phones(word.lower())):
        word = word[:-1]
    return word


def tokenise(text: str) -> tuple[Token, ...]:
    """The sung tokens of normalised ``text``, in order."""
    found: list[tuple[str, int, int]] = []
    for m in _TOKEN.finditer(text):
        word = _trim_apostrophes(m[0])
        if word:
            start = m.start() + m[0].index(word)
            found.append((word, start, start + len(word)))
    tokens = []
    for i, (word, start, end) in enumerate(found):
        nxt = found[i + 1][1] if i + 1 < len(found) else None
        pause = 2 if nxt is None else pause_of(text[end:nxt])
        tokens.append(Token(word, pause, start, end))
    return tuple(tokens)
