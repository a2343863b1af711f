"""Rhyme by sound: two line endings rhyme when the CMU dictionary says so.

A word's *tail* is its phonemes from the last stressed vowel to the end
(stress digits dropped): "apart" -> ``AA R T``. Two different words make

- a **perfect** rhyme when some pronunciation of each has the same tail
  ("heart" / "apart", "day" / "away");
- a **slant** rhyme when their last stressed vowels are the same and both
  tails end open or both end closed ("time" / "mine"... "life" / "night",
  "much" / "love"), or when their last syllables sound the same and one of
  them is stressed ("hero" / "go", "happy" / "me").

Spelling never decides: a word the dictionary lacks rhymes with nothing, and
a word never rhymes with itself (nor with a homophone: "see" / "sea").

>>> rhyme("heart", "apart"), rhyme("time", "mine"), rhyme("hero", "go"), rhyme("here", "near")
('perfect', 'slant', 'slant', 'perfect')
>>> rhyme("love", "love"), rhyme("love", "Zzyzxq"), rhyme("see", "sea"), rhyme("cat", "dog")
('', '', '', '')
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from .analyse.cmu import VOWELS, all_phones

__all__ = ["Rhyme", "rhyme", "closeness", "tails", "last_word", "RHYME_ORDER"]

Rhyme = Literal["perfect", "slant", ""]
RHYME_ORDER: dict[str, int] = {"perfect": 2, "slant": 1, "": 0}
"""How good a rhyme is: perfect beats slant beats none."""


def last_word(text: str) -> str:
    """The last word of a line, lower case, without punctuation.

    >>> last_word("You are my hero!"), last_word("I'm yours, Mom.")
    ('hero', 'mom')
    """
    words = [w.strip(".,!?;:\"()-\u2014\u2013").replace("\u2019", "'") for w in text.split()]
    words = [w for w in words if w]
    return words[-1].lower() if words else ""


_BEFORE_R = {"IY": "IH", "UW": "UH"}
"""Vowels the dictionary spells two ways before R ("here" IY R, "near" IH R): one sound."""


def _tail(phones: tuple[str, ...]) -> tuple[str, ...]:
    vowels = [i for i, p in enumerate(phones) if p[-1].isdigit()]
    stressed = [i for i in vowels if p_stress(phones[i]) > 0]
    start = (stressed or vowels or [0])[-1]
    tail = [p.rstrip("012") for p in phones[start:]]
    if len(tail) > 1 and tail[1] == "R":
        tail[0] = _BEFORE_R.get(tail[0], tail[0])
    return tuple(tail)


def p_stress(phone: str) -> int:
    """The stress digit of a vowel phoneme (0 for a consonant)."""
    return int(phone[-1]) if phone[-1].isdigit() else 0


def _last_syllable(phones: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
    """The last vowel and what follows it, and whether that vowel is stressed."""
    vowels = [i for i, p in enumerate(phones) if p[-1].isdigit()]
    if not vowels:
        return (), False
    i = vowels[-1]
    return tuple(p.rstrip("012") for p in phones[i:]), p_stress(phones[i]) > 0


@lru_cache(maxsize=16384)
def tails(word: str) -> tuple[tuple[str, ...], ...]:
    """The rhyming tails of every CMU pronunciation of ``word``.

    >>> tails("love")
    (('AH', 'V'),)
    """
    return tuple(dict.fromkeys(_tail(p) for p in all_phones(word.lower()) if p))


_CLASSES = {p: c for c, ps in {
    "nasal": "M N NG", "voiced": "B D G", "voiceless": "P T K", "fricative": "F V TH DH S Z SH ZH HH",
    "affricate": "CH JH", "liquid": "L R", "glide": "W Y"}.items() for p in ps.split()}


@lru_cache(maxsize=65536)
def closeness(a: str, b: str) -> float:
    """How well ``a`` and ``b`` rhyme: 3 perfect; slant 2 (same last syllable, "hero" / "go"),
    1.5 (same stressed vowel, final consonants of one kind, "time" / "mine"), 1 (same stressed
    vowel, both closed or both open, "life" / "night"); 0 none.

    >>> closeness("day", "away"), closeness("hero", "go"), closeness("time", "mine"), closeness("life", "night")
    (3.0, 2.0, 1.5, 1.0)
    """
    a, b = last_word(a), last_word(b)
    if not a or not b or a == b:
        return 0.0
    pa, pb = all_phones(a), all_phones(b)
    if not pa or not pb or set(pa) & set(pb):
        return 0.0
    best = 0.0
    for x in pa:
        for y in pb:
            tx, ty = _tail(x), _tail(y)
            if tx == ty:
                return 3.0
            (sx, stressed_x), (sy, stressed_y) = _last_syllable(x), _last_syllable(y)
            if sx and sx == sy and (stressed_x or stressed_y):
                best = max(best, 2.0)
            elif tx and ty and tx[0] == ty[0] and tx[0] in VOWELS and (len(tx) > 1) == (len(ty) > 1):
                same_kind = len(tx) == 1 or _CLASSES.get(tx[-1]) == _CLASSES.get(ty[-1])
                best = max(best, 1.5 if same_kind else 1.0)
    return best


def rhyme(a: str, b: str) -> Rhyme:
    """How ``a`` and ``b`` rhyme by their CMU pronunciations: "perfect", "slant" or ""."""
    score = closeness(a, b)
    return "perfect" if score >= 3 else "slant" if score > 0 else ""
