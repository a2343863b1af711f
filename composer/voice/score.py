"""What the voice sings: lines of words, each syllable on its performed note.

A :class:`Line` comes from a :class:`~composer.model.Song` (the Vocal track's
swung notes, paired with the sung syllables by
:func:`composer.export.midi.sung_notes`) or from a MIDI file's Vocal track
and its lyric events (:func:`lines_from_midi`), read in either convention:
"syl-" continues a word (ours), or RP-017's "word " ends one and a bare
syllable continues it. A note without a lyric event after a sung one, or a
lyric "-", "_" or "~" alone, carries the syllable before it on (melisma).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import PPQ, Song


__all__ = ["Note", "Line", "MidiTempo", "lines_from_song", "lines_from_midi", "pitches"]

_PHRASE_GAP = 0.6  # seconds of rest that end a line read from MIDI
_MELISMA = frozenset({"-", "_", "~", "+"})


@dataclass(frozen=True, slots=True)
class Note:
    """One sung note.

    Attributes:
        start: performed onset, seconds from the top of the song.
        end: performed end, seconds.
        pitch: MIDI note number (already moved into the voice's octave).
        word: index of its word in the line.
        syllable: index of the syllable in the word; a melisma note repeats the syllable before it.
    """

    start: float
    end: float
    pitch: float
    word: int
    syllable: int


@dataclass(frozen=True, slots=True)
class Line:
    """One sung phrase: its words, as (text, ARPAbet phonemes or None for letter-to-sound), and its notes."""

    words: tuple[tuple[str, tuple[str, ...] | None], ...]
    notes: tuple[Note, ...]


def _pronounced(text: str) -> tuple[str, tuple[str, ...] | None]:
    from ..analyse.pronounce import phonemes

    word = text.strip()
    try:
        found = phonemes(word) if any(ch.isalpha() for ch in word) else None
    except ValueError:
        found = None
    return word, found


def lines_from_song(song: Song, *, shift: int = 0) -> list[Line]:
    """The sung lines of ``song``, on the Vocal track's performed (swung) notes, moved ``shift`` octaves."""
    from ..export.midi import sung_notes

    seconds = 60.0 / (song.plan.tempo * PPQ)
    lines: dict[int, tuple[list, list]] = {}
    for syllable, note in sung_notes(song):
        words, notes = lines.setdefault(syllable.onset.line, ([], []))
        if syllable.onset.first_in_word or not words:
            words.append(_pronounced(syllable.onset.word))
            index = 0
        else:
            index = notes[-1].syllable + 1
        notes.append(Note(note.start * seconds, note.end * seconds, float(note.pitch + 12 * shift),
                          len(words) - 1, index))
    return [Line(tuple(w), tuple(n)) for _, (w, n) in sorted(lines.items())]


class MidiTempo:
    """Ticks to seconds through a MIDI file's tempo map."""

    def __init__(self, midi: Any) -> None:
        changes = []
        for track in midi.tracks:
            tick = 0
            for msg in track:
                tick += msg.time
                if msg.type == "set_tempo":
                    changes.append((tick, msg.tempo))
        changes.sort()
        self.points = [(0, 0.0, 500_000)]
        for tick, tempo in changes:
            t0, s0, q0 = self.points[-1]
            self.points.append((tick, s0 + (tick - t0) * q0 / 1e6 / midi.ticks_per_beat, tempo))
        self.ppq = midi.ticks_per_beat

    def seconds(self, tick: int) -> float:
        t0, s0, q0 = next(p for p in reversed(self.points) if p[0] <= tick)
        return s0 + (tick - t0) * q0 / 1e6 / self.ppq


def _vocal_track(midi: Any) -> Any:
    """The track named Vocal, else the track with the most lyric events, or None."""
    named = [t for t in midi.tracks if any(m.type == "track_name" and m.name.strip().lower() in ("vocal", "vocals",
                                                                                                  "voice", "melody")
                                           for m in t)]
    if named:
        return named[0]
    counted = [(sum(m.type == "lyrics" for m in t), i) for i, t in enumerate(midi.tracks)]
    best = max(counted, default=(0, 0))
    return midi.tracks[best[1]] if best[0] else None


def lines_from_midi(midi: Any, *, shift: int = 0) -> tuple[list[Line], int | None]:
    """The sung lines of a mido MidiFile, and the MIDI channel of its Vocal track.

    Returns ([], None) when the file has no vocal track with lyric events.
    """
    track = _vocal_track(midi)
    if track is None:
        return [], None
    tempo = MidiTempo(midi)
    tick, channel = 0, None
    lyrics: dict[int, str] = {}
    notes: list[tuple[int, int, int]] = []
    sounding: dict[int, int] = {}
    for msg in track:
        tick += msg.time
        if msg.type == "lyrics":
            lyrics.setdefault(tick, msg.text)
        elif msg.type in ("note_on", "note_off"):
            channel = msg.channel if channel is None else channel
            if msg.note in sounding:
                begin = sounding.pop(msg.note)
                notes.append((begin, tick, msg.note))
            if msg.type == "note_on" and msg.velocity > 0:
                sounding[msg.note] = tick
    if not lyrics or not notes:
        return [], channel
    notes.sort()
    rp017 = any(text.endswith(" ") for text in lyrics.values())
    lines: list[Line] = []
    words: list = []
    sung: list[Note] = []
    pieces: list[str] = []
    open_word = False
    last_end = None
    for begin, end, pitch in notes:
        start, stop = tempo.seconds(begin), tempo.seconds(end)
        text = lyrics.get(begin)
        if last_end is not None and start - last_end > _PHRASE_GAP and sung:
            if pieces:
                words.append(_pronounced("".join(pieces)))
                pieces, open_word = [], False
            lines.append(Line(tuple(words), tuple(sung)))
            words, sung = [], []
        last_end = stop
        clean = (text or "").strip().strip("/\\").strip()
        if not clean or clean in _MELISMA:
            if sung:  # melisma: the syllable before goes on
                sung.append(Note(start, stop, float(pitch + 12 * shift), sung[-1].word, sung[-1].syllable))
            continue
        if not open_word and pieces:
            words.append(_pronounced("".join(pieces)))
            pieces = []
        index = len(pieces)
        pieces.append(clean.rstrip("-").strip().strip(",.!?;:\"()"))
        sung.append(Note(start, stop, float(pitch + 12 * shift), len(words), index))
        ends = (text or "").endswith((" ", "\r", "\n", "/", "\\")) or clean[-1:] in ",.!?;:"
        open_word = clean.endswith("-") if not rp017 else not ends
    if pieces:
        words.append(_pronounced("".join(pieces)))
    if sung:
        lines.append(Line(tuple(words), tuple(sung)))
    return lines, channel


def pitches(lines: list[Line]) -> tuple[int, ...]:
    """Every sung pitch, as MIDI note numbers."""
    return tuple(int(round(n.pitch)) for line in lines for n in line.notes)
