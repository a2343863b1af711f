"""`make bench-install`: what a plain `pip install` gives, measured in a fresh virtual environment.

Builds the wheel from this checkout (as `pip install <clone>` does: the build
step compiles the kernels ahead of time into it), installs it with no extras
into a new venv, and reports: the venv's size, the wheel's kind, the first
song composed from Python (`compose(...).save(folder, audio=False)`, wall time
and peak RSS of the whole process, nothing warm), which heavy packages that
song imported, and the import time of `composer`.

    python scripts/bench_install.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_SONG = """
import resource, sys, tempfile, time
start = time.perf_counter()
from composer import compose
song = compose("Mom, thank you for always cooking for us. I love you.", to="Mom", genre="ballad",
               vibe="heartfelt", seed=7)
with tempfile.TemporaryDirectory() as tmp:
    song.save(tmp + "/mom", audio=False)
took = time.perf_counter() - start
heavy = sorted(m for m in ("numba", "llvmlite", "scipy", "music21", "matplotlib") if m in sys.modules)
print(f"{took:.3f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} {','.join(heavy) or '-'}")
"""


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", type=Path, default=None, help="build the venv here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="songgram-install-") as tmp:
        base = args.keep or Path(tmp)
        wheels, venv = base / "wheels", base / "venv"
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(ROOT), "-w", str(wheels)],
                       check=True, capture_output=True)
        built = time.perf_counter() - start
        wheel = next(wheels.glob("songgram-*.whl"))
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = venv / "bin" / "python"
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
                       check=True, capture_output=True)
        print(f"wheel: {wheel.name} ({wheel.stat().st_size / 1e6:.1f} MB), built in {built:.0f} s")
        print(f"core venv (pip install, no extras): {_size_mb(venv):.0f} MB")
        out = subprocess.run([str(python), "-c", FIRST_SONG], check=True, capture_output=True, text=True,
                             cwd=base).stdout.split()
        print(f"first song after pip install (compose + save, no audio): {float(out[0]):.2f} s, "
              f"{float(out[1]):.0f} MB peak RSS, heavy imports: {out[2]}")
        runs = []
        for _ in range(5):
            begin = time.perf_counter()
            subprocess.run([str(python), "-c", "import composer; composer.compose"], check=True, cwd=base)
            runs.append(time.perf_counter() - begin)
        print(f"python -c 'import composer; composer.compose' (whole process): "
              f"{statistics.median(runs):.2f} s median of 5 ({min(runs):.2f}..{max(runs):.2f})")


if __name__ == "__main__":
    main()
