"""An overdub: a part made apart (the sung voice), mixed over the band at a loudness relative to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..iir import Frames
from .tape import TapeView, blocks

__all__ = ["Overdub", "mix_overdub"]


@dataclass(frozen=True, slots=True)
class Overdub:
    """A pre-rendered part (the sung voice) mixed over the band before mastering.

    Attributes:
        make: returns the part, stereo float32 at the mix's rate from the top of
            the song; called in a forked process while the synths play (its
            working memory is freed when it ends).
        spans: (start, end) seconds where its loudness is matched against the band.
        level_lu: its loudness minus the band's over ``spans``.
        mute: MIDI channels the synths leave out (the instrument it replaces).
    """

    make: Callable[[], np.ndarray]
    spans: tuple[tuple[float, float], ...] = ()
    level_lu: float = 0.0
    mute: frozenset[int] = frozenset()


def _span_loudness(audio: Frames, spans: list[tuple[int, int]], sample_rate: int) -> float:
    """BS.1770 integrated loudness of ``audio`` over ``spans`` (frames) taken together, without copying them."""
    import math

    from pyebur128 import MeasurementMode, R128State, get_loudness_global

    state = R128State(2, sample_rate, MeasurementMode.MODE_I)
    for a, b in spans:
        for part in blocks(b - a):  # a block at a time: the band is on a tape
            piece = np.ascontiguousarray(audio[a + part.start:a + part.stop], dtype=np.float32)
            state.add_frames(piece.reshape(-1), len(piece))
    lufs = float(get_loudness_global(state))
    return lufs if math.isfinite(lufs) and lufs > -70.0 else -math.inf


def mix_overdub(band: TapeView, part: np.ndarray, overdub: Overdub, sample_rate: int) -> float:
    """Mix ``part`` into ``band`` in place, ``overdub.level_lu`` over it in ``overdub.spans``; returns its gain.

    Where the part runs past the band's end, it is cut with a 50 ms fade.
    """
    frames = min(len(band), len(part))
    if len(part) > frames:
        fade = min(frames, sample_rate // 20)
        part = part[:frames]
        part[frames - fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)[:, None]
    spans = [(int(a * sample_rate), min(int(b * sample_rate), frames)) for a, b in overdub.spans]
    spans = [(a, b) for a, b in spans if b > a] or [(0, frames)]
    mine, theirs = _span_loudness(part, spans, sample_rate), _span_loudness(band, spans, sample_rate)
    if not (np.isfinite(mine) and np.isfinite(theirs)):
        whole = [(0, frames)]
        mine, theirs = _span_loudness(part, whole, sample_rate), _span_loudness(band, whole, sample_rate)
    gain = float(10 ** ((theirs + overdub.level_lu - mine) / 20)) if np.isfinite(mine) and np.isfinite(theirs) else 1.0
    step = 1 << 16
    for at in range(0, frames, step):  # in place, a block at a time: no song-long temporary
        stop = min(at + step, frames)
        band[at:stop] += part[at:stop] * np.float32(gain)
    return gain
