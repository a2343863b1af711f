"""Vibes: moods as data (rules/vibes.toml), read and checked once.

>>> v = vibe("chill")
>>> 0.0 <= v.tempo <= 1.0, v.modes["major"] > 0
(True, True)
>>> vibe_ids()[:3]
('upbeat', 'romantic', 'nostalgic')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Mapping

from . import data
from .errors import GrammarError
from .theory import MODES, mode_info

__all__ = ["Vibe", "vibe", "vibe_ids", "COLOURS", "mode_weights"]

COLOURS = ("plain", "sevenths", "add9", "sus")
_WHERE = "rules/vibes.toml"


@dataclass(frozen=True, slots=True)
class Vibe:
    """One vibe; see rules/vibes.toml for the meaning of each field."""

    id: str
    description: str
    tempo: float
    modes: Mapping[str, float]
    register: int
    density: float
    dynamics: float
    colour: str
    swing: float = 0.0


def _unit(table: dict, key: str, where: str) -> float:
    value = data.require(table, key, float, where=where)
    if not 0.0 <= value <= 1.0:
        raise GrammarError(f"{where}: key '{key}' must be 0..1, got {value}")
    return value


@cache
def _vibes() -> dict[str, Vibe]:
    raw = data.load("rules", "vibes")
    out: dict[str, Vibe] = {}
    for vid, t in raw.items():
        if vid == "sentiment":
            continue
        if not isinstance(t, dict):
            raise GrammarError(f"{_WHERE}: key '{vid}' must be a table")
        where = f"{_WHERE} [{vid}]"
        modes = data.require(t, "modes", dict, where=where)
        for mode, weight in modes.items():
            if mode not in MODES or isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
                raise GrammarError(f"{_WHERE}: key '{vid}.modes.{mode}' must be a mode of {MODES} with a weight >= 0")
        colour = data.require(t, "colour", str, where=where)
        if colour not in COLOURS:
            raise GrammarError(f"{_WHERE}: key '{vid}.colour' must be one of {COLOURS}, got {colour!r}")
        out[vid] = Vibe(
            id=vid,
            description=data.require(t, "description", str, where=where),
            tempo=_unit(t, "tempo", where),
            modes=MappingProxyType({m: float(modes.get(m, 0.0)) for m in MODES}),
            register=data.require(t, "register", int, where=where),
            density=_unit(t, "density", where),
            dynamics=_unit(t, "dynamics", where),
            colour=colour,
            swing=data.optional(t, "swing", float, 0.0, where=where),
        )
    return out


def vibe_ids() -> tuple[str, ...]:
    """The vibe ids, in the file's order (the CLI's choices)."""
    return tuple(_vibes())


def vibe(vibe_id: str) -> Vibe:
    """The vibe named ``vibe_id``.

    Raises:
        GrammarError: unknown id (the CLI checks choices before this).
    """
    try:
        return _vibes()[vibe_id]
    except KeyError as err:
        raise GrammarError(f"{_WHERE}: no vibe {vibe_id!r}") from err


def mode_weights(v: Vibe, compound: float) -> dict[str, float]:
    """The vibe's mode weights nudged by the message's sentiment.

    >>> w = mode_weights(vibe("bittersweet"), 0.9)
    >>> w["major"] > vibe("bittersweet").modes["major"]
    True
    """
    rules = data.load("rules", "vibes").get("sentiment", {})
    where = f"{_WHERE} [sentiment]"
    boost = data.require(rules, "boost", float, where=where)
    weights = dict(v.modes)
    if compound > data.require(rules, "positive_above", float, where=where):
        for mode in (m for m in MODES if mode_info(m).family == "major"):
            weights[mode] *= boost
    elif compound < data.require(rules, "negative_below", float, where=where):
        for mode in (m for m in MODES if mode_info(m).family == "minor"):
            weights[mode] *= boost
    return weights
