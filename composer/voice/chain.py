"""The vocal chain: compression, high-pass, presence, a room to match the genre's, at 44.1 kHz stereo.

The sung voice (mono, at the voice's rate) is compressed gently (a level
follower over 10 ms hops: above a threshold set from the median sung level,
the gain falls by the ratio, with attack and release). Then, in one FFT of
the whole vocal, it is filtered (a second-order high-pass and a presence
bell, zero phase, line by line: a line and its reverb tail are one FFT), given its reverb (two decorrelated, exponentially decaying
noise tails, one per side, with a pre-delay; the decay and send follow the
genre's ``reverb_room`` and ``reverb_level``) and resampled to the mix's rate
by zero-padding the spectrum. The numbers live in rules/voices.toml [chain].

:func:`chorus_spans` and :func:`relative_gain` set the vocal's level against
the band: in the choruses, the vocal stem sits ``level_lu`` above the band.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from ..data import load, require

__all__ = ["Chain", "chain", "process", "relative_gain"]

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
    values = {}
    for key, (low, high) in _LIMITS.items():
        value = require(table, key, (int, float), where=_WHERE)
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


def _tail(rate: int, seconds: float, predelay: float, rng: np.random.Generator) -> np.ndarray:
    length = int(rate * min(seconds, 4.0))
    t = np.arange(length) / rate
    noise = rng.standard_normal(length) * np.exp(-6.91 * t / seconds)
    noise[: int(predelay * rate)] = 0.0
    return noise / np.sqrt((noise ** 2).sum())


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


def _one(voice: np.ndarray, rate: int, out_rate: int, threshold: float, room: float, reverb: float,
         numbers: Chain) -> np.ndarray:
    """One sung line through the chain: stereo float32 at ``out_rate``, reverb tail included."""
    voice = _compress(voice, rate, numbers, threshold)
    seconds = max(0.2, numbers.reverb_seconds * room)
    n = len(voice) + int(rate * (min(seconds, 4.0) + numbers.reverb_predelay)) + 1
    size = 320
    while size < n:  # 320 x 2^k: the output length is exact at 44.1 or 48 kHz from 16, 22.05, 32 or 48 kHz
        size *= 2
    if (size * out_rate) % rate:
        raise ValueError(f"cannot resample {rate} Hz to {out_rate} Hz exactly")
    spectrum = np.fft.rfft(voice.astype(np.float64), size)
    freqs = np.fft.rfftfreq(size, 1.0 / rate)
    highpass = 1.0 / np.sqrt(1.0 + (numbers.highpass_hz / np.maximum(freqs, 1e-3)) ** 4)
    octaves = np.log2(np.maximum(freqs, 1.0) / numbers.presence_hz) / numbers.presence_octaves
    presence = 10 ** (numbers.presence_db * np.exp(-0.5 * (2 * octaves) ** 2) / 20)
    top = np.clip((rate / 2 - freqs) / (0.05 * rate), 0.0, 1.0)  # roll off before the voice's Nyquist
    spectrum *= highpass * presence * top
    rng = np.random.default_rng(11)
    send = numbers.reverb_send * reverb
    big = size * out_rate // rate
    out = np.empty((big, 2), dtype=np.float32)
    for side in range(2):
        wet = np.fft.rfft(_tail(rate, seconds, numbers.reverb_predelay, rng), size)
        full = np.zeros(big // 2 + 1, dtype=np.complex128)
        full[: len(spectrum)] = spectrum * (1.0 + send * wet) * (big / size)
        out[:, side] = np.fft.irfft(full, big)
    keep = int(np.ceil(n * out_rate / rate))
    return out[:keep]


def process(pieces: list[tuple[float, object, np.ndarray]], rate: int, frames: int, *, room: float,
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
    done: dict[object, np.ndarray] = {}
    for start, key, audio in pieces:
        if key not in done:
            done[key] = _one(audio, rate, out_rate, threshold, room, reverb, numbers)
        wet = done[key]
        at = int(round(start * out_rate))
        if at < 0:
            wet, at = wet[-at:], 0
        stop = min(frames, at + len(wet))
        if stop > at:
            out[at:stop] += wet[: stop - at]
    return out


def relative_gain(vocal: np.ndarray, band: np.ndarray, spans: list[tuple[int, int]], rate: int,
                  level_lu: float) -> float:
    """The gain that puts ``vocal`` ``level_lu`` above ``band`` over ``spans`` (frames), by BS.1770.

    With no span, or a silent side, the whole song is measured; 1.0 if still silent.
    """
    from ..loudness import integrated_loudness

    def loudness(audio: np.ndarray) -> float:
        parts = [audio[a:b] for a, b in spans if b > a] or [audio]
        return integrated_loudness(np.concatenate(parts), rate)

    v, b = loudness(vocal), loudness(band)
    if not (np.isfinite(v) and np.isfinite(b)):
        v, b = integrated_loudness(vocal, rate), integrated_loudness(band, rate)
    if not (np.isfinite(v) and np.isfinite(b)):
        return 1.0
    return float(10 ** ((b + level_lu - v) / 20))
