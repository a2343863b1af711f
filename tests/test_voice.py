"""The singing voice: its data, its phones and timing, and a short song sung end to end."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import mido
import numpy as np
import pytest
import soundfile

from cli import main
from composer.errors import GrammarError, InputError, RenderError
from composer.model import PPQ
from composer.voice import catalog, prepare_song
from composer.voice.festival import speak
from composer.voice.phones import lexicon_entry, syllabify
from composer.voice.score import Line, Note, lines_from_midi, lines_from_song
from composer.voice.warp import pitch_curve, time_map, units

from conftest import composed

HAVE_FESTIVAL = shutil.which("festival") is not None and all(
    any(catalog.FESTIVAL_VOICES.glob(f"*/{v.festival_voice}/festvox")) for v in catalog.voices())
needs_festival = pytest.mark.skipif(not HAVE_FESTIVAL, reason="Festival and its voices are installed by make setup")
MESSAGE = "Keep going, you are closer than you think."


def test_voices_are_data_with_two_ranges():
    found = {v.name: v for v in catalog.voices()}
    assert {"kal", "slt"} <= set(found)
    assert found["kal"].range[1] < found["slt"].range[1] and found["kal"].range[0] < found["slt"].range[0]
    for v in found.values():
        assert v.licence and v.origin and v.package.startswith("festvox-")


def test_a_bad_voice_table_names_file_and_key():
    with pytest.raises(GrammarError, match=r"rules/voices.toml \[voices.x\]: key 'range'"):
        catalog._check("x", {"range": [60, 62], "rate": 16000, "engine": "festival+world"})


def test_voice_names_forgive_case_and_suggest():
    assert catalog.voice(" SLT ").name == "slt"
    with pytest.raises(InputError, match="did you mean 'kal'"):
        catalog.voice("kall")


def test_the_default_voice_fits_the_tune():
    assert catalog.choose((45, 50, 57, 62)).voice.name == "kal"
    assert catalog.choose((64, 67, 72, 76)).voice.name == "slt"
    moved = catalog.choose((76, 79, 84, 88), name="kal")
    assert moved.shift < 0 and "octave down" in moved.reason


def test_a_missing_voice_package_is_named(monkeypatch, tmp_path):
    monkeypatch.setattr(catalog, "FESTIVAL_VOICES", tmp_path)
    with pytest.raises(RenderError, match="festvox-us-slt-hts.*make setup"):
        catalog.check_installed(catalog.voice("slt"))


def test_phones_are_syllabified_for_festival():
    assert syllabify(("HH", "AH0", "L", "OW1")) == ((("hh", "ax"), 0), (("l", "ow"), 1))
    assert lexicon_entry("sgwa", ("L", "AH1", "V")) == "(lex.add.entry '(\"sgwa\" nil (((l ah v) 1))))"


def _midi(lyrics: list[str | None], *, name: str = "Vocal") -> mido.MidiFile:
    mid = mido.MidiFile(type=1, ticks_per_beat=PPQ)
    conductor = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=500_000, time=0)])
    track = mido.MidiTrack([mido.MetaMessage("track_name", name=name, time=0)])
    for i, text in enumerate(lyrics):
        if text is not None:
            track.append(mido.MetaMessage("lyrics", text=text, time=0))
        track.append(mido.Message("note_on", note=60 + i, velocity=90, channel=0, time=0))
        track.append(mido.Message("note_off", note=60 + i, velocity=0, channel=0, time=PPQ))
    mid.tracks += [conductor, track]
    return mid


@pytest.mark.parametrize("lyrics", [["Hap-", "py", "birth-", "day", None, "to", "you"],
                                    ["Hap", "py ", "birth", "day ", "-", "to ", "you "]])
def test_lyrics_read_from_midi_in_both_conventions(lyrics):
    lines, channel = lines_from_midi(_midi(lyrics))
    assert channel == 0 and len(lines) == 1
    line = lines[0]
    assert [w for w, _ in line.words] == ["Happy", "birthday", "to", "you"]
    assert [(n.word, n.syllable) for n in line.notes] == [(0, 0), (0, 1), (1, 0), (1, 1), (1, 1), (2, 0), (3, 0)]
    assert line.notes[0].start == 0.0 and abs(line.notes[1].start - 0.5) < 1e-9  # 120 BPM


def test_rp017_line_ends_and_punctuation_end_words():
    lines, _ = lines_from_midi(_midi(["Hel", "lo,\r", "dear ", "friend/"]))
    assert [w for w, _ in lines[0].words] == ["Hello", "dear", "friend"]
    assert lines[0].words[0][1] is not None  # found in the dictionary, punctuation aside


def test_a_midi_without_lyrics_sings_nothing():
    assert lines_from_midi(_midi([None, None, None]))[0] == []


def test_song_lines_follow_the_performed_vocal_notes():
    song = composed(MESSAGE, "Alex", "jazz", "upbeat", 3, "short")
    lines = lines_from_song(song)
    vocal = next(t for t in song.tracks if t.role == "vocal")
    seconds = 60.0 / (song.plan.tempo * PPQ)
    starts = sorted(n.start for line in lines for n in line.notes)
    assert len(starts) == len(song.vocal) == len(vocal.notes)
    assert np.allclose(starts, sorted(n.start * seconds for n in vocal.notes))  # swung, as played


def test_pitch_is_held_within_25_cents_at_each_note_middle():
    rng = np.random.default_rng(1)
    notes, t = [], 0.0
    for _ in range(60):
        length = float(rng.uniform(0.12, 1.5))
        notes.append(Note(t, t + length * 0.95, float(rng.integers(55, 75)), 0, 0))
        t += length
    middles = np.array([(n.start + n.end) / 2 for n in notes])
    curve = pitch_curve(middles, notes, np.random.default_rng(2))
    assert np.all(np.abs(curve - [n.pitch for n in notes]) <= 0.25)


def test_a_weak_fundamental_is_lifted_to_near_the_second_harmonic():
    """A spoken vowel's envelope sung high can leave f0 25 dB under 2 f0 (heard an octave up): it is lifted."""
    from composer.voice.synth import _H1_MARGIN_DB, _H1_MAX_BOOST_DB, _lift_fundamental

    rate, bins = 16000, 257
    freqs = np.linspace(0, rate / 2, bins)
    formant = 1e-2 * np.exp(-0.5 * ((freqs - 780.0) / 110.0) ** 2) + 1e-6   # power, a first formant at 780 Hz
    envelope = np.tile(formant, (3, 1))
    f0 = np.array([392.0, 0.0, 120.0])   # sung G4; an unvoiced frame; a low note under no formant
    before = envelope.copy()
    _lift_fundamental(envelope, f0, rate)

    def db(row, f):
        return 10 * np.log10(np.interp(f, freqs, envelope[row]))

    deficit = 10 * np.log10(np.interp(784.0, freqs, before[0]) / np.interp(392.0, freqs, before[0]))
    assert deficit > 20
    assert db(0, 784.0) - db(0, 392.0) == pytest.approx(max(_H1_MARGIN_DB, deficit - _H1_MAX_BOOST_DB), abs=1.0)
    assert np.array_equal(envelope[1], before[1])          # unvoiced frames untouched
    assert db(0, 3000.0) == pytest.approx(10 * np.log10(np.interp(3000.0, freqs, before[0])), abs=0.01)


def test_vowels_land_on_the_beat_and_time_never_runs_back():
    from composer.voice.festival import Phone

    phones = (Phone("k", 0, 0, 0.0, 0.08), Phone("iy", 0, 0, 0.08, 0.2), Phone("p", 0, 0, 0.2, 0.26),
              Phone("g", 1, 0, 0.26, 0.32), Phone("ow", 1, 0, 0.32, 0.45), Phone("ih", 1, 1, 0.45, 0.5),
              Phone("ng", 1, 1, 0.5, 0.56))
    line = Line((("keep", None), ("going", None)),
                (Note(1.0, 1.9, 60, 0, 0), Note(2.0, 2.4, 62, 1, 0), Note(2.5, 3.9, 64, 1, 1)))
    parts = units(line, phones)
    assert len(parts) == 3
    out_t, src_t, spans = time_map(parts)
    assert np.all(np.diff(out_t) >= 0) and np.all(np.diff(src_t) >= 0)
    for part in parts:
        assert abs(np.interp(part.notes[0].start, out_t, src_t) - part.vowel[0]) < 1e-6
    assert spans[0][0] < 1.0 and spans[-1][1] == pytest.approx(3.9)


@needs_festival
def test_words_without_a_dictionary_entry_are_sung_from_letter_to_sound_rules():
    spoken = speak(catalog.voice("kal"), [[("hello", ("HH", "AH0", "L", "OW1")), ("Zorblatt", None)]])[0]
    assert {p.word for p in spoken.phones} == {0, 1}
    assert any(p.vowel for p in spoken.phones if p.word == 1)
    assert len(spoken.audio) > 0.3 * 16000


def test_no_audio_does_not_import_the_voice(tmp_path):
    code = ("import sys; from composer import compose; from composer.save import save_song; "
            f"save_song(compose({MESSAGE!r}, to='Al', genre='pop', vibe='upbeat', seed=1, length='short'), "
            f"{str(tmp_path / 's')!r}, audio=False); print(any(m.startswith('composer.voice') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_an_unknown_voice_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(main, ["compose", MESSAGE, "--to", "Al", "--genre", "pop", "--vibe", "upbeat",
                                  "--voice", "sltt", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "did you mean 'slt'" in result.output
    assert not (tmp_path / "x").exists()


def test_voices_are_listed(runner):
    result = runner.invoke(main, ["voices"])
    assert result.exit_code == 0
    rows = result.output.splitlines()
    assert len(rows) == len(catalog.voices()) and all("licence" in row and "MIDI" in row for row in rows)


def _f0(audio: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
    import pyworld

    mono = np.ascontiguousarray(audio.mean(axis=1), dtype=np.float64)
    f0, times = pyworld.dio(mono, rate, f0_floor=60.0, f0_ceil=900.0, frame_period=5.0)
    return pyworld.stonemask(mono, f0, times, rate), times


@needs_festival
@pytest.mark.slow
def test_a_short_song_sings_by_default(tmp_path):
    from jsonschema import validate

    from composer.save import save_song

    song = composed(MESSAGE, "Alex", "pop", "upbeat", 3, "short")
    saved = save_song(song, tmp_path / "s", stems=True)
    folder = saved.folder
    doc = json.loads((folder / "song.json").read_text())
    schema = json.loads((Path(__file__).parents[1] / "composer/schema/song.schema.json").read_text())
    validate(doc, schema)
    assert doc["voice"]["name"] in catalog.voice_names() and doc["voice"]["license"]
    voice, rate = soundfile.read(folder / "stem-vocal.wav", dtype="float32")
    mix = soundfile.info(str(folder / "song.wav"))
    assert rate == 44100 and len(voice) == mix.frames
    shift = 12 * prepare_song(song).choice.shift
    f0, times = _f0(voice, rate)
    level = np.sqrt(np.convolve(voice.mean(axis=1) ** 2, np.ones(441) / 441, "same"))
    floor = level.max() * 10 ** (-40 / 20)
    notes = [n for line in lines_from_song(song) for n in line.notes]
    sounding = in_tune = 0
    for n in notes:
        sounding += level[int(n.start * rate):int(n.end * rate)].max() > floor
        got = f0[(times >= n.start) & (times < n.end) & (f0 > 0)]
        if got.size:
            cents = 1200 * np.log2(np.median(got) / (440 * 2 ** ((n.pitch + shift - 69) / 12)))
            in_tune += abs(cents) <= 50
    assert sounding >= 0.98 * len(notes)
    assert in_tune >= 0.85 * len(notes)
    # the stems sum to the mix as mastered: the band through its bus EQ (pop's +9 dB presence shelf), so the
    # voice measures against the band as the render set it, the chain's level over the band in the choruses
    from composer.measure.sung import load_stems, read_take
    from composer.measure.voice import balance_lu
    from composer.voice.chain import chain

    vocal, rest, rate = load_stems(folder)
    balance = balance_lu(vocal, rest, rate, read_take(folder).sections)
    assert balance is not None and abs(balance - chain().level_lu) < 1.0


@needs_festival
@pytest.mark.slow
def test_voice_none_is_the_instrumental_and_render_sings_a_midi(runner, tmp_path):
    args = ["compose", MESSAGE, "--to", "Al", "--genre", "folk", "--vibe", "upbeat", "--seed", "2",
            "--length", "short"]
    result = runner.invoke(main, [*args, "--voice", "none", "--out", str(tmp_path / "plain")])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "plain" / "song.json").read_text())["voice"] is None
    song = composed(MESSAGE, "Al", "folk", "upbeat", 2, "short")
    take = prepare_song(song)
    assert take.channel == next(t.channel for t in song.tracks if t.role == "vocal")
    sung = runner.invoke(main, ["render", str(tmp_path / "plain" / "song.mid"), "--out", str(tmp_path / "sung.wav"),
                                "--voice", "kal"])
    assert sung.exit_code == 0, sung.output
    plain = runner.invoke(main, ["render", str(tmp_path / "plain" / "song.mid"), "--out", str(tmp_path / "band.wav")])
    assert plain.exit_code == 0
    a, _ = soundfile.read(tmp_path / "sung.wav", dtype="float32")
    b, _ = soundfile.read(tmp_path / "band.wav", dtype="float32")
    frames = min(len(a), len(b))
    assert np.abs(a[:frames] - b[:frames]).mean() > 1e-3  # the voice sings where the instrument played
    bare = io.BytesIO()
    _midi([None, None, None]).save(file=bare)
    (tmp_path / "bare.mid").write_bytes(bare.getvalue())
    quiet = runner.invoke(main, ["render", str(tmp_path / "bare.mid"), "--out", str(tmp_path / "bare.wav"),
                                 "--voice", "slt"])
    assert quiet.exit_code == 0 and "no lyric events" in quiet.output


def test_song_json_records_the_voice_beside_the_soundfont():
    from dataclasses import replace

    import jsonschema

    from composer.export.songjson import schema

    song = composed(MESSAGE, "Alex", "pop", "upbeat", 3, "short")
    assert json.loads(song.to_json())["voice"] is None  # not sung (no audio)
    take = prepare_song(song) if HAVE_FESTIVAL else None
    record = take.record() if take else {"name": "slt", "engine": "festival+world", "license": "x", "origin": "y",
                                         "reason": "z"}
    document = json.loads(replace(song, voice=tuple(record.items())).to_json())
    jsonschema.validate(document, schema())
    assert document["voice"] == record and document["voice"]["reason"]
    del document["voice"]["license"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema())
