"""A MIDI file as a timeline: every event timed in samples through the tempo map, in integer arithmetic.

Reading refuses what no song needs (longer than :data:`MAX_MIDI_SECONDS`, more than
:data:`MAX_MIDI_NOTES` notes, a file over :data:`MAX_MIDI_BYTES`, SMPTE or zero timing, type 2)
before any audio is allocated, with one :class:`~composer.errors.RenderError` line.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import RenderError

__all__ = ["Score", "Event", "read_score", "midi_title", "midi_name", "read_regular_file", "MAX_MIDI_SECONDS",
           "MAX_MIDI_NOTES", "MAX_MIDI_BYTES", "OFF", "ON", "PROGRAM", "CC", "BEND", "CPRESS", "KPRESS"]


MAX_MIDI_SECONDS = 20 * 60
"""The longest MIDI file rendered, in seconds (from its start to its last event): longer than
any song, and checked before any audio is allocated (a longer one is a RenderError, exit 4)."""

MAX_MIDI_NOTES = 50_000
"""The most notes in a MIDI file rendered (a 3-minute song has about 1,200; 15 minutes, 6,000)."""

MAX_MIDI_BYTES = 16 << 20
"""The largest MIDI file read (a 3-minute song is about 30 kB)."""


OFF, ON, PROGRAM, CC, BEND, CPRESS, KPRESS = range(7)  # event kinds; the order at one sample
Event = tuple[int, int, int, int, int, int]  # (sample, sequence, kind, channel, a, b)


class Score(NamedTuple):
    """A MIDI file timed in samples."""

    notes: list[tuple[int, int, int, int, int, int, int]]  # start, end, chan, key, vel, on seq, off seq
    controls: list[Event]
    length: int  # frames up to the last MIDI event (end of track included)


def read_score(midi: bytes | str | Path, sample_rate: int) -> Score:
    """Parse ``midi`` with mido and time every event in samples (system exclusive is ignored)."""
    import mido

    raw = midi if isinstance(midi, bytes) else read_regular_file(Path(midi))
    if len(raw) > MAX_MIDI_BYTES:
        raise RenderError(f"the MIDI file is over {MAX_MIDI_BYTES >> 20} MB, more than any song: {midi_name(midi)}")
    try:
        song = mido.MidiFile(file=io.BytesIO(raw))
    except (OSError, EOFError, ValueError, KeyError, IndexError, TypeError) as err:
        raise RenderError(f"not a readable MIDI file ({err or type(err).__name__}): {midi_name(midi)}") from err
    if song.type == 2:
        raise RenderError(f"type 2 MIDI files (independent sequences) are not supported: {midi_name(midi)}")
    if not 0 < song.ticks_per_beat < 0x8000:
        what = "SMPTE time code" if song.ticks_per_beat < 0 or song.ticks_per_beat >= 0x8000 else "0 ticks per beat"
        raise RenderError(f"the MIDI file's timing ({what}) is not supported; "
                          f"it needs 1..32767 ticks per beat: {midi_name(midi)}")
    limit = MAX_MIDI_SECONDS * song.ticks_per_beat * 1_000_000  # elapsed (ticks x microseconds per beat) cap
    merged = sorted(((tick, number, index, msg) for number, track in enumerate(song.tracks)
                     for index, (tick, msg) in enumerate(_absolute(track))), key=lambda item: item[:3])
    scale = song.ticks_per_beat * 1_000_000  # sample = (tick x microseconds per beat) x rate / scale
    last = elapsed = 0
    tempo = 500_000
    notes, controls = [], []
    sounding: dict[Any, Any] = {}
    for seq, (tick, _, _, msg) in enumerate(merged):
        elapsed += (tick - last) * tempo
        last = tick
        if elapsed > limit:
            raise RenderError(f"the MIDI file lasts more than {MAX_MIDI_SECONDS // 60} minutes, the longest "
                              f"Songgram renders (an event at {elapsed / limit * MAX_MIDI_SECONDS / 60:.1f} "
                              f"minutes): {midi_name(midi)}")
        at = (elapsed * sample_rate * 2 + scale) // (2 * scale)
        kind = msg.type
        if kind == "set_tempo":
            tempo = msg.tempo
        elif kind in ("note_on", "note_off"):
            key = (msg.channel, msg.note)
            if key in sounding:  # a note-off, or a re-strike, which releases the sounding note
                begin, velocity, on_seq = sounding.pop(key)
                notes.append((begin, at, *key, velocity, on_seq, seq))
            if kind == "note_on" and msg.velocity > 0:
                sounding[key] = (at, msg.velocity, seq)
        elif kind == "program_change":
            controls.append((at, seq, PROGRAM, msg.channel, msg.program, 0))
        elif kind == "control_change":
            controls.append((at, seq, CC, msg.channel, msg.control, msg.value))
        elif kind == "pitchwheel":
            controls.append((at, seq, BEND, msg.channel, msg.pitch + 8192, 0))
        elif kind == "aftertouch":
            controls.append((at, seq, CPRESS, msg.channel, msg.value, 0))
        elif kind == "polytouch":
            controls.append((at, seq, KPRESS, msg.channel, msg.note, msg.value))
    length = (elapsed * sample_rate * 2 + scale) // (2 * scale)
    if len(notes) + len(sounding) > MAX_MIDI_NOTES:
        raise RenderError(f"the MIDI file has {len(notes) + len(sounding)} notes, more than the "
                          f"{MAX_MIDI_NOTES} Songgram renders: {midi_name(midi)}")
    for (chan, key), (begin, velocity, on_seq) in sounding.items():  # never released: end with the file
        notes.append((begin, length, chan, key, velocity, on_seq, len(merged)))
    notes.sort()
    return Score(notes, controls, length)


def midi_title(midi: bytes | str | Path) -> str:
    """The MIDI file's sequence name: the first track's name (in a type 1 file, the conductor's;
    the other tracks' names are their instruments), or "" when it has none.

    Names are read as UTF-8 where they are (ours are), else as Latin-1 (the MIDI default).
    A file that is not MIDI has no name here: rendering it says what is wrong.

    Raises:
        RenderError: no file at ``midi``, or not a regular file.
    """
    import mido

    raw = midi if isinstance(midi, bytes) else read_regular_file(Path(midi))
    try:
        song = mido.MidiFile(file=io.BytesIO(raw)) if len(raw) <= MAX_MIDI_BYTES else None
    except (OSError, EOFError, ValueError, KeyError, IndexError, TypeError):
        song = None
    for msg in song.tracks[0] if song is not None and song.tracks else []:
        if msg.type == "track_name" and msg.name.strip():
            try:
                return msg.name.encode("latin-1").decode("utf-8").strip()
            except (UnicodeEncodeError, UnicodeDecodeError):
                return msg.name.strip()
    return ""


def read_regular_file(path: Path) -> bytes:
    """The bytes of ``path``, which must be a regular file (a FIFO or a device never blocks us)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise RenderError(f"MIDI file not found: {path}") from None
    except OSError as err:
        raise RenderError(f"cannot read the MIDI file {path}: {err.strerror or err}") from err
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise RenderError(f"not a MIDI file: {path} is not a regular file")
        try:
            return handle.read(MAX_MIDI_BYTES + 1)
        except OSError as err:
            raise RenderError(f"cannot read the MIDI file {path}: {err.strerror or err}") from err


def _absolute(track: Any) -> list[tuple[int, Any]]:
    tick, timed = 0, []
    for msg in track:
        tick += msg.time
        timed.append((tick, msg))
    return timed


def midi_name(midi: bytes | str | Path) -> str:
    return "<MIDI bytes>" if isinstance(midi, bytes) else str(midi)
