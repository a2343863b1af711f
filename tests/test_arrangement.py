"""The band: every part where its grammar says it plays, and MIDI that real players accept."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from composer.grammar import genre as load_genre, genre_ids
from conftest import composed

MESSAGE = "Keep going, you are closer than you think."
VIBES = {"pop": "upbeat", "ballad": "heartfelt", "rock": "energetic", "jazz": "romantic", "lullaby": "dreamy",
         "edm": "energetic", "reggae": "chill", "bossa-nova": "romantic", "hip-hop": "playful",
         "country": "playful", "folk": "nostalgic", "rnb": "romantic"}


def _notes_in(track, section, plan):
    end = section.start + section.bars * plan.bar_ticks
    return [n for n in track.notes if section.start <= n.start < end]


@pytest.mark.parametrize("genre", genre_ids())
def test_every_part_plays_where_it_should(genre):
    song = composed(MESSAGE, "Alex", genre, VIBES.get(genre, "heartfelt"), 4)
    grammar = load_genre(genre)
    tracks = {t.role: t for t in song.tracks}
    assert {"vocal", "drums", "bass", "chords"} <= set(tracks)
    for index, section in enumerate(song.plan.sections):
        assert _notes_in(tracks["drums"], section, song.plan), f"no drums in {section.name}"
        for role in ("bass", "chords"):
            if section.kind in grammar.band[role].sections:
                assert _notes_in(tracks[role], section, song.plan), f"no {role} in {section.name}"
        if section.lyric >= 0:
            assert any(n.onset.section == index for n in song.vocal), f"no singing in {section.name}"
        else:
            assert not any(n.onset.section == index for n in song.vocal)


@pytest.mark.parametrize("genre", genre_ids())
def test_intro_and_outro_come_from_the_chorus(genre):
    song = composed(MESSAGE, "Alex", genre, VIBES.get(genre, "heartfelt"), 4)
    sections = song.plan.sections
    chorus = next(i for i, s in enumerate(sections) if s.kind == "chorus")
    roots = lambda i: [(c.root - sections[i].shift) % 12 for c in song.chords if c.section == i]  # noqa: E731
    chorus_roots = roots(chorus)
    for i, s in enumerate(sections):
        if s.kind in ("intro", "outro"):
            assert set(roots(i)) <= set(chorus_roots)
        if s.kind == "intro":
            assert roots(i)[0] == chorus_roots[0]
        if s.kind == "outro":
            assert roots(i)[-1] == song.plan.tonic


def test_the_last_chorus_is_the_loudest_section():
    song = composed(MESSAGE, "Alex", "pop", "upbeat", 4)
    choruses = [s for s in song.plan.sections if s.kind == "chorus"]
    assert choruses[-1].energy == max(s.energy for s in song.plan.sections)
    verse = next(s for s in song.plan.sections if s.kind == "verse")
    drums = next(t for t in song.tracks if t.role == "drums")
    mean = lambda s: sum(n.velocity for n in _notes_in(drums, s, song.plan)) / len(_notes_in(drums, s, song.plan))  # noqa: E731
    assert mean(choruses[-1]) > mean(verse)


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("fluidsynth") and shutil.which("timidity")), reason="needs make setup")
@pytest.mark.parametrize("genre", ["pop", "jazz", "lullaby", "edm"])
def test_plays_in_fluidsynth_and_timidity_without_warnings(genre, tmp_path):
    song = composed(MESSAGE, "Alex", genre, VIBES[genre], 4, "short")
    midi = tmp_path / "song.mid"
    midi.write_bytes(song.to_midi())
    fs = subprocess.run(["fluidsynth", "-ni", "-F", str(tmp_path / "fs.wav"), "/usr/share/sounds/sf2/FluidR3_GM.sf2",
                         str(midi)], capture_output=True, text=True, timeout=120)
    assert fs.returncode == 0
    assert "warning" not in (fs.stdout + fs.stderr).lower() and "error" not in (fs.stdout + fs.stderr).lower()
    assert (tmp_path / "fs.wav").stat().st_size > 100_000
    tm = subprocess.run(["timidity", "-Ow", "-o", str(tmp_path / "tm.wav"), str(midi)],
                        capture_output=True, text=True, timeout=120)
    out = tm.stdout + tm.stderr
    assert tm.returncode == 0
    assert "warning" not in out.lower() and "can't" not in out.lower()
    assert "Notes lost totally: 0" in out


def test_laid_back_backbeat_sits_behind_the_grid():
    from composer.grammar import genre as load
    assert load("hip-hop").laid_back > 0 and load("pop").laid_back == 0
    song = composed(MESSAGE, "Alex", "hip-hop", "playful", 4)
    drums = next(t for t in song.tracks if t.role == "drums")
    beat = 480

    def behind(pitches: tuple[int, ...]) -> float:  # mean ticks after the beat, for hits near a beat
        offsets = [n.start % beat for n in drums.notes if n.pitch in pitches and n.start % beat < 60]
        return sum(offsets) / len(offsets)

    assert behind((38, 39, 37, 40)) > behind((36,)) + 8


def test_the_last_chorus_adds_layers():
    song = composed(MESSAGE, "Alex", "lullaby", "dreamy", 4)  # the lullaby's pad skips choruses
    sections = song.plan.sections
    last = max(i for i, s in enumerate(sections) if s.kind == "chorus")
    first = min(i for i, s in enumerate(sections) if s.kind == "chorus")
    playing = lambda i: {t.role for t in song.tracks if _notes_in(t, sections[i], song.plan)}  # noqa: E731
    assert "lead" not in playing(first) and "lead" in playing(last)  # dreamy is sparse: the lead waits
    assert playing(first) < playing(last)


# ---------------------------------------------------------------- the tune swings with the band

def _vocal_track(mid):
    return next(t for t in mid.tracks if t.name == "Vocal")


@pytest.mark.parametrize("genre, vibe", [("jazz", "romantic"), ("country", "playful"), ("hip-hop", "chill")])
def test_the_sung_line_swings_with_the_band(genre, vibe):
    import io

    import mido

    from composer.model import PPQ
    song = composed(MESSAGE, "Alex", genre, vibe, 4)
    assert song.plan.swing > 0
    delay = round(song.plan.swing * PPQ / 2)
    mid = mido.MidiFile(file=io.BytesIO(song.to_midi()))
    tick, onsets, lyrics = 0, [], []
    for msg in _vocal_track(mid):
        tick += msg.time
        if msg.type == "note_on" and msg.velocity:
            onsets.append(tick)
        elif msg.type == "lyrics":
            lyrics.append(tick)
    written = [n.start for n in sorted(song.vocal, key=lambda n: n.start)]
    assert len(onsets) == len(written) and lyrics == onsets  # each syllable's lyric at its own note-on
    swung = 0
    for played, at, after in zip(onsets, written, written[1:] + [10**9]):
        if at % PPQ == PPQ // 2 and at + delay < after - 40:
            assert played == at + delay
            swung += 1
        else:
            assert played == at
    assert swung > 10
    # the karaoke words follow the sung notes
    kar = mido.MidiFile(file=io.BytesIO(song.to_kar()))
    words = next(t for t in kar.tracks if t.name == "Words")
    tick, texts = 0, []
    for msg in words:
        tick += msg.time
        if msg.type == "text" and not msg.text.startswith("@"):
            texts.append(tick)
    assert texts == onsets


def test_a_straight_genre_sings_as_written():
    song = composed(MESSAGE, "Alex", "pop", "upbeat", 4)
    assert song.plan.swing == 0
    vocal = next(t for t in song.tracks if t.role == "vocal")
    assert [n.start for n in vocal.notes] == [n.start for n in sorted(song.vocal, key=lambda n: n.start)]


def test_six_eight_is_never_swung_even_by_a_swinging_vibe():
    from composer import compose
    from composer.vibes import vibe
    assert vibe("playful").swing > 0
    song = next(s for s in (compose("Sleep now, little one.", to="Mia", genre="lullaby", vibe="playful", seed=k,
                                    length="short") for k in range(40)) if s.plan.meter == (6, 8))
    assert song.plan.swing == 0.0
    assert "already rocks in threes" in dict(song.plan.reasons)["swing"]


@pytest.mark.parametrize("genre", genre_ids())
def test_the_last_bar_is_the_genres_ending(genre):
    from composer.model import PPQ
    song = composed(MESSAGE, "Alex", genre, VIBES.get(genre, "heartfelt"), 4)
    pat = load_genre(genre).patterns[song.plan.meter]
    drums = next(t for t in song.tracks if t.role == "drums")
    last = song.plan.sections[-1]
    bar_start = last.start + (last.bars - 1) * song.plan.bar_ticks
    hits = sorted((n.start, n.pitch) for n in drums.notes if n.start >= bar_start - PPQ // 8)
    from composer.arrange import _drum_rules
    notes = _drum_rules()[0]
    ending = pat.drums.get("ending", {"kick": "X", "crash": "X"})
    step = song.plan.bar_ticks // pat.steps
    expected = sorted((bar_start + i * step, notes[inst]) for inst, row in ending.items()
                      for i, c in enumerate(row) if c != ".")
    assert [p for _, p in hits] == [p for _, p in expected]
    assert all(abs(t - e) <= 40 for (t, _), (e, _) in zip(hits, expected))  # humanised, within a few ticks
    if genre in ("lullaby", "bossa-nova"):
        assert notes["crash"] not in {p for _, p in hits}, "a soft genre does not end on a crash"
