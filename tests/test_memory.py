"""A render's memory does not grow with the song (issue 14): the song is streamed through a tape.

Each render runs in a process of its own, which reports its peak resident
memory (``ru_maxrss``) and the largest of its children's (the synths, the
loudness meters). A 12-minute MIDI once held the whole song, 243 MiB of
float32, in the renderer's memory; now the song lives on an unlinked file in
the output folder and every pass holds a few blocks, so the long render peaks
well under one song's worth above a 1-minute one (only the master's per-hop
figures grow). The file is read back to check that the long render is the
whole song, mastered, without a gap.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import soundfile

from composer.audio.tape import TAPE_PREFIX

ROOT = Path(__file__).resolve().parent.parent

RENDER = """
import json, resource, sys
import mido
from composer.render import render_file

minutes, folder = float(sys.argv[1]), sys.argv[2]
ppq, tempo = 480, 500_000  # 120 BPM: two beats a second
song = mido.MidiFile(type=1, ticks_per_beat=ppq)
song.tracks.append(mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=tempo, time=0)]))
for chan, program, notes in ((0, 0, (60, 64, 67)), (1, 33, (36,)), (9, 0, (36, 42))):
    track = mido.MidiTrack([mido.Message("program_change", channel=chan, program=program, time=0)])
    for beat in range(int(minutes * 120)):
        track += [mido.Message("note_on", channel=chan, note=n, velocity=90, time=0) for n in notes]
        track += [mido.Message("note_off", channel=chan, note=n, velocity=0, time=ppq if i == 0 else 0)
                  for i, n in enumerate(notes)]
    song.tracks.append(track)
song.save(f"{folder}/long.mid")
report = render_file(f"{folder}/long.mid", f"{folder}/long.wav", soundfont="small", workers=2)
print(json.dumps({"self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "seconds": report.seconds, "lufs": report.lufs, "peak": report.true_peak_dbtp}))
"""


def render_in_a_process(minutes: float, folder: Path) -> dict:
    folder.mkdir()
    done = subprocess.run([sys.executable, "-c", RENDER, str(minutes), str(folder)], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.splitlines()[-1])
    figures["peak_mib"] = max(figures["self"], figures["children"]) / 1024  # ru_maxrss is in KiB on Linux
    return figures


@pytest.mark.slow
def test_a_long_render_peaks_no_higher_than_a_short_one(tmp_path):
    short = render_in_a_process(1, tmp_path / "short")
    long = render_in_a_process(12, tmp_path / "long")
    # the whole 12-minute song is 243 MiB of float32 and the 1-minute one 20 MiB: before the tape,
    # the renderer peaked 253 MiB higher on the long song (78 and 331 MiB). What still grows is the
    # master's per-hop figures (float arrays of one value per 64 frames, 4 MiB each for 12 minutes):
    # 39 MiB measured
    assert long["peak_mib"] - short["peak_mib"] < 64, (short, long)
    audio, rate = soundfile.read(tmp_path / "long" / "long.wav", dtype="float32")
    assert rate == 44100 and audio.shape[1] == 2
    assert 12 * 60 <= len(audio) / rate <= 12 * 60 + 5 and long["seconds"] == pytest.approx(len(audio) / rate)
    assert abs(long["lufs"] + 14) <= 1 and long["peak"] <= -1.0
    hop = rate // 2  # no gap: every half second of the 12 minutes sounds
    assert (abs(audio[:12 * 60 * rate]).reshape(-1, hop * 2).max(axis=1) > 1e-3).all()
    assert sorted(p.name for p in (tmp_path / "long").iterdir()) == ["long.mid", "long.wav"]  # no tape left
    assert not any(p.name.startswith(TAPE_PREFIX) for p in Path(tmp_path).rglob("*"))
