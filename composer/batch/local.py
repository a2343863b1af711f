"""The local engine: a pool of long-lived worker processes on this machine.

Each worker builds one :class:`~composer.batch.worker.SongMaker` when it
starts and keeps it; the coordinator keeps at most two requests per worker in
flight (one being made, one waiting), so a file of a million requests never
fills memory with futures. Workers are started with ``spawn`` (no inherited
locks or database handles) and die with the coordinator: Linux sends them
SIGTERM if it goes, even by SIGKILL, and a worker turns SIGTERM into an
interruption that removes its half-made song's staging folder.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from .manifest import Row
from .requests import Request
from .worker import SongMaker

__all__ = ["MakerSpec", "run_local", "IN_FLIGHT_PER_WORKER"]

INTERRUPTED_EXIT = 130
"""A worker's exit status when it was stopped mid-song."""

IN_FLIGHT_PER_WORKER = 2
"""Requests handed to a worker ahead of its results: one being made, one waiting."""


@dataclass(frozen=True, slots=True)
class MakerSpec:
    """What every worker needs to build its :class:`SongMaker`.

    Attributes:
        out: the batch's output folder (absolute: Ray workers run elsewhere).
        audio: render audio.
        soundfont: the SoundFont spec, or None for the default.
    """

    out: Path
    audio: bool = True
    soundfont: str | None = None

    def build(self, engine: str) -> SongMaker:
        """The worker's song maker (in the worker's process: its heap tuned for renders)."""
        from ..allocator import keep_large_blocks

        keep_large_blocks()
        return SongMaker(self.out, audio=self.audio, soundfont=self.soundfont, engine=engine)


_maker: SongMaker | None = None


def _die_with_parent() -> None:
    """Ask Linux to send this process SIGTERM when its parent dies (prctl PR_SET_PDEATHSIG)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the pool's own shutdown still ends the workers
        pass


def _start_worker(spec: MakerSpec, parent: int) -> None:
    """Pool initializer: die with the coordinator, turn SIGTERM into an interruption, load the engine."""
    global _maker
    _die_with_parent()
    if os.getppid() != parent:  # the coordinator died before the request above took effect
        os._exit(1)
    me = os.getpid()

    def interrupt(signum: int, _frame: Any) -> None:
        if os.getpid() != me:  # a render's forked synth: die as usual
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the coordinator, which stops us
    _maker = spec.build("local")


def _make(request: Request) -> Row:
    """Pool task: make one song. Stopped (SIGTERM) mid-song, the worker exits once the song is undone.

    The interruption unwinds through the writer, which removes the staging
    folder; then the process ends at once, rather than going back to a pool
    whose coordinator may be gone.
    """
    if _maker is None:
        raise RuntimeError("_make runs only in a pool worker, after _start_worker")
    try:
        return _maker.make(request)
    except KeyboardInterrupt:
        os._exit(INTERRUPTED_EXIT)


def run_local(requests: Iterable[Request], spec: MakerSpec, *, workers: int, on_row: Callable[[Row], None]) -> None:
    """Make ``requests`` on ``workers`` processes, calling ``on_row`` in this process as each ends.

    On Ctrl-C (KeyboardInterrupt) the workers are stopped, their half-made songs
    removed, and the interruption passed on.
    """
    todo = iter(requests)
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker,
                               initargs=(spec, os.getpid()))
    flying: dict[Future[Row], Request] = {}

    def feed() -> None:
        while len(flying) < workers * IN_FLIGHT_PER_WORKER:
            request = next(todo, None)
            if request is None:
                return
            flying[pool.submit(_make, request)] = request

    try:
        feed()
        while flying:
            finished, _ = wait(flying, return_when=FIRST_COMPLETED)
            for future in finished:
                request = flying.pop(future)
                on_row(_outcome(future, request))
            feed()
    except BaseException:
        for process in multiprocessing.active_children():
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _outcome(future: Future[Row], request: Request) -> Row:
    """The worker's row, or a failed row when the worker itself died."""
    try:
        return future.result()
    except Exception as err:  # a crashed worker (BrokenProcessPool...) fails this request only
        return Row(id=request.id, line=request.line, status="failed",
                   error=f"worker died: {type(err).__name__}: {err}", genre=request.genre, vibe=request.vibe,
                   seed=request.seed, language=request.language, engine="local")
