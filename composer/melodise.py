"""The melodise stage: a pitch for every sung syllable.

For each lyric line many candidate phrases are drawn (a scale-step random walk
that leans into an arch and lands on chord tones on strong beats) and scored
by the rules in rules/melody.toml: chord tones on strong beats, steps over
leaps with leaps recovered, an arch, a singable span, stable phrase ends and
a final cadence to the tonic. The best candidate is kept, so quality comes
from search rather than luck. The search and its scoring are numba kernels
(:func:`composer.kernels.best_phrase`).

Repetition makes a song: every chorus sings the same melody, verse 2 echoes
verse 1 (exactly where its rhythm matches, closely where it does not), and
the third line of a section echoes the first. A section lifted into a new
key (``SectionPlan.shift``) sings its melody a step up.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from . import data
from .aot import kernels
from .grammar import Genre
from .harmonise import chord_index_at
from .model import Chord, Onset, Plan, VocalNote
from .scan import SIXTEENTH, metrical_weights
from .theory import scale_pitch_classes
from .vibes import Vibe

__all__ = ["melodise"]

_WHERE = "rules/melody.toml"
_COST_NAMES = ("non_chord_strong", "non_chord_weak", "leap", "unrecovered_leap", "repeat_run", "arch", "span",
               "unstable_end", "final_not_tonic", "stressed_low", "tessitura", "reference", "skip")


@dataclass(frozen=True, slots=True)
class _Rules:
    candidates: int
    step_weights: tuple[float, ...]
    costs: tuple[float, ...]
    tessitura: dict[str, float]


@cache
def _rules() -> _Rules:
    raw = data.load("rules", "melody")
    costs = data.require(raw, "costs", dict, where=_WHERE)
    steps = data.require(raw, "search.step_weights", list, where=_WHERE)
    return _Rules(
        candidates=data.require(raw, "search.candidates", int, where=_WHERE),
        step_weights=tuple(float(s) for s in steps),
        costs=tuple(data.require(costs, n, float, where=f"{_WHERE} [costs]") for n in _COST_NAMES),
        tessitura={k: float(v) for k, v in data.require(raw, "tessitura", dict, where=_WHERE).items()},
    )


def melodise(onsets: tuple[Onset, ...], chords: tuple[Chord, ...], plan: Plan, genre: Genre, vibe: Vibe,
             *, rng: np.random.Generator) -> tuple[VocalNote, ...]:
    """Give every onset a pitch; see the module docstring for how."""
    rules = _rules()
    costs = np.array(rules.costs, dtype=np.float64)
    steps = np.array(rules.step_weights, dtype=np.float64)
    low = genre.register[0] + vibe.register
    high = genre.register[1] + vibe.register
    pcs = scale_pitch_classes(plan.tonic, plan.mode)
    scale = np.array([p for p in range(low, high + 1) if p % 12 in pcs], dtype=np.int64)
    stable = np.zeros(12, dtype=np.int64)
    for degree in (0, 2, 4):
        stable[pcs[degree]] = 1
    bar_weights = metrical_weights(plan.meter)
    bar16 = len(bar_weights)

    lines: dict[int, list[Onset]] = {}
    for o in onsets:
        lines.setdefault(o.line, []).append(o)
    last_line = max(lines, default=-1)
    sections = plan.sections
    memo: dict[tuple, np.ndarray] = {}  # (section kind, line in section, syllables) -> pitches
    firsts: dict[int, np.ndarray] = {}  # section index -> its first line's melody
    out: list[VocalNote] = []
    prev = -1
    line_in_section: dict[int, int] = {}
    for line_no in sorted(lines):
        group = lines[line_no]
        section = group[0].section
        kind = sections[section].kind
        pos = line_in_section.get(section, 0)
        line_in_section[section] = pos + 1
        n = len(group)
        weight = np.array([bar_weights[((o.start - sections[section].start) // SIXTEENTH) % bar16] for o in group],
                          dtype=np.float64)
        lift = sections[section].shift  # a lifted section is sung as written, then moved up
        chord = np.zeros((n, 12), dtype=np.int64)
        for i, o in enumerate(group):
            for pc in chords[chord_index_at(chords, o.start)].pitches:
                chord[i, (pc - lift) % 12] = 1
        stress = np.array([o.stress for o in group], dtype=np.int64)
        final = line_no == last_line
        rhythm = tuple((o.start - sections[section].start, o.dur, o.stress) for o in group)
        key = (kind, pos, rhythm)
        ref = np.array([-1], dtype=np.int64)
        same_kind_done = [k for k in memo if k[0] == kind and k[1] == pos]
        if key in memo and not final:
            pitches = memo[key]
        else:
            if same_kind_done:
                ref = memo[same_kind_done[0]]
            elif pos == 2 and section in firsts:
                ref = firsts[section]
            target = low + rules.tessitura.get(kind, 6.0)
            seed = int(rng.integers(0, 2**31 - 1))
            pitches = kernels().best_phrase(scale, weight, chord, stress, stable, plan.tonic, final, target, ref, prev,
                                  costs, steps, rules.candidates, seed)
            memo.setdefault(key, pitches)
        if pos == 0:
            firsts[section] = pitches
        out.extend(VocalNote(onset=o, pitch=int(p) + lift) for o, p in zip(group, pitches))
        prev = int(pitches[-1])
    return tuple(out)
