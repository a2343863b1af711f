"""Mastering: bus EQ, gentle compression, loudness to -14 LUFS, true-peak limiting.

Loudness is ITU-R BS.1770 integrated loudness, measured by libebur128, the
reference implementation (:mod:`composer.loudness`; tests compare it with
pyloudnorm). The limiter weighs each hop with the same K-weighting, a chunk at
a time, so a song costs a few megabytes rather than float64 copies of it.
True peak is measured on the signal oversampled 4x with the interpolation
filter of BS.1770 Annex 2, and is held under the ceiling by a look-ahead
limiter (a smooth gain that dips before each peak), never by clipping; only
hops whose cheap bound could reach the ceiling are oversampled. The chain
works in place, a chunk at a time, with numpy and the compiled filter kernel of
:mod:`composer.iir`: importing scipy.signal would cost more than mastering.
libebur128 holds the GIL, so it measures in a forked process while this one
works on (:func:`composer.loudness.loudness_apart`). Output files are 44.1 kHz
stereo; WAV is 16-bit PCM.

>>> import numpy as np
>>> t = np.arange(44100 * 3) / 44100
>>> tone = np.stack([np.sin(2 * np.pi * 440 * t)] * 2, axis=1).astype(np.float32) * 0.05
>>> loud = measure(master(tone, 44100), 44100)
>>> round(loud.lufs), loud.true_peak_dbtp <= -1.0
(-14, True)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..iir import Frames, butter_highpass, high_shelf, moving_average, sosfilt
from ..loudness import HOP, hop_energies, hop_peak_bounds, hop_true_peaks, integrated_loudness, loudness_apart
from .tape import Tape, TapeView, blocks, peak

__all__ = ["SAMPLE_RATE", "Loudness", "master", "master_in_place", "measure", "true_peak", "prepare", "bus_eq",
           "limited_copy", "db", "stereo"]


SAMPLE_RATE = 44100
"""The sample rate of every file Songgram writes."""

_HIGHPASS_HZ = 25.0  # bus EQ: below the bass's low E (41 Hz), sound only eats headroom
_SHELF_HZ, _SHELF_DB = 9000.0, 1.0  # bus EQ: a little air
_PRESENCE_HZ = 2000.0  # bus EQ: the genre's presence shelf starts here (its gain is the grammar's)
_COMP_RATIO, _COMP_KNEE_DB, _COMP_BELOW_LOUD_DB = 1.6, 8.0, 2.0  # gentle glue on the loudest tenth
_COMP_HOP = 512  # frames per compressor level reading (11.6 ms)
_LIMIT_REACH = 8  # hops of look-ahead and of release (11.6 ms each)
_LIMIT_MARGIN_DB = 0.3  # the limiter aims this far under the ceiling (interpolation filters differ)
_HEADROOM = 10 ** (3 / 20)  # peaks are measured exactly for up to 3 dB of make-up gain at once
_MAKEUP_ROUNDS = 6  # rounds of winning back the loudness the limiter takes
_MAX_MAKEUP = 10 ** (6 / 20)  # ... up to 6 dB
_CHUNK = 1 << 16  # frames processed at a time (keeps temporaries small)
@dataclass(frozen=True, slots=True)
class Loudness:
    """Measured loudness of a stereo signal.

    Attributes:
        lufs: integrated loudness, ITU-R BS.1770 (libebur128), LUFS.
        true_peak_dbtp: the highest absolute value of the 4x oversampled signal, dBTP.
        peak_dbfs: the highest absolute sample value, dBFS.
    """

    lufs: float
    true_peak_dbtp: float
    peak_dbfs: float


def prepare() -> None:
    """Build the filters for 44.1 kHz now; render_file does it while the synths play."""
    sosfilt(bus_eq(SAMPLE_RATE), np.zeros((1, 2), np.float32))
    hop_energies(np.zeros((1, 2), np.float32), SAMPLE_RATE)  # the K-weighting's block matrices
    import soundfile  # noqa: F401 - imported now, for write_audio
    integrated_loudness(np.zeros((1, 2), np.float32), SAMPLE_RATE)


def db(value: float) -> float:
    return 20.0 * float(np.log10(value)) if value > 0 else float("-inf")


def stereo(audio: Frames) -> Any:
    """``audio`` as float32 (frames, 2); a stereo tape as it is."""
    if isinstance(audio, TapeView) and audio.shape[1] == 2:
        return audio
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim == 1:
        audio = audio[:, None]
    if audio.ndim != 2 or audio.shape[1] not in (1, 2):
        raise ValueError(f"audio must have shape (frames, 2), got {audio.shape}")
    return np.repeat(audio, 2, axis=1) if audio.shape[1] == 1 else audio


def _running(values: np.ndarray, size: int, pick: Any) -> np.ndarray:
    """``pick`` (np.max, np.min) over a window of ``size`` centred on each value; edges repeat.

    The same as scipy.ndimage's maximum_filter1d / minimum_filter1d.
    """
    padded = np.pad(values, (size // 2, (size - 1) // 2), mode="edge")
    return pick(np.lib.stride_tricks.sliding_window_view(padded, size), axis=1)


def _sample_peak(audio: Frames) -> float:
    """The largest |sample| (a block at a time: no temporary copy of the song)."""
    return peak(audio)


def _true_peaks(audio: Frames, floor: float, bounds: np.ndarray | None = None,
                known: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per 64-frame hop, the peak of the 4x oversampled signal (both channels).

    Only hops whose bound (:func:`~composer.loudness.hop_peak_bounds`, or ``bounds``) exceeds
    ``floor`` are oversampled; the others keep their bound. ``known``: the
    (peaks, exact) of an earlier call on the same audio, whose exact peaks
    are kept rather than measured again. Returns (peaks, which hops are exact).
    """
    peaks = (hop_peak_bounds(audio) if bounds is None else bounds).copy()
    exact = peaks > floor
    todo = exact
    if known is not None:
        kept = exact & known[1]
        peaks[kept] = known[0][kept]
        todo = exact & ~known[1]
    peaks[todo] = hop_true_peaks(audio, np.flatnonzero(todo))
    return peaks, exact


def true_peak(audio: Frames) -> float:
    """The true peak of ``audio`` (linear): its largest |value| oversampled 4x.

    The same as ``abs(scipy.signal.resample_poly(audio, 4, 1, axis=0, window=h)).max()``
    with h the BS.1770 filter, but oversampling only where the peak can be.
    """
    audio = stereo(audio)
    floor = _sample_peak(audio)
    while floor > 0:
        peaks, exact = _true_peaks(audio, floor)
        found = float(peaks[exact].max()) if exact.any() else 0.0
        if exact.all() or float(peaks[~exact].max()) <= found:
            return found
        floor = found * 0.99  # rare: the peak is below the sample peak; look wider
    return 0.0


def measure(audio: Frames, sample_rate: int) -> Loudness:
    """Integrated loudness, true peak and sample peak of a stereo signal.

    >>> measure(np.zeros((44100, 2), np.float32), 44100).true_peak_dbtp
    -inf
    """
    audio = stereo(audio)
    with loudness_apart(audio, sample_rate) as lufs:  # libebur128 measures in a child while we find the peak
        peak = true_peak(audio)
        return Loudness(lufs=lufs(), true_peak_dbtp=db(peak), peak_dbfs=db(_sample_peak(audio)))


def bus_eq(sample_rate: int, presence_db: float = 0.0) -> np.ndarray:
    """Second-order sections: a 25 Hz high-pass, the genre's presence (a shelf above 2 kHz, the
    grammar's ``[mix] presence_db``) and a +1 dB shelf above 9 kHz."""
    sections = [butter_highpass(_HIGHPASS_HZ, sample_rate)]
    if presence_db:
        sections.append(high_shelf(_PRESENCE_HZ, presence_db, 1 / np.sqrt(2), sample_rate))
    return np.vstack(sections + [high_shelf(_SHELF_HZ, _SHELF_DB, 1 / np.sqrt(2), sample_rate)])  # RBJ, slope 1


def _equalise(audio: Frames, sample_rate: int) -> None:
    """Apply the bus EQ in place, a chunk at a time, a thread per channel (the work is in BLAS)."""
    sos = bus_eq(sample_rate)
    with ThreadPoolExecutor(max_workers=audio.shape[1]) as pool:
        list(pool.map(lambda c: sosfilt(sos, audio[:, c:c + 1], out=audio[:, c:c + 1]), range(audio.shape[1])))


def _apply_gain(audio: Frames, gain: np.ndarray, hop: int) -> None:
    """Multiply ``audio`` in place by per-hop gains, interpolated between hop centres (``hop`` even).

    As ``np.interp`` between the centres (the gain holds before the first and
    after the last), built a hop at a time as float32 ramps: from the middle
    of hop k to the middle of hop k + 1, frame j of the ``hop`` frames gets
    g[k] + (g[k + 1] - g[k]) (j + 1/2) / hop.

    >>> audio = np.ones((8, 2), np.float32)
    >>> _apply_gain(audio, np.array([1.0, 2.0, 0.0]), 2)
    >>> audio[:, 0].tolist()
    [1.0, 1.25, 1.75, 1.5, 0.5, 0.0, 0.0, 0.0]
    """
    if hop % 2 or not len(gain):
        raise ValueError(f"hop must be even and gains given, got hop {hop} and {len(gain)} gains")
    half = hop // 2
    ramp = ((np.arange(hop) + 0.5) / hop).astype(np.float32)[None, :, None]
    steps = max(0, min(len(gain) - 1, (len(audio) - half) // hop))  # whole ramps between centres
    audio[:half] *= np.float32(gain[0])
    per = max(1, _CHUNK // hop)
    for first in range(0, steps, per):
        last = min(steps, first + per)
        g = gain[first:last + 1].astype(np.float32)
        part = slice(half + first * hop, half + last * hop)
        block = audio[part].reshape(last - first, hop, audio.shape[1])
        block *= g[:-1, None, None] + (g[1:] - g[:-1])[:, None, None] * ramp
        if not isinstance(audio, np.ndarray):  # a tape: ``block`` is a copy, written back
            audio[part] = block.reshape(-1, audio.shape[1])
    rest = half + steps * hop  # frames after the last whole ramp
    if rest < len(audio):
        if steps < len(gain) - 1:  # a part of a ramp
            frames = np.arange(rest, len(audio), dtype=np.float64)
            centres = (np.arange(steps, len(gain)) + 0.5) * hop - 0.5
            audio[rest:] *= np.interp(frames, centres, gain[steps:]).astype(np.float32)[:, None]
        else:
            audio[rest:] *= np.float32(gain[-1])


def _compress(audio: Frames, sample_rate: int) -> None:
    """Gentle linked-stereo compression of the loudest passages, in place."""
    hops = len(audio) // _COMP_HOP
    if hops < 8:
        return
    power = np.empty(hops)
    for part in blocks(hops * _COMP_HOP, _CHUNK // _COMP_HOP * _COMP_HOP):
        block = audio[part].reshape(-1, _COMP_HOP * 2)
        power[part.start // _COMP_HOP:part.stop // _COMP_HOP] = np.einsum("ij,ij->i", block, block)
    window = max(1, round(0.05 * sample_rate / _COMP_HOP))  # RMS over ~50 ms
    power = moving_average(power / (_COMP_HOP * 2), window, mode="same")
    level = 10 * np.log10(np.maximum(power, 1e-12))
    sounding = level[level > level.max() - 40]
    over = level - (float(np.percentile(sounding, 90)) - _COMP_BELOW_LOUD_DB)
    knee, slope = _COMP_KNEE_DB / 2, 1 - 1 / _COMP_RATIO
    reduction = np.where(over <= -knee, 0.0, np.where(over >= knee, slope * over,
                                                      slope * (over + knee) ** 2 / (4 * knee)))
    # hold then average over ~150 ms: the gain eases down before a loud passage and back after it
    smooth = max(1, round(0.15 * sample_rate / _COMP_HOP))
    held = _running(reduction, smooth, np.max)
    reduction = moving_average(np.pad(held, smooth // 2, mode="edge"), smooth, mode="valid")
    _apply_gain(audio, 10 ** (-reduction[:hops] / 20), _COMP_HOP)


def _limit_gain(peaks: np.ndarray, ceiling: float) -> np.ndarray:
    """Per-hop limiter gain: under ceiling/peak at every peak, changing smoothly.

    A minimum over +-(reach + 1) hops, then a moving average over +-reach
    hops: the gain at a hop, and between it and its neighbours (frames are
    interpolated between hop centres), only averages values already held down
    to what that hop needs, so no peak gets through; the gain falls and rises
    linearly.
    """
    need = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    span = 2 * _LIMIT_REACH + 1
    held = _running(need, span + 2, np.min)  # one hop more: frames between
    return moving_average(np.pad(held, _LIMIT_REACH, mode="edge"), span, mode="valid")


def master(audio: Frames, sample_rate: int, *, target_lufs: float = -14.0,
           ceiling_dbtp: float = -1.0) -> np.ndarray:
    """Master a stereo mix: EQ, compression, loudness to ``target_lufs``, true peak limit.

    Args:
        audio: float array of shape (frames, 2) (mono is spread to stereo).
        sample_rate: frames per second.
        target_lufs: integrated loudness to reach (BS.1770, libebur128).
        ceiling_dbtp: the true peak never exceeds this.

    Returns:
        a new float32 array of the same shape. Silence comes back unchanged.
    """
    mix = np.array(stereo(audio), dtype=np.float32, order="C")
    master_in_place(mix, sample_rate, target_lufs=target_lufs, ceiling_dbtp=ceiling_dbtp)
    return mix


def master_in_place(mix: Frames, sample_rate: int, *, target_lufs: float = -14.0,
            ceiling_dbtp: float = -1.0, equalised: bool = False,
            meanwhile: Callable[[], Any] | None = None) -> Loudness:
    """:func:`master`, in place on ``mix`` (float32, C order, (frames, 2)); returns its figures.

    ``equalised``: the bus EQ (:func:`bus_eq`) is already applied (the
    renderer's synths filter their own segments). ``meanwhile`` runs once
    ``mix`` is mastered, while the final loudness is measured (it may read
    ``mix``, not change it): render_file writes the files then.

    libebur128 measures in a forked process (:func:`loudness_apart`), the
    first time while the hops are weighed, the second while the peaks are
    checked and ``meanwhile`` runs.

    The figures are measured on the result, as :func:`measure` would, but the
    true peak is not oversampled again where it need not be: where the gain
    is steady across a hop (the limiter idle), the hop's peak is the one
    measured before, times the gain.
    """
    if not _sample_peak(mix):
        return _measured(mix, sample_rate, meanwhile)
    if not equalised:
        _equalise(mix, sample_rate)
    _compress(mix, sample_rate)
    with loudness_apart(mix, sample_rate) as measured:
        energy = hop_energies(mix, sample_rate)
        bounds = hop_peak_bounds(mix)
        loudness = measured()
    if not np.isfinite(loudness):  # quieter than BS.1770's -70 LUFS gate: nothing to go by
        return _measured(mix, sample_rate, meanwhile)
    gain = 10 ** ((target_lufs - loudness) / 20)
    ceiling = 10 ** ((ceiling_dbtp - _LIMIT_MARGIN_DB) / 20)
    loud = energy > energy.max() * 1e-4  # hops within 40 dB of the loudest: what the gating keeps
    base, most = gain, gain * _MAX_MAKEUP  # for very peaky mixes the ceiling wins over the target
    checked = gain * _HEADROOM  # peaks are exact wherever this much gain could reach the ceiling
    peaks, exact = _true_peaks(mix, ceiling / checked, bounds)
    for _ in range(_MAKEUP_ROUNDS):  # win back the loudness the limiter takes, and limit again
        limit = _limit_gain(peaks * gain, ceiling)
        kept = float(np.sum(energy[loud] * limit[loud] ** 2) / np.sum(energy[loud]))
        wanted = min(most, base / kept ** 0.5)
        if wanted < gain * 1.002:  # within 0.02 dB
            break
        gain = wanted
        if gain > checked:
            checked = min(most, gain * _HEADROOM)
            peaks, exact = _true_peaks(mix, ceiling / checked, bounds, (peaks, exact))
    else:
        limit = _limit_gain(peaks * gain, ceiling)
    gains = limit * gain
    _apply_gain(mix, gains, HOP)
    with loudness_apart(mix, sample_rate) as measured:
        steady = exact & (_running(gains, 3, np.max) - _running(gains, 3, np.min) <= gains * 1e-9)
        found = float((peaks[steady] * gains[steady]).max()) if steady.any() else 0.0
        again = np.flatnonzero(~steady & (peaks * _running(gains, 3, np.max) > found))
        if len(again):
            found = max(found, float(hop_true_peaks(mix, again).max()))
        figures = Loudness(lufs=-math.inf, true_peak_dbtp=db(found), peak_dbfs=db(_sample_peak(mix)))
        if meanwhile:
            meanwhile()
        return dataclasses.replace(figures, lufs=measured())


def _measured(mix: Frames, sample_rate: int, meanwhile: Callable[[], Any] | None) -> Loudness:
    """:func:`measure`, then ``meanwhile``: for a mix left as it is."""
    figures = measure(mix, sample_rate)
    if meanwhile:
        meanwhile()
    return figures


def limited_copy(audio: Frames, ceiling_dbtp: float, folder: Path) -> tuple[Any, Tape | None]:
    """``audio`` with its true peak limited to ``ceiling_dbtp``: ``audio`` itself where no hop can
    reach it, else a limited copy on a tape in ``folder`` (returned too, for the caller to close).

    The limiter of :func:`master_in_place` (look-ahead, smooth, never clipping, aiming
    :data:`_LIMIT_MARGIN_DB` under the ceiling), run on the finished master
    for the formats whose encoders overshoot (``true_peak_margin_db``).
    """
    ceiling = 10 ** ((ceiling_dbtp - _LIMIT_MARGIN_DB) / 20)
    bounds = hop_peak_bounds(audio)
    if not len(bounds) or float(bounds.max()) <= ceiling:
        return audio, None
    peaks, _ = _true_peaks(audio, ceiling, bounds)
    limit = _limit_gain(peaks, ceiling)
    if float(limit.min()) >= 1.0:
        return audio, None
    tape = Tape(len(audio), folder=folder)
    try:
        copy = tape.view()
        for part in blocks(len(audio)):
            copy[part] = audio[part]
        _apply_gain(copy, limit, HOP)
    except BaseException:
        tape.close()
        raise
    return copy, tape
