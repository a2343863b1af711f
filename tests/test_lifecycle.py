"""No process outlives songgram, and nothing is left behind, however it ends.

A real compose is started, and once its synth processes run it is killed
(SIGKILL), interrupted (SIGINT to its process group, as Ctrl-C does) or
terminated (SIGTERM). Every process it forked must be gone within seconds, a
reader of its standard output must see the end, Ctrl-C must print one line
(no traceback from a child), and the next compose must leave no stage behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SONGGRAM = [sys.executable, "-c", "import sys, cli; sys.argv[0] = 'songgram'; cli.main()"]
COMPOSE = ["compose", "Mom, thank you for always cooking for us. I love you.", "--to", "Mom",
           "--genre", "ballad", "--vibe", "heartfelt", "--seed", "7"]


def children(pid: int) -> set[int]:
    """The live processes whose parent is ``pid`` (zombies excluded)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def start_and_wait_for_synths(out: Path) -> tuple[subprocess.Popen, set[int]]:
    proc = subprocess.Popen([*SONGGRAM, *COMPOSE, "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        kids = children(proc.pid)
        if kids:
            time.sleep(0.3)  # the synths are playing
            return proc, kids | children(proc.pid)
        time.sleep(0.02)
    proc.kill()
    pytest.skip("the compose ended before its synths could be seen (a very fast machine?)")


def gone_within(pids: set[int], seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    return {p for p in pids if alive(p)}


@pytest.mark.slow
def test_a_killed_compose_leaves_no_process_and_its_reader_sees_the_end(tmp_path):
    proc, kids = start_and_wait_for_synths(tmp_path / "song")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert not gone_within(kids, 5), "a synth outlived its parent"
    started = time.monotonic()
    proc.stdout.read()  # EOF only when no child holds the pipe open
    proc.stderr.read()
    assert time.monotonic() - started < 5
    assert any(p.name.startswith(".songgram-stage-") for p in (tmp_path / "song").iterdir())
    result = subprocess.run([*SONGGRAM, *COMPOSE, "--no-audio", "--out", str(tmp_path / "song")], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert not [p for p in (tmp_path / "song").iterdir() if p.name.startswith(".songgram-stage-")]


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_compose_says_one_line_and_leaves_nothing(tmp_path, signum):
    proc, kids = start_and_wait_for_synths(tmp_path / "song")
    if signum == signal.SIGINT:
        os.killpg(proc.pid, signum)  # the terminal sends Ctrl-C to the whole group
    else:
        os.kill(proc.pid, signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    lines = err.decode().splitlines()
    assert len(lines) == 1 and "interrupted" in lines[0] and b"Traceback" not in err, err
    assert not gone_within(kids, 5)
    assert not (tmp_path / "song").exists()


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 0.1, 0.3, 0.6])
def test_ctrl_c_while_songgram_starts_is_one_line_never_a_traceback(delay):
    """From the moment cli.py imports its modules (numpy mapped): Python's own start is out of reach."""
    proc = subprocess.Popen([*SONGGRAM, "genres"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if "numpy" in Path(f"/proc/{proc.pid}/maps").read_text():
                break
        except OSError:
            pass
        time.sleep(0.005)
    time.sleep(delay)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert b"Traceback" not in err and len(err.decode().splitlines()) <= 1, err
    assert proc.returncode in (0, 130, -signal.SIGINT)
