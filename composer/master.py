"""Mastering and audio files: the public names of :mod:`composer.audio.mastering` and
:mod:`composer.audio.files`, where they always were.

>>> import numpy as np
>>> t = np.arange(44100 * 3) / 44100
>>> tone = np.stack([np.sin(2 * np.pi * 440 * t)] * 2, axis=1).astype(np.float32) * 0.05
>>> loud = measure(master(tone, 44100), 44100)
>>> round(loud.lufs), loud.true_peak_dbtp <= -1.0
(-14, True)
"""

from __future__ import annotations

from .audio.files import audio_to_wav, write_audio
from .audio.mastering import SAMPLE_RATE, Loudness, bus_eq, master, measure, prepare, true_peak

__all__ = ["SAMPLE_RATE", "Loudness", "master", "measure", "true_peak", "audio_to_wav", "write_audio", "prepare",
           "bus_eq"]
