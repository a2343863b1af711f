"""One libfluidsynth synth (through pyfluidsynth) playing one segment of a song onto a tape.

We read the MIDI file with mido and drive the synth ourselves, event by event.
Ticks become samples through the tempo map in integer arithmetic, so nothing
drifts; libfluidsynth applies an event at the start of its next 64-frame block,
as its own player does (within 1.45 ms at 44.1 kHz). Every channel that plays
gets a preset before its first note (bank 128 on channel 10); program changes,
controllers (volume, pan, expression, sustain, effect sends...), pitch bend and
aftertouch are passed on. Release and reverb tails are kept, then trimmed where
they fall 60 dB under the peak, with a short fade.

``fluidsynth`` is imported only when rendering, so composing MIDI stays light. The synth's
effects come from the genre (:mod:`composer.effects`).

"""

from __future__ import annotations

import contextlib
import io
import sys
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from ..children import captured_stderr
from ..effects import Effects
from ..errors import RenderError
from .tape import Tape
from .timeline import BEND, CC, CPRESS, KPRESS, OFF, ON, PROGRAM, Event

__all__ = ["Job", "play_segment", "load_fluidsynth"]


_SILENT = 1e-6  # a synth block under this (-120 dBFS) ends a segment's tail
_BLOCK = 4096  # frames rendered between checks that a tail has died away
_PLAY = 8192  # frames a synth plays into its own buffer before writing them to the tape
class Job(NamedTuple):
    """One synth's share of the song: the notes starting in [start, split)."""

    font: str
    effects: Effects
    sample_rate: int
    channels: tuple[int, ...]  # channels to give a preset
    setup: list[Event]  # controllers sent before ``start``, replayed first
    events: list[Event]
    start: int
    split: int  # frames from here on are this segment's tail, returned apart
    cap: int  # the song's last frame: the MIDI plus TAIL_SECONDS
    tail_at: int  # where on the tape this segment's tail (its frames from ``split`` on) is written
    eq: np.ndarray | None = None  # second-order sections to filter the segment with, as it ends


_IMPORT = threading.Lock()  # the first import, one thread at a time: its stdout is redirected


def load_fluidsynth() -> Any:
    """Import pyfluidsynth, or explain how to install libfluidsynth."""
    from ..extras import require
    require("audio", error=RenderError)
    try:
        with _IMPORT:  # pyfluidsynth prints where it found the library when $CI is set: not on our stdout
            first = "fluidsynth" not in sys.modules
            with contextlib.redirect_stdout(io.StringIO()) if first else contextlib.nullcontext():
                import fluidsynth
    except (ImportError, OSError) as err:
        raise RenderError(f"cannot load libfluidsynth through pyfluidsynth ({err}); run make setup") from err
    return fluidsynth


def play_segment(job: Job, tape: Tape) -> int:
    """Play one segment onto ``tape``: frames before ``job.split`` at their place in the song, a
    few thousand at a time; the frames from ``job.split`` on (the tail that overlaps the next
    segment) at ``job.tail_at``.

    Returns the tail's length, for the caller to add it. With ``job.eq``, the segment, tail
    included, is filtered from a zero state at its start: filters are linear
    and time-invariant, so the filtered segments sum to the filtered song.
    """
    from ctypes import c_int, c_void_p

    fl = load_fluidsynth()
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
        last_note = max((i for i, e in enumerate(job.events) if e[2] <= ON), default=-1)
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
        from ..iir import sosfilt_pieces

        sosfilt_pieces(job.eq, [tape.view(job.start, min(pos, job.split)),
                                tape.view(job.tail_at, job.tail_at + tail)])
    return tail


def _sender(fl: Any, handle: int) -> Callable[[Event], Any]:
    """A function that sends one event to the synth ``handle``."""
    from ctypes import c_int, c_void_p

    synth, chan, val = ("synth", c_void_p, 1), ("chan", c_int, 1), ("val", c_int, 1)
    cpress = fl.cfunc("fluid_synth_channel_pressure", c_int, synth, chan, val)
    kpress = fl.cfunc("fluid_synth_key_pressure", c_int, synth, chan, ("key", c_int, 1), val)
    calls: dict[int, Callable[[int, int, int], Any]] = {
        ON: lambda c, a, b: fl.fluid_synth_noteon(handle, c, a, b),
        OFF: lambda c, a, b: fl.fluid_synth_noteoff(handle, c, a),
        CC: lambda c, a, b: fl.fluid_synth_cc(handle, c, a, b),
        PROGRAM: lambda c, a, b: fl.fluid_synth_program_change(handle, c, a),
        BEND: lambda c, a, b: fl.fluid_synth_pitch_bend(handle, c, a),
        CPRESS: lambda c, a, b: cpress and cpress(handle, c, a),
        KPRESS: lambda c, a, b: kpress and kpress(handle, c, a, b),
    }
    return lambda event: calls[event[2]](*event[3:])
