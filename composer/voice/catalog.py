"""The singing voices: rules/voices.toml, validated, and the choice of a voice for a tune.

>>> sorted(v.name for v in voices())
['kal', 'slt']
>>> voice("SLT").range
(55, 79)
>>> pick((60, 62, 64, 67, 72)).name, pick((48, 50, 53, 55)).name
('slt', 'kal')
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..data import load, optional, require
from ..errors import GrammarError, RenderError

__all__ = ["Voice", "Choice", "voices", "voice", "voice_names", "pick", "choose", "check_installed",
           "FESTIVAL_VOICES"]

_WHERE = "rules/voices.toml"
FESTIVAL_VOICES = Path("/usr/share/festival/voices")
"""Where Debian's festvox packages install their voices."""


@dataclass(frozen=True, slots=True)
class Voice:
    """One singing voice.

    Attributes:
        name: the name given to ``--voice``.
        description: one line for people.
        engine: how it sings ("festival+world": Festival speaks, WORLD sings).
        festival_voice: the Festival voice id (``voice_<id>`` in Scheme).
        package: the Debian package that installs it.
        range: the notes it sings comfortably, (low, high) MIDI note numbers.
        rate: the sample rate it is analysed and sung at.
        licence: the licence of the voice data.
        origin: where the voice data comes from.
        default_order: breaks ties when picking a voice for a tune (lower wins).
    """

    name: str
    description: str
    engine: str
    festival_voice: str
    package: str
    range: tuple[int, int]
    rate: int
    licence: str
    origin: str
    default_order: int = 0


@dataclass(frozen=True, slots=True)
class Choice:
    """The voice that sings a song, the octaves its tune is moved by, and why."""

    voice: Voice
    shift: int
    reason: str


def _check(name: str, table: dict) -> Voice:
    where = f"{_WHERE} [voices.{name}]"
    low, high = (require(table, "range", list, where=where) + [None, None])[:2]
    if not (isinstance(low, int) and isinstance(high, int) and 24 <= low < high <= 96 and high - low >= 12):
        raise GrammarError(f"{where}: key 'range' must be [low, high] MIDI notes 24..96, an octave apart or more")
    rate = require(table, "rate", int, where=where)
    if rate not in (16000, 22050, 24000, 32000, 44100, 48000):
        raise GrammarError(f"{where}: key 'rate' must be a usual sample rate, got {rate}")
    engine = require(table, "engine", str, where=where)
    if engine != "festival+world":
        raise GrammarError(f"{where}: key 'engine' must be 'festival+world', got {engine!r}")
    texts = {k: require(table, k, str, where=where) for k in
             ("description", "festival_voice", "package", "licence", "origin")}
    if not texts["festival_voice"].replace("_", "").isalnum():
        raise GrammarError(f"{where}: key 'festival_voice' must be a Festival voice id, got {texts['festival_voice']!r}")
    return Voice(name=name, engine=engine, range=(low, high), rate=rate,
                 default_order=optional(table, "default_order", int, 0, where=where), **texts)


@cache
def voices() -> tuple[Voice, ...]:
    """Every voice of rules/voices.toml, validated, lowest range first.

    Raises:
        GrammarError: naming the file and the key at fault.
    """
    raw = require(load("rules", "voices"), "voices", dict, where=_WHERE)
    if not raw:
        raise GrammarError(f"{_WHERE}: key 'voices' lists no voice")
    return tuple(sorted((_check(name, table) for name, table in raw.items()), key=lambda v: v.range))


def voice_names() -> tuple[str, ...]:
    """The voices' names, lowest range first."""
    return tuple(v.name for v in voices())


def voice(name: str) -> Voice:
    """The voice called ``name`` (case and spaces forgiven).

    Raises:
        InputError: no such voice; the message suggests the nearest name.
    """
    from ..validate import choice

    wanted = choice("voice", name, voice_names())
    return next(v for v in voices() if v.name == wanted)


def _fit(voice_: Voice, low: int, high: int, shift: int) -> float:
    """How far (in semitones) the tune moved by ``shift`` octaves leaves the voice's range."""
    lo, hi = low + 12 * shift, high + 12 * shift
    outside = max(0, voice_.range[0] - lo) + max(0, hi - voice_.range[1])
    centre = abs((lo + hi) / 2 - sum(voice_.range) / 2)
    return outside * 10 + centre * 0.1 + abs(shift) * 0.5


def choose(pitches: tuple[int, ...], *, name: str | None = None, shifts: tuple[int, ...] = (-1, 0, 1)) -> Choice:
    """The voice for a tune, and the octave shift that best fits it into that voice's range.

    Args:
        pitches: the tune's MIDI notes.
        name: a voice to use; None picks the one whose range fits the tune best.
        shifts: the octave shifts allowed.

    >>> c = choose((48, 52, 55, 60), name="slt"); c.voice.name, c.shift
    ('slt', 1)
    """
    if not pitches:
        chosen = voice(name) if name else min(voices(), key=lambda v: v.default_order)
        return Choice(chosen, 0, "no notes to sing")
    low, high = min(pitches), max(pitches)
    candidates = (voice(name),) if name else voices()
    best = min(((_fit(v, low, high, s), v.default_order, v.name, s, v) for v in candidates for s in shifts))
    score, _, _, shift, chosen = best
    lo, hi = low + 12 * shift, high + 12 * shift
    moved = f", sung {abs(shift)} octave {'up' if shift > 0 else 'down'}" if shift else ""
    how = "asked for" if name else "its range fits the tune best"
    return Choice(chosen, shift, f"{chosen.name} ({how}): the tune spans MIDI {low}-{high}{moved}; "
                                 f"{chosen.name} sings {chosen.range[0]}-{chosen.range[1]}"
                                 + ("" if score < 10 else f"; {lo}-{hi} is outside it"))


def pick(pitches: tuple[int, ...]) -> Voice:
    """The voice whose range fits ``pitches`` best, without moving the tune."""
    return choose(pitches, shifts=(0,)).voice


def check_installed(voice_: Voice) -> None:
    """Raise RenderError, in one line naming the Debian package, unless Festival and the voice are installed."""
    if shutil.which("festival") is None:
        raise RenderError("cannot sing: the festival program is missing; install the Debian package "
                          "'festival' (make setup does), or pass --voice none")
    if not any(FESTIVAL_VOICES.glob(f"*/{voice_.festival_voice}/festvox")):
        raise RenderError(f"cannot sing with voice {voice_.name!r}: Festival's voice {voice_.festival_voice} is "
                          f"missing; install the Debian package '{voice_.package}' (make setup does), "
                          "or pass --voice none")
