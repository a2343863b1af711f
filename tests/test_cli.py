"""The songgram command, driven as a user would through click's CliRunner."""

from __future__ import annotations

import json

import mido
import pytest
import soundfile

from cli import main
from composer import genre_ids, vibe_ids

MESSAGE = "Mom, thank you for always cooking for us. I love you."
SIX = {"song.mid", "song.wav", "song.json", "lyrics.txt", "song.musicxml", "song.chordpro"}


@pytest.mark.slow
def test_compose_writes_all_six_files(runner, tmp_path):
    out = tmp_path / "mom"
    result = runner.invoke(main, ["compose", MESSAGE, "--to", "Mom", "--genre", "ballad", "--vibe", "heartfelt",
                                  "--seed", "7", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert SIX <= {p.name for p in out.iterdir()}
    assert not [p for p in out.iterdir() if p.name.startswith(".songgram-")]
    info = soundfile.info(str(out / "song.wav"))
    assert info.samplerate == 44100 and info.channels == 2 and info.subtype == "PCM_16"
    document = json.loads((out / "song.json").read_text())
    assert document["soundfont"]["name"] and document["soundfont"]["license"]
    assert abs(info.duration - document["seconds"]) < 5.0
    mid = mido.MidiFile(str(out / "song.mid"))
    assert any(m.type == "lyrics" for t in mid.tracks for m in t)
    lyrics = (out / "lyrics.txt").read_text()
    assert "cooking" in lyrics and "[Chorus" in lyrics


def test_no_audio_and_stdin(runner, tmp_path):
    out = tmp_path / "alex"
    result = runner.invoke(main, ["compose", "-", "--to", "Alex", "--genre", "pop", "--vibe", "upbeat", "--seed", "1",
                                  "--out", str(out), "--no-audio"], input="Keep going, you are closer than you think.\n")
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir() if not p.name.startswith(".")} == (SIX | {"song.kar"}) - {"song.wav"}
    assert json.loads((out / "song.json").read_text())["soundfont"] is None


def test_seed_is_chosen_and_printed(runner, tmp_path):
    result = runner.invoke(main, ["compose", MESSAGE, "--to", "Mom", "--genre", "pop", "--vibe", "chill",
                                  "--out", str(tmp_path / "x"), "--no-audio"])
    assert result.exit_code == 0, result.output
    seed = int(result.output.split("seed: ")[1].split()[0])
    document = json.loads((tmp_path / "x" / "song.json").read_text())
    assert document["seed"] == seed
    again = tmp_path / "y"
    runner.invoke(main, ["compose", MESSAGE, "--to", "Mom", "--genre", "pop", "--vibe", "chill", "--seed", str(seed),
                         "--out", str(again), "--no-audio"])
    assert (again / "song.mid").read_bytes() == (tmp_path / "x" / "song.mid").read_bytes()


def test_overrides_key_and_tempo(runner, tmp_path):
    result = runner.invoke(main, ["compose", MESSAGE, "--to", "Mom", "--genre", "rock", "--vibe", "epic", "--seed", "2",
                                  "--key", "F#m", "--tempo", "132", "--out", str(tmp_path), "--no-audio"])
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "song.json").read_text())
    assert (document["key"], document["mode"], document["tempo"]) == ("F#", "minor", 132)


def test_genres_and_vibes_list_every_choice_with_a_description(runner):
    genres = runner.invoke(main, ["genres"]).output.splitlines()
    assert [line.split()[0] for line in genres] == list(genre_ids())
    assert all(len(line.split()) > 3 for line in genres)
    vibes = runner.invoke(main, ["vibes"]).output.splitlines()
    assert [line.split()[0] for line in vibes] == list(vibe_ids())


def test_analyze_shows_syllables_theme_and_relation(runner):
    result = runner.invoke(main, ["analyze", MESSAGE, "--to", "Mom"])
    assert result.exit_code == 0, result.output
    assert "gratitude" in result.output or "love" in result.output
    assert "parent" in result.output
    assert "COOK" in result.output  # stressed syllable shown in capitals
    as_json = json.loads(runner.invoke(main, ["analyze", MESSAGE, "--to", "Mom", "--json"]).output)
    assert as_json["relation"] == "parent"
    assert as_json["relation_cue"] == {"source": "to", "cue": "Mom"}
    assert "(parent: 'Mom' in --to)" in result.output


@pytest.mark.parametrize("command", ["compose", "genres", "vibes", "render", "analyze"])
def test_every_command_has_help_with_an_example(runner, command):
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output


@pytest.mark.slow
def test_render_any_midi(runner, tmp_path, demo_song):
    midi = tmp_path / "in.mid"
    midi.write_bytes(demo_song.to_midi())
    result = runner.invoke(main, ["render", str(midi), "--out", str(tmp_path / "out.wav")])
    assert result.exit_code == 0, result.output
    assert soundfile.info(str(tmp_path / "out.wav")).duration > 60


def test_render_tags_the_midis_name_and_the_artist_given(runner, tmp_path):
    song = mido.MidiFile(type=1)
    song.tracks.append(mido.MidiTrack([mido.MetaMessage("track_name", name="Canción".encode().decode("latin-1"))]))
    song.tracks.append(mido.MidiTrack([mido.MetaMessage("track_name", name="Piano"),
                                       mido.Message("note_on", note=60, velocity=90),
                                       mido.Message("note_off", note=60, time=960)]))
    song.save(tmp_path / "tune.mid")
    result = runner.invoke(main, ["render", str(tmp_path / "tune.mid"), "--out", str(tmp_path / "a.mp3"),
                                  "--artist", "Ana Ruiz"])
    assert result.exit_code == 0, result.output
    with soundfile.SoundFile(str(tmp_path / "a.mp3")) as sound:
        assert (sound.title, sound.artist) == ("Canción", "Ana Ruiz")  # the sequence name, not the track's
    song.tracks[0] = mido.MidiTrack()  # no sequence name: the file's name is the title
    song.save(tmp_path / "untitled.mid")
    result = runner.invoke(main, ["render", str(tmp_path / "untitled.mid"), "--out", str(tmp_path / "b.wav")])
    assert result.exit_code == 0, result.output
    with soundfile.SoundFile(str(tmp_path / "b.wav")) as sound:
        assert (sound.title, sound.artist) == ("untitled", "")


def test_png_on_request(runner, tmp_path):
    result = runner.invoke(main, ["compose", MESSAGE, "--to", "Mom", "--genre", "folk", "--vibe", "nostalgic",
                                  "--seed", "4", "--out", str(tmp_path), "--no-audio", "--png"])
    assert result.exit_code == 0, result.output
    head = (tmp_path / "song.png").read_bytes()[:8]
    assert head == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "song.kar").stat().st_size > 1000


@pytest.mark.slow
def test_stems_one_wav_per_part_at_mix_level(runner, tmp_path):
    result = runner.invoke(main, ["compose", "Keep going, you are closer than you think.", "--to", "Alex",
                                  "--genre", "pop", "--vibe", "upbeat", "--seed", "3", "--length", "short",
                                  "--out", str(tmp_path), "--stems"])
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "song.json").read_text())
    stems = sorted(tmp_path.glob("stem-*.wav"))
    assert {p.stem for p in stems} == {"stem-" + t["name"].lower() for t in document["tracks"]}
    lengths = set()
    names = {"stem-" + t["name"].lower(): t["name"] for t in document["tracks"]}
    for path in stems:
        with soundfile.SoundFile(str(path)) as sound:  # tagged as song.wav is
            assert (sound.title, sound.artist) == (f"{document['title']} ({names[path.stem]})", "Songgram")
        audio, rate = soundfile.read(str(path))
        assert rate == 44100 and audio.shape[1] == 2
        assert 0.01 < abs(audio).max() <= 10 ** (-1 / 20) + 1e-3  # sounds, never above -1 dBFS
        lengths.add(len(audio))
    assert len(lengths) == 1


def test_stems_need_audio(runner, tmp_path):
    result = runner.invoke(main, ["compose", "Hi there, friend.", "--to", "Al", "--genre", "pop", "--vibe", "chill",
                                  "--seed", "1", "--out", str(tmp_path), "--stems", "--no-audio"])
    assert result.exit_code == 2
    assert not any(tmp_path.iterdir())


@pytest.mark.slow
def test_compose_writes_each_format_asked_with_tags(runner, tmp_path):
    out = tmp_path / "short"
    result = runner.invoke(main, ["compose", MESSAGE, "--to", "Mom", "--genre", "pop", "--vibe", "upbeat",
                                  "--seed", "3", "--length", "short", "--format", "flac",
                                  "--format", "ogg,mp3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "song.wav, song.flac, song.ogg, song.mp3" in result.output
    wav, rate = soundfile.read(str(out / "song.wav"))
    title = json.loads((out / "song.json").read_text())["title"]
    with soundfile.SoundFile(str(out / "song.wav")) as sound:  # every file is tagged, song.wav too
        assert (sound.title, sound.artist) == (title, "Songgram")
    for name in ("song.flac", "song.ogg", "song.mp3"):
        with soundfile.SoundFile(str(out / name)) as sound:
            assert (sound.samplerate, sound.channels) == (44100, 2)
            assert abs(sound.frames - len(wav)) < rate // 10  # mp3 pads a little
            assert (sound.title, sound.artist) == (title, "Songgram")
    flac, _ = soundfile.read(str(out / "song.flac"))
    assert abs(flac - wav).max() < 1e-4  # lossless: the same 16-bit samples


@pytest.mark.parametrize("args, message", [
    (["--format", "wma"], "unknown audio format 'wma'; choose from wav, flac, ogg, opus, mp3"),
    (["--format", "flac,"], "unknown audio format ''"),
    (["--no-audio", "--format", "mp3"], "--format writes audio; it cannot be used with --no-audio"),
], ids=["unknown", "empty item", "without audio"])
def test_bad_format_is_a_usage_error(runner, tmp_path, args, message):
    result = runner.invoke(main, ["compose", MESSAGE, "--to", "Mom", "--genre", "pop", "--vibe", "upbeat",
                                  "--seed", "3", "--out", str(tmp_path / "x"), *args])
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_render_takes_its_format_from_the_suffix_and_more_from_format(runner, tmp_path, demo_song):
    midi = tmp_path / "in.mid"
    midi.write_bytes(demo_song.to_midi())
    result = runner.invoke(main, ["render", str(midi), "--out", str(tmp_path / "out.flac"), "--format", "opus"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.mid", "out.flac", "out.opus"]
    assert soundfile.info(str(tmp_path / "out.flac")).format == "FLAC"
    for name in ("out.flac", "out.opus"):  # the title is the MIDI's sequence name; no artist unless given
        with soundfile.SoundFile(str(tmp_path / name)) as sound:
            assert (sound.title, sound.artist) == (demo_song.title, "")
    assert soundfile.info(str(tmp_path / "out.opus")).samplerate == 48000
    bad = runner.invoke(main, ["render", str(midi), "--out", str(tmp_path / "out.aiff")])
    assert bad.exit_code == 2 and "unknown audio suffix '.aiff'" in bad.output
