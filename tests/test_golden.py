"""Golden tests: the output bytes of one song per genre are pinned, and change only with the version.

tests/data/golden.json holds the SHA-256 of song.mid and song.json of
``songgram compose MESSAGE --to Mom --genre G --vibe heartfelt --seed 1
--no-audio`` for every genre (made by ``python scripts/golden.py --update``;
see composer/tools/golden.py). A change that alters them is fine when it is
meant: bump the version, say what changed in CHANGES.md, regenerate.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from cli import main
from composer import __version__, genre_ids
from composer.tools import golden

GOLDEN = golden.read(Path(__file__).parent / "data" / "golden.json")
CHANGED = "output bytes changed: bump the version, add to CHANGES.md, run scripts/golden.py --update"


def test_every_genre_has_a_golden_song_made_by_this_version():
    assert sorted(GOLDEN["songs"]) == sorted(genre_ids()), f"the genres changed: {CHANGED}"
    assert GOLDEN["engine"] == __version__, (
        f"tests/data/golden.json was made by engine {GOLDEN['engine']}, this is {__version__}: "
        "add to CHANGES.md, run scripts/golden.py --update")


@pytest.mark.parametrize("genre", genre_ids())
def test_song_bytes_are_pinned(genre):
    hashes = golden.song_hashes(genre)
    for name in golden.FILES:
        assert hashes[name] == GOLDEN["songs"].get(genre, {}).get(name), f"{genre} {name}: {CHANGED}"


def test_the_command_line_writes_the_golden_bytes(runner, tmp_path):
    out = tmp_path / "song"
    result = runner.invoke(main, ["-q", "compose", golden.MESSAGE, "--to", golden.TO, "--genre", "pop", "--vibe",
                                  golden.VIBE, "--seed", str(golden.SEED), "--no-audio", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in golden.FILES:
        digest = hashlib.sha256((out / name).read_bytes()).hexdigest()
        assert digest == GOLDEN["songs"]["pop"][name], f"pop {name} from songgram compose: {CHANGED}"
