"""Quick figures for the singing voice, song by song (docs/voices.md).

For each example message (tests/data/example_messages.jsonl, or --messages
FILE), compose the song with its genre and vibe, save it with stems, and
report: the voice and octave shift chosen, the seconds save_song took, the
share of Vocal notes during which stem-vocal.wav sounds (over -40 dB of its
peak), the share whose median f0 (WORLD DIO + StoneMask) is within 50 and 25
cents of the written pitch, the vocal stem's loudness minus the other stems'
in the choruses (BS.1770), and song.wav's loudness.

    .venv/bin/python scripts/voice_check.py --only 0,1,2 [--length short]

The measuring tools of `make evaluate` (f0 per note, PocketSphinx
intelligibility, piano rolls with f0) are the reference; this is the
voice's own quick check.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _f0(audio: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
    import pyworld

    mono = np.ascontiguousarray(audio.mean(axis=1), dtype=np.float64)
    f0, times = pyworld.dio(mono, rate, f0_floor=60.0, f0_ceil=900.0, frame_period=5.0)
    return pyworld.stonemask(mono, f0, times, rate), times


def check(entry: dict, seed: int, length: str, folder: Path) -> dict:
    """The figures for one message."""
    import soundfile

    from composer import compose
    from composer.loudness import integrated_loudness
    from composer.save import save_song
    from composer.voice import prepare_song

    song = compose(entry["message"], to=entry["to"], genre=entry["genre"], vibe=entry["vibe"], seed=seed,
                   length=length)
    began = time.perf_counter()
    save_song(song, folder, stems=True)
    seconds = time.perf_counter() - began
    take = prepare_song(song)
    voice, rate = soundfile.read(folder / "stem-vocal.wav", dtype="float32")
    rest = sum(soundfile.read(p, dtype="float32")[0] for p in folder.glob("stem-*.wav") if p.name != "stem-vocal.wav")

    def choruses(audio: np.ndarray) -> np.ndarray:
        parts = [audio[int(a * rate):int(b * rate)] for a, b in take.choruses]
        return np.concatenate(parts) if parts else audio

    f0, times = _f0(voice, rate)
    level = np.sqrt(np.convolve(voice.mean(axis=1) ** 2, np.ones(441) / 441, "same"))
    floor = level.max() * 10 ** (-40 / 20)
    notes = [n for line in take.lines for n in line.notes]
    sounding = near50 = near25 = 0
    for n in notes:
        sounding += bool(level[int(n.start * rate):int(n.end * rate)].max() > floor)
        got = f0[(times >= n.start) & (times < n.end) & (f0 > 0)]
        if got.size:
            cents = abs(1200 * np.log2(np.median(got) / (440 * 2 ** ((n.pitch - 69) / 12))))
            near50 += bool(cents <= 50)
            near25 += bool(cents <= 25)
    mix = soundfile.read(folder / "song.wav", dtype="float32")[0]
    return {"genre": entry["genre"], "voice": take.choice.voice.name, "shift": take.choice.shift,
            "save_seconds": round(seconds, 2), "notes": len(notes),
            "sounding": round(sounding / len(notes), 3), "within_50": round(near50 / len(notes), 3),
            "within_25": round(near25 / len(notes), 3),
            "chorus_lu": round(integrated_loudness(choruses(voice), rate) - integrated_loudness(choruses(rest), rate), 2),
            "song_lufs": round(integrated_loudness(mix, rate), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=Path, default=ROOT / "tests/data/example_messages.jsonl")
    parser.add_argument("--only", default="", help="comma list of message indices")
    parser.add_argument("--length", default="full", choices=("full", "short"))
    args = parser.parse_args()
    entries = [json.loads(line) for line in args.messages.read_text().splitlines() if line.strip()]
    chosen = [int(i) for i in args.only.split(",")] if args.only else range(len(entries))
    with tempfile.TemporaryDirectory() as tmp:
        for i in chosen:
            row = check(entries[i], i, args.length, Path(tmp) / str(i))
            print(json.dumps({"message": i, **row}), flush=True)


if __name__ == "__main__":
    main()
