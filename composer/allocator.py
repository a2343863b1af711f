"""The C heap, tuned for a song's big short-lived arrays: kept by the process instead of returned to the
system after each use.

A sung render allocates and frees arrays of tens of megabytes many times
over (the vocal chain's FFTs, WORLD's frames, the mix's blocks). glibc
serves any block over its mmap threshold (128 KiB, growing with use to at most
32 MiB) with a fresh ``mmap`` and unmaps it on free, so each reuse pays page faults in the
kernel: 0.9 s of system time in a 4.8 s sung compose. With the threshold at
64 MiB and the heap's trim threshold at 128 MiB, freed blocks are reused:
the same compose took 4.0 s (whole process, median of 5, alternated with
the default) for 7 MiB more peak memory.

Our own processes call :func:`keep_large_blocks` once (the command line, batch
workers, web workers; forked children inherit it). The library leaves the
allocator of a program that embeds it alone.
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["MMAP_THRESHOLD", "TRIM_THRESHOLD", "keep_large_blocks"]

MMAP_THRESHOLD = 64 << 20
"""Blocks at least this big still get their own mapping (a song is never held whole in one block)."""
TRIM_THRESHOLD = 128 << 20
"""Free memory at the heap's top beyond this goes back to the system."""

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (malloc.h)
_done = False


def keep_large_blocks() -> bool:
    """Tune glibc's heap as above, once per process; False where there is no glibc ``mallopt``."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # musl and others have no mallopt
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    _done = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return _done
