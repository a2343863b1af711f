"""The vocal chain: compression, high-pass, presence, a room to match the genre's, at 44.1 kHz stereo.

The sung voice (mono, at the voice's rate) is compressed gently (a level
follower over 10 ms hops: above a threshold set from the median sung level,
the gain falls by the ratio, with attack and release). Then, in one FFT of
the whole vocal, it is filtered (a second-order high-pass and a presence
bell, zero phase, line by line: a line and its reverb tail are one FFT), given its reverb (two decorrelated, exponentially decaying
noise tails, one per side, with a pre-delay; the decay and send follow the
genre's ``reverb_room`` and ``reverb_level``) and resampled to the mix's rate
by zero-padding the spectrum. The numbers live in rules/voices.toml [chain].

Its level against the band (``level_lu`` over the band in the choruses) is
set where both are at hand, by :func:`composer.render.render_file`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from typing import Sequence

import numpy as np

from ..data import load, require

__all__ = ["Chain", "chain", "process"]

_WHERE = "rules/voices.toml [chain]"
_HOP = 0.01


@dataclass(frozen=True, slots=True)
class Chain:
    """The vocal chain's numbers (rules/voices.toml [chain])."""

    highpass_hz: float
    presence_hz: float
    presence_db: float
    presence_octaves: float
    compress_threshold_db: float
    compress_ratio: float
    compress_attack: float
    compress_release: float
    reverb_seconds: float
    reverb_send: float
    reverb_predelay: float
    level_lu: float


_LIMITS = {
    "highpass_hz": (20.0, 400.0), "presence_hz": (1000.0, 7000.0), "presence_db": (-6.0, 9.0),
    "presence_octaves": (0.3, 4.0), "compress_threshold_db": (-12.0, 20.0), "compress_ratio": (1.0, 10.0),
    "compress_attack": (0.001, 0.2), "compress_release": (0.01, 2.0), "reverb_seconds": (0.1, 8.0),
    "reverb_send": (0.0, 1.0), "reverb_predelay": (0.0, 0.2), "level_lu": (-6.0, 6.0),
}


@cache
def chain() -> Chain:
    """The chain's numbers, read and checked once.

    Raises:
        GrammarError: a missing key or a value out of range, naming the file and key.
    """
    from ..errors import GrammarError

    table = require(load("rules", "voices"), "chain", dict, where="rules/voices.toml")
    values: dict[str, float] = {}
    for key, (low, high) in _LIMITS.items():
        value: float = require(table, key, (int, float), where=_WHERE)
        if not low <= value <= high:
            raise GrammarError(f"{_WHERE}: key 'chain.{key}' must be {low}..{high}, got {value}")
        values[key] = float(value)
    return Chain(**values)


def _compress(voice: np.ndarray, rate: int, numbers: Chain, threshold: float) -> np.ndarray:
    hop = int(rate * _HOP)
    count = len(voice) // hop
    if count < 2:
        return voice
    power = (voice[:count * hop].astype(np.float64).reshape(count, hop) ** 2).mean(axis=1)
    level = 10 * np.log10(power + 1e-12)
    over = np.maximum(level - threshold, 0.0)
    wanted = -over * (1 - 1 / numbers.compress_ratio)
    attack = np.exp(-_HOP / numbers.compress_attack)
    release = np.exp(-_HOP / numbers.compress_release)
    gain = np.empty(count)
    g = 0.0
    for i, w in enumerate(wanted.tolist()):  # a level follower: fast down, slow back up
        k = attack if w < g else release
        g = w + (g - w) * k
        gain[i] = g
    per_sample = np.interp(np.arange(len(voice)) / hop - 0.5, np.arange(count), 10 ** (gain / 20))
    return (voice * per_sample).astype(np.float32)


def _tail(rate: int, seconds: float, predelay: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    length = int(rate * min(seconds, 4.0))
    t = np.arange(length) / rate
    noise = rng.standard_normal(length) * np.exp(-6.91 * t / seconds)
    noise[: int(predelay * rate)] = 0.0
    return (noise / np.sqrt((noise ** 2).sum())).astype(np.float32)


def _threshold(pieces: list[np.ndarray], rate: int, numbers: Chain) -> float:
    """The compressor's threshold (dB): the median level of the sung hops, plus the chain's offset."""
    hop = int(rate * _HOP)
    levels = []
    for audio in pieces:
        count = len(audio) // hop
        if count:
            power = (audio[:count * hop].astype(np.float64).reshape(count, hop) ** 2).mean(axis=1)
            levels.append(10 * np.log10(power + 1e-12))
    if not levels:
        return 0.0
    level = np.concatenate(levels)
    sung = level[level > level.max() - 40]
    return float(np.median(sung)) + numbers.compress_threshold_db


class _Spectra:
    """The chain's filter and reverb spectra for each FFT size, computed once per song."""

    def __init__(self, rate: int, room: float, reverb: float, numbers: Chain) -> None:
        self.rate, self.numbers = rate, numbers
        self.seconds = max(0.2, numbers.reverb_seconds * room)
        self.send = numbers.reverb_send * reverb
        self.cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def get(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        """(dry filter, wet filter) spectra, each (2, size // 2 + 1): left and right."""
        if size not in self.cache:
            numbers, rate = self.numbers, self.rate
            freqs = np.fft.rfftfreq(size, 1.0 / rate)
            highpass = 1.0 / np.sqrt(1.0 + (numbers.highpass_hz / np.maximum(freqs, 1e-3)) ** 4)
            octaves = np.log2(np.maximum(freqs, 1.0) / numbers.presence_hz) / numbers.presence_octaves
            presence = 10 ** (numbers.presence_db * np.exp(-0.5 * (2 * octaves) ** 2) / 20)
            top = np.clip((rate / 2 - freqs) / (0.05 * rate), 0.0, 1.0)  # roll off before the voice's Nyquist
            dry = (highpass * presence * top).astype(np.float32)
            wet = np.stack([np.fft.rfft(_tail(rate, self.seconds, numbers.reverb_predelay, 11 + side), size)
                            for side in range(2)]) * np.float32(self.send)
            self.cache[size] = (dry, (1.0 + wet).astype(np.complex64))
        return self.cache[size]


def _one(voice: np.ndarray, rate: int, out_rate: int, threshold: float, spectra: _Spectra) -> np.ndarray:
    """One sung line through the chain: stereo float32 at ``out_rate``, reverb tail included."""
    numbers = spectra.numbers
    voice = _compress(voice, rate, numbers, threshold)
    n = len(voice) + int(rate * (min(spectra.seconds, 4.0) + numbers.reverb_predelay)) + 1
    size = 320
    while size < n:  # 320 x 2^k: the output length is exact at 44.1 or 48 kHz from 16, 22.05, 32 or 48 kHz
        size *= 2
    if (size * out_rate) % rate:
        raise ValueError(f"cannot resample {rate} Hz to {out_rate} Hz exactly")
    dry, wet = spectra.get(size)
    spectrum = np.fft.rfft(voice.astype(np.float32), size) * dry
    big = size * out_rate // rate
    keep = int(np.ceil(n * out_rate / rate))
    out = np.empty((keep, 2), dtype=np.float32)
    full = np.zeros(big // 2 + 1, dtype=np.complex64)
    for side in range(2):
        full[: len(spectrum)] = spectrum * wet[side] * np.float32(big / size)
        out[:, side] = np.fft.irfft(full, big)[:keep]
    return out


def process(pieces: Sequence[tuple[float, object, np.ndarray]], rate: int, frames: int, *, room: float,
            reverb: float, out_rate: int = 44100) -> np.ndarray:
    """The processed vocal: stereo float32 at ``out_rate``, ``frames`` long.

    Args:
        pieces: the sung lines as (start in seconds, key, mono audio at ``rate``); pieces with
            the same key are the same audio, processed once.
        rate: the voice's sample rate.
        frames: the length wanted (the band's), at ``out_rate``.
        room: the genre's reverb_room (0..1): how long the vocal's room rings.
        reverb: the genre's reverb_level (0..1): how much of it is heard.
        out_rate: the mix's rate.
    """
    numbers = chain()
    out = np.zeros((frames, 2), dtype=np.float32)
    distinct = {key: audio for _, key, audio in pieces}
    threshold = _threshold(list(distinct.values()), rate, numbers)
    spectra = _Spectra(rate, room, reverb, numbers)
    done: dict[object, np.ndarray] = {}
    for start, key, audio in pieces:
        if key not in done:
            done[key] = _one(audio, rate, out_rate, threshold, spectra)
        wet = done[key]
        at = int(round(start * out_rate))
        if at < 0:
            wet, at = wet[-at:], 0
        stop = min(frames, at + len(wet))
        if stop > at:
            out[at:stop] += wet[: stop - at]
    return out
