"""`make fuzz`: a long campaign of random messages and options against compose().

Each case either composes, and then every file it exports must be sound, or is
refused with a :class:`~composer.errors.SonggramError`. Anything else (another
exception, a broken file, a note out of range, a syllable off its note) is a
failure, printed with a reproducer.

    python scripts/fuzz.py [--cases 10000] [--workers 2] [--seed 0] [--json PATH]
    python scripts/fuzz.py --case N [--seed S]     # replay one case, with its traceback

Case N of campaign S is drawn from ``random.Random(f"{S}:{N}")``, so any case
can be replayed alone. tests/test_fuzz.py runs the same checks through
hypothesis for `make test`.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import random
import re
import sys
import time
import traceback
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Any

import mido

from composer import SEED_LIMIT, SonggramError, compose, genre_ids, validate, vibe_ids
from composer.export.midi import latin1

SENSIBLE_RANGES = {  # MIDI note ranges a part may use: a voice from bass to soprano, instruments' usual spans
    "vocal": (40, 84), "bass": (24, 64), "chords": (36, 96), "pad": (36, 96), "lead": (48, 100),
    "drums": (27, 87),  # the General MIDI (level 2) percussion keys
}

VOCABULARY = """Mom Dad Anna Lola Tita Carmen love thank you for always cooking us I miss every day happy birthday
my friend keep going closer than think the best sister brother proud of together home heart night light
forever remember summer laughter dance rain road coffee morning kitchen smile hug kiss sorry late again
congratulations graduation wedding baby welcome grandma grandpa team coach dog cat sunshine sweetheart
Salamat po Nanay anak habibi amigo querida merci cheers mate yall gonna wanna ain't can't won't we're
""".split()
ODDITIES = ["😀", "❤️", "🎂🎉", "👨‍👩‍👧‍👦", "🇵🇭", "👍🏽", ":)", "<3", "xoxo", "lol", "&amp;", "<b>", "</p>", "<br>",
            "'); DROP TABLE x;--", "SELECT * FROM", "1st", "2nd", "100%", "$5", "#1", "@home", "4am", "3/4",
            "…", "—", "«", "»", "\u201chi\u201d", "\x1b[31m", "\x1b[0m", "\x07", "\x00", "\u200b", "\u202e",
            "\ufeff", "\udcff", "\r\n", "\n\n", "\t", "ZOË", "café", "naïve", "Ångström", "Straße", "ﬁne",
            "supercalifragilisticexpialidocious", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "世界", "Привет", "مرحبا", "नमस्ते", "γειά", "שלום", "こんにちは", "안녕"]
NAMES = ["Mom", "Dad", "Tita Carmen", "José", "Zoë", "O'Neil", "Mary-Kate", "../../etc", "/etc/passwd",
         "a/b\\c", "..", "~", "世界", "Ana 💕", "", "   ", "DJ", "x" * 41, "J", "Dr. Who", "\x1b[1mBold\x1b[0m"]
TONICS = ["C", "D", "E", "F", "G", "A", "B", "c", "f"]
ACCIDENTALS = ["", "#", "b", "♯", "♭"]
SUFFIXES = ["", "m", " major", " minor", " dorian", " mixolydian", " Minor"]
BAD_KEYS = ["H", "C##m", "Q dorian", "", "  ", "Cbb", "D lydian", "Am7", "do", "E♯♯", "c minor minor", "123"]


def _random_unicode(rng: random.Random, size: int) -> str:
    """Code points from many scripts and categories, lone surrogates and controls included."""
    blocks = [(0x20, 0x7E), (0x00, 0x1F), (0x7F, 0x9F), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x3FF),
              (0x400, 0x4FF), (0x590, 0x6FF), (0x900, 0x97F), (0x2000, 0x206F), (0x2190, 0x2BFF),
              (0x3040, 0x30FF), (0x4E00, 0x4FFF), (0xAC00, 0xAC7F), (0xD800, 0xDFFF), (0xE000, 0xE0FF),
              (0xFE00, 0xFE0F), (0xFF00, 0xFFEF), (0xFFF0, 0xFFFF), (0x1F300, 0x1FAFF), (0xE0000, 0xE007F)]
    chars = []
    for _ in range(size):
        lo, hi = rng.choice(blocks)
        chars.append(chr(rng.randint(lo, hi)))
    return "".join(chars)


def _words(rng: random.Random, count: int) -> str:
    out = []
    for _ in range(count):
        word = rng.choice(VOCABULARY)
        roll = rng.random()
        if roll < 0.05:
            word = word.upper()
        elif roll < 0.1:
            word = rng.choice(ODDITIES)
        out.append(word)
        if rng.random() < 0.12:
            out[-1] += rng.choice([",", ".", "!", "?", "!!!", "...", ";", ":", " -", "\n"])
    return " ".join(out)


def _guarded_word(rng: random.Random) -> str:
    rails = validate.guardrails()
    word = rng.choice(sorted(rails.masks) if rng.random() < 0.7 else sorted(rails.refuse_words))
    if rng.random() < 0.3:
        word = word.replace("i", "1").replace("e", "3").replace("a", "@")
    return word.upper() if rng.random() < 0.2 else word


def draw_message(rng: random.Random) -> str:
    """A message: sentences, random Unicode, a mix, an edge case, or one with guarded words."""
    kind = rng.random()
    if kind < 0.4:
        return _words(rng, rng.choice([rng.randint(1, 12), rng.randint(1, 60), rng.randint(60, 110)]))
    if kind < 0.6:
        return _random_unicode(rng, rng.randint(0, 80))
    if kind < 0.8:
        return " ".join(_words(rng, rng.randint(1, 8)) if rng.random() < 0.6 else _random_unicode(rng, rng.randint(1, 6))
                        for _ in range(rng.randint(1, 6)))
    if kind < 0.9:
        return rng.choice(["", " ", "\n\t ", "?!...", "---", "a", "I", "9", "❤️", "💩", "x" * 501, "la " * 101,
                           "Dear Mom,\n\nThank you.\n\nLove,\nAnna", "ha" * 250, "🎂" * 300, "1" * 40,
                           "<script>alert(1)</script>", "\x1b[2J\x1b[H", "\u202eevil", "Ω" * 10])
    words = _words(rng, rng.randint(1, 10)).split()
    words.insert(rng.randint(0, len(words)), _guarded_word(rng))
    return " ".join(words)


def draw_options(rng: random.Random) -> tuple[dict[str, Any], bool]:
    """Options for compose(), and whether they are invalid by construction (so must be refused)."""
    bad = False

    def pick(valid: Any, invalid: Any, p_bad: float = 0.02) -> Any:
        nonlocal bad
        if rng.random() < p_bad:
            bad = True
            return invalid() if callable(invalid) else rng.choice(invalid)
        return valid() if callable(valid) else rng.choice(valid)

    options: dict[str, Any] = {
        "to": rng.choice(NAMES) if rng.random() < 0.8 else _random_unicode(rng, rng.randint(0, 12)),
        "sender": "" if rng.random() < 0.8 else rng.choice(NAMES),
        "genre": pick(genre_ids(), ["popp", "polka", 42, None, "metal"]),
        "vibe": pick(vibe_ids(), ["sad", "chil", 0, None]),
        "seed": pick(lambda: rng.choice([0, 1, SEED_LIMIT, rng.randint(0, 999), rng.randint(0, SEED_LIMIT)]),
                     [-1, SEED_LIMIT + 1, 1.5, True, None]),
        "length": pick(["short", "full"], ["long", "", None]),
    }
    if rng.random() < 0.4:
        options["key"] = pick(lambda: rng.choice(TONICS) + rng.choice(ACCIDENTALS) + rng.choice(SUFFIXES), BAD_KEYS,
                              0.1)
    if rng.random() < 0.4:
        options["tempo"] = pick(lambda: rng.choice([40, 220, rng.randint(40, 220)]), [39, 221, 0, -5, 120.0, True],
                                0.1)
    if isinstance(options["to"], str) and len(validate.clean_text(options["to"])) > validate.MAX_NAME_CHARS:
        bad = True
    return options, bad


def draw_case(seed: int, index: int) -> tuple[str, dict[str, Any], bool]:
    """Case ``index`` of campaign ``seed``: (message, options, must_refuse)."""
    rng = random.Random(f"{seed}:{index}")
    message = draw_message(rng)
    options, bad = draw_options(rng)
    return message, options, bad


def check_song(song: Any) -> None:
    """Every export of ``song`` is sound; raise AssertionError naming what is not."""
    midi = mido.MidiFile(file=io.BytesIO(song.to_midi()))
    assert midi.type == 1, f"song.mid is type {midi.type}"
    document = json.loads(song.to_json())
    assert document["seed"] == song.seed
    ET.fromstring(song.to_musicxml().encode("utf-8"))
    assert song.to_lyrics_text().strip() and song.to_chordpro().strip()
    assert song.vocal, "nothing is sung"
    roles = {t.name: ("drums" if t.channel == 9 else t.role) for t in song.tracks}
    sung = [latin1(n.lyric) for n in sorted(song.vocal, key=lambda n: n.start)]  # in order; swing moves their ticks
    for track in midi.tracks[1:]:
        name = next((m.name for m in track if m.type == "track_name"), "")
        lo, hi = SENSIBLE_RANGES[roles[name]]
        now, onsets, lyrics, pitches = 0, set(), [], []
        for msg in track:
            now += msg.time
            if msg.type == "note_on" and msg.velocity > 0:
                assert lo <= msg.note <= hi, f"{name}: note {msg.note} outside {lo}..{hi}"
                onsets.add(now)
                pitches.append(msg.note)
            elif msg.type == "lyrics":
                lyrics.append((now, msg.text))
        if name == "Vocal":
            off = sorted(tick for tick, _ in lyrics if tick not in onsets)
            assert not off, f"{len(off)} lyric syllables are not on a note (first at tick {off[0]})"
            tune = [n.pitch for n in sorted(song.vocal, key=lambda n: n.start)]
            assert pitches == tune, "the Vocal notes differ from the sung line's pitches, in order"
            texts = [text for _, text in lyrics]
            wrong = [tick for (tick, text), want in zip(lyrics, sung) if text != want]
            assert texts == sung, (f"the Vocal lyrics differ from the sung syllables ({len(texts)} for {len(sung)}, "
                                   f"first at ticks {wrong[:5]})")
        else:
            assert not lyrics, f"{name} carries lyrics"
    assert "Vocal" in roles, "no Vocal track"


def reason(err: SonggramError) -> str:
    """A refusal's kind, without its particular values: "InputError: unknown genre ...; did you mean ..."."""
    text = str(err).split("; choose one of")[0]
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "…", text)
    return f"{type(err).__name__}: {re.sub(r'[0-9]+', 'N', text)}"[:110]


def run_case(message: str, options: dict[str, Any], must_refuse: bool = False) -> str:
    """Compose one case: "composed" or "refused: <reason>"; raise on anything else."""
    try:
        song = compose(message, **options)
    except SonggramError as err:
        return "refused: " + reason(err)
    assert not must_refuse, "composed although an option is invalid"
    check_song(song)
    return "composed"


def _worker(job: tuple[int, int]) -> tuple[int, str, str]:
    seed, index = job
    message, options, bad = draw_case(seed, index)
    try:
        return index, run_case(message, options, bad), ""
    except Exception as err:  # noqa: BLE001 - every failure is collected, with a reproducer
        return index, "failed", f"{type(err).__name__}: {err}"


def campaign(cases: int, *, workers: int = 2, seed: int = 0) -> dict[str, Any]:
    """Run ``cases`` cases over ``workers`` processes; the summary as a dict."""
    compose("warm up", to="A", seed=0)  # compiles the kernels once, before the fork
    start = time.perf_counter()
    jobs = [(seed, i) for i in range(cases)]
    outcomes: Counter[str] = Counter()
    failures: list[dict[str, Any]] = []
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for index, outcome, error in pool.imap_unordered(_worker, jobs, chunksize=16):
            outcomes[outcome] += 1
            if outcome == "failed":
                message, options, _ = draw_case(seed, index)
                failures.append({"case": index, "error": error, "reproduce":
                                 f"python scripts/fuzz.py --seed {seed} --case {index}  # compose({message!r}, "
                                 f"**{options!r})"})
    refused = {k.removeprefix("refused: "): v for k, v in outcomes.most_common() if k.startswith("refused: ")}
    return {"cases": cases, "seed": seed, "workers": workers, "seconds": round(time.perf_counter() - start, 1),
            "composed": outcomes["composed"], "refused": sum(refused.values()), "refused_by_reason": refused,
            "failed": len(failures), "failures": sorted(failures, key=lambda f: f["case"])}


def print_summary(summary: dict[str, Any]) -> None:
    print(f"fuzz: {summary['cases']} cases (campaign seed {summary['seed']}, {summary['workers']} processes) "
          f"in {summary['seconds']:.0f} s")
    print(f"  composed  {summary['composed']:>6}")
    print(f"  refused   {summary['refused']:>6}")
    for why, count in summary["refused_by_reason"].items():
        print(f"    {count:>6}  {why}")
    print(f"  failed    {summary['failed']:>6}")
    for failure in summary["failures"][:50]:
        print(f"    case {failure['case']}: {failure['error']}\n      {failure['reproduce']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="how many cases (default 10000)")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="the campaign's seed (default 0)")
    parser.add_argument("--case", type=int, default=None, help="replay this one case and show its traceback")
    parser.add_argument("--json", default=None, help="also write the summary to this JSON file")
    args = parser.parse_args(argv)
    if args.case is not None:
        message, options, bad = draw_case(args.seed, args.case)
        print(f"compose({message!r}, **{options!r})  # must refuse: {bad}")
        try:
            print(run_case(message, options, bad))
        except Exception:  # noqa: BLE001 - shown in full: this is the reproducer
            traceback.print_exc()
            return 1
        return 0
    summary = campaign(args.cases, workers=args.workers, seed=args.seed)
    print_summary(summary)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(summary, handle, ensure_ascii=False, indent=2)
    return 1 if summary["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
