"""A real local Ray cluster for tests: a head and a worker node started as separate processes.

Both nodes run ``ray start`` as an operator would on two machines, with their
own temporary folder and a random token (token authentication on), bound to
127.0.0.1. :meth:`LocalRayCluster.stop` ends exactly the processes of this
cluster (found by its temporary folder and their descendants), never another
Ray on the machine, as ``ray stop`` would.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) for every process we can see."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        found[int(entry.name)] = (parent, cmdline)
    return found


class LocalRayCluster:
    """``ray start --head`` plus one ``ray start --address`` worker node, one CPU each."""

    def __init__(self, cpus_per_node: int = 1) -> None:
        self.temp = Path(tempfile.mkdtemp(prefix="rt", dir="/tmp"))
        self.port = _free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32),
                    "RAY_USAGE_STATS_ENABLED": "0"}
        self.ray = str(Path(sys.executable).with_name("ray"))
        self.cpus = cpus_per_node

    def start(self) -> LocalRayCluster:
        common = ["--num-cpus", str(self.cpus), "--node-ip-address", "127.0.0.1", "--temp-dir", str(self.temp),
                  "--object-store-memory", str(100 * 1024 * 1024), "--disable-usage-stats"]
        self._run([self.ray, "start", "--head", "--port", str(self.port), "--include-dashboard", "false", *common])
        self._run([self.ray, "start", "--address", self.address, *common])
        return self

    def _run(self, command: list[str]) -> None:
        done = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=180)
        if done.returncode:
            self.stop()
            raise RuntimeError(f"{' '.join(command[:3])} failed: {done.stdout[-2000:]}{done.stderr[-2000:]}")

    def pids(self, known: frozenset[int] | set[int] = frozenset()) -> set[int]:
        """The processes of this cluster: those naming its folder, ``known`` ones, and their descendants."""
        table = _processes()
        mine = {pid for pid, (_, cmd) in table.items() if str(self.temp) in cmd} | set(known)
        mine.discard(os.getpid())
        grown = True
        while grown:
            more = {pid for pid, (parent, _) in table.items() if parent in mine} - mine - {os.getpid()}
            grown = bool(more)
            mine |= more
        return {pid for pid in mine if pid in table}

    def stop(self) -> None:
        """SIGTERM this cluster's processes, then SIGKILL those left after 10 s; remove its folder."""
        known = self.pids()
        for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 2.0)):
            known = self.pids(known)
            for pid in known:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                known = self.pids(known)
                if all("zombie" in _state(pid) for pid in known):
                    break
                time.sleep(0.2)
            else:
                continue
            break
        shutil.rmtree(self.temp, ignore_errors=True)

    def __enter__(self) -> LocalRayCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _state(pid: int) -> str:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return "zombie"
    line = next((ln for ln in status.splitlines() if ln.startswith("State:")), "")
    return line.lower()
