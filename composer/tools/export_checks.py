"""What a song's exports keep, read back from the written files (issue 13, item 6).

    python scripts/export_checks.py [--songgram PATH] [--musescore] [--keys] [--out DIR [--reuse]] [FILE.jsonl]

Composes every message of FILE.jsonl (default: tests/data/unseen_messages.jsonl)
in every genre with ``songgram compose --no-audio`` and measures, per song:

- chords: chord changes in song.chordpro (its ``[...]`` brackets) equal to
  song.json's chords and to the ``<harmony>`` elements of song.musicxml;
- spelling: song.json chord symbols whose root letter is the numeral's scale
  step above the tonic's letter (bII in D is an E, so Eb, never D#);
- words: the Vocal lyric events of song.mid joined as a karaoke player joins
  them (RP-017: "-" ends a syllable that continues, a space ends a word) give
  the sung words, and so do song.kar's Words text events (Soft Karaoke: a
  leading space, "/" or "\\" starts a word);
- titles: song.musicxml has one title (no movement-title repeating the work-title);
- keys (with ``--keys``): music21 finds the declared key, as scripts/evaluate.py
  measures it, per genre and per mode;
- musescore (with ``--musescore``: a short song per mode, and a swung one):
  MuseScore 3 converts song.musicxml with no error or warning line.

The functions are also used by scripts/evaluate.py and the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import mido

ROOT = Path(__file__).resolve().parents[2]  # the checkout: the default data are its tests/data
LETTERS = "CDEFGAB"
STEPS = {"I": 0, "II": 1, "III": 2, "IV": 3, "V": 4, "VI": 5, "VII": 6}
_BRACKET = re.compile(r"\[([^\]]*)\]")
_NUMERAL = re.compile(r"^[b#]?(VII|VI|V|IV|III|II|I)", re.IGNORECASE)


def chordpro_changes(text: str) -> list[str]:
    """The chord symbols of a ChordPro text, in order ({directives} left out).

    >>> chordpro_changes("{title: x}\\n[C]Hel-lo [G]you[Am]\\n[F] [C]")
    ['C', 'G', 'Am', 'F', 'C']
    """
    return [m for line in text.splitlines() if not line.startswith("{") for m in _BRACKET.findall(line)]


def musicxml_facts(text: str) -> dict:
    """Harmony count, titles, key modes and rejected characters of a MusicXML text."""
    root = ET.fromstring(text.split("\n", 2)[2] if text.startswith("<?xml") else text)
    titles = [el.text for el in root.iter() if el.tag in ("work-title", "movement-title")]
    return {"harmonies": sum(1 for _ in root.iter("harmony")), "titles": titles,
            "modes": [el.text for el in root.iter("mode")]}


def root_letter_ok(roman: str, symbol: str, key: str) -> bool:
    """The symbol's root letter is the numeral's step above the key's letter.

    >>> root_letter_ok("bII7", "Eb7", "D"), root_letter_ok("bII7", "D#7", "D")
    (True, False)
    """
    found = _NUMERAL.match(roman)
    if found is None:
        raise ValueError(f"not a Roman numeral: {roman!r}")
    step = STEPS[found.group(1).upper()]
    return symbol[0] == LETTERS[(LETTERS.index(key[0]) + step) % 7]


def player_words(texts: list[str]) -> list[str]:
    """Words as an RP-017 player shows them: syllables joined, "-" dropped, spaces split words.

    >>> player_words(["Hap-", "py ", "birth-", "day "]), player_words(["Mom", "thank", "al-", "ways"])
    (['Happy', 'birthday'], ['Momthankalways'])
    """
    return "".join(t[:-1] if t.endswith("-") else t for t in texts).split()


def kar_words(texts: list[str]) -> list[str]:
    r"""Words as a Soft Karaoke player shows them: "/" and "\" start lines, a leading space a word.

    >>> kar_words(["\\Hap", "py", " birth", "day", "/you"])
    ['Happy', 'birthday', 'you']
    """
    return "".join(" " + t[1:] if t[:1] in "/\\" else t for t in texts).split()


def sung_words(info: dict) -> list[str]:
    """song.json's sung words: its syllables joined until one does not continue."""
    words, current = [], ""
    for v in sorted(info["vocal"], key=lambda v: v["start_beat"]):
        current += v["syllable"]
        if not v["continues"]:
            words.append(current)
            current = ""
    return words + ([current] if current else [])


def measure_folder(folder: Path) -> dict:
    """The figures of one written song folder."""
    info = json.loads((folder / "song.json").read_text(encoding="utf-8"))
    xml = musicxml_facts((folder / "song.musicxml").read_text(encoding="utf-8"))
    cho = chordpro_changes((folder / "song.chordpro").read_text(encoding="utf-8"))
    mid = mido.MidiFile(folder / "song.mid")
    vocal: Any = next((t for t in mid.tracks if any(m.type == "track_name" and m.name == "Vocal" for m in t)), [])
    lyrics = [m.text for m in vocal if m.type == "lyrics"]
    kar = mido.MidiFile(folder / "song.kar")
    words_track = next(t for t in kar.tracks if any(m.type == "track_name" and m.name == "Words" for m in t))
    kar_texts = [m.text for m in words_track if m.type == "text" and not m.text.startswith("@")]
    expected = [w.replace("’", "'") for w in sung_words(info)]
    spelled = [root_letter_ok(c["roman"], c["symbol"], info["key"]) for c in info["chords"]]
    return {
        "mode": info["mode"], "swing": info.get("swing", 0), "json_chords": len(info["chords"]),
        "chordpro_chords": len(cho), "musicxml_chords": xml["harmonies"],
        "spelled": sum(spelled), "misspelled": [c["symbol"] for c, ok in zip(info["chords"], spelled) if not ok],
        "mid_words_ok": player_words(lyrics) == expected, "kar_words_ok": kar_words(kar_texts) == expected,
        "one_title": len(set(xml["titles"])) == len(xml["titles"]) == 1, "key_modes": xml["modes"],
    }


def figures(folder: Path) -> dict[str, tuple[int, int, list[tuple[float, str]]]]:
    """scripts/evaluate.py's export figures of one song folder: (hits, total, offenders) each.

    - chords: song.json's chords that song.chordpro and song.musicxml both keep (per chord);
    - lyrics: the song's words read back from song.mid's lyric events and song.kar's words (per song).
    """
    r = measure_folder(folder)
    kept = min(r["chordpro_chords"], r["json_chords"]) if r["musicxml_chords"] == r["json_chords"] else 0
    chords_bad = [] if kept == r["json_chords"] else [(r["json_chords"] - kept, f"{folder.name}: ChordPro "
                  f"{r['chordpro_chords']}, MusicXML {r['musicxml_chords']}, song.json {r['json_chords']} chords")]
    words_ok = r["mid_words_ok"] and r["kar_words_ok"]
    words_bad = [] if words_ok else [(1, f"{folder.name}: song.mid words {'ok' if r['mid_words_ok'] else 'run together'}, "
                                         f"song.kar words {'ok' if r['kar_words_ok'] else 'wrong'}")]
    return {"chords": (kept, r["json_chords"], chords_bad), "lyrics": (int(words_ok), 1, words_bad)}


def musescore_log(musicxml: Path, out_dir: Path) -> str:
    """MuseScore 3's output converting ``musicxml`` to PDF, headless."""
    runtime = out_dir / "xdg"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(runtime)}
    exe = "mscore3" if subprocess.run(["which", "mscore3"], capture_output=True).returncode == 0 else "musescore3"
    done = subprocess.run([exe, "-o", str(out_dir / "song.pdf"), str(musicxml)], capture_output=True, text=True,
                          env=env, timeout=300)
    return f"exit {done.returncode}\n{done.stdout}{done.stderr}"


def musescore_problems(log: str) -> list[str]:
    """The lines of a MuseScore log that report an error or a warning (exit status included)."""
    bad = [line for line in log.splitlines() if re.search(r"error|warning|unsupported|invalid|not a valid|fatal", line, re.I)]
    return bad + ([] if log.startswith("exit 0") else [log.splitlines()[0]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", type=Path, default=ROOT / "tests/data/unseen_messages.jsonl")
    parser.add_argument("--songgram", default=str(Path(sys.executable).parent / "songgram"))
    parser.add_argument("--out", type=Path, help="keep the songs here (default: a temporary folder)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N messages")
    parser.add_argument("--musescore", action="store_true", help="also import one song per mode and swing into MuseScore 3")
    parser.add_argument("--reuse", action="store_true", help="measure the songs already in --out, composing only missing ones")
    parser.add_argument("--keys", action="store_true", help="also measure music21's key finding per genre and mode")
    args = parser.parse_args()
    listing = subprocess.run([args.songgram, "genres"], capture_output=True, text=True, check=True).stdout
    genres = [line.split()[0] for line in listing.splitlines() if line.strip()]
    msgs = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    msgs = msgs[:args.limit] if args.limit else msgs
    work = args.out or Path(tempfile.mkdtemp(prefix="songgram-exports-"))
    jobs = [(i, m, g) for i, m in enumerate(msgs) for g in genres]

    def compose(job: tuple[int, dict, str]) -> Path | None:
        i, m, genre = job
        out = work / f"{i:02d}-{genre}"
        if args.reuse and (out / "song.json").is_file():
            return out
        cmd = [args.songgram, "compose", "--to", m["to"], "--genre", genre, "--vibe", m["vibe"], "--seed", "1",
               "--out", str(out), "--no-audio", "--", m["message"]]
        return out if subprocess.run(cmd, capture_output=True).returncode == 0 else None

    with ThreadPoolExecutor(2) as pool:
        folders = [f for f in pool.map(compose, jobs) if f]
    rows = {f.name: measure_folder(f) for f in folders}
    print(f"{len(rows)} songs of {len(jobs)} composed, in {work}\n")
    print("| genre | songs | chords kept in ChordPro | = MusicXML | root letters right | song.mid words | "
          "song.kar words | one title |\n| --- | --- | --- | --- | --- | --- | --- | --- |")
    total: dict[str, int] = {}
    for genre in genres:
        sel = [r for name, r in rows.items() if name.split("-", 1)[1] == genre]
        figures = {
            "chordpro": (sum(r["chordpro_chords"] for r in sel), sum(r["json_chords"] for r in sel)),
            "musicxml": (sum(r["musicxml_chords"] == r["json_chords"] for r in sel), len(sel)),
            "spelled": (sum(r["spelled"] for r in sel), sum(r["json_chords"] for r in sel)),
            "mid": (sum(r["mid_words_ok"] for r in sel), len(sel)),
            "kar": (sum(r["kar_words_ok"] for r in sel), len(sel)),
            "title": (sum(r["one_title"] for r in sel), len(sel)),
        }
        for k, (a, b) in figures.items():
            total[k + "0"], total[k + "1"] = total.get(k + "0", 0) + a, total.get(k + "1", 0) + b
        print(f"| {genre} | {len(sel)} | " + " | ".join(f"{a}/{b}" for a, b in figures.values()) + " |")
    print("| all | " + str(len(rows)) + " | " + " | ".join(f"{total[k + '0']}/{total[k + '1']}" for k in
                                                        ("chordpro", "musicxml", "spelled", "mid", "kar", "title")) + " |")
    bad = sorted({s for r in rows.values() for s in r["misspelled"]})
    print(f"\nmisspelled roots: {', '.join(bad[:20]) or 'none'}")
    if args.keys:
        print("\n| music21 finds the declared key | songs |\n| --- | --- |")
        from . import evaluate  # the figure 4g exactly as `make evaluate` measures it
        found: dict[str, list[int]] = {}
        misses: list[str] = []
        for name, r in rows.items():
            info = json.loads((work / name / "song.json").read_text(encoding="utf-8"))
            tally = evaluate.key_agreement(evaluate.read_song(mido.MidiFile(work / name / "song.mid"), info, name))
            for k in (name.split("-", 1)[1], r["mode"], "all"):
                found.setdefault(k, []).append(tally.hits)
            if not tally.hits:
                degrees = [(v["pitch"] - info["tonic"]) % 12 for v in info["vocal"]]
                third = 3 if r["mode"] in ("minor", "dorian") else 4
                misses.append(f"- {tally.offenders[0][1]}; sung notes on the tonic {degrees.count(0) / len(degrees):.0%}"
                              f", on the third {degrees.count(third) / len(degrees):.0%}")
        for k, hits in sorted(found.items(), key=lambda kv: (kv[0] != "all", kv[0])):
            print(f"| {k} | {sum(hits)}/{len(hits)} = {sum(hits) / len(hits):.2f} |")
        print("\nMisses:\n" + "\n".join(misses))
    if args.musescore:
        # One song per mode (folk plays all four) and a swung one, composed for the purpose.
        picks = [(mode, ["--genre", "folk", "--key", f"{'G' if mode == 'mixolydian' else 'D'} {mode}"])
                 for mode in ("major", "minor", "dorian", "mixolydian")] + [("swing", ["--genre", "jazz"])]
        print("\n| MuseScore 3 import | problem lines |\n| --- | --- |")
        for what, options in picks:
            out = work / f"musescore-{what}"
            subprocess.run([args.songgram, "compose", "--to", msgs[0]["to"], "--vibe", "chill", "--seed", "1",
                            "--length", "short", *options, "--out", str(out), "--no-audio", "--", msgs[0]["message"]],
                           capture_output=True, check=True)
            problems = musescore_problems(musescore_log(out / "song.musicxml", out))
            print(f"| {what} | {'; '.join(problems)[:300] or 'none'} |")


if __name__ == "__main__":
    main()
