"""Singing with the WORLD vocoder (pyworld): a spoken line analysed once, re-timed and re-pitched.

WORLD splits speech into its pitch (DIO, refined by StoneMask), its spectral
envelope (CheapTrick: the vowel and consonant colour) and its aperiodicity
(breath and noise; modelled from the voicing and the phone, see
:func:`_aperiodicity`, rather than measured by D4C). We keep the envelope and aperiodicity, move them in
time by the line's time map (:mod:`.warp`), interpolating between analysis
frames where a vowel is stretched, give every voiced frame the pitch of the
tune, and resynthesise. Vowels, nasals, liquids and glides are always
voiced, so a stretched vowel never breaks and a nasal never turns to noise. Before each phrase, a short breath: the first vowel's envelope,
30 dB down, as pure noise.

Every distinct line is spoken and analysed once; a line sung again on the
same notes (a chorus) is synthesised once and copied.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from .catalog import Voice
from .festival import Spoken, speak
from .score import Line
from .warp import pitch_curve, time_map, units

__all__ = ["FRAME_SECONDS", "Analysis", "analyse", "sing_line", "sing_lines"]

FRAME_SECONDS = 0.005
"""WORLD's frame period."""

_BREATH = (0.22, 0.03)  # the breath before a phrase: from this long before its first phone, to this long before
_BREATH_DB = -30.0
_F0_RANGE = (60.0, 600.0)
_SILENT = 1e-12
_AP_FLOOR_DB, _AP_RISE_DB = -40.0, 30.0
_H1_MARGIN_DB = 6.0  # the fundamental is kept at most this far under the second harmonic
_H1_MAX_BOOST_DB = 20.0
_H1_WIDTH = 0.3  # octaves: the standard deviation of the bell that lifts the fundamental
_FFT_SIZE = 512  # at 16 kHz: a 32 ms window, enough for voices over 94 Hz; half the default's cost  # spectral envelope (power) of a silent frame


@dataclass(frozen=True, slots=True)
class Analysis:
    """WORLD's analysis of one spoken line, frame by frame."""

    f0: np.ndarray
    envelope: np.ndarray
    aperiodicity: np.ndarray
    vowel: np.ndarray  # True where a vowel is spoken
    sonorant: np.ndarray  # True where a vowel, nasal, liquid or glide is spoken: always voiced


def analyse(spoken: Spoken, rate: int) -> Analysis:
    """Analyse a spoken line with WORLD (DIO + StoneMask, CheapTrick; the aperiodicity modelled)."""
    import pyworld

    audio = np.ascontiguousarray(spoken.audio, dtype=np.float64)
    period = FRAME_SECONDS * 1000
    f0, times = pyworld.dio(audio, rate, f0_floor=_F0_RANGE[0], f0_ceil=_F0_RANGE[1], frame_period=period)
    f0 = pyworld.stonemask(audio, f0, times, rate)
    vowel = np.zeros(len(f0), dtype=bool)
    sonorant = np.zeros(len(f0), dtype=bool)
    for phone in spoken.phones:
        span = slice(int(phone.start / FRAME_SECONDS), int(np.ceil(phone.end / FRAME_SECONDS)))
        vowel[span] |= phone.vowel
        sonorant[span] |= phone.sonorant
    voiced = np.flatnonzero(f0 > 0)
    gaps = sonorant & (f0 <= 0)
    if voiced.size and gaps.any():  # DIO lost the pitch inside a sonorant: analyse it as voiced anyway
        f0[gaps] = np.interp(np.flatnonzero(gaps), voiced, f0[voiced])
    size = _FFT_SIZE * rate // 16000
    envelope = pyworld.cheaptrick(audio, f0, times, rate, fft_size=size)
    return Analysis(f0, envelope, _aperiodicity(f0, sonorant, size, rate), vowel, sonorant)


def _aperiodicity(f0: np.ndarray, sonorant: np.ndarray, size: int, rate: int) -> np.ndarray:
    """A model of the aperiodicity, in place of D4C's (which cost 30% of the voice for no gain we could measure).

    Unvoiced frames are noise; voiced frames are periodic in the low
    frequencies and breathier up high (-40 dB at 0 Hz rising 30 dB over
    8 kHz); voiced obstruents (z, v, dh...) add frication above 1.5 kHz.
    """
    freqs = np.linspace(0.0, rate / 2, size // 2 + 1)
    voiced_curve = np.clip(10 ** ((_AP_FLOOR_DB + _AP_RISE_DB * freqs / 8000.0) / 20), 0.001, 1.0)
    fricated = np.where(freqs > 1500.0, 0.5, voiced_curve)
    out = np.ones((len(f0), len(freqs)))
    voiced = f0 > 0
    out[voiced & sonorant] = voiced_curve
    out[voiced & ~sonorant] = fricated
    return out


def _lift_fundamental(envelope: np.ndarray, f0: np.ndarray, rate: int) -> None:
    """Where the spoken envelope leaves a sung note's fundamental far under its second harmonic, lift it.

    Speech at 170 Hz, sung at 400, puts the fundamental under the first
    formant and the second harmonic on it: WORLD would then sing a note whose
    fundamental is 25 dB down, heard (and tracked) an octave high. Singers
    tune their vowels so the fundamental carries; here a bell centred on f0
    (in octaves, :data:`_H1_WIDTH` wide) lifts it to within
    :data:`_H1_MARGIN_DB` of the second harmonic. In place, voiced frames only.
    """
    voiced = np.flatnonzero(f0 > 0)
    if not voiced.size:
        return
    bins = envelope.shape[1]
    freqs = np.linspace(0.0, rate / 2, bins)
    env = envelope[voiced]
    low = np.maximum(f0[voiced], freqs[1])
    rows = np.arange(len(env))

    def at(f: np.ndarray) -> np.ndarray:  # the envelope of each frame at its own frequency, interpolated
        pos = np.clip(f / freqs[1], 0.0, bins - 1.0)
        k = np.minimum(pos.astype(np.int64), bins - 2)
        w = pos - k
        return env[rows, k] * (1.0 - w) + env[rows, k + 1] * w

    h1, h2 = at(low), at(2 * low)
    gain = np.clip(10 * np.log10(np.maximum(h2, 1e-30) / np.maximum(h1, 1e-30)) - _H1_MARGIN_DB,
                   0.0, _H1_MAX_BOOST_DB)
    if not gain.any():
        return
    octaves = np.log2(np.maximum(freqs[None, :], 1.0) / low[:, None])
    bell = np.exp(-0.5 * (octaves / _H1_WIDTH) ** 2)
    envelope[voiced] = env * 10 ** (gain[:, None] * bell / 10)


def _frames(values: np.ndarray, position: np.ndarray) -> np.ndarray:
    """``values`` (frames x bins) read at fractional frame ``position``s, linearly interpolated."""
    low = np.clip(np.floor(position).astype(np.int64), 0, len(values) - 1)
    high = np.minimum(low + 1, len(values) - 1)
    weight = np.clip(position - low, 0.0, 1.0)[:, None]
    return values[low] * (1.0 - weight) + values[high] * weight


def sing_line(line: Line, spoken: Spoken, analysis: Analysis, rate: int,
              rng: np.random.Generator) -> tuple[float, np.ndarray]:
    """Sing one line: (the time of its first sample in seconds, mono float64 audio at ``rate``)."""
    import pyworld

    parts = units(line, spoken.phones)
    out_t, src_t, spans = time_map(parts)
    first = spans[0][0] - _BREATH[0]
    count = int(np.ceil((spans[-1][1] - first) / FRAME_SECONDS)) + 3
    times = first + np.arange(count) * FRAME_SECONDS
    sounding = np.zeros(count, dtype=bool)
    for a, b in spans:
        sounding[(times >= a) & (times <= b)] = True
    position = np.interp(times, out_t, src_t) / FRAME_SECONDS
    envelope = _frames(analysis.envelope, position)
    aperiodicity = _frames(analysis.aperiodicity, position)
    nearest = np.clip(np.rint(position).astype(np.int64), 0, len(analysis.f0) - 1)
    voiced = sounding & ((analysis.f0[nearest] > 0) | analysis.sonorant[nearest])
    curve = pitch_curve(times, line.notes, rng)
    f0 = np.where(voiced, 440.0 * 2.0 ** ((curve - 69.0) / 12.0), 0.0)
    _lift_fundamental(envelope, f0, rate)
    quiet = ~sounding
    envelope[quiet] = _SILENT
    aperiodicity[quiet] = 1.0
    for a, _ in spans:  # a breath before each phrase
        vowel = np.flatnonzero(analysis.vowel)
        colour = analysis.envelope[vowel[0] if vowel.size else 0]
        at = np.flatnonzero((times >= a - _BREATH[0]) & (times < a - _BREATH[1]) & quiet)
        if at.size:
            shape = np.sin(np.linspace(0.0, np.pi, at.size)) ** 2
            envelope[at] = colour[None, :] * (10 ** (_BREATH_DB / 10)) * shape[:, None] + _SILENT
    audio = pyworld.synthesize(np.ascontiguousarray(f0), np.ascontiguousarray(envelope),
                               np.ascontiguousarray(aperiodicity), rate, FRAME_SECONDS * 1000)
    return first, audio


def _key(*parts: object) -> bytes:
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).digest()


def sing_lines(lines: list[Line], voice: Voice, *, seed: int = 0) -> list[tuple[float, bytes, np.ndarray]]:
    """Sing ``lines`` with ``voice``: (start in seconds, key, mono float32 audio at ``voice.rate``) per line.

    Lines sung on the same words and notes share a key and one audio array.

    Raises:
        RenderError: Festival is missing or fails.
    """
    lines = [line for line in lines if line.notes]
    if not lines:
        return []
    texts = list(dict.fromkeys(line.words for line in lines))
    spoken = speak(voice, [list(words) for words in texts])
    analyses: dict[int, Analysis] = {}
    sung: dict[bytes, tuple[float, np.ndarray]] = {}
    placed = []
    for line in lines:
        which = texts.index(line.words)
        origin = line.notes[0].start
        shape = tuple((round(n.start - origin, 4), round(n.end - origin, 4), n.pitch, n.word, n.syllable)
                      for n in line.notes)
        key = _key(line.words, shape)
        if key not in sung:
            if which not in analyses:
                analyses[which] = analyse(spoken[which], voice.rate)
            rng = np.random.default_rng([seed, int.from_bytes(key[:8], "little")])
            begin, audio = sing_line(line, spoken[which], analyses[which], voice.rate, rng)
            sung[key] = (begin - origin, audio.astype(np.float32))
        offset, audio = sung[key]
        placed.append((origin + offset, key, audio))
    return placed
