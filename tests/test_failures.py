"""Every failure is one line with its documented exit code, and output goes only where it may.

Each case runs the real command in a subprocess (closed streams, /dev/full, a
file size limit for a full disk, broken rule files, hostile MIDI files, FIFOs)
and checks the exit code, that standard error is exactly one line, and that no
traceback or private staging path shows.
"""

from __future__ import annotations

import os
import resource
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SONGGRAM = [sys.executable, "-c", "import sys, cli; sys.argv[0] = 'songgram'; cli.main()"]
COMPOSE = ["compose", "Mom, thank you for always cooking for us.", "--to", "Mom", "--genre", "pop",
           "--vibe", "upbeat", "--seed", "1", "--length", "short"]


def run(args: list[str], *, shell_redirect: str = "", cwd: Path | None = None, timeout: float = 120,
        preexec=None) -> subprocess.CompletedProcess:
    if shell_redirect:
        quoted = " ".join("'" + a.replace("'", "'\\''") + "'" for a in [*SONGGRAM, *args])
        return subprocess.run(["sh", "-c", f"{quoted} {shell_redirect}"], capture_output=True, text=True,
                              cwd=cwd or ROOT, timeout=timeout)
    return subprocess.run([*SONGGRAM, *args], capture_output=True, text=True, cwd=cwd or ROOT, timeout=timeout,
                          preexec_fn=preexec)


def one_line(result: subprocess.CompletedProcess) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert ".songgram-stage" not in result.stderr and ".part" not in result.stderr, result.stderr
    return lines[0]


def midi_bytes(division: int, end_delta: int = 0, *, tempo: bytes = b"", notes: int = 1, ticks: int = 480) -> bytes:
    def vlq(n: int) -> bytes:
        out = [n & 0x7F]
        n >>= 7
        while n:
            out.append(0x80 | (n & 0x7F))
            n >>= 7
        return bytes(reversed(out))

    note = b"\x00\x90\x3c\x64" + vlq(ticks) + b"\x80\x3c\x00"
    track = tempo + note * notes + vlq(end_delta) + b"\xff\x2f\x00"
    return b"MThd" + struct.pack(">IHHH", 6, 0, 1, division) + b"MTrk" + struct.pack(">I", len(track)) + track


# ------------------------------------------------------------------ streams


def test_closed_stdin_is_one_line_and_exit_1(tmp_path):
    result = run(["compose", "-", *COMPOSE[2:], "--no-audio", "--out", str(tmp_path / "s")], shell_redirect="<&-")
    assert result.returncode == 1 and "standard input" in one_line(result)


@pytest.mark.parametrize("args", [["genres"], ["--help"], [*COMPOSE, "--no-audio"]], ids=["genres", "help", "compose"])
def test_stdout_to_dev_full_is_one_line_and_exit_5(tmp_path, args):
    if "--no-audio" in args:
        args = [*args, "--out", str(tmp_path / "s")]
    result = run(args, shell_redirect=">/dev/full")
    assert result.returncode == 5 and "standard output" in one_line(result)


@pytest.mark.slow
def test_a_full_disk_is_exit_5_without_the_staging_path(tmp_path):
    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))

    result = run([*COMPOSE, "--out", str(tmp_path / "song")], preexec=small_files)
    assert result.returncode == 5, result.stderr
    line = one_line(result)
    assert "no space left" in line and str(tmp_path / "song" / "song.wav") in line
    assert not (tmp_path / "song").exists()


# ------------------------------------------------------------------ broken rules

BROKEN = """
import pathlib, sys
import composer.data as d
real, root, folder = d.resources.files, pathlib.Path(sys.argv[1]), sys.argv[2]
class Files:
    files = staticmethod(lambda package: root if package == "composer." + folder else real(package))
d.resources = Files
import cli
sys.argv = ["songgram", *sys.argv[3:]]
cli.main()
"""


@pytest.mark.parametrize("folder, name, old, new, args", [
    ("rules", "vibes", 'description = "', "description = 5 #", ["vibes"]),
    ("rules", "vibes", 'description = "', "description = 5 #", ["compose", "hi", "--to", "Mom", "--genre", "pop",
                                                                   "--vibe", "upbeat", "--no-audio"]),
    ("rules", "guardrails", "gap = 3", 'gap = "three"', ["analyze", "hi mom"]),
    ("grammars", "pop", "[", "[[", ["genres"]),
], ids=["vibes-listed", "vibes-compose", "guardrails-analyze", "grammar-genres"])
def test_a_broken_data_file_is_exit_3_naming_the_file_for_every_command(tmp_path, folder, name, old, new, args):
    copy = tmp_path / folder
    copy.mkdir()
    for path in (ROOT / folder).glob("*.toml"):
        (copy / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    target = copy / f"{name}.toml"
    target.write_text(target.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    if args[0] == "compose":
        args = [*args, "--out", str(tmp_path / "song")]
    result = subprocess.run([sys.executable, "-c", BROKEN, str(copy), folder, *args], capture_output=True,
                            text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 3, result.stderr
    assert f"{folder}/{name}.toml" in one_line(result)


# ------------------------------------------------------------------ MIDI and SoundFont inputs


@pytest.mark.parametrize("content, says", [
    (midi_bytes(0), "ticks per beat"),
    (midi_bytes(0xE728), "SMPTE"),
    (midi_bytes(480, 480 * 2 * 3600 * 10), "more than 20 minutes"),
    (midi_bytes(1, 0x0FFFFFFF, tempo=b"\x00\xff\x51\x03\xff\xff\xff"), "more than 20 minutes"),
    (b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x01\xe0MTrk\xff\xff\xff\xff", "not a readable MIDI"),
    (midi_bytes(480, notes=60_000, ticks=1), "more than the 50000"),
], ids=["tpb-0", "smpte", "ten-hours", "142-years", "truncated", "60000-notes"])
def test_bad_midi_is_refused_in_one_line_with_exit_4_before_any_audio(tmp_path, content, says):
    (tmp_path / "bad.mid").write_bytes(content)
    started = time.monotonic()
    result = run(["render", str(tmp_path / "bad.mid"), "--out", str(tmp_path / "x.wav")])
    assert result.returncode == 4 and says in one_line(result)
    assert time.monotonic() - started < 30 and not list(tmp_path.glob("*.wav")) and not list(tmp_path.glob(".*"))


def test_fifos_are_refused_as_midi_and_soundfont_without_hanging(tmp_path, demo_song):
    os.mkfifo(tmp_path / "in.mid")
    os.mkfifo(tmp_path / "font.sf2")
    (tmp_path / "song.mid").write_bytes(demo_song.to_midi())
    result = run(["render", str(tmp_path / "in.mid"), "--out", str(tmp_path / "x.wav")], timeout=60)
    assert result.returncode == 4 and "not a regular file" in one_line(result)
    result = run(["render", str(tmp_path / "song.mid"), "--out", str(tmp_path / "x.wav"),
                  "--soundfont", str(tmp_path / "font.sf2")], timeout=60)
    assert result.returncode == 4 and "not a regular file" in one_line(result)


@pytest.mark.slow
def test_a_broken_soundfont_says_so_in_one_line(tmp_path, demo_song):
    body = b"sfbk" + b"LIST" + struct.pack("<I", 20) + b"INFO" + b"junk" * 4 + b"\x00" * 100
    (tmp_path / "broken.sf2").write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    (tmp_path / "song.mid").write_bytes(demo_song.to_midi())
    result = run(["render", str(tmp_path / "song.mid"), "--out", str(tmp_path / "x.wav"),
                  "--soundfont", str(tmp_path / "broken.sf2")])
    assert result.returncode == 4 and "cannot load the SoundFont" in one_line(result)


# ------------------------------------------------------------------ destinations


@pytest.mark.parametrize("out", ["/dev/null", "/dev/null.wav", "/", "/x.wav", "/etc/x.flac"])
def test_render_refuses_devices_and_system_folders(tmp_path, demo_song, out):
    (tmp_path / "song.mid").write_bytes(demo_song.to_midi())
    result = run(["render", str(tmp_path / "song.mid"), "--out", out])
    assert result.returncode == 5 and one_line(result)
    assert not Path("/dev/null.wav").exists() and not Path("/x.wav").exists() and not Path("/etc/x.flac").exists()


@pytest.mark.parametrize("out", ["/", "/dev", "/etc", "/usr"])
def test_compose_refuses_system_folders(out):
    result = run([*COMPOSE, "--no-audio", "--out", out])
    assert result.returncode == 5 and "system folder" in one_line(result)
    assert not Path(out, "song.mid").exists()


def test_a_brace_in_a_name_cannot_break_a_chordpro_directive():
    from composer import compose

    song = compose("Happy birthday, you are the best", to="Ana }{title: x", seed=1, length="short")
    directives = [line for line in song.to_chordpro().splitlines() if line.startswith("{")]
    assert all(line.count("{") == 1 and line.count("}") == 1 and line.endswith("}") for line in directives)
    assert directives[0] == "{title: A song for Ana \\u007D\\u007Btitle: x}"
