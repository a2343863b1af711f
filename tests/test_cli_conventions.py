"""The command-line habits of issue 15: -q/-v, progress only on a terminal, --json, folders, exit codes, pipes.

Each case runs the real command (click's CliRunner, or a subprocess where a
terminal, a closed pipe or the real streams matter) and reads back what it
printed or wrote.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from cli import default_folder, main
from composer import genre_ids, vibe_ids

ROOT = Path(__file__).resolve().parent.parent
SONGGRAM = [sys.executable, "-c", "import sys, cli; sys.argv[0] = 'songgram'; cli.main()"]
MESSAGE = "Keep going, you are closer than you think."
SHORT = ["--genre", "pop", "--vibe", "upbeat", "--seed", "5", "--length", "short"]


def run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("capture_output", True)
    return subprocess.run([*SONGGRAM, *args], text=True, cwd=kwargs.pop("cwd", ROOT), timeout=180, **kwargs)


def on_a_terminal(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess, str]:
    """Run with standard error on a pseudo-terminal; returns the result and what the terminal showed."""
    leader, follower = pty.openpty()
    try:
        result = subprocess.run([*SONGGRAM, *args], stdout=subprocess.PIPE, stderr=follower, text=True,
                                cwd=cwd, timeout=180, env={**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the other end is closed and everything was read
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return result, shown.decode("utf-8", errors="replace")


# ------------------------------------------------------------------ -q and -v


def test_quiet_prints_nothing_and_still_writes_the_song(runner, tmp_path):
    result = runner.invoke(main, ["-q", "compose", MESSAGE, "--to", "Alex", *SHORT, "--no-audio",
                                  "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and result.stderr == ""
    assert json.loads((tmp_path / "s" / "song.json").read_text())["seed"] == 5


def test_verbose_times_each_stage_on_stderr_only(tmp_path):
    result = run(["-v", "compose", MESSAGE, "--to", "Alex", *SHORT, "--no-audio", "--out", str(tmp_path / "s")])
    assert result.returncode == 0, result.stderr
    stages = [line.split(": ")[1] for line in result.stderr.splitlines()]
    assert stages == ["composing", "writing files"], result.stderr
    assert all(line.endswith(" s") and float(line.split(": ")[2][:-2]) >= 0 for line in result.stderr.splitlines())
    assert "wrote" in result.stdout and "composing" not in result.stdout


def test_quiet_batch_prints_no_summary_and_still_makes_the_songs(tmp_path):
    requests = tmp_path / "requests.jsonl"
    requests.write_text(json.dumps({"id": "alex", "message": MESSAGE, "to": "Alex", "genre": "pop", "vibe": "upbeat",
                                    "seed": 5, "length": "short"}) + "\n", encoding="utf-8")
    result = run(["-q", "batch", str(requests), "--out", str(tmp_path / "out"), "--no-audio", "--workers", "1"])
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    assert json.loads((tmp_path / "out" / "alex" / "song.json").read_text())["seed"] == 5


def test_quiet_and_verbose_together_is_a_usage_error(runner):
    result = runner.invoke(main, ["-q", "-v", "genres"])
    assert result.exit_code == 2 and "cannot be used together" in result.stderr


# ------------------------------------------------------------------ progress: a terminal only


@pytest.mark.slow
def test_progress_is_never_drawn_when_stderr_is_not_a_terminal(tmp_path):
    out = tmp_path / "s"
    result = run(["compose", MESSAGE, "--to", "Alex", *SHORT, "--out", str(out)])
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert (out / "song.wav").stat().st_size > 0


@pytest.mark.slow
def test_progress_on_a_terminal_shows_the_stages_then_a_bar_to_100(tmp_path):
    result, shown = on_a_terminal(["compose", MESSAGE, "--to", "Alex", *SHORT, "--out", "s"], cwd=tmp_path)
    assert result.returncode == 0, shown
    assert "songgram: composing..." in shown and "songgram: rendering [" in shown and "100%" in shown
    percents = [int(part.split("]")[1].split("%")[0]) for part in shown.split("\r") if "rendering [" in part]
    assert percents == sorted(percents) and percents[-1] == 100
    assert shown.endswith("\r\x1b[K")  # the line is cleared: the shell prompt starts clean
    assert "wrote s/" in result.stdout and "\x1b" not in result.stdout
    assert (tmp_path / "s" / "song.wav").stat().st_size > 0

    quiet, shown = on_a_terminal(["-q", "render", "s/song.mid", "--out", "r.wav"], cwd=tmp_path)
    assert quiet.returncode == 0 and shown == "" and quiet.stdout == ""
    assert (tmp_path / "r.wav").stat().st_size > 0


# ------------------------------------------------------------------ --json


def test_compose_json_says_what_was_written(runner, tmp_path):
    out = tmp_path / "s"
    result = runner.invoke(main, ["compose", MESSAGE, "--to", "Alex", *SHORT, "--no-audio", "--out", str(out),
                                  "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    song = json.loads((out / "song.json").read_text())
    assert report["folder"] == str(out)
    assert report["files"] == sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert (report["title"], report["key"], report["mode"], report["tempo"], report["meter"]) == (
        song["title"], song["key"], song["mode"], song["tempo"], song["meter"])
    assert report["seconds"] == song["seconds"] and report["seed"] == 5 and report["seed_chosen"] is False
    assert (report["genre"], report["vibe"], report["length"]) == ("pop", "upbeat", "short")
    assert report["voice"] is None and report["soundfont"] is None
    assert report["engine"] == song["engine"]["version"]


def test_compose_json_with_a_chosen_seed_and_quiet_still_prints_json(runner, tmp_path):
    result = runner.invoke(main, ["-q", "compose", MESSAGE, "--to", "Alex", "--genre", "pop", "--vibe", "upbeat",
                                  "--length", "short", "--no-audio", "--out", str(tmp_path / "s"), "--json"])
    report = json.loads(result.stdout)
    assert report["seed_chosen"] is True
    assert report["seed"] == json.loads((tmp_path / "s" / "song.json").read_text())["seed"]


@pytest.mark.parametrize("command, ids", [("genres", genre_ids), ("vibes", vibe_ids)])
def test_genres_and_vibes_json(runner, command, ids):
    result = runner.invoke(main, [command, "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [item["id"] for item in listed] == list(ids())
    assert all(set(item) == {"id", "description"} and item["description"] for item in listed)


def test_analyze_json(runner):
    result = runner.invoke(main, ["analyze", "Nanay, your hands built this home. Salamat po.", "--to", "Nanay",
                                  "--json"])
    assert result.exit_code == 0, result.output
    analysis = json.loads(result.stdout)
    assert {"text", "theme", "relation", "relation_cue", "recipient", "themes", "sentiment", "words"} <= set(analysis)
    assert analysis["words"][0]["text"] == "Nanay" and analysis["themes"][0][0] == analysis["theme"]


# ------------------------------------------------------------------ render: folders and exit codes


@pytest.mark.slow
def test_render_makes_the_out_folder(runner, tmp_path, demo_song):
    (tmp_path / "song.mid").write_bytes(demo_song.to_midi())
    out = tmp_path / "new" / "deeper" / "song.flac"
    result = runner.invoke(main, ["render", str(tmp_path / "song.mid"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    import soundfile
    assert soundfile.info(str(out)).format == "FLAC"


def test_a_failed_render_leaves_no_folder_it_made(tmp_path):
    (tmp_path / "bad.mid").write_bytes(b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x00\x00MTrk\x00\x00\x00\x00")
    result = run(["render", str(tmp_path / "bad.mid"), "--out", str(tmp_path / "new" / "x.wav")])
    assert result.returncode == 4, result.stderr
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("what", ["missing", "folder"])
def test_a_missing_midi_is_a_usage_error_exit_2(tmp_path, what):
    midi = tmp_path / "nope.mid"
    if what == "folder":
        midi.mkdir()
    result = run(["render", str(midi), "--out", str(tmp_path / "x.wav")])
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "MIDI" in lines[0] and "Traceback" not in result.stderr
    assert not (tmp_path / "x.wav").exists()


def test_an_unknown_option_is_exit_2(runner):
    assert runner.invoke(main, ["genres", "--jason"]).exit_code == 2


# ------------------------------------------------------------------ a closed pipe


@pytest.mark.parametrize("args", [["genres"], ["vibes", "--json"], ["voices"], ["analyze", "hello mom"]],
                         ids=["genres", "vibes-json", "voices", "analyze"])
def test_a_closed_pipe_ends_quietly_with_exit_0(args):
    read, write = os.pipe()
    os.close(read)  # the reader has already gone, as `| head -1` after its line
    try:
        result = subprocess.run([*SONGGRAM, *args], stdout=write, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                                timeout=120)
    finally:
        os.close(write)
    assert result.returncode == 0 and result.stderr == ""


def test_head_takes_the_first_genre():
    result = subprocess.run(f"{' '.join(SONGGRAM[:2])} \"{SONGGRAM[2]}\" genres | head -1; "
                            "echo \"status ${PIPESTATUS[0]}\"", shell=True, executable="/bin/bash",
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    first, status = result.stdout.splitlines()
    assert first.split()[0] == genre_ids()[0] and status == "status 0" and result.stderr == ""


# ------------------------------------------------------------------ default folder names


@pytest.mark.parametrize("name, folder", [
    ("李华", "li-hua-pop-5"), ("Дмитрий", "dmitriy-pop-5"), ("Zoë", "zoe-pop-5"), ("Mom", "mom-pop-5"),
    ("❤", "song-pop-5"),
])
def test_default_folders_romanise_names(name, folder):
    assert default_folder(name, "pop", 5) == folder


def test_compose_writes_a_romanised_default_folder(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["compose", MESSAGE, "--to", "李华", *SHORT, "--no-audio"])
    assert result.exit_code == 0, result.output
    song = json.loads((tmp_path / "songs" / "li-hua-pop-5" / "song.json").read_text())
    assert song["input"]["to"] == "李华" and "wrote songs/li-hua-pop-5/" in result.stdout


def test_version_is_the_engine_version(runner):
    from composer import __version__
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and result.stdout.split()[-1] == __version__
