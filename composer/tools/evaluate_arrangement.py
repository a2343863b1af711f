"""`make evaluate`, the arrangement (issue 13): does the voice lead, does the form grow, does each
genre keep its signature, does the tempo mean the vibe, are the masters bright.

Songs are composed in this process (``composer.compose``) and measured from what they write:
song.mid read back with mido, song.json for section kinds, key and tempo; one song per genre
is rendered and mastered (song.wav) for the figures that need audio.

    python scripts/evaluate_arrangement.py [FILE.jsonl] [--seed 1] [--no-audio] [--json PATH]

Definitions (the issue's "Measured" table, made exact):

- Accompaniment above the voice: for each sung note, the share of its time during which no
  note of the comping (Chords) or Pad track sounds above the sung pitch; the figure is the
  time-weighted share over all sung notes.
- Rub: a sung note whose onset meets a note of any pitched band track (not the Vocal, not the
  drums) sounding at the onset (or starting up to 1/12 beat after it) at a semitone, a minor
  ninth or a compound of them (|sung - band| mod 12 == 1).
- Lift (audio): the last chorus's BS.1770 loudness (pyloudnorm, over the section) at least
  2 LU above the first chorus's, and something new in it: a track, a drum sound or a key
  signature that the first chorus does not have.
- Same choruses: two chorus sections back to back whose accompaniment (every non-Vocal note
  as track, onset within the section on a 1/8-beat grid, pitch) is >= 95% the same multiset.
- Intro: the first section, when it is an intro, lasts <= 4 bars or <= 12 s.
- Tonic ending: the Bass track's last note and the comping's last chord hold the tonic of the
  last key signature, and that chord also holds the tonic triad's third or fifth.
- Rap: sung syllables per verse bar in hip-hop songs (all verse bars of all hip-hop songs).
- EDM signature: markers "Build" and "Drop"; the Drop lasts >= 8 bars with nothing sung before
  its last bar (a pickup into the chorus may start there) and the Lead playing; controller automation (a controller other than the set-up 0/7/10/91/93
  taking >= 8 values) inside the Build.
- Tempo by vibe: per genre, the mean tempo of the set's messages as "energetic" minus as
  "heartfelt"; a genre passes at >= 12 BPM. Every tempo must lie in the grammar's range.
- Bright master (audio): the share of the master's power above 2 kHz (a Hann-windowed
  spectrum of the whole song.wav) reaches 3% and the genre's own target (``[mix] brightness``).
"""

from __future__ import annotations

import argparse
import bisect
import io
import json
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mido
import numpy as np

ROOT = Path(__file__).resolve().parents[2]  # the checkout: the default data are its tests/data
DEFAULT_FILE = ROOT / "tests/data/unseen_messages.jsonl"
SETUP_CONTROLS = frozenset({0, 7, 10, 91, 93})
ACCOMPANIMENT = ("Chords", "Pad")
FIGURES = {  # key: (label, op, target)
    "above": ("1a sung-note time with no comping/pad note above the voice", ">=", 0.8),
    "rub": ("1b sung notes with a semitone/minor-9th rub at onset", "<=", 0.10),
    "lift": ("2a last chorus >= 2 LU louder than the first and adds something (audio)", ">=", 0.9),
    "adds": ("2a' last chorus adds a track, drum sound or key", ">=", 0.9),
    "same": ("2b back-to-back choruses with >= 95% identical accompaniment", "<=", 0.0),
    "intro": ("2c songs with an intro of <= 4 bars or <= 12 s", ">=", 0.9),
    "tonic": ("3a songs ending with the tonic in the bass and the chord", ">=", 1.0),
    "rap": ("3b hip-hop verse syllables per bar", ">=", 8.0),
    "edm": ("3c EDM songs with Build, instrumental Drop >= 8 bars, CC automation", ">=", 1.0),
    "tempo": ("4a genres where energetic is >= 12 BPM faster than heartfelt", ">=", 10),
    "range": ("4b songs whose tempo lies in the grammar's range", ">=", 1.0),
    "bright": ("5 masters with >= 3% (and the genre's target) of power above 2 kHz (audio)", ">=", 1.0),
}


@dataclass
class Read:
    """One song read back from song.mid and song.json."""

    tpb: int
    bar: int
    tempo: float
    info: dict
    tracks: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)  # name -> (on, off, pitch)
    controls: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)  # name -> (tick, cc, value)
    markers: list[tuple[int, str]] = field(default_factory=list)
    keys: list[tuple[int, str]] = field(default_factory=list)
    sections: list[tuple[str, str, int, int]] = field(default_factory=list)  # (name, kind, start, end) ticks


def read(midi: bytes, info: dict) -> Read:
    """Read song.mid's tracks, controllers, markers and key signatures; the form from song.json."""
    mid = mido.MidiFile(file=io.BytesIO(midi))
    num, den = (int(x) for x in info["meter"].split("/"))
    song = Read(tpb=mid.ticks_per_beat, bar=num * mid.ticks_per_beat * 4 // den, tempo=float(info["tempo"]),
                info=info)
    for track in mid.tracks:
        name = next((m.name for m in track if m.type == "track_name"), "")
        tick, sounding, notes, ccs = 0, {}, [], []
        for msg in track:
            tick += msg.time
            if msg.type == "marker":
                song.markers.append((tick, msg.text))
            elif msg.type == "key_signature":
                song.keys.append((tick, msg.key))
            elif msg.type == "control_change" and msg.control not in SETUP_CONTROLS | {0}:
                ccs.append((tick, msg.control, msg.value))
            elif msg.type == "note_on" and msg.velocity:
                sounding[msg.note] = tick
            elif msg.type in ("note_off", "note_on") and msg.note in sounding:
                notes.append((sounding.pop(msg.note), tick, msg.note))
        if notes:
            song.tracks[name] = sorted(notes)
        if ccs:
            song.controls[name] = ccs
    for s in info["sections"]:
        start = int(round(s["start_beat"] * song.tpb))
        song.sections.append((s["name"], s["kind"], start, start + s["bars"] * song.bar))
    return song


def above_and_rub(song: Read) -> tuple[float, float, int, int]:
    """(clear sung ticks, sung ticks, rubbing onsets, onsets)."""
    acc = sorted(n for name in ACCOMPANIMENT for n in song.tracks.get(name, []))
    band = sorted(n for name, notes in song.tracks.items() if name not in ("Vocal", "Drums") for n in notes)
    window = song.tpb // 12
    clear = total = 0.0
    rubs = 0
    vocal = song.tracks.get("Vocal", [])
    longest = max((off - on for on, off, _ in band), default=0)
    starts = [n[0] for n in band]
    acc_starts = [n[0] for n in acc]
    acc_longest = max((off - on for on, off, _ in acc), default=0)
    for on, off, pitch in vocal:
        total += off - on
        lo = bisect.bisect_left(acc_starts, on - acc_longest)
        hi = bisect.bisect_left(acc_starts, off)
        spans = sorted((max(on, a), min(off, b)) for a, b, p in acc[lo:hi] if p > pitch and b > on and a < off)
        covered, reach = 0, on
        for a, b in spans:
            if b > reach:
                covered += b - max(a, reach)
                reach = b
        clear += (off - on) - covered
        lo = bisect.bisect_left(starts, on - longest)
        hi = bisect.bisect_right(starts, on + window)
        if any(b > on and abs(pitch - p) % 12 == 1 for a, b, p in band[lo:hi]):
            rubs += 1
    return clear, total, rubs, len(vocal)


def _signature(song: Read, start: int, end: int) -> Counter:
    grid = song.tpb // 8
    return Counter((name, round((on - start) / grid), p) for name, notes in song.tracks.items() if name != "Vocal"
                   for on, _, p in notes if start <= on < end)


def same_choruses(song: Read) -> tuple[int, int]:
    """(back-to-back chorus pairs >= 95% the same, such pairs)."""
    same = pairs = 0
    for a, b in zip(song.sections, song.sections[1:]):
        if a[1] == b[1] == "chorus":
            pairs += 1
            x, y = _signature(song, a[2], a[3]), _signature(song, b[2], b[3])
            shared = sum((x & y).values())
            if shared >= 0.95 * max(1, sum(x.values()), sum(y.values())):
                same += 1
    return same, pairs


def _contents(song: Read, start: int, end: int) -> set:
    out = {(name, p if name == "Drums" else None) for name, notes in song.tracks.items()
           for on, _, p in notes if start <= on < end and name != "Vocal"}
    key = next((k for t, k in reversed(song.keys) if t <= start), "")
    return out | {("key", key)}


def adds_something(song: Read) -> bool | None:
    """True when the last chorus has a track, drum sound or key the first chorus lacks (None: one chorus)."""
    choruses = [s for s in song.sections if s[1] == "chorus"]
    if len(choruses) < 2:
        return None
    return bool(_contents(song, *choruses[-1][2:]) - _contents(song, *choruses[0][2:]))


def intro_ok(song: Read) -> bool:
    first = song.sections[0]
    if first[1] != "intro":
        return True
    bars = (first[3] - first[2]) / song.bar
    return bars <= 4 or (first[3] - first[2]) / song.tpb * 60 / song.tempo <= 12


_PCS = {n: i for i, n in enumerate("C C# D D# E F F# G G# A A# B".split())}
_PCS.update({"Db": 1, "Eb": 3, "Gb": 6, "Ab": 8, "Bb": 10, "Cb": 11, "Fb": 4, "E#": 5, "B#": 0})


def tonic_ending(song: Read) -> bool:
    key = song.keys[-1][1] if song.keys else song.info["key"]
    tonic = _PCS[key.rstrip("m")]
    minor = key.endswith("m")
    bass = song.tracks.get("Bass", [])
    comp = song.tracks.get("Chords", [])
    if not bass or not comp:
        return False
    last = max(on for on, _, _ in comp)
    chord = {p % 12 for on, _, p in comp if on >= last - song.tpb // 2}
    third = (tonic + (3 if minor else 4)) % 12
    return max(bass)[2] % 12 == tonic and tonic in chord and bool(chord & {third, (tonic + 7) % 12})


def verse_syllables(song: Read) -> tuple[int, int]:
    """(sung syllables in verses, verse bars)."""
    sung = bars = 0
    for _, kind, start, end in song.sections:
        if kind == "verse":
            bars += (end - start) // song.bar
            sung += sum(1 for on, _, _ in song.tracks.get("Vocal", []) if start <= on < end)
    return sung, bars


def edm_signature(song: Read) -> bool:
    names = [n for _, n in song.markers]
    if "Build" not in names or "Drop" not in names:
        return False
    spans = {s[0]: s for s in song.sections}
    build, drop = spans.get("Build"), spans.get("Drop")
    if not build or not drop or (drop[3] - drop[2]) < 8 * song.bar:
        return False
    sung = any(drop[2] <= on < drop[3] - song.bar for on, _, _ in song.tracks.get("Vocal", []))
    lead = any(drop[2] <= on < drop[3] for on, _, _ in song.tracks.get("Lead", []))
    values: dict[int, set] = defaultdict(set)
    for ccs in song.controls.values():
        for t, cc, v in ccs:
            if build[2] <= t < build[3]:
                values[cc].add(v)
    return not sung and lead and any(len(v) >= 8 for v in values.values())


def bright_share(wav: Path) -> float:
    """The share of the master's power above 2 kHz."""
    import soundfile
    audio, rate = soundfile.read(str(wav), dtype="float32")
    mono = audio.mean(axis=1) if audio.ndim == 2 else audio
    power = np.abs(np.fft.rfft(mono * np.hanning(len(mono)))) ** 2
    freqs = np.fft.rfftfreq(len(mono), 1 / rate)
    return float(power[freqs > 2000].sum() / max(power.sum(), 1e-30))


def chorus_loudness(wav: Path, song: Read) -> tuple[float, float]:
    """(first chorus, last chorus) loudness in LUFS."""
    import pyloudnorm
    import soundfile
    audio, rate = soundfile.read(str(wav), dtype="float64")
    meter = pyloudnorm.Meter(rate)
    choruses = [s for s in song.sections if s[1] == "chorus"]
    seconds = lambda tick: tick / song.tpb * 60 / song.tempo  # noqa: E731
    out = []
    for s in (choruses[0], choruses[-1]):
        a, b = int(seconds(s[2]) * rate), int(seconds(s[3]) * rate)
        out.append(meter.integrated_loudness(audio[a:b]))
    return out[0], out[1]


def _compose(msg: dict, genre: str, vibe: str, seed: int) -> Any:
    from composer import compose
    from composer.export.songjson import song_to_dict
    song = compose(msg["message"], to=msg["to"], genre=genre, vibe=vibe, seed=seed)
    return song, read(song.to_midi(), song_to_dict(song))


def evaluate(path: Path = DEFAULT_FILE, *, seed: int = 1, audio: bool = True, out: Path | None = None) -> dict:
    """Every figure, per genre and overall."""
    from composer.grammar import genre as load_genre, genre_ids
    msgs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    genres = genre_ids()
    per: dict[str, dict[str, list]] = {g: defaultdict(list) for g in genres}
    for g in genres:
        for msg in msgs:
            _, song = _compose(msg, g, msg["vibe"], seed)
            clear, total, rubs, onsets = above_and_rub(song)
            per[g]["above"].append((clear, total))
            per[g]["rub"].append((rubs, onsets))
            same, pairs = same_choruses(song)
            per[g]["same"].append((same, pairs))
            per[g]["intro"].append((int(intro_ok(song)), 1))
            per[g]["tonic"].append((int(tonic_ending(song)), 1))
            adds = adds_something(song)
            if adds is not None:
                per[g]["adds"].append((int(adds), 1))
            lo, hi = load_genre(g).tempo_range
            per[g]["range"].append((int(lo <= song.tempo <= hi), 1))
            if g == "hip-hop":
                per[g]["rap"].append(verse_syllables(song))
            if g == "edm":
                per[g]["edm"].append((int(edm_signature(song)), 1))
        tempi: dict[Any, Any] = {}
        for vibe in ("energetic", "heartfelt"):
            tempi[vibe] = []
            for msg in msgs:
                _, song = _compose(msg, g, vibe, seed)
                tempi[vibe].append(song.tempo)
                per[g]["range"].append((int(lo <= song.tempo <= hi), 1))
        gap = float(np.mean(tempi["energetic"]) - np.mean(tempi["heartfelt"]))
        per[g]["tempo"].append((int(gap >= 12), 1))
        per[g]["tempo_gap"] = [(gap, 1)]
        if audio:
            msg = next((m for m in msgs if m["genre"] == g), msgs[0])
            folder = (out or Path(tempfile.mkdtemp(prefix="songgram-arrange-"))) / g
            made, song = _compose(msg, g, msg["vibe"], seed)
            made.save(folder, audio=True)
            first, last = chorus_loudness(folder / "song.wav", song)
            adds = adds_something(song)
            per[g]["lift"].append((int(last - first >= 2.0 and bool(adds)), 1))
            per[g]["lift_lu"] = [(last - first, 1)]
            share = bright_share(folder / "song.wav")
            target = max(0.03, float(load_genre(g).mix.get("brightness", 0.03)))
            per[g]["bright"].append((int(share >= target), 1))
            per[g]["bright_share"] = [(share, 1)]
    return summarise(per)


def summarise(per: dict[str, dict[str, list]]) -> dict:
    """Ratios per genre and overall, with pass/fail against the issue's goals."""
    table: dict[str, dict[str, float]] = {}
    overall: dict[str, list] = defaultdict(list)
    for g, figures in per.items():
        table[g] = {}
        for key, rows in figures.items():
            hits, total = sum(r[0] for r in rows), sum(r[1] for r in rows)
            table[g][key] = hits / total if total else float("nan")
            overall[key] += rows
    result: dict = {"genres": table, "overall": {}}
    for key, (label, op, target) in FIGURES.items():
        rows = overall.get(key, [])
        if key == "tempo":
            value = float(sum(r[0] for r in rows))
        else:
            value = sum(r[0] for r in rows) / max(1, sum(r[1] for r in rows)) if rows else float("nan")
        ok = value != value or (value >= target if op == ">=" else value <= target)  # NaN: not measured (--no-audio)
        result["overall"][key] = {"label": label, "value": value, "goal": f"{op} {target}", "pass": bool(ok),
                                  "measured": value == value}
    return result


def report(result: dict) -> str:
    """The figures as text: overall with goals, then a per-genre table."""
    lines = ["Arrangement (issue 13)"]
    for f in result["overall"].values():
        verdict = ("ok" if f["pass"] else "FAIL") if f["measured"] else "not measured"
        lines.append(f"  {f['label']:<74} {f['value']:8.3f}  goal {f['goal']:<7} {verdict}")
    keys = ["above", "rub", "same", "intro", "tonic", "adds", "tempo_gap", "lift_lu", "bright_share"]
    lines.append("  " + "genre".ljust(12) + "".join(k[:9].rjust(10) for k in keys))
    for g, row in result["genres"].items():
        lines.append("  " + g.ljust(12) + "".join(f"{row.get(k, float('nan')):10.3f}" for k in keys))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-audio", action="store_true", help="skip the rendered figures (lift, brightness)")
    parser.add_argument("--out", type=Path, help="keep the rendered songs here")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    result = evaluate(args.file, seed=args.seed, audio=not args.no_audio, out=args.out)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    sys.exit(0)


if __name__ == "__main__":
    main()
