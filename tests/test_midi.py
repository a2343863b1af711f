"""song.mid read back with three independent readers: mido, pretty_midi and music21."""

from __future__ import annotations

import io

import mido
import pretty_midi
import pytest

from conftest import composed, example_messages


@pytest.fixture(scope="module")
def midi_bytes(demo_song) -> bytes:
    return demo_song.to_midi()


def test_type_1_with_conductor_and_named_tracks(midi_bytes, demo_song):
    mid = mido.MidiFile(file=io.BytesIO(midi_bytes))
    assert mid.type == 1
    conductor = mid.tracks[0]
    kinds = {m.type for m in conductor}
    assert {"set_tempo", "time_signature", "key_signature", "marker", "track_name", "copyright"} <= kinds
    title = next(m.name for m in conductor if m.type == "track_name")
    assert title == "A song for Mom"
    markers = [m.text for m in conductor if m.type == "marker"]
    assert markers == [s.name for s in demo_song.plan.sections]
    names = [next(m.name for m in t if m.type == "track_name") for t in mid.tracks[1:]]
    assert names[0] == "Vocal" and {"Drums", "Bass", "Chords"} <= set(names)
    assert all(not any(m.type == "note_on" for m in t) for t in mid.tracks[:1])


def test_drums_on_channel_ten_and_programs_set(midi_bytes):
    mid = mido.MidiFile(file=io.BytesIO(midi_bytes))
    for track in mid.tracks[1:]:
        name = next(m.name for m in track if m.type == "track_name")
        channels = {m.channel for m in track if m.type == "note_on"}
        assert len(channels) == 1
        assert (channels == {9}) == (name == "Drums")
        assert any(m.type == "program_change" for m in track)
        controls = {m.control for m in track if m.type == "control_change"}
        assert {7, 10, 91, 93} <= controls


def test_one_lyric_per_syllable_at_its_note_on(midi_bytes, demo_song):
    mid = mido.MidiFile(file=io.BytesIO(midi_bytes))
    vocal = next(t for t in mid.tracks if any(m.type == "track_name" and m.name == "Vocal" for m in t))
    now = 0
    lyrics, note_ons = [], []
    for msg in vocal:
        now += msg.time
        if msg.type == "lyrics":
            lyrics.append((now, msg.text))
        elif msg.type == "note_on" and msg.velocity > 0:
            note_ons.append(now)
    assert len(lyrics) == len(note_ons) == len(demo_song.vocal)
    assert [t for t, _ in lyrics] == note_ons
    assert [text for _, text in lyrics] == [n.lyric for n in demo_song.vocal]
    multi = [n for n in demo_song.vocal if n.onset.continues]
    assert multi and all(n.lyric.endswith("-") for n in multi)


def test_pretty_midi_reads_every_part(midi_bytes, demo_song):
    pm = pretty_midi.PrettyMIDI(io.BytesIO(midi_bytes))
    by_name = {i.name: i for i in pm.instruments}
    assert by_name["Drums"].is_drum
    assert len(by_name["Vocal"].notes) == len(demo_song.vocal)
    assert abs(pm.get_end_time() - demo_song.seconds) < 4.0
    assert [round(pm.estimate_tempo()) > 0]
    assert len(pm.lyrics) == len(demo_song.vocal)


def test_music21_reads_parts_key_and_tempo(midi_bytes, demo_song, tmp_path):
    import music21
    path = tmp_path / "song.mid"
    path.write_bytes(midi_bytes)
    score = music21.converter.parse(str(path))
    assert len(score.parts) >= 4
    marks = list(score.flatten().getElementsByClass(music21.tempo.MetronomeMark))
    assert marks and round(marks[0].number) == demo_song.plan.tempo
    sigs = list(score.flatten().getElementsByClass(music21.key.KeySignature))
    assert sigs


@pytest.mark.parametrize("example", example_messages(), ids=lambda e: e["to"])
@pytest.mark.parametrize("genre", ("pop", "ballad", "rock"))
def test_every_example_reads_back(example, genre):
    song = composed(example["message"], example["to"], genre, example["vibe"], 3)
    mid = mido.MidiFile(file=io.BytesIO(song.to_midi()))
    vocal = next(t for t in mid.tracks if any(m.type == "track_name" and m.name == "Vocal" for m in t))
    assert sum(1 for m in vocal if m.type == "lyrics") == len(song.vocal) > 0
    for track in mid.tracks[1:]:
        for msg in track:
            if msg.type == "note_on":
                assert 0 <= msg.note <= 127
