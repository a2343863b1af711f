"""`make evaluate`: compose the sets with the real command and report every figure (issues 3, 4, 12, 13).

The figures themselves (reading song.mid back, each measure, the tables) are
:mod:`composer.tools.evaluate`; this module plans the songs, composes them and
puts the report together, with the lyric (:mod:`.evaluate_lyrics`) and
arrangement (:mod:`.evaluate_arrangement`) figures beside them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import mido

from .evaluate import (DEFAULT_FILES, EXPORT_FIGURES, ROOT, SONGGRAM, SONG_FIGURES, Song, Tally, essen_reference, genre_table, measure, read_song, report, similarity)


def compose(job: dict) -> str:
    """Run ``songgram compose`` for one job into job["out"]; "" or the error's last line."""
    cmd = [SONGGRAM, "compose", "--to", job["to"], "--genre", job["genre"], "--vibe", job["vibe"],
           "--seed", str(job["seed"]), "--out", str(job["out"]), "--no-audio", "--", job["message"]]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return "" if proc.returncode == 0 else (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]


def plan_jobs(files: list[Path], genres: list[str], seeds: list[int], all_genres: bool, checks: int,
              work: Path) -> list[dict]:
    """One job per song: the sets' songs, then the seed, bytes and genre checks (each naming its base song)."""
    jobs = []
    for path in files:
        msgs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for i, msg in enumerate(msgs):
            jobs += [{**msg, "id": f"{path.stem}/{i:02d}-{g}-s{seed}", "set": path.stem, "index": i, "genre": g,
                      "seed": seed} for g in (genres if all_genres else [msg["genre"]]) for seed in seeds]
            genre = msg["genre"] if msg["genre"] in genres or not all_genres else genres[0]
            base = f"{path.stem}/{i:02d}-{genre}-s{seeds[0]}"
            jobs += [{**msg, "id": f"{base}-{check}", "check": check, "base": base, "genre": genre, "seed": seed}
                     for check, seed in (("seed", seeds[0] + 1), ("again", seeds[0])) if i < checks]
    first = {k: jobs[0][k] for k in ("message", "to", "vibe")}
    jobs += [{**first, "id": f"genres/{g}", "check": "genre", "genre": g, "seed": seeds[0]}
             for g in genres if not all_genres]
    return [{**job, "out": work / job["id"]} for job in jobs]


def checks(jobs: list[dict], songs: dict[str, Song], all_genres: bool) -> tuple[dict[str, list[Tally]], list[dict]]:
    """4k, 4l and 4m: a second seed's melody, the same seed's bytes, one message in every genre."""
    out: dict[str, list[Tally]] = {"seed": [], "bytes": []}
    for job in (j for j in jobs if j.get("check") in ("seed", "again") and j["id"] in songs and j["base"] in songs):
        base = next(j for j in jobs if j["id"] == job["base"])
        if job["check"] == "seed":
            sim = similarity([n.pitch for n in songs[base["id"]].vocal], [n.pitch for n in songs[job["id"]].vocal])
            bad = [] if sim < 0.8 else [(sim, f"{job['id']}: similarity {sim:.2f} to {job['base']}")]
            out["seed"].append(Tally(int(sim < 0.8), 1, bad))
        else:
            same = all((base["out"] / f).read_bytes() == (job["out"] / f).read_bytes()
                       for f in ("song.mid", "song.json"))
            out["bytes"].append(Tally(int(same), 1, [] if same else [(1, f"{job['id']}: bytes differ")]))
    one = {j["genre"]: songs[j["id"]] for j in jobs if j["id"] in songs and (j.get("check") == "genre" or (
        all_genres and j.get("index") == 0 and j.get("set") == jobs[0]["set"] and j["seed"] == jobs[0]["seed"]))}
    out["genres"], rows = genre_table(one)
    return out, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES, help="JSONL message files")
    parser.add_argument("--all-genres", action="store_true", help="every message in every genre")
    parser.add_argument("--seeds", default="1", help="comma-separated seeds [1]")
    parser.add_argument("--checks", type=int, default=4, help="messages per file for the seed and bytes checks [4]")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, help="keep the songs here (default: a temporary folder)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--offenders", type=int, default=10, help="offenders listed per failing figure [10]")
    parser.add_argument("--essen", type=int, default=0, help="also measure N Essen opus files (slow: ~10 s each)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a figure fails")
    parser.add_argument("--no-arrangement", action="store_true",
                        help="skip the arrangement figures (scripts/evaluate_arrangement.py, issue 13)")
    parser.add_argument("--no-voice", action="store_true", help="skip the voice figures (issue 11; they render audio)")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    listing = subprocess.run([SONGGRAM, "genres"], capture_output=True, text=True, check=True).stdout
    genres = [line.split()[0] for line in listing.splitlines() if line.strip()]
    work = args.out or Path(tempfile.mkdtemp(prefix="songgram-eval-"))
    jobs = plan_jobs(args.files, genres, seeds, args.all_genres, args.checks, work)
    print(f"composing {len(jobs)} songs, {args.workers} at a time, in {work} ...", file=sys.stderr)
    with ThreadPoolExecutor(args.workers) as pool:
        errors = list(pool.map(compose, jobs))
    songs = {}
    for job, err in zip(jobs, errors):
        job["error"] = err
        if not err:
            info = json.loads((job["out"] / "song.json").read_text(encoding="utf-8"))
            songs[job["id"]] = read_song(mido.MidiFile(job["out"] / "song.mid"), info, job["id"])
    result: dict = {"sets": {}}
    for name in dict.fromkeys(j["set"] for j in jobs if "set" in j):
        sel = [j for j in jobs if j.get("set") == name]
        rows = [(j, measure(songs[j["id"]], j["message"], j["to"])) for j in sel if j["id"] in songs]
        tallies = {"composed": [Tally(int(not j["error"]), 1, [(1, f"{j['id']}: {j['error']}")] if j["error"] else [])
                                for j in sel]} | {k: [m[k] for _, m in rows] for k in SONG_FIGURES}
        from .export_checks import figures as export_figures
        exported = [export_figures(j["out"]) for j, _ in rows]
        tallies |= {k: [Tally(*e[k]) for e in exported] for k in EXPORT_FIGURES}
        result["sets"][name] = report(f"{name}: {len(sel)} songs", tallies, args.offenders, rows)
        from . import evaluate_lyrics  # issue 12's lyric figures, from the same song.json files
        result["sets"][name]["lyrics"] = evaluate_lyrics.report(
            f"{name}: lyric figures", [{**j, "info": songs[j["id"]].info} for j in sel if j["id"] in songs], False)
    tallies, result["genre_table"] = checks(jobs, songs, args.all_genres)
    result["checks"] = report("Seeds, bytes and genres", tallies, args.offenders)
    if not args.no_arrangement:  # issue 13: the arrangement, on the held-out messages, one render per genre
        from . import evaluate_arrangement
        result["arrangement"] = evaluate_arrangement.evaluate(ROOT / "tests/data/unseen_messages.jsonl", seed=seeds[0])
        print("\n" + evaluate_arrangement.report(result["arrangement"]))
    if args.essen:
        result["essen"] = essen_reference(args.essen)
        print(f"\nEssen reference: {result['essen']}")
    if not args.no_voice:   # issue 11: one unseen message per genre, composed with audio and stems
        from composer.measure.report import evaluate_voice
        (work / "voice").mkdir(parents=True, exist_ok=True)
        result["voice"] = evaluate_voice(ROOT / "tests/data/unseen_messages.jsonl", work / "voice",
                                         songgram=SONGGRAM, seed=seeds[0], workers=args.workers)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    if not args.out:
        shutil.rmtree(work, ignore_errors=True)
    failed = [k for r in [*result["sets"].values(), result["checks"]] for k, f in r["figures"].items() if not f["pass"]]
    failed += [k for k, f in result.get("arrangement", {}).get("overall", {}).items() if not f["pass"]]
    sys.exit(1 if args.strict and failed else 0)


if __name__ == "__main__":
    main()
