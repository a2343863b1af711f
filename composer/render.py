"""MIDI to audio through libfluidsynth (pyfluidsynth), in parallel, then mastered.

We read the MIDI file with mido and drive the synth ourselves, event by event.
Ticks become samples through the tempo map in integer arithmetic, so nothing
drifts; libfluidsynth applies an event at the start of its next 64-frame block,
as its own player does (within 1.45 ms at 44.1 kHz). Every channel that plays
gets a preset before its first note (bank 128 on channel 10); program changes,
controllers (volume, pan, expression, sustain, effect sends...), pitch bend and
aftertouch are passed on. Release and reverb tails are kept, then trimmed where
they fall 60 dB under the peak, with a short fade.

Speed: the song is cut in time into segments (one per 20 s of music, at most
4: fixed by the song, never by the core count, so the bytes are the same on
any machine), balanced by an estimate of the work its notes make, and each
segment is played by its own synth in a forked process (as many at once as
there are cores), writing a few thousand frames at a time onto one shared
:class:`~composer.tape.Tape` (an unlinked temporary file: memory does not grow
with the song, and every later pass reads it a block at a time). A segment's synth
replays the controllers sent before it, then plays the notes that *start* in
it to their end, tails included; tails that cross into the next segment are
added there. Voices and effects are linear, so the segments sum to the
single-synth render, level for level (tests hold every second to 0.5 dB; we
measure 0.1 dB at most). The waveforms differ where the reverb and chorus,
which slowly modulate their delays, start their modulation at the segment
rather than at the top of the song (20-35 dB under the music, with the same
notes and levels; playing silence up to the segment would align them, to
70 dB under, for 8% more work), and where a note re-strikes a key whose
previous note, in the segment before, is still releasing (one synth cuts that
release short). For :func:`render_file`, each synth also applies the master's
bus EQ to its own segment, tail included, once it has played it: the filter
is linear and time-invariant and each segment starts from silence, so the
filtered segments sum to the filtered song, and the EQ runs on every core
instead of after the synths. Samples are loaded on demand
(``synth.dynamic-sample-loading``): a synth reads only the presets it plays.

``fluidsynth`` is imported only when rendering, so composing MIDI stays light. The synth's
effects come from the genre (:mod:`composer.effects`).
"""

from __future__ import annotations

import errno
import io
import multiprocessing
import os
import stat
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .children import become_child, captured_stderr, signals_blocked
from .effects import Effects
from .errors import RenderError
from .soundfonts import SoundFont, resolve_soundfont
from .tape import Tape, TapeView, blocks, peak

__all__ = ["Effects", "Overdub", "RenderReport", "midi_to_audio", "midi_title", "render_file", "resolve_soundfont",
           "TAIL_SECONDS", "MAX_MIDI_SECONDS", "MAX_MIDI_NOTES", "MAX_MIDI_BYTES"]

TAIL_SECONDS = 4.0
"""The longest tail kept after the MIDI ends (release and reverb)."""

MAX_MIDI_SECONDS = 20 * 60
"""The longest MIDI file rendered, in seconds (from its start to its last event): longer than
any song, and checked before any audio is allocated (a longer one is a RenderError, exit 4)."""

MAX_MIDI_NOTES = 50_000
"""The most notes in a MIDI file rendered (a 3-minute song has about 1,200; 15 minutes, 6,000)."""

MAX_MIDI_BYTES = 16 << 20
"""The largest MIDI file read (a 3-minute song is about 30 kB)."""

_FADE_SECONDS = 0.1  # fade after the tail falls 60 dB under the peak
_CAP_FADE_SECONDS = 1.0  # longer fade when the tail is still audible at TAIL_SECONDS
_TRIM_DB = -60.0
_SILENT = 1e-6  # a synth block under this (-120 dBFS) ends a segment's tail
_BLOCK = 4096  # frames rendered between checks that a tail has died away
_PLAY = 8192  # frames a synth plays into its own buffer before writing them to the tape
_SEGMENT_SECONDS = 20.0  # the song is cut into one segment per this much music...
_MAX_SEGMENTS = 4  # ... at most this many: fixed by the song, never by the number of cores
_EFFECTS_COST = 3.0  # per frame, a synth (reverb, chorus, mixing) costs about what 3 voices do (measured)

_OFF, _ON, _PROGRAM, _CC, _BEND, _CPRESS, _KPRESS = range(7)  # event kinds; the order at one sample
_Event = tuple[int, int, int, int, int, int]  # (sample, sequence, kind, channel, a, b)


class _Score(NamedTuple):
    """A MIDI file timed in samples."""

    notes: list[tuple[int, int, int, int, int, int, int]]  # start, end, chan, key, vel, on seq, off seq
    controls: list[_Event]
    length: int  # frames up to the last MIDI event (end of track included)


class _Job(NamedTuple):
    """One synth's share of the song: the notes starting in [start, split)."""

    font: str
    effects: Effects
    sample_rate: int
    channels: tuple[int, ...]  # channels to give a preset
    setup: list[_Event]  # controllers sent before ``start``, replayed first
    events: list[_Event]
    start: int
    split: int  # frames from here on are this segment's tail, returned apart
    cap: int  # the song's last frame: the MIDI plus TAIL_SECONDS
    tail_at: int  # where on the tape this segment's tail (its frames from ``split`` on) is written
    eq: np.ndarray | None = None  # second-order sections to filter the segment with, as it ends


def _read_midi(midi: bytes | str | Path, sample_rate: int) -> _Score:
    """Parse ``midi`` with mido and time every event in samples (system exclusive is ignored)."""
    import mido

    raw = midi if isinstance(midi, bytes) else _read_regular_file(Path(midi))
    if len(raw) > MAX_MIDI_BYTES:
        raise RenderError(f"the MIDI file is over {MAX_MIDI_BYTES >> 20} MB, more than any song: {_name(midi)}")
    try:
        song = mido.MidiFile(file=io.BytesIO(raw))
    except (OSError, EOFError, ValueError, KeyError, IndexError, TypeError) as err:
        raise RenderError(f"not a readable MIDI file ({err or type(err).__name__}): {_name(midi)}") from err
    if song.type == 2:
        raise RenderError(f"type 2 MIDI files (independent sequences) are not supported: {_name(midi)}")
    if not 0 < song.ticks_per_beat < 0x8000:
        what = "SMPTE time code" if song.ticks_per_beat < 0 or song.ticks_per_beat >= 0x8000 else "0 ticks per beat"
        raise RenderError(f"the MIDI file's timing ({what}) is not supported; "
                          f"it needs 1..32767 ticks per beat: {_name(midi)}")
    limit = MAX_MIDI_SECONDS * song.ticks_per_beat * 1_000_000  # elapsed (ticks x microseconds per beat) cap
    merged = sorted(((tick, number, index, msg) for number, track in enumerate(song.tracks)
                     for index, (tick, msg) in enumerate(_absolute(track))), key=lambda item: item[:3])
    scale = song.ticks_per_beat * 1_000_000  # sample = (tick x microseconds per beat) x rate / scale
    last = elapsed = 0
    tempo = 500_000
    notes, controls, sounding = [], [], {}
    for seq, (tick, _, _, msg) in enumerate(merged):
        elapsed += (tick - last) * tempo
        last = tick
        if elapsed > limit:
            raise RenderError(f"the MIDI file lasts more than {MAX_MIDI_SECONDS // 60} minutes, the longest "
                              f"Songgram renders (an event at {elapsed / limit * MAX_MIDI_SECONDS / 60:.1f} "
                              f"minutes): {_name(midi)}")
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
            controls.append((at, seq, _PROGRAM, msg.channel, msg.program, 0))
        elif kind == "control_change":
            controls.append((at, seq, _CC, msg.channel, msg.control, msg.value))
        elif kind == "pitchwheel":
            controls.append((at, seq, _BEND, msg.channel, msg.pitch + 8192, 0))
        elif kind == "aftertouch":
            controls.append((at, seq, _CPRESS, msg.channel, msg.value, 0))
        elif kind == "polytouch":
            controls.append((at, seq, _KPRESS, msg.channel, msg.note, msg.value))
    length = (elapsed * sample_rate * 2 + scale) // (2 * scale)
    if len(notes) + len(sounding) > MAX_MIDI_NOTES:
        raise RenderError(f"the MIDI file has {len(notes) + len(sounding)} notes, more than the "
                          f"{MAX_MIDI_NOTES} Songgram renders: {_name(midi)}")
    for (chan, key), (begin, velocity, on_seq) in sounding.items():  # never released: end with the file
        notes.append((begin, length, chan, key, velocity, on_seq, len(merged)))
    notes.sort()
    return _Score(notes, controls, length)


def midi_title(midi: bytes | str | Path) -> str:
    """The MIDI file's sequence name: the first track's name (in a type 1 file, the conductor's;
    the other tracks' names are their instruments), or "" when it has none.

    Names are read as UTF-8 where they are (ours are), else as Latin-1 (the MIDI default).
    A file that is not MIDI has no name here: rendering it says what is wrong.

    Raises:
        RenderError: no file at ``midi``, or not a regular file.
    """
    import mido

    raw = midi if isinstance(midi, bytes) else _read_regular_file(Path(midi))
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


def _read_regular_file(path: Path) -> bytes:
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


def _name(midi: bytes | str | Path) -> str:
    return "<MIDI bytes>" if isinstance(midi, bytes) else str(midi)


def _plan(score: _Score, *, font: SoundFont, effects: Effects, sample_rate: int,
          workers: int, channels: frozenset[int] | None, eq: np.ndarray | None = None) -> list[_Job]:
    """Cut the song into up to ``workers`` time segments of about equal synth work."""
    notes = [n for n in score.notes if channels is None or n[2] in channels]
    controls = [c for c in score.controls if channels is None or c[3] in channels]
    cap = score.length + round(TAIL_SECONDS * sample_rate)
    starts = [0] + [notes[i][0] // 64 * 64 for i in _split_points(notes, score.length, sample_rate, workers)]
    starts = sorted(set(starts))  # on libfluidsynth's 64-frame grid
    jobs = []
    tail_at = cap  # the tails follow the song on the tape, each in its own stretch
    for start, split in zip(starts, [*starts[1:], cap]):
        mine = [n for n in notes if start <= n[0] < split]
        events = [(s, on_seq, _ON, c, k, v) for s, _, c, k, v, on_seq, _ in mine]
        events += [(e, off_seq, _OFF, c, k, 0) for _, e, c, k, _, _, off_seq in mine]
        events += [c for c in controls if c[0] >= start]
        events.sort(key=lambda e: e[:3])
        setup = [c for c in controls if c[0] < start]
        if mine:
            jobs.append(_Job(str(font.path), effects, sample_rate, tuple(sorted({n[2] for n in notes})),
                             setup, events, start, split, cap, tail_at, eq))
            tail_at += cap - split
    return jobs


def _split_points(notes: list, length: int, sample_rate: int, workers: int) -> list[int]:
    """Indices of the notes that begin segments 2..workers, for about equal work per synth.

    A note keeps a voice busy for its length (at least 0.5 s: drums ring past
    their note-off; at most 6 s) plus its release; and a synth spends on each
    frame it plays (reverb, chorus, mixing) about what :data:`_EFFECTS_COST`
    voices cost.
    """
    if workers < 2 or len(notes) < 2:
        return []
    voice = np.array([min(max(end - start, sample_rate // 2), 6 * sample_rate) + sample_rate // 4
                      for start, end, *_ in notes], dtype=np.float64)
    work = np.concatenate([[0.0], np.cumsum(voice)])[:-1] + _EFFECTS_COST * np.array([n[0] for n in notes])
    total = work[-1] + voice[-1] + _EFFECTS_COST * (length - notes[-1][0])
    points = np.searchsorted(work, total * np.arange(1, workers) / workers)
    return sorted({int(i) for i in points if 0 < i < len(notes)})


def _fluidsynth() -> Any:
    """Import pyfluidsynth, or explain how to install libfluidsynth."""
    from .extras import require
    require("audio", error=RenderError)
    try:
        import fluidsynth
    except (ImportError, OSError) as err:
        raise RenderError(f"cannot load libfluidsynth through pyfluidsynth ({err}); run make setup") from err
    return fluidsynth


def _render_job(job: _Job, tape: Tape) -> int:
    """Play one segment onto ``tape``: frames before ``job.split`` at their place in the song, a
    few thousand at a time; the frames from ``job.split`` on (the tail that overlaps the next
    segment) at ``job.tail_at``.

    Returns the tail's length, for the caller to add it. With ``job.eq``, the segment, tail
    included, is filtered from a zero state at its start: filters are linear
    and time-invariant, so the filtered segments sum to the filtered song.
    """
    from ctypes import c_int, c_void_p

    fl = _fluidsynth()
    write = fl.cfunc("fluid_synth_write_float", c_int, ("synth", c_void_p, 1), ("len", c_int, 1),
                     ("lout", c_void_p, 1), ("loff", c_int, 1), ("lincr", c_int, 1),
                     ("rout", c_void_p, 1), ("roff", c_int, 1), ("rincr", c_int, 1))
    quiet = fl.cfunc("fluid_set_log_function", c_void_p, ("level", c_int, 1), ("fun", c_void_p, 1),
                     ("data", c_void_p, 1))
    for level in range(5):  # no messages from libfluidsynth on stderr: failures raise RenderError
        quiet(level, None, None)
    fx = job.effects
    synth = fl.Synth(gain=fx.gain, samplerate=float(job.sample_rate), channels=16,
                     **{"synth.dynamic-sample-loading": 1, "synth.threadsafe-api": 0})
    try:
        with captured_stderr() as noise:  # libinstpatch prints CRITICAL lines on a broken font
            sfid = synth.sfload(job.font)
        if sfid < 0:
            said = f" (it said: {noise()})" if noise() else ""
            raise RenderError(f"libfluidsynth cannot load the SoundFont {job.font}, a broken file?{said}; "
                              "pass another font, or run make setup to reinstall ours")
        synth.set_reverb(fx.reverb_room, fx.reverb_damping, fx.reverb_width, fx.reverb_level)
        synth.set_chorus(fx.chorus_voices, fx.chorus_level, fx.chorus_speed, fx.chorus_depth, 0)
        handle, send = synth.synth, _sender(fl, synth.synth)
        for chan in job.channels:  # every channel sounds, program change or not
            if (synth.program_select(chan, sfid, 128 if chan == 9 else 0, 0) < 0
                    and synth.program_select(chan, sfid, 0, 0) < 0):
                raise RenderError(f"the SoundFont {job.font} has no preset for MIDI channel {chan + 1}")
            fl.fluid_synth_cc(handle, chan, 91, fx.reverb_send)  # the MIDI's own controllers come after
            fl.fluid_synth_cc(handle, chan, 93, fx.chorus_send)
        for event in job.setup:
            send(event)
        buffer = np.empty((_PLAY, 2), dtype=np.float32)  # what the synth plays, before the tape
        ptr = buffer.ctypes.data
        pos = job.start

        def play_to(target: int, watch: bool = False) -> float:
            """Play up to ``target``; with ``watch``, returns the largest |sample| played on the side
            of ``job.split`` where it stopped (the segment, or its tail)."""
            nonlocal pos
            loudest = [0.0, 0.0]  # before the split, after it
            while pos < target:
                count = min(_PLAY, (min(target, job.split) if pos < job.split else target) - pos)
                write(handle, count, ptr, 0, 2, ptr, 1, 2)  # libfluidsynth's blocks run on across calls
                played = buffer[:count]
                after = pos >= job.split
                tape.write(job.tail_at + pos - job.split if after else pos, played)
                if watch:
                    loudest[after] = max(loudest[after], float(played.max()), -float(played.min()))
                pos += count
            return loudest[pos > job.split]

        active = fl.fluid_synth_get_active_voice_count
        last_note = max((i for i, e in enumerate(job.events) if e[2] <= _ON), default=-1)
        for index, event in enumerate(job.events):
            if index > last_note and active(handle) == 0:
                break  # our notes are over; later controllers change nothing we play
            play_to(min(event[0], job.cap))
            send(event)
        while pos < job.cap:  # the tail: voices releasing, then the reverb dying away
            loudest = play_to(min(job.cap, pos + _BLOCK), watch=True)
            if active(handle) == 0 and loudest < _SILENT:
                break
    finally:
        synth.delete()
    tail = max(0, pos - job.split)
    if job.eq is not None:  # a chunk at a time, through the tape
        from .iir import sosfilt_pieces

        sosfilt_pieces(job.eq, [tape.view(job.start, min(pos, job.split)),
                                tape.view(job.tail_at, job.tail_at + tail)])
    return tail


def _sender(fl: Any, handle: int) -> Callable[[_Event], Any]:
    """A function that sends one event to the synth ``handle``."""
    from ctypes import c_int, c_void_p

    synth, chan, val = ("synth", c_void_p, 1), ("chan", c_int, 1), ("val", c_int, 1)
    cpress = fl.cfunc("fluid_synth_channel_pressure", c_int, synth, chan, val)
    kpress = fl.cfunc("fluid_synth_key_pressure", c_int, synth, chan, ("key", c_int, 1), val)
    calls: dict[int, Callable[[int, int, int], Any]] = {
        _ON: lambda c, a, b: fl.fluid_synth_noteon(handle, c, a, b),
        _OFF: lambda c, a, b: fl.fluid_synth_noteoff(handle, c, a),
        _CC: lambda c, a, b: fl.fluid_synth_cc(handle, c, a, b),
        _PROGRAM: lambda c, a, b: fl.fluid_synth_program_change(handle, c, a),
        _BEND: lambda c, a, b: fl.fluid_synth_pitch_bend(handle, c, a),
        _CPRESS: lambda c, a, b: cpress and cpress(handle, c, a),
        _KPRESS: lambda c, a, b: kpress and kpress(handle, c, a, b),
    }
    return lambda event: calls[event[2]](*event[3:])


def _child(job: _Job, tape: Tape, conn: Any, parent: int, others: list[Any]) -> None:
    """Process body: play ``job`` onto the shared ``tape``, send its tail's length through ``conn``.

    It dies with ``parent`` (:func:`composer.children.become_child`) and first
    closes the pipe ends it inherited but does not use (``others``, its own
    read end included), so a write to a pipe nobody reads fails rather than blocks.
    """
    become_child(parent)
    for end in others:
        end.close()
    try:
        tail = _render_job(job, tape)
    except OSError as err:  # the tape's disk is full, say: raised again as it is by the parent
        conn.send(("OSError", err.errno or errno.EIO, err.strerror or str(err)))
    except Exception as err:  # noqa: BLE001 - reported to the parent, which raises RenderError
        conn.send(str(err) if isinstance(err, RenderError) else f"{type(err).__name__}: {err}")
    else:
        conn.send(tail)
    finally:
        conn.close()


def _render_processes(jobs: list[_Job], tape: Tape, meanwhile: Callable[[], Any] | None,
                      workers: int) -> list[int]:
    """Play ``jobs`` in forked processes, at most ``workers`` at a time, onto one shared tape.

    ``meanwhile`` runs in a thread of this process while they play.
    Returns the length of each job's tail, in the jobs' order.
    """
    from multiprocessing.connection import wait

    context = multiprocessing.get_context("fork")
    waiting = list(enumerate(jobs))
    running: dict[Any, tuple[int, _Job, Any]] = {}  # read end -> (index, job, process)

    def launch() -> None:
        index, job = waiting.pop(0)
        receive, send = context.Pipe(duplex=False)
        others = [receive, *running]
        process = context.Process(target=_child, args=(job, tape, send, os.getpid(), others), daemon=True)
        with signals_blocked():  # a Ctrl-C waits until the child has set it aside
            process.start()
        send.close()
        running[receive] = (index, job, process)

    helper = threading.Thread(target=meanwhile, daemon=True) if meanwhile else None
    tails: dict[int, int] = {}
    error: str | OSError | None = None
    try:
        while waiting and len(running) < workers:
            launch()
        if helper:
            helper.start()
        while running:
            for receive in wait(list(running)):
                index, job, process = running.pop(receive)
                try:
                    message = receive.recv()
                    if isinstance(message, str):
                        error = error or message
                    elif isinstance(message, tuple):
                        error = error or OSError(message[1], message[2])
                    else:
                        tails[index] = message
                except (EOFError, OSError) as err:
                    error = error or f"a synth process stopped without finishing ({err or 'no output'})"
                receive.close()
                process.join()
                if waiting and not error:
                    launch()
    finally:
        for receive, (_, _, process) in running.items():  # interrupted or failed: stop the synths now
            receive.close()
            process.kill()
            process.join()
        if helper is not None and helper.ident is not None:  # started
            helper.join()
    if isinstance(error, OSError):
        raise error
    if error:
        raise RenderError(error)
    return [tails[i] for i in range(len(jobs))]


def _render_threads(jobs: list[_Job], tape: Tape, meanwhile: Callable[[], Any] | None,
                    workers: int) -> list[int]:
    """As :func:`_render_processes`, in threads (libfluidsynth plays with the GIL released)."""
    with ThreadPoolExecutor(max_workers=workers + 1) as pool:
        helper = pool.submit(meanwhile) if meanwhile else None
        futures = [pool.submit(_render_job, job, tape) for job in jobs]
        tails = [future.result() for future in futures]
        if helper:
            helper.result()
    return tails


def midi_to_audio(midi: bytes | str | Path, *, soundfont: SoundFont | None = None,
                  effects: Effects = Effects(), sample_rate: int = 44100,
                  workers: int | None = None, channels: set[int] | None = None) -> np.ndarray:
    """Render a General MIDI file to stereo audio (not mastered).

    Args:
        midi: the MIDI file's bytes, or its path.
        soundfont: the font (default: the catalog's default font).
        effects: reverb, chorus and gain.
        sample_rate: frames per second.
        workers: synth processes playing at once; None uses every core, 1
            plays here, one segment after another. The segments themselves
            (one per 20 s of music, at most 4) depend only on the song, so the
            audio is the same bytes whatever ``workers`` and the core count.
        channels: play only these channels (0-based, 9 is the drums), as for stems.

    Returns:
        float32 array of shape (frames, 2): the MIDI's length plus a tail of
        at most :data:`TAIL_SECONDS`, ending in a short fade.

    Raises:
        RenderError: unreadable MIDI, no notes, libfluidsynth missing, or a
            font it cannot load.
    """
    audio = _render(midi, soundfont=soundfont, effects=effects, sample_rate=sample_rate,
                    workers=workers, channels=channels)
    try:
        return audio[:]
    finally:
        audio.tape.close()


def _render(midi: bytes | str | Path, *, soundfont: SoundFont | None, effects: Effects, sample_rate: int,
            workers: int | None, channels: set[int] | None = None,
            meanwhile: Callable[[], Any] | None = None, eq: np.ndarray | None = None,
            folder: Path | None = None) -> TapeView:
    """:func:`midi_to_audio` onto a tape (in ``folder``), running ``meanwhile`` in a thread while
    the synths play; the caller closes the view's tape.

    With ``eq`` (second-order sections), each synth filters its own segment
    as it ends, in parallel, and the tail is trimmed after the filter.

    Raises:
        RenderError: as for :func:`midi_to_audio`.
        OSError: the tape cannot be written (a full disk).
    """
    font = soundfont if soundfont is not None else resolve_soundfont()
    score = _read_midi(midi, sample_rate)
    segments = min(_MAX_SEGMENTS, max(1, round(score.length / sample_rate / _SEGMENT_SECONDS)))
    jobs = _plan(score, font=font, effects=effects, sample_rate=sample_rate, workers=segments,
                 channels=None if channels is None else frozenset(channels), eq=eq)
    if not jobs:
        raise RenderError(f"the MIDI file has no notes to play: {_name(midi)}")
    _fluidsynth()  # fails here, before any process starts, if the library is missing
    workers = max(1, min(len(jobs), workers if workers is not None else os.cpu_count() or 1))
    tape = Tape(max(job.tail_at + job.cap - job.split for job in jobs), folder=folder)
    try:
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            tails = _render_processes(jobs, tape, meanwhile, workers)
        else:
            tails = _render_threads(jobs, tape, meanwhile, workers)
        out = tape.view(0, jobs[0].cap)
        for job, length in zip(jobs, tails):  # in the jobs' order, as the sums always were
            tail = tape.view(job.tail_at, job.tail_at + length)
            for part in blocks(length):
                out[job.split + part.start:job.split + part.stop] += tail[part]
        return _trim(out, length=score.length, sample_rate=sample_rate)
    except BaseException:
        tape.close()
        raise


def _trim(audio: TapeView, *, length: int, sample_rate: int) -> TapeView:
    """Cut the tail where it falls 60 dB under the peak, ending in a short fade.

    Works in place, a block at a time; returns a view of ``length`` frames
    (the MIDI) plus the audible part of the tail, at most up to the end of ``audio``.
    """
    loudest = peak(audio)
    if loudest == 0.0:
        return audio.tape.view(audio.start, audio.start + length)
    last = -1  # the last frame of the tail over the threshold
    for part in blocks(len(audio) - length):
        tail = audio[length + part.start:length + part.stop]
        loud = np.flatnonzero(np.maximum(tail.max(axis=1), -tail.min(axis=1)) > loudest * 10 ** (_TRIM_DB / 20))
        if loud.size:
            last = part.start + int(loud[-1])
    stop = length + last + 1
    fade = round(_FADE_SECONDS * sample_rate)
    if stop + fade >= len(audio):  # still audible at the cap: a longer fade, to the cap
        stop, fade = len(audio), round(_CAP_FADE_SECONDS * sample_rate)
    else:
        stop += fade
    fade = min(fade, stop - length)
    if fade > 0:
        audio[stop - fade:stop] *= (0.5 + 0.5 * np.cos(np.linspace(0.0, np.pi, fade, dtype=np.float32)))[:, None]
    return audio.tape.view(audio.start, audio.start + stop)


@dataclass(frozen=True, slots=True)
class Overdub:
    """A pre-rendered part (the sung voice) mixed over the band before mastering.

    Attributes:
        make: returns the part, stereo float32 at the mix's rate from the top of
            the song; called in a forked process while the synths play (its
            working memory is freed when it ends).
        spans: (start, end) seconds where its loudness is matched against the band.
        level_lu: its loudness minus the band's over ``spans``.
        mute: MIDI channels the synths leave out (the instrument it replaces).
    """

    make: Callable[[], np.ndarray]
    spans: tuple[tuple[float, float], ...] = ()
    level_lu: float = 0.0
    mute: frozenset[int] = frozenset()


def _make_child(make: Callable[[], np.ndarray], conn: Any, parent: int, others: list[Any]) -> None:
    """Process body: make the overdub and send it through ``conn`` (shape, then bytes), or the error.

    Like a synth, it dies with ``parent`` (:func:`composer.children.become_child`) and closes the
    pipe ends it inherited but does not use.
    """
    become_child(parent)
    for end in others:
        end.close()
    try:
        part = np.ascontiguousarray(make(), dtype=np.float32)
    except Exception as err:  # noqa: BLE001 - reported to the parent, which raises RenderError
        conn.send(str(err) if isinstance(err, RenderError) else f"{type(err).__name__}: {err}")
    else:
        conn.send(part.shape)
        conn.send_bytes(part.reshape(-1))
    finally:
        conn.close()


def _make_apart(make: Callable[[], np.ndarray]) -> np.ndarray:
    """``make()`` in a forked process, so its working memory is returned to the system when it ends.

    Where fork is not available, in this process.

    Raises:
        RenderError: the process failed (its message), or stopped without an answer.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return make()
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_make_child, args=(make, send, os.getpid(), [receive]), daemon=True)
    with signals_blocked():  # a Ctrl-C waits until the child has set it aside
        process.start()
    send.close()
    try:
        message = receive.recv()
        if isinstance(message, str):
            raise RenderError(message)
        return np.frombuffer(receive.recv_bytes(), dtype=np.float32).reshape(message).copy()
    except (EOFError, OSError) as err:
        raise RenderError(f"the process making the sung part stopped without finishing ({err or 'no output'})") from err
    finally:
        receive.close()
        if process.is_alive():
            process.kill()
        process.join()


def _span_loudness(audio: np.ndarray, spans: list[tuple[int, int]], sample_rate: int) -> float:
    """BS.1770 integrated loudness of ``audio`` over ``spans`` (frames) taken together, without copying them."""
    import math

    from pyebur128 import MeasurementMode, R128State, get_loudness_global

    state = R128State(2, sample_rate, MeasurementMode.MODE_I)
    for a, b in spans:
        for part in blocks(b - a):  # a block at a time: the band is on a tape
            piece = np.ascontiguousarray(audio[a + part.start:a + part.stop], dtype=np.float32)
            state.add_frames(piece.reshape(-1), len(piece))
    lufs = float(get_loudness_global(state))
    return lufs if math.isfinite(lufs) and lufs > -70.0 else -math.inf


def _overdub(band: TapeView, part: np.ndarray, overdub: Overdub, sample_rate: int) -> float:
    """Mix ``part`` into ``band`` in place, ``overdub.level_lu`` over it in ``overdub.spans``; returns its gain.

    Where the part runs past the band's end, it is cut with a 50 ms fade.
    """
    frames = min(len(band), len(part))
    if len(part) > frames:
        fade = min(frames, sample_rate // 20)
        part = part[:frames]
        part[frames - fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)[:, None]
    spans = [(int(a * sample_rate), min(int(b * sample_rate), frames)) for a, b in overdub.spans]
    spans = [(a, b) for a, b in spans if b > a] or [(0, frames)]
    mine, theirs = _span_loudness(part, spans, sample_rate), _span_loudness(band, spans, sample_rate)
    if not (np.isfinite(mine) and np.isfinite(theirs)):
        whole = [(0, frames)]
        mine, theirs = _span_loudness(part, whole, sample_rate), _span_loudness(band, whole, sample_rate)
    gain = float(10 ** ((theirs + overdub.level_lu - mine) / 20)) if np.isfinite(mine) and np.isfinite(theirs) else 1.0
    step = 1 << 16
    for at in range(0, frames, step):  # in place, a block at a time: no song-long temporary
        stop = min(at + step, frames)
        band[at:stop] += part[at:stop] * np.float32(gain)
    return gain


@dataclass(frozen=True, slots=True)
class RenderReport:
    """What :func:`render_file` wrote.

    Attributes:
        paths: the files written, one per format, in the order asked.
        seconds: the audio's duration.
        lufs: integrated loudness of the master (ITU-R BS.1770, measured by libebur128).
        true_peak_dbtp: its true peak (4x oversampled), dBTP.
        soundfont: the font's name.
        license: the font's licence.
        overdub_gain: the gain the overdub was mixed in with (1.0 without one).
        overdub: the overdub as mixed (before the master), or None.
    """

    paths: tuple[Path, ...]
    seconds: float
    lufs: float
    true_peak_dbtp: float
    soundfont: str
    license: str
    overdub_gain: float = 1.0
    overdub: np.ndarray | None = None

    @property
    def path(self) -> Path:
        """The first file written."""
        return self.paths[0]


def render_file(midi_path: str | Path, out_path: str | Path, *, soundfont: SoundFont | str | None = None,
                effects: Effects = Effects(), formats: tuple[str, ...] = ("wav",), title: str = "",
                artist: str = "Songgram", workers: int | None = None, overdub: Overdub | None = None) -> RenderReport:
    """Render, master and write ``midi_path`` to ``out_path``, once per format.

    Each format's file is ``out_path`` with that format's suffix. Files are
    written under temporary names in the same folder and renamed into place
    only when all are complete: a failure leaves nothing half written.

    Args:
        midi_path: the General MIDI file.
        out_path: where to write (``song.wav``; ``song.flac`` for "flac"...).
        soundfont: a :class:`SoundFont`, or a spec for :func:`resolve_soundfont`.
        effects: reverb, chorus and gain.
        formats: any of "wav" (44.1 kHz 16-bit PCM), "flac", "ogg" (Vorbis),
            "opus" (Ogg Opus at 48 kHz) and "mp3".
        title: the title tag, in formats that have tags.
        artist: the artist tag.
        workers: as for :func:`midi_to_audio`.
        overdub: a part (the sung voice) made while the synths play and mixed
            over the band before mastering; the channels it mutes are not played.

    Raises:
        RenderError: the MIDI, the font or libfluidsynth cannot be used, the
            audio is silent, or a format cannot be written.
    """
    font = soundfont if isinstance(soundfont, SoundFont) else resolve_soundfont(soundfont)
    from .master import _write_error

    folder = Path(out_path).parent
    try:  # the song is on a tape in the song's own folder: it fills the disk the song would
        return _render_file(midi_path, Path(out_path), font=font, effects=effects, formats=formats, title=title,
                            artist=artist, workers=workers, overdub=overdub,
                            folder=folder if folder.is_dir() else None)
    except OSError as err:  # the tape's disk is full (write_audio turns its own errors into ours)
        from .audio_formats import AUDIO_FORMATS, audio_format

        first = formats[0] if formats and formats[0] in AUDIO_FORMATS else "wav"
        raise _write_error(Path(out_path).with_suffix(audio_format(first).suffix), err, 0) from err


def _render_file(midi_path: str | Path, out_path: Path, *, font: SoundFont, effects: Effects,
                 formats: tuple[str, ...], title: str, artist: str, workers: int | None,
                 overdub: Overdub | None, folder: Path | None) -> RenderReport:
    """:func:`render_file`, its tape in ``folder``."""
    from .master import SAMPLE_RATE, _bus_eq, _master, prepare, write_audio

    # the synths apply the bus EQ to their own segments; the other filters are built while they play
    made: list[np.ndarray] = []
    failed: list[BaseException] = []
    meanwhile: Callable[[], Any] = prepare
    if overdub is not None:
        def meanwhile() -> None:
            prepare()
            try:
                made.append(_make_apart(overdub.make))
            except BaseException as err:  # noqa: BLE001 - raised again in this thread, below
                failed.append(err)
    channels = None if overdub is None or not overdub.mute else set(range(16)) - set(overdub.mute)
    audio = _render(midi_path, soundfont=font, effects=effects, sample_rate=SAMPLE_RATE, workers=workers,
                    meanwhile=meanwhile, eq=_bus_eq(SAMPLE_RATE, effects.presence_db), channels=channels,
                    folder=folder)
    with audio.tape:
        return _master_file(audio, midi_path, out_path, font=font, formats=formats, title=title, artist=artist,
                            overdub=overdub, made=made, failed=failed)


def _master_file(audio: TapeView, midi_path: str | Path, out_path: Path, *, font: SoundFont,
                 formats: tuple[str, ...], title: str, artist: str, overdub: Overdub | None,
                 made: list[np.ndarray], failed: list[BaseException]) -> RenderReport:
    """The rest of :func:`render_file`, once the band is on its tape: the overdub, the master, the files."""
    from .master import SAMPLE_RATE, _master, write_audio

    gain, part = 1.0, None
    if overdub is not None:
        if failed:
            raise failed[0]
        if not made:
            raise RenderError("the sung part was not made")
        part = made[0]
        gain = _overdub(audio, part, overdub, SAMPLE_RATE)

    if not peak(audio) > 0:
        raise RenderError(f"the render of {midi_path} with {font.name} is silent; "
                          "the font may lack the instruments the song uses")
    written: list[tuple[Path, ...]] = []  # the files are written while the final loudness is measured
    figures = _master(audio, SAMPLE_RATE, equalised=True,  # in place: ``audio`` is ours
                      meanwhile=lambda: written.append(write_audio(out_path, audio, SAMPLE_RATE,
                                                                   formats=formats, title=title, artist=artist)))
    paths = written[0]
    return RenderReport(paths=paths, seconds=len(audio) / SAMPLE_RATE, lufs=figures.lufs,
                        true_peak_dbtp=figures.true_peak_dbtp, soundfont=font.name, license=font.license,
                        overdub_gain=gain, overdub=part)
