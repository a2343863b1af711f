"""The public API: its names, and the same audio from the library as from the CLI (issue 15, item 3)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import composer
from cli import main
from composer import compose, genre_effects, render_file
from composer.voice import midi_overdub

ROOT = Path(__file__).resolve().parent.parent
MESSAGE = "Keep going, you are closer than you think."


def test_all_lists_the_public_names_and_each_resolves():
    assert len(composer.__all__) == len(set(composer.__all__))
    for name in composer.__all__:
        assert getattr(composer, name) is not None, name
    assert {"compose", "Song", "SavedSong", "render_file", "RenderReport", "Effects", "genre_effects",
            "InputError", "RefusedError", "RenderError", "OutputError", "GrammarError", "SonggramError",
            "__version__"} <= set(composer.__all__)
    # the type checker sees the lazy names too: each has its import under TYPE_CHECKING
    tree = ast.parse((ROOT / "composer" / "__init__.py").read_text(encoding="utf-8"))
    declared = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names}
    assert set(composer.__all__) <= declared | {"__version__"}


def test_the_package_is_typed():
    assert (ROOT / "composer" / "py.typed").is_file()
    assert "py.typed" in (ROOT / "setup.cfg").read_text(encoding="utf-8")


@pytest.mark.slow
def test_cli_compose_audio_is_the_library_render_with_the_genres_effects(runner, tmp_path):
    result = runner.invoke(main, ["compose", MESSAGE, "--to", "Alex", "--genre", "ballad", "--vibe", "heartfelt",
                                  "--seed", "5", "--length", "short", "--voice", "none",
                                  "--out", str(tmp_path / "cli")])
    assert result.exit_code == 0, result.output
    song = compose(MESSAGE, to="Alex", genre="ballad", vibe="heartfelt", seed=5, length="short")
    song.save(tmp_path / "lib", audio=False)
    assert (tmp_path / "lib" / "song.mid").read_bytes() == (tmp_path / "cli" / "song.mid").read_bytes()
    render_file(tmp_path / "lib" / "song.mid", tmp_path / "lib" / "song.wav", effects=genre_effects("ballad"),
                title=song.title)
    assert (tmp_path / "lib" / "song.wav").read_bytes() == (tmp_path / "cli" / "song.wav").read_bytes()
    # and the genre's effects are what make it: the default effects give other audio
    render_file(tmp_path / "lib" / "song.mid", tmp_path / "plain.wav", title=song.title)
    assert (tmp_path / "plain.wav").read_bytes() != (tmp_path / "cli" / "song.wav").read_bytes()


@pytest.mark.slow
def test_cli_render_with_a_voice_is_the_library_render_with_its_overdub(runner, tmp_path):
    song = compose(MESSAGE, to="Alex", genre="pop", vibe="upbeat", seed=3, length="short")
    midi = song.save(tmp_path / "s", audio=False).folder / "song.mid"
    result = runner.invoke(main, ["render", str(midi), "--out", str(tmp_path / "cli.wav"), "--voice", "kal"])
    assert result.exit_code == 0, result.output
    from composer.render import midi_title

    render_file(midi, tmp_path / "lib.wav", overdub=midi_overdub(midi, "kal"), title=midi_title(midi), artist="")
    assert (tmp_path / "lib.wav").read_bytes() == (tmp_path / "cli.wav").read_bytes()


def test_midi_overdub_is_none_without_lyrics_and_a_render_error_for_a_bad_file(tmp_path):
    import mido

    from composer.errors import RenderError

    plain = mido.MidiFile()
    plain.tracks.append(mido.MidiTrack([mido.Message("note_on", note=60, velocity=80),
                                        mido.Message("note_off", note=60, time=480)]))
    plain.save(tmp_path / "plain.mid")
    assert midi_overdub(tmp_path / "plain.mid", "kal") is None
    (tmp_path / "bad.mid").write_bytes(b"not a midi file")
    with pytest.raises(RenderError, match="not a readable MIDI file"):
        midi_overdub(tmp_path / "bad.mid", "kal")
