"""Mastering and audio files: the public names of :mod:`composer.audio.mastering` (whose docstring
shows them at work) and :mod:`composer.audio.files`, where they always were."""

from __future__ import annotations

from .audio.files import audio_to_wav, write_audio
from .audio.mastering import SAMPLE_RATE, Loudness, bus_eq, master, measure, prepare, true_peak

__all__ = ["SAMPLE_RATE", "Loudness", "master", "measure", "true_peak", "audio_to_wav", "write_audio", "prepare",
           "bus_eq"]
