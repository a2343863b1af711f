"""Rendering in parallel: the song cut into time segments, each played by its own synth at once.

Speed: the song is cut in time into segments (one per 20 s of music, at most
4: fixed by the song, never by the core count, so the bytes are the same on
any machine), balanced by an estimate of the work its notes make, and each
segment is played by its own synth in a forked process (as many at once as
there are cores), writing a few thousand frames at a time onto one shared
:class:`~composer.audio.tape.Tape` (an unlinked temporary file: memory does not grow
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
release short). For :func:`~composer.audio.render.render_file`, each synth also applies the master's
bus EQ to its own segment, tail included, once it has played it: the filter
is linear and time-invariant and each segment starts from silence, so the
filtered segments sum to the filtered song, and the EQ runs on every core
instead of after the synths. Samples are loaded on demand
(``synth.dynamic-sample-loading``): a synth reads only the presets it plays.

:func:`render_segments` is where the concurrency is: the synths in forked processes
(or threads), and the caller's other work (the overdub, made by :func:`make_apart` in a process of
its own, or in the thread itself when the render has one worker) in a thread while they play.
"""

from __future__ import annotations

import errno
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, cast

import numpy as np

from ..children import become_child, signals_blocked
from ..effects import Effects
from ..errors import RenderError
from ..soundfonts import SoundFont, resolve_soundfont
from .synth import Job, load_fluidsynth, play_segment
from .tape import Tape, TapeView, blocks, peak
from .timeline import OFF, ON, Score, midi_name, read_score

__all__ = ["TAIL_SECONDS", "plan", "render_segments", "render_to_tape", "make_apart"]


TAIL_SECONDS = 4.0
"""The longest tail kept after the MIDI ends (release and reverb)."""

_FADE_SECONDS = 0.1  # fade after the tail falls 60 dB under the peak
_CAP_FADE_SECONDS = 1.0  # longer fade when the tail is still audible at TAIL_SECONDS
_TRIM_DB = -60.0
_SEGMENT_SECONDS = 20.0  # the song is cut into one segment per this much music...
_MAX_SEGMENTS = 4  # ... at most this many: fixed by the song, never by the number of cores
_EFFECTS_COST = 3.0  # per frame, a synth (reverb, chorus, mixing) costs about what 3 voices do (measured)

def plan(score: Score, *, font: SoundFont, effects: Effects, sample_rate: int,
          workers: int, channels: frozenset[int] | None, eq: np.ndarray | None = None) -> list[Job]:
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
        events = [(s, on_seq, ON, c, k, v) for s, _, c, k, v, on_seq, _ in mine]
        events += [(e, off_seq, OFF, c, k, 0) for _, e, c, k, _, _, off_seq in mine]
        events += [c for c in controls if c[0] >= start]
        events.sort(key=lambda e: e[:3])
        setup = [c for c in controls if c[0] < start]
        if mine:
            jobs.append(Job(str(font.path), effects, sample_rate, tuple(sorted({n[2] for n in notes})),
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


def _child(job: Job, tape: Tape, conn: Any, parent: int, others: list[Any]) -> None:
    """Process body: play ``job`` onto the shared ``tape``, send its tail's length through ``conn``.

    It dies with ``parent`` (:func:`composer.children.become_child`) and first
    closes the pipe ends it inherited but does not use (``others``, its own
    read end included), so a write to a pipe nobody reads fails rather than blocks.
    """
    become_child(parent)
    for end in others:
        end.close()
    try:
        tail = play_segment(job, tape)
    except OSError as err:  # the tape's disk is full, say: raised again as it is by the parent
        conn.send(("OSError", err.errno or errno.EIO, err.strerror or str(err)))
    except Exception as err:  # noqa: BLE001 - reported to the parent, which raises RenderError
        conn.send(str(err) if isinstance(err, RenderError) else f"{type(err).__name__}: {err}")
    else:
        conn.send(tail)
    finally:
        conn.close()


def render_segments(jobs: list[Job], tape: Tape, meanwhile: Callable[[], Any] | None, workers: int,
                    played: Callable[[int], None] | None = None) -> list[int]:
    """Play ``jobs`` onto ``tape``, at most ``workers`` at a time, running ``meanwhile`` in a thread
    of this process while they play; returns the length of each job's tail, in the jobs' order.
    ``played`` is told, in this thread, how many jobs have ended, as each ends.

    The one place where rendering is concurrent: with more than one worker, each synth plays in a
    forked process (it dies with this one, :func:`composer.children.become_child`); with one, or
    where fork is unavailable, in threads (libfluidsynth plays with the GIL released).

    Raises:
        RenderError: a synth failed (its message), or stopped without an answer.
        OSError: the tape cannot be written (a full disk).
    """
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        return _render_processes(jobs, tape, meanwhile, workers, played)
    return _render_threads(jobs, tape, meanwhile, workers, played)


def _render_processes(jobs: list[Job], tape: Tape, meanwhile: Callable[[], Any] | None,
                      workers: int, played: Callable[[int], None] | None = None) -> list[int]:
    """Play ``jobs`` in forked processes, at most ``workers`` at a time, onto one shared tape.

    ``meanwhile`` runs in a thread of this process while they play.
    Returns the length of each job's tail, in the jobs' order.
    """
    from multiprocessing.connection import wait

    context = multiprocessing.get_context("fork")
    waiting = list(enumerate(jobs))
    running: dict[Any, tuple[int, Job, Any]] = {}  # read end -> (index, job, process)

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
            for receive in cast(list[Any], wait(list(running))):  # our pipes' read ends, as given
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
                if played is not None and not error:
                    played(len(tails))
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


def _render_threads(jobs: list[Job], tape: Tape, meanwhile: Callable[[], Any] | None,
                    workers: int, played: Callable[[int], None] | None = None) -> list[int]:
    """As :func:`_render_processes`, in threads (libfluidsynth plays with the GIL released)."""
    with ThreadPoolExecutor(max_workers=workers + 1) as pool:
        helper = pool.submit(meanwhile) if meanwhile else None
        futures = [pool.submit(play_segment, job, tape) for job in jobs]
        tails = []
        for future in futures:
            tails.append(future.result())
            if played is not None:
                played(len(tails))
        if helper:
            helper.result()
    return tails


def render_to_tape(midi: bytes | str | Path, *, soundfont: SoundFont | None, effects: Effects, sample_rate: int,
            workers: int | None, channels: set[int] | None = None,
            meanwhile: Callable[[], Any] | None = None, eq: np.ndarray | None = None,
            folder: Path | None = None, progress: Callable[[int, int], None] | None = None) -> TapeView:
    """:func:`midi_to_audio` onto a tape (in ``folder``), running ``meanwhile`` in a thread while
    the synths play; the caller closes the view's tape.

    With ``eq`` (second-order sections), each synth filters its own segment
    as it ends, in parallel, and the tail is trimmed after the filter.
    ``progress`` is told (segments played, segments + 1) before the synths
    start and as each segment ends; the last part is the caller's mastering.

    Raises:
        RenderError: as for :func:`midi_to_audio`.
        OSError: the tape cannot be written (a full disk).
    """
    font = soundfont if soundfont is not None else resolve_soundfont()
    score = read_score(midi, sample_rate)
    segments = min(_MAX_SEGMENTS, max(1, round(score.length / sample_rate / _SEGMENT_SECONDS)))
    jobs = plan(score, font=font, effects=effects, sample_rate=sample_rate, workers=segments,
                 channels=None if channels is None else frozenset(channels), eq=eq)
    if not jobs:
        raise RenderError(f"the MIDI file has no notes to play: {midi_name(midi)}")
    load_fluidsynth()  # fails here, before any process starts, if the library is missing
    workers = max(1, min(len(jobs), workers if workers is not None else os.cpu_count() or 1))
    tape = Tape(max(job.tail_at + job.cap - job.split for job in jobs), folder=folder)
    try:
        played = None if progress is None else (lambda done: progress(done, len(jobs) + 1))
        if played is not None:
            played(0)
        tails = render_segments(jobs, tape, meanwhile, workers, played)
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


def make_apart(make: Callable[[], np.ndarray]) -> np.ndarray:
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
