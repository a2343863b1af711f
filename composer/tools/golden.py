"""Golden hashes: the SHA-256 of song.mid and song.json for one song per genre.

The bytes a song is written as are part of the engine's contract: a change
that alters them must bump the version (composer/version.py) and say so in
CHANGES.md. ``tests/test_golden.py`` compares every genre's song with
``tests/data/golden.json``; ``python scripts/golden.py --update`` rewrites it.

Each song is what ``songgram compose MESSAGE --to Mom --genre G --vibe
heartfelt --seed 1 --no-audio`` writes (the same writer, :func:`composer.save.save_song`).
Without audio, song.json holds nothing that varies from run to run: no times,
no paths, no SoundFont; the engine version is in it, so a version bump
changes every song.json hash.

>>> sorted(song_hashes("pop"))
['song.json', 'song.mid']
>>> song_hashes("pop") == song_hashes("pop")
True
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["FILES", "MESSAGE", "SEED", "TO", "VIBE", "golden", "read", "song_hashes", "write"]

MESSAGE = "Mom, thank you for always cooking for us. I love you."
"""The message every golden song is composed from."""
TO = "Mom"
VIBE = "heartfelt"
SEED = 1
FILES = ("song.mid", "song.json")
"""The files pinned: the score and the description. Audio depends on FluidSynth and is not pinned."""


def song_hashes(genre: str) -> dict[str, str]:
    """The SHA-256 (hex) of each of :data:`FILES` for ``genre``'s golden song, written to a scratch folder."""
    from .. import compose
    from ..save import save_song

    song = compose(MESSAGE, to=TO, genre=genre, vibe=VIBE, seed=SEED)
    with tempfile.TemporaryDirectory(prefix="songgram-golden-") as scratch:
        folder = Path(scratch) / "song"
        save_song(song, folder, audio=False)
        return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in FILES}


def golden() -> dict[str, Any]:
    """The golden document of this engine: how the songs are made, the version, and each genre's hashes."""
    from ..grammar import genre_ids
    from ..version import __version__

    return {
        "made_by": "python scripts/golden.py --update",
        "command": f"songgram compose {MESSAGE!r} --to {TO} --genre GENRE --vibe {VIBE} --seed {SEED} --no-audio",
        "engine": __version__,
        "songs": {genre: song_hashes(genre) for genre in genre_ids()},
    }


def read(path: str | Path) -> dict[str, Any]:
    """A golden document written by :func:`write`."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write(path: str | Path, document: dict[str, Any]) -> None:
    """Write ``document`` as stable, sorted JSON."""
    Path(path).write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
