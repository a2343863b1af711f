"""The harmonise stage: a chord progression per section from the genre's chains.

Chords are sampled from the genre's Markov chain for the section kind, under
constraints: every lyric line ends on a phrase cadence and every section on
its own cadence. :func:`composer.kernels.sample_chain` draws exactly from the chain
conditioned on those constraints (a backward pass counts the ways to reach
an allowed ending, a forward pass samples), compiled with numba.

Every chorus plays the same progression and verse 2 repeats verse 1's, as
songs do.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import cache
from typing import Mapping

import numpy as np

from . import data
from .aot import kernels
from .errors import GrammarError
from .grammar import INSTRUMENTAL_KINDS, Chain, Genre
from .model import Chord, Plan, SectionPlan
from .theory import MODES, chord_root_name, mode_info, parse_roman, scale_pitch_classes, uses_flats
from .vibes import Vibe

__all__ = ["harmonise", "chord_index_at"]

_WHERE = "rules/harmony.toml"
_CHAIN_FOR = {"intro": "chorus", "verse": "verse", "prechorus": "bridge", "chorus": "chorus",
              "bridge": "bridge", "outro": "chorus", "build": "chorus", "drop": "chorus", "solo": "chorus"}


def chord_index_at(chords: tuple[Chord, ...], tick: int) -> int:
    """The index of the chord sounding at ``tick`` (the first chord before the song starts).

    >>> chords = (Chord(0, 960, "I", "C", "", 0, (0, 4, 7)), Chord(960, 960, "V", "G", "", 7, (7, 11, 2)))
    >>> chord_index_at(chords, 959), chord_index_at(chords, 960)
    (0, 1)
    """
    return max(0, bisect_right([c.start for c in chords], tick) - 1)


def _mode_rules(mode: str) -> tuple[str, dict[str, str], dict[str, str], float]:
    """(family, substitutions, cadence substitutions, their probability) of a mode."""
    return _all_mode_rules()[mode]


@cache
def _all_mode_rules() -> dict[str, tuple[str, dict[str, str], dict[str, str], float]]:
    """Every mode's rules, checked together the first time any is needed (a missing mode is found at once)."""
    return {mode: _read_mode_rules(mode) for mode in MODES}


def _read_mode_rules(mode: str) -> tuple[str, dict[str, str], dict[str, str], float]:
    rules = data.load("rules", "harmony")
    where = f"{_WHERE} [modes.{mode}]"
    table = data.require(rules, f"modes.{mode}", dict, where=_WHERE)
    substitute = dict(data.require(table, "substitute", dict, where=where))
    cadence = dict(data.optional(table, "cadence_substitute", dict, {}, where=where))
    for roman in (*substitute.values(), *cadence.values()):
        try:
            parse_roman(roman)
        except ValueError as err:
            raise GrammarError(f"{_WHERE}: key 'modes.{mode}': {err}") from err
    probability = data.optional(table, "cadence_probability", float, 0.0, where=where)
    return mode_info(mode).family, substitute, cadence, probability


@cache
def _colour(colour: str) -> tuple[float, dict[str, str]]:
    rules = data.load("rules", "harmony")
    table = data.require(rules, f"colours.{colour}", dict, where=_WHERE)
    where = f"{_WHERE} [colours.{colour}]"
    mapping = dict(data.require(table, "map", dict, where=where))
    for source, target in mapping.items():
        try:
            parse_roman(source)
            parse_roman(target)
        except ValueError as err:
            raise GrammarError(f"{_WHERE}: key 'colours.{colour}.map.{source}': {err}") from err
    return data.require(table, "probability", float, where=where), mapping


def _masks(chain: Chain, section: SectionPlan, slots_per_bar: int, cadences: Mapping[str, tuple[str, ...]], final: bool) -> np.ndarray:
    slots = section.bars * slots_per_bar
    masks = np.ones((slots, len(chain.states)))
    line_ends = []
    bar = 0
    for bars in section.line_bars or (2,) * (section.bars // 2):
        bar += bars
        line_ends.append(bar * slots_per_bar - 1)
    for end in line_ends[:-1]:
        allowed = set(cadences["phrase"])
        masks[end] = [1.0 if s in allowed else 0.0 for s in chain.states]
    end_key = "outro" if final else section.kind if section.kind in cadences else "phrase"
    allowed = set(cadences[end_key])
    masks[slots - 1] = [1.0 if s in allowed else 0.0 for s in chain.states]
    return masks


def _fits(coloured: str, plain: str, plan: Plan) -> bool:
    """True when the notes a colour adds to ``plain`` are in the song's mode.

    A seventh or ninth colours a chord only within the scale: in C mixolydian
    I stays C rather than Cmaj7 (B is not in the mode), in D dorian IV stays G
    rather than Gmaj7. The chord's own tones (a minor key's leading tone in V)
    are not judged.
    """
    scale = set(scale_pitch_classes(plan.tonic, plan.mode))
    own = {i % 12 for i in parse_roman(plain).intervals}
    base = parse_roman(coloured)
    return all((plan.tonic + base.degree + i) % 12 in scale for i in base.intervals if i % 12 not in own)


def _realise(roman: str, plan: Plan, substitute: dict[str, str], colour: tuple[float, dict[str, str]],
             rng: np.random.Generator, *, plain: bool = False,
             shift: int = 0) -> tuple[str, str, str, int, tuple[int, ...]]:
    roman = substitute.get(roman, roman)
    probability, mapping = colour
    if roman in mapping and rng.random() < probability and not plain and _fits(mapping[roman], roman, plan):
        roman = mapping[roman]
    parsed = parse_roman(roman)
    tonic = (plan.tonic + shift) % 12  # a lifted section's key
    root = (tonic + parsed.degree) % 12
    pitches = tuple(dict.fromkeys((root + i) % 12 for i in parsed.intervals))
    name = chord_root_name(parsed, tonic=tonic, flats=uses_flats(tonic, plan.mode))
    return roman, name, parsed.suffix, root, pitches


def harmonise(plan: Plan, genre: Genre, vibe: Vibe, *, rng: np.random.Generator) -> tuple[Chord, ...]:
    """The chord progression of the whole song, section by section.

    The intro (and a build, a drop or a solo) plays the chorus's opening bars
    and the outro its closing bars (ending on the plain tonic), so all are
    built from the song's own material. A lifted section (``shift``) plays
    its chords in the lifted key.

    Raises:
        GrammarError: a section's constraints cannot be met by the genre's chain
            (the grammar's cadences and moves do not fit together).
    """
    family, substitute, cadence_swap, cadence_probability = _mode_rules(plan.mode)
    colour = _colour(vibe.colour)
    cadences = genre.cadences[family]
    slots_per_bar = genre.chords_per_bar
    slot = plan.bar_ticks // slots_per_bar
    romans_of: dict[tuple[str, tuple[int, ...], int, bool], list[str]] = {}

    def sample(section: SectionPlan, final: bool) -> list[str]:
        key = (section.kind, section.line_bars, section.bars, final)
        if key not in romans_of:
            chain = genre.chains[family][_CHAIN_FOR[section.kind]]
            start = np.array(chain.start, dtype=np.float64)
            matrix = np.array(chain.matrix, dtype=np.float64)
            matrix /= matrix.sum(axis=1, keepdims=True)
            masks = _masks(chain, section, slots_per_bar, cadences, final)
            states = kernels().sample_chain(start, matrix, masks, rng.random(len(masks)))
            if states[0] < 0:
                raise GrammarError(
                    f"grammars/{genre.id}.toml: the {family} {_CHAIN_FOR[section.kind]} chain cannot reach "
                    f"the cadences asked for a {section.bars}-bar {section.kind}"
                )
            romans = [chain.states[s] for s in states]
            for t in range(len(masks)):
                if masks[t].sum() < len(chain.states) and romans[t] in cadence_swap and rng.random() < cadence_probability:
                    romans[t] = cadence_swap[romans[t]]
            romans_of[key] = romans
        return romans_of[key]

    chorus = next((s for s in plan.sections if s.kind == "chorus"), None)
    chorus_romans = sample(chorus, False) if chorus is not None else []
    realised: dict[tuple, list[tuple[str, str, str, int, tuple[int, ...]]]] = {}
    chords: list[Chord] = []
    for index, section in enumerate(plan.sections):
        final = index == len(plan.sections) - 1
        slots = section.bars * slots_per_bar
        if section.kind in INSTRUMENTAL_KINDS and chorus_romans:
            n = len(chorus_romans)  # the chorus's opening (or closing) bars, round again if the section is longer
            shift = -slots if section.kind == "outro" else 0
            romans = [chorus_romans[(shift + i) % n] for i in range(slots)]
            if final and romans[-1] not in cadences["outro"]:  # a looping chorus still ends the song at home
                romans[-1] = cadences["outro"][0]
            key: tuple = (section.kind, slots, final, section.shift)
        else:
            romans = sample(section, final)
            key = (section.kind, section.line_bars, section.bars, final, section.shift)
        if final and len(romans) >= slots_per_bar:  # the whole last bar rests on the tonic, bass and chord
            romans = romans[:-slots_per_bar] + [romans[-1]] * slots_per_bar
        if key not in realised:
            realised[key] = [
                _realise(roman, plan, substitute, colour, rng, plain=final and t >= len(romans) - slots_per_bar,
                         shift=section.shift)
                for t, roman in enumerate(romans)
            ]
        merged: list[list] = []
        for i, (roman, name, quality, root, pitches) in enumerate(realised[key]):
            begin = section.start + i * slot
            if merged and merged[-1][2] == roman:  # the same chord again: hold it
                merged[-1][1] += slot
                continue
            merged.append([begin, slot, roman, name, quality, root, pitches])
        chords.extend(
            Chord(start=b, dur=d, roman=r, root_name=n, quality=q, root=root, pitches=p, section=index)
            for b, d, r, n, q, root, p in merged
        )
    return tuple(chords)
