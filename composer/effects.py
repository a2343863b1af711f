"""The synth's effects and gain, read from a genre grammar's ``[mix]`` table and checked.

>>> Effects(reverb_level=0.3).reverb_level
0.3
>>> Effects.from_table({"reverb_room": 0.8}, where="grammars/ballad.toml").reverb_room
0.8
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from .errors import GrammarError

__all__ = ["Effects"]


@dataclass(frozen=True, slots=True)
class Effects:
    """The synth's reverb and chorus, and its output gain.

    A genre grammar sets these in its ``[mix]`` table; every key is optional:
    ``reverb_room`` (0..1), ``reverb_damping`` (0..1), ``reverb_width``
    (0..100), ``reverb_level`` (0..1), ``chorus_voices`` (0..99, an integer),
    ``chorus_level`` (0..10), ``chorus_speed`` (0.1..5 Hz), ``chorus_depth``
    (0..21 ms), ``reverb_send`` and ``chorus_send`` (0..127, integers: the
    controller 91 and 93 every channel starts with; 40 and 0 are General
    MIDI's defaults, and a MIDI file that sends its own wins), ``gain``
    (0..10, the synth's gain before mastering), ``presence_db`` (0..12: the
    master's bus EQ lifts everything above 2 kHz by this much, a high shelf,
    so a dark band still reaches a bright master), ``brightness`` (0..0.5:
    the genre's target share of the master's power above 2 kHz, which
    ``make evaluate`` checks; the engine does not read it).

    Some SoundFonts (FluidR3, TimGM6mb) add reverb in their presets; others
    (MuseScore General) leave it all to controller 91.
    """

    reverb_room: float = 0.45
    reverb_damping: float = 0.35
    reverb_width: float = 0.8
    reverb_level: float = 0.6
    chorus_voices: int = 3
    chorus_level: float = 1.2
    chorus_speed: float = 0.3
    chorus_depth: float = 8.0
    reverb_send: int = 40
    chorus_send: int = 0
    gain: float = 0.2
    presence_db: float = 0.0
    brightness: float = 0.03

    def __post_init__(self) -> None:
        for name, problem in _problems(self):
            raise ValueError(f"{name} {problem}")

    @classmethod
    def from_table(cls, table: dict[str, Any], *, where: str) -> Effects:
        """Read a grammar's ``[mix]`` table; absent keys keep their defaults.

        Raises:
            GrammarError: an unknown key or a bad value, naming ``where`` and the key.

        >>> Effects.from_table({"reverb_level": 2}, where="grammars/x.toml")
        Traceback (most recent call last):
        ...
        composer.errors.GrammarError: grammars/x.toml: key 'mix.reverb_level' must be 0.0..1.0, got 2
        """
        known = [f.name for f in fields(cls)]
        for key in table:
            if key not in known:
                raise GrammarError(f"{where}: unknown key 'mix.{key}' (known: {', '.join(sorted(known))})")
        for name, problem in _problems(table):
            raise GrammarError(f"{where}: key 'mix.{name}' {problem}")
        values: dict[str, Any] = {k: v if k in _INTEGERS else float(v) for k, v in table.items()}
        return cls(**values)


_RANGES = {
    "reverb_room": (0.0, 1.0), "reverb_damping": (0.0, 1.0), "reverb_width": (0.0, 100.0),
    "reverb_level": (0.0, 1.0), "chorus_voices": (0, 99), "chorus_level": (0.0, 10.0),
    "chorus_speed": (0.1, 5.0), "chorus_depth": (0.0, 21.0), "reverb_send": (0, 127),
    "chorus_send": (0, 127), "gain": (0.0, 10.0), "presence_db": (0.0, 12.0), "brightness": (0.0, 0.5),
}
_INTEGERS = ("chorus_voices", "reverb_send", "chorus_send")


def _problems(values: Any) -> list[tuple[str, str]]:
    """(name, what is wrong) for each bad value in an Effects or a [mix] table."""
    found = []
    for name, (low, high) in _RANGES.items():
        value = values.get(name, low) if isinstance(values, dict) else getattr(values, name)
        kind = int if name in _INTEGERS else (int, float)
        if isinstance(value, bool) or not isinstance(value, kind):
            found.append((name, f"must be {'an integer' if kind is int else 'a number'}, got {value!r}"))
        elif not low <= value <= high:
            found.append((name, f"must be {low}..{high}, got {value!r}"))
    return found
