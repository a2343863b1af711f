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
import math
import os
import signal
import struct
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .iir import filtered, high_shelf, serial_matmul

__all__ = ["HOP", "FIR", "FIR_GAIN", "k_weighting", "integrated_loudness", "loudness_apart", "hop_energies",
           "hop_true_peaks"]

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
_PEAK_CHUNK = 1 << 14  # frames oversampled at a time



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


def integrated_loudness(audio: np.ndarray, sample_rate: int) -> float:
    """BS.1770 integrated loudness (LUFS) of ``audio`` (frames, channels), measured by libebur128.

    Silence, and anything under the -70 LUFS gate, is ``-inf``.
    """
    from pyebur128 import MeasurementMode, R128State, get_loudness_global

    frames, channels = audio.shape
    if not frames:
        return -math.inf
    state = R128State(channels, sample_rate, MeasurementMode.MODE_I)
    state.add_frames(np.ascontiguousarray(audio, dtype=np.float32).reshape(-1), frames)
    lufs = float(get_loudness_global(state))
    return lufs if math.isfinite(lufs) and lufs > -70.0 else -math.inf


@contextlib.contextmanager
def loudness_apart(audio: np.ndarray, sample_rate: int) -> Iterator[Callable[[], float]]:
    """:func:`integrated_loudness` of ``audio``, measured in a forked process while this one works on.

    pyebur128 holds the GIL while libebur128 measures, so a thread cannot
    overlap the measurement with other work; a forked child reads the same
    pages (copy-on-write, or shared) and sends back the figure. The block gets
    a function that waits for it. ``audio`` must not change until then. Where
    fork is unavailable, or the child fails, the figure is measured here when
    asked for; leaving the block stops a child whose figure was not asked for.

    >>> with loudness_apart(np.zeros((100, 2), np.float32), 44100) as lufs:
    ...     lufs()
    -inf
    """
    if not hasattr(os, "fork"):
        yield lambda: integrated_loudness(audio, sample_rate)
        return
    integrated_loudness(audio[:0], sample_rate)  # import pyebur128 here, once, rather than in each child
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: measure, send eight bytes, leave without running the parent's cleanup
        status = 1
        try:
            os.close(read)
            os.write(write, struct.pack("d", integrated_loudness(audio, sample_rate)))
            status = 0
        finally:
            os._exit(status)
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


def hop_energies(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """The K-weighted energy of each :data:`HOP`-frame hop (the last may be short).

    The energy of a frame is the sum over channels of its weighted square
    (BS.1770 weighs left and right by 1.0).
    """
    channels = [audio[:, c:c + 1] for c in range(audio.shape[1])]
    with ThreadPoolExecutor(max_workers=len(channels)) as pool:  # one core each: the work is in BLAS
        return sum(pool.map(lambda one: _energies(one, sample_rate), channels))


def _energies(audio: np.ndarray, sample_rate: int) -> np.ndarray:
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


def hop_true_peaks(audio: np.ndarray, hops: np.ndarray) -> np.ndarray:
    """The 4x oversampled peak (both channels) of each of ``hops`` (sorted :data:`HOP`-frame hop numbers).

    Stretches of :data:`_PEAK_CHUNK` frames that hold a wanted hop are
    oversampled whole.
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
        piece = np.zeros((audio.shape[1], stop - begin + 2 * _REACH), np.float32)  # a row per channel
        lead = min(_REACH, begin)
        piece[:, _REACH - lead:_REACH + min(frames, stop + _REACH) - begin] = audio[begin - lead:stop + _REACH].T
        windows = np.lib.stride_tricks.sliding_window_view(piece, 2 * _REACH + 1, axis=1)
        rows = np.ascontiguousarray(windows).reshape(-1, 2 * _REACH + 1)  # (channels * frames, 13)
        over = np.abs(serial_matmul(rows, _TAPS)).reshape(audio.shape[1], -1)  # 4 values a frame
        over = np.pad(over, ((0, 0), (0, -over.shape[1] % (4 * HOP))))
        over = over.reshape(audio.shape[1], -1, 4 * HOP).max(axis=2).max(axis=0)
        peaks[first:last] = over[hops[first:last] - stretch[first] * per]
    return peaks

