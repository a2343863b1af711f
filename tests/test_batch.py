"""songgram batch and songgram stats, run as a user would: the installed command in a subprocess.

Batches here are a few songs, most without audio; the one with audio and the
one on a real two-node Ray cluster are marked slow.
"""

from __future__ import annotations

import inspect
import json
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from composer.batch.requests import Malformed, Request, parse_rows, read_requests
from composer.output import MANIFEST

SONGGRAM = str(Path(sys.executable).with_name("songgram"))
TEXT_FILES = {"song.mid", "song.json", "lyrics.txt", "song.musicxml", "song.chordpro", "song.kar"}

REQUESTS = [
    {"id": "mom", "message": "Mom, thank you for always cooking for us. I love you.", "to": "Mom",
     "genre": "ballad", "vibe": "heartfelt", "seed": 7},
    {"message": "Keep going, you are closer than you think.", "to": "Alex", "genre": "pop", "vibe": "upbeat",
     "seed": 42, "from": "Sam"},
    {"id": "rex", "message": "Happy birthday, buddy! The cake is on me.", "to": "Rex", "genre": "rock",
     "vibe": "playful", "seed": 3, "language": "en"},
    {"id": "nothing", "message": "... !!! ???", "to": "Kim", "genre": "pop", "vibe": "upbeat"},
]
BAD_LINES = ['{"message": "Thanks, Sal!", "to": "Sal", "genre": "polka", "vibe": "upbeat"}',
             '{"message": "oops", "to": ']


def write_requests(path: Path, requests: list[dict], bad: list[str] = ()) -> Path:
    lines = [json.dumps(r) for r in requests] + list(bad)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def songgram(*args: str | Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([SONGGRAM, *map(str, args)], capture_output=True, text=True, timeout=600, **kwargs)


def rows(out: Path) -> dict[str, dict]:
    db = sqlite3.connect(out / "batch.sqlite")
    db.row_factory = sqlite3.Row
    try:
        return {r["id"]: dict(r) for r in db.execute("SELECT * FROM songs")}
    finally:
        db.close()


def song_folders(out: Path) -> list[Path]:
    return sorted(p for p in out.iterdir() if p.is_dir())


# --- reading requests --------------------------------------------------------------------------

@pytest.mark.parametrize("row, error", [
    ({"to": "Al", "genre": "pop", "vibe": "upbeat"}, "line 3: no message"),
    ({"message": "Hi", "genre": "pop", "vibe": "upbeat"}, "line 3: no recipient ('to')"),
    ({"message": "Hi", "to": "Al", "genre": "polka", "vibe": "upbeat"}, "line 3: unknown genre 'polka'"),
    ({"message": "Hi", "to": "Al", "genre": "pop", "vibe": "grumpy"}, "line 3: unknown vibe 'grumpy'"),
    ({"message": "Hi", "to": "Al", "genre": "pop", "vibe": "upbeat", "seed": -4}, "line 3: seed"),
    ({"message": "Hi", "to": "Al", "genre": "pop", "vibe": "upbeat", "id": "../etc"}, "line 3: id must be"),
    ({"message": "Hi", "to": "Al", "genre": "pop", "vibe": "upbeat", "colour": "red"},
     "line 3: unknown column 'colour'"),
], ids=["no-message", "no-to", "genre", "vibe", "seed", "id-path", "column"])
def test_a_bad_row_is_malformed_with_its_line(row: dict, error: str) -> None:
    got = parse_rows([(3, row)])[0]
    assert isinstance(got, Malformed)
    assert got.line == 3 and got.error.startswith(error), got.error


def test_jsonl_and_csv_give_the_same_requests(tmp_path: Path) -> None:
    jsonl = write_requests(tmp_path / "r.jsonl", REQUESTS[:3])
    csv = tmp_path / "r.csv"
    csv.write_text("id,message,to,from,genre,vibe,seed\n"
                   'mom,"Mom, thank you for always cooking for us. I love you.",Mom,,ballad,heartfelt,7\n'
                   ',"Keep going, you are closer than you think.",Alex,Sam,pop,upbeat,42\n', encoding="utf-8")
    from_json, from_csv = read_requests(jsonl)[:2], read_requests(csv)
    assert [(r.id, r.message, r.to, r.sender, r.genre, r.seed) for r in from_json] == \
           [(r.id, r.message, r.to, r.sender, r.genre, r.seed) for r in from_csv]
    assert [r.line for r in from_csv] == [2, 3]  # the header is line 1


def test_ids_and_seeds_left_out_are_stable_and_duplicates_are_refused() -> None:
    row = {"message": "Keep going.", "to": "Alex", "genre": "pop", "vibe": "upbeat"}
    first, again = parse_rows([(1, row)])[0], parse_rows([(9, dict(row))])[0]
    assert isinstance(first, Request) and isinstance(again, Request)
    assert (first.id, first.seed) == (again.id, again.seed) and first.id.startswith("alex-")
    other = parse_rows([(1, {**row, "genre": "rock"})])[0]
    assert isinstance(other, Request) and other.id != first.id
    twice = parse_rows([(1, row), (2, dict(row))])
    assert isinstance(twice[1], Malformed) and "duplicate id" in twice[1].error and "line 1" in twice[1].error


# --- a batch on the local engine ---------------------------------------------------------------

@pytest.fixture(scope="module")
def local_batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    tmp = tmp_path_factory.mktemp("batch")
    requests = write_requests(tmp / "requests.jsonl", REQUESTS, BAD_LINES)
    out = tmp / "out"
    return requests, out, songgram("batch", requests, "--out", out, "--no-audio", "--workers", "2", "--json")


@pytest.mark.slow
def test_batch_writes_every_song_and_a_row_for_each_request(local_batch) -> None:
    requests, out, done = local_batch
    assert done.returncode == 8, done.stderr  # two malformed lines failed
    summary = json.loads(done.stdout)
    assert (summary["requests"], summary["made"], summary["refused"], summary["failed"]) == (6, 3, 1, 2)
    got = rows(out)
    assert {k: r["status"] for k, r in got.items()} == {
        "mom": "done", got_id(got, "Alex"): "done", "rex": "done", "nothing": "refused",
        "line-5": "failed", "line-6": "failed"}
    assert got["line-5"]["error"].startswith("line 5: unknown genre 'polka'")
    assert got["line-6"]["error"].startswith("line 6: bad JSON")
    assert "punctuation" in got["nothing"]["error"]
    assert got["rex"]["occasion"] == "birthday" and got["rex"]["theme"] == "birthday"
    assert got["mom"]["relation"] == "parent" and got["mom"]["seed"] == 7 and got["mom"]["language"] == "en"
    for folder in song_folders(out):
        row = got[folder.name]
        files = {p.name for p in folder.iterdir()}
        assert files == TEXT_FILES | {MANIFEST}, folder  # exactly compose's files, no staging left
        assert row["bytes"] == sum(p.stat().st_size for p in folder.iterdir() if p.name in TEXT_FILES)
        assert row["seconds"] > 0 and row["core_seconds"] > 0 and row["engine_version"]
    assert {f.name for f in song_folders(out)} == {k for k, r in got.items() if r["status"] == "done"}


def got_id(got: dict[str, dict], to: str) -> str:
    return next(k for k in got if k.startswith(to.lower() + "-"))


@pytest.mark.slow
def test_a_batch_song_is_the_same_bytes_as_compose(local_batch, tmp_path: Path) -> None:
    _, out, _ = local_batch
    single = tmp_path / "mom"
    done = songgram("compose", REQUESTS[0]["message"], "--to", "Mom", "--genre", "ballad", "--vibe", "heartfelt",
                    "--seed", "7", "--no-audio", "--out", single)
    assert done.returncode == 0, done.stderr
    for name in TEXT_FILES:
        assert (out / "mom" / name).read_bytes() == (single / name).read_bytes(), name


@pytest.mark.slow
def test_running_again_skips_what_is_done_and_retries_what_failed(local_batch, tmp_path: Path) -> None:
    requests, shared, _ = local_batch
    out = tmp_path / "out"
    shutil.copytree(shared, out)  # the other tests read the first run's folder
    again = songgram("batch", requests, "--out", out, "--no-audio", "--json")
    summary = json.loads(again.stdout)
    assert (summary["made"], summary["skipped"], summary["failed"]) == (0, 4, 2)
    fixed = write_requests(tmp_path / "fixed.jsonl", REQUESTS + [
        {"message": "Thanks, Sal!", "to": "Sal", "genre": "folk", "vibe": "upbeat", "id": "line-5"},
        {"message": "oops, I mean thank you", "to": "Lee", "genre": "pop", "vibe": "chill", "id": "line-6"}])
    third = songgram("batch", fixed, "--out", out, "--no-audio", "--json")
    assert third.returncode == 0, third.stderr
    summary = json.loads(third.stdout)
    assert (summary["made"], summary["skipped"], summary["failed"], summary["done_total"]) == (2, 4, 0, 5)
    assert rows(out)["line-5"]["status"] == "done"


@pytest.mark.slow
def test_a_batch_killed_midway_resumes_with_no_half_written_song(tmp_path: Path) -> None:
    many = [{"id": f"s{i:02d}", "message": f"Thank you for the {i} walks in the park. I love you.", "to": "Nan",
             "genre": "folk", "vibe": "heartfelt", "seed": i} for i in range(10)]
    requests = write_requests(tmp_path / "r.jsonl", many)
    out = tmp_path / "out"
    process = subprocess.Popen([SONGGRAM, "batch", str(requests), "--out", str(out), "--no-audio", "--workers", "2"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if (out / "batch.sqlite").exists() and sum(r["status"] == "done" for r in _rows_or_none(out)) >= 2:
            break
        time.sleep(0.05)
    workers = _children(process.pid)
    assert workers, "the pool's workers run"
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 30  # the workers get SIGTERM from the kernel, undo their song and end
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers), "a worker outlived its coordinator"
    before = rows(out)
    assert 2 <= sum(r["status"] == "done" for r in before.values()) < 10
    for folder in song_folders(out):
        names = {p.name for p in folder.iterdir() if not p.name.startswith(".songgram-stage-")}
        assert names in (set(), TEXT_FILES | {MANIFEST}), (folder, names)  # a whole song or nothing
    resumed = songgram("batch", requests, "--out", out, "--no-audio", "--json")
    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(resumed.stdout)
    assert summary["done_total"] == 10 and summary["made"] == 10 - summary["skipped"]
    for folder in song_folders(out):
        assert {p.name for p in folder.iterdir()} == TEXT_FILES | {MANIFEST}, folder


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = next(ln for ln in Path(f"/proc/{pid}/status").read_text().splitlines() if ln.startswith("State:"))
    except (OSError, StopIteration):
        return False
    return "zombie" not in state


def _rows_or_none(out: Path) -> list[dict]:
    try:
        return list(rows(out).values())
    except sqlite3.Error:
        return []


# --- bad input -----------------------------------------------------------------------------------

def test_an_unreadable_requests_file_is_one_line_and_exit_6(tmp_path: Path) -> None:
    done = songgram("batch", tmp_path / "missing.jsonl", "--out", tmp_path / "out")
    assert done.returncode == 6
    assert done.stderr.strip().count("\n") == 0 and "cannot read requests" in done.stderr
    assert not (tmp_path / "out").exists()


def test_an_unwritable_out_is_one_line_and_exit_5(tmp_path: Path) -> None:
    requests = write_requests(tmp_path / "r.jsonl", REQUESTS[:1])
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = songgram("batch", requests, "--out", blocker / "out", "--no-audio")
    assert done.returncode == 5
    assert done.stderr.strip().count("\n") == 0 and "cannot write to" in done.stderr


def test_an_unreachable_ray_address_is_one_line_and_exit_7(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    requests = write_requests(tmp_path / "r.jsonl", REQUESTS[:1])
    with __import__("socket").socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nobody listens here once the socket closes
    done = songgram("batch", requests, "--out", tmp_path / "out", "--engine", "ray", "--address", f"127.0.0.1:{port}")
    assert done.returncode == 7, done.stderr
    assert done.stderr.strip().count("\n") == 0 and "cannot reach the Ray cluster" in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_voice_fails_while_the_engine_has_none(tmp_path: Path) -> None:
    from composer.save import save_song
    if "voice" in inspect.signature(save_song).parameters:
        pytest.skip("the engine sings: a voice is passed through to save_song")
    from composer.batch.worker import SongMaker
    maker = SongMaker(tmp_path, audio=False)
    request = read_requests(write_requests(tmp_path / "r.jsonl", [{**REQUESTS[0], "voice": "alto"}]))[0]
    assert isinstance(request, Request)
    row = maker.make(request)
    assert row.status == "failed" and "singing voice" in row.error and not (tmp_path / "mom").exists()


# --- stats ---------------------------------------------------------------------------------------

@pytest.mark.slow
def test_stats_as_table_json_and_a_self_contained_html_page(local_batch, tmp_path: Path) -> None:
    _, out, _ = local_batch
    table = songgram("stats", out)
    assert table.returncode == 0, table.stderr
    assert table.stdout.startswith("6 requests: 3 done, 1 refused, 2 failed") and "birthday" in table.stdout
    data = json.loads(songgram("stats", out, "--json").stdout)
    assert data["status"] == {"done": 3, "refused": 1, "failed": 2}
    assert sum(t["count"] for t in data["themes"]) == 3
    assert {o["value"] for o in data["occasions"]} == {"birthday", "none"}
    assert data["refusals"][0]["count"] == 1 and "punctuation" in data["refusals"][0]["reason"]
    assert data["runs"][0]["made"] == 3 and data["core_seconds_per_song"] > 0
    page = tmp_path / "report.html"
    assert songgram("stats", out, "--html", page).returncode == 0
    html = page.read_text(encoding="utf-8")
    assert html.count("<svg") >= 6  # four shares, genres x vibes, throughput
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:|//)""", html)  # nothing fetched to view it


def test_stats_of_a_folder_without_a_batch_is_one_line_and_exit_5(tmp_path: Path) -> None:
    done = songgram("stats", tmp_path)
    assert done.returncode == 5 and "batch.sqlite is missing" in done.stderr


# --- audio and Ray ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_batch_with_audio_writes_what_compose_writes(tmp_path: Path) -> None:
    requests = write_requests(tmp_path / "r.jsonl", [{**REQUESTS[2], "length": "short"}])
    done = songgram("batch", requests, "--out", tmp_path / "out", "--workers", "1")
    assert done.returncode == 0, done.stderr
    single = tmp_path / "single"
    assert songgram("compose", REQUESTS[2]["message"], "--to", "Rex", "--genre", "rock", "--vibe", "playful",
                    "--seed", "3", "--length", "short", "--out", single).returncode == 0
    batch_files = {p.name: p.read_bytes() for p in (tmp_path / "out" / "rex").iterdir()}
    assert set(batch_files) == {p.name for p in single.iterdir()} == TEXT_FILES | {"song.wav", MANIFEST}
    assert batch_files["song.wav"] == (single / "song.wav").read_bytes()
    assert rows(tmp_path / "out")["rex"]["audio"] == 1


@pytest.mark.slow
def test_a_batch_on_a_real_two_node_ray_cluster(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    from ray_cluster import LocalRayCluster
    requests = write_requests(tmp_path / "r.jsonl", REQUESTS, BAD_LINES[:1])
    out = tmp_path / "out"
    with LocalRayCluster() as cluster:
        done = songgram("batch", requests, "--out", out, "--no-audio", "--engine", "ray",
                        "--address", cluster.address, "--json", env=cluster.env)
        assert done.returncode == 8, done.stderr  # the one malformed line
    summary = json.loads(done.stdout)
    assert (summary["made"], summary["refused"], summary["failed"], summary["engine"], summary["workers"]) == \
           (3, 1, 1, "ray", 2)  # one actor per CPU of the two nodes
    got = rows(out)
    assert {r["engine"] for r in got.values() if r["status"] == "done"} == {"ray"}
    for folder in song_folders(out):
        assert {p.name for p in folder.iterdir()} == TEXT_FILES | {MANIFEST}
    again = songgram("batch", requests, "--out", out, "--no-audio", "--json")  # resumes on the local engine
    assert json.loads(again.stdout)["made"] == 0
