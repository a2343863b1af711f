"""Stems: one WAV per part, each at the level it has in the mix.

Every part is rendered alone (the same synth settings, only its channel
sounding), then all stems get one common gain: the gain that brings their
sum to the mastering's loudness target, lowered if any stem would peak above
-1 dBFS. Every part but the sung voice goes through the band's bus EQ (the
genre's presence shelf), as the band does in a render before the voice is
mixed over it. So the stems keep their balance, and summed they give the mix
as the master receives it, before its compression and limiting.
"""

from __future__ import annotations

import functools
import operator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .export.midi import song_to_midi
from .model import Song
from .output import slug

if TYPE_CHECKING:
    from .render import Effects
    from .soundfonts import SoundFont

__all__ = ["song_to_stems", "STEM_CEILING_DBFS"]

STEM_CEILING_DBFS = -1.0
"""No stem's sample peak goes above this."""


def song_to_stems(song: Song, folder: Path, *, soundfont: SoundFont, effects: Effects,
                  sample_rate: int = 44100, target_lufs: float = -14.0,
                  sung: tuple[np.ndarray, float] | None = None, frames: int | None = None) -> tuple[Path, ...]:
    """Write ``folder/stem-<part>.wav`` for every part of ``song``; returns the paths.

    Each is tagged as song.wav is, its title "<song title> (<part>)", artist Songgram.

    With ``sung`` (the processed voice as mixed, and the gain it was mixed
    with), stem-vocal.wav is the voice, not the Vocal instrument, which the
    mix leaves out. ``frames`` sets every stem's length (song.wav's).

    Raises:
        RenderError: a part cannot be rendered (see composer.render).
    """
    from .master import audio_to_wav, bus_eq, measure
    from .render import midi_to_audio

    midi = song_to_midi(song)
    eq = bus_eq(sample_rate, effects.presence_db)   # the band's, as in the render
    audio = {t.name: (sung[0] * np.float32(sung[1]) if sung is not None and t.role == "vocal" else
                      midi_to_audio(midi, soundfont=soundfont, effects=effects, sample_rate=sample_rate,
                                    channels={t.channel}, eq=eq))
             for t in song.tracks if t.notes}
    frames = frames or max(len(a) for a in audio.values())
    audio = {name: np.pad(a[:frames], ((0, max(0, frames - len(a))), (0, 0))) for name, a in audio.items()}
    loudness = measure(functools.reduce(operator.add, audio.values()), sample_rate).lufs
    gain = 10 ** ((target_lufs - loudness) / 20) if np.isfinite(loudness) else 1.0
    peak = max(float(np.abs(a).max()) for a in audio.values()) * gain
    ceiling = 10 ** (STEM_CEILING_DBFS / 20)
    if peak > ceiling:
        gain *= ceiling / peak
    return tuple(audio_to_wav(folder / f"stem-{slug(name)}.wav", a * gain, sample_rate, title=f"{song.title} ({name})",
                              artist="Songgram") for name, a in audio.items())
