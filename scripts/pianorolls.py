#!/usr/bin/env python3
"""Regenerate docs/pianoroll-<genre>.png: one piano-roll overview per genre.

Every genre in grammars/ sings the same message with the same vibe and seed,
so the pictures compare the genres and nothing else. With a singing voice in
the build it also draws docs/voice-<genre>.png: the sung f0 curve over the
written Vocal notes (composer.measure.voiceroll), from `songgram compose --stems`. Each file is written to
a temporary name and renamed, so an interrupted run leaves no half picture.

Usage: .venv/bin/python scripts/pianorolls.py [--out docs] [--genre pop ...] [--no-voice] [--instrumental]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
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
SONGGRAM = str(Path(sys.executable).parent / "songgram")


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


def write_voiceroll(genre: str, out: Path) -> Path:
    """Compose the demo message in ``genre`` with stems and draw ``out/voice-<genre>.png``."""
    from composer.measure.voiceroll import folder_to_voice_png

    with tempfile.TemporaryDirectory(prefix="songgram-voiceroll-") as work:
        subprocess.run([SONGGRAM, "compose", "--to", TO, "--genre", genre, "--vibe", VIBE, "--seed", str(SEED),
                        "--out", work, "--stems", "--", MESSAGE], check=True, capture_output=True)
        return folder_to_voice_png(Path(work), out / f"voice-{genre}.png",
                                   title=f"{genre}, {VIBE}, seed {SEED}: sung f0 over the written Vocal notes")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder for the PNGs (default: docs/)")
    parser.add_argument("--genre", action="append", choices=genre_ids(),
                        help="only this genre (repeatable; default: every genre)")
    parser.add_argument("--no-voice", action="store_true", help="skip the voice rolls (docs/voice-<genre>.png)")
    parser.add_argument("--instrumental", action="store_true",
                        help="draw the voice rolls even without a singing voice (the instrument's f0)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for genre in args.genre or genre_ids():
        start = time.perf_counter()
        path = write_pianoroll(genre, args.out)
        print(f"{path}  ({time.perf_counter() - start:.1f} s)")
    if not args.no_voice:
        from composer.measure.report import has_voice
        if not (args.instrumental or has_voice(SONGGRAM)):
            print("voice rolls: skipped, this build has no singing voice (`songgram voices` is missing)")
            return 0
        for genre in args.genre or genre_ids():
            start = time.perf_counter()
            path = write_voiceroll(genre, args.out)
            print(f"{path}  ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
