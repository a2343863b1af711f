"""The scan stage: each lyric line becomes a rhythm, one onset per syllable.

Scansion is solved as an optimisation: dynamic programming over syllables x
grid positions (:func:`composer.kernels.scan_line_dp`, compiled with numba) finds the
placement with the least cost, where the costs (rules/scansion.toml) put
stressed syllables on strong beats, unstressed syllables and function words
off them, allow pickups before a line that starts weak, lengthen the last
note of a phrase, and rest at punctuation. Note lengths come from the genre's
rhythmic vocabulary; a genre that raps (hip-hop) scans its verses on the
sixteenth grid with a denser vocabulary of its own (``[melody.rap]``). It works in 4/4, 3/4 and 6/8.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from collections.abc import Iterator
from functools import cache

import numpy as np

from . import data
from .aot import kernels
from .errors import GrammarError
from .grammar import Genre
from .model import PPQ, LyricLine, Lyrics, Onset, Plan

__all__ = ["scan", "scan_line", "metrical_weights"]

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
    rap_breath: int


@cache
def _costs() -> _Costs:
    table = data.require(data.load("rules", "scansion"), "costs", dict, where=_WHERE)
    where = f"{_WHERE} [costs]"
    return _Costs(
        **{name: data.require(table, name, float, where=where) for name in _Costs.__slots__
           if name not in ("breath", "rap_breath")},
        breath=data.require(table, "breath", int, where=where),
        rap_breath=data.require(table, "rap_breath", int, where=where),
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
              line_index: int, section: int, rap: bool = False) -> tuple[Onset, ...]:
    """Place one line's syllables in the ``bars`` bars that begin at tick ``start``.

    ``rap``: the line is rapped, on the sixteenth grid with the grammar's
    ``[melody.rap]`` rhythms (a hip-hop verse).
    """
    durations = genre.rap_durations if rap and genre.rap_durations else genre.durations
    costs = _costs()
    params = np.array([getattr(costs, n) for n in _Costs.__slots__ if n not in ("breath", "rap_breath")],
                      dtype=np.float64)
    rows = _syllable_table(line)
    stress = np.array([r[3] for r in rows], dtype=np.int64)
    same = np.array([1 if r[2] else 0 for r in rows], dtype=np.int64)
    pause = np.array([r[4] for r in rows], dtype=np.int64)
    bar_weights = metrical_weights(plan.meter)
    bar16 = len(bar_weights)
    for grid in sorted({1 if rap else genre.grid, 1}, reverse=True):
        per_bar = bar16 // grid
        breath = costs.rap_breath if rap else costs.breath  # a rapper breathes quicker
        pickup_steps = max(1, costs.breath * 2 // grid)
        total = pickup_steps + per_bar * bars
        weight = np.array(
            [bar_weights[((p - pickup_steps) * grid) % bar16] for p in range(total)], dtype=np.float64
        )
        max_d = max(durations) // grid + 1
        dur_cost = np.full(max_d + 1, 1e18)
        total_w = sum(durations.values())
        for sixteenths, w in durations.items():
            if sixteenths % grid == 0 and w > 0:
                dur_cost[sixteenths // grid] = -np.log(w / total_w)
        if grid == 1:  # the fallback grid: any length up to the longest is allowed
            for d in range(1, max_d + 1):
                dur_cost[d] = min(dur_cost[d], 4.0)
        end_step = total - breath * 2 // grid
        placed = kernels().scan_line_dp(stress, same, pause, weight, dur_cost, pickup_steps, end_step, params)
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
    allowed = sorted(d * SIXTEENTH for d in durations)
    onsets = []
    for i, (syl, word, continues, st, _pause, first) in enumerate(rows):
        nxt = ticks[i + 1] if i + 1 < len(rows) else end_tick
        gap = nxt - ticks[i]
        dur = gap if (gap in allowed or continues or i + 1 == len(rows)) else max(
            [d for d in allowed if d < gap], default=gap)
        onsets.append(Onset(start=ticks[i], dur=dur, syllable=syl, word=word, continues=continues,
                            stress=st, line=line_index, section=section, first_in_word=first))
    return tuple(onsets)


def _bar_groups(lines: tuple[LyricLine, ...],
                line_bars: tuple[int, ...]) -> Iterator[tuple[LyricLine, int, tuple[int, ...]]]:
    """(line, bars, index of each lyric line's first syllable) for each group of lines sharing bars:
    a line given 0 bars (a short rapped line) follows the one before it in the same bar, after a rest.
    Lines beyond ``line_bars`` (a chorus cut short) are left out."""
    lines = lines[:len(line_bars)]
    k = 0
    while k < len(lines):
        group = [lines[k]]
        while k + len(group) < len(lines) and line_bars[k + len(group)] == 0:
            group.append(lines[k + len(group)])
        words: list = []
        firsts: list[int] = []
        for line in group:
            firsts.append(sum(len(w.syllables) for w in words))
            if words and not words[-1].pause_after:
                words[-1] = replace(words[-1], pause_after=1)  # the lines' join is a place to breathe
            words.extend(line.words)
        yield LyricLine(words=tuple(words), origin=group[0].origin), line_bars[k], tuple(firsts)
        k += len(group)


def scan(lyrics: Lyrics, plan: Plan, genre: Genre) -> tuple[Onset, ...]:
    """Rhythms for every sung line of the song, in time order.

    A line sung again (every chorus) gets the same rhythm each time. Short
    rapped lines may share a bar (``SectionPlan.line_bars`` gives the second 0).
    """
    out: list[Onset] = []
    line_index = 0
    memo: dict[tuple[str, int, bool], tuple[Onset, ...]] = {}
    for s_index, section in enumerate(plan.sections):
        if section.lyric < 0:
            continue
        tick = section.start
        rap = section.kind == "verse" and genre.rap_per_bar > 0
        for line, bars, firsts in _bar_groups(lyrics.sections[section.lyric].lines, section.line_bars):
            key = (line.text, bars, rap)
            if key not in memo:
                memo[key] = scan_line(line, start=0, bars=bars, plan=plan, genre=genre, line_index=0, section=0,
                                      rap=rap)
            out.extend(
                Onset(start=o.start + tick, dur=o.dur, syllable=o.syllable, word=o.word, continues=o.continues,
                      stress=o.stress, line=line_index + sum(k <= i for k in firsts[1:]), section=s_index,
                      first_in_word=o.first_in_word)
                for i, o in enumerate(memo[key])
            )
            tick += bars * plan.bar_ticks
            line_index += len(firsts)
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
