"""Pitch, scale and chord arithmetic: the small music theory everything shares.

Roman numerals are written relative to the major scale of the tonic, so a
flat marks a lowered degree in any mode: in A minor, ``bVI`` is F major and
``i`` is A minor. The case of the numeral gives the triad (upper major, lower
minor) and a suffix gives the extension.

>>> parse_roman("bVII")
RomanChord(roman='bVII', degree=10, intervals=(0, 4, 7), suffix='')
>>> chord_symbol(parse_roman("ii7"), tonic=0, flats=False)
'Dm7'
>>> chord_symbol(parse_roman("V5"), tonic=4, flats=False)
'B5'
>>> scale_pitch_classes(9, "minor")
(9, 11, 0, 2, 4, 5, 7)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .errors import InputError
from .model import Mode

__all__ = [
    "MODES",
    "SCALES",
    "RomanChord",
    "parse_roman",
    "chord_symbol",
    "pitch_class",
    "spell",
    "uses_flats",
    "scale_pitch_classes",
    "parse_key",
    "mido_key_signature",
]

SCALES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
}
MODES: tuple[Mode, ...] = ("major", "minor", "dorian", "mixolydian")

_SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_FLAT_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
_LETTER = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
# Offset from a mode's tonic to the tonic of the major scale with the same notes.
_RELATIVE_MAJOR = {"major": 0, "minor": 3, "dorian": 10, "mixolydian": 5}
# Major keys written with flats (by tonic pitch class): F Bb Eb Ab Db Gb.
_FLAT_MAJORS = frozenset({5, 10, 3, 8, 1, 6})

_DEGREES = {"I": 0, "II": 2, "III": 4, "IV": 5, "V": 7, "VI": 9, "VII": 11}
_ROMAN_RE = re.compile(r"^(b|#)?(VII|VI|V|IV|III|II|I|vii|vi|v|iv|iii|ii|i)(°|o|ø|\+)?(.*)$")

# suffix -> (intervals for an upper-case numeral, for a lower-case one, symbol tails)
_SUFFIXES: dict[str, tuple[tuple[int, ...], tuple[int, ...], str, str]] = {
    "": ((0, 4, 7), (0, 3, 7), "", "m"),
    "7": ((0, 4, 7, 10), (0, 3, 7, 10), "7", "m7"),
    "maj7": ((0, 4, 7, 11), (0, 3, 7, 11), "maj7", "m(maj7)"),
    "9": ((0, 4, 7, 10, 14), (0, 3, 7, 10, 14), "9", "m9"),
    "maj9": ((0, 4, 7, 11, 14), (0, 3, 7, 11, 14), "maj9", "m(maj9)"),
    "6": ((0, 4, 7, 9), (0, 3, 7, 9), "6", "m6"),
    "add9": ((0, 4, 7, 14), (0, 3, 7, 14), "add9", "m(add9)"),
    "sus4": ((0, 5, 7), (0, 5, 7), "sus4", "sus4"),
    "sus2": ((0, 2, 7), (0, 2, 7), "sus2", "sus2"),
    "5": ((0, 7), (0, 7), "5", "5"),
    "13": ((0, 4, 7, 10, 14, 21), (0, 3, 7, 10, 14, 21), "13", "m13"),
    "11": ((0, 3, 7, 10, 14, 17), (0, 3, 7, 10, 14, 17), "m11", "m11"),
}
_DIMINISHED = {"": ((0, 3, 6), "dim"), "7": ((0, 3, 6, 9), "dim7")}
_HALF_DIMINISHED = ((0, 3, 6, 10), "m7b5")
_AUGMENTED = ((0, 4, 8), "+")


@dataclass(frozen=True, slots=True)
class RomanChord:
    """A parsed Roman numeral.

    Attributes:
        roman: the numeral as written.
        degree: semitones from the tonic to the root.
        intervals: semitones from the root to each chord tone, root first.
        suffix: the symbol tail after the root name ("m7", "5", "maj9").
    """

    roman: str
    degree: int
    intervals: tuple[int, ...]
    suffix: str


@cache
def parse_roman(roman: str) -> RomanChord:
    """Parse a Roman numeral such as ``"IV"``, ``"bVII"``, ``"ii7"``, ``"vii°"``.

    Raises:
        ValueError: the numeral is not one we know (the grammar loader turns
            this into a GrammarError naming the file).
    """
    match = _ROMAN_RE.match(roman)
    if not match:
        raise ValueError(f"not a Roman numeral: {roman!r}")
    accidental, numeral, quality, suffix = match.groups()
    degree = _DEGREES[numeral.upper()] + {"b": -1, "#": 1, None: 0}[accidental]
    upper = numeral.isupper()
    if quality in ("°", "o"):
        if suffix not in _DIMINISHED:
            raise ValueError(f"unknown diminished chord: {roman!r}")
        intervals, tail = _DIMINISHED[suffix]
    elif quality == "ø":
        intervals, tail = _HALF_DIMINISHED
    elif quality == "+":
        intervals, tail = _AUGMENTED
    else:
        if suffix not in _SUFFIXES:
            raise ValueError(f"unknown chord suffix {suffix!r} in {roman!r}")
        up, low, up_tail, low_tail = _SUFFIXES[suffix]
        intervals, tail = (up, up_tail) if upper else (low, low_tail)
    return RomanChord(roman=roman, degree=degree % 12, intervals=intervals, suffix=tail)


def uses_flats(tonic: int, mode: Mode) -> bool:
    """Whether the key signature of ``tonic`` in ``mode`` is written with flats."""
    return (tonic + _RELATIVE_MAJOR[mode]) % 12 in _FLAT_MAJORS


def spell(pc: int, *, flats: bool) -> str:
    """The name of pitch class ``pc``, with flats or sharps."""
    return (_FLAT_NAMES if flats else _SHARP_NAMES)[pc % 12]


def chord_symbol(chord: RomanChord, *, tonic: int, flats: bool) -> str:
    """The chord symbol ("Bbmaj7") of a Roman numeral in the key of ``tonic``."""
    return spell(tonic + chord.degree, flats=flats) + chord.suffix


def pitch_class(name: str) -> int:
    """The pitch class of a note name such as ``"Eb"`` or ``"F#"``.

    Raises:
        InputError: the name is not a note name.
    """
    text = name.strip()
    if not text or text[0].upper() not in _LETTER:
        raise InputError(f"key must be a note name like C, F# or Bb, got {name!r}")
    pc = _LETTER[text[0].upper()]
    for char in text[1:]:
        if char in "#♯":
            pc += 1
        elif char in "b♭":
            pc -= 1
        else:
            raise InputError(f"key must be a note name like C, F# or Bb, got {name!r}")
    return pc % 12


def parse_key(text: str) -> tuple[int, Mode | None]:
    """Parse a ``--key`` option: ``"E"``, ``"Bb"``, ``"F#m"``, ``"A minor"``, ``"D dorian"``.

    Returns the tonic pitch class and the mode, or None when the text names
    only the tonic (the plan then picks the mode).

    >>> parse_key("F#m")
    (6, 'minor')
    >>> parse_key("Bb")
    (10, None)
    """
    parts = text.strip().split()
    if len(parts) == 2:
        mode = parts[1].lower()
        if mode not in MODES:
            raise InputError(
                f"key mode must be one of {', '.join(MODES)}, got {parts[1]!r}"
            )
        return pitch_class(parts[0]), mode  # type: ignore[return-value]
    if len(parts) == 1 and len(parts[0]) > 1 and parts[0].endswith("m") and parts[0][:-1]:
        return pitch_class(parts[0][:-1]), "minor"
    if len(parts) == 1:
        return pitch_class(parts[0]), None
    raise InputError(f"key must look like E, Bb, F#m or 'D dorian', got {text!r}")


def scale_pitch_classes(tonic: int, mode: Mode) -> tuple[int, ...]:
    """The seven pitch classes of the scale, tonic first."""
    return tuple((tonic + step) % 12 for step in SCALES[mode])


def mido_key_signature(tonic: int, mode: Mode) -> str:
    """The key signature name mido writes: ``"Eb"`` or ``"C#m"``.

    Dorian and mixolydian are written with the signature of their relative
    major, as MIDI knows only major and minor.

    >>> mido_key_signature(2, "dorian")
    'C'
    """
    if mode == "minor":
        relative = (tonic + 3) % 12
        name = spell(tonic, flats=relative in _FLAT_MAJORS)
        return name + "m"
    major = (tonic + _RELATIVE_MAJOR[mode]) % 12
    return spell(major, flats=major in _FLAT_MAJORS)
