"""Measuring a master: integrated loudness by libebur128, the K-weighted energy of each hop, true peak.

Integrated loudness (ITU-R BS.1770-4, EBU R 128) is measured by libebur128,
the reference C library (through pyebur128, which bundles it): the figure the
master aims at and reports. The tests hold it to pyloudnorm within 0.1 LU.

The limiter also needs to know where the loudness is: :func:`hop_energies`
gives the K-weighted energy of each 64-frame hop, with pyloudnorm's
K-weighting filters run a chunk at a time (:mod:`composer.iir`), so a song
costs a few megabytes and no scipy import (most of a second).

True peak is the largest |value| of the signal oversampled 4x with the
interpolation filter of BS.1770 Annex 2, exactly as
``scipy.signal.resample_poly(audio, 4, 1, window=FIR)`` computes it, per
64-frame hop.

>>> import numpy as np
>>> noise = np.random.default_rng(1).standard_normal((44100 * 2, 2)).astype(np.float32) * 0.1
>>> round(integrated_loudness(noise, 44100), 1)
-13.9
"""

from __future__ import annotations

import contextlib
import functools
import math
import operator
import os
import signal
import struct
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from .children import become_child, signals_blocked
from .iir import Frames, filtered, high_shelf, serial_matmul

__all__ = ["HOP", "FIR", "FIR_GAIN", "k_weighting", "integrated_loudness", "loudness_apart", "hop_energies",
           "hop_true_peaks", "hop_peak_bounds"]

HOP = 64
"""Frames per hop: the unit of the limiter's gain and of true-peak readings (1.45 ms)."""

# BS.1770-4 Annex 2: the 48-tap interpolation filter for 4x true-peak
# oversampling, given as its first two phases; the others mirror them.
_PHASES = (
    (0.0017089843750, 0.0109863281250, -0.0196533203125, 0.0332031250000, -0.0594482421875,
     0.1373291015625, 0.9721679687500, -0.1022949218750, 0.0476074218750, -0.0266113281250,
     0.0148925781250, -0.0083007812500),
    (-0.0291748046875, 0.0292968750000, -0.0517578125000, 0.0891113281250, -0.1665039062500,
     0.4650878906250, 0.7797851562500, -0.2003173828125, 0.1015625000000, -0.0582275390625,
     0.0330810546875, -0.0189208984375),
)
_PHASE_TABLE = np.array([*_PHASES, *(p[::-1] for p in reversed(_PHASES))])
FIR = (_PHASE_TABLE.T.ravel() / 4).astype(np.float32)
"""The 48 taps as ``scipy.signal.resample_poly(x, 4, 1, window=FIR)`` takes them (it scales by 4)."""
FIR_GAIN = float(np.abs(_PHASE_TABLE).sum(axis=1).max())
"""The most an oversampled value can exceed the largest |sample| near it, as a factor."""

# Output phase p of frame n is sum over j of _TAPS[j, p] * x[n - 6 + j] (resample_poly's alignment).
_TAPS = np.zeros((13, 4), np.float32)
_TAPS[1:, 0], _TAPS[:12, 1], _TAPS[:12, 2], _TAPS[:12, 3] = _PHASE_TABLE[3], _PHASE_TABLE[0], \
    _PHASE_TABLE[1], _PHASE_TABLE[2]
_TAPS = _TAPS[::-1].copy()  # for windows of x[n - 6 .. n + 6]
_REACH = 6  # frames of context either side
_PEAK_CHUNK = 1 << 16  # frames read at a time when oversampling
_BOUND_CHUNK = 1 << 14  # frames bounded at a time
_APART_FRAMES = 1 << 19  # shorter audio (12 s at 44.1 kHz) is measured in this process: a fork costs more


def _bound_factors() -> tuple[float, float, float, float]:
    """(S, W, A, V): for every phase, |y| <= S M + W D1 and |y| <= A M + V D2 (see :func:`hop_peak_bounds`).

    A phase's output is y = sum_j h_j x_j over the 13-frame window. With c its
    largest tap: y = s x_c + sum_j h_j (x_j - x_c), s = sum_j h_j, and
    |x_j - x_c| <= |j - c| D1. Going on to second differences, with k = (j - c)
    times the side (+1 or -1, the better), x_j departs from the line through x_c
    and its neighbour x_(c+side) by at most k (k - 1) / 2 D2, and the line's
    part is (s - m) x_c + m x_(c+side), m = sum_j h_j k: at most (|s - m| + |m|) M.
    """
    found = np.zeros(4)
    for h in _TAPS.T.astype(np.float64):
        c = int(np.argmax(np.abs(h)))
        offsets = np.arange(len(h)) - c
        second = []
        for side in (1, -1):
            k = offsets * side
            m = math.fsum(h * k)  # exact sums: the same bits on every CPU
            second.append((abs(math.fsum(h) - m) + abs(m), math.fsum(np.abs(h) * (k * (k - 1) / 2))))
        line, curve = min(second, key=lambda pair: pair[1])
        found = np.maximum(found, [abs(math.fsum(h)), math.fsum(np.abs(h) * np.abs(offsets)), line, curve])
    return tuple(float(v) for v in found)  # type: ignore[return-value]


_BOUND_S, _BOUND_W, _BOUND_A, _BOUND_V = _bound_factors()
_BOUND_MARGIN = 1e-5  # covers float32 rounding in the differences


def hop_peak_bounds(audio: Any) -> np.ndarray:  # an array, or a tape view read by slices
    """Per :data:`HOP`-frame hop, a bound on the 4x oversampled peak (both channels), cheaply.

    Over the frames an oversampled value of the hop can draw on (6 either
    side, zeros beyond the ends), M is the largest |sample|, D1 the largest
    |first difference| and D2 the largest |second difference|. The bound is the
    least of FIR_GAIN M, S M + W D1 and A M + V D2 (:func:`_bound_factors`):
    music is mostly far below Nyquist, so its differences are small and the
    bound close to the true peak, which spares oversampling the hops that
    cannot reach a ceiling.

    >>> tone = np.sin(np.arange(6400) * 0.05)[:, None].repeat(2, axis=1).astype(np.float32)
    >>> bool(np.all(hop_peak_bounds(tone) >= hop_true_peaks(tone, np.arange(100))))
    True
    >>> round(float(hop_peak_bounds(tone)[50]), 2)
    1.01
    """
    frames, channels = audio.shape
    hops = -(-frames // HOP)
    bounds = np.empty(hops, np.float32)
    per, context = _BOUND_CHUNK // HOP, 10  # frames of context read either side of a stretch
    for first in range(0, hops, per):
        count = min(hops, first + per) - first
        begin, stop = first * HOP - context, (first + count) * HOP + context
        x = np.zeros((stop - begin, channels), np.float32)
        x[max(0, begin) - begin:min(frames, stop) - begin] = audio[max(0, begin):min(frames, stop)]
        d1 = np.diff(x, axis=0)
        d2 = np.diff(d1, axis=0)

        def most(values: np.ndarray, count: int) -> np.ndarray:
            """Largest |value| over frames 3..81 of each hop's stretch (its own 64 and 6 more either side)."""
            np.abs(values, out=values)
            return np.maximum(values[3:3 + count * HOP], values[17:17 + count * HOP]).reshape(count, -1).max(axis=1)

        m, m1, m2 = most(x, count), most(d1, count), most(d2, count)
        bounds[first:first + count] = np.minimum(np.minimum(m * FIR_GAIN, _BOUND_S * m + _BOUND_W * m1),
                                                 _BOUND_A * m + _BOUND_V * m2)
    return bounds * np.float32(1 + _BOUND_MARGIN)



def k_weighting(sample_rate: float) -> np.ndarray:
    """pyloudnorm's K-weighting as two second-order sections (shelf, then high-pass).

    >>> k_weighting(48000).round(4).tolist()[1]
    [0.995, -1.9901, 0.995, 1.0, -1.9901, 0.9901]
    """
    shelf = high_shelf(1500.0, 4.0, 1 / np.sqrt(2), sample_rate)
    w0 = 2.0 * np.pi * 38.0 / sample_rate  # RBJ high-pass, Q 0.5 (pyloudnorm's 'high_pass')
    alpha = np.sin(w0) / (2.0 * 0.5)
    a0 = 1.0 + alpha
    highpass = np.array([[(1 + np.cos(w0)) / 2 / a0, -(1 + np.cos(w0)) / a0, (1 + np.cos(w0)) / 2 / a0,
                          1.0, -2 * np.cos(w0) / a0, (1 - alpha) / a0]])
    return np.vstack([shelf, highpass])


def integrated_loudness(audio: Frames, sample_rate: int) -> float:
    """BS.1770 integrated loudness (LUFS) of ``audio`` (frames, channels), measured by libebur128.

    Silence, and anything under the -70 LUFS gate, is ``-inf``.
    """
    from pyebur128 import MeasurementMode, R128State, get_loudness_global

    frames, channels = audio.shape
    if not frames:
        return -math.inf
    state = R128State(channels, sample_rate, MeasurementMode.MODE_I)
    for start in range(0, frames, _PEAK_CHUNK):  # a chunk at a time: the song may be on a tape
        piece = np.ascontiguousarray(audio[start:start + _PEAK_CHUNK], dtype=np.float32)
        state.add_frames(piece.reshape(-1), len(piece))
    lufs = float(get_loudness_global(state))
    return lufs if math.isfinite(lufs) and lufs > -70.0 else -math.inf


@contextlib.contextmanager
def loudness_apart(audio: Frames, sample_rate: int) -> Iterator[Callable[[], float]]:
    """:func:`integrated_loudness` of ``audio``, measured in a forked process while this one works on.

    pyebur128 holds the GIL while libebur128 measures, so a thread cannot
    overlap the measurement with other work; a forked child reads the same
    pages (copy-on-write, or shared) and sends back the figure. The block gets
    a function that waits for it. ``audio`` must not change until then. Where
    fork is unavailable, or the child fails, the figure is measured here when
    asked for; leaving the block stops a child whose figure was not asked for.
    Audio shorter than :data:`_APART_FRAMES` is measured here too.

    >>> noise = np.random.default_rng(1).standard_normal((1 << 20, 2)).astype(np.float32) * 0.1
    >>> with loudness_apart(noise, 44100) as lufs:
    ...     round(lufs(), 1) == round(integrated_loudness(noise, 44100), 1)
    True
    """
    pid = -1
    if hasattr(os, "fork") and len(audio) >= _APART_FRAMES:
        integrated_loudness(audio[:0], sample_rate)  # import pyebur128 here, once, rather than in each child
        read, write = os.pipe()
        parent = os.getpid()
        with signals_blocked():  # a Ctrl-C waits until the child has set it aside
            try:
                pid = os.fork()
            except OSError:  # no process to spare: measure here
                os.close(read)
                os.close(write)
            if pid == 0:  # the child: measure, send eight bytes, leave without running the parent's cleanup
                status = 1
                try:
                    become_child(parent)
                    os.close(read)
                    os.write(write, struct.pack("d", integrated_loudness(audio, sample_rate)))
                    status = 0
                finally:
                    os._exit(status)
    if pid < 0:
        yield lambda: integrated_loudness(audio, sample_rate)
        return
    os.close(write)
    figure: list[float] = []

    def result() -> float:
        if not figure:
            data = b""
            while len(data) < 8 and (more := os.read(read, 8 - len(data))):
                data += more
            figure.append(struct.unpack("d", data)[0] if len(data) == 8 else integrated_loudness(audio, sample_rate))
        return figure[0]

    try:
        yield result
    finally:
        os.close(read)
        if not figure:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def hop_energies(audio: Frames, sample_rate: int) -> np.ndarray:
    """The K-weighted energy of each :data:`HOP`-frame hop (the last may be short).

    The energy of a frame is the sum over channels of its weighted square
    (BS.1770 weighs left and right by 1.0).
    """
    channels = [audio[:, c:c + 1] for c in range(audio.shape[1])]
    with ThreadPoolExecutor(max_workers=len(channels)) as pool:  # one core each: the work is in BLAS
        return functools.reduce(operator.add, pool.map(lambda one: _energies(one, sample_rate), channels))


def _energies(audio: Frames, sample_rate: int) -> np.ndarray:
    """K-weighted energy of each hop of one channel."""
    hops = np.zeros(-(-len(audio) // HOP))
    for part, block in filtered(k_weighting(sample_rate), audio, dtype=np.float32):
        power = np.einsum("ij,ij->i", block, block, dtype=np.float64)
        whole = len(power) // HOP * HOP
        first = part.start // HOP
        hops[first:first + whole // HOP] = power[:whole].reshape(-1, HOP).sum(axis=1)
        if whole < len(power):
            hops[first + whole // HOP] = power[whole:].sum()
    return hops


def hop_true_peaks(audio: Frames, hops: np.ndarray) -> np.ndarray:
    """The 4x oversampled peak (both channels) of each of ``hops`` (sorted :data:`HOP`-frame hop numbers).

    Only the wanted hops are oversampled, read a stretch of
    :data:`_PEAK_CHUNK` frames at a time.
    """
    if audio.shape[1] > 1:  # a thread per channel: the work is in BLAS
        with ThreadPoolExecutor(max_workers=audio.shape[1]) as pool:
            return np.maximum.reduce(list(pool.map(lambda c: hop_true_peaks(audio[:, c:c + 1], hops),
                                                   range(audio.shape[1]))))
    frames = len(audio)
    per = _PEAK_CHUNK // HOP
    peaks = np.zeros(len(hops), np.float32)
    stretch = hops // per
    starts = np.flatnonzero(np.r_[True, stretch[1:] != stretch[:-1]]) if len(hops) else np.zeros(0, int)
    for first, last in zip(starts, [*starts[1:], len(hops)]):
        begin = int(stretch[first]) * _PEAK_CHUNK
        stop = min(frames, begin + _PEAK_CHUNK)
        whole = -(-(stop - begin) // HOP) * HOP  # whole hops; frames past the end are left out below
        piece = np.zeros((audio.shape[1], whole + 2 * _REACH), np.float32)  # a row per channel
        lead = min(_REACH, begin)
        piece[:, _REACH - lead:_REACH + min(frames, stop + _REACH) - begin] = audio[begin - lead:stop + _REACH].T
        windows = np.lib.stride_tricks.sliding_window_view(piece, 2 * _REACH + 1, axis=1)  # (channels, whole, 13)
        local = hops[first:last] - stretch[first] * per
        wanted = (local[:, None] * HOP + np.arange(HOP)).ravel()  # the frames of the wanted hops
        rows = windows[:, wanted].reshape(-1, 2 * _REACH + 1)  # (channels * frames, 13)
        over = np.abs(serial_matmul(rows, _TAPS)).reshape(audio.shape[1], len(local), HOP, 4)  # 4 values a frame
        if begin + whole > frames:
            over[:, (begin + wanted >= frames).reshape(len(local), HOP)] = 0.0
        peaks[first:last] = over.max(axis=(0, 2, 3))
    return peaks
