"""song.musicxml: a lead sheet of the sung line (MusicXML 4.0, partwise).

One part, the melody, with a lyric and its syllabic value (single, begin,
middle, end) on every sung note; chord symbols as ``<harmony>`` at the tick
each chord starts; key and time signature, tempo, one title (the work-title:
readers print a movement-title as well) and credits; each section as a
rehearsal mark that starts a new system. Rests fill every gap (whole
instrumental bars become bar rests) and a note that crosses a barline is
split and tied. Notes and chord roots are spelled by letter from the key
(composer.theory.note_name). What MuseScore 3 would refuse is written as
words instead: the key's ``<mode>`` is its family (major or minor) and a
dorian or mixolydian key is named in words, as is the swing ratio.

The file is built with :mod:`xml.etree.ElementTree`, not music21, so that
exporting costs milliseconds. Durations are exact: ``<divisions>`` is the
largest divisor of 480 that every tick of the song is a multiple of (ticks
finer than a 64th, which the engine never makes, would be rounded to one).

>>> chord_kind("m7")
('minor-seventh', ())
>>> pitch_spelling(61, tonic=0, flats=True)
('D', -1, 4)
>>> note_values(1680)
[1440, 240]
"""

from __future__ import annotations

import bisect
import math
import re
import xml.etree.ElementTree as ET
from typing import Iterable

from ..model import PPQ, Chord, Plan, Song
from ..theory import chord_tail, key_fifths, mode_info, note_name, uses_flats
from .midi import COPYRIGHT


__all__ = ["song_to_musicxml", "chord_kind", "pitch_spelling", "note_values"]

_DOCTYPE = ('<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN" '
            '"http://www.musicxml.org/dtds/partwise.dtd">')

# Note values in ticks: (ticks, type, dots). Plain and single-dotted values;
# anything else is written as tied notes of these.
_PLAIN = {1920: "whole", 960: "half", 480: "quarter", 240: "eighth", 120: "16th", 60: "32nd", 30: "64th"}
_VALUES: tuple[tuple[int, str, int], ...] = tuple(sorted(
    [(t, name, 0) for t, name in _PLAIN.items()]
    + [(t * 3 // 2, name, 1) for t, name in _PLAIN.items() if t >= 60],
    reverse=True,
))
_TYPE_OF = {t: (name, dots) for t, name, dots in _VALUES}
_GRID = 30  # the finest value written (a 64th); ticks are rounded to it if ever finer
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot carry


def chord_kind(tail: str) -> tuple[str, tuple[tuple[int, int, str], ...]]:
    """The MusicXML ``<kind>`` and extra ``<degree>`` rows of a chord symbol tail (rules/theory.toml [tails]).

    Unknown tails fall back to the nearest triad, so the file stays valid.

    >>> chord_kind("add9")
    ('major', ((9, 0, 'add'),))
    """
    known = chord_tail(tail)
    if known is not None:
        return known.kind, known.degrees
    if tail.startswith("m") and not tail.startswith("maj"):
        return ("minor", ())
    if tail.startswith("sus"):
        return ("suspended-fourth", ())
    return ("major", ())


def pitch_spelling(midi: int, *, tonic: int, flats: bool) -> tuple[str, int, int]:
    """(step, alter, octave) of a MIDI pitch, spelled by letter in the key of ``tonic``.

    The octave follows the letter, so B#3 and Cb4 keep their written octave.

    >>> pitch_spelling(61, tonic=2, flats=False), pitch_spelling(61, tonic=5, flats=True)
    (('C', 1, 4), ('D', -1, 4))
    """
    name = note_name(midi % 12, tonic=tonic, flats=flats)
    alter = {"b": -1, "#": 1}.get(name[1:], 0)
    return name[0], alter, (midi - alter) // 12 - 1


def note_values(ticks: int, *, pos: int = 0, beat: int = PPQ) -> list[int]:
    """Split a length into written values, tied together.

    In simple meters the longest values come first; in 6/8 (``beat`` a dotted
    quarter) a note shows the beat: it is cut where it crosses one, unless it
    starts on a beat and lasts whole beats.

    >>> note_values(1680), note_values(960, beat=720), note_values(720, pos=240, beat=720)
    ([1440, 240], [720, 240], [480, 240])
    """
    out: list[int] = []
    while ticks >= _GRID:
        if beat % PPQ and pos % beat == 0 and ticks >= beat:
            chunk = beat * 2 if pos % (beat * 2) == 0 and ticks >= beat * 2 else beat
        elif beat % PPQ:
            chunk = min(ticks, beat - pos % beat)
        else:
            chunk = ticks
        while chunk >= _GRID:
            value = next(t for t, _name, _dots in _VALUES if t <= chunk)
            out.append(value)
            chunk -= value
            ticks -= value
            pos += value
        ticks -= chunk  # anything finer than the grid (never, as ticks are snapped)
        pos += chunk
    return out


def _rest_values(pos: int, ticks: int, beat: int) -> list[int]:
    """Split a rest at bar position ``pos`` into values that each start on their own grid.

    Dotted rests are written only for the dotted-quarter beat of 6/8, where
    rests longer than the beat are never written as one value either.

    >>> _rest_values(240, 1680, 480), _rest_values(0, 960, 720)
    ([240, 480, 960], [720, 240])
    """
    out = []
    while ticks >= _GRID:
        for value, _name, dots in _VALUES:
            if value > ticks or pos % value:
                continue
            if (dots and value != beat) or (beat % 480 and value > beat):
                continue
            break
        out.append(value)
        pos += value
        ticks -= value
    return out


def _sub(parent: ET.Element, tag: str, content: object = None, /, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if content is not None:
        el.text = _NOT_XML.sub("", str(content))
    return el


def _snap(tick: int) -> int:
    return (tick + _GRID // 2) // _GRID * _GRID


def _harmony(parent: ET.Element, chord: Chord, offset: int) -> None:
    root, tail = chord.root_name, chord.quality
    kind, degrees = chord_kind(tail)
    harmony = _sub(parent, "harmony", **{"print-frame": "no"})
    r = _sub(harmony, "root")
    _sub(r, "root-step", root[0])
    if len(root) > 1:
        _sub(r, "root-alter", -1 if root[1] == "b" else 1)
    _sub(harmony, "kind", kind, text=tail)
    for value, alter, kind_of in degrees:
        d = _sub(harmony, "degree")
        _sub(d, "degree-value", value)
        _sub(d, "degree-alter", alter)
        _sub(d, "degree-type", kind_of)
    if offset:
        _sub(harmony, "offset", offset)


def _note(measure: ET.Element, ticks: int, pitch: int | None, *, unit: int, key: tuple[int, bool],
          tie_in: bool = False, tie_out: bool = False, lyric: tuple[str, str] | None = None, whole_bar: bool = False) -> None:
    """One ``<note>`` (a rest when ``pitch`` is None) of ``ticks``, a written value unless ``whole_bar``."""
    note = _sub(measure, "note")
    if pitch is None:
        _sub(note, "rest", **({"measure": "yes"} if whole_bar else {}))
    else:
        step, alter, octave = pitch_spelling(pitch, tonic=key[0], flats=key[1])
        p = _sub(note, "pitch")
        _sub(p, "step", step)
        if alter:
            _sub(p, "alter", alter)
        _sub(p, "octave", octave)
    _sub(note, "duration", ticks // unit)
    ties = [kind for kind, on in (("stop", tie_in), ("start", tie_out)) if on]
    for kind in ties:
        _sub(note, "tie", type=kind)
    _sub(note, "voice", 1)
    if not whole_bar:
        name, dots = _TYPE_OF.get(ticks, ("64th", 0))
        _sub(note, "type", name)
        for _ in range(dots):
            _sub(note, "dot")
    if ties:
        notations = _sub(note, "notations")
        for kind in ties:
            _sub(notations, "tied", type=kind)
    if lyric is not None:
        lyr = _sub(note, "lyric", number="1")
        _sub(lyr, "syllabic", lyric[0])
        _sub(lyr, "text", lyric[1])


def _syllabic(first: bool, continues: bool) -> str:
    if first:
        return "begin" if continues else "single"
    return "middle" if continues else "end"


def _timeline(song: Song, end: int) -> list[tuple[int, int, int | None, tuple[str, str] | None]]:
    """The sung line as (start, dur, pitch or None, lyric) from tick 0 to ``end``, rests included."""
    notes = sorted(song.vocal, key=lambda n: n.start)
    out: list[tuple[int, int, int | None, tuple[str, str] | None]] = []
    now = 0
    for i, n in enumerate(notes):
        start = max(_snap(n.start), now)
        stop = _snap(n.start + n.dur)
        if i + 1 < len(notes):
            stop = min(stop, _snap(notes[i + 1].start))
        stop = max(stop, start + _GRID)
        if start > now:
            out.append((now, start - now, None, None))
        onset = n.onset
        out.append((start, stop - start, n.pitch, (_syllabic(onset.first_in_word, onset.continues), onset.syllable)))
        now = stop
    if end > now:
        out.append((now, end - now, None, None))
    return out


def _divisions_unit(ticks: Iterable[int]) -> int:
    """Ticks per MusicXML division: the largest divisor of PPQ that divides every tick."""
    unit = PPQ
    for t in ticks:
        unit = math.gcd(unit, t)
        if unit == _GRID:
            break
    return max(unit, _GRID)


_Segment = tuple[int, int, "int | None", "tuple[str, str] | None", bool, bool]


def _segments(timeline: list[tuple[int, int, int | None, tuple[str, str] | None]], bar: int,
              marks: list[int]) -> list[_Segment]:
    """Cut the timeline at barlines (notes, tied) and at chord or section starts (rests only).

    Each segment is (start, end, pitch, lyric, tied from before, tied onwards).
    """
    out: list[_Segment] = []
    for start, dur, pitch, lyric in timeline:
        end = start + dur
        cuts = set(range((start // bar + 1) * bar, end, bar))
        if pitch is None:
            cuts.update(m for m in marks[bisect.bisect_right(marks, start):bisect.bisect_left(marks, end)])
        points = [start, *sorted(cuts), end]
        for a, b in zip(points, points[1:]):
            tied = pitch is not None
            out.append((a, b, pitch, lyric if a == start else None, tied and a > start, tied and b < end))
    return out


def song_to_musicxml(song: Song) -> str:
    """The text of song.musicxml: a MusicXML 4.0 partwise lead sheet."""
    plan = song.plan
    bar = plan.bar_ticks
    last = max([plan.total_ticks] + [_snap(n.start + n.dur) for n in song.vocal]
               + [c.start + c.dur for c in song.chords])
    n_bars = max(1, -(-last // bar))
    end = n_bars * bar
    timeline = _timeline(song, end)
    chord_at: dict[int, Chord] = {}
    for c in song.chords:
        chord_at.setdefault(_snap(c.start), c)
    section_at = {s.start: s.name for s in plan.sections}
    unit = _divisions_unit([bar, *(t for t, _d, _p, _l in timeline), *(d for _t, d, _p, _l in timeline),
                                  *chord_at])
    key = (plan.tonic, uses_flats(plan.tonic, plan.mode))

    root = ET.Element("score-partwise", version="4.0")
    _sub(_sub(root, "work"), "work-title", song.title)  # once: readers print a movement-title as well
    ident = _sub(root, "identification")
    _sub(ident, "creator", "Songgram", type="composer")
    sender = song.analysis.sender
    _sub(ident, "creator", f"Words by {sender} and Songgram" if sender else "Songgram", type="lyricist")
    _sub(ident, "rights", COPYRIGHT)
    encoding = _sub(ident, "encoding")
    _sub(encoding, "software", f"Songgram {song.engine}")
    misc = _sub(ident, "miscellaneous")
    for name, value in (("genre", plan.genre), ("vibe", plan.vibe), ("seed", song.seed)):
        _sub(misc, "miscellaneous-field", value, name=name)
    part_list = _sub(root, "part-list")
    vocal_track = next((t for t in song.tracks if t.role == "vocal"), None)
    score_part = _sub(part_list, "score-part", id="P1")
    _sub(score_part, "part-name", "Voice")
    _sub(score_part, "part-abbreviation", "V.")
    _sub(_sub(score_part, "score-instrument", id="P1-I1"), "instrument-name", "Voice")
    midi = _sub(score_part, "midi-instrument", id="P1-I1")
    _sub(midi, "midi-channel", (vocal_track.channel if vocal_track else 0) + 1)
    _sub(midi, "midi-program", (vocal_track.program if vocal_track else 52) + 1)
    part = _sub(root, "part", id="P1")

    pitches = sorted(n.pitch for n in song.vocal)
    low_voice = bool(pitches) and pitches[len(pitches) // 2] < 60
    beat = PPQ * 3 // 2 if plan.meter == (6, 8) else PPQ
    by_bar: list[list[_Segment]] = [[] for _ in range(n_bars)]
    for seg in _segments(timeline, bar, sorted(set(chord_at) | set(section_at))):
        by_bar[seg[0] // bar].append(seg)
    for index, segments in enumerate(by_bar):
        bar_start = index * bar
        measure = _sub(part, "measure", number=str(index + 1))
        if index and bar_start in section_at:
            _sub(measure, "print", **{"new-system": "yes"})
        if index == 0:
            _attributes(measure, song, unit, low_voice)
            _tempo(measure, plan)
        for seg_start, seg_end, pitch, lyric, tie_in, tie_out in segments:
            for tick, name in section_at.items():
                if seg_start <= tick < seg_end:
                    direction = _sub(measure, "direction", placement="above")
                    _sub(_sub(direction, "direction-type"), "rehearsal", name, **{"font-weight": "bold"})
                    if tick > seg_start:
                        _sub(direction, "offset", (tick - seg_start) // unit)
            for tick in sorted(t for t in chord_at if seg_start <= t < seg_end):
                _harmony(measure, chord_at[tick], (tick - seg_start) // unit)
            if pitch is None and seg_end - seg_start == bar:
                _note(measure, bar, None, unit=unit, key=key, whole_bar=True)
                continue
            values = (_rest_values(seg_start - bar_start, seg_end - seg_start, beat) if pitch is None
                      else note_values(seg_end - seg_start, pos=seg_start - bar_start, beat=beat))
            for k, value in enumerate(values):
                _note(measure, value, pitch, unit=unit, key=key, tie_in=tie_in or k > 0,
                      tie_out=tie_out or k + 1 < len(values), lyric=lyric if k == 0 else None)
        if index + 1 == n_bars or bar_start + bar in section_at:
            barline = _sub(measure, "barline", location="right")
            _sub(barline, "bar-style", "light-heavy" if index + 1 == n_bars else "light-light")
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + _DOCTYPE + "\n" + body + "\n"


def _attributes(measure: ET.Element, song: Song, unit: int, low_voice: bool) -> None:
    plan = song.plan
    attributes = _sub(measure, "attributes")
    _sub(attributes, "divisions", PPQ // unit)
    key = _sub(attributes, "key")
    _sub(key, "fifths", key_fifths(plan.tonic, plan.mode))
    _sub(key, "mode", mode_info(plan.mode).family)  # MuseScore 3 takes only major and minor: see _tempo
    time = _sub(attributes, "time")
    _sub(time, "beats", plan.meter[0])
    _sub(time, "beat-type", plan.meter[1])
    clef = _sub(attributes, "clef")
    _sub(clef, "sign", "G")
    _sub(clef, "line", 2)
    if low_voice:
        _sub(clef, "clef-octave-change", -1)


def _tempo(measure: ET.Element, plan: Plan) -> None:
    """The tempo mark, then words for what the key signature and the tempo cannot say.

    A modal key is named in words ("D dorian"), as ``<key><mode>`` carries only
    the major or minor its readers accept. Swing is the word "Swing" (or
    "Light swing") with the ratio of the eighths: each off-beat eighth is late
    by ``swing`` of an eighth, so the pair is played (1 + swing) : (1 - swing).
    MusicXML 4.0's ``<sound><swing>`` is not written, as MuseScore 3 refuses
    the file that has it.
    """
    tempo, meter, swing = plan.tempo, plan.meter, plan.swing
    direction = _sub(measure, "direction", placement="above")
    metronome = _sub(_sub(direction, "direction-type"), "metronome", parentheses="no")
    if meter == (6, 8) and tempo * 2 % 3 == 0:
        _sub(metronome, "beat-unit", "quarter")
        _sub(metronome, "beat-unit-dot")
        _sub(metronome, "per-minute", tempo * 2 // 3)
    else:
        _sub(metronome, "beat-unit", "quarter")
        _sub(metronome, "per-minute", tempo)
    words = []
    if mode_info(plan.mode).family != plan.mode:
        words.append(f"{plan.key_name} {plan.mode}")
    if swing > 0:
        first, second = round(100 * (1 + swing)), round(100 * (1 - swing))
        common = math.gcd(first, second)
        words.append(f"{'Swing' if swing >= 0.25 else 'Light swing'} {first // common}:{second // common}")
    if words:
        _sub(_sub(direction, "direction-type"), "words", ", ".join(words))
    _sub(direction, "sound", tempo=str(tempo))
