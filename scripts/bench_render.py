"""Render speed and memory against FluidSynth's own renderer; SoundFont figures.

    python scripts/bench_render.py [SONG.mid] [--runs N] [--soundfont SPEC]
    python scripts/bench_render.py --compare-fonts

The first form times, side by side on this machine and alternating A B A B,
``fluidsynth -ni -F out.wav FONT SONG.mid`` (the CLI's own file renderer) and
ours, each in a fresh process: "render" is MIDI to a 16-bit WAV as the CLI
does it (``midi_to_audio`` + ``audio_to_wav``), "render + master" is the full
``render_file`` (EQ, compression, -14 LUFS, true-peak limit, measurement).
Without SONG.mid it writes a three-minute band arrangement to play. Wall time
is time.perf_counter around the subprocess; peak memory is the kernel's
account of the largest process (resource.getrusage(RUSAGE_CHILDREN) in a fresh
wrapper process), and, from /proc, the largest sum over the process tree of
proportional set sizes (shared pages split between the processes sharing them).

The second form prints the figures docs/soundfonts.md quotes for each font
in the catalog: size, load time, render time, level balance across General
MIDI instruments, velocity range, the drum kit and the reverb tail.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import mido

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

OURS_RENDER = """
import sys
from composer.master import audio_to_wav
from composer.render import midi_to_audio
from composer.soundfonts import resolve_soundfont
audio_to_wav(sys.argv[2], midi_to_audio(sys.argv[1], soundfont=resolve_soundfont(sys.argv[3])), 44100)
"""
OURS_MASTER = """
import sys
from composer.render import render_file
render_file(sys.argv[1], sys.argv[2], soundfont=sys.argv[3])
"""


def band_song(path: Path, *, seconds: float = 180.0, bpm: int = 96, seed: int = 1) -> Path:
    """A three-minute General MIDI band: drums, bass, piano, strummed guitar, strings, organ, a lead."""
    rnd = random.Random(seed)
    ppq, bars = 480, int(seconds / (240 / bpm))
    song = mido.MidiFile(type=1, ticks_per_beat=ppq)
    song.tracks.append(mido.MidiTrack([
        mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm), time=0),
        mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm + 4), time=ppq * 4 * (bars // 2))]))
    chords = ([48, 52, 55, 60], [45, 52, 57, 60], [41, 48, 53, 57], [43, 50, 55, 59])
    parts = ((0, "Piano", 0), (1, "Bass", 33), (2, "Strings", 48), (3, "Guitar", 24), (4, "Lead", 53),
             (5, "Organ", 16), (9, "Drums", 0))
    for chan, name, program in parts:
        notes = []
        for bar in range(bars):
            chord, t0, section = chords[bar % 4], bar * 4 * ppq, (bar // 8) % 3
            if chan == 0:
                notes += [(t0 + b * ppq, n + 12, 64 + rnd.randint(-8, 8), ppq - 30) for b in range(4) for n in chord[1:]]
            elif chan == 1:
                notes += [(t0 + e * ppq // 2, chord[0] - 12 + (7 if e % 4 == 3 else 0), 92, ppq // 2 - 30)
                          for e in range(8)]
            elif chan == 2 and section:
                notes += [(t0, n + 12, 58, 4 * ppq - 20) for n in chord]
            elif chan == 3:
                notes += [(t0 + e * ppq // 2 + k * 8, n, 55 + rnd.randint(0, 10), ppq // 2 - 20)
                          for e in range(8) for k, n in enumerate(chord + [chord[0] + 12, chord[1] + 12])]
            elif chan == 4:
                t = 0
                while t < 4 * ppq:
                    step = rnd.choice([ppq // 2, ppq // 2, ppq, ppq // 4 * 3])
                    if rnd.random() < 0.8:
                        notes.append((t0 + t, rnd.choice(chord[1:]) + 12 + rnd.choice([0, 2, -1]), 80, step - 20))
                    t += step
            elif chan == 5 and section == 1:
                notes += [(t0 + half * 2 * ppq, n, 50, 2 * ppq - 10) for half in range(2) for n in chord[1:]]
            elif chan == 9:
                notes += [(t0 + e * ppq // 4, 42, 60 + (15 if e % 2 == 0 else 0), 40) for e in range(16)]
                notes += [(t0 + e * ppq // 4, 36, 105, 60) for e in (0, 8)]
                notes += [(t0 + e * ppq // 4, 38, 100, 60) for e in (4, 12)]
                if bar % 8 == 0:
                    notes.append((t0, 49, 100, 60))
        track = mido.MidiTrack([mido.MetaMessage("track_name", name=name, time=0)])
        if chan != 3:  # the guitar channel never gets a program change: it must sound anyway
            track.append(mido.Message("program_change", channel=chan, program=program, time=0))
        events = [(t, 1, mido.Message("note_on", channel=chan, note=n, velocity=v)) for t, n, v, _ in notes]
        events += [(t + d, 0, mido.Message("note_off", channel=chan, note=n)) for t, n, _, d in notes]
        last = 0
        for tick, _, message in sorted(events, key=lambda e: e[:2]):
            track.append(message.copy(time=tick - last))
            last = tick
        song.tracks.append(track)
    song.save(path)
    return path


def _wall(args: list[str]) -> float:
    return _timed(args)[0]


def _timed(args: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and all its children) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def _peak_rss(args: list[str]) -> float:
    """Largest RSS (MB) of any process of one run, from the kernel's accounting."""
    code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([PYTHON, "-c", code, *args], check=True, capture_output=True, text=True, cwd=ROOT)
    return int(out.stdout) / 1024


def _peak_pss(args: list[str]) -> float | None:
    """Largest total proportional set size (MB) of the process tree of one run, sampled from /proc."""
    if not Path("/proc/self/smaps_rollup").exists():
        return None
    process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0.0

    def tree() -> list[int]:
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    parents[int(entry)] = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    pass
        found, frontier = [process.pid], [process.pid]
        while frontier:
            frontier = [pid for pid, parent in parents.items() if parent in frontier]
            found += frontier
        return found

    def watch() -> None:
        nonlocal peak
        while process.poll() is None:
            total = 0
            for pid in tree():
                try:
                    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                        if line.startswith("Pss:"):
                            total += int(line.split()[1])
                except OSError:
                    pass
            peak = max(peak, total / 1024)
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    process.wait()
    watcher.join()
    return peak


def bench(song: Path, runs: int, spec: str | None) -> None:
    with tempfile.TemporaryDirectory(prefix="songgram-bench-render-") as folder:
        _bench(song, runs, spec, Path(folder))


def _bench(song: Path, runs: int, spec: str | None, out: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from composer.soundfonts import resolve_soundfont

    font = resolve_soundfont(spec)
    cli = ["fluidsynth", "-ni", "-q", "-F", str(out / "cli.wav"), str(font.path), str(song)]
    render = [PYTHON, "-c", OURS_RENDER, str(song), str(out / "ours.wav"), font.id if font.id != "user" else str(font.path)]
    full = [PYTHON, "-c", OURS_MASTER, str(song), str(out / "master.wav"), render[-1]]
    runs_of: dict[str, list[tuple[float, float]]] = {"cli": [], "render": [], "full": []}
    _wall(render), _wall(cli)  # warm the page cache: every run reads the same files
    load = os.getloadavg()[0]
    for _ in range(runs):  # A B C A B C ...
        runs_of["cli"].append(_timed(cli))
        runs_of["render"].append(_timed(render))
        runs_of["full"].append(_timed(full))
    seconds = mido.MidiFile(song).length
    median = {name: statistics.median(wall for wall, _ in values) for name, values in runs_of.items()}
    print(f"song: {song.name}, {seconds:.0f} s of music; font: {font.name}; {os.cpu_count()} cores, load average "
          f"{load:.1f} before and {os.getloadavg()[0]:.1f} after; median of {runs} alternating runs (min..max)")
    print("| renderer | wall time | vs fluidsynth -ni -F | CPU time | peak RSS, largest process | "
          "peak PSS, all processes |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, label, args in (("cli", "fluidsynth -ni -F", cli), ("render", "ours: render to WAV", render),
                              ("full", "ours: render + master (render_file)", full)):
        walls = [wall for wall, _ in runs_of[name]]
        cpu = statistics.median(cpu for _, cpu in runs_of[name])
        pss = _peak_pss(args)
        print(f"| {label} | {median[name]:.2f} s ({min(walls):.2f}..{max(walls):.2f}) | "
              f"{median['cli'] / median[name]:.2f}x | {cpu:.2f} s | {_peak_rss(args):.0f} MB | "
              f"{'n/a' if pss is None else f'{pss:.0f} MB'} |")
    if load > 0.5:
        print(f"note: other work was running (load average {load:.1f}): wall times and their ratios are "
              "shares of a busy machine; CPU times are not.")


def compare_fonts() -> None:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="songgram-fonts-") as folder:
        _compare_fonts(Path(folder))


def _compare_fonts(work: Path) -> None:
    import numpy as np
    import pyloudnorm

    from composer.render import Effects, midi_to_audio
    from composer.soundfonts import catalog

    rate = 44100
    meter = pyloudnorm.Meter(rate)
    song = band_song(work / "band.mid")
    dry = Effects(reverb_level=0.0, chorus_level=0.0)

    def note(program: int, key: int, velocity: int, *, chan: int = 0, seconds: float = 1.0) -> bytes:
        midi = mido.MidiFile(ticks_per_beat=480)  # 120 BPM: 960 ticks a second
        midi.tracks.append(mido.MidiTrack([
            mido.Message("program_change", channel=chan, program=program, time=0),
            mido.Message("note_on", channel=chan, note=key, velocity=velocity, time=0),
            mido.Message("note_off", channel=chan, note=key, time=int(seconds * 960))]))
        path = work / "note.mid"
        midi.save(path)
        return path.read_bytes()

    def loudest(audio: np.ndarray) -> float:
        """Loudness (LUFS) of the loudest 400 ms: how loud the note sounds, whatever its length."""
        window = int(0.4 * rate)
        audio = np.concatenate([audio, np.zeros((window, 2), np.float32)])
        power = np.convolve(np.square(audio).sum(axis=1), np.ones(window), mode="valid")
        start = int(np.argmax(power))
        return float(meter.integrated_loudness(audio[start:start + window].astype(np.float64)))

    def centroid(audio: np.ndarray) -> float:
        spectrum = np.abs(np.fft.rfft(audio.mean(axis=1)))
        return float(np.sum(spectrum * np.fft.rfftfreq(len(audio), 1 / rate)) / np.sum(spectrum))

    def rolloff(audio: np.ndarray) -> float:
        spectrum = np.abs(np.fft.rfft(audio.mean(axis=1))) ** 2
        cumulative = np.cumsum(spectrum) / spectrum.sum()
        return float(np.fft.rfftfreq(len(audio), 1 / rate)[np.searchsorted(cumulative, 0.99)])

    programs = {"piano": 0, "e-piano": 4, "organ": 16, "nylon gtr": 24, "steel gtr": 25, "bass": 33,
                "strings": 48, "choir": 52, "trumpet": 56, "sax": 65, "flute": 73, "synth lead": 80, "pad": 89}
    kit = {"kick": 36, "snare": 38, "hi-hat": 42, "crash": 49}
    rows = []
    for font in catalog():
        if not font.path.is_file():
            continue
        load = _wall([PYTHON, "-c", "import fluidsynth, sys; s = fluidsynth.Synth(); "
                      "sys.exit(s.sfload(sys.argv[1]) < 0)", str(font.path)])
        start = time.process_time()
        band = midi_to_audio(song, soundfont=font, workers=1)
        render = time.process_time() - start
        memory = _peak_rss([PYTHON, "-c", OURS_RENDER, str(song), str(work / "x.wav"), font.id])
        play = lambda *a, font=font, **k: midi_to_audio(note(*a, **k), soundfont=font, workers=1)  # noqa: E731
        levels = {name: loudest(play(p, 60, 100)) for name, p in programs.items()}
        soft, hard = play(0, 60, 30), play(0, 60, 127)
        drums = [loudest(play(0, k, 100, chan=9, seconds=0.3)) for k in kit.values()]
        wet, plain = play(0, 72, 100, seconds=0.3), midi_to_audio(note(0, 72, 100, seconds=0.3), soundfont=font,
                                                                  workers=1, effects=dry)
        n = min(len(wet), len(plain))
        send = 10 * np.log10(np.sum(np.square(wet[:n] - plain[:n])) / np.sum(np.square(plain[:n])))
        width = 1 - float(np.corrcoef(hard[:, 0], hard[:, 1])[0, 1])
        rows.append(
            f"| {font.name} | {font.license} | {font.path.stat().st_size / 1e6:.0f} MB | {load:.2f} s | "
            f"{render:.1f} s | {memory:.0f} MB | {max(levels.values()) - min(levels.values()):.1f} LU "
            f"({min(levels, key=levels.get)} .. {max(levels, key=levels.get)}) | "
            f"{loudest(hard) - loudest(soft):.1f} LU, {centroid(hard) / centroid(soft):.2f}x brighter | "
            f"{' / '.join(f'{v:.0f}' for v in drums)} LUFS | {send:.0f} dB | {width:.2f} | "
            f"{rolloff(band) / 1000:.1f} kHz |")
    print("| font | licence | size | full load | render (1 synth, CPU) | peak memory | "
          "13 instruments, C4 vel 100 | piano vel 30 -> 127 | kick / snare / hat / crash | reverb send, piano | "
          "piano stereo width (1 - L/R correlation) | band mix 99% rolloff |")
    print("| --- " * 12 + "|")
    print("\n".join(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("song", nargs="?", type=Path, help="a General MIDI file (default: a 3-minute band)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each renderer (at least 3)")
    parser.add_argument("--soundfont", default=None, help="a catalog id, 'small' or a path (default: the default font)")
    parser.add_argument("--compare-fonts", action="store_true", help="print the SoundFont comparison instead")
    args = parser.parse_args()
    if args.compare_fonts:
        compare_fonts()
        return
    with tempfile.TemporaryDirectory(prefix="songgram-bench-song-") as folder:
        song = args.song or band_song(Path(folder) / "band.mid")
        bench(song, max(3, args.runs), args.soundfont)


if __name__ == "__main__":
    main()
