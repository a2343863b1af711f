"""The voice figures of issue 11: presence, pitch, intelligibility and chorus balance of stem-vocal.wav.

Either measure song folders written by ``songgram compose --stems``, or
compose one message per genre from a JSONL file (default: the unseen
messages, which the engine was never tuned on) and measure those. Also
called by scripts/evaluate.py (`make evaluate`). Definitions: the docstrings
of composer/measure/voice.py and composer/measure/intelligibility.py.

    python scripts/evaluate_voice.py [FOLDER ...] [--messages FILE] [--seed 1]
                                     [--out DIR] [--json PATH] [--no-asr] [--instrumental]

Without a singing voice in this build (no `songgram voices`) the composed
set is skipped with one line, unless --instrumental asks to measure the
instrument that plays the Vocal line (a baseline). Given folders are always
measured.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from composer.measure.report import evaluate_voice, measure_song, voice_table  # noqa: E402

SONGGRAM = str(Path(sys.executable).parent / "songgram")
UNSEEN = ROOT / "tests/data/unseen_messages.jsonl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="*", type=Path, help="song folders written with --stems")
    parser.add_argument("--messages", type=Path, default=UNSEEN, help="JSONL messages, one song per genre")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, help="keep the composed songs here")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--no-asr", action="store_true", help="skip the (slowest) intelligibility figure")
    parser.add_argument("--instrumental", action="store_true",
                        help="measure even without a singing voice (the instrument on the Vocal line)")
    args = parser.parse_args(argv)
    if args.folders:
        rows = [measure_song(f, asr=not args.no_asr)[0] for f in args.folders]
        result = voice_table(rows, title=f"Voice: {len(rows)} song folders")
    else:
        work = args.out or Path(tempfile.mkdtemp(prefix="songgram-voice-"))
        try:
            result = evaluate_voice(args.messages, work, songgram=SONGGRAM, seed=args.seed, workers=args.workers,
                                    asr=not args.no_asr, instrumental_ok=args.instrumental)
        finally:
            if not args.out:
                shutil.rmtree(work, ignore_errors=True)
    if args.json and result is not None:
        args.json.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
