"""The lead sheet, karaoke and piano-roll exports, read back with independent readers.

song.musicxml is parsed by music21 (and converted to PDF by MuseScore 3 when
``mscore3`` is installed), song.kar by mido, song.png by its PNG header and
matplotlib's image reader. Songs are real composes across every genre in
grammars/ and several vibes.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import struct
import subprocess
import sys
from functools import cache
from pathlib import Path

import mido
import pytest
from hypothesis import given, strategies as st

from composer.export.karaoke import LINES_PER_SCREEN, karaoke_syllables, song_to_kar
from composer.export.musicxml import _rest_values, note_values, song_to_musicxml
from composer.grammar import genre_ids
from composer.model import PPQ
from composer.theory import key_fifths, mode_info
from conftest import composed, example_messages

ROOT = Path(__file__).resolve().parent.parent
ACCENTED = ("Zoë, happy 40th birthday! Salamat for everything, you made the whole family laugh.", "Zoë")
OTHER_VIBES = ("upbeat", "nostalgic", "dreamy", "epic", "bittersweet", "chill")


def _cases() -> list[tuple[str, str, str, str, int]]:
    """(message, to, genre, vibe, seed): per genre, its example message and a second, accented one."""
    examples = example_messages()
    cases = []
    for i, genre in enumerate(genre_ids()):
        example = next((e for e in examples if e["genre"] == genre), examples[1])
        cases.append((example["message"], example["to"], genre, example["vibe"], 3))
        cases.append((*ACCENTED, genre, OTHER_VIBES[i % len(OTHER_VIBES)], 11 + i))
    return cases


CASES = _cases()
IDS = [f"{genre}-{vibe}-{seed}" for _m, _t, genre, vibe, seed in CASES]
ONE_PER_GENRE = CASES[::2]
ONE_IDS = IDS[::2]
# Hand-made songs in every meter, so 3/4 and 6/8 are tested whatever grammars/ holds today.
METERS = ["meter-6/8", "meter-3/4", "meter-4/4"]
LEAD_SHEETS = ONE_PER_GENRE + METERS
LEAD_IDS = ONE_IDS + METERS


def _handmade(meter: tuple[int, int]):
    """A five-bar song: an intro bar, three sung bars, an outro bar.

    It has a melisma-free four-syllable word, a note tied over a barline, a
    note tied into the instrumental outro, a chord change in the middle of a
    note and one chord of each kind the theory can spell.
    """
    from composer.model import (Analysis, Chord, LyricLine, LyricSection, Lyrics, Note, Onset, Plan, SectionPlan,
                                Track, VocalNote, Word)
    from composer.song import Song
    from composer.theory import chord_root_name, parse_roman

    words = (Word("Happy", ("Hap", "py"), (1, 0)), Word("birthday", ("birth", "day"), (1, 2)),
             Word("Anastasia", ("A", "na", "sta", "sia"), (0, 0, 1, 0), source="rules"),
             Word("you", ("you",), (1,), function=True))
    bar = meter[0] * PPQ * 4 // meter[1]
    sections = (SectionPlan("Intro", "intro", 0, 1), SectionPlan("Verse 1", "verse", bar, 3, lyric=0, line_bars=(3,)),
                SectionPlan("Outro", "outro", 4 * bar, 1))
    plan = Plan(genre=genre_ids()[0], vibe="dreamy", tonic=0, key_name="C", mode="major", tempo=90, meter=meter,
                sections=sections)
    timing = [(0, 480), (480, 240), (720, 480), (1200, 720), (1920, 240), (2160, 240), (2400, 480), (2880, 960),
              (3840, 3 * bar - 3840 + bar // 2)]
    pitches = [60, 62, 64, 65, 67, 69, 67, 64, 60]
    syllables = [(w, syl, i == 0, i + 1 < len(w.syllables)) for w in words for i, syl in enumerate(w.syllables)]
    vocal = tuple(
        VocalNote(Onset(start=bar + start, dur=dur, syllable=syl, word=w.text, continues=cont, stress=0, line=0,
                        section=1, first_in_word=first), pitch, performed=Note(bar + start, dur, pitch, 90))
        for (start, dur), (w, syl, first, cont), pitch in zip(timing, syllables, pitches))
    romans = ["Iadd9", "V5", "vi7", "II7", "IVmaj7", "viiø", "III+", "ii11", "V13", "Vsus4"]
    starts = [k * bar // 2 for k in range(10)]
    romans.insert(3, "bVII6")
    starts.insert(3, bar + 1320)
    starts, romans = zip(*sorted(zip(starts, romans)))
    chords = []
    for i, (start, roman) in enumerate(zip(starts, romans)):
        parsed = parse_roman(roman)
        end = starts[i + 1] if i + 1 < len(starts) else 5 * bar
        chords.append(Chord(start=start, dur=end - start, roman=roman,
                            root_name=chord_root_name(parsed, tonic=0, flats=True), quality=parsed.suffix,
                            root=parsed.degree, pitches=tuple(parsed.degree + k for k in parsed.intervals),
                            section=min(2, start // bar)))
    tracks = (
        Track("Vocal", "vocal", 53, 0, tuple(n.performed for n in vocal if n.performed is not None)),
        Track("Drums", "drums", 0, 9, tuple(Note(t, 60, 36 if t % bar == 0 else 42, 80) for t in range(0, 5 * bar, 240))),
        Track("Bass", "bass", 33, 1, tuple(Note(c.start, c.dur, 36 + c.root, 85) for c in chords)),
    )
    analysis = Analysis(message="Happy birthday Anastasia, you!", text="Happy birthday Anastasia, you!", words=words,
                        recipient="Anastasia")
    lyrics = Lyrics("A song for Anastasia", (LyricSection("Verse 1", "verse", (LyricLine(words),)),))
    return Song(analysis=analysis, lyrics=lyrics, plan=plan, chords=tuple(chords), vocal=vocal, tracks=tracks, seed=0)


def _song(case):
    if isinstance(case, str):
        num, den = case.removeprefix("meter-").split("/")
        return _handmade((int(num), int(den)))
    message, to, genre, vibe, seed = case
    return composed(message, to, genre, vibe, seed)


def _name(case) -> str:
    return case.replace("/", "-") if isinstance(case, str) else "-".join(map(str, case[2:]))


@pytest.fixture(scope="module")
def outdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("exports")


@cache
def _score(case, folder: Path):
    """song.musicxml written to disk, then parsed by music21 (once per song)."""
    from music21 import converter

    path = folder / f"{_name(case)}.musicxml"
    path.write_text(song_to_musicxml(_song(case)), encoding="utf-8")
    return converter.parse(str(path), format="musicxml", forceSource=True)


def _syllabic(first: bool, continues: bool) -> str:
    return {(True, False): "single", (True, True): "begin", (False, True): "middle", (False, False): "end"}[
        (first, continues)]


# --- MusicXML -------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES + METERS, ids=IDS + METERS)
def test_musicxml_has_every_syllable_in_order(case, outdir):
    from music21 import note

    song = _song(case)
    flat = _score(case, outdir).flatten()
    sung = [n for n in flat.notes if isinstance(n, note.Note) and n.lyrics]
    assert len(sung) == len(song.vocal)
    for got, want in zip(sung, song.vocal):
        lyric = got.lyrics[0]
        assert lyric.text == want.onset.syllable
        assert lyric.syllabic == _syllabic(want.onset.first_in_word, want.onset.continues), want
        assert got.pitch.midi == want.pitch
        assert round(float(got.offset) * PPQ) == want.start


@pytest.mark.parametrize("case", LEAD_SHEETS, ids=LEAD_IDS)
def test_musicxml_syllabic_rebuilds_every_word(case, outdir):
    """Joining syllables by their syllabic values gives back the sung words, multi-syllable ones included."""
    from music21 import note

    song = _song(case)
    words, current = [], ""
    for n in _score(case, outdir).flatten().notes:
        if isinstance(n, note.Note) and n.lyrics:
            lyric = n.lyrics[0]
            current += lyric.text
            if lyric.syllabic in ("single", "end"):
                words.append(current)
                current = ""
            else:
                assert lyric.syllabic in ("begin", "middle")
    assert current == ""
    assert words == [n.onset.word for n in song.vocal if n.onset.first_in_word]
    assert any(len(w) > 4 for w in words)
    multi = [n for n in song.vocal if n.onset.continues or not n.onset.first_in_word]
    assert multi, "the song should sing some words of two or more syllables"


@pytest.mark.parametrize("case", LEAD_SHEETS, ids=LEAD_IDS)
def test_musicxml_note_lengths_and_full_bars(case, outdir):
    """Tied pieces add up to each sung note's length, and rests fill every bar exactly."""
    from music21 import note

    song = _song(case)
    score = _score(case, outdir)
    bar_quarters = song.plan.bar_ticks / PPQ
    measures = list(score.parts[0].getElementsByClass("Measure"))
    assert len(measures) >= song.plan.total_ticks // song.plan.bar_ticks
    for m in measures:
        assert float(m.duration.quarterLength) == bar_quarters, f"bar {m.number}"
    lengths = []
    for n in score.flatten().notes:
        if not isinstance(n, note.Note):
            continue
        if n.tie is None or n.tie.type == "start":
            lengths.append(float(n.quarterLength))
        else:
            lengths[-1] += float(n.quarterLength)
    vocal = song.vocal
    expected = [min(v.dur, vocal[i + 1].start - v.start) if i + 1 < len(vocal) else v.dur
                for i, v in enumerate(vocal)]
    assert [round(q * PPQ) for q in lengths] == expected


@pytest.mark.parametrize("case", CASES + METERS, ids=IDS + METERS)
def test_musicxml_has_every_chord_symbol(case, outdir):
    from music21 import harmony

    song = _song(case)
    symbols = list(_score(case, outdir).flatten().getElementsByClass(harmony.ChordSymbol))
    assert len(symbols) == len(song.chords)
    for got, want in zip(symbols, song.chords):
        assert round(float(got.offset) * PPQ) == want.start, want
        assert got.root().pitchClass == want.root, want
        extra = {p.pitchClass for p in got.pitches} - {p % 12 for p in want.pitches}
        assert {p % 12 for p in want.pitches} <= {p.pitchClass for p in got.pitches}, (got.figure, want)
        # A "13" chord is written as MusicXML's dominant-13th, whose definition includes the 11th
        # that players (and composer.theory) leave out.
        assert extra <= ({(want.root + 5) % 12} if want.symbol.endswith("13") else set()), (got.figure, want)
        assert got.chordKindStr == want.symbol[len(want.symbol) - len(got.chordKindStr):]


@pytest.mark.parametrize("case", LEAD_SHEETS, ids=LEAD_IDS)
def test_musicxml_key_meter_tempo_title_and_sections(case, outdir):
    from music21 import expressions, key, meter, tempo

    song = _song(case)
    plan = song.plan
    score = _score(case, outdir)
    flat = score.flatten()
    signature = flat.getElementsByClass(key.KeySignature)[0]
    assert signature.sharps == key.Key(plan.key_name, plan.mode).sharps
    assert getattr(signature, "mode", plan.mode) == mode_info(plan.mode).family  # MuseScore takes no other
    assert flat.getElementsByClass(meter.TimeSignature)[0].ratioString == f"{plan.meter[0]}/{plan.meter[1]}"
    marks = list(flat.getElementsByClass(tempo.MetronomeMark))
    assert marks and marks[0].getQuarterBPM() == pytest.approx(plan.tempo)
    assert score.metadata.bestTitle == song.title
    assert score.metadata.composer == "Songgram"
    rehearsal = [(m.content, round(float(m.offset) * PPQ)) for m in flat.getElementsByClass(expressions.RehearsalMark)]
    assert rehearsal == [(s.name, s.start) for s in plan.sections]


WRITTEN = {480 * 4 >> k for k in range(7)} | {(480 * 4 >> k) * 3 // 2 for k in range(1, 6)}


@given(bar=st.sampled_from([(1920, 480), (1440, 480), (1440, 720)]), data=st.data())
def test_written_values_add_up_and_keep_the_beat(bar, data):
    """Notes and rests split into written values (plain or dotted) that add up exactly; in 6/8
    no note crosses a beat, and every rest value starts on a multiple of itself."""
    length, beat = bar
    pos = data.draw(st.integers(0, length // 30 - 1)) * 30
    ticks = data.draw(st.integers(1, (length - pos) // 30)) * 30
    notes = note_values(ticks, pos=pos, beat=beat)
    assert sum(notes) == ticks and set(notes) <= WRITTEN
    if beat == 720:
        at = pos
        for value in notes:
            assert at // 720 == (at + value - 1) // 720 or (at % 720 == 0 and value % 720 == 0)
            at += value
    rests = _rest_values(pos, ticks, beat)
    assert sum(rests) == ticks and set(rests) <= WRITTEN
    at = pos
    for value in rests:
        assert at % (value if value not in (720, 1440) else 720) == 0
        at += value


@pytest.mark.parametrize("tonic, mode, expected", [
    (0, "major", 0), (7, "major", 1), (5, "major", -1), (6, "major", -6), (1, "major", -5),
    (9, "minor", 0), (4, "minor", 1), (3, "minor", -6), (2, "dorian", 0), (7, "mixolydian", 0), (9, "dorian", 1),
], ids=lambda v: str(v))
def test_key_signature_fifths(tonic, mode, expected):
    assert key_fifths(tonic, mode) == expected


def test_musicxml_never_imports_music21():
    code = ("import sys, composer.export.musicxml as x, composer.export.karaoke as k; "
            "print('music21' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_musicxml_same_song_same_text():
    message, to, genre, vibe, seed = CASES[0]
    assert song_to_musicxml(_song(CASES[0])) == song_to_musicxml(composed(message, to, genre, vibe, seed))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("mscore3") is None,
                    reason="mscore3 (Debian package musescore3) is not installed; `make setup` installs it")
@pytest.mark.parametrize("case", METERS, ids=METERS)  # every mode and swing: test_export_contract.py
def test_musescore_converts_the_lead_sheet_to_pdf(case, tmp_path):
    source = tmp_path / "song.musicxml"
    source.write_text(song_to_musicxml(_song(case)), encoding="utf-8")
    runtime = tmp_path / "xdg"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(runtime)}
    done = subprocess.run(["mscore3", "-o", str(tmp_path / "song.pdf"), str(source)], capture_output=True,
                          text=True, env=env, timeout=180)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    assert "success" in log and "error" not in log.lower() and "not a valid" not in log, log
    pdf = (tmp_path / "song.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000


# --- Karaoke --------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows, expected", [
    pytest.param([("Ma", True, True, 0, 0), ("ry", False, False, 0, 0), ("had", True, False, 0, 0)],
                 ["\\Ma", "ry", " had"], id="words-joined-by-spaces"),
    pytest.param([("one", True, False, 0, 0), ("two", True, False, 1, 0), ("three", True, False, 2, 1)],
                 ["\\one", "/two", "\\three"], id="line-and-section"),
    pytest.param([(str(i), True, False, i, 0) for i in range(LINES_PER_SCREEN + 1)],
                 ["\\0", "/1", "/2", "/3", "\\4"], id="at-most-four-lines-a-screen"),
])
def test_karaoke_syllable_texts(rows, expected):
    assert karaoke_syllables(rows) == expected


def _kar(case, folder: Path) -> mido.MidiFile:
    path = folder / f"{_name(case)}.kar"
    path.write_bytes(song_to_kar(_song(case)))
    return mido.MidiFile(str(path))


def _notes(track) -> list[tuple[int, int, int, int]]:
    now, out = 0, []
    for msg in track:
        now += msg.time
        if msg.type in ("note_on", "note_off"):
            out.append((now, msg.channel, msg.note, msg.velocity if msg.type == "note_on" else 0))
    return sorted(out)


def _texts(track) -> list[tuple[int, str]]:
    now, out = 0, []
    for msg in track:
        now += msg.time
        if msg.type == "text":
            out.append((now, msg.text))
    return out


@pytest.mark.parametrize("case", CASES + METERS, ids=IDS + METERS)
def test_kar_carries_every_syllable_at_its_note(case, outdir):
    song = _song(case)
    kar = _kar(case, outdir)
    assert kar.type == 1 and kar.ticks_per_beat == PPQ
    header = [t for _, t in _texts(kar.tracks[0])]
    assert header[:2] == ["@KMIDI KARAOKE FILE", "@V0100"]
    words = next(t for t in kar.tracks if t.name == "Words")
    texts = _texts(words)
    info = [t for _, t in texts if t.startswith("@")]
    assert "@LENGL" in info and f"@T{song.title}" in info
    lyrics = [(tick, t) for tick, t in texts if not t.startswith("@")]
    sung = sorted(n.start for t in song.tracks if t.role == "vocal" for n in t.notes)  # as sung (swing moves them)
    assert [tick for tick, _ in lyrics] == sung and len(sung) == len(song.vocal)
    played = dict(zip((n.start for n in song.vocal), sung))
    assert [t.lstrip("\\/ ") for _, t in lyrics] == [n.onset.syllable for n in song.vocal]
    # The screen text a player builds: sections clear the screen, lines break, words are spaced.
    shown = "".join(t for _, t in lyrics).replace("\\", "/").split("/")[1:]
    sung_lines: dict[int, list[str]] = {}
    for n in song.vocal:
        sung_lines.setdefault(n.onset.line, []).append(n.onset.word if n.onset.first_in_word else "")
    assert shown == [" ".join(w for w in words if w) for words in sung_lines.values()]
    firsts = [min(n.start for n in song.vocal if n.onset.section == i) for i in {n.onset.section for n in song.vocal}]
    assert all(dict(lyrics)[played[tick]].startswith("\\") for tick in firsts)


@pytest.mark.parametrize("case", ONE_PER_GENRE[:3], ids=ONE_IDS[:3])
def test_kar_band_matches_song_mid_without_duplicate_lyrics(case, outdir):
    song = _song(case)
    kar = _kar(case, outdir)
    mid = mido.MidiFile(file=io.BytesIO(song.to_midi()))
    band = [t for t in kar.tracks if t.name not in ("Words", kar.tracks[0].name)]
    assert [t.name for t in band] == [t.name for t in mid.tracks[1:]]
    for ours, theirs in zip(band, mid.tracks[1:]):
        assert _notes(ours) == _notes(theirs)
    assert not any(m.type == "lyrics" for t in kar.tracks for m in t)


def test_kar_keeps_accented_names():
    case = CASES[1]
    kar = mido.MidiFile(file=io.BytesIO(song_to_kar(_song(case))))
    words = next(t for t in kar.tracks if t.name == "Words")
    assert any("Zo" in text and "ë" in "".join(t for _, t in _texts(words)) for _, text in _texts(words))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("timidity") is None, reason="timidity is not installed; `make setup` installs it")
def test_timidity_plays_the_kar_and_reads_its_words(tmp_path):
    path = tmp_path / "song.kar"
    path.write_bytes(song_to_kar(_song(CASES[0])))
    done = subprocess.run(["timidity", "-idvv", "-Ow", "-o", "/dev/null", str(path)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    log = done.stdout + done.stderr
    assert "@KMIDI KARAOKE FILE" in log and "Words" in log


# --- Piano roll -----------------------------------------------------------------------------------


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("case", ONE_PER_GENRE[:2] + [CASES[1], METERS[0]], ids=ONE_IDS[:2] + [IDS[1], METERS[0]])
def test_png_is_a_readable_picture(case, tmp_path):
    from matplotlib.image import imread

    from composer.export.pianoroll import song_to_png

    path = tmp_path / "song.png"
    song_to_png(_song(case), path)
    width, height = _png_size(path)
    assert 1500 <= width <= 2500 and 400 <= height <= 4000
    pixels = imread(str(path))
    assert pixels.std() > 0.05  # not a blank page
    # the vocal line's red is drawn
    red = (pixels[..., 0] > 0.8) & (pixels[..., 1] < 0.45) & (pixels[..., 2] < 0.3)
    assert red.sum() > 500


def test_png_short_song_is_one_row_and_same_bytes_twice(tmp_path):
    from composer.export.pianoroll import song_to_png

    message, to, genre, vibe, seed = CASES[0]
    short = composed(message, to, genre, vibe, seed, "short")
    full = _song(CASES[0])
    song_to_png(short, tmp_path / "a.png")
    song_to_png(short, tmp_path / "b.png")
    song_to_png(full, tmp_path / "c.png")
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    assert _png_size(tmp_path / "a.png")[1] < _png_size(tmp_path / "c.png")[1]


@pytest.mark.slow
def test_pianoroll_script_writes_one_png_per_genre(tmp_path):
    genre = genre_ids()[0]
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "pianorolls.py"), "--out", str(tmp_path),
                           "--genre", genre], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"pianoroll-{genre}.png", f"voice-{genre}.png"]
    _png_size(tmp_path / f"pianoroll-{genre}.png")
    _png_size(tmp_path / f"voice-{genre}.png")  # the sung f0 over the written notes


@pytest.mark.parametrize("genre, vibe, swung", [("jazz", "romantic", True), ("pop", "upbeat", False)])
def test_the_lead_sheet_marks_swing(genre, vibe, swung):
    import xml.etree.ElementTree as ET
    from conftest import composed
    song = composed("Keep going, you are closer than you think.", "Alex", genre, vibe, 4)
    root = ET.fromstring(song.to_musicxml().split("\n", 2)[2])
    assert root.find(".//sound/swing") is None  # MusicXML 4.0's <swing> makes MuseScore 3 refuse the file
    words = " ".join(w.text for w in root.iter("words"))
    if not swung:
        assert "wing" not in words
        return
    match = re.search(r"(Swing|Light swing) (\d+):(\d+)", words)
    assert match, words
    first, second = int(match[2]), int(match[3])
    assert abs(first / second - (1 + song.plan.swing) / (1 - song.plan.swing)) < 0.05
