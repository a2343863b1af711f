"""Does the voice sing the written notes? Presence, pitch and level of ``stem-vocal.wav``.

Definitions (the figures of issue 11, made exact):

- **A note's middle** is its central half: from a quarter of its performed
  length after the onset to a quarter before the release, so a consonant
  placed before the beat, a scoop into the note and a breath after it all
  fall outside.
- **Sounding**: the median RMS level (20 ms windows every 10 ms) over the
  middle is at most :data:`FLOOR_DB` below the stem's reference level, the
  95th percentile of the levels inside the written notes. A silent stem has
  no note sounding.
- **Pitch**: f0 by WORLD's DIO refined by StoneMask (pyworld), on the stem
  mixed to mono and resampled to 16 kHz, 5 ms frames, searched over
  60-1100 Hz whatever the song's range, so an octave error stays an octave
  error. A note's f0 is the median over the voiced frames of its middle, in
  cents from the written pitch (A4 = 440 Hz). A note with fewer than half its
  middle's frames voiced is *unpitched*. A note off by a whole number of
  octaves (within 50 cents) is counted as an *octave error*: it is a miss
  for the +-50 and +-25 cent figures, and reported on its own.
- **Balance**: BS.1770 integrated loudness (pyloudnorm) of the vocal stem
  minus that of the sum of the other stems, over the choruses (their audio
  joined), in LU.

Why DIO + StoneMask and not Harvest or pYIN: on a 3-minute stem DIO takes a
few seconds where Harvest takes over a minute (2 shared cores), and pYIN
(librosa) is slower still; the median over a note's middle absorbs DIO's
occasional frame-level slips, and the tests hold it to known answers on
synthetic notes (a tone 30 cents sharp is within 50 cents and not within 25,
an octave-high tone is an octave error). ``method="harvest"`` is kept for
cross-checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd

import numpy as np

from .sung import Section, SungNote

__all__ = ["FLOOR_DB", "F0_RANGE", "FRAME_S", "NoteMeasure", "PitchTrack", "middle", "frame_levels",
           "sounding", "pitch_track", "note_pitches", "measure_notes", "balance_lu", "cents"]

FLOOR_DB = 25.0
"""A note sounds when its middle is at most this many dB under the stem's reference level."""
F0_RANGE = (60.0, 1100.0)
"""The f0 search range in Hz: wider than any voice, so an octave slip is seen, not folded away."""
FRAME_S = 0.005
"""The f0 frame period in seconds."""
ANALYSIS_RATE = 16000


@dataclass(frozen=True, slots=True)
class PitchTrack:
    """An f0 curve.

    Attributes:
        times: frame centres in seconds.
        f0: Hz per frame, 0 where unvoiced.
    """

    times: np.ndarray
    f0: np.ndarray


@dataclass(frozen=True, slots=True)
class NoteMeasure:
    """One written note against what was sung.

    Attributes:
        note: the written note.
        level_db: median level of its middle, dB below the stem's reference (0 = as loud).
        sounding: the level clears :data:`FLOOR_DB`.
        cents: median f0 of the middle minus the written pitch, in cents; None when unpitched.
    """

    note: SungNote
    level_db: float
    sounding: bool
    cents: float | None

    @property
    def octave_error(self) -> bool:
        """Off by a whole number of octaves (at least one), within 50 cents."""
        if self.cents is None:
            return False
        k = round(self.cents / 1200)
        return k != 0 and abs(self.cents - 1200 * k) <= 50

    def within(self, limit: float) -> bool:
        """The sung pitch is within ``limit`` cents of the written one."""
        return self.cents is not None and abs(self.cents) <= limit


def cents(f0: float, pitch: float) -> float:
    """Cents from MIDI ``pitch`` to ``f0`` Hz.

    >>> round(cents(440.0, 69), 6), round(cents(880.0, 69)), round(cents(440 * 2 ** (30 / 1200), 69))
    (0.0, 1200, 30)
    """
    return 1200.0 * float(np.log2(f0 / 440.0)) - 100.0 * (pitch - 69)


def middle(note: SungNote) -> tuple[float, float]:
    """The central half of a note, in seconds.

    >>> middle(SungNote(1.0, 2.0, 60))
    (1.25, 1.75)
    """
    quarter = (note.end - note.start) / 4
    return note.start + quarter, note.end - quarter


def _mono(audio: np.ndarray) -> np.ndarray:
    return audio.mean(axis=1) if audio.ndim == 2 else audio


def frame_levels(audio: np.ndarray, rate: int, *, window: float = 0.02, hop: float = 0.01) -> np.ndarray:
    """RMS level in dBFS of ``window``-second windows every ``hop`` seconds (frame i centred at i * hop).

    >>> tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(44100) / 44100)
    >>> round(float(np.median(frame_levels(tone, 44100))), 1)
    -9.0
    """
    x = _mono(np.asarray(audio, dtype=np.float64))
    w, h = max(1, round(window * rate)), max(1, round(hop * rate))
    padded = np.pad(x * x, (w // 2, w))
    csum = np.concatenate([[0.0], np.cumsum(padded)])
    starts = np.arange(0, len(x), h)
    power = (csum[starts + w] - csum[starts]) / w
    return 10 * np.log10(np.maximum(power, 1e-20))


def sounding(notes: tuple[SungNote, ...], audio: np.ndarray, rate: int, *,
             hop: float = 0.01) -> list[tuple[float, bool]]:
    """(level of the middle relative to the reference in dB, sounding) for every note; see the module docstring."""
    levels = frame_levels(audio, rate, hop=hop)
    inside = np.zeros(len(levels), dtype=bool)
    for n in notes:
        inside[int(n.start / hop):int(np.ceil(n.end / hop))] = True
    ref = float(np.percentile(levels[inside], 95)) if inside.any() else -200.0
    out = []
    for n in notes:
        a, b = middle(n)
        seg = levels[int(round(a / hop)):max(int(round(a / hop)) + 1, int(round(b / hop)))]
        level = float(np.median(seg)) if len(seg) else -200.0
        silent = ref < -120.0 or level < -120.0
        out.append((level - ref, not silent and level - ref >= -FLOOR_DB))
    return out


def _to_analysis_rate(audio: np.ndarray, rate: int) -> np.ndarray:
    from scipy.signal import resample_poly

    x = _mono(np.asarray(audio, dtype=np.float64))
    g = gcd(ANALYSIS_RATE, rate)
    return x if rate == ANALYSIS_RATE else resample_poly(x, ANALYSIS_RATE // g, rate // g)


def pitch_track(audio: np.ndarray, rate: int, *, method: str = "dio") -> PitchTrack:
    """The f0 curve of a (mono or stereo) recording, by WORLD (``"dio"`` + StoneMask, or ``"harvest"``).

    Raises:
        ValueError: an unknown method.
    """
    import pyworld

    x = np.ascontiguousarray(_to_analysis_rate(audio, rate))
    lo, hi = F0_RANGE
    period = FRAME_S * 1000
    if method == "dio":
        f0, times = pyworld.dio(x, ANALYSIS_RATE, f0_floor=lo, f0_ceil=hi, frame_period=period)
        f0 = pyworld.stonemask(x, f0, times, ANALYSIS_RATE)
    elif method == "harvest":
        f0, times = pyworld.harvest(x, ANALYSIS_RATE, f0_floor=lo, f0_ceil=hi, frame_period=period)
    else:
        raise ValueError(f"pitch method must be dio or harvest, got {method!r}")
    return PitchTrack(np.asarray(times), np.asarray(f0))


def note_pitches(notes: tuple[SungNote, ...], track: PitchTrack) -> list[float | None]:
    """Each note's median f0 over the voiced frames of its middle, in cents from the written pitch."""
    out: list[float | None] = []
    for n in notes:
        a, b = middle(n)
        sel = track.f0[(track.times >= a) & (track.times <= b)]
        voiced = sel[sel > 0]
        if len(sel) == 0 or len(voiced) < max(1, len(sel) / 2):
            out.append(None)
            continue
        out.append(float(np.median([cents(f, n.pitch) for f in voiced])))
    return out


def measure_notes(notes: tuple[SungNote, ...], vocal: np.ndarray, rate: int, *,
                  track: PitchTrack | None = None) -> tuple[list[NoteMeasure], PitchTrack]:
    """Presence and pitch of every note in ``vocal`` (the f0 curve is computed unless given)."""
    track = track if track is not None else pitch_track(vocal, rate)
    heard = sounding(notes, vocal, rate)
    return [NoteMeasure(n, lvl, ok, c) for n, (lvl, ok), c in zip(notes, heard, note_pitches(notes, track))], track


def balance_lu(vocal: np.ndarray, rest: np.ndarray, rate: int, sections: tuple[Section, ...], *,
               kind: str = "chorus") -> float | None:
    """Integrated loudness of ``vocal`` minus ``rest`` over the sections of ``kind``, joined; None if none.

    An all-silent vocal gives -inf.
    """
    import pyloudnorm

    spans = [(int(s.start * rate), int(s.end * rate)) for s in sections if s.kind == kind]
    spans = [(a, min(b, len(vocal))) for a, b in spans if min(b, len(vocal)) - a >= int(0.4 * rate)]
    if not spans:
        return None
    meter = pyloudnorm.Meter(rate)
    joined = [np.concatenate([x[a:b] for a, b in spans]) for x in (vocal, rest)]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # pyloudnorm warns on clipping; the stems are measured as they are
        lv, lr = (meter.integrated_loudness(x) for x in joined)
    return float(lv - lr)
