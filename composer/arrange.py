"""The arrange stage: the band parts, from the genre's patterns.

Drums, bass and comping read the pattern strings of the genre grammar, one
character per step (see grammars/README.md). Where a genre names a lead
instrument, it plays a countermelody and fills between the sung lines. Comping chords are voice-led
(each chord takes the inversion nearest the last one). Sections play at
their energy, the bar before a chorus gets a fill, the last chorus lifts,
the ending holds the tonic chord. Humanisation (velocity and timing spread,
swing) is seeded, so the same seed gives the same bytes.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from . import data
from .grammar import Genre, Part
from .harmonise import chord_index_at
from .model import PPQ, Chord, Note, Plan, Track, VocalNote
from .scan import SIXTEENTH
from .theory import scale_pitch_classes
from .vibes import Vibe

__all__ = ["arrange", "voice_lead"]

_WHERE_DRUMS = "rules/drums.toml"
_WHERE_VOICING = "rules/voicing.toml"
_CHANNELS = {"vocal": 0, "lead": 1, "chords": 2, "pad": 3, "bass": 4, "drums": 9}
_BACKBEAT = frozenset({"snare", "clap", "rim", "brush"})
_NAMES = {"vocal": "Vocal", "lead": "Lead", "chords": "Chords", "pad": "Pad", "bass": "Bass", "drums": "Drums"}


@cache
def _drum_rules() -> tuple[dict[str, int], dict[str, int]]:
    raw = data.load("rules", "drums")
    notes = {k: int(v) for k, v in data.require(raw, "notes", dict, where=_WHERE_DRUMS).items()}
    velocity = {k: int(v) for k, v in data.require(raw, "velocity", dict, where=_WHERE_DRUMS).items()}
    return notes, velocity


@cache
def _voicing_rules() -> dict[str, float]:
    raw = data.load("rules", "voicing")
    out = {}
    for table in ("voicing", "humanise"):
        for key, value in data.require(raw, table, dict, where=_WHERE_VOICING).items():
            out[f"{table}.{key}"] = float(value)
    bass = data.require(raw, "bass.register", list, where=_WHERE_VOICING)
    out["bass.low"], out["bass.high"] = float(bass[0]), float(bass[1])
    out["bass.centre"] = float(data.require(raw, "bass.centre", int, where=_WHERE_VOICING))
    return out


def voice_lead(pitches: tuple[int, ...], previous: tuple[int, ...], register: tuple[int, int]) -> tuple[int, ...]:
    """The voicing of ``pitches`` (pitch classes, root first) nearest ``previous``.

    >>> voice_lead((7, 11, 2), (60, 64, 67), (52, 72))
    (59, 62, 67)
    """
    rules = _voicing_rules()
    max_notes = int(rules["voicing.max_notes"])
    tones = list(pitches)
    if len(tones) > max_notes and len(tones) >= 3:
        tones.pop(2)  # drop the fifth first
    tones = tones[:max_notes]
    centre = (register[0] + register[1]) / 2
    best: tuple[int, ...] = ()
    best_cost = float("inf")
    for order in {tuple(tones[i:] + tones[:i]) for i in range(len(tones))}:
        base = register[0] + (order[0] - register[0]) % 12
        for octave in (0, 12):
            voicing = [base + octave]
            for pc in order[1:]:
                nxt = voicing[-1] + (pc - voicing[-1]) % 12 or 12
                voicing.append(nxt if nxt > voicing[-1] else nxt + 12)
            if voicing[-1] > register[1] + 2:
                continue
            v = tuple(sorted(voicing))
            cost = rules["voicing.centre"] * abs(sum(v) / len(v) - centre)
            if previous:
                cost += rules["voicing.movement"] * sum(
                    min(abs(a - b) for b in previous) for a in v) / len(v)
            if cost < best_cost:
                best, best_cost = v, cost
    return best or tuple(sorted(register[0] + (pc - register[0]) % 12 for pc in tones))


def _swing(tick: int, swing: float) -> int:
    """Delay off-beat eighths by ``swing`` of an eighth (0.33: a triplet shuffle)."""
    if swing and tick % PPQ == PPQ // 2:
        return tick + int(round(swing * PPQ / 2))
    return tick


class _Humaniser:
    """Seeded velocity and timing spread."""

    def __init__(self, rng: np.random.Generator, swing: float) -> None:
        rules = _voicing_rules()
        self.rng = rng
        self.swing = swing
        self.velocity = int(rules["humanise.velocity"])
        self.timing = int(rules["humanise.timing"])
        self.drum_timing = int(rules["humanise.drum_timing"])

    def note(self, start: int, dur: int, pitch: int, velocity: float, *, drums: bool = False, anchor: bool = False) -> Note:
        spread = self.drum_timing if drums else self.timing
        shift = 0 if anchor else int(self.rng.integers(-spread, spread + 1))
        vel = int(round(velocity)) + int(self.rng.integers(-self.velocity, self.velocity + 1))
        begin = max(0, _swing(start, self.swing) + shift)
        return Note(start=begin, dur=max(30, dur), pitch=int(pitch), velocity=min(127, max(1, vel)))


def _section_bars(plan: Plan):
    """(section index, section, bar start tick, bar number in section) for every bar."""
    for index, section in enumerate(plan.sections):
        for bar in range(section.bars):
            yield index, section, section.start + bar * plan.bar_ticks, bar


def _level(plan: Plan, vibe: Vibe, section_energy: float) -> float:
    return 0.55 + 0.45 * section_energy * (0.6 + 0.4 * vibe.dynamics)


def _drums(plan: Plan, genre: Genre, vibe: Vibe, human: _Humaniser) -> list[Note]:
    notes_map, velocity = _drum_rules()
    pat = genre.patterns[plan.meter]
    step = plan.bar_ticks // pat.steps
    out: list[Note] = []
    last = len(plan.sections) - 1
    for index, section, bar_start, bar in _section_bars(plan):
        nxt = plan.sections[index + 1].kind if index < last else ""
        kind = section.kind if section.kind in pat.drums else "verse"
        if section.kind == "verse" and vibe.density < 0.45 and "intro" in pat.drums:
            kind = "intro"
        pattern = pat.drums[kind]
        if bar == section.bars - 1 and nxt in ("chorus", "outro") and "fill" in pat.drums:
            pattern = pat.drums["fill"]
        level = _level(plan, vibe, section.energy)
        if index == last and bar == section.bars - 1:  # the ending: the genre's last bar, or one hit to ring
            ending = pat.drums.get("ending", {"kick": "X", "crash": "X"})
            for inst, row in ending.items():
                for i, char in enumerate(row):
                    if char != ".":
                        out.append(human.note(bar_start + i * step, PPQ, notes_map[inst], velocity[char] * level,
                                              drums=True, anchor=i == 0))
            continue
        for inst, row in pattern.items():
            for i, char in enumerate(row):
                if char == ".":
                    continue
                if inst == "crash" and bar > 0:
                    continue  # a crash marks the section's first bar only
                pitch = notes_map["open"] if (char == "o" and inst == "hat") else notes_map[inst]
                tick = bar_start + i * step
                if inst in _BACKBEAT:  # the genre's laid-back backbeat sits a few ticks behind the grid
                    tick += genre.laid_back
                out.append(human.note(tick, step, pitch, velocity[char] * level, drums=True,
                                      anchor=(inst == "kick" and i == 0)))
    return out


def _bass(plan: Plan, genre: Genre, vibe: Vibe, chords: tuple[Chord, ...], part: Part, human: _Humaniser) -> list[Note]:
    rules = _voicing_rules()
    low, high, centre = int(rules["bass.low"]), int(rules["bass.high"]), rules["bass.centre"]
    pat = genre.patterns[plan.meter]
    step = plan.bar_ticks // pat.steps
    out: list[Note] = []
    last = len(plan.sections) - 1
    for index, section, bar_start, bar in _section_bars(plan):
        if section.kind not in part.sections:
            continue
        pattern = pat.bass.get(section.kind, pat.bass["verse"])
        level = _level(plan, vibe, section.energy)
        if index == last and bar == section.bars - 1:
            pattern = "R" + "-" * (pat.steps - 1)
        current: list[int] = []  # [start, dur, pitch, velocity] of the note being held
        for i, char in enumerate(pattern):
            tick = bar_start + i * step
            if char == "-":
                if current:
                    current[1] += step
                continue
            if current:
                out.append(human.note(*current))
                current = []
            if char == ".":
                continue
            ci = chord_index_at(chords, tick)
            chord = chords[ci]
            root = chord.root
            root_pitch = min(range(low, low + 12), key=lambda p: (p % 12 != root, abs(p - centre)))
            if char == "R":
                pitch = root_pitch
            elif char == "5":
                pitch = root_pitch + 7
            elif char == "8":
                pitch = root_pitch + 12
            elif char == "3":
                pitch = root_pitch + ((chord.pitches[1] - root) % 12 if len(chord.pitches) > 1 else 4)
            elif char == "7":
                pitch = root_pitch + ((chord.pitches[3] - root) % 12 if len(chord.pitches) > 3 else 10)
            else:  # "A": a chromatic approach to the next chord's root
                nxt = chords[min(ci + 1, len(chords) - 1)].root
                target = min(range(low, low + 12), key=lambda p: (p % 12 != nxt, abs(p - centre)))
                pitch = target - 1 if target - 1 >= low else target + 1
            while pitch > high:
                pitch -= 12
            current = [tick, step, pitch, (100 if i % 4 == 0 else 88) * level]
        if current:
            out.append(human.note(*current))
    return out


def _comp(plan: Plan, genre: Genre, vibe: Vibe, chords: tuple[Chord, ...], part: Part, human: _Humaniser) -> list[Note]:
    rules = _voicing_rules()
    pat = genre.patterns[plan.meter]
    step = plan.bar_ticks // pat.steps
    out: list[Note] = []
    previous: tuple[int, ...] = ()
    voicings: dict[int, tuple[int, ...]] = {}
    last = len(plan.sections) - 1
    arp_index = 0
    for index, section, bar_start, bar in _section_bars(plan):
        if section.kind not in part.sections:
            continue
        pattern = pat.comp.get(section.kind, pat.comp["verse"])
        if index == last and bar == section.bars - 1:
            pattern = "x" + "-" * (pat.steps - 1)
        level = _level(plan, vibe, section.energy) * (0.85 + 0.15 * vibe.density)
        hits: list[list] = []
        for i, char in enumerate(pattern):
            tick = bar_start + i * step
            if char == "-":
                if hits:
                    hits[-1][1] += step
                continue
            if char == ".":
                hits.append([tick, 0, None, 0])
                continue
            ci = chord_index_at(chords, tick)
            if ci not in voicings:
                voicings[ci] = voice_lead(chords[ci].pitches, previous, part.register)
                previous = voicings[ci]
            hits.append([tick, step, voicings[ci], (104 if char == "X" else 86) * level])
        for tick, dur, voicing, vel in hits:
            if not voicing or not dur:
                continue
            chord = chords[chord_index_at(chords, tick)]
            chord_end = chord.start + chord.dur
            dur = min(dur, chord_end - tick) if chord_end > tick else dur
            if pat.comp_style == "arp":  # each note of a broken chord rings on to the chord's end
                ring = max(dur, chord_end - tick)
                out.append(human.note(tick, ring, voicing[arp_index % len(voicing)], vel))
                arp_index += 1
                continue
            gap = int(rules["voicing.strum_gap"]) if pat.comp_style == "strum" else 0
            for k, pitch in enumerate(voicing):
                out.append(human.note(tick + k * gap, dur - k * gap, pitch, vel * (1.0 - 0.04 * k)))
    return out


def _final_chorus(plan: Plan) -> int:
    """The index of the last chorus: the lift, where the pad and the lead join in whatever
    sections their grammar gives them (-1 when the song has no chorus)."""
    return max((i for i, s in enumerate(plan.sections) if s.kind == "chorus"), default=-1)


def _pad(plan: Plan, vibe: Vibe, chords: tuple[Chord, ...], part: Part, human: _Humaniser) -> list[Note]:
    out: list[Note] = []
    previous: tuple[int, ...] = ()
    lift = _final_chorus(plan)
    for chord in chords:
        section = plan.sections[chord.section]
        if section.kind not in part.sections and chord.section != lift:
            continue
        voicing = voice_lead(chord.pitches, previous, part.register)
        previous = voicing
        level = _level(plan, vibe, section.energy) * 70
        out.extend(human.note(chord.start, chord.dur, p, level, anchor=True) for p in voicing)
    return out


def _lead(plan: Plan, vibe: Vibe, chords: tuple[Chord, ...], vocal: tuple[VocalNote, ...], part: Part,
          human: _Humaniser, *, only_lift: bool = False) -> list[Note]:
    """A countermelody: a soft line of chord tones moving by the smallest step under
    the singing, and a short scale fill in each gap between sung lines."""
    low, high = part.register
    scale = [p for p in range(low, high + 1) if p % 12 in scale_pitch_classes(plan.tonic, plan.mode)]
    playing = {_final_chorus(plan)}
    if not only_lift:
        playing |= {i for i, s in enumerate(plan.sections) if s.kind in part.sections}
    out: list[Note] = []
    previous = (low + high) // 2
    line: dict[int, int] = {}  # chord start -> the counter-line's pitch
    for chord in chords:
        if chord.section not in playing:
            continue
        end = chord.start + chord.dur
        sung = {n.pitch % 12 for n in vocal if n.start < end and n.start + n.dur > chord.start}
        tones = [p for p in range(low, high + 1) if p % 12 in chord.pitches] or [previous]
        pitch = min(tones, key=lambda p: (abs(p - previous) + (3 if p % 12 in sung else 0) + (1 if p == previous else 0)))
        level = _level(plan, vibe, plan.sections[chord.section].energy) * 62
        out.append(human.note(chord.start, chord.dur, pitch, level))
        line[chord.start] = previous = pitch
    for a, b in zip(vocal, vocal[1:]):  # fills where the singer breathes between lines
        gap_start, gap_end = a.start + a.dur, b.start
        if a.onset.line == b.onset.line or gap_end - gap_start < PPQ or a.onset.section not in playing:
            continue
        target = next((c for c in chords if c.start <= gap_end < c.start + c.dur), chords[-1])
        goal = line.get(target.start, previous)
        start_index = min(range(len(scale)), key=lambda i: abs(scale[i] - goal)) if scale else 0
        count = min(4, (gap_end - gap_start) // (PPQ // 2) - 1)
        direction = 1 if start_index + count < len(scale) else -1
        tick = gap_end - count * (PPQ // 2)
        level = _level(plan, vibe, plan.sections[a.onset.section].energy) * 78
        for k in range(count, 0, -1):  # step into the next chord's tone from above or below
            index = min(max(start_index + direction * k, 0), len(scale) - 1)
            out.append(human.note(tick, PPQ // 2, scale[index], level))
            tick += PPQ // 2
    return out


def _vocal(vocal: tuple[VocalNote, ...], plan: Plan, vibe: Vibe, human: _Humaniser) -> list[Note]:
    """The sung line as played: one note per syllable, in order, swung with the band.

    Swing moves a note's start and its end when they fall on an off-beat
    eighth, so the note before a swung one grows and the swung one shrinks,
    long-short, as a singer phrases against a shuffle. song.vocal (and so
    song.json and the lead sheet) keeps the written, straight rhythm.
    """
    out = []
    for i, note in enumerate(vocal):
        section = plan.sections[note.onset.section]
        level = _level(plan, vibe, section.energy)
        accent = 104 if note.onset.stress == 1 else 90
        start = _swing(note.start, plan.swing)
        end = _swing(note.start + note.dur, plan.swing)
        if i + 1 < len(vocal):  # never reach the next syllable, wherever swing put it
            start = min(start, vocal[i + 1].start - 40)
            end = min(end, _swing(vocal[i + 1].start, plan.swing))
        out.append(Note(start=start, dur=max(30, end - start - 10), pitch=note.pitch,
                        velocity=min(127, int(round(accent * level)) + int(human.rng.integers(-3, 4)))))
    return out


def arrange(vocal: tuple[VocalNote, ...], chords: tuple[Chord, ...], plan: Plan, genre: Genre, vibe: Vibe,
            *, rng: np.random.Generator) -> tuple[Track, ...]:
    """Every part of the band, the Vocal track first."""
    human = _Humaniser(rng, plan.swing)
    parts: dict[str, list[Note]] = {"vocal": _vocal(vocal, plan, vibe, human)}
    band = genre.band
    parts["drums"] = _drums(plan, genre, vibe, human)
    parts["bass"] = _bass(plan, genre, vibe, chords, band["bass"], human)
    parts["chords"] = _comp(plan, genre, vibe, chords, band["chords"], human)
    if "pad" in band and vibe.density >= 0.3:
        parts["pad"] = _pad(plan, vibe, chords, band["pad"], human)
    if "lead" in band:  # a sparse vibe keeps the countermelody for the last chorus's lift
        parts["lead"] = _lead(plan, vibe, chords, vocal, band["lead"], human, only_lift=vibe.density < 0.4)
    tracks = []
    for role, notes in parts.items():
        part = band[role]
        tracks.append(Track(
            name=_NAMES[role], role=role, program=part.program, channel=_CHANNELS[role],
            notes=tuple(sorted(notes, key=lambda n: (n.start, n.pitch))),
            volume=part.volume, pan=part.pan, reverb=part.reverb, chorus=part.chorus,
        ))
    return tuple(tracks)
