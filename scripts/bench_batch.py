"""Batch figures for `make bench` (and docs/scale.md): the installed `songgram batch` against `compose`.

Songs are the first requests of docs/requests-example.jsonl. Every figure is
a whole-process wall time (time.perf_counter around a subprocess) unless it
says otherwise; core-seconds come from the batch's own manifest (CPU of the
worker and the processes it waited for, per song).

    python scripts/bench_batch.py [--songs 24] [--audio-songs 8] [--ray-songs 16] [--no-ray] [--dask]

--dask also runs the same songs with audio on a dask.distributed LocalCluster
(two worker processes, one thread each, the song maker cached in each worker)
beside a two-node Ray cluster: the comparison behind docs/scale.md. It needs
`pip install distributed`, which Songgram itself does not depend on.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SONGGRAM = str(Path(sys.executable).parent / "songgram")
EXAMPLE = ROOT / "docs" / "requests-example.jsonl"


def _requests(count: int, folder: Path, name: str, *, offset: int = 0) -> tuple[Path, list[dict[str, Any]]]:
    """The first ``count`` usable requests of the example file (after ``offset``), as a file of their own."""
    usable = []
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if "message" in row and len(row["message"]) < 300 and row.get("language", "en") == "en" \
                and row.get("genre") != "polka":
            usable.append(row)
    chosen = usable[offset:offset + count]
    path = folder / name
    path.write_text("".join(json.dumps(r) + "\n" for r in chosen), encoding="utf-8")
    return path, chosen


_CPU = [0.0]  # CPU seconds of the last finished subprocess and its children


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _wall(args: list[str], env: dict[str, str] | None = None) -> float:
    started, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(args, capture_output=True, text=True, env=env)
    took = time.perf_counter() - started
    _CPU[0] = _children_cpu() - cpu
    if done.returncode not in (0, 8):
        raise SystemExit(f"{' '.join(args[:3])} failed ({done.returncode}): {done.stderr.strip()}")
    return took


def _compose_each(rows: list[dict[str, Any]], out: Path, *, audio: bool) -> float:
    """Seconds for one `songgram compose` process per song, one after another (CPU seconds in _CPU)."""
    total, cpu = 0.0, 0.0
    for row in rows:
        args = [SONGGRAM, "compose", row["message"], "--to", row["to"], "--genre", row["genre"], "--vibe",
                row["vibe"], "--seed", str(row["seed"]), "--out", str(out / row["id"])]
        if row.get("from"):
            args += ["--from", row["from"]]
        total += _wall(args + ([] if audio else ["--no-audio"]))
        cpu += _CPU[0]
    _CPU[0] = cpu
    return total


def _batch(requests: Path, out: Path, *extra: str, env: dict[str, str] | None = None) -> float:
    return _wall([SONGGRAM, "batch", str(requests), "--out", str(out), *extra], env=env)


def _core_seconds(out: Path) -> list[float]:
    from composer.batch.manifest import read_manifest
    rows, _ = read_manifest(out)
    return [r["core_seconds"] for r in rows if r["status"] == "done"]


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f} / {five:.1f} (1 / 5 min) on {os.cpu_count()} cores"


def _ray_cluster() -> Any:
    sys.path.insert(0, str(ROOT / "tests"))
    from ray_cluster import LocalRayCluster
    return LocalRayCluster()


def _dask(requests: Path, out: Path) -> tuple[float, float]:
    """(seconds to start the cluster, seconds to make the songs) on a dask.distributed LocalCluster."""
    import dask
    from distributed import Client, LocalCluster, as_completed

    from composer.batch.local import IN_FLIGHT_PER_WORKER, MakerSpec
    from composer.batch.requests import Request, read_requests

    spec = MakerSpec(out=out.absolute(), audio=True)
    todo = [r for r in read_requests(requests) if isinstance(r, Request)]
    started = time.perf_counter()
    with dask.config.set({"distributed.worker.daemon": False}):  # a render forks its synths
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
        ready = time.perf_counter()
        try:
            pending = iter(todo)
            flying = as_completed([client.submit(_dask_make, spec, r, pure=False)
                                   for r, _ in zip(pending, range(2 * IN_FLIGHT_PER_WORKER))])
            for future in flying:
                future.result()
                nxt = next(pending, None)
                if nxt is not None:
                    flying.add(client.submit(_dask_make, spec, nxt, pure=False))
            finished = time.perf_counter()
        finally:
            client.close()
            cluster.close()
    return ready - started, finished - ready


def _dask_make(spec: Any, request: Any) -> Any:
    """A Dask task: the worker process keeps one song maker, built on its first song."""
    from distributed import get_worker
    worker = get_worker()
    maker = getattr(worker, "_songgram_maker", None)
    if maker is None:
        maker = worker._songgram_maker = spec.build("dask")
    return maker.make(request)


def _engines(args: argparse.Namespace, tmp: Path) -> None:
    """Ray (and Dask) against the local engine on the same songs, alternated round by round."""
    many, rows = _requests(args.ray_songs, tmp, "ray.jsonl", offset=args.songs + args.audio_songs)
    times: dict[str, list[float]] = {"local": [], "ray": [], "dask": []}
    started = time.perf_counter()
    with _ray_cluster() as cluster:
        ray_up = time.perf_counter() - started
        dask_up = []
        for round_ in range(args.rounds):
            times["local"].append(_batch(many, tmp / f"local-{round_}", "--workers", "2"))
            times["ray"].append(_batch(many, tmp / f"ray-{round_}", "--engine", "ray", "--address", cluster.address,
                                       env=cluster.env))
            if args.dask:
                up, took = _dask(many, tmp / f"dask-{round_}")
                dask_up.append(up)
                times["dask"].append(took)
            print(f"  round {round_ + 1} ({_load()}): " + ", ".join(
                f"{name} {values[-1]:.1f} s" for name, values in times.items() if values))
    local, ray = statistics.median(times["local"]), statistics.median(times["ray"])
    print(f"--engine ray on a local two-node Ray cluster (up in {ray_up:.1f} s) vs --engine local, {len(rows)} "
          f"songs with audio, median of {args.rounds}: {ray:.1f} s vs {local:.1f} s = {ray / local:.2f}x "
          f"(goal within 15%)")
    if args.dask:
        dask = statistics.median(times["dask"])
        print(f"dask.distributed LocalCluster (2 processes x 1 thread, up in {statistics.median(dask_up):.1f} s), "
              f"same songs: {dask:.1f} s = {dask / local:.2f}x the local engine, {dask / ray:.2f}x Ray "
              f"(Dask's time leaves out its cluster's start; the others are whole `songgram batch` processes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--songs", type=int, default=24, help="songs without audio")
    parser.add_argument("--audio-songs", type=int, default=8, help="songs with audio")
    parser.add_argument("--ray-songs", type=int, default=16, help="songs with audio on each engine")
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray figure")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the engines, alternated")
    parser.add_argument("--engines-only", action="store_true", help="only the Ray (and Dask) figures")
    parser.add_argument("--dask", action="store_true", help="also compare Ray with dask.distributed")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="songgram-bench-batch-"))
    try:
        print(f"# batch figures ({_load()}; the machine may be shared: figures are as measured)")
        if args.engines_only:
            _engines(args, tmp)
            return
        text, rows = _requests(args.songs, tmp, "text.jsonl")
        singles = _compose_each(rows, tmp / "compose-text", audio=False)
        batched = _batch(text, tmp / "batch-text", "--no-audio", "--workers", "2")
        print(f"batch --no-audio --workers 2 vs compose --no-audio per song, {len(rows)} songs: "
              f"{batched:.1f} s vs {singles:.1f} s = {batched / singles:.2f}x (goal <= 0.5x)")

        audio, rows = _requests(args.audio_songs, tmp, "audio.jsonl", offset=args.songs)
        singles = _compose_each(rows, tmp / "compose-audio", audio=True)
        compose_cpu = _CPU[0] / len(rows)
        first = _batch(audio, tmp / "batch-audio", "--workers", "2")
        print(f"batch with audio --workers 2 vs one compose at a time, {len(rows)} songs: {first:.1f} s vs "
              f"{singles:.1f} s = {singles / first:.2f}x the throughput (goal >= 1.8x)")
        cores = _core_seconds(tmp / "batch-audio")
        print(f"core-seconds per full song with audio: {statistics.fmean(cores):.2f} mean, "
              f"{statistics.median(cores):.2f} median ({min(cores):.2f}..{max(cores):.2f}); "
              f"{len(rows) * 3600 / first / 2:.0f} songs per core-hour of wall time in this batch; "
              f"one compose process with audio: {compose_cpu:.2f} core-seconds")
        second = _batch(audio, tmp / "batch-audio", "--workers", "2")
        print(f"second run of the finished batch: {second:.2f} s = {100 * second / first:.1f}% of the first "
              f"(goal <= 5%)")

        if (not args.no_ray or args.dask) and importlib.util.find_spec("ray") is None:
            print("--engine ray: skipped, Ray is not installed (pip install -e '.[cluster]')")
        elif not args.no_ray or args.dask:
            _engines(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
