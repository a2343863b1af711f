"""Speech onto notes: the time map from a spoken line to the sung one, and the pitch curve.

Each sung syllable is a *unit*: the notes it is sung on and the phones
Festival spoke for it. Its onset consonants are placed just before its first
note, so the vowel lands on the beat; the vowel is stretched through the
notes (its first and last 35% of transition kept at speaking pace, the
steady middle stretched); its coda consonants close it at the end of the
last note. Inside a phrase the joins are legato: a vowel sings on until the
consonants that lead into the next syllable. A word spoken with more
syllables than it has notes sings the extra ones at the end of its last
note; a word with more notes than syllables holds its last vowel over them
(melisma).

The pitch curve follows the notes: a short glide from the note before,
starting just before the beat (or a scoop from below at a phrase start), vibrato that grows on held notes, and a
slow drift of a few cents; at each note's middle it is within 25 cents of
the written pitch.

>>> curve = pitch_curve(np.array([0.1, 0.3, 0.6]), [Note(0.0, 0.5, 60.0, 0, 0)], np.random.default_rng(0))
>>> bool(np.all(np.abs(curve - 60.0) < 0.25))
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .festival import Phone
from .score import Line, Note

__all__ = ["Unit", "units", "time_map", "pitch_curve", "LEGATO_GAP"]

LEGATO_GAP = 0.3
"""A rest shorter than this (seconds) between two syllables of a line is sung through (legato)."""

_FIRST_ONSET = 0.22  # the longest lead-in of consonants before a phrase's first note
_SHARE = 0.45  # consonants between two notes take at most this share of the first note
_TRANSITION = 0.35  # share of a vowel kept at speaking pace at each end
_VIBRATO_HZ = 5.5
_VIBRATO_CENTS = 18.0
_VIBRATO_DELAY = 0.22
_VIBRATO_RISE = 0.45
_GLIDE = 0.02  # seconds: time constant of the glide into a note
_ANTICIPATE = 0.035  # seconds: the glide into a note starts this much before it
_SCOOP = 0.6  # semitones under the note where a phrase's first note starts
_DRIFT_CENTS = 5.0


@dataclass(frozen=True, slots=True)
class Unit:
    """One sung syllable: its notes and its spoken phones (onset, vowel span, coda) in source seconds."""

    notes: tuple[Note, ...]
    onset: tuple[float, float]
    vowel: tuple[float, float]
    coda: tuple[float, float]


def _syllables(phones: tuple[Phone, ...], word: int) -> list[list[Phone]]:
    found: dict[int, list[Phone]] = {}
    for p in phones:
        if p.word == word:
            found.setdefault(p.syllable, []).append(p)
    return [found[k] for k in sorted(found)]


def _unit(notes: list[Note], phones: list[Phone]) -> Unit:
    vowels = [i for i, p in enumerate(phones) if p.vowel] or [max(range(len(phones)),
                                                                  key=lambda i: phones[i].end - phones[i].start)]
    first, last = vowels[0], vowels[-1]
    start, end = phones[0].start, phones[-1].end
    v0, v1 = phones[first].start, phones[last].end
    return Unit(tuple(notes), (start, v0), (v0, v1), (v1, end))


def units(line: Line, phones: tuple[Phone, ...]) -> list[Unit]:
    """The line's sung syllables, in order, each with its notes and spoken phones."""
    out: list[Unit] = []
    for word in range(len(line.words)):
        groups: list[list[Note]] = []
        for note in line.notes:
            if note.word != word:
                continue
            if groups and note.syllable == groups[-1][0].syllable:
                groups[-1].append(note)  # melisma: the same syllable again
            else:
                groups.append([note])
        spoken = _syllables(phones, word)
        if not groups:
            continue
        if not spoken:  # Festival said nothing for this word: hum its notes on the nearest vowel
            spoken = [[p for p in phones if p.vowel][:1] or list(phones[:1])]
        n, k = len(spoken), len(groups)
        if n > k:  # more spoken syllables than notes: the last note sings the rest
            spoken = spoken[:k - 1] + [sum(spoken[k - 1:], [])]
        elif k > n:  # more notes than syllables: the last syllable holds over them
            groups = groups[:n - 1] + [sum(groups[n - 1:], [])]
        out.extend(_unit(g, s) for g, s in zip(groups, spoken))
    out.sort(key=lambda u: u.notes[0].start)
    return out


def time_map(parts: list[Unit]) -> tuple[np.ndarray, np.ndarray, list[tuple[float, float]]]:
    """Anchor points (sung seconds, spoken seconds) of the line's time map, and its sounding spans.

    Between anchors time maps linearly; outside the spans the voice is silent.
    """
    out_t: list[float] = []
    src_t: list[float] = []
    spans: list[tuple[float, float]] = []
    for i, unit in enumerate(parts):
        t0, t1 = unit.notes[0].start, unit.notes[-1].end
        onset = unit.onset[1] - unit.onset[0]
        coda = unit.coda[1] - unit.coda[0]
        after = parts[i + 1] if i + 1 < len(parts) else None
        joined = i > 0 and t0 - parts[i - 1].notes[-1].end < LEGATO_GAP
        if not joined:  # a phrase start, or after a rest: the onset leads in before the beat
            lead = min(onset, _FIRST_ONSET)
            a = t0 - lead
            if out_t and a < out_t[-1]:
                a = out_t[-1]
            spans.append((a, a))
            out_t += [a]
            src_t += [unit.onset[0]]  # the consonants squeezed into the lead-in, never cut
        if after is not None and after.notes[0].start - t1 < LEGATO_GAP:
            nxt = after.notes[0].start
            both = coda + (after.onset[1] - after.onset[0])
            scale = min(1.0, _SHARE * (nxt - t0) / both) if both > 0 else 1.0
            end = nxt - (after.onset[1] - after.onset[0]) * scale
            b = nxt - both * scale
        else:
            scale = min(1.0, 0.5 * (t1 - t0) / coda) if coda > 0 else 1.0
            end = t1
            b = t1 - coda * scale
        v0, v1 = unit.vowel
        length, room = v1 - v0, max(b - t0, 1e-3)
        q_src = _TRANSITION * length
        q_out = min(q_src, _TRANSITION * room)
        out_t += [t0, t0 + q_out, b - q_out, b]
        src_t += [v0, v0 + q_src, v1 - q_src, v1]
        if end > b:
            out_t.append(end)
            src_t.append(v1 + (end - b) / scale if scale > 0 else unit.coda[1])
        spans[-1] = (spans[-1][0], max(end, b))
    out_arr, src_arr = np.array(out_t), np.array(src_t)
    out_arr = np.maximum.accumulate(out_arr)  # never back in time
    src_arr = np.maximum.accumulate(src_arr)
    return out_arr, src_arr, spans


def pitch_curve(times: np.ndarray, notes: list[Note] | tuple[Note, ...], rng: np.random.Generator) -> np.ndarray:
    """The sung pitch (fractional MIDI note numbers) at ``times`` (seconds), following ``notes``."""
    notes = sorted(notes, key=lambda n: n.start)
    early = np.array([n.start - (_ANTICIPATE if k and n.start - notes[k - 1].end < LEGATO_GAP else 0.0)
                      for k, n in enumerate(notes)])
    which = np.clip(np.searchsorted(early, times, side="right") - 1, 0, len(notes) - 1)
    target = np.array([n.pitch for n in notes])[which]
    since = times - early[which]
    before = np.empty(len(notes))
    for k, note in enumerate(notes):
        joined = k > 0 and note.start - notes[k - 1].end < LEGATO_GAP
        before[k] = notes[k - 1].pitch if joined else note.pitch - _SCOOP
    lengths = np.array([max(n.end - n.start, 0.05) for n in notes])[which]
    tau = np.minimum(_GLIDE, lengths / 10)
    glide = (before[which] - target) * np.exp(-np.maximum(since, 0.0) / tau)
    depth = np.clip((since - _VIBRATO_DELAY) / _VIBRATO_RISE, 0.0, 1.0) * _VIBRATO_CENTS / 100
    vibrato = depth * np.sin(2 * np.pi * _VIBRATO_HZ * np.maximum(since - _VIBRATO_DELAY, 0.0))
    walk = np.cumsum(rng.normal(0.0, 1.0, max(2, int(times[-1] * 4) + 2) if len(times) else 2))
    walk = (walk - walk.mean()) / (np.abs(walk - walk.mean()).max() + 1e-9) * _DRIFT_CENTS / 100
    drift = np.interp(times * 4, np.arange(len(walk)), walk)
    return target + glide + vibrato + drift
