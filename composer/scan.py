"""The scan stage: each lyric line becomes a rhythm, one onset per syllable.

Scansion is solved as an optimisation: dynamic programming over syllables x
grid positions (:func:`scan_line_dp`, compiled with numba) finds the
placement with the least cost, where the costs (rules/scansion.toml) put
stressed syllables on strong beats, unstressed syllables and function words
off them, allow pickups before a line that starts weak, lengthen the last
note of a phrase, and rest at punctuation. Note lengths come from the genre's
rhythmic vocabulary. It works in 4/4, 3/4 and 6/8.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from .jit import njit

from . import data
from .errors import GrammarError
from .grammar import Genre
from .model import PPQ, LyricLine, Lyrics, Onset, Plan

__all__ = ["scan", "scan_line", "scan_line_dp", "metrical_weights"]

SIXTEENTH = PPQ // 4
_WHERE = "rules/scansion.toml"
_INF = 1e18


@dataclass(frozen=True, slots=True)
class _Costs:
    stressed_weak: float
    unstressed_strong: float
    word_stress_order: float
    rest_in_phrase: float
    rest_at_pause: float
    late_start: float
    pickup: float
    end_short: float
    breath: int


@cache
def _costs() -> _Costs:
    table = data.require(data.load("rules", "scansion"), "costs", dict, where=_WHERE)
    where = f"{_WHERE} [costs]"
    return _Costs(
        **{name: data.require(table, name, float, where=where) for name in _Costs.__slots__ if name != "breath"},
        breath=data.require(table, "breath", int, where=where),
    )


@cache
def metrical_weights(meter: tuple[int, int]) -> tuple[int, ...]:
    """The metrical weight of each sixteenth of a bar (rules/scansion.toml).

    >>> metrical_weights((3, 4))
    (4, 0, 1, 0, 2, 0, 1, 0, 2, 0, 1, 0)
    """
    name = f"{meter[0]}/{meter[1]}"
    weights = data.require(data.load("rules", "scansion"), f"weights.{name}", list, where=_WHERE)
    if len(weights) != meter[0] * 16 // meter[1]:
        raise GrammarError(f"{_WHERE}: key 'weights.{name}' must have one weight per sixteenth of a bar")
    return tuple(int(w) for w in weights)


@njit(cache=True)
def scan_line_dp(
    stress: np.ndarray,
    same_word_next: np.ndarray,
    pause: np.ndarray,
    weight: np.ndarray,
    dur_cost: np.ndarray,
    pickup_steps: int,
    end_step: int,
    params: np.ndarray,
) -> np.ndarray:
    """Place syllables on grid positions at least cost.

    Args:
        stress: (n,) 1 primary, 2 secondary, 0 unstressed (function words are 0).
        same_word_next: (n,) 1 when syllable i+1 belongs to the same word.
        pause: (n,) the punctuation after syllable i: 0, 1 comma, 2 full stop.
        weight: (P,) metrical weight of each grid position, the first
            ``pickup_steps`` of them lying before the line's first bar.
        dur_cost: (D,) cost of a note of d grid steps (index d); >= 1e17 where
            the genre never uses that length.
        pickup_steps: positions before the line's first bar.
        end_step: the first position the line must leave free (its breath).
        params: the costs of rules/scansion.toml in :class:`_Costs` order.

    Returns:
        (n,) positions (indices into ``weight``), or all -1 when nothing fits.
    """
    n = stress.shape[0]
    positions = weight.shape[0]
    stressed_weak, unstressed_strong, order, rest_phrase, rest_pause, late, pickup, end_short = (
        params[0], params[1], params[2], params[3], params[4], params[5], params[6], params[7])
    max_d = dur_cost.shape[0] - 1
    cost = np.full((n, positions), 1e18)
    back = np.full((n, positions), -1, dtype=np.int64)

    for p in range(positions):
        w = weight[p]
        if stress[0] == 0:
            c = unstressed_strong * max(0.0, w - 1.0)
        else:
            c = stressed_weak * max(0.0, 2.0 - w) + 0.3 * (4.0 - w)
        if p < pickup_steps:
            if stress[0] != 0:
                continue
            c += pickup * (pickup_steps - p)
        else:
            c += late * (p - pickup_steps) * (1.0 if stress[0] != 0 else 0.5)
        cost[0, p] = c

    for i in range(1, n):
        for p in range(1, min(positions, end_step)):
            w = weight[p]
            if stress[i] == 0:
                own = unstressed_strong * max(0.0, w - 1.0)
            elif stress[i] == 2:  # secondary stress: a beat is fine, the strongest beats go to primaries
                own = 0.5 * unstressed_strong * max(0.0, w - 2.0)
            else:
                own = stressed_weak * max(0.0, 2.0 - w) + 0.3 * (4.0 - w)
            best = 1e18
            arg = -1
            lo = max(0, p - 2 * max_d)
            for q in range(lo, p):
                if cost[i - 1, q] >= 1e17:
                    continue
                gap = p - q
                if gap <= max_d and dur_cost[gap] < 1e17:
                    move = dur_cost[gap]
                    if pause[i - 1] > 0:
                        move += 0.5  # a phrase break without a breath
                elif same_word_next[i - 1] == 1:
                    continue  # never rest inside a word
                else:
                    # a rest after the note: the note takes the longest usable length
                    note = 0.0
                    for d in range(min(gap - 1, max_d), 0, -1):
                        if dur_cost[d] < 1e17:
                            note = dur_cost[d]
                            break
                    else_cost = rest_pause if pause[i - 1] > 0 else rest_phrase
                    move = note + else_cost + 0.2 * (gap - 1)
                if same_word_next[i - 1] == 1:
                    wq = weight[q]
                    if stress[i] == 1 and stress[i - 1] != 1 and wq > w:
                        move += order
                    if stress[i - 1] == 1 and stress[i] != 1 and w > wq:
                        move += order
                total = cost[i - 1, q] + move
                if total < best:
                    best = total
                    arg = q
            if arg >= 0:
                cost[i, p] = best + own
                back[i, p] = arg

    out = np.full(n, -1, dtype=np.int64)
    best = 1e18
    last = -1
    for p in range(min(positions, end_step)):
        if cost[n - 1, p] >= 1e17:
            continue
        tail = end_step - p
        c = cost[n - 1, p]
        if tail < 2:
            c += end_short
        if tail > 2 * max_d:
            c += 0.5 * (tail - 2 * max_d)
        if c < best:
            best = c
            last = p
    if last < 0:
        return out
    out[n - 1] = last
    for i in range(n - 1, 0, -1):
        out[i - 1] = back[i, out[i]]
    return out


def _syllable_table(line: LyricLine) -> list[tuple[str, str, bool, int, int, bool]]:
    """(syllable, word, continues, stress, pause, first) for each syllable of a line."""
    rows = []
    for word in line.words:
        count = len(word.syllables)
        for j, (syl, st) in enumerate(zip(word.syllables, word.stresses)):
            stress = 0 if word.function else int(st)
            if count == 1 and not word.function:
                stress = 1
            rows.append((syl, word.text, j < count - 1, stress, word.pause_after if j == count - 1 else 0, j == 0))
    return rows


def scan_line(line: LyricLine, *, start: int, bars: int, plan: Plan, genre: Genre,
              line_index: int, section: int) -> tuple[Onset, ...]:
    """Place one line's syllables in the ``bars`` bars that begin at tick ``start``."""
    costs = _costs()
    params = np.array([getattr(costs, n) for n in _Costs.__slots__ if n != "breath"], dtype=np.float64)
    rows = _syllable_table(line)
    stress = np.array([r[3] for r in rows], dtype=np.int64)
    same = np.array([1 if r[2] else 0 for r in rows], dtype=np.int64)
    pause = np.array([r[4] for r in rows], dtype=np.int64)
    bar_weights = metrical_weights(plan.meter)
    bar16 = len(bar_weights)
    for grid in sorted({genre.grid, 1}, reverse=True):
        per_bar = bar16 // grid
        pickup_steps = max(1, costs.breath * 2 // grid)
        total = pickup_steps + per_bar * bars
        weight = np.array(
            [bar_weights[((p - pickup_steps) * grid) % bar16] for p in range(total)], dtype=np.float64
        )
        max_d = max(genre.durations) // grid + 1
        dur_cost = np.full(max_d + 1, 1e18)
        total_w = sum(genre.durations.values())
        for sixteenths, w in genre.durations.items():
            if sixteenths % grid == 0 and w > 0:
                dur_cost[sixteenths // grid] = -np.log(w / total_w)
        if grid == 1:  # the fallback grid: any length up to the longest is allowed
            for d in range(1, max_d + 1):
                dur_cost[d] = min(dur_cost[d], 4.0)
        end_step = total - costs.breath * 2 // grid
        placed = scan_line_dp(stress, same, pause, weight, dur_cost, pickup_steps, end_step, params)
        if placed[0] >= 0:
            break
    else:
        raise GrammarError(
            f"grammars/{genre.id}.toml: a line of {len(rows)} syllables does not fit {bars} bars "
            f"with the rhythms in 'melody.durations'"
        )
    step = grid * SIXTEENTH
    ticks = [start + (int(p) - pickup_steps) * step for p in placed]
    end_tick = start + (end_step - pickup_steps) * step
    allowed = sorted(d * SIXTEENTH for d in genre.durations)
    onsets = []
    for i, (syl, word, continues, st, _pause, first) in enumerate(rows):
        nxt = ticks[i + 1] if i + 1 < len(rows) else end_tick
        gap = nxt - ticks[i]
        dur = gap if (gap in allowed or continues or i + 1 == len(rows)) else max(
            [d for d in allowed if d < gap], default=gap)
        onsets.append(Onset(start=ticks[i], dur=dur, syllable=syl, word=word, continues=continues,
                            stress=st, line=line_index, section=section, first_in_word=first))
    return tuple(onsets)


def scan(lyrics: Lyrics, plan: Plan, genre: Genre) -> tuple[Onset, ...]:
    """Rhythms for every sung line of the song, in time order.

    A line sung again (every chorus) gets the same rhythm each time.
    """
    out: list[Onset] = []
    line_index = 0
    memo: dict[tuple[str, int], tuple[Onset, ...]] = {}
    for s_index, section in enumerate(plan.sections):
        if section.lyric < 0:
            continue
        tick = section.start
        for line, bars in zip(lyrics.sections[section.lyric].lines, section.line_bars):
            key = (line.text, bars)
            if key not in memo:
                memo[key] = scan_line(line, start=0, bars=bars, plan=plan, genre=genre, line_index=0, section=0)
            out.extend(
                Onset(start=o.start + tick, dur=o.dur, syllable=o.syllable, word=o.word, continues=o.continues,
                      stress=o.stress, line=line_index, section=s_index, first_in_word=o.first_in_word)
                for o in memo[key]
            )
            tick += bars * plan.bar_ticks
            line_index += 1
    # a pickup may reach back into the previous line's last note: shorten that note
    fixed = list(out)
    for i in range(len(fixed) - 1):
        end = fixed[i].start + fixed[i].dur
        if end > fixed[i + 1].start:
            o = fixed[i]
            fixed[i] = Onset(start=o.start, dur=max(SIXTEENTH, fixed[i + 1].start - o.start), syllable=o.syllable,
                             word=o.word, continues=o.continues, stress=o.stress, line=o.line,
                             section=o.section, first_in_word=o.first_in_word)
    return tuple(fixed)
