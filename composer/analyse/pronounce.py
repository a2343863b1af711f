"""One word -> syllables and stress: :func:`pronounce` and :func:`rhyme_key`.

Where the pronunciation comes from, first match wins:

1. our own overrides (rules/pronunciation.toml [overrides]): Filipino and
   Spanish family words the CMU dictionary lacks or anglicises;
2. the CMU Pronouncing Dictionary (:mod:`.cmu`), first variant;
3. a CMU word with an ending added: possessive "'s", plural "s",
   dropped-g "in'" ("Lupe's" is "Lupe" + Z);
4. rules (source ``"rules"``): syllables counted from the spelling
   (:func:`.syllables.count_syllables`), stress from an acute accent, an
   ending listed in [stress.suffixes], else the [stress] default
   (penultimate: "Pri-ya", "sa-la-mat", "O-ka-for").

Function words (rules/words.toml [function]) are sung weak: all stresses 0.
A one-syllable content word has stress (1,). A longer content word always has
one primary stress.

>>> pronounce("cooking")
Word(text='cooking', syllables=('cook', 'ing'), stresses=(1, 0), function=False, source='cmu', pause_after=0)
>>> pronounce("Okafor").stresses, pronounce("Okafor").source
((0, 1, 0), 'rules')
>>> pronounce("the").function, pronounce("the").stresses
(True, (0,))
>>> rhyme_key("day") == rhyme_key("away"), rhyme_key("love")
(True, 'AH V')
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Any, Mapping

from ..data import load, optional, require
from ..errors import GrammarError, InputError
from ..model import Word
from . import cmu
from .checks import words as word_list
from .syllables import count_syllables, fold, split_display, vowel_groups

__all__ = [
    "Pronunciations",
    "check_pronunciations",
    "pronunciations",
    "pronounce",
    "pronounce_as",
    "letter",
    "rhyme_key",
    "is_latin_letter",
    "phonemes",
]

_SIBILANTS = frozenset("S Z SH ZH CH JH".split())
_ACUTE = "\u0301"


@dataclass(frozen=True, slots=True)
class Pronunciations:
    """The pronunciation rules, validated (rules/pronunciation.toml + words.toml).

    Attributes:
        overrides: folded word -> ARPAbet phonemes, winning over CMU.
        titles: folded word -> phonemes, used only before a capitalised name.
        default_stress: stressed syllable counted from the end (1 = last).
        suffixes: (ending, syllable from the end), longest ending first.
        function_words: folded function words.
    """

    overrides: Mapping[str, tuple[str, ...]]
    titles: Mapping[str, tuple[str, ...]]
    default_stress: int
    suffixes: tuple[tuple[str, int], ...]
    function_words: frozenset[str]


def _phonemes(text: str, *, key: str, where: str) -> tuple[str, ...]:
    out = tuple(text.split())
    for p in out:
        base, digit = (p[:-1], p[-1]) if p[-1].isdigit() else (p, "")
        ok = (base in cmu.VOWELS and digit in ("0", "1", "2")) or (base in cmu.CONSONANTS and not digit)
        if not ok:
            raise GrammarError(f"{where}: key '{key}' has an unknown ARPAbet phoneme {p!r}")
    if not any(p[-1].isdigit() for p in out):
        raise GrammarError(f"{where}: key '{key}' has no vowel phoneme")
    return out


def _phoneme_table(table: dict[str, Any], key: str, where: str) -> Mapping[str, tuple[str, ...]]:
    node = optional(table, key, dict, {}, where=where)
    out = {}
    for name, value in node.items():
        if not isinstance(value, str):
            raise GrammarError(f"{where}: key '{key}.{name}' must be str, got {value!r}")
        out[name] = _phonemes(value, key=f"{key}.{name}", where=where)
    return MappingProxyType(out)


def check_pronunciations(
    table: dict[str, Any], words_table: dict[str, Any], *, where: str, words_where: str
) -> Pronunciations:
    """Validate the parsed pronunciation and word-class tables.

    Raises:
        GrammarError: naming the file and the key at fault.
    """
    default = require(table, "stress.default", int, where=where)
    if not 1 <= default <= 3:
        raise GrammarError(f"{where}: key 'stress.default' must be 1..3, got {default}")
    suffixes = []
    for ending, place in require(table, "stress.suffixes", dict, where=where).items():
        if not isinstance(place, int) or isinstance(place, bool) or not 1 <= place <= 3:
            raise GrammarError(f"{where}: key 'stress.suffixes.{ending}' must be 1..3, got {place!r}")
        suffixes.append((ending, place))
    suffixes.sort(key=lambda pair: -len(pair[0]))
    return Pronunciations(
        overrides=_phoneme_table(table, "overrides", where),
        titles=_phoneme_table(table, "titles", where),
        default_stress=default,
        suffixes=tuple(suffixes),
        function_words=frozenset(word_list(words_table, "function.words", where=words_where)),
    )


@cache
def pronunciations() -> Pronunciations:
    """The pronunciation rules, read and validated once."""
    return check_pronunciations(
        load("rules", "pronunciation"),
        load("rules", "words"),
        where="rules/pronunciation.toml",
        words_where="rules/words.toml",
    )


def is_latin_letter(ch: str) -> bool:
    """Whether ``ch`` is a letter of the Latin script (the script we sing).

    >>> is_latin_letter("ë"), is_latin_letter("爱"), is_latin_letter("ж")
    (True, False, False)
    """
    o = ord(ch)
    return ch.isalpha() and (o < 0x250 or 0x1E00 <= o < 0x1F00 or 0x2C60 <= o < 0x2C80 or 0xA720 <= o < 0xA800)


def _key(word: str) -> str:
    return fold(word).replace("\u2019", "'")


def _derived(key: str) -> tuple[str, ...] | None:
    """The pronunciation of a CMU word with an ending added, or None."""
    if key.endswith("'s") and len(key) > 2:
        base = cmu.phones(key[:-2])
        if base:
            return base + (("IH0", "Z") if base[-1] in _SIBILANTS else ("Z",))
    if key.endswith("s'") and len(key) > 2:
        return cmu.phones(key[:-1])
    if key.endswith("in'") and len(key) > 3:
        base = cmu.phones(key[:-1] + "g")
        if base and base[-1] == "NG":
            return base[:-1] + ("N",)
    if key.endswith("s") and len(key) > 3 and not key.endswith("ss"):
        base = cmu.phones(key[:-1])
        if base:
            return base + (("IH0", "Z") if base[-1] in _SIBILANTS else ("Z",))
    return None


def _lookup(key: str) -> tuple[tuple[str, ...] | None, bool]:
    """(phonemes, from our rules) for a folded word, or (None, True)."""
    rules = pronunciations()
    if key in rules.overrides:
        return rules.overrides[key], True
    found = cmu.phones(key)
    if found:
        return found, False
    derived = _derived(key)
    return (derived, False) if derived else (None, True)


def phonemes(word: str) -> tuple[str, ...] | None:
    """The ARPAbet phonemes :func:`pronounce` sings ``word`` with, or None when it uses rules.

    >>> phonemes("cooking"), phonemes("Okafor")
    (('K', 'UH1', 'K', 'IH0', 'NG'), None)
    """
    if _is_acronym(word):
        return None
    return _lookup(_key(word).lower())[0]


def _rule_stresses(word: str, pieces: tuple[str, ...]) -> tuple[int, ...]:
    """Stress of a word known to no table: accent, suffix, else the default."""
    n = len(pieces)
    place = -1
    for i, piece in enumerate(pieces):
        if any(_ACUTE in unicodedata.normalize("NFD", ch) for ch in piece):
            place = i
    if place < 0:
        key = fold(word)
        rules = pronunciations()
        back = next((p for end, p in rules.suffixes if key.endswith(end)), rules.default_stress)
        place = max(n - back, 0)
    return tuple(1 if i == place else 0 for i in range(n))


def _fit(stresses: tuple[int, ...], n: int) -> tuple[int, ...]:
    """Fit a stress pattern to ``n`` display pieces (a word too short to split)."""
    if len(stresses) == n:
        return stresses
    primary = min(stresses.index(max(stresses)), n - 1)
    return tuple(1 if i == primary else 0 for i in range(n))


def _finish(text: str, pieces: tuple[str, ...], stresses: tuple[int, ...], source: str) -> Word:
    """Apply the function-word and content-word stress rules."""
    function = _key(text).lower() in pronunciations().function_words
    if function:
        stresses = (0,) * len(pieces)
    elif len(pieces) == 1:
        stresses = (1,)
    elif 1 not in stresses:
        first = stresses.index(2) if 2 in stresses else 0
        stresses = tuple(1 if i == first else s for i, s in enumerate(stresses))
    return Word(text, pieces, stresses, function, source)  # type: ignore[arg-type]


def pronounce_as(text: str, phonemes: tuple[str, ...], *, source: str = "rules") -> Word:
    """The Word for ``text`` sung with the given ARPAbet ``phonemes``.

    A pronunciation without a vowel ("hmm") is sung as one syllable.
    """
    stresses = cmu.stresses(phonemes) or (1,)
    pieces = split_display(text, len(stresses), english=source == "cmu")
    if len(pieces) != len(stresses):
        return _finish(text, pieces, _fit(stresses, len(pieces)), "rules")
    return _finish(text, pieces, stresses, source)


def letter(ch: str) -> Word:
    """A letter sung by its name ("A" in "four A M"): one stressed syllable.

    >>> letter("A")
    Word(text='A', syllables=('A',), stresses=(1,), function=False, source='cmu', pause_after=0)
    """
    return Word(ch, (ch,), (1,), False, "cmu")


def _is_acronym(text: str) -> bool:
    return 2 <= len(text) <= 5 and text.isupper() and text.isalpha() and not any(c in "AEIOU" for c in fold(text).upper())


@lru_cache(maxsize=8192)
def pronounce(word: str) -> Word:
    """Syllables, stress and word class of one word.

    ``word`` is one token as written (letters and apostrophes, any case,
    accents kept); its display syllables join back into it exactly.

    >>> pronounce("José").syllables, pronounce("José").stresses
    (('Jo', 'sé'), (2, 1))
    >>> pronounce("Zara").syllables, pronounce("Zara").stresses
    (('Za', 'ra'), (1, 0))
    >>> pronounce("BFF").syllables, pronounce("BFF").stresses
    (('B', 'F', 'F'), (2, 2, 1))

    Raises:
        InputError: ``word`` has no Latin letter to sing.
    """
    if not any(is_latin_letter(ch) for ch in word):
        raise InputError(f"Cannot pronounce {word!r}: it has no letters to sing.")
    if _is_acronym(word):
        n = len(word)
        return Word(word, tuple(word), (2,) * (n - 1) + (1,), False, "rules")
    key = _key(word).lower()
    found, ours = _lookup(key)
    if found:
        return pronounce_as(word, found, source="rules" if ours else "cmu")
    pieces = split_display(word, count_syllables(word), english=False)
    return _finish(word, pieces, _rule_stresses(word, pieces), "rules")


@lru_cache(maxsize=8192)
def rhyme_key(word: str) -> str:
    """The part of ``word`` that rhymes; two words rhyme when their keys are equal.

    For a word with a pronunciation: its phonemes from the last stressed
    vowel (primary or secondary) to the end, stress digits removed, e.g.
    "AH V" for "love". For a word known to no table: its letters (lower
    case, no accents) from the vowel of the stressed syllable to the end, e.g.
    "afor" for "Okafor"; such keys only match each other.

    >>> rhyme_key("heart") == rhyme_key("apart"), rhyme_key("Nanay")
    (True, 'AA N AY')
    >>> rhyme_key("Okafor")
    'afor'
    """
    key = _key(word.strip()).lower()
    if not key:
        return ""
    found, _ = _lookup(key)
    if found:
        vowels = [i for i, p in enumerate(found) if p[-1].isdigit()]
        stressed = [i for i in vowels if found[i][-1] in "12"]
        start = (stressed or vowels or [0])[-1]
        return " ".join(p.rstrip("012") for p in found[start:])
    spoken = pronounce(word.strip())
    i = spoken.stresses.index(max(spoken.stresses))
    offset = sum(len(s) for s in spoken.syllables[:i])
    folded = fold(spoken.text)
    groups = [s for s, _ in vowel_groups(folded) if s >= offset]
    return "".join(ch for ch in folded[groups[0] if groups else offset :] if ch.isalpha() or ch == "'")
