"""Recursive (IIR) filters as cascades of second-order sections, run by a compiled kernel.

Mastering needs a few biquads (bus EQ, BS.1770 K-weighting) over a whole
song. scipy.signal.sosfilt does that well, but importing scipy.signal costs
most of a second and 80 MB, more than the filtering itself. So the cascade
runs in :func:`composer.kernels.sos_frames`, compiled ahead of time with the
other kernels (:mod:`composer.aot`): frame by frame, in float64, a chunk of
:data:`_CHUNK` frames at a time, the state carried from chunk to chunk (and
from piece to piece). It is scipy's transposed direct form II, section by
section, so results agree with scipy's to rounding; the sums are done in one
fixed order, so they are the same bits on every CPU.

>>> import numpy as np
>>> impulse = np.zeros((5, 1)); impulse[0] = 1.0
>>> sos = np.array([[0.5, 0.5, 0.0, 1.0, -0.5, 0.0]])  # (1 + z^-1) / 2 over (1 - z^-1 / 2)
>>> sosfilt(sos, impulse)[:, 0].tolist()
[0.5, 0.75, 0.375, 0.1875, 0.09375]
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeAlias

import numpy as np

Frames: TypeAlias = Any
"""Audio as (frames, channels): a numpy array, or anything read and written by slices of frames like one
(a tape view, :class:`composer.audio.tape.TapeView`, which keeps a long song on disk)."""

__all__ = ["sosfilt", "sosfilt_pieces", "filtered", "serial_matmul", "moving_average", "butter_highpass",
           "high_shelf"]

_CHUNK = 1 << 16  # frames filtered at a time (a multiple of loudness.HOP; keeps temporaries small)


def serial_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for ``a`` of shape (..., k), in one fixed summation order, without BLAS.

    Each output element is summed over ``k`` in order, one multiply and one
    add at a time (numpy's einsum, not optimised into a BLAS call), so the
    result is the same bits on every CPU. A BLAS kernel chosen for the CPU
    (Haswell, SkylakeX...) orders and fuses the sums its own way, and the
    mastered song differed by one bit here and there from one machine to the
    next. It is also one thread: on a busy two-core machine OpenBLAS's
    threads waited on each other.

    >>> serial_matmul(np.array([[1.0, 2.0]]), np.array([[3.0], [4.0]])).tolist()
    [[11.0]]
    """
    return np.einsum("...k,kl->...l", a, b, optimize=False)


def moving_average(values: np.ndarray, size: int, *, mode: str = "same") -> np.ndarray:
    """``np.convolve(values, np.ones(size) / size, mode)`` for "same" and "valid", summed in a
    fixed order (numpy's convolve calls BLAS, whose sums differ from one CPU to another).

    >>> moving_average(np.array([3.0, 6.0, 9.0]), 3).tolist()
    [3.0, 6.0, 5.0]
    >>> moving_average(np.array([3.0, 6.0, 9.0, 12.0]), 3, mode="valid").tolist()
    [6.0, 9.0]
    """
    values = np.asarray(values, dtype=np.float64)
    count = len(values)
    padded = np.concatenate([np.zeros(size - 1), values, np.zeros(size - 1)])
    full = padded[:count + size - 1].copy()
    for j in range(1, size):
        full += padded[j:j + count + size - 1]
    full /= size
    if mode == "same":
        begin = (size - 1) // 2
        return full[begin:begin + max(count, size)]
    if mode == "valid":
        return full[size - 1:count]
    raise ValueError(f"mode must be 'same' or 'valid', got {mode!r}")


def butter_highpass(cutoff: float, sample_rate: float) -> np.ndarray:
    """A second-order Butterworth high-pass, as one section (scipy's ``butter(2, ..., "highpass")``).

    >>> butter_highpass(25.0, 44100).round(4).tolist()
    [[0.9975, -1.995, 0.9975, 1.0, -1.995, 0.995]]
    """
    if not 0 < cutoff < sample_rate / 2:
        raise ValueError(f"cutoff must be 0..{sample_rate / 2} Hz, got {cutoff}")
    k = np.tan(np.pi * cutoff / sample_rate)  # the bilinear transform, prewarped at the cutoff
    norm = 1.0 / (1.0 + np.sqrt(2.0) * k + k * k)
    return np.array([[norm, -2.0 * norm, norm, 1.0, 2.0 * (k * k - 1.0) * norm,
                      (1.0 - np.sqrt(2.0) * k + k * k) * norm]])


def high_shelf(frequency: float, gain_db: float, q: float, sample_rate: float) -> np.ndarray:
    """The RBJ cookbook high shelf, as one section.

    >>> high_shelf(9000.0, 0.0, 0.7, 44100).round(6).tolist()[0][:3] == high_shelf(9000.0, 0.0, 0.7, 44100).round(6).tolist()[0][3:]
    True
    """
    gain = 10 ** (gain_db / 40)
    w0 = 2 * np.pi * frequency / sample_rate
    cos, root = np.cos(w0), 2 * np.sqrt(gain) * np.sin(w0) / (2 * q)
    b = [gain * ((gain + 1) + (gain - 1) * cos + root), -2 * gain * ((gain - 1) + (gain + 1) * cos),
         gain * ((gain + 1) + (gain - 1) * cos - root)]
    a = [(gain + 1) - (gain - 1) * cos + root, 2 * ((gain - 1) - (gain + 1) * cos),
         (gain + 1) - (gain - 1) * cos - root]
    return np.array([[*(x / a[0] for x in b), *(x / a[0] for x in a)]])


def sosfilt(sos: np.ndarray, audio: np.ndarray, *, out: np.ndarray | None = None) -> np.ndarray:
    """Filter ``audio`` (frames, channels) through the sections ``sos`` (rows b0 b1 b2 a0 a1 a2, a0 = 1).

    Works in the dtype of ``out`` (default: a new float64 array); ``out`` may
    be ``audio`` itself. The same as ``scipy.signal.sosfilt(sos, audio, axis=0)``
    to rounding.
    """
    out = np.empty(audio.shape, np.float64) if out is None else out
    for part, block in filtered(sos, audio, dtype=out.dtype):
        out[part] = block
    return out


def sosfilt_pieces(sos: np.ndarray, pieces: Sequence[Any]) -> None:  # arrays, or tape views
    """Filter ``pieces``, in place, as one signal cut into consecutive pieces.

    The filter's state runs on from the end of one piece into the next, so the
    result is that of :func:`sosfilt` on their concatenation, without making it.

    >>> import numpy as np
    >>> sos = np.array([[0.5, 0.5, 0.0, 1.0, -0.5, 0.0]])
    >>> head, tail = np.zeros((2, 1)), np.zeros((3, 1)); head[0] = 1.0
    >>> sosfilt_pieces(sos, [head, tail])
    >>> head[:, 0].tolist() + tail[:, 0].tolist()
    [0.5, 0.75, 0.375, 0.1875, 0.09375]
    """
    for (index, part), block in _filtered(sos, pieces, np.dtype(pieces[0].dtype) if pieces else np.float64):
        pieces[index][part] = block


def filtered(sos: np.ndarray, audio: np.ndarray, *, dtype: type | np.dtype = np.float64
             ) -> Iterator[tuple[slice, np.ndarray]]:
    """:func:`sosfilt` a chunk at a time: yields (frames, the filtered frames), in order.

    For callers that reduce the output as it comes (a loudness meter), so the
    whole filtered song never exists at once. Each chunk is a new array of
    ``dtype`` (float32 or float64), shape (frames, channels).
    """
    for (_, part), block in _filtered(sos, [audio], dtype):
        yield part, block


def _filtered(sos: np.ndarray, pieces: Sequence[Any], dtype: type | np.dtype
              ) -> Iterator[tuple[tuple[int, slice], np.ndarray]]:
    """:func:`filtered` over consecutive ``pieces``: yields ((piece, frames), the filtered frames)."""
    from .aot import kernels

    sos = np.ascontiguousarray(sos, dtype=np.float64)
    if sos.ndim != 2 or sos.shape[1] != 6 or not np.allclose(sos[:, 3], 1.0):
        raise ValueError(f"sos must be rows of b0 b1 b2 1 a1 a2, got shape {sos.shape}")
    if any(audio.ndim != 2 or audio.shape[1] != pieces[0].shape[1] for audio in pieces):
        raise ValueError(f"audio must have shape (frames, channels), got {[a.shape for a in pieces]}")
    kind = np.dtype(dtype)
    if kind not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {kind}")
    run = kernels().sos_frames
    state = np.zeros((pieces[0].shape[1] if pieces else 0, len(sos), 2))
    for index, audio in enumerate(pieces):
        for begin in range(0, len(audio), _CHUNK):
            part = slice(begin, min(len(audio), begin + _CHUNK))
            block = np.array(audio[part], dtype=np.float64, order="C")  # a copy: filtered in place
            run(sos, block, state)
            yield (index, part), block.astype(kind, copy=False)
