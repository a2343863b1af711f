"""A song folder read back: the Vocal notes as performed, their words, the sections in seconds, the stems.

The contract is what ``songgram compose --stems`` writes: song.mid holds a
track named ``Vocal`` whose notes sit at their performed (possibly swung)
times, with one lyric meta event before each note that starts a syllable;
song.json holds the sections (kind and start beat, in quarter-note beats of
song.mid); ``stem-vocal.wav`` is the voice as it sits in the mix and every
other ``stem-<part>.wav`` is the rest of the band, all aligned at 0 s.

Two lyric conventions are read:

- hyphens: a syllable ending in ``-`` is continued by the next ("al-", "ways");
- RP-017 (the MIDI lyric meta event recommended practice): a syllable ending in
  a space (or a line break) ends its word, one without continues ("al", "ways ").

A note with no lyric event (or one of ``-``, ``_``, ``+``, ``~``) holds the
previous syllable over a new pitch: a melisma.

>>> words_of(["Mom", "al-", "ways", "cook-", "", "ing"])
[('Mom', (0,)), ('always', (1, 2)), ('cooking', (3, 4, 5))]
>>> words_of(["Mom ", "al", "ways ", "cook", "ing\\r"])
[('Mom', (0,)), ('always', (1, 2)), ('cooking', (3, 4))]
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["SungNote", "Section", "SongTake", "read_take", "read_vocal", "words_of", "load_stems",
           "VOCAL_STEM", "HOLD"]

VOCAL_STEM = "stem-vocal.wav"
HOLD = frozenset({"", "-", "_", "+", "~"})
"""Lyric texts that start no syllable: the note holds the previous one (melisma)."""


@dataclass(frozen=True, slots=True)
class SungNote:
    """One Vocal note as performed.

    Attributes:
        start: onset in seconds from the song's start.
        end: release in seconds.
        pitch: the written MIDI pitch.
        lyric: the lyric event's text as written ("" for a melisma note).
    """

    start: float
    end: float
    pitch: int
    lyric: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    """One section of song.json in seconds.

    Attributes:
        name: "Chorus 1".
        kind: intro, verse, prechorus, chorus, bridge or outro.
        start: seconds from the song's start.
        end: seconds; the next section's start, or the song's end.
    """

    name: str
    kind: str
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class SongTake:
    """What a song folder holds, read once.

    Attributes:
        folder: the folder.
        notes: the Vocal notes in time order.
        words: (word, indices of its notes) in order, from the lyric events.
        sections: the sections in seconds.
        info: song.json as parsed ({} when absent).
    """

    folder: Path
    notes: tuple[SungNote, ...]
    words: tuple[tuple[str, tuple[int, ...]], ...]
    sections: tuple[Section, ...]
    info: dict


class _TempoMap:
    """Ticks to seconds through every set_tempo event of a MIDI file."""

    def __init__(self, mid: Any) -> None:
        changes, tick = {}, 0
        for track in mid.tracks:
            tick = 0
            for msg in track:
                tick += msg.time
                if msg.type == "set_tempo":
                    changes[tick] = msg.tempo
        ticks = sorted(changes)
        if not ticks or ticks[0] != 0:
            changes[0] = changes.get(0, 500000)
            ticks = sorted(changes)
        self.tpb, self.ticks, self.tempi, self.seconds = mid.ticks_per_beat, ticks, [changes[t] for t in ticks], [0.0]
        for i in range(1, len(ticks)):
            self.seconds.append(self.seconds[-1] + (ticks[i] - ticks[i - 1]) * self.tempi[i - 1] / 1e6 / self.tpb)

    def __call__(self, tick: float) -> float:
        i = bisect_right(self.ticks, tick) - 1
        return self.seconds[i] + (tick - self.ticks[i]) * self.tempi[i] / 1e6 / self.tpb


def read_vocal(mid_path: Path) -> tuple[tuple[SungNote, ...], _TempoMap]:
    """The notes of the track named ``Vocal`` (in time order) and the file's tempo map.

    Raises:
        ValueError: the file has no Vocal track with notes.
    """
    import mido

    mid = mido.MidiFile(mid_path)
    to_seconds = _TempoMap(mid)
    for track in mid.tracks:
        if next((m.name for m in track if m.type == "track_name"), "") != "Vocal":
            continue
        tick, lyric = 0, ""
        sounding: dict[int, list[tuple[int, str]]] = {}
        notes: list[tuple[int, int, int, str]] = []
        for msg in track:
            tick += msg.time
            if msg.type == "lyrics":
                lyric = msg.text
            elif msg.type == "note_on" and msg.velocity:
                sounding.setdefault(msg.note, []).append((tick, lyric))
                lyric = ""
            elif msg.type in ("note_on", "note_off") and sounding.get(msg.note):
                on, text = sounding[msg.note].pop(0)
                notes.append((on, tick, msg.note, text))
        if notes:
            notes.sort()
            return tuple(SungNote(to_seconds(a), to_seconds(b), p, t) for a, b, p, t in notes), to_seconds
    raise ValueError(f"{mid_path}: no track named Vocal with notes")


def words_of(lyrics: list[str]) -> list[tuple[str, tuple[int, ...]]]:
    """Words rebuilt from per-note lyric texts (see the module docstring), each with its note indices."""
    rp017 = any(t != t.rstrip(" \r\n/\\") for t in lyrics)
    out: list[tuple[str, tuple[int, ...]]] = []
    text, idx = "", list[int]()
    for i, raw in enumerate(lyrics):
        if raw.strip() in HOLD:
            if idx:
                idx.append(i)
            elif out:
                out[-1] = (out[-1][0], out[-1][1] + (i,))
            continue
        if text and raw[:1].isspace():
            out.append((text, tuple(idx)))
            text, idx = "", []
        core = raw.strip(" \r\n/\\")
        ends = not core.endswith("-") and (not rp017 or raw != raw.rstrip(" \r\n/\\"))
        text, idx = text + core.rstrip("-"), idx + [i]
        if ends:
            out.append((text, tuple(idx)))
            text, idx = "", []
    if text:
        out.append((text, tuple(idx)))
    return out


def read_take(folder: Path) -> SongTake:
    """Read song.mid and song.json of a folder written by ``songgram compose``.

    Raises:
        ValueError: song.mid has no Vocal track.
        FileNotFoundError: song.mid is missing.
    """
    folder = Path(folder)
    notes, to_seconds = read_vocal(folder / "song.mid")
    info_path = folder / "song.json"
    info = json.loads(info_path.read_text(encoding="utf-8")) if info_path.exists() else {}
    raw = info.get("sections", [])
    starts = [to_seconds(s["start_beat"] * to_seconds.tpb) for s in raw]
    end = max(float(info.get("seconds", 0.0)), notes[-1].end)
    sections = tuple(Section(s["name"], s["kind"], a, b) for s, a, b in zip(raw, starts, starts[1:] + [end]))
    words = tuple(words_of([n.lyric for n in notes]))
    return SongTake(folder, notes, words, sections, info)


def load_stems(folder: Path) -> tuple[np.ndarray, np.ndarray, int]:
    """(vocal, rest of the band, sample rate): ``stem-vocal.wav`` and the sum of the other stems.

    Both are float64 arrays of shape (frames, channels), padded to one length.

    Raises:
        FileNotFoundError: no stem-vocal.wav, or no other stem.
        ValueError: the stems' sample rates differ.
    """
    import soundfile as sf

    folder = Path(folder)
    if not (folder / VOCAL_STEM).exists():
        raise FileNotFoundError(f"{folder / VOCAL_STEM} is missing (compose with --stems)")
    others = sorted(p for p in folder.glob("stem-*.wav") if p.name != VOCAL_STEM)
    if not others:
        raise FileNotFoundError(f"{folder}: no stem besides {VOCAL_STEM}")
    vocal, rate = sf.read(folder / VOCAL_STEM, dtype="float64", always_2d=True)

    def read(path: Path) -> np.ndarray:
        audio, r = sf.read(path, dtype="float64", always_2d=True)
        if r != rate:
            raise ValueError(f"{path}: {r} Hz, but {VOCAL_STEM} is {rate} Hz")
        return audio

    rest = read(others[0])
    for path in others[1:]:
        audio = read(path)
        n = max(len(rest), len(audio))
        rest = np.pad(rest, ((0, n - len(rest)), (0, 0))) + np.pad(audio, ((0, n - len(audio)), (0, 0)))
    n = max(len(vocal), len(rest))
    return np.pad(vocal, ((0, n - len(vocal)), (0, 0))), np.pad(rest, ((0, n - len(rest)), (0, 0))), rate
