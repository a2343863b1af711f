"""Forked helper processes that die with their parent and stay quiet.

Songgram forks synth processes (:mod:`composer.render`) and a loudness meter
(:mod:`composer.loudness`). Each calls :func:`become_child` first thing, so:

- it is killed by the kernel when the process that forked it dies, even by
  SIGKILL (Linux ``prctl(PR_SET_PDEATHSIG, SIGKILL)``; elsewhere, a check that
  the parent is still there);
- Ctrl-C, which the terminal sends to the whole process group, is left to the
  parent (which stops its children): no traceback from a child;
- its standard input and output are /dev/null, so a pipeline reading
  songgram's output sees its end when songgram ends, never held open by a
  child.

:func:`captured_stderr` turns what a C library prints on standard error
(libfluidsynth, libinstpatch) into text to put in one error line.

>>> with captured_stderr() as noise:
...     _ = os.write(2, b"CRITICAL: cannot parse\\n")
>>> noise()
'CRITICAL: cannot parse'
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import re
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator

__all__ = ["become_child", "die_with_parent", "signals_blocked", "captured_stderr"]

_STOPPERS = {signal.SIGINT, signal.SIGTERM}

_PR_SET_PDEATHSIG = 1
_STDERR_LOCK = threading.Lock()


def _set_death_signal() -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies; False where it cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def die_with_parent() -> None:
    """For ``subprocess``'s ``preexec_fn``: the program started (Festival) is killed when its parent dies."""
    _set_death_signal()


@contextlib.contextmanager
def signals_blocked() -> Iterator[None]:
    """Hold SIGINT and SIGTERM in this thread for the block: fork children inside it, so that
    a Ctrl-C arriving while a child starts waits until :func:`become_child` has set it aside
    (no traceback from the child); the parent gets the held signal when the block ends."""
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPERS)
    except (AttributeError, OSError, ValueError):
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def become_child(parent: int) -> None:
    """Call first in a forked child of ``parent`` (its pid, read before the fork)."""
    _set_death_signal()
    if os.getppid() != parent:  # the parent died before the death signal was set
        os._exit(1)
    with contextlib.suppress(OSError, ValueError):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(AttributeError, OSError, ValueError):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPERS)  # blocked by signals_blocked() around the fork
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.close(null)


@contextlib.contextmanager
def captured_stderr() -> Iterator[Callable[[], str]]:
    """Send file descriptor 2 to a temporary file for the block; the block gets a function
    that returns what was written, as one line (at most 300 characters)."""
    with _STDERR_LOCK, tempfile.TemporaryFile() as sink:
        try:
            saved = os.dup(2)
        except OSError:  # no standard error at all: nothing to capture
            yield lambda: ""
            return
        text: list[str] = []

        def read() -> str:
            if not text:
                with contextlib.suppress(OSError):
                    os.fsync(sink.fileno())
                sink.seek(0)
                raw = sink.read(1 << 16).decode("utf-8", "replace")
                raw = re.sub(r"\(process:\d+\):\s*|\*\*:?\s*(\d\d:\d\d:\d\d\.\d+:)?\s*", "", raw)
                text.append(" ".join(raw.split())[:300])
            return text[0]

        try:
            os.dup2(sink.fileno(), 2)
            yield read
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            read()
