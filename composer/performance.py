"""The performance table: how hard and how loud the band plays (rules/performance.toml), read once.

Accent velocities, part levels, the level curve, expression, strum decay,
density thresholds, the last chorus's lift and EDM's build: numbers that
shape the music, kept beside rules/voicing.toml rather than in code.

>>> performance().metrical[4], performance().roll[-1]
(1.0, 32)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from . import data
from .errors import GrammarError

__all__ = ["Performance", "performance"]

_WHERE = "rules/performance.toml"


@dataclass(frozen=True, slots=True)
class Performance:
    """rules/performance.toml, read and checked once; see the file for each number."""

    level_floor: float
    level_span: float
    level_vibe: float
    expression_low: int
    metrical: tuple[float, ...]
    bass: float
    vocal_stressed: float
    vocal_unstressed: float
    vocal_spread: int
    comp_accent: float
    comp_hit: float
    comp_density: float
    pad: float
    fill: float
    hook: float
    strum_decay: float
    pad_density: float
    lead_density: float
    quiet_verse: float
    percussion: tuple[str, ...]
    breakdown_energy: float
    roll: tuple[int, ...]
    roll_velocity: tuple[float, float]
    sweep: tuple[int, int]


@cache
def performance() -> Performance:
    """The performance table (rules/performance.toml).

    Raises:
        GrammarError: a key is missing or out of range, naming the file and the key.

    """
    raw = data.load("rules", "performance")
    w = _WHERE

    def num(key: str) -> float:
        return float(data.require(raw, key, float, where=w))

    def ints(key: str, count: int | None = None) -> tuple[int, ...]:
        values = data.require(raw, key, list, where=w)
        if not values or (count and len(values) != count) or not all(isinstance(v, int) and v > 0 for v in values):
            raise GrammarError(f"{w}: key '{key}' must be a list of {count or 'some'} positive integers, got {values!r}")
        return tuple(values)

    metrical = tuple(float(v) for v in data.require(raw, "accent.metrical", list, where=w))
    if len(metrical) != 5:
        raise GrammarError(f"{w}: key 'accent.metrical' must give a factor for each metrical weight 0..4")
    kit = set(data.require(data.load("rules", "drums"), "notes", dict, where="rules/drums.toml"))
    percussion = tuple(data.require(raw, "lift.percussion", list, where=w))
    if not set(percussion) <= kit:
        raise GrammarError(f"{w}: key 'lift.percussion' names drums missing from rules/drums.toml [notes]")
    sweep = ints("build.sweep", 2)
    velocity = ints("build.roll_velocity", 2)
    if max(sweep) > 127 or max(velocity) > 127:
        raise GrammarError(f"{w}: keys 'build.sweep' and 'build.roll_velocity' must be 1..127")
    return Performance(
        level_floor=num("level.floor"), level_span=num("level.span"), level_vibe=num("level.vibe"),
        expression_low=data.require(raw, "expression.low", int, where=w), metrical=metrical,
        bass=num("accent.bass"), vocal_stressed=num("accent.vocal_stressed"),
        vocal_unstressed=num("accent.vocal_unstressed"), vocal_spread=data.require(raw, "accent.vocal_spread", int, where=w),
        comp_accent=num("accent.comp_accent"), comp_hit=num("accent.comp_hit"), comp_density=num("accent.comp_density"),
        pad=num("accent.pad"), fill=num("accent.fill"), hook=num("accent.hook"), strum_decay=num("strum.decay"),
        pad_density=num("density.pad"), lead_density=num("density.lead"), quiet_verse=num("density.quiet_verse"),
        percussion=percussion, breakdown_energy=num("lift.breakdown_energy"), roll=ints("build.roll"),
        roll_velocity=(float(velocity[0]), float(velocity[1])), sweep=(sweep[0], sweep[1]),
    )
