"""docs/api.md runs: its python examples, in order, in one namespace, from an empty folder.

Each example is executed as written (the audio ones render and sing for real), so the API
documentation cannot drift from the API. README's short section is checked the same way.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks(path: Path) -> list[str]:
    """The ```python blocks of a Markdown file, in order."""
    return BLOCK.findall(path.read_text(encoding="utf-8"))


def run_blocks(blocks: list[str], name: str) -> dict[str, object]:
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for number, code in enumerate(blocks, 1):
        exec(compile(code, f"{name} example {number}", "exec"), namespace)  # noqa: S102 - our own docs
    return namespace


def test_the_api_doc_has_examples_of_each_promise():
    text = "\n".join(python_blocks(ROOT / "docs" / "api.md"))
    for call in ("compose(", ".save(", "render_file(", "genre_effects(", "midi_overdub(", "err.field",
                 "err.value", "to_midi()"):
        assert call in text, call


@pytest.mark.slow
def test_every_example_in_the_api_doc_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    namespace = run_blocks(python_blocks(ROOT / "docs" / "api.md"), "docs/api.md")
    out = capsys.readouterr().out
    assert "A song for Marco" in out
    assert "tempo=400: tempo must be a whole number of BPM 40..220, got 400" in out
    # what the examples wrote is there and is what they say
    assert sorted(p.name for p in (tmp_path / "songs" / "marco").iterdir() if not p.name.startswith(".")) == [
        "band.wav", "lyrics.txt", "song.chordpro", "song.json", "song.kar", "song.mid", "song.musicxml", "sung.mp3"]
    assert (tmp_path / "songs" / "marco-sung" / "song.flac").stat().st_size > 10_000
    assert namespace["report"].lufs == pytest.approx(-14, abs=1)  # type: ignore[attr-defined]


def test_the_readme_python_example_runs(tmp_path, monkeypatch, capsys):
    blocks = python_blocks(ROOT / "README.md")
    assert blocks, "README.md shows the Python API"
    monkeypatch.chdir(tmp_path)
    run_blocks(blocks, "README.md")
    assert (tmp_path / "songs" / "alex" / "song.mid").is_file()
    assert "A song for Alex" in capsys.readouterr().out
