#!/usr/bin/env python3
"""Regenerate docs/pianoroll-<genre>.png: one piano-roll overview per genre.

Every genre in grammars/ sings the same message with the same vibe and seed,
so the pictures compare the genres and nothing else. Each file is written to
a temporary name and renamed, so an interrupted run leaves no half picture.

Usage: .venv/bin/python scripts/pianorolls.py [--out docs] [--genre pop ...]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from composer import compose, genre_ids  # noqa: E402
from composer.export.pianoroll import song_to_png  # noqa: E402

MESSAGE = "Mom, thank you for always cooking for us. I love you."
TO = "Mom"
VIBE = "heartfelt"
SEED = 7


def write_pianoroll(genre: str, out: Path) -> Path:
    """Compose the demo message in ``genre`` and write ``out/pianoroll-<genre>.png``."""
    song = compose(MESSAGE, to=TO, genre=genre, vibe=VIBE, seed=SEED)
    target = out / f"pianoroll-{genre}.png"
    temp = out / f".{target.name}.{os.getpid()}.tmp"
    try:
        song_to_png(song, temp)
        os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder for the PNGs (default: docs/)")
    parser.add_argument("--genre", action="append", choices=genre_ids(),
                        help="only this genre (repeatable; default: every genre)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for genre in args.genre or genre_ids():
        start = time.perf_counter()
        path = write_pianoroll(genre, args.out)
        print(f"{path}  ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
