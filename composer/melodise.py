"""The melodise stage: a pitch for every sung syllable.

For each lyric line many candidate phrases are drawn (a scale-step random walk
that leans into an arch and lands on chord tones on strong beats) and scored
by the rules in rules/melody.toml: chord tones on strong beats, steps over
leaps with leaps recovered, an arch, a singable span, stable phrase ends and
a final cadence to the tonic. The best candidate is kept, so quality comes
from search rather than luck. Both kernels are compiled with numba.

Repetition makes a song: every chorus sings the same melody, verse 2 echoes
verse 1 (exactly where its rhythm matches, closely where it does not), and
the third line of a section echoes the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from .jit import njit

from . import data
from .grammar import Genre
from .harmonise import chord_index_at
from .model import Chord, Onset, Plan, VocalNote
from .scan import SIXTEENTH, metrical_weights
from .theory import scale_pitch_classes
from .vibes import Vibe

__all__ = ["melodise", "best_phrase"]

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


@njit(cache=True)
def _score(p: np.ndarray, weight: np.ndarray, chord: np.ndarray, stress: np.ndarray, stable: np.ndarray,
           tonic: int, final: bool, target: float, ref: np.ndarray, prev: int, c: np.ndarray) -> float:
    n = p.shape[0]
    cost = 0.0
    run = 1
    top = 0
    lo = p[0]
    hi = p[0]
    total = 0.0
    for i in range(n):
        pc = p[i] % 12
        if chord[i, pc] == 0:
            cost += c[0] if weight[i] >= 2 else c[1]
        total += p[i]
        if p[i] > p[top]:
            top = i
        lo = min(lo, p[i])
        hi = max(hi, p[i])
        if i > 0:
            move = abs(p[i] - p[i - 1])
            if move > 5:
                cost += c[2] * (move - 5)
            elif move > 2:
                cost += c[12]
            if move > 4:
                if i + 1 < n:
                    back = p[i + 1] - p[i]
                    if (p[i] - p[i - 1]) * back >= 0 or abs(back) > 2:
                        cost += c[3]
            if p[i] == p[i - 1]:
                run += 1
                if run >= 3:
                    cost += c[4]
            else:
                run = 1
        if stress[i] == 1 and 0 < i < n - 1 and p[i] < p[i - 1] and p[i] < p[i + 1]:
            cost += c[9]
    if n >= 4:
        frac = top / (n - 1)
        if frac < 0.25 or frac > 0.8:
            cost += c[5] * 4.0
        cost += c[5] * max(0.0, 2.0 - (p[top] - p[0]))
        cost += c[5] * max(0.0, 2.0 - (p[top] - p[n - 1]))
    if hi - lo > 9:
        cost += c[6] * (hi - lo - 9)
    if stable[p[n - 1] % 12] == 0:
        cost += c[7]
    if final and p[n - 1] % 12 != tonic:
        cost += c[8]
    cost += c[10] * abs(total / n - target)
    if ref[0] >= 0:
        m = ref.shape[0]
        acc = 0.0
        for i in range(n):
            j = (i * m) // n if n > 1 else 0
            acc += abs(p[i] - ref[j])
        cost += c[11] * acc / n
    if prev >= 0 and abs(p[0] - prev) > 7:
        cost += c[2] * (abs(p[0] - prev) - 7)
    return cost


@njit(cache=True)
def best_phrase(scale: np.ndarray, weight: np.ndarray, chord: np.ndarray, stress: np.ndarray,
                stable: np.ndarray, tonic: int, final: bool, target: float, ref: np.ndarray, prev: int,
                costs: np.ndarray, step_weights: np.ndarray, candidates: int, seed: int) -> np.ndarray:
    """Draw ``candidates`` phrases over ``scale`` (sorted MIDI pitches) and return the best.

    Args:
        scale: the scale's MIDI pitches inside the singable range, ascending.
        weight: (n,) metrical weight of each note's onset.
        chord: (n, 12) 1 where a pitch class sounds in the chord under the note.
        stress: (n,) syllable stress (1 primary).
        stable: (12,) 1 for pitch classes a phrase may end on.
        target: the mean pitch the phrase should sit around.
        ref: a melody to echo, or [-1] for none.
        prev: the previous phrase's last pitch, or -1.
        costs: the costs of rules/melody.toml, in order.
        step_weights: chance of moving 0, 1, 2... scale steps.
        seed: seeds numba's generator, so the same song comes out each time.
    """
    np.random.seed(seed)
    n = weight.shape[0]
    m = scale.shape[0]
    cum = np.cumsum(step_weights)
    cum = cum / cum[-1]
    best = np.empty(n, dtype=np.int64)
    best_cost = 1e18
    cand = np.empty(n, dtype=np.int64)
    centre = 0
    for k in range(m):
        if abs(scale[k] - target) < abs(scale[centre] - target):
            centre = k
    for trial in range(candidates):
        if ref[0] >= 0 and trial % 4 == 0:
            idx = 0
            for k in range(m):
                if abs(scale[k] - ref[0]) < abs(scale[idx] - ref[0]):
                    idx = k
        else:
            idx = centre + np.random.randint(-3, 3)
        idx = min(max(idx, 0), m - 1)
        peak_at = 0.35 + 0.35 * np.random.random()
        for i in range(n):
            if i > 0:
                r = np.random.random()
                size = 0
                while size < cum.shape[0] - 1 and r > cum[size]:
                    size += 1
                up = 0.62 if i / n < peak_at else 0.38
                if ref[0] >= 0 and trial % 2 == 0:
                    j = (i * ref.shape[0]) // n
                    jp = ((i - 1) * ref.shape[0]) // n
                    up = 0.85 if ref[j] > ref[jp] else (0.15 if ref[j] < ref[jp] else 0.5)
                    if ref[j] == ref[jp] and np.random.random() < 0.6:
                        size = 0
                idx += size if np.random.random() < up else -size
                idx = min(max(idx, 0), m - 1)
            if weight[i] >= 2 or i == n - 1:
                if chord[i, scale[idx] % 12] == 0 or (i == n - 1 and stable[scale[idx] % 12] == 0):
                    for d in (1, -1, 2, -2, 3, -3):
                        j = idx + d
                        if 0 <= j < m and chord[i, scale[j] % 12] == 1 and (i < n - 1 or stable[scale[j] % 12] == 1):
                            idx = j
                            break
            if i == n - 1 and final:
                for d in (0, 1, -1, 2, -2, 3, -3, 4, -4):
                    j = idx + d
                    if 0 <= j < m and scale[j] % 12 == tonic:
                        idx = j
                        break
            cand[i] = scale[idx]
        c = _score(cand, weight, chord, stress, stable, tonic, final, target, ref, prev, costs)
        if c < best_cost:
            best_cost = c
            best[:] = cand
    return best


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
        chord = np.zeros((n, 12), dtype=np.int64)
        for i, o in enumerate(group):
            for pc in chords[chord_index_at(chords, o.start)].pitches:
                chord[i, pc] = 1
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
            pitches = best_phrase(scale, weight, chord, stress, stable, plan.tonic, final, target, ref, prev,
                                  costs, steps, rules.candidates, seed)
            memo.setdefault(key, pitches)
        if pos == 0:
            firsts[section] = pitches
        out.extend(VocalNote(onset=o, pitch=int(p)) for o, p in zip(group, pitches))
        prev = int(pitches[-1])
    return tuple(out)
