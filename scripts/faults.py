"""The fault campaign of `make fuzz`: kills at random moments, hostile MIDI files, a full disk,
closed streams, and the peak memory of a long render.

    python scripts/faults.py [--rounds 50] [--seed 0] [--json PATH] [--memory-minutes 15]

Each case runs the real `songgram` command in a subprocess and is clean when it
ends with a documented exit code and one line on standard error (no
traceback), leaves no process behind (orphans) and no stage, .part file or
half-written song behind (leftovers). Memory is the peak proportional set size
(PSS, so pages shared by the synth processes count once) of the whole process
tree, sampled every 20 ms while it renders.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SONGGRAM = [sys.executable, "-c", "import sys, cli; sys.argv[0] = 'songgram'; cli.main()"]
DOCUMENTED = {0, 1, 2, 3, 4, 5, 130}
MESSAGE = ["Mom, thank you for always cooking for us. I love you.", "--to", "Mom", "--genre", "ballad",
           "--vibe", "heartfelt"]


# ------------------------------------------------------------------ processes


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid``."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) and fields[0] != "Z":
            parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    fields = _stat(pid)
    return bool(fields) and fields[0] != "Z"


def pss_kib(pids: set[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def leftovers(folder: Path) -> list[str]:
    """Hidden stages, .part files, or a song folder with only some of a song's files."""
    if not folder.exists():
        return []
    found = [str(p) for p in folder.rglob("*") if p.name.startswith(".songgram-stage-") or p.name.endswith(".part")]
    songs = [p for p in folder.rglob(".songgram.manifest")]
    for manifest in songs:
        listed = [line.split("\t")[0] for line in manifest.read_text().splitlines() if line]
        found += [str(manifest.parent / n) for n in listed if not (manifest.parent / n).is_file()]
    return found


# ------------------------------------------------------------------ cases


def kill_round(rng: random.Random, work: Path, index: int) -> dict:
    """Start a compose or a render, send a signal at a random moment, check what is left."""
    signum = rng.choice([signal.SIGKILL, signal.SIGINT, signal.SIGTERM])
    out = work / f"kill-{index}"
    if rng.random() < 0.6:
        args = ["compose", *MESSAGE, "--seed", str(rng.randint(0, 999)), "--length", rng.choice(["short", "full"]),
                "--out", str(out)]
    else:
        out.mkdir()
        args = ["render", str(work / "source.mid"), "--out", str(out / "x.wav")]
    proc = subprocess.Popen([*SONGGRAM, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    time.sleep(rng.uniform(0.2, 6.0))
    tree = descendants(proc.pid)
    if signum == signal.SIGINT:
        with_group = True
        try:
            os.killpg(proc.pid, signum)
        except ProcessLookupError:
            pass
    else:
        with_group = False
        try:
            os.kill(proc.pid, signum)
        except ProcessLookupError:
            pass
    try:
        _, err = proc.communicate(timeout=60)  # EOF on both pipes: no child holds them
        hung = False
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        hung = True
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(alive(p) for p in tree):
        time.sleep(0.05)
    orphans = [p for p in tree if alive(p)]
    for p in orphans:
        os.kill(p, signal.SIGKILL)
    # a killed process's stage stays until the next compose into that place, which must remove it
    if signum == signal.SIGKILL and out.exists():
        again = ["compose", *MESSAGE, "--seed", "1", "--no-audio", "--out", str(out)] if args[0] == "compose" else \
            ["render", str(work / "source.mid"), "--out", str(out / "x.wav")]
        subprocess.run([*SONGGRAM, *again], cwd=ROOT, capture_output=True, timeout=300)
    left = leftovers(out)
    lines = err.decode(errors="replace").splitlines()
    clean = (not hung and not orphans and not left and b"Traceback" not in err
             and (proc.returncode in DOCUMENTED or proc.returncode == -signum) and len(lines) <= 1)
    return {"kind": f"kill-{signal.Signals(signum).name}-{args[0]}", "clean": clean, "orphans": len(orphans),
            "leftovers": left, "code": proc.returncode, "hung": hung, "group": with_group, "stderr": lines[:3]}


def _vlq(n: int) -> bytes:
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def _midi(track: bytes, *, division: int = 480, fmt: int = 0, ntracks: int = 1, header: bytes | None = None) -> bytes:
    head = header if header is not None else b"MThd" + struct.pack(">IHHH", 6, fmt, ntracks, division)
    return head + b"MTrk" + struct.pack(">I", len(track)) + track


NOTE = b"\x00\x90\x3c\x64" + _vlq(480) + b"\x80\x3c\x00"
END = b"\x00\xff\x2f\x00"


def hostile_midis() -> dict[str, bytes]:
    """At least 30 kinds of broken, absurd or hostile MIDI files."""
    return {
        "empty": b"",
        "not-midi": b"hello, this is not a MIDI file",
        "header-only": b"MThd" + struct.pack(">IHHH", 6, 0, 1, 480),
        "truncated-header": b"MThd\x00\x00",
        "tpb-zero": _midi(NOTE + END, division=0),
        "smpte-25": _midi(NOTE + END, division=0xE728),
        "smpte-30": _midi(NOTE + END, division=0xE250),
        "type-2": _midi(NOTE + END, fmt=2),
        "type-7": _midi(NOTE + END, fmt=7),
        "zero-tracks": b"MThd" + struct.pack(">IHHH", 6, 1, 0, 480),
        "track-length-huge": b"MThd" + struct.pack(">IHHH", 6, 0, 1, 480) + b"MTrk\xff\xff\xff\xff" + NOTE,
        "track-length-short": b"MThd" + struct.pack(">IHHH", 6, 0, 1, 480) + b"MTrk\x00\x00\x00\x02" + NOTE + END,
        "no-end-of-track": _midi(NOTE),
        "no-notes": _midi(b"\x00\xff\x51\x03\x07\xa1\x20" + END),
        "only-note-offs": _midi(b"\x00\x80\x3c\x00" + END),
        "ten-hours": _midi(NOTE + _vlq(480 * 2 * 3600 * 10) + b"\xff\x2f\x00"),
        "142-years": _midi(b"\x00\xff\x51\x03\xff\xff\xff" + NOTE + _vlq(0x0FFFFFFF) + b"\xff\x2f\x00", division=1),
        "note-21-minutes": _midi(b"\x00\x90\x3c\x64" + _vlq(480 * 2 * 60 * 21) + b"\x80\x3c\x00" + END),
        "tempo-zero": _midi(b"\x00\xff\x51\x03\x00\x00\x00" + NOTE + END),
        "tempo-max": _midi(b"\x00\xff\x51\x03\xff\xff\xff" + NOTE + END),
        "tempo-short-data": _midi(b"\x00\xff\x51\x01\x07" + NOTE + END),
        "running-status-at-start": _midi(b"\x00\x3c\x64" + END),
        "bad-status": _midi(b"\x00\xf4\x00" + NOTE + END),
        "vlq-too-long": _midi(b"\xff\xff\xff\xff\xff\x90\x3c\x64" + END),
        "sysex-unterminated": _midi(b"\x00\xf0\x05\x7e\x7f" + NOTE + END),
        "meta-length-huge": _midi(b"\x00\xff\x01\xff\xff\xff\x7f" + END),
        "data-byte-over-127": _midi(b"\x00\x90\xbc\xe4" + END),
        "hundred-thousand-notes": _midi(b"".join(b"\x00\x90" + bytes([36 + i % 48, 100]) + b"\x01\x80"
                                                 + bytes([36 + i % 48, 0]) for i in range(100_000)) + END),
        "ten-thousand-tracks": b"MThd" + struct.pack(">IHHH", 6, 1, 10000, 480)
        + b"".join(b"MTrk" + struct.pack(">I", len(NOTE + END)) + NOTE + END for _ in range(10000)),
        "all-channels-all-keys": _midi(b"".join(b"\x00" + bytes([0x90 | c, k, 127]) for c in range(16)
                                                for k in range(128)) + _vlq(480) + END),
        "pitch-bends-only": _midi(b"".join(b"\x01\xe0\x00\x40" for _ in range(5000)) + END),
        "garbage-after-end": _midi(NOTE + END) + os.urandom(4096),
        "random-bytes": b"MThd" + random.Random(7).randbytes(2000),
    }


def midi_case(name: str, content: bytes, work: Path) -> dict:
    path = work / f"hostile-{name}.mid"
    path.write_bytes(content)
    out = work / f"hostile-{name}"
    out.mkdir()
    proc = subprocess.Popen([*SONGGRAM, "render", str(path), "--out", str(out / "x.wav")], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak, tree = 0, {proc.pid}
    while proc.poll() is None:
        tree = {proc.pid} | descendants(proc.pid)
        peak = max(peak, pss_kib(tree))
        time.sleep(0.02)
    err = proc.stderr.read().decode(errors="replace")
    lines = err.splitlines()
    clean = proc.returncode in (0, 4) and len(lines) <= 1 and "Traceback" not in err and not leftovers(out) \
        and (proc.returncode == 0) == (out / "x.wav").is_file()
    return {"kind": f"midi-{name}", "clean": clean, "code": proc.returncode, "stderr": lines[:2],
            "peak_mib": peak / 1024, "accepted": proc.returncode == 0, "orphans": 0, "leftovers": leftovers(out)}


def stream_cases(work: Path) -> list[dict]:
    """Closed and full standard streams, and a full disk (a file size limit)."""
    cases = []
    compose = ["compose", *MESSAGE, "--seed", "1", "--length", "short"]
    for name, redirect, wanted in [("stdin-closed", "<&-", 1), ("stdout-dev-full", ">/dev/full", 5),
                                   ("stdout-closed", ">&-", 0), ("stderr-closed", "2>&-", 0)]:
        args = compose[:1] + ["-"] + compose[2:] if name == "stdin-closed" else compose
        out = work / f"stream-{name}"
        quoted = " ".join("'" + a.replace("'", "'\\''") + "'" for a in [*SONGGRAM, *args, "--no-audio", "--out",
                                                                          str(out)])
        proc = subprocess.run(["sh", "-c", f"{quoted} {redirect}"], cwd=ROOT, capture_output=True, timeout=300)
        lines = proc.stderr.decode(errors="replace").splitlines()
        cases.append({"kind": f"stream-{name}", "code": proc.returncode, "stderr": lines[:2], "orphans": 0,
                      "leftovers": leftovers(out),
                      "clean": proc.returncode == wanted and len(lines) <= 1 and b"Traceback" not in proc.stderr})

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        import resource
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))

    for kind, args in [("compose", [*compose, "--out", str(work / "full-disk-compose")]),
                       ("render", ["render", str(work / "source.mid"), "--out", str(work / "full-disk.wav")])]:
        proc = subprocess.run([*SONGGRAM, *args], cwd=ROOT, capture_output=True, timeout=300, preexec_fn=small_files)
        lines = proc.stderr.decode(errors="replace").splitlines()
        left = leftovers(work / "full-disk-compose") + [str(p) for p in work.glob(".full-disk*.part")]
        cases.append({"kind": f"full-disk-{kind}", "code": proc.returncode, "stderr": lines[:2], "orphans": 0,
                      "leftovers": left, "clean": proc.returncode == 5 and len(lines) == 1 and not left
                      and ".songgram-stage" not in lines[0] and not (work / "full-disk-compose").exists()})
    return cases


def memory_case(work: Path, minutes: float) -> dict:
    """Render a MIDI of ``minutes`` (the demo song repeated) and sample the tree's PSS."""
    import mido

    song = work / "source.mid"
    src = mido.MidiFile(song)
    ticks = max(sum(m.time for m in t) for t in src.tracks)
    reps = int(minutes * 60 / src.length) + 1
    limit = int(minutes * 60 / src.length * ticks)
    long = mido.MidiFile(type=1, ticks_per_beat=src.ticks_per_beat)
    for track in src.tracks:
        timed, now = [], 0
        for msg in track:
            now += msg.time
            if msg.type != "end_of_track":
                timed.append((now, msg))
        events = sorted(((t + r * ticks, m) for r in range(reps) for t, m in timed
                         if r == 0 or not m.is_meta), key=lambda e: e[0])
        new, now = mido.MidiTrack(), 0
        for t, msg in events:
            if t > limit:
                break
            new.append(msg.copy(time=t - now))
            now = t
        long.tracks.append(new)
    path = work / f"long-{minutes:g}min.mid"
    long.save(path)
    case = midi_case(f"long-{minutes:g}-minutes", path.read_bytes(), work)
    case["seconds"] = mido.MidiFile(path).length
    return case


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=50, help="kill rounds [50]")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--memory-minutes", type=float, default=15.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rng = random.Random(f"faults:{args.seed}")
    cases: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="songgram-faults-") as tmp:
        work = Path(tmp)
        made = subprocess.run([*SONGGRAM, "compose", *MESSAGE, "--seed", "7", "--no-audio", "--out",
                               str(work / "demo")], cwd=ROOT, capture_output=True, timeout=300)
        if made.returncode:
            sys.exit(f"faults: cannot make the source song: {made.stderr.decode()}")
        (work / "source.mid").write_bytes((work / "demo" / "song.mid").read_bytes())
        for name, content in hostile_midis().items():
            cases.append(midi_case(name, content, work))
        cases += stream_cases(work)
        cases.append(memory_case(work, args.memory_minutes))
        for index in range(args.rounds):
            cases.append(kill_round(rng, work, index))
    kinds = {c["kind"].split("-")[0] for c in cases}
    accepted = [c for c in cases if c.get("accepted")]
    worst = max(accepted, key=lambda c: c["peak_mib"]) if accepted else None
    summary = {
        "cases": len(cases), "clean": sum(c["clean"] for c in cases),
        "orphans": sum(c["orphans"] for c in cases), "leftovers": sum(len(c["leftovers"]) for c in cases),
        "hostile_midi_kinds": len(hostile_midis()), "kill_rounds": args.rounds,
        "worst_accepted_render": {"case": worst["kind"], "peak_pss_mib": round(worst["peak_mib"], 1)} if worst else None,
        "kinds": sorted(kinds),
    }
    for case in cases:
        if not case["clean"]:
            print(f"  NOT CLEAN {case['kind']}: exit {case['code']}, {case.get('stderr')}, "
                  f"orphans {case['orphans']}, leftovers {case['leftovers'][:3]}")
    print(f"faults: {summary['cases']} cases ({summary['hostile_midi_kinds']} hostile MIDI kinds, "
          f"{summary['kill_rounds']} kill rounds, streams, full disk, a {args.memory_minutes:g}-minute render): "
          f"{summary['clean']} clean, {summary['orphans']} orphans, {summary['leftovers']} leftovers; "
          f"worst accepted render peak PSS {summary['worst_accepted_render']}")
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "cases": cases}, indent=2, default=str))
    sys.exit(0 if summary["clean"] == summary["cases"] else 1)


if __name__ == "__main__":
    main()
