"""The band gives way to the voice: comping under the sung line, no rubs at its onsets, answers in its rests.

Three pure passes over band notes already placed and humanised, against the
sung line as played (the Vocal track's notes):

- :func:`under_voice`: a comping or pad note above the lowest pitch sung
  while it sounds moves down an octave (again if need be); a note pushed
  below the floor (rules/performance.toml ``[voice] floor``) is dropped.
- :func:`clear_rubs`: a note a semitone or a minor ninth from a sung note
  at that note's onset gives way: it rests from just before the syllable
  to its end.
- :func:`answers`: the lead's answers in the voice's rests, an echo of the
  line just sung.

>>> voice = [Note(0, 960, 64, 100)]
>>> [n.pitch for n in under_voice([Note(0, 960, 67, 80), Note(0, 960, 60, 80)], voice, floor=43)]
[55, 60]
>>> [(n.start, n.dur) for n in clear_rubs([Note(0, 1920, 52, 80)], [Note(480, 480, 65, 100)], margin=40)]
[(0, 470), (960, 960)]
"""

from __future__ import annotations

from bisect import bisect_left
from functools import cache

from . import data
from .model import PPQ, Note

__all__ = ["under_voice", "clear_rubs", "answers", "voice_rules"]

_WHERE = "rules/performance.toml"


@cache
def voice_rules() -> tuple[int, int]:
    """(floor, margin) from rules/performance.toml ``[voice]``."""
    raw = data.load("rules", "performance")
    return (data.require(raw, "voice.floor", int, where=_WHERE), data.require(raw, "voice.margin", int, where=_WHERE))


class _Sung:
    """The sung notes, sorted, with a fast lookup of those overlapping a span."""

    def __init__(self, voice: list[Note]) -> None:
        self.notes = sorted(voice, key=lambda n: n.start)
        self.starts = [n.start for n in self.notes]
        self.longest = max((n.dur for n in self.notes), default=0)

    def during(self, start: int, end: int) -> list[Note]:
        lo = bisect_left(self.starts, start - self.longest)
        hi = bisect_left(self.starts, end)
        return [n for n in self.notes[lo:hi] if n.end > start]

    def onsets(self, start: int, end: int) -> list[Note]:
        return self.notes[bisect_left(self.starts, start):bisect_left(self.starts, end)]


def under_voice(notes: list[Note], voice: list[Note], *, floor: int) -> list[Note]:
    """Comping or pad notes moved under the lowest pitch sung while each sounds (see the module)."""
    sung = _Sung(voice)
    out: list[Note] = []
    taken: set[tuple[int, int]] = set()
    for n in notes:
        over = sung.during(n.start, n.end)
        pitch = n.pitch
        if over:
            cap = min(v.pitch for v in over)
            while pitch > cap:
                pitch -= 12
        if pitch < floor and pitch != n.pitch or (n.start, pitch) in taken:
            continue
        taken.add((n.start, pitch))
        out.append(n if pitch == n.pitch else Note(n.start, n.dur, pitch, n.velocity))
    return out


def clear_rubs(notes: list[Note], voice: list[Note], *, margin: int, keep_start: bool = False) -> list[Note]:
    """Notes that give way to a sung onset they would rub against (see the module).

    The note stops just before the rubbing syllable and comes back, a little
    softer, when that syllable ends (so a chord tone sung next still sounds);
    a note that would start with the syllable waits for its end.
    ``keep_start``: a note that starts with the syllable stays (the bass keeps its root).
    """
    sung = _Sung(voice)
    out: list[Note] = []
    for n in notes:
        start, velocity = n.start, n.velocity
        for v in sung.onsets(n.start - margin, n.end):
            if abs(v.pitch - n.pitch) % 12 != 1 or v.end <= start:
                continue
            if v.start <= start + margin:
                if keep_start and start == n.start:
                    continue
            elif v.start - 10 - start >= 30:
                out.append(Note(start, v.start - 10 - start, n.pitch, velocity))
            start, velocity = v.end, max(1, int(velocity * 0.85))
        if n.end - start >= 60 or (start == n.start and n.dur >= 30):
            out.append(n if start == n.start else Note(start, n.end - start, n.pitch, velocity))
    return out


def answers(voice: list[Note], lines: list[tuple[int, int]], register: tuple[int, int], scale: list[int],
            velocity: float, playing: set[int]) -> list[Note]:
    """The lead's answers: in each rest after a sung line, an echo of its last notes.

    ``lines``: (line index, section index) of each sung note, parallel to
    ``voice``; ``playing``: the sections the lead plays in.
    The echo takes the line's last (up to three) pitches into the lead's
    register, an eighth apart, and ends a sixteenth before the voice comes back.
    """
    out: list[Note] = []
    low, high = register
    centre = (low + high) // 2
    for i in range(len(voice) - 1):
        a, b = voice[i], voice[i + 1]
        if lines[i] == lines[i + 1] or lines[i][1] not in playing:
            continue
        gap_start, gap_end = a.end + PPQ // 8, b.start - PPQ // 4
        count = min(3, (gap_end - gap_start) // (PPQ // 2))
        if count < 1:
            continue
        tail = [v.pitch for v in voice[max(0, i - count + 1):i + 1]]
        octave = 12 * round((centre - sum(tail) / len(tail)) / 12)
        tick = gap_start
        for pitch in tail:
            p = pitch + octave
            while p > high:
                p -= 12
            while p < low:
                p += 12
            if scale and p % 12 not in {s % 12 for s in scale}:
                p = min(scale, key=lambda s: abs(s - p))
            out.append(Note(tick, PPQ // 2 - 20, p, int(round(velocity))))
            tick += PPQ // 2
    return out
