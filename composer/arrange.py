"""The arrange stage: the band parts, from the genre's patterns.

Drums, bass and comping read the pattern strings of the genre grammar, one
character per step (see grammars/README.md). Comping chords are voice-led
(each chord takes the inversion nearest the last one), then give way to the
voice (:mod:`composer.accompany`): under the sung line, no rub at its onsets.
Where a genre names a lead instrument it answers the voice in its rests and
plays the hook (the chorus melody) in the intro, the outro, a drop or a solo.
The form grows: the bar before a chorus gets a fill, the first of two
choruses back to back is a breakdown, the last chorus lifts (a new
percussion layer, the pad and the lead join, expression full), an EDM build
rolls and sweeps into the drop, the ending holds the tonic chord. Every
number lives in rules/performance.toml. Humanisation (velocity and timing
spread, swing) is seeded, so the same seed gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import cache

import numpy as np

from . import data
from .accompany import answers, clear_rubs, under_voice, voice_rules
from .grammar import Genre, Part
from .harmonise import chord_index_at
from .model import PPQ, Chord, Note, Plan, SectionPlan, Track, VocalNote
from .performance import performance
from .scan import SIXTEENTH, metrical_weights
from .theory import scale_pitch_classes
from .vibes import Vibe

__all__ = ["arrange", "voice_lead"]

_WHERE_DRUMS = "rules/drums.toml"
_WHERE_VOICING = "rules/voicing.toml"
_CHANNELS = {"vocal": 0, "lead": 1, "chords": 2, "pad": 3, "bass": 4, "drums": 9}
_BACKBEAT = frozenset({"snare", "clap", "rim", "brush"})
_NAMES = {"vocal": "Vocal", "lead": "Lead", "chords": "Chords", "pad": "Pad", "bass": "Bass", "drums": "Drums"}
_FALLBACK = {"build": "verse", "drop": "chorus", "solo": "chorus"}  # patterns for sections a grammar leaves out


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


def _section_bars(plan: Plan) -> Iterator[tuple[int, SectionPlan, int, int]]:
    """(section index, section, bar start tick, bar number in section) for every bar."""
    for index, section in enumerate(plan.sections):
        for bar in range(section.bars):
            yield index, section, section.start + bar * plan.bar_ticks, bar


def _roles(plan: Plan) -> dict[int, str]:
    """What each section does in the form beyond its kind: the first of two choruses back to back is a
    "breakdown" (drums out, the bass held, half the comping), the last chorus the "lift"."""
    out: dict[int, str] = {i: s.kind for i, s in enumerate(plan.sections)}
    for i, (a, b) in enumerate(zip(plan.sections, plan.sections[1:])):
        if a.kind == b.kind == "chorus":
            out[i] = "breakdown"
    lift = _final_chorus(plan)
    if lift >= 0:
        out[lift] = "lift"
    return out


def _energy(plan: Plan, index: int) -> float:
    """A section's energy as played: a breakdown chorus plays at the performance table's energy."""
    if _roles(plan)[index] == "breakdown":
        return min(plan.sections[index].energy, performance().breakdown_energy)
    return plan.sections[index].energy


def _level(vibe: Vibe, energy: float) -> float:
    p = performance()
    return p.level_floor + p.level_span * energy * (1 - p.level_vibe + p.level_vibe * vibe.dynamics)


def _drums(plan: Plan, genre: Genre, vibe: Vibe, human: _Humaniser) -> list[Note]:
    notes_map, velocity = _drum_rules()
    perf = performance()
    pat = genre.patterns[plan.meter]
    step = plan.bar_ticks // pat.steps
    weights = metrical_weights(plan.meter)
    out: list[Note] = []
    last = len(plan.sections) - 1
    roles = _roles(plan)
    chorus_kit = set(pat.drums["chorus"])
    extra = next((p for p in perf.percussion if p not in chorus_kit), "")
    for index, section, bar_start, bar in _section_bars(plan):
        nxt = plan.sections[index + 1].kind if index < last else ""
        role = roles[index]
        kind = section.kind if section.kind in pat.drums else _FALLBACK.get(section.kind, "verse")
        if section.kind == "verse" and vibe.density < perf.quiet_verse and "intro" in pat.drums:
            kind = "intro"
        pattern = dict(pat.drums[kind])
        if role == "breakdown":  # drums out: the intro's light groove, or the hats alone
            pattern = dict(pat.drums.get("intro", {k: v for k, v in pat.drums["verse"].items() if k == "hat"}))
        if bar == section.bars - 1 and nxt in ("chorus", "outro", "solo") and "fill" in pat.drums:
            pattern = dict(pat.drums["fill"])
        if role == "lift" and extra:  # the new layer: a percussion part on the beats and off-beats
            pattern[extra] = "".join("x" if weights[(i * step) // SIXTEENTH % len(weights)] in (1, 2) else "."
                                     for i in range(pat.steps))
        level = _level(vibe, _energy(plan, index))
        if index == last and bar == section.bars - 1:  # the ending: the genre's last bar, or one hit to ring
            ending = pat.drums.get("ending", {"kick": "X", "crash": "X"})
            for inst, row in ending.items():
                for i, char in enumerate(row):
                    if char != ".":
                        out.append(human.note(bar_start + i * step, PPQ, notes_map[inst], velocity[char] * level,
                                              drums=True, anchor=i == 0))
            continue
        if section.kind == "build":
            out.extend(_roll(plan, section, bar, bar_start, pattern, notes_map, human))
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


def _roll(plan: Plan, section: SectionPlan, bar: int, bar_start: int, pattern: dict[str, str],
          notes_map: dict[str, int], human: _Humaniser) -> list[Note]:
    """One bar of the build: the kick on the beat (out in the last bar), and a snare roll that
    accelerates bar by bar (rules/performance.toml [build]) and grows louder to the drop."""
    perf = performance()
    hits = perf.roll[min(len(perf.roll) - 1, bar * len(perf.roll) // max(1, section.bars))]
    lo, hi = perf.roll_velocity
    out = []
    if bar < section.bars - 1 and "kick" in pattern:
        step = plan.bar_ticks // len(pattern["kick"])
        out += [human.note(bar_start + i * step, step, notes_map["kick"], 100, drums=True, anchor=i == 0)
                for i, c in enumerate(pattern["kick"]) if c != "."]
    gap = plan.bar_ticks // hits
    for k in range(hits):
        share = (bar + k / hits) / section.bars
        out.append(human.note(bar_start + k * gap, gap, notes_map["snare"], lo + (hi - lo) * share, drums=True,
                              anchor=k == 0))
    return out


def _bass(plan: Plan, genre: Genre, vibe: Vibe, chords: tuple[Chord, ...], part: Part, human: _Humaniser) -> list[Note]:
    rules = _voicing_rules()
    perf = performance()
    low, high, centre = int(rules["bass.low"]), int(rules["bass.high"]), rules["bass.centre"]
    pat = genre.patterns[plan.meter]
    step = plan.bar_ticks // pat.steps
    weights = metrical_weights(plan.meter)
    roles = _roles(plan)
    out: list[Note] = []
    last = len(plan.sections) - 1
    for index, section, bar_start, bar in _section_bars(plan):
        if section.kind not in part.sections:
            continue
        pattern = pat.bass.get(section.kind, pat.bass[_FALLBACK.get(section.kind, "verse")])
        if roles[index] == "breakdown":  # the bass holds each chord
            pattern = "".join("R" if bar_start + i * step in {c.start for c in chords} or i == 0 else "-"
                              for i in range(pat.steps))
        level = _level(vibe, _energy(plan, index))
        if index == last and bar == section.bars - 1:
            pattern = "R" + "-" * (pat.steps - 1)
        current: list = []  # [start, dur, pitch, velocity] of the note being held
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
            accent = perf.metrical[weights[(i * step) // SIXTEENTH % len(weights)]]
            current = [tick, step, pitch, perf.bass * accent * level]
        if current:
            out.append(human.note(*current))
    return out


def _comp(plan: Plan, genre: Genre, vibe: Vibe, chords: tuple[Chord, ...], part: Part, human: _Humaniser) -> list[Note]:
    rules = _voicing_rules()
    perf = performance()
    pat = genre.patterns[plan.meter]
    step = plan.bar_ticks // pat.steps
    roles = _roles(plan)
    out: list[Note] = []
    previous: tuple[int, ...] = ()
    voicings: dict[int, tuple[int, ...]] = {}
    last = len(plan.sections) - 1
    arp_index = 0
    for index, section, bar_start, bar in _section_bars(plan):
        if section.kind not in part.sections:
            continue
        pattern = pat.comp.get(section.kind, pat.comp[_FALLBACK.get(section.kind, "verse")])
        if roles[index] == "breakdown":  # half the comping: a chord held at each change
            pattern = pat.comp.get("bridge", "x" + "-" * (pat.steps - 1))
        ending = index == last and bar == section.bars - 1  # the last chord rings whole, whatever the style
        if ending:
            pattern = "x" + "-" * (pat.steps - 1)
        level = _level(vibe, _energy(plan, index)) * (1 - perf.comp_density + perf.comp_density * vibe.density)
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
            hits.append([tick, step, voicings[ci], (perf.comp_accent if char == "X" else perf.comp_hit) * level])
        style = "block" if ending else pat.comp_style
        for tick, dur, voicing, vel in hits:
            if not voicing or not dur:
                continue
            chord = chords[chord_index_at(chords, tick)]
            chord_end = chord.start + chord.dur
            dur = min(dur, chord_end - tick) if chord_end > tick else dur
            if style == "arp":  # each note of a broken chord rings on to the chord's end
                ring = max(dur, chord_end - tick)
                out.append(human.note(tick, ring, voicing[arp_index % len(voicing)], vel))
                arp_index += 1
                continue
            gap = int(rules["voicing.strum_gap"]) if style == "strum" else 0
            for k, pitch in enumerate(voicing):
                out.append(human.note(tick + k * gap, dur - k * gap, pitch, vel * (1.0 - perf.strum_decay * k)))
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
        level = _level(vibe, _energy(plan, chord.section)) * performance().pad
        out.extend(human.note(chord.start, chord.dur, p, level, anchor=True) for p in voicing)
    return out


def _hook(plan: Plan, vocal: tuple[VocalNote, ...], register: tuple[int, int], vibe: Vibe,
          human: _Humaniser) -> list[Note]:
    """The instrumental hook: the chorus's melody, moved into ``register`` by octaves, played in the
    intro and the outro (its first line, looped) and in a drop or a solo (the whole chorus, looped)."""
    chorus = next((i for i, s in enumerate(plan.sections) if s.kind == "chorus"), -1)
    sung = [n for n in vocal if n.onset.section == chorus]
    if not sung:
        return []
    first = [n for n in sung if n.onset.line == sung[0].onset.line]
    base = plan.sections[chorus].start
    octave = 12 * round(((register[0] + register[1]) / 2 - sum(n.pitch for n in sung) / len(sung)) / 12)
    bar = plan.bar_ticks
    out: list[Note] = []
    for section in plan.sections:
        if section.kind not in ("intro", "outro", "drop", "solo"):
            continue
        phrase = first if section.kind in ("intro", "outro") else sung
        span = -(-max(n.start + n.dur - base for n in phrase) // bar) * bar
        end = section.start + section.bars * bar - (bar if section.kind == "outro" else 0)
        level = _level(vibe, max(section.energy, 0.6)) * performance().hook
        lift = section.shift - plan.sections[chorus].shift
        for loop in range(max(1, (end - section.start) // span)):
            for n in phrase:
                tick = section.start + loop * span + n.start - base
                if tick + n.dur <= end:
                    pitch = n.pitch + octave + lift
                    while pitch < register[0]:  # a wide tune folds into the part's register
                        pitch += 12
                    while pitch > register[1]:
                        pitch -= 12
                    out.append(human.note(tick, n.dur, pitch, level))
    return out


def _riser(plan: Plan, part: Part, human: _Humaniser) -> list[Note]:
    """The build's riser: eighths climbing the lead's scale through the build's last four bars."""
    out: list[Note] = []
    scale = [p for p in range(part.register[0], part.register[1] + 1)
             if p % 12 in scale_pitch_classes(plan.tonic, plan.mode)]
    lo, hi = performance().roll_velocity
    for section in plan.sections:
        if section.kind != "build" or not scale:
            continue
        bars = min(4, section.bars)
        start = section.start + (section.bars - bars) * plan.bar_ticks
        count = bars * plan.bar_ticks // (PPQ // 2)
        for k in range(count):
            pitch = scale[min(len(scale) - 1, k * len(scale) // count)]
            out.append(human.note(start + k * PPQ // 2, PPQ // 2, pitch, lo + (hi - lo) * k / count))
    return out


def _lead(plan: Plan, vibe: Vibe, vocal: tuple[VocalNote, ...], voice: list[Note], part: Part,
          human: _Humaniser, *, only_lift: bool = False) -> list[Note]:
    """The lead answers the voice in its rests (an echo of the line just sung), never over it."""
    scale = [p for p in range(part.register[0], part.register[1] + 1)
             if p % 12 in scale_pitch_classes(plan.tonic, plan.mode)]
    playing = {_final_chorus(plan)}
    if not only_lift:
        playing |= {i for i, s in enumerate(plan.sections) if s.kind in part.sections}
    lines = [(n.onset.line, n.onset.section) for n in vocal]
    level = _level(vibe, 0.8) * performance().fill
    return [human.note(n.start, n.dur, n.pitch, n.velocity) for n in
            answers(voice, lines, part.register, scale, level, playing)]


def _vocal(vocal: tuple[VocalNote, ...], plan: Plan, vibe: Vibe, human: _Humaniser) -> list[Note]:
    """The sung line as played: one note per syllable, in order, swung with the band.

    Swing moves a note's start and its end when they fall on an off-beat
    eighth, so the note before a swung one grows and the swung one shrinks,
    long-short, as a singer phrases against a shuffle. song.vocal (and so
    song.json and the lead sheet) keeps the written, straight rhythm.
    """
    perf = performance()
    out = []
    for i, note in enumerate(vocal):
        level = _level(vibe, plan.sections[note.onset.section].energy)
        accent = perf.vocal_stressed if note.onset.stress == 1 else perf.vocal_unstressed
        start = _swing(note.start, plan.swing)
        end = _swing(note.start + note.dur, plan.swing)
        if i + 1 < len(vocal):  # never reach the next syllable, wherever swing put it
            start = min(start, vocal[i + 1].start - 40)
            end = min(end, _swing(vocal[i + 1].start, plan.swing))
        spread = perf.vocal_spread
        out.append(Note(start=start, dur=max(30, end - start - 10), pitch=note.pitch,
                        velocity=min(127, int(round(accent * level)) + int(human.rng.integers(-spread, spread + 1)))))
    return out


def _controls(plan: Plan, role: str) -> tuple[tuple[int, int, int], ...]:
    """Controller automation: expression (11) at each section's energy, the last chorus full; a filter
    sweep (brightness, 74) through a build, opened again at the drop. The voice keeps full expression."""
    perf = performance()
    out: list[tuple[int, int, int]] = []
    for index, section in enumerate(plan.sections):
        value = 127 if role == "vocal" else round(perf.expression_low + (127 - perf.expression_low) * _energy(plan, index))
        out.append((section.start, 11, min(127, value)))
        if section.kind == "build" and role in ("chords", "pad", "lead"):
            lo, hi = perf.sweep
            beats = section.bars * plan.bar_ticks // PPQ
            out += [(section.start + b * PPQ, 74, round(lo + (hi - lo) * b / max(1, beats - 1))) for b in range(beats)]
            out.append((section.start + section.bars * plan.bar_ticks, 74, hi))
    return tuple(out)


def arrange(vocal: tuple[VocalNote, ...], chords: tuple[Chord, ...], plan: Plan, genre: Genre, vibe: Vibe,
            *, rng: np.random.Generator) -> tuple[tuple[VocalNote, ...], tuple[Track, ...]]:
    """The sung line as performed, and every part of the band.

    Returns:
        ``vocal`` with each note's ``performed`` note set (the Vocal track's note for that
        syllable), and the tracks, the Vocal track first; the band gives way to the voice
        (composer.accompany).
    """
    perf = performance()
    floor, margin = voice_rules()
    human = _Humaniser(rng, plan.swing)
    voice = _vocal(vocal, plan, vibe, human)
    parts: dict[str, list[Note]] = {"vocal": voice}
    band = genre.band
    parts["drums"] = _drums(plan, genre, vibe, human)
    parts["bass"] = clear_rubs(_bass(plan, genre, vibe, chords, band["bass"], human), voice, margin=margin,
                               keep_start=True)
    comp = under_voice(_comp(plan, genre, vibe, chords, band["chords"], human), voice, floor=floor)
    parts["chords"] = clear_rubs(comp, voice, margin=margin)
    if "pad" in band and vibe.density >= perf.pad_density:
        pad = under_voice(_pad(plan, vibe, chords, band["pad"], human), voice, floor=floor)
        parts["pad"] = clear_rubs(pad, voice, margin=margin)
    hook_part = "lead" if "lead" in band else "chords"
    hook = _hook(plan, vocal, band[hook_part].register, vibe, human)
    if "lead" in band:  # a sparse vibe keeps the answers for the last chorus's lift
        lead = _lead(plan, vibe, vocal, voice, band["lead"], human, only_lift=vibe.density < perf.lead_density)
        parts["lead"] = clear_rubs(lead + _riser(plan, band["lead"], human), voice, margin=margin) + hook
    else:
        parts["chords"] += hook
    tracks = []
    for role, notes in parts.items():
        part = band[role]
        tracks.append(Track(
            name=_NAMES[role], role=role, program=part.program, channel=_CHANNELS[role],
            notes=tuple(sorted(notes, key=lambda n: (n.start, n.pitch))),
            volume=part.volume, pan=part.pan, reverb=part.reverb, chorus=part.chorus,
            controls=_controls(plan, role),
        ))
    performed = tuple(replace(note, performed=played) for note, played in zip(vocal, voice, strict=True))
    return performed, tuple(tracks)
