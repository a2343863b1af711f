"""scripts/evaluate.py: each metric computed on tiny hand-made MIDI files, passing and failing.

The files are built with mido as the engine writes them (type 1, a conductor
track with time signature, key signature and markers, a ``Vocal`` track with a
lyric event before each note-on, band tracks, drums on channel 10), saved to
bytes and read back, so the metrics see exactly what they see in song.mid.
"""

from __future__ import annotations

import io

import mido
import pytest

from composer.tools import evaluate as ev
from composer.tools import evaluate_run as run

TPB = 480


def _track(name: str, events: list[tuple[int, int, mido.Message | mido.MetaMessage]]) -> mido.MidiTrack:
    track = mido.MidiTrack([mido.MetaMessage("track_name", name=name, time=0)])
    now = 0
    for tick, _, msg in sorted(events, key=lambda e: (e[0], e[1])):
        track.append(msg.copy(time=tick - now))
        now = tick
    return track


def _notes(notes, channel: int, lyrics: bool = False):
    """(beat, beats, pitch[, lyric]) -> timed events; beats are quarter notes."""
    events = []
    for beat, beats, pitch, *lyric in notes:
        on, off = round(beat * TPB), round((beat + beats) * TPB)
        if lyrics:
            events.append((on, 1, mido.MetaMessage("lyrics", text=lyric[0])))
        events.append((on, 2, mido.Message("note_on", channel=channel, note=pitch, velocity=90)))
        events.append((off, 0, mido.Message("note_off", channel=channel, note=pitch, velocity=0)))
    return events


def song(vocal=(), band=(), drums=(), *, meter=(4, 4), sections=(("Verse 1", "verse", 0),), keys=((0, "C"),),
         info=None, lead=()):
    """A Song read back from a hand-made song.mid; sections are (name, kind, start beat)."""
    conductor = [(0, 0, mido.MetaMessage("time_signature", numerator=meter[0], denominator=meter[1]))]
    conductor += [(round(b * TPB), 1, mido.MetaMessage("key_signature", key=k)) for b, k in keys]
    conductor += [(round(b * TPB), 2, mido.MetaMessage("marker", text=n)) for n, _, b in sections]
    mid = mido.MidiFile(type=1, ticks_per_beat=TPB)
    mid.tracks.append(_track("A song", conductor))
    mid.tracks.append(_track("Vocal", [(0, 0, mido.Message("program_change", channel=0, program=85))]
                             + _notes(vocal, 0, lyrics=True)))
    mid.tracks.append(_track("Chords", [(0, 0, mido.Message("program_change", channel=2, program=4))]
                             + _notes(band, 2)))
    if lead:
        mid.tracks.append(_track("Lead", _notes(lead, 1)))
    mid.tracks.append(_track("Drums", [(0, 0, mido.Message("program_change", channel=9, program=0))]
                             + _notes(drums, 9)))
    data = io.BytesIO()
    mid.save(file=data)
    full = {"swing": 0.0, "tonic": 0, "mode": "major", "key": "C",
            "sections": [{"name": n, "kind": k} for n, k, _ in sections]} | (info or {})
    return ev.read_song(mido.MidiFile(file=io.BytesIO(data.getvalue())), full, "t")


def sung(*items, start=0.0, step=1.0, pitch=64):
    """Syllables on successive beats: sung("hap-", "py") -> vocal notes."""
    return [(start + i * step, step, pitch, s) for i, s in enumerate(items)]


# ---------------------------------------------------------------- reading and metre


def test_read_song_splits_vocal_band_drums_and_keeps_lyrics():
    s = song(sung("hel-", "lo"), band=[(0, 4, 60)], drums=[(0, 0.25, 36)])
    assert [(n.on, n.pitch, n.lyric) for n in s.vocal] == [(0, 64, "hel-"), (480, 64, "lo")]
    assert [n.pitch for n in s.band] == [60] and [n.pitch for n in s.drums] == [36]
    assert s.programs == {("", 85), ("", 4), ("drums", 0)}
    assert ev.words(s)[0][0] == "hello" and s.markers == [(0, "Verse 1")]


@pytest.mark.parametrize("meter, beat, swing, expected", [
    ((4, 4), 0, 0, 4), ((4, 4), 1, 0, 2), ((4, 4), 2, 0, 3), ((4, 4), 3, 0, 2), ((4, 4), 0.5, 0, 1),
    ((4, 4), 2.25, 0, 0), ((4, 4), 4, 0, 4), ((4, 4), 6, 0, 3),
    ((3, 4), 0, 0, 4), ((3, 4), 1, 0, 2), ((3, 4), 2, 0, 2), ((3, 4), 1.5, 0, 1), ((3, 4), 3, 0, 4),
    ((6, 8), 0, 0, 4), ((6, 8), 1.5, 0, 2), ((6, 8), 0.5, 0, 1), ((6, 8), 1, 0, 1), ((6, 8), 2.5, 0, 1),
    ((6, 8), 3, 0, 4), ((6, 8), 0.75, 0, 0),
    ((4, 4), 1.5 + 77 / 480, 0.33, 1),   # a swung off-beat: 77 ticks late <= 0.33 x 240
    ((4, 4), 1.5 + 77 / 480, 0, 0),      # the same onset, straight: a sixteenth-ish position
    ((4, 4), 1.5 + 100 / 480, 0.33, 0),  # later than the swing allows
], ids=lambda v: str(v))
def test_metrical_weights(meter, beat, swing, expected):
    s = song(meter=meter, info={"swing": swing})
    assert ev.weight(s, round(beat * TPB)) == expected


def test_bars_are_counted_across_a_meter_change():
    s = song()
    s.meters = [(0, 4, 4), (2 * 1920, 3, 4)]
    assert ev.locate(s, 2 * 1920 + 1440) == (3, 0, 3, 4)
    assert ev.where(s, 2 * 1920 + 1440 + 480) == "bar 4 beat 2"


# ---------------------------------------------------------------- issue 3


def test_stress_agreement_passes_and_fails():
    good = sung("hap-", "py", start=0)            # HAP on beat 1 (4), py on beat 2 (2)
    bad = sung("birth-", "day", start=5)          # BIRTH on beat 2 (2), day on beat 3 (3)
    tie = sung("a-", "gain", start=9)             # a- on beat 2 (2), GAIN on beat 3 (3): agrees
    # skipped: not in CMU; one syllable; CMU has no one-syllable "love" sung on two notes
    skipped = sung("Zor-", "blax", start=12) + sung("love", start=14) + sung("lo-", "ve", start=15)
    t = ev.stress_agreement(song(good + bad + tie + skipped))
    assert (t.hits, t.total) == (2, 3)
    assert "“birthday”" in t.offenders[0][1] and "bar 2 beat 2" in t.offenders[0][1]


def test_stress_agreement_with_equal_weights_counts_as_agreement():
    t = ev.stress_agreement(song(sung("hap-", "py", start=1, step=2)))  # beats 2 and 4, both weight 2
    assert (t.hits, t.total) == (1, 1)


def test_weak_downbeats():
    vocal = (sung("the", start=0) + sung("love", start=4) + sung("a-", "gain", start=8)
             + sung("to-", "day", start=11) + sung("you", start=16.5))    # "you" not on a bar start
    t = ev.weak_downbeats(song(vocal))
    # bar starts: the (weak), love (strong), a- (unstressed syllable), day (stressed): 2 of 4
    assert (t.hits, t.total) == (2, 4)
    assert {o[1].split("“")[1].split("”")[0] for o in t.offenders} == {"the", "a-"}
    assert ev.summarise("weak", [t])["pass"] is False
    assert ev.summarise("weak", [ev.weak_downbeats(song(sung("love", start=4)))])["pass"] is True


def test_message_words_follow_the_spelled_numbers():
    spelled = ["Happy", "sixtieth", "Tita", "Carmen"]
    assert ev.message_words("Happy 60th, Tita Carmen! \u2764\ufe0f", spelled) == ["happy", "sixtieth", "tita", "carmen"]
    assert ev.message_words("I\u2019m José", ["I'm", "José"]) == ["i'm", "jose"]
    assert ev.message_words("Thanks, Mr. Patel.", ["Thanks", "Mister", "Patel"]) == ["thanks", "mister", "patel"]
    assert ev.message_words("Thanks, Mr. Patel.", ["Thanks", "Patel"]) == ["thanks", "mr", "patel"]   # dropped


def test_message_sung_counts_each_sung_word_once():
    s = song(sung("I", "love", "you"), info={"analysis": {"words": [{"text": w} for w in "I love you you".split()]}})
    t = ev.message_sung(s, "I love you, you!")
    assert (t.hits, t.total) == (3, 4) and "“you” not sung" in t.offenders[0][1]


def test_name_in_every_chorus():
    sections = (("Chorus 1", "chorus", 0), ("Verse 2", "verse", 8), ("Chorus 2", "chorus", 16))
    both = song(sung("Hi", "Ma-", "ya", start=0) + sung("la", start=8) + sung("Ma-", "ya", start=16), sections=sections)
    first = song(sung("Hi", "Ma-", "ya", start=0) + sung("Ma-", "ya", start=8) + sung("la", start=16),
                 sections=sections)
    assert ev.name_in_choruses(both, "Maya").hits == 1
    t = ev.name_in_choruses(first, "Maya")
    assert t.hits == 0 and "Chorus 2" in t.offenders[0][1]
    assert ev.name_in_choruses(song(sung("Ma-", "ya")), "Maya") == (0, 1, [(1, "t: no chorus")])


def test_name_is_spelled_as_song_json_sings_it():
    sections = (("Chorus 1", "chorus", 0),)
    sir = song(sung("Mis-", "ter", "Pa-", "tel"), sections=sections, info={"input": {"to": "Mister Patel"}})
    assert ev.name_in_choruses(sir, "Mr. Patel").hits == 1
    short = song(sung("Pa-", "tel"), sections=sections, info={"input": {"to": "Mister Patel"}})
    assert ev.name_in_choruses(short, "Mr. Patel").hits == 0
    year = {"input": {"to": "Class of twenty twenty-six"}}
    for tune in (sung("Class", "of", "twen-", "ty", "twen-", "ty", "six"),       # sung as two words
                 sung("Class", "of", "twen-", "ty", "twen-", "ty-", "six")):     # or as one
        assert ev.name_in_choruses(song(tune, sections=sections, info=year), "Class of 2026").hits == 1


# ---------------------------------------------------------------- issue 4


C_MAJOR = [(0, 4, 48), (0, 4, 52), (0, 4, 55)]


def test_chord_tones_on_strong_beats():
    vocal = [(0, 1, 64, "one"), (0.5, 0.5, 62, "off"), (2, 1, 65, "three")]  # E hit, D off-beat ignored, F miss
    t = ev.chord_tones(song(vocal, band=C_MAJOR, info={"chords": [{"start_beat": 0.0, "symbol": "C"}]}))
    assert (t.hits, t.total) == (1, 2) and "F “three” over C E G (song.json: C), bar 1 beat 3" in t.offenders[0][1]


def test_chord_tones_allow_a_late_hit_but_not_a_late_release():
    late_f = [(4 + 20 / 480, 4, 53), (4 + 20 / 480, 4, 57), (4 + 20 / 480, 4, 60)]  # F chord 20 ticks late
    ringing = [(0, 4 + 5 / 480, 48), (0, 4 + 5 / 480, 52), (0, 4 + 5 / 480, 55)]     # C chord released 5 late
    t = ev.chord_tones(song([(4, 1, 65, "fa")], band=ringing + late_f))
    assert (t.hits, t.total) == (1, 1)
    t = ev.chord_tones(song([(4, 1, 64, "mi")], band=ringing + late_f))
    assert (t.hits, t.total) == (0, 1)


def test_chord_tones_ignore_a_track_that_doubles_the_tune():
    vocal = [(0, 1, 66, "fi"), (1, 1, 68, "si")]
    t = ev.chord_tones(song(vocal, band=C_MAJOR, lead=[(0, 1, 78), (1, 1, 80)]))
    assert (t.hits, t.total) == (0, 2)
    humanised = [(0 + 5 / 480, 1, 78), (1 - 6 / 480, 1, 80)]            # a few ticks off, an octave up
    t = ev.chord_tones(song(vocal, band=C_MAJOR, lead=humanised))
    assert (t.hits, t.total) == (0, 2)
    fills = [(0.5, 1.5, 68), (2.5, 1, 72), (3.5, 0.5, 74)]               # a counter-line: harmony
    t = ev.chord_tones(song(vocal, band=C_MAJOR, lead=fills))
    assert (t.hits, t.total) == (1, 2)                                    # G# sounds under "si"


@pytest.mark.parametrize("tonic, mode, pitch, ok", [
    (0, "major", 64, True), (0, "major", 66, False), (9, "minor", 68, True), (9, "minor", 66, False),
    (2, "dorian", 71, True), (2, "dorian", 70, False), (7, "mixolydian", 65, True), (7, "mixolydian", 66, False),
])
def test_in_scale(tonic, mode, pitch, ok):
    t = ev.in_scale(song([(0, 1, pitch, "la")], info={"tonic": tonic, "mode": mode}))
    assert (t.hits, t.total) == (int(ok), 1)


def test_in_scale_follows_a_key_lift():
    vocal = [(0, 1, 66, "fi"), (8, 1, 66, "fi")]   # F#: outside C, inside D after the lift at bar 3
    t = ev.in_scale(song(vocal, keys=((0, "C"), (8, "D"))))
    assert (t.hits, t.total) == (1, 2) and "bar 1" in t.offenders[0][1]


@pytest.mark.parametrize("declared, found, ok", [
    ((0, "major"), (0, "major"), True), ((0, "major"), (9, "minor"), False), ((9, "minor"), (0, "major"), False),
    ((9, "minor"), (9, "minor"), True), ((2, "dorian"), (2, "minor"), True), ((2, "dorian"), (0, "major"), True),
    ((2, "dorian"), (9, "minor"), True), ((2, "dorian"), (2, "major"), False), ((7, "mixolydian"), (7, "major"), True),
    ((7, "mixolydian"), (0, "major"), True), ((7, "mixolydian"), (9, "minor"), True),
    ((7, "mixolydian"), (4, "minor"), False), ((7, "mixolydian"), (7, "minor"), False),
])
def test_key_agreement_rule(declared, found, ok):
    assert ev.key_agrees(*declared, *found) is ok


def test_key_agreement_runs_music21_on_the_pitched_tracks():
    tune = sung("do", "re", "mi", "fa", "sol", "la", "ti", "do", pitch=60)
    tune = [(b, d, p, s) for (b, d, _, s), p in zip(tune, (60, 62, 64, 65, 67, 69, 71, 72))]
    band = C_MAJOR + [(4, 2, 53), (4, 2, 57), (4, 2, 60), (6, 2, 55), (6, 2, 59), (6, 2, 62)] + \
        [(8, 4, 48), (8, 4, 52), (8, 4, 55)]
    drums = [(b, 0.25, 42) for b in range(12)] * 1   # a hat on every beat must not matter
    s = song(tune, band=band, drums=drums)
    assert ev.analysed_key(s) == (0, "major")
    assert ev.key_agreement(s).hits == 1
    wrong = song(tune, band=band, info={"tonic": 9, "mode": "minor", "key": "A"})
    t = ev.key_agreement(wrong)
    assert t.hits == 0 and "declared A minor, music21 C major" in t.offenders[0][1]


@pytest.mark.parametrize("low, high, ok", [(60, 72, True), (60, 67, True), (60, 77, True), (60, 65, False),
                                           (55, 74, False)])
def test_vocal_span(low, high, ok):
    assert ev.vocal_span(song([(0, 1, low, "a"), (1, 1, high, "b")])).hits == int(ok)


CHORUSES = (("Chorus 1", "chorus", 0), ("Verse 2", "verse", 8), ("Chorus 2", "chorus", 16))


def _tune(pitches, start):
    return [(start + i, 1, p, "la") for i, p in enumerate(pitches)]


def test_chorus_repeats_even_when_lifted_a_step():
    hook = [60, 62, 64, 65, 67]
    t = ev.chorus_repeats(song(_tune(hook, 0) + _tune([50, 51], 8) + _tune([p + 2 for p in hook], 16),
                               sections=CHORUSES))
    assert (t.hits, t.total) == (1, 1)


def test_chorus_repeats_fails_on_a_new_melody_and_is_na_with_one_chorus():
    t = ev.chorus_repeats(song(_tune([60, 62, 64, 65, 67], 0) + _tune([60, 69, 61, 70, 63], 16), sections=CHORUSES))
    assert (t.hits, t.total) == (0, 1) and "Chorus 2 vs Chorus 1" in t.offenders[0][1]
    one = (("Chorus 1", "chorus", 0),)
    assert ev.chorus_repeats(song(_tune([60, 62], 0), sections=one)).total == 0


def test_similarity():
    assert ev.similarity([60, 62, 64, 65], [60, 62, 64, 65]) == 1.0
    assert ev.similarity([60, 62, 64, 65], [67, 69, 71, 72]) == 1.0          # a fifth up
    assert ev.similarity([60, 62, 64, 65], [60, 62, 64, 67]) == 0.75
    assert ev.similarity([60, 62, 64, 65], [61, 70, 58, 75]) < 0.8


def test_melody_moves_count_steps_and_leaps_within_lines_only():
    pitches = [60, 62, 62, 69, 67, 50]              # moves 2, 0, 7, 2 in line 0; 67 -> 50 crosses lines
    vocal = _tune(pitches, 0)
    lines = [{"start_beat": float(i), "line": 0 if i < 5 else 1} for i in range(6)]
    steps, leaps = ev.melody_moves(song(vocal, info={"vocal": lines}))
    assert (steps.hits, steps.total, leaps.hits, leaps.total) == (3, 4, 1, 4)
    assert "leap of 7" in leaps.offenders[0][1]
    assert ev.summarise("steps", [steps])["pass"] is True      # 0.75 in 0.59..0.88
    assert ev.summarise("leaps", [leaps])["pass"] is False     # 0.25 > 0.09
    assert steps.offenders == []


def test_melody_moves_name_a_song_whose_moves_are_mostly_skips():
    vocal = _tune([60, 64, 67, 64, 60, 62], 0)      # moves 4, 3, 3, 4, 2: one step in five
    steps, leaps = ev.melody_moves(song(vocal, info={"vocal": [{"start_beat": float(i), "line": 0} for i in range(6)]}))
    assert (steps.hits, steps.total, leaps.hits) == (1, 5, 0)
    assert "0.20 of 5 moves are steps" in steps.offenders[0][1]
    assert ev.summarise("steps", [steps])["pass"] is False


def test_drum_pattern_is_the_first_verse_and_ignores_humanising():
    sections = (("Intro", "intro", 0), ("Verse 1", "verse", 4), ("Chorus 1", "chorus", 12))
    groove = [(4 + b, 0.25, 36) for b in (0, 2, 4, 6)] + [(5 + b, 0.25, 38) for b in (0, 2, 4, 6)]
    nudged = [(b + 3 / 480, d, p) for b, d, p in groove]
    intro = [(0, 0.25, 49)]
    a = ev.drum_pattern(song(drums=intro + groove, sections=sections))
    assert a == {(36, 0), (36, 24), (38, 12), (38, 36)}
    assert ev.drum_pattern(song(drums=nudged, sections=sections)) == a
    assert ev.drum_pattern(song(drums=groove + [(4.5, 0.25, 42)], sections=sections)) != a


def test_genre_pairs_alike_only_when_programs_and_drums_match(capsys):
    groove = [(0, 0.25, 36), (1, 0.25, 38)]
    a = song(drums=groove, info={"tempo": 100, "meter": "4/4"})
    b = song(drums=groove, info={"tempo": 100, "meter": "4/4"})
    c = song(drums=groove + [(0.5, 0.25, 42)], info={"tempo": 140, "meter": "3/4"})
    tallies, rows = ev.genre_table({"pop": a, "rock": b, "jazz": c})
    assert sum(t.hits for t in tallies) == 2 and len(tallies) == 3
    assert [o[1] for t in tallies for o in t.offenders] == ["pop = rock: same programs and drum pattern"]
    assert "pop ~ rock" in capsys.readouterr().out and len(rows) == 3


# ---------------------------------------------------------------- aggregation and jobs


def test_summarise_and_offenders():
    tallies = [ev.Tally(1, 2, [(1, "a: x"), (3, "a: y"), (2, "a: z")]), ev.Tally(0, 0, []),
               ev.Tally(2, 2, [(5, "b: w")])]
    f = ev.summarise("stress", tallies)
    assert (f["value"], f["total"], f["pass"], f["target"]) == (0.75, 4, False, ">= 0.95")
    assert ev.summarise("stress", [ev.Tally(0, 0, [])])["value"] is None
    assert ev.offenders(tallies, 10) == ["b: w", "a: y", "a: z"]   # worst first, two per song


def test_plan_jobs(tmp_path):
    data = tmp_path / "m.jsonl"
    data.write_text('{"message": "Hi there", "to": "Al", "genre": "pop", "vibe": "chill"}\n'
                    '{"message": "Yo", "to": "Bo", "genre": "rock", "vibe": "epic"}\n', encoding="utf-8")
    jobs = run.plan_jobs([data], ["pop", "rock"], [1], all_genres=False, checks=1, work=tmp_path)
    ids = [j["id"] for j in jobs]
    assert ids == ["m/00-pop-s1", "m/00-pop-s1-seed", "m/00-pop-s1-again", "m/01-rock-s1", "genres/pop", "genres/rock"]
    assert jobs[1]["seed"] == 2 and jobs[2]["seed"] == 1 and jobs[1]["base"] == "m/00-pop-s1"
    every = run.plan_jobs([data], ["pop", "rock"], [1, 2], all_genres=True, checks=0, work=tmp_path)
    assert len(every) == 2 * 2 * 2 and not any("check" in j for j in every)
    # a message whose genre is not written yet is checked in the first genre there is
    rockless = run.plan_jobs([data], ["pop"], [1], all_genres=True, checks=2, work=tmp_path)
    assert [j["base"] for j in rockless if "check" in j] == ["m/00-pop-s1", "m/00-pop-s1", "m/01-pop-s1", "m/01-pop-s1"]
