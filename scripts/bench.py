"""`make bench`: the figures the README quotes, measured with public tools only.

Each figure is a whole-process measurement of the installed `songgram`
command (wall time from time.perf_counter around a subprocess, peak memory
from the kernel's accounting of finished children), repeated and reported
as the median (min..max).

    python scripts/bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SONGGRAM = str(Path(sys.executable).parent / "songgram")
MESSAGE = "Mom, thank you for always cooking for us. I love you."


def _run(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one run of ``args``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(args)} failed:\n{proc.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024.0


def _timed_python(code: str, *args: str) -> float:
    """Wall seconds of ``python -c code args`` in this venv."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def _peak_of(args: list[str], env: dict[str, str] | None = None) -> float:
    """Peak RSS (MB) of one run, measured in a fresh child so earlier runs do not mask it."""
    code = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], capture_output=True, check=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True)
    return int(out.stdout.strip()) / 1024.0


def _tree_peak(args: list[str], env: dict[str, str] | None = None) -> float:
    """Peak of the summed PSS (MB) of a command and all its descendants, sampled every 20 ms from /proc.

    PSS shares each page among the processes mapping it, so forked synths are not counted twice.
    """
    def pss(pid: int) -> int:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            return 0
        return next((int(line.split()[1]) for line in text.splitlines() if line.startswith("Pss:")), 0)

    def tree(root: int) -> list[int]:
        parents = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        out, todo = [], [root]
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo += parents.get(pid, [])
        return out

    proc, peak = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env), 0
    while proc.poll() is None:
        peak = max(peak, sum(pss(p) for p in tree(proc.pid)))
        time.sleep(0.02)
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(args)} failed (exit {proc.returncode})")
    return peak / 1024.0


def _stats(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}..{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="songgram-bench-"))
    try:
        base = [SONGGRAM, "compose", MESSAGE, "--to", "Mom", "--genre", "ballad", "--vibe", "heartfelt",
                "--seed", "7"]
        # as `make setup` leaves an install: kernels compiled ahead of time, bytecode written
        subprocess.run([sys.executable, "-m", "composer.prebuild"], check=True, capture_output=True, cwd=ROOT)
        subprocess.run([sys.executable, "-m", "compileall", "-q", "composer", "cli.py"], check=True, cwd=ROOT)
        status = subprocess.run([sys.executable, "-m", "composer.prebuild", "--status"], capture_output=True,
                                text=True, cwd=ROOT).stdout.strip().replace("\n", "; ")
        aot_build = _timed_python("from pathlib import Path; import sys; from composer.aot import build; "
                                  "build(Path(sys.argv[1]), force=True)", str(work))
        # the first song after a fresh install: nothing warm but what make setup built
        cold, _ = _run(base + ["--out", str(work / "cold"), "--no-audio"],
                       env=dict(os.environ, NUMBA_CACHE_DIR=str(work / "numba-cold")))
        # the fallback when the compiled kernels are missing: numba's JIT, first with an empty cache
        jit_env = dict(os.environ, SONGGRAM_KERNELS="jit", NUMBA_CACHE_DIR=str(work / "numba-jit"))
        jit_cold, _ = _run(base + ["--out", str(work / "jc"), "--no-audio"], env=jit_env)
        jit_warm = [_run(base + ["--out", str(work / f"j{i}"), "--no-audio"], env=jit_env)[0]
                    for i in range(max(3, args.runs // 2))]
        _run(base + ["--out", str(work / "warm"), "--no-audio"])
        midi_only = [_run(base + ["--out", str(work / f"m{i}"), "--no-audio"])[0] for i in range(args.runs)]
        with_audio = [_run(base + ["--out", str(work / f"a{i}")])[0] for i in range(max(3, args.runs // 2))]
        peak_midi = _peak_of(base + ["--out", str(work / "pm"), "--no-audio"])
        peak_audio = _peak_of(base + ["--out", str(work / "pa")])
        import json
        seconds = json.loads((work / "a0" / "song.json").read_text())["seconds"]
        print(f"song: ballad/heartfelt, seed 7, {seconds:.0f} s of music; {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.1f}; {status}")
        print("| figure | value |")
        print("| --- | --- |")
        print(f"| compose --no-audio (median of {len(midi_only)}) | {_stats(midi_only)} |")
        print(f"| compose with audio (median of {len(with_audio)}) | {_stats(with_audio)} |")
        print(f"| first song after a fresh install (`make setup`, nothing else warm) | {cold:.2f} s |")
        print(f"| `make setup` compiling the kernels ahead of time | {aot_build:.2f} s |")
        print(f"| compose --no-audio on numba's JIT, cache warm (SONGGRAM_KERNELS=jit, median of "
              f"{len(jit_warm)}) | {_stats(jit_warm)} |")
        print(f"| compose --no-audio on numba's JIT, empty cache | {jit_cold:.2f} s |")
        print(f"| peak memory, compose --no-audio | {peak_midi:.0f} MB |")
        print(f"| peak memory, compose with audio | {peak_audio:.0f} MB |")
        from composer.measure.report import has_voice   # issue 11: the singing voice's cost
        sings = has_voice(SONGGRAM)
        if sings:
            voiced = [_run(base + ["--out", str(work / f"v{i}")])[0] for i in range(max(3, args.runs // 2))]
            print(f"| compose with audio and voice, full song (median of {len(voiced)}) | {_stats(voiced)} |")
            print(f"| peak memory, compose with voice (all processes, summed PSS) | "
                  f"{_tree_peak(base + ['--out', str(work / 'vp')]):.0f} MB |")
        else:
            print("| compose with voice | skipped: this build has no singing voice (`songgram voices`) |")
        plain = base + ["--out", str(work / "tp")] + (["--voice", "none"] if sings else [])
        print(f"| peak memory, compose with audio, no voice (all processes, summed PSS) | {_tree_peak(plain):.0f} MB |")
        render_bench = ROOT / "scripts" / "bench_render.py"
        if render_bench.exists():
            sys.stdout.flush()
            subprocess.run([sys.executable, str(render_bench), str(work / "a0" / "song.mid")], check=True)
        batch_bench = ROOT / "scripts" / "bench_batch.py"  # songgram batch against compose, Ray against local
        if batch_bench.exists():
            sys.stdout.flush()
            subprocess.run([sys.executable, str(batch_bench)], check=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
