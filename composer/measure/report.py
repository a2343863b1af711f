"""The voice figures of a set of songs: one row per song (per genre), one overall row, each against its goal.

:func:`measure_song` measures one folder written by ``songgram compose
--stems``; :func:`voice_table` prints the Markdown table `make evaluate`
shows; :func:`evaluate_voice` composes one unseen message per genre and does
both (scripts/evaluate.py and scripts/evaluate_voice.py call it).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from .sung import read_take, load_stems
from .voice import NoteMeasure, PitchTrack, balance_lu, measure_notes

__all__ = ["GOALS", "VoiceFigures", "measure_song", "voice_table", "has_voice", "one_per_genre", "evaluate_voice"]

GOALS = {  # key: (label, op, target), the goals of issue 11
    "sounding": ("Vocal notes during which the vocal stem is sounding", ">=", 0.98),
    "within50": ("notes whose median f0 is within +-50 cents of the written pitch", ">=", 0.95),
    "within25": ("notes whose median f0 is within +-25 cents", ">=", 0.85),
    "f1_median": ("intelligibility F1 (PocketSphinx), median of the songs", ">=", 0.5),
    "f1_min": ("intelligibility F1, lowest song", ">=", 0.3),
    "balance": ("songs whose vocal is within -3..+3 LU of the rest of the mix in choruses", ">=", 1.0),
}


@dataclass(frozen=True, slots=True)
class VoiceFigures:
    """One song's voice figures.

    Attributes:
        song: an id ("unseen/01-reggae").
        genre: the song's genre (from song.json's reasons or the job).
        notes: written Vocal notes.
        sounding: notes whose middle sounds.
        within50: notes within +-50 cents.
        within25: notes within +-25 cents.
        octave: notes off by whole octaves (misses above, shown apart).
        unpitched: notes with no f0 over most of their middle.
        f1: intelligibility F1, None when not measured.
        unknown: sung words the recogniser cannot pronounce.
        balance: vocal minus the rest in choruses, LU; None without a chorus.
        seconds: how long measuring took.
    """

    song: str
    genre: str
    notes: int
    sounding: int
    within50: int
    within25: int
    octave: int
    unpitched: int
    f1: float | None
    unknown: tuple[str, ...]
    balance: float | None
    seconds: float


def measure_song(folder: Path, *, song: str = "", genre: str = "", asr: bool = True
                 ) -> tuple[VoiceFigures, list[NoteMeasure], PitchTrack]:
    """Every voice figure of one song folder, with the per-note measures and the f0 curve."""
    start = time.perf_counter()
    take = read_take(folder)
    vocal, rest, rate = load_stems(folder)
    notes, track = measure_notes(take.notes, vocal, rate)
    heard = None
    if asr:
        from .intelligibility import hear_song
        heard = hear_song(take.notes, take.words, vocal, rate)
    figures = VoiceFigures(
        song=song or Path(folder).name, genre=genre or str(take.info.get("input", {}).get("genre", "")),
        notes=len(notes),
        sounding=sum(m.sounding for m in notes), within50=sum(m.within(50) for m in notes),
        within25=sum(m.within(25) for m in notes), octave=sum(m.octave_error for m in notes),
        unpitched=sum(m.cents is None for m in notes), f1=heard.f1 if heard else None,
        unknown=heard.unknown if heard else (), balance=balance_lu(vocal, rest, rate, take.sections),
        seconds=time.perf_counter() - start)
    return figures, notes, track


def _verdict(key: str, value: float | None) -> str:
    _, op, target = GOALS[key]
    if value is None:
        return "n/a"
    return "PASS" if (value >= target if op == ">=" else value <= target) else "FAIL"


def _cell(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def voice_table(rows: list[VoiceFigures], *, title: str = "Voice") -> dict:
    """Print one row per song and the overall figures against the goals; returns them."""
    print(f"\n## {title}\n")
    print("| genre | song | notes | sounding | +-50 c | +-25 c | octave off | unpitched | F1 | chorus LU |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in sorted(rows, key=lambda r: r.genre):
        print(f"| {r.genre} | {r.song} | {r.notes} | {r.sounding / r.notes:.3f} | {r.within50 / r.notes:.3f} | "
              f"{r.within25 / r.notes:.3f} | {r.octave} | {r.unpitched} | {_cell(r.f1)} | "
              f"{'-' if r.balance is None else f'{r.balance:+.1f}'} |")
    notes = sum(r.notes for r in rows) or 1
    f1s = [r.f1 for r in rows if r.f1 is not None]
    balances = [r.balance for r in rows if r.balance is not None]
    overall = {
        "sounding": sum(r.sounding for r in rows) / notes, "within50": sum(r.within50 for r in rows) / notes,
        "within25": sum(r.within25 for r in rows) / notes, "f1_median": statistics.median(f1s) if f1s else None,
        "f1_min": min(f1s) if f1s else None,
        "balance": sum(-3 <= b <= 3 for b in balances) / len(balances) if balances else None,
    }
    print(f"| overall | {len(rows)} songs | {sum(r.notes for r in rows)} | {overall['sounding']:.3f} | "
          f"{overall['within50']:.3f} | {overall['within25']:.3f} | {sum(r.octave for r in rows)} | "
          f"{sum(r.unpitched for r in rows)} | {_cell(overall['f1_median'])} (median) | "
          + (f"{min(balances):+.1f}..{max(balances):+.1f}" if balances else "-") + " |")
    print("\n| figure | value | goal | result |\n| --- | --- | --- | --- |")
    result = {}
    for key, value in overall.items():
        label, op, target = GOALS[key]
        result[key] = {"value": value, "target": f"{op} {target:g}", "pass": _verdict(key, value) == "PASS"}
        print(f"| {label} | {_cell(value, 3)} | {op} {target:g} | {_verdict(key, value)} |")
    unknown = sorted({w for r in rows for w in r.unknown})
    if unknown:
        print(f"\nSung words the recogniser has no pronunciation for (always missed): {', '.join(unknown)}")
    return {"figures": result, "songs": [asdict(r) for r in rows]}


def has_voice(songgram: str) -> bool:
    """Whether this build sings: ``songgram voices`` exists and lists a voice."""
    try:
        proc = subprocess.run([songgram, "voices"], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0 and bool(proc.stdout.strip())


def one_per_genre(path: Path) -> list[dict]:
    """The first message of each genre in a JSONL file, in file order."""
    seen: set[str] = set()
    out: list[dict] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            msg = json.loads(line)
            if msg["genre"] not in seen:
                seen.add(msg["genre"])
                out.append({**msg, "index": len(out)})
    return out


def _compose(songgram: str, msg: dict, out: Path, seed: int) -> str:
    cmd = [songgram, "compose", "--to", msg["to"], "--genre", msg["genre"], "--vibe", msg["vibe"], "--seed",
           str(seed), "--out", str(out), "--stems", "--", msg["message"]]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return "" if proc.returncode == 0 else (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]


def evaluate_voice(messages: Path, work: Path, *, songgram: str, seed: int = 1, workers: int = 2,
                   asr: bool = True, instrumental_ok: bool = False) -> dict | None:
    """Compose one message per genre with stems, measure each, print the table; None when skipped.

    Without a singing voice in this build it says so in one line and measures nothing, unless
    ``instrumental_ok`` (then the instrument on the Vocal line is measured: a baseline).
    """
    voiced = has_voice(songgram)
    if not voiced and not instrumental_ok:
        print("\nVoice figures: skipped, this build has no singing voice (`songgram voices` is missing).")
        return None
    msgs = one_per_genre(messages)
    print(f"composing {len(msgs)} songs with stems in {work} ...", file=sys.stderr)
    folders = [work / f"{messages.stem}-{m['index']:02d}-{m['genre']}" for m in msgs]
    with ThreadPoolExecutor(workers) as pool:
        errors = list(pool.map(lambda mf: _compose(songgram, mf[0], mf[1], seed), zip(msgs, folders)))
    rows = []
    for msg, folder, err in zip(msgs, folders, errors):
        if err:
            print(f"- {folder.name}: not composed: {err}")
            continue
        rows.append(measure_song(folder, song=folder.name, genre=msg["genre"], asr=asr)[0])
    title = (f"Voice: one song per genre from {messages.name}, seed {seed}"
             + ("" if voiced else " (no singing voice in this build: the instrument on the Vocal line)"))
    return voice_table(rows, title=title) | {"voice": voiced}
