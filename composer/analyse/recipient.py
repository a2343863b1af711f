"""Who a message speaks to: vocatives in the message and the sung name.

A vocative is a short phrase (one to four words, besides connectors and
numbers) that names the person spoken to, set off by punctuation, after an
optional greeting ("Dear", "To my"): "Mom, ...", "Dear Tita Carmen,",
"To my roommate: ...", "..., Priya!", "Close your eyes, sweet girl, ...".
It may also end a phrase that opens with a theme phrase: "Happy birthday
Mom!", "Let's go Eagles!".

Its words are relation words ("mom", "coach", "sweet girl" from
rules/relations.toml), capitalised words that are not in rules/words.toml
[not_names], not function words and not theme keywords ("Thanks," and
"Happy birthday," are not names), connectors ("of", "and") and number
words ("Class of twenty twenty-six"). A signature at the end ("Love, Dad")
names the sender and is skipped.

>>> from .tokens import tokenise
>>> [" ".join(t.text for t in v) for v in vocatives(tokenise("Dear Mom, congrats on the new job, Priya! Love, Dad"))]
['Mom', 'Priya']
>>> sung_name("Class of 2026 🎓"), sung_name("<b>Lupe's Kitchen</b>")
('Class of twenty twenty-six', "Lupe's Kitchen")
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Sequence

from ..data import load
from .checks import words as word_list
from .normalise import normalise
from .numerals import NUMBER_WORDS
from .phrases import score, spans
from .pronounce import is_latin_letter, pronunciations
from .romanise import romanise
from .syllables import fold
from .tokens import Token, tokenise
from .understand import modifiers, name_matcher, theme_matcher

__all__ = ["Addressing", "check_addressing", "addressing", "vocatives", "name_text", "sung_name", "span_text"]

_GREETINGS = frozenset("dear dearest hi hey hello to for my our".split())
_MAX_WORDS = 4
_CONNECTORS = frozenset("of and de del la y the".split()) | NUMBER_WORDS


@dataclass(frozen=True, slots=True)
class Addressing:
    """Word lists for finding vocatives (rules/words.toml).

    Attributes:
        not_names: words that never open a name.
        sign_offs: phrases that close a message before the sender's name.
    """

    not_names: frozenset[str]
    sign_offs: frozenset[str]


def check_addressing(table: dict[str, Any], *, where: str) -> Addressing:
    """Validate the [not_names] and [sign_offs] lists of a parsed words table.

    Raises:
        GrammarError: naming the file and the key at fault.
    """
    return Addressing(
        not_names=frozenset(word_list(table, "not_names.words", where=where)),
        sign_offs=frozenset(word_list(table, "sign_offs.phrases", where=where)),
    )


@cache
def addressing() -> Addressing:
    """The vocative word lists, read and validated once."""
    return check_addressing(load("rules", "words"), where="rules/words.toml")


def _key(token: Token) -> str:
    return fold(token.text)


def _segments(tokens: Sequence[Token]) -> list[tuple[list[Token], int]]:
    """Phrases between pauses, each with the pause before it (2 at the start)."""
    out: list[tuple[list[Token], int]] = []
    current: list[Token] = []
    before = 2
    for tok in tokens:
        current.append(tok)
        if tok.pause_after:
            out.append((current, before))
            before, current = tok.pause_after, []
    if current:
        out.append((current, before))
    return out


def _name_word(token: Token) -> bool:
    """A capitalised word that can be part of a name ("Joy", "Lupe's")."""
    key = _key(token)
    return (
        token.text[0].isupper()
        and key not in addressing().not_names
        and key not in pronunciations().function_words
        and not score(theme_matcher(), [key])
    )


def _vocative(words: Sequence[Token]) -> tuple[Token, ...]:
    """The name that ends a phrase, or ().

    The whole phrase is a name when each word is a relation word ("mom",
    "sweet girl"), a capitalised name word, a connector ("of", "and") or a
    number word ("class of twenty twenty six"). Only its last words are,
    when all that comes before them is a theme phrase ("Happy birthday Mom",
    "Let's go Eagles"). Modifiers (rules/words.toml [modifiers]) may stand
    before the name: "sweet baby".
    """
    keys = [_key(t) for t in words]
    named = [False] * len(keys)
    for lo, hi in spans(name_matcher(), keys):
        named[lo:hi] = [True] * (hi - lo)
    named = [n or _name_word(t) for n, t in zip(named, words)]
    extra = modifiers()
    ok = [
        n or (0 < i and k in _CONNECTORS) or k in extra
        for i, (n, k) in enumerate(zip(named, keys))
    ]
    start = len(words)
    while start > 0 and ok[start - 1]:
        start -= 1
    while start < len(words) and keys[start] in _CONNECTORS:
        start += 1
    name = tuple(words[start:])
    core = [k for k in keys[start:] if k not in _CONNECTORS]
    if not 0 < len(core) <= _MAX_WORDS or not any(named[start:]):
        return ()
    if keys[-1] in (_CONNECTORS - NUMBER_WORDS) or (keys[-1] in extra and not named[-1]):
        return ()
    if all(len(t.text) < 2 for t in name):
        return ()  # letters ("A M"), not a name
    prefix = [False] * start
    for lo, hi in spans(theme_matcher(), keys[:start]):
        prefix[lo:hi] = [True] * (hi - lo)
    return name if all(prefix) else ()


def vocatives(tokens: Sequence[Token]) -> tuple[tuple[Token, ...], ...]:
    """The vocatives of a tokenised message, in order (see the module)."""
    segments = _segments(tokens)
    sign_offs = addressing().sign_offs
    end = len(segments)
    for i, (words, _) in enumerate(segments[:-1]):
        rest = sum(len(w) for w, _ in segments[i + 1 :])
        if " ".join(_key(t) for t in words) in sign_offs and rest <= _MAX_WORDS:
            end = i
            break
    found = []
    for words, _ in segments[:end]:
        while len(words) > 1 and _key(words[0]) in _GREETINGS:
            words = words[1:]
        name = _vocative(words)
        if name:
            found.append(name)
    return tuple(found)


def name_text(name: str) -> str:
    """A name as given, normalised for singing: emoji dropped, other scripts
    romanised ("李华" -> "Li Hua", see :mod:`.romanise`)."""
    return romanise(normalise(name, read_emoji=False))


def sung_name(name: str) -> str:
    """A recipient's name as it is sung: :func:`name_text`, surrounding
    punctuation trimmed ("" when nothing is left).

    >>> sung_name("李华"), sung_name("Dr. Lee"), sung_name("Дмитрий 🎂")
    ('Li Hua', 'Doctor Lee', 'Dmitriy')
    """
    text = name_text(name)
    return span_text(text, tokenise(text))


def span_text(text: str, tokens: Sequence[Token]) -> str:
    """The text from the first token to the last, without other scripts'
    letters, on one line ("" for no tokens)."""
    if not tokens:
        return ""
    kept = text[tokens[0].start : tokens[-1].end]
    kept = "".join(ch for ch in kept if not ch.isalpha() or is_latin_letter(ch))
    return " ".join(kept.split())
