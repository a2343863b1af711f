"""Orthographic syllables: split a spelling into the pieces that are sung.

Two jobs, both on the spelling alone:

- :func:`split_display` cuts a word into exactly ``count`` pieces that join
  back into the word ("Ma-ri-a"). It starts from pyphen's hyphenation points
  (``Pyphen(lang="en_US")``, see :mod:`.hyphenation`), then adds or removes
  cuts at vowel groups until the count is reached: ``count`` comes from the
  CMU dictionary when the word is in it.
- :func:`count_syllables` guesses how many syllables a word the dictionary
  lacks has, from its vowel groups ("Okafor" 3, "abuelita" 4, "Priya" 2).

Letters are compared after :func:`fold` (lower case, accents removed), which
keeps every index of the word, so pieces always slice the original text.

>>> split_display("Okafor", 3, english=False), split_display("Inay", 2, english=False)
(('O', 'ka', 'for'), ('I', 'nay'))
>>> split_display("mother's", 2)
('moth', "er's")
>>> count_syllables("abuelita"), count_syllables("Priya"), count_syllables("Blake")
(4, 2, 1)
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from .hyphenation import hyphenator

__all__ = ["fold", "vowel_groups", "count_syllables", "split_display"]

_VOWELS = frozenset("aeiouyæøœ")
_HIATUS = frozenset({"ia", "io", "iu", "eo", "oa"})
_ONSETS = frozenset(
    "th sh ch ph wh gh tr dr br cr gr pr fr bl cl fl gl pl kn wr qu sc sk sm sn sp st sw tw kw".split()
)
_CODAS = ("ck", "ng", "x")


def fold(text: str) -> str:
    """Lower-case ``text`` and strip accents, one character for one character.

    >>> fold("José Zoë Ñ")
    'jose zoe n'
    """
    out = []
    for ch in text:
        base = unicodedata.normalize("NFD", ch)[0] if ord(ch) > 127 else ch
        low = base.lower()
        out.append(low if len(low) == 1 else base)
    return "".join(out)


def _is_vowel(folded: str, i: int) -> bool:
    """Whether letter ``i`` is a vowel; ``y`` is one unless it starts the
    word or comes before a vowel (as in "yes", "Priya", "Kuya")."""
    ch = folded[i]
    if ch != "y":
        return ch in _VOWELS
    if i == 0:
        return False
    return i + 1 == len(folded) or folded[i + 1] not in "aeiou"


def vowel_groups(folded: str) -> list[tuple[int, int]]:
    """The (start, end) spans of the runs of vowel letters.

    >>> vowel_groups("beautiful")
    [(1, 4), (5, 6), (7, 8)]
    """
    spans: list[tuple[int, int]] = []
    start = -1
    for i in range(len(folded)):
        if _is_vowel(folded, i):
            if start < 0:
                start = i
        elif start >= 0:
            spans.append((start, i))
            start = -1
    if start >= 0:
        spans.append((start, len(folded)))
    return spans


def _syllable_groups(folded: str) -> list[tuple[int, int]]:
    """Vowel groups, with hiatus pairs ("ia", "io"...) parted in two."""
    out = []
    for start, end in vowel_groups(folded):
        cut = start
        for i in range(start + 1, end):
            if folded[i - 1 : i + 1] in _HIATUS:
                out.append((cut, i))
                cut = i
        out.append((cut, end))
    return out


def count_syllables(word: str) -> int:
    """Guess the syllable count of a word from its spelling (at least 1).

    One syllable per vowel group, hiatus pairs counting two ("Maria" 3), a
    silent final ``e`` after a consonant not counted ("Blake" 1, but
    "Kimble" 2 and "José" 2).

    >>> [count_syllables(w) for w in ("Zara", "Nanay", "salamat", "Olivia", "Kimble", "José")]
    [2, 2, 3, 4, 2, 2]
    """
    folded = fold(word)
    groups = _syllable_groups(folded)
    n = len(groups)
    if (
        n > 1
        and folded.endswith("e")
        and word[-1] in "eE"
        and groups[-1] == (len(folded) - 1, len(folded))
        and not (folded.endswith("le") and len(folded) > 2 and not _is_vowel(folded, len(folded) - 3))
    ):
        n -= 1
    return max(n, 1)


def _onset_cut(folded: str, end: int, start: int) -> int:
    """Where to cut between a vowel group ending at ``end`` and the next one
    starting at ``start``: before a single consonant, before an onset pair
    ("mo-ther"), after "ck"/"ng"/"x" ("chick-en"), else between consonants."""
    cluster = folded[end:start]
    if len(cluster) <= 1:
        return end
    if cluster.startswith(_CODAS):
        size = 1 if cluster.startswith("x") else 2
        return end + size if end + size < start else start
    if cluster[-2:] in _ONSETS:
        return start - 2
    return start - 1


def _has_vowel(folded: str, lo: int, hi: int) -> bool:
    return any(_is_vowel(folded, i) for i in range(lo, hi))


def _pieces(cuts: list[int], length: int) -> list[tuple[int, int]]:
    bounds = [0, *sorted(cuts), length]
    return list(zip(bounds, bounds[1:]))


def _add_cut(folded: str, cuts: list[int], candidates: list[int], need_vowels: bool) -> bool:
    """Add the candidate cut that best splits the longest piece; False if none."""
    best_rank: tuple[int, float] | None = None
    best_cut = -1
    for lo, hi in _pieces(cuts, len(folded)):
        for c in candidates:
            if not lo < c < hi:
                continue
            if need_vowels and not (_has_vowel(folded, lo, c) and _has_vowel(folded, c, hi)):
                continue
            rank = (hi - lo, -abs((lo + hi) / 2 - c))
            if best_rank is None or rank > best_rank:
                best_rank, best_cut = rank, c
    if best_rank is None:
        return False
    cuts.append(best_cut)
    return True


def _open_syllables(folded: str, cuts: list[int]) -> list[int]:
    """Move each cut of the shape vowel-consonant | vowel one letter left,
    so that names read as open syllables ("I-nay", not "In-ay")."""
    out = []
    for c in cuts:
        if (
            2 <= c < len(folded)
            and _is_vowel(folded, c)
            and not _is_vowel(folded, c - 1)
            and _is_vowel(folded, c - 2)
        ):
            c -= 1
        out.append(c)
    return out


@lru_cache(maxsize=8192)
def split_display(word: str, count: int, *, english: bool = True) -> tuple[str, ...]:
    """Cut ``word`` into ``count`` pieces that ``"".join`` back into it.

    Fewer pieces are returned only when the word has fewer letters than
    ``count`` (a lone "W" stays one piece). ``english=False`` (names and
    words the dictionary lacks) prefers open syllables: a single consonant
    between vowels starts the next piece ("I-nay", "O-ka-for"), where
    English hyphenation would end the piece with it ("cook-ing").

    >>> split_display("beautiful", 3), split_display("hour", 2), split_display("rhythm", 2)
    (('beau', 'ti', 'ful'), ('ho', 'ur'), ('rhy', 'thm'))
    >>> split_display("Abuelita", 4, english=False)
    ('A', 'bue', 'li', 'ta')
    """
    if count <= 1 or len(word) <= 1:
        return (word,)
    folded = fold(word)
    n = len(folded)
    cuts = [int(p) for p in hyphenator().positions(folded) if 0 < p < n]
    if not english:
        cuts = _open_syllables(folded, cuts)
    # every piece keeps a vowel
    changed = True
    while changed and cuts:
        changed = False
        for lo, hi in _pieces(cuts, n):
            if not _has_vowel(folded, lo, hi):
                cuts.remove(hi if hi in cuts else lo)
                changed = True
                break
    while len(cuts) + 1 > count:
        pieces = _pieces(cuts, n)
        pairs = [(pieces[i][1] - pieces[i][0] + pieces[i + 1][1] - pieces[i + 1][0], i) for i in range(len(cuts))]
        _, i = min(pairs)
        cuts.remove(pieces[i][1])
    groups = _syllable_groups(folded)
    between = [_onset_cut(folded, a[1], b[0]) for a, b in zip(groups, groups[1:])]
    inside = [i for s, e in vowel_groups(folded) for i in range(s + 1, e)]
    anywhere = list(range(1, n))
    for candidates, need_vowels in ((between, True), (inside, True), (anywhere, False)):
        while len(cuts) + 1 < count:
            free = [c for c in candidates if c not in cuts and 0 < c < n]
            if not free or not _add_cut(folded, cuts, free, need_vowels):
                break
    return tuple(word[lo:hi] for lo, hi in _pieces(cuts, n))
