"""Load test of `songgram serve` on 127.0.0.1: N concurrent song requests, then the outcome.

Starts the server (one worker per core, the default queue), sends N requests
at once, follows each accepted song to its end, and prints how many finished,
how many were turned away with Retry-After (503 queue full, 429 rate limit),
and the 50th and 95th percentile time from request to a finished song.

    .venv/bin/python scripts/loadtest_web.py --requests 20
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = [
    ("Mom, thank you for always cooking for us. I love you.", "Mom"),
    ("Keep going, you are closer than you think.", "Alex"),
    ("Happy birthday to the best little brother a sister could ask for.", "Ben"),
    ("Coach, you believed in us before we did. Thank you for every early practice.", "Coach Rivera"),
]
GENRES = ["pop", "ballad", "rock", "folk", "country", "reggae", "jazz", "rnb", "edm", "hip-hop", "lullaby",
          "bossa-nova"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(base: str, body: dict) -> tuple[int, dict, str | None]:
    request = urllib.request.Request(base + "/api/songs", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read()), None
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}"), err.headers.get("Retry-After")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--length", default="full", choices=["full", "short"])
    args = parser.parse_args()
    port = _free_port()
    with tempfile.TemporaryDirectory() as data:
        server = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                                   "--data", data, "--songs-per-minute", "1000"], cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(base + "/api/genres", timeout=2).read()
                    break
                except OSError:
                    time.sleep(0.1)
            results: list[tuple[str, float, str | None]] = []
            lock = threading.Lock()

            def one(i: int) -> None:
                message, to = MESSAGES[i % len(MESSAGES)]
                start = time.monotonic()
                status, body, retry = _post(base, {"message": message, "to": to, "genre": GENRES[i % len(GENRES)],
                                                   "vibe": "heartfelt", "seed": i, "length": args.length})
                if status != 202:
                    with lock:
                        results.append((f"rejected {status}", 0.0, retry))
                    return
                while True:
                    with urllib.request.urlopen(f"{base}/api/songs/{body['id']}", timeout=30) as answer:
                        state = json.loads(answer.read())["status"]
                    if state in ("done", "failed", "refused"):
                        break
                    time.sleep(0.2)
                with lock:
                    results.append((state, time.monotonic() - start, None))

            threads = [threading.Thread(target=one, args=(i,)) for i in range(args.requests)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            server.terminate()
            server.wait(timeout=30)
    done = sorted(t for state, t, _ in results if state == "done")
    rejected = [(state, retry) for state, _, retry in results if state.startswith("rejected")]
    with_retry = sum(1 for _, retry in rejected if retry)
    print(f"requests: {args.requests} ({args.length} songs) on 127.0.0.1")
    print(f"finished songs: {len(done)}; failed: {sum(1 for s, _, _ in results if s in ('failed', 'refused'))}")
    print(f"rejected: {len(rejected)} ({with_retry} with Retry-After; "
          f"{', '.join(sorted({s for s, _ in rejected})) or 'none'})")
    if done:
        p95 = done[min(len(done) - 1, int(round(0.95 * (len(done) - 1))))]
        print(f"time to a finished song: p50 {statistics.median(done):.1f} s, p95 {p95:.1f} s")


if __name__ == "__main__":
    main()
