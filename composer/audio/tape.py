"""A song's audio on a tape: float32 frames in a temporary file, read and written a block at a time.

A render used to hold the whole song in one buffer (317 MB for 15 minutes of
stereo float32) and master it there, so memory grew with the song. The synths
now write their segments into a :class:`Tape` (an unlinked temporary file, so
nothing is left behind even after SIGKILL), and every later pass (the tails,
the trim, the overdub, the master's measurements and gains, the files) reads
and writes a block of at most a few hundred kilobytes at a time. The song
lives in the page cache, which the system can write out and reclaim; the
processes hold a few blocks, whatever the song's length.

A :class:`TapeView` behaves as much like a ``(frames, channels)`` float32
array as the audio code needs: ``view[a:b]`` reads a new array, ``view[a:b] =
x`` writes, so ``view[a:b] *= g`` reads, scales and writes back; and
``view[:, c:c + 1]`` is a view of one channel. The same code therefore runs
over arrays and tapes, with the same arithmetic and the same bytes.

>>> tape = Tape(10)
>>> view = tape.view()
>>> view[2:4] = np.ones((2, 2), np.float32)
>>> view[3:5] *= 2.0
>>> view[1:6][:, 0].tolist()
[0.0, 1.0, 2.0, 0.0, 0.0]
>>> view[::3][:, 1].tolist(), peak(view), len(view[:, 1:2][0:10])
([0.0, 2.0, 0.0, 0.0], 2.0, 10)
>>> tape.close()
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["Tape", "TapeView", "peak", "blocks", "BLOCK", "TAPE_PREFIX"]

TAPE_PREFIX = ".songgram-tape-"
"""How a tape's file begins, where the system cannot make it without a name (it is unlinked at once)."""

BLOCK = 1 << 16
"""Frames read or written at a time by the passes over a tape (512 kB of stereo float32)."""


class Tape:
    """``frames`` x ``channels`` float32 frames, zero until written, in an unlinked temporary file.

    ``folder``: where the file lives (the song's folder: the same disk as the
    song; None: the system's temporary folder). The file has no name (or loses
    it at once), so it is freed when closed or when the process dies; forked
    processes share it through the inherited descriptor.

    Raises:
        OSError: the file cannot be made or sized (a file size limit gives EFBIG).
    """

    def __init__(self, frames: int, *, channels: int = 2, folder: str | Path | None = None) -> None:
        self.frames, self.channels = int(frames), int(channels)
        self._file = tempfile.TemporaryFile(prefix=TAPE_PREFIX, dir=folder)
        self.fd = self._file.fileno()
        try:
            os.ftruncate(self.fd, self.frames * self.channels * 4)  # sparse: costs nothing until written
        except BaseException:
            self._file.close()
            raise

    def view(self, start: int = 0, stop: int | None = None) -> TapeView:
        """Frames ``start`` to ``stop`` (default: the end) as an array-like view."""
        stop = self.frames if stop is None else stop
        if not 0 <= start <= stop <= self.frames:
            raise ValueError(f"frames {start}..{stop} are not on a tape of {self.frames}")
        return TapeView(self, start, stop)

    def read(self, start: int, stop: int) -> np.ndarray:
        """Frames ``start`` to ``stop`` as a new (frames, channels) float32 array."""
        out = np.empty((max(0, stop - start), self.channels), np.float32)
        if not out.size:
            return out
        want, done, buffer = out.nbytes, 0, out.data.cast("B")
        while done < want:
            got = os.preadv(self.fd, [buffer[done:]], start * self.channels * 4 + done)
            if got <= 0:  # past the end of a shorter file: never, the file is sized; zeros all the same
                buffer[done:] = bytes(want - done)
                break
            done += got
        return out

    def write(self, start: int, data: np.ndarray) -> None:
        """Write ``data`` (frames, channels) from frame ``start``."""
        data = np.ascontiguousarray(data, dtype=np.float32)
        if not data.size:
            return
        buffer, done = data.data.cast("B"), 0
        while done < len(buffer):
            done += os.pwrite(self.fd, buffer[done:], start * self.channels * 4 + done)
        self.frames = max(self.frames, start + len(data))  # written past the end: the file grew

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Tape:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()


class TapeView:
    """Frames ``start`` to ``stop`` of a tape (channels ``first`` to ``last``), used like an array."""

    dtype = np.dtype(np.float32)
    ndim = 2

    def __init__(self, tape: Tape, start: int, stop: int, first: int = 0, last: int | None = None) -> None:
        self.tape, self.start, self.stop = tape, start, stop
        self.first, self.last = first, tape.channels if last is None else last

    @property
    def shape(self) -> tuple[int, int]:
        return (self.stop - self.start, self.last - self.first)

    def __len__(self) -> int:
        return self.stop - self.start

    def _rows(self, key: Any) -> slice:
        if not isinstance(key, slice):
            raise TypeError(f"a tape is read by slices of frames, not {key!r}")
        return key

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, tuple):  # (rows, channels): only all the rows, for a view of some channels
            rows, cols = key
            if rows != slice(None) or not isinstance(cols, slice) or cols.step not in (None, 1):
                raise TypeError(f"a tape's channels are viewed as [:, a:b], not {key!r}")
            first, last, _ = cols.indices(self.last - self.first)
            return TapeView(self.tape, self.start, self.stop, self.first + first, self.first + max(first, last))
        begin, end, step = self._rows(key).indices(len(self))
        if step == 1:
            return self._read(begin, max(begin, end))
        if step < 1:
            raise TypeError("a tape is read forwards")
        picked = []  # every step-th frame, a block at a time
        for at in range(begin, end, BLOCK // step * step or step):
            stop = min(end, at + (BLOCK // step * step or step))
            picked.append(self._read(at, stop)[::step])
        return np.concatenate(picked) if picked else np.zeros((0, self.shape[1]), np.float32)

    def _read(self, begin: int, end: int) -> np.ndarray:
        block = self.tape.read(self.start + begin, self.start + end)
        return block if (self.first, self.last) == (0, self.tape.channels) else \
            np.ascontiguousarray(block[:, self.first:self.last])

    def __setitem__(self, key: Any, value: Any) -> None:
        begin, end, step = self._rows(key).indices(len(self))
        if step != 1 or (self.first, self.last) != (0, self.tape.channels):
            raise TypeError("a tape is written by whole frames, a stretch at a time")
        if end > begin:
            data = np.broadcast_to(np.asarray(value, np.float32), (end - begin, self.tape.channels))
            self.tape.write(self.start + begin, data)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """All of it as an array (for the public functions that return one)."""
        whole = self[:]
        return whole if dtype is None else whole.astype(dtype)


def blocks(frames: int, size: int = BLOCK) -> Iterator[slice]:
    """Consecutive slices of at most ``size`` frames covering ``frames``."""
    for start in range(0, frames, size):
        yield slice(start, min(frames, start + size))


def peak(audio: np.ndarray | TapeView) -> float:
    """The largest |sample| of an array or a tape, a block at a time (no copy of the song)."""
    found = 0.0
    for part in blocks(len(audio)):
        block = audio[part]
        if len(block):
            found = max(found, float(block.max()), -float(block.min()))
    return found
