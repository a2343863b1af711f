"""Measuring a master: ITU-R BS.1770-4 integrated loudness and 4x true peak, with numpy only.

Loudness follows pyloudnorm's ``Meter`` (the reference our tests compare
with, to 1e-4 LU): its K-weighting filters (an RBJ high shelf, +4 dB above
1.5 kHz, then a 38 Hz high-pass, designed for any rate), its 400 ms blocks
every 100 ms, and its gates (-70 LUFS absolute, then 10 LU under the mean).
We run the filters ourselves (:mod:`composer.iir`) a chunk at a time and keep
only what the gating reads: the weighted energy at each block edge, plus each
64-frame hop's energy for the limiter. So a song costs a few megabytes, not
pyloudnorm's three float64 copies of it, and no scipy import (most of a second).

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

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .iir import filtered, high_shelf, serial_matmul

__all__ = ["HOP", "FIR", "FIR_GAIN", "k_weighting", "integrated_loudness", "weighed", "hop_true_peaks"]

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

_BLOCK_SECONDS, _OVERLAP = 0.4, 0.75  # pyloudnorm's gating blocks
_ABSOLUTE_GATE, _RELATIVE_GATE = -70.0, -10.0


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
    """BS.1770 integrated loudness (LUFS) of ``audio`` (frames, channels), as pyloudnorm measures it."""
    return weighed(audio, sample_rate)[0]


def _edges(frames: int, sample_rate: float) -> tuple[np.ndarray, np.ndarray, int]:
    """pyloudnorm's block edges (first frames, end frames) and the length it measures.

    Audio shorter than a block is measured as if followed by silence to fill one.
    """
    frames = max(frames, int(_BLOCK_SECONDS * sample_rate) + 1)
    step = 1.0 - _OVERLAP
    total = frames / sample_rate
    count = int(np.round((total - _BLOCK_SECONDS) / (_BLOCK_SECONDS * step))) + 1
    lows = np.array([int(_BLOCK_SECONDS * (j * step) * sample_rate) for j in range(count)])
    highs = np.array([int(_BLOCK_SECONDS * (j * step + 1) * sample_rate) for j in range(count)])
    return lows, highs, frames


def weighed(audio: np.ndarray, sample_rate: int) -> tuple[float, np.ndarray]:
    """Integrated loudness (LUFS), and the K-weighted energy of each :data:`HOP`-frame hop.

    The energy of a frame is the sum over channels of its weighted square
    (BS.1770 weighs left and right by 1.0).
    """
    frames = len(audio)
    lows, highs, _ = _edges(frames, sample_rate)
    wanted = np.unique(np.concatenate([lows, highs]))
    channels = [audio[:, c:c + 1] for c in range(audio.shape[1])]
    with ThreadPoolExecutor(max_workers=len(channels)) as pool:  # one core each: the work is in BLAS
        parts = list(pool.map(lambda one: _energies(one, sample_rate, wanted), channels))
    prefix = sum(p for p, _ in parts)
    hops = sum(h for _, h in parts)
    energy = prefix[np.searchsorted(wanted, highs)] - prefix[np.searchsorted(wanted, lows)]
    z = np.maximum(energy, 0.0) / (_BLOCK_SECONDS * sample_rate)
    with np.errstate(divide="ignore", invalid="ignore"):
        level = -0.691 + 10.0 * np.log10(z)
        gated = z[level >= _ABSOLUTE_GATE]
        relative = -0.691 + 10.0 * np.log10(gated.mean()) + _RELATIVE_GATE if gated.size else math.nan
        kept = z[(level > relative) & (level > _ABSOLUTE_GATE)]
        mean = float(kept.mean()) if kept.size else 0.0
        lufs = -0.691 + 10.0 * np.log10(mean) if mean > 0 else -math.inf
    return float(lufs), hops


def _energies(audio: np.ndarray, sample_rate: int, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """K-weighted energy before each of the frames ``wanted`` (sorted), and in each hop."""
    frames = len(audio)
    prefix = np.zeros(len(wanted))
    hops = np.zeros(-(-frames // HOP))
    done, position = 0.0, 0
    for part, block in filtered(k_weighting(sample_rate), audio, dtype=np.float32):
        power = np.einsum("ij,ij->i", block, block, dtype=np.float64)
        whole = len(power) // HOP * HOP
        first = part.start // HOP
        hops[first:first + whole // HOP] = power[:whole].reshape(-1, HOP).sum(axis=1)
        if whole < len(power):
            hops[first + whole // HOP] = power[whole:].sum()
        running = np.cumsum(power)
        stop = int(np.searchsorted(wanted, part.stop, side="right"))
        inside = wanted[position:stop] - part.start  # edges in (start, stop]: frames before them in here
        prefix[position:stop] = done + np.where(inside > 0, running[np.maximum(inside, 1) - 1], 0.0)
        done += float(running[-1])
        position = stop
    prefix[position:] = done  # edges in the silence after the end
    return prefix, hops


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

