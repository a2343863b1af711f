"""Pitch, scale and chord arithmetic: the small music theory everything shares.

Roman numerals are written relative to the major scale of the tonic, so a
flat marks a lowered degree in any mode: in A minor, ``bVI`` is F major and
``i`` is A minor. The case of the numeral gives the triad (upper major, lower
minor) and a suffix gives the extension.

Names are spelled by letter: the tonic's name comes from the key signature
(flats or sharps), and every other note or chord root takes the letter of its
scale degree, so ``bII7`` in D dorian is Eb7 (the second letter after D,
lowered), never D#7, and ``bVI5`` in G mixolydian is Eb5.

The tables (modes, chord tails with their MusicXML kinds, numeral suffixes,
tempo limits) live in ``rules/theory.toml``, checked when first read.

>>> parse_roman("bVII")
RomanChord(roman='bVII', degree=10, intervals=(0, 4, 7), suffix='', step=6)
>>> chord_symbol(parse_roman("ii7"), tonic=0, flats=False)
'Dm7'
>>> chord_symbol(parse_roman("V5"), tonic=4, flats=False)
'B5'
>>> chord_symbol(parse_roman("bII7"), tonic=2, flats=False), chord_symbol(parse_roman("bVI5"), tonic=7, flats=False)
('Eb7', 'Eb5')
>>> note_name(1, tonic=2, flats=False), note_name(6, tonic=7, flats=False), note_name(3, tonic=5, flats=True)
('C#', 'F#', 'Eb')
>>> scale_pitch_classes(9, "minor")
(9, 11, 0, 2, 4, 5, 7)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any, get_args

from . import data
from .errors import GrammarError, InputError
from .model import Mode

__all__ = [
    "MODES",
    "SCALES",
    "TEMPO_LIMITS",
    "RomanChord",
    "ChordTail",
    "ModeInfo",
    "parse_roman",
    "chord_symbol",
    "chord_root_name",
    "chord_tail",
    "mode_info",
    "note_name",
    "pitch_class",
    "spell",
    "uses_flats",
    "scale_pitch_classes",
    "parse_key",
    "mido_key_signature",
    "key_fifths",
]

_WHERE = "rules/theory.toml"
MODES: tuple[Mode, ...] = get_args(Mode)

_SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_FLAT_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
_LETTERS = "CDEFGAB"
_LETTER = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_ACCIDENTAL = {-1: "b", 0: "", 1: "#"}
# Major keys written with flats (by tonic pitch class): F Bb Eb Ab Db Gb.
_FLAT_MAJORS = frozenset({5, 10, 3, 8, 1, 6})
# Semitones above the tonic -> (scale step, alteration) as a Roman numeral names it:
# I bII II bIII III IV #IV V bVI VI bVII VII.
_DEGREE_OF = ((0, 0), (1, -1), (1, 0), (2, -1), (2, 0), (3, 0), (3, 1), (4, 0), (5, -1), (5, 0), (6, -1), (6, 0))
_MUSICXML_KINDS = frozenset("""major minor augmented diminished dominant major-seventh minor-seventh
diminished-seventh augmented-seventh half-diminished major-minor major-sixth minor-sixth dominant-ninth
major-ninth minor-ninth dominant-11th major-11th minor-11th dominant-13th major-13th minor-13th
suspended-second suspended-fourth Neapolitan Italian French German pedal power Tristan other none""".split())

_DEGREES = {"I": 0, "II": 2, "III": 4, "IV": 5, "V": 7, "VI": 9, "VII": 11}
_STEPS = {"I": 0, "II": 1, "III": 2, "IV": 3, "V": 4, "VI": 5, "VII": 6}
_ROMAN_RE = re.compile(r"^(b|#)?(VII|VI|V|IV|III|II|I|vii|vi|v|iv|iii|ii|i)(°|o|ø|\+)?(.*)$")


@dataclass(frozen=True, slots=True)
class ModeInfo:
    """One mode of ``rules/theory.toml``.

    Attributes:
        steps: semitones from the tonic to each of the seven degrees.
        relative_major: semitones from the tonic up to the major key with the same notes.
        family: "major" or "minor": the key mode MIDI and MusicXML write.
    """

    steps: tuple[int, ...]
    relative_major: int
    family: str


@dataclass(frozen=True, slots=True)
class ChordTail:
    """One chord symbol tail of ``rules/theory.toml`` ("m7" in "Dm7").

    Attributes:
        intervals: semitones from the root to each chord tone, root first.
        kind: the MusicXML ``<kind>``.
        degrees: extra MusicXML ``<degree>`` rows (value, alter, "add" | "subtract").
    """

    intervals: tuple[int, ...]
    kind: str
    degrees: tuple[tuple[int, int, str], ...] = ()


@dataclass(frozen=True, slots=True)
class _Tables:
    tempo: tuple[int, int]
    modes: dict[str, ModeInfo]
    tails: dict[str, ChordTail]
    numerals: dict[str, tuple[str, str]]
    qualities: dict[str, dict[str, str]]


def _int_list(value: Any, key: str) -> tuple[int, ...]:
    if not (isinstance(value, list) and value and all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        raise GrammarError(f"{_WHERE}: key '{key}' must be a list of whole numbers, got {value!r}")
    return tuple(value)


def _check_modes(raw: dict[str, Any]) -> dict[str, ModeInfo]:
    table = data.require(raw, "modes", dict, where=_WHERE)
    if set(table) != set(MODES):
        raise GrammarError(f"{_WHERE}: key 'modes' must list exactly {', '.join(MODES)}, got {', '.join(table)}")
    modes: dict[str, ModeInfo] = {}
    for name in MODES:
        key = f"modes.{name}"
        steps = _int_list(data.require(raw, f"{key}.steps", list, where=_WHERE), f"{key}.steps")
        relative = data.require(raw, f"{key}.relative_major", int, where=_WHERE)
        family = data.require(raw, f"{key}.family", str, where=_WHERE)
        if len(steps) != 7 or steps[0] != 0 or list(steps) != sorted(set(steps)) or steps[-1] > 11:
            raise GrammarError(f"{_WHERE}: key '{key}.steps' must be seven rising semitones 0..11 from 0, "
                               f"got {list(steps)}")
        if family not in ("major", "minor"):
            raise GrammarError(f"{_WHERE}: key '{key}.family' must be major or minor, got {family!r}")
        modes[name] = ModeInfo(steps, relative % 12, family)
    major = set(modes["major"].steps)
    for named, info in modes.items():
        if {(s - info.relative_major) % 12 for s in info.steps} != major:
            raise GrammarError(f"{_WHERE}: key 'modes.{named}.relative_major' ({info.relative_major}) does not "
                               f"name a major key with the notes of {named}")
        third = 4 if info.family == "major" else 3
        if third not in info.steps:
            raise GrammarError(f"{_WHERE}: key 'modes.{named}.family' is {info.family} but its steps have no "
                               f"{info.family} third")
    return modes


def _check_tails(raw: dict[str, Any]) -> dict[str, ChordTail]:
    tails = {}
    for tail, row in data.require(raw, "tails", dict, where=_WHERE).items():
        key = f'tails."{tail}"'
        if not isinstance(row, dict):
            raise GrammarError(f"{_WHERE}: key '{key}' must be a table of intervals, kind and degrees")
        intervals = _int_list(data.require(row, "intervals", list, where=f"{_WHERE} [{key}]"), f"{key}.intervals")
        if intervals[0] != 0:
            raise GrammarError(f"{_WHERE}: key '{key}.intervals' must start with the root, 0")
        kind = data.require(row, "kind", str, where=f"{_WHERE} [{key}]")
        if kind not in _MUSICXML_KINDS:
            raise GrammarError(f"{_WHERE}: key '{key}.kind' is not a MusicXML kind: {kind!r}")
        degrees = []
        for d in data.optional(row, "degrees", list, [], where=f"{_WHERE} [{key}]"):
            if not (isinstance(d, list) and len(d) == 3 and isinstance(d[0], int) and isinstance(d[1], int)
                    and d[2] in ("add", "subtract", "alter")):
                raise GrammarError(f"{_WHERE}: key '{key}.degrees' rows must be [value, alter, \"add\"|\"subtract\"], "
                                   f"got {d!r}")
            degrees.append((d[0], d[1], d[2]))
        tails[tail] = ChordTail(intervals, kind, tuple(degrees))
    return tails


def _tail_ref(tails: dict[str, ChordTail], value: Any, key: str) -> str:
    if not isinstance(value, str) or value not in tails:
        raise GrammarError(f"{_WHERE}: key '{key}' names a tail that [tails] does not have: {value!r}")
    return value


@cache
def _tables() -> _Tables:
    """rules/theory.toml, read and checked once.

    Raises:
        GrammarError: a key is missing or wrong; the message names the file and the key.
    """
    raw = data.load("rules", "theory")
    lowest = data.require(raw, "tempo.lowest", int, where=_WHERE)
    highest = data.require(raw, "tempo.highest", int, where=_WHERE)
    if not 1 <= lowest < highest <= 400:
        raise GrammarError(f"{_WHERE}: keys 'tempo.lowest' and 'tempo.highest' must rise within 1..400 BPM")
    modes = _check_modes(raw)
    tails = _check_tails(raw)
    numerals = {}
    for suffix, pair in data.require(raw, "numerals", dict, where=_WHERE).items():
        key = f'numerals."{suffix}"'
        if not (isinstance(pair, list) and len(pair) == 2):
            raise GrammarError(f"{_WHERE}: key '{key}' must be [upper-case tail, lower-case tail], got {pair!r}")
        numerals[suffix] = (_tail_ref(tails, pair[0], key), _tail_ref(tails, pair[1], key))
    qualities = {}
    for sign, row in data.require(raw, "qualities", dict, where=_WHERE).items():
        if sign not in ("°", "o", "ø", "+") or not isinstance(row, dict):
            raise GrammarError(f"{_WHERE}: key 'qualities.\"{sign}\"' must be one of °, o, ø, + with a table")
        qualities[sign] = {s: _tail_ref(tails, t, f'qualities."{sign}"."{s}"') for s, t in row.items()}
    return _Tables((lowest, highest), modes, tails, numerals, qualities)


TEMPO_LIMITS: tuple[int, int] = _tables().tempo
"""Lowest and highest tempo of any song, in BPM (rules/theory.toml [tempo])."""
SCALES: dict[str, tuple[int, ...]] = {name: info.steps for name, info in _tables().modes.items()}


def mode_info(mode: str) -> ModeInfo:
    """The steps, relative major and family of ``mode``.

    >>> mode_info("dorian").family, mode_info("mixolydian").relative_major
    ('minor', 5)
    """
    return _tables().modes[mode]


def chord_tail(tail: str) -> ChordTail | None:
    """The intervals and MusicXML kind of a chord symbol tail, or None when rules/theory.toml lacks it.

    >>> chord_tail("m7").kind, chord_tail("add9").degrees
    ('minor-seventh', ((9, 0, 'add'),))
    """
    return _tables().tails.get(tail)


@dataclass(frozen=True, slots=True)
class RomanChord:
    """A parsed Roman numeral.

    Attributes:
        roman: the numeral as written.
        degree: semitones from the tonic to the root.
        intervals: semitones from the root to each chord tone, root first.
        suffix: the symbol tail after the root name ("m7", "5", "maj9").
        step: the scale step of the root, 0 (I) to 6 (VII): the letter it is spelled with.
    """

    roman: str
    degree: int
    intervals: tuple[int, ...]
    suffix: str
    step: int = 0


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
    tables = _tables()
    if quality:
        tails = tables.qualities.get(quality, {})
        if suffix not in tails:
            raise ValueError(f"unknown chord suffix {suffix!r} after {quality!r} in {roman!r}")
        tail = tails[suffix]
    else:
        if suffix not in tables.numerals:
            raise ValueError(f"unknown chord suffix {suffix!r} in {roman!r}")
        tail = tables.numerals[suffix][0 if numeral.isupper() else 1]
    return RomanChord(roman=roman, degree=degree % 12, intervals=tables.tails[tail].intervals, suffix=tail,
                      step=_STEPS[numeral.upper()])


def uses_flats(tonic: int, mode: Mode) -> bool:
    """Whether the key signature of ``tonic`` in ``mode`` is written with flats."""
    return (tonic + mode_info(mode).relative_major) % 12 in _FLAT_MAJORS


def spell(pc: int, *, flats: bool) -> str:
    """The name of pitch class ``pc`` alone, with flats or sharps (a tonic, a piano-roll row)."""
    return (_FLAT_NAMES if flats else _SHARP_NAMES)[pc % 12]


def _by_letter(pc: int, tonic: int, flats: bool, step: int) -> str:
    """``pc`` spelled with the letter ``step`` letters above the tonic's (plain names past one accidental)."""
    tonic_name = spell(tonic, flats=flats)
    letter = _LETTERS[(_LETTERS.index(tonic_name[0]) + step) % 7]
    alter = (pc - _LETTER[letter] + 6) % 12 - 6
    return letter + _ACCIDENTAL[alter] if alter in _ACCIDENTAL else spell(pc, flats=alter < 0)


def note_name(pc: int, *, tonic: int, flats: bool) -> str:
    """The name of pitch class ``pc`` in the key of ``tonic`` (whose signature has ``flats``).

    Each note takes the letter of the scale degree a Roman numeral gives it
    (I bII II bIII III IV #IV V bVI VI bVII VII), so the scale's own notes
    match the key signature and the rest read as raised or lowered degrees.
    """
    step, _alter = _DEGREE_OF[(pc - tonic) % 12]
    return _by_letter(pc % 12, tonic, flats, step)


def chord_root_name(chord: RomanChord, *, tonic: int, flats: bool) -> str:
    """The name of a Roman numeral's root in the key of ``tonic``, spelled by letter ("Bb" of bVII in C).

    >>> chord_root_name(parse_roman("bII7"), tonic=2, flats=False)
    'Eb'
    """
    return _by_letter((tonic + chord.degree) % 12, tonic, flats, chord.step)


def chord_symbol(chord: RomanChord, *, tonic: int, flats: bool) -> str:
    """The chord symbol ("Bbmaj7") of a Roman numeral in the key of ``tonic``, its root spelled by letter."""
    return chord_root_name(chord, tonic=tonic, flats=flats) + chord.suffix


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
        return pitch_class(parts[0]), mode
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
    major = (tonic + mode_info(mode).relative_major) % 12
    return spell(major, flats=major in _FLAT_MAJORS)


def key_fifths(tonic: int, mode: Mode) -> int:
    """The key signature as a count of fifths (MusicXML ``<fifths>``): sharps positive, flats negative.

    >>> key_fifths(5, "major"), key_fifths(9, "minor"), key_fifths(2, "dorian"), key_fifths(4, "major")
    (-1, 0, 0, 4)
    """
    major = (tonic + mode_info(mode).relative_major) % 12
    count = major * 7 % 12
    return count - 12 if count and major in _FLAT_MAJORS else count
