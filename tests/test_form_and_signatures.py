"""The arrangement's contract (issue 13), read back from song.mid: the voice leads, the form grows,
each genre keeps its signature, the tempo means the vibe."""

from __future__ import annotations

import io

import mido
import pytest

from composer import compose
from composer.errors import GrammarError
from composer.export.songjson import song_to_dict
from composer.grammar import genre as load_genre
from composer.grammar import genre_ids
from composer.tools import evaluate_arrangement as measure  # the figures of make evaluate, reused as the oracle

MESSAGE = "Mom, thank you for always cooking for us. I love you, and I hope you know it every day."


def _read(song):
    return measure.read(song.to_midi(), song_to_dict(song))


@pytest.mark.parametrize("genre", genre_ids())
def test_the_song_ends_on_the_tonic_in_the_bass_and_the_chord(genre):
    song = compose(MESSAGE, to="Mom", genre=genre, vibe="romantic", seed=2)
    assert measure.tonic_ending(_read(song)), [c.symbol for c in song.chords[-3:]]


@pytest.mark.parametrize("genre", ["jazz", "bossa-nova", "rnb", "hip-hop", "pop"])
def test_comping_sits_under_the_voice_without_rubs(genre):
    clear = total = rubs = onsets = 0.0
    for seed in (1, 2):
        c, t, r, o = measure.above_and_rub(_read(compose(MESSAGE, to="Mom", genre=genre, vibe="romantic", seed=seed)))
        clear, total, rubs, onsets = clear + c, total + t, rubs + r, onsets + o
    assert clear / total >= 0.8
    assert rubs / onsets <= 0.10


@pytest.mark.parametrize("genre", genre_ids())
def test_no_two_choruses_in_a_row_are_the_same_and_the_last_adds_something(genre):
    song = _read(compose(MESSAGE, to="Mom", genre=genre, vibe="upbeat", seed=3))
    assert measure.same_choruses(song)[0] == 0
    assert measure.adds_something(song) is not False


@pytest.mark.parametrize("genre", genre_ids())
def test_the_intro_is_short_and_plays_the_chorus_hook(genre):
    song = compose(MESSAGE, to="Mom", genre=genre, vibe="upbeat", seed=4)
    intro = song.plan.sections[0]
    assert intro.kind == "intro" and intro.bars <= 4
    chorus = next(i for i, s in enumerate(song.plan.sections) if s.kind == "chorus")
    first = [n for n in song.vocal if n.onset.section == chorus]
    first = [n for n in first if n.onset.line == first[0].onset.line]
    end = intro.start + intro.bars * song.plan.bar_ticks
    role = "lead" if "lead" in load_genre(genre).band else "chords"
    track = next(t for t in song.tracks if t.role == role)
    offset = intro.start - song.plan.sections[chorus].start
    hook = [n for n in first if n.start + offset < end]
    assert len(hook) >= 3
    for n in hook:  # each note of the chorus's first line, at its place in the intro, on the hook's part
        late = 12 + round(song.plan.swing * 240)  # humanised, and swung on the off-beats
        assert any(-12 <= m.start - (n.start + offset) <= late and m.pitch % 12 == n.pitch % 12
                   for m in track.notes), n


def test_a_key_lift_moves_the_last_chorus_and_writes_its_key_signature():
    song = compose(MESSAGE, to="Mom", genre="pop", vibe="upbeat", seed=1)
    assert load_genre("pop").final_lift == "key"
    last = max(i for i, s in enumerate(song.plan.sections) if s.kind == "chorus")
    first = min(i for i, s in enumerate(song.plan.sections) if s.kind == "chorus")
    shift = song.plan.sections[last].shift
    assert shift > 0 and song.plan.sections[first].shift == 0
    sung = lambda i: [n.pitch for n in song.vocal if n.onset.section == i]  # noqa: E731
    assert [p - shift for p in sung(last)][:8] == sung(first)[:8]
    keys = [m for m in mido.MidiFile(file=io.BytesIO(song.to_midi())).tracks[0] if m.type == "key_signature"]
    assert len(keys) == 2


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_edm_builds_into_an_instrumental_drop(seed):
    song = compose(MESSAGE, to="Mom", genre="edm", vibe="energetic", seed=seed)
    read = _read(song)
    assert measure.edm_signature(read)
    build = next(s for s in song.plan.sections if s.kind == "build")
    assert build.bars == 8
    drums = next(t for t in song.tracks if t.role == "drums")
    per_bar = [sum(1 for n in drums.notes if n.pitch == 38 and build.start + b * song.plan.bar_ticks <= n.start
                   < build.start + (b + 1) * song.plan.bar_ticks) for b in range(build.bars)]
    assert per_bar == sorted(per_bar) and per_bar[-1] >= 4 * per_bar[0]  # the roll accelerates
    sweep = [v for t, c, v in next(t for t in song.tracks if t.role == "pad").controls if c == 74]
    assert sweep == sorted(sweep[:-1]) + sweep[-1:] and len(set(sweep)) >= 8
    drop = next(s for s in song.plan.sections if s.kind == "drop")
    lead = next(t for t in song.tracks if t.role == "lead")
    chorus = next(i for i, s in enumerate(song.plan.sections) if s.kind == "chorus")
    hook = [n.pitch % 12 for n in song.vocal if n.onset.section == chorus][:4]
    played = [n.pitch % 12 for n in lead.notes if drop.start <= n.start]
    assert hook and any(played[i:i + 4] == hook for i in range(len(played)))


def test_hip_hop_verses_are_rapped_and_the_hook_is_sung():
    sung = bars = 0
    for seed in (1, 2, 3):
        song = compose(MESSAGE, to="Mom", genre="hip-hop", vibe="upbeat", seed=seed)
        s, b = measure.verse_syllables(_read(song))
        sung, bars = sung + s, bars + b
        verse = [n for n in song.vocal if song.plan.sections[n.onset.section].kind == "verse"]
        chorus = [n for n in song.vocal if song.plan.sections[n.onset.section].kind == "chorus"]
        assert any(n.start % 120 == 0 and n.start % 240 for n in verse)  # sixteenths between the eighths
        assert len(chorus) / sum(s.bars for s in song.plan.sections if s.kind == "chorus") < 8
    assert sung / bars >= 8


def test_energetic_is_faster_than_heartfelt_in_nearly_every_genre():
    faster = 0
    for genre in genre_ids():
        lo, hi = load_genre(genre).tempo_range
        tempi = {v: [compose(MESSAGE, to="Mom", genre=genre, vibe=v, seed=s).plan.tempo for s in (1, 2, 3)]
                 for v in ("energetic", "heartfelt")}
        assert all(lo <= t <= hi for ts in tempi.values() for t in ts)
        faster += sum(tempi["energetic"]) / 3 - sum(tempi["heartfelt"]) / 3 >= 12
    assert faster >= 10


def test_bossa_nova_is_straight_whatever_the_vibe():
    song = compose(MESSAGE, to="Mom", genre="bossa-nova", vibe="playful", seed=1)
    assert song.plan.swing == 0.0
    assert "played straight" in dict(song.plan.reasons)["swing"]


def test_a_missing_performance_key_names_the_file(monkeypatch):
    from composer import data, performance
    real = data.load

    def without_level(folder, name):
        table = real(folder, name)
        if name == "performance":
            table = {k: v for k, v in table.items() if k != "level"}
        return table

    monkeypatch.setattr(data, "load", without_level)
    performance.performance.cache_clear()
    try:
        with pytest.raises(GrammarError, match="rules/performance.toml"):
            performance.performance()
    finally:
        performance.performance.cache_clear()
