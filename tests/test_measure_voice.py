"""composer.measure: the voice instruments on synthetic songs whose answers are known.

Each song folder is built as ``songgram compose --stems`` writes one: a type-1
song.mid with a ``Vocal`` track (a lyric event before each syllable's note), a
song.json with sections, and 44.1 kHz stems. The vocal stem is a sine that
follows the written notes (or silence, or speech), so every figure has one
right answer.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import mido
import numpy as np
import pytest
import soundfile as sf

from composer.measure.intelligibility import LEAD_IN, TAIL, f1, hear_song, phrases, recognise
from composer.measure.report import measure_song
from composer.measure.sung import SungNote, read_take, words_of
from composer.measure.voice import balance_lu, measure_notes

RATE = 44100
TPB = 480
TEMPO = 120   # a beat is half a second
# (beat, beats, pitch, lyric): two bars of verse, two of chorus
TUNE = [(0, 1, 57, "Thank"), (1, 1, 60, "you"), (2, 1, 62, "for"), (3, 1, 64, "al-"), (4, 2, 65, "ways"),
        (6, 1, 64, "be-"), (7, 1, 62, "ing"), (8, 2, 69, "here"), (10, 1, 67, "my"), (11, 1, 64, "friend"),
        (12, 1, 62, "we"), (13, 3, 60, "sing")]
SECTIONS = [("Verse 1", "verse", 0.0), ("Chorus 1", "chorus", 8.0), ("Outro", "outro", 16.0)]


def _hz(pitch: float) -> float:
    return 440.0 * 2 ** ((pitch - 69) / 12)


def write_song(folder: Path, *, tune=TUNE, swing_ticks: int = 0, lyrics=None) -> Path:
    """song.mid and song.json for ``tune``; notes on off-beats start ``swing_ticks`` late."""
    folder.mkdir(parents=True, exist_ok=True)
    mid = mido.MidiFile(type=1, ticks_per_beat=TPB)
    mid.tracks.append(mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(TEMPO), time=0)]))
    vocal, now = mido.MidiTrack([mido.MetaMessage("track_name", name="Vocal", time=0)]), 0
    for i, (beat, beats, pitch, lyric) in enumerate(tune):
        on = round(beat * TPB) + (swing_ticks if beat % 1 else 0)
        off = round((beat + beats) * TPB) - 10
        text = lyric if lyrics is None else lyrics[i]
        if text is not None:
            vocal.append(mido.MetaMessage("lyrics", text=text, time=on - now))
            now = on
        vocal.append(mido.Message("note_on", note=pitch, velocity=90, time=on - now))
        vocal.append(mido.Message("note_off", note=pitch, velocity=0, time=off - on))
        now = off
    mid.tracks.append(vocal)
    mid.save(folder / "song.mid")
    info = {"tempo": TEMPO, "seconds": 9.0, "input": {"genre": "test"},
            "sections": [{"name": n, "kind": k, "start_beat": b} for n, k, b in SECTIONS]}
    (folder / "song.json").write_text(json.dumps(info), encoding="utf-8")
    return folder


def sine_tune(tune=TUNE, *, cents: float = 0.0, seconds: float = 9.0) -> np.ndarray:
    """A sine on every note (20 ms fades), ``cents`` off the written pitch; stereo."""
    out = np.zeros(int(seconds * RATE))
    for beat, beats, pitch, _ in tune:
        a, n = int(beat * 0.5 * RATE), int((beats * 0.5 - 0.03) * RATE)
        t = np.arange(n) / RATE
        env = np.minimum(1, np.minimum(t, t[::-1]) / 0.02)
        out[a:a + n] += 0.3 * env * np.sin(2 * np.pi * _hz(pitch + cents / 100) * t)
    return np.stack([out, out], axis=1)


def write_stems(folder: Path, vocal: np.ndarray, rest: np.ndarray | None = None) -> Path:
    rest = rest if rest is not None else 0.05 * np.random.default_rng(3).standard_normal(vocal.shape)
    sf.write(folder / "stem-vocal.wav", vocal, RATE, subtype="FLOAT")
    sf.write(folder / "stem-band.wav", rest, RATE, subtype="FLOAT")
    return folder


# ---------------------------------------------------------------- reading the contract


def test_read_take_gives_performed_times_words_and_sections(tmp_path):
    take = read_take(write_song(tmp_path, swing_ticks=0))
    assert [round(n.start, 3) for n in take.notes[:3]] == [0.0, 0.5, 1.0]
    assert [w for w, _ in take.words] == ["Thank", "you", "for", "always", "being", "here", "my", "friend", "we",
                                          "sing"]
    assert [(s.kind, s.start, s.end) for s in take.sections][:2] == [("verse", 0.0, 4.0), ("chorus", 4.0, 8.0)]


def test_swung_notes_are_read_where_they_are_played(tmp_path):
    tune = [(0, 0.5, 60, "a"), (0.5, 0.5, 62, "b"), (1, 1, 64, "c")]
    take = read_take(write_song(tmp_path, tune=tune, swing_ticks=80))
    assert round(take.notes[1].start, 4) == round((240 + 80) / TPB * 0.5, 4)


@pytest.mark.parametrize("lyrics, words", [
    (["Thank ", "you ", "al", "ways ", "sing\r"], [("Thank", (0,)), ("you", (1,)), ("always", (2, 3)),
                                                    ("sing", (4,))]),
    (["hap-", "py", "", "day"], [("happy", (0, 1, 2)), ("day", (3,))]),
    (["oh", "_", "yes"], [("oh", (0, 1)), ("yes", (2,))]),
], ids=["rp017", "hyphens-melisma", "underscore-hold"])
def test_words_in_both_lyric_conventions(lyrics, words):
    assert words_of(lyrics) == words


# ---------------------------------------------------------------- presence and pitch


def test_a_tone_30_cents_sharp_is_within_50_but_not_25_cents(tmp_path):
    take = read_take(write_song(tmp_path))
    notes, _ = measure_notes(take.notes, sine_tune(cents=30), RATE)
    assert all(m.sounding for m in notes)
    assert all(m.within(50) and not m.within(25) for m in notes), [m.cents for m in notes]
    assert all(abs(m.cents - 30) < 5 for m in notes)


def test_an_exact_tone_is_within_25_cents(tmp_path):
    take = read_take(write_song(tmp_path))
    notes, _ = measure_notes(take.notes, sine_tune(cents=0), RATE)
    assert all(m.within(25) for m in notes), [m.cents for m in notes]


def test_an_octave_high_tone_is_an_octave_error_and_a_miss(tmp_path):
    take = read_take(write_song(tmp_path))
    notes, _ = measure_notes(take.notes, sine_tune(cents=1200), RATE)
    assert all(m.octave_error and not m.within(50) for m in notes), [m.cents for m in notes]


def test_silence_sounds_on_no_note_and_has_no_pitch(tmp_path):
    take = read_take(write_song(tmp_path))
    notes, _ = measure_notes(take.notes, np.zeros((9 * RATE, 2)), RATE)
    assert not any(m.sounding for m in notes)
    assert all(m.cents is None for m in notes)


def test_a_dropped_note_is_not_sounding(tmp_path):
    take = read_take(write_song(tmp_path))
    tune = [t for t in TUNE if t[3] != "here"]
    notes, _ = measure_notes(take.notes, sine_tune(tune), RATE)
    assert [m.note.lyric for m in notes if not m.sounding] == ["here"]


# ---------------------------------------------------------------- balance


def test_a_vocal_6_db_louder_than_the_band_is_plus_6_lu_in_choruses(tmp_path):
    take = read_take(write_song(tmp_path))
    band = 0.05 * np.random.default_rng(1).standard_normal((9 * RATE, 2))
    vocal = band * 10 ** (6 / 20)
    vocal[: 4 * RATE] *= 10    # the verse is far louder: it must not count
    assert balance_lu(vocal, band, RATE, take.sections) == pytest.approx(6.0, abs=0.05)
    assert balance_lu(vocal, band, RATE, take.sections, kind="verse") == pytest.approx(26.0, abs=0.05)


def test_measure_song_reads_the_stems_of_a_folder(tmp_path):
    folder = write_stems(write_song(tmp_path), sine_tune(cents=30))
    figures, _, track = measure_song(folder, asr=False)
    counts = (figures.notes, figures.sounding, figures.within50, figures.within25)
    assert figures.genre == "test" and counts == (12, 12, 12, 0)
    assert figures.balance is not None and figures.f1 is None
    assert len(track.times) == len(track.f0) > 0


# ---------------------------------------------------------------- intelligibility, calibrated

LINES = ["thank you for always being here", "you carried all of us through the winter",
         "I love you more than words can say", "every morning you make the coffee warm",
         "we sing your name across the kitchen", "home is wherever you are"]


def test_phrase_windows_meet_inside_a_short_rest_and_never_overlap():
    """A rest shorter than LEAD_IN + TAIL is shared: each phrase hears none of its neighbour's words."""
    notes = (SungNote(1.0, 1.5, 60, "one "), SungNote(1.5, 2.0, 62, "two "),   # a 0.4 s rest, then
             SungNote(2.4, 2.9, 64, "three "), SungNote(5.0, 5.5, 65, "four "))  # a 2.1 s rest
    words = tuple(words_of([n.lyric for n in notes]))
    spans = phrases(notes, words)
    assert [s for _, _, s in spans] == [("one", "two"), ("three",), ("four",)]
    (a0, b0, _), (a1, b1, _), (a2, b2, _) = spans
    assert a0 == pytest.approx(1.0 - LEAD_IN) and b0 == pytest.approx(a1) and 2.0 < b0 < 2.4
    assert b0 - 2.0 == pytest.approx(0.4 * TAIL / (LEAD_IN + TAIL))
    assert b1 == pytest.approx(2.9 + TAIL) and a2 == pytest.approx(5.0 - LEAD_IN)   # a long rest: both whole


def test_f1_pools_matches_over_phrases():
    assert f1([["a", "b"], ["c"]], [["a"], ["c", "d"]]) == pytest.approx(2 / 3)
    assert f1([["a"], ["b"]], [["b"], ["a"]]) == 0.0     # the right words in the wrong phrase do not count


def _spoken(lines: list[str], tmp_path: Path, engine: str) -> tuple[np.ndarray, int, list[tuple[float, float]]]:
    """Each line spoken by Festival (``text2wave``) or eSpeak NG, a second of silence between: audio, rate, spans."""
    parts, spans, now, rate = [], [], 0.0, 16000
    for i, line in enumerate(lines):
        wav = tmp_path / f"{engine}{i}.wav"
        cmd = ["text2wave", "-o", str(wav)] if engine == "festival" else ["espeak-ng", "-w", str(wav), line]
        subprocess.run(cmd, input=line, text=True, check=True, capture_output=True)
        audio, rate = sf.read(wav, dtype="float64")
        parts += [audio, np.zeros(rate)]
        spans.append((max(0.0, now - 0.3), now + len(audio) / rate + 0.4))
        now += len(audio) / rate + 1.0
    return np.concatenate(parts), rate, spans


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("text2wave") and shutil.which("espeak-ng")),
                    reason="festival and espeak-ng are installed by scripts/setup-system.sh")
def test_speech_of_the_words_scores_high_and_a_sine_tune_low(tmp_path):
    """The scale of the F1: plain speech about 0.8, robotic speech about half, a hummed tune near 0."""
    vocabulary = [w for line in LINES for w in line.lower().split()]
    sung = [tuple(line.lower().split()) for line in LINES]
    scores = {}
    for engine in ("festival", "espeak-ng"):
        audio, rate, spans = _spoken(LINES, tmp_path, engine)
        heard, unknown = recognise(audio, rate, vocabulary, spans)
        assert unknown == ()
        scores[engine] = f1(sung, heard)
    # the same lines hummed by a sine: one 0.35 s note per word on a little tune, two beats' rest between lines
    tune, beat = [], 0.0
    for line in LINES:
        for k, _ in enumerate(line.split()):
            tune.append((beat, 0.7, 57 + (0, 2, 4, 5, 7, 4)[k % 6], ""))
            beat += 0.7
        beat += 2.0
    take = read_take(write_song(tmp_path / "hum", tune=tune, lyrics=[w for ln in LINES for w in ln.split()]))
    scores["sine"] = hear_song(take.notes, take.words, sine_tune(tune, seconds=beat * 0.5 + 1), RATE).f1
    print("calibration F1:", {k: round(v, 2) for k, v in scores.items()})
    assert scores["festival"] >= 0.75, scores
    assert 0.35 <= scores["espeak-ng"] < scores["festival"], scores
    assert scores["sine"] <= 0.25, scores
