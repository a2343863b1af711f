"""The audio formats Songgram writes, from ``rules/audio.toml``: one table for the CLI and the master.

Light on purpose (no numpy, no soundfile), so the command line can list and
check formats without loading the audio stack.

>>> AUDIO_FORMATS[:2], audio_format("opus").sample_rate, format_of_suffix(".FLAC")
(('wav', 'flac'), 48000, 'flac')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from . import data
from .errors import GrammarError

__all__ = ["AudioFormat", "AUDIO_FORMATS", "audio_format", "format_of_suffix"]

_WHERE = "rules/audio.toml"


@dataclass(frozen=True, slots=True)
class AudioFormat:
    """One row of ``rules/audio.toml``.

    Attributes:
        name: what ``--format`` takes ("flac").
        suffix: the file name's ending (".flac").
        container: libsndfile's major format ("FLAC").
        subtype: libsndfile's encoding ("PCM_16").
        sample_rate: Hz the file is written at, or None for the master's rate.
        true_peak_margin_db: how far under the master's true-peak ceiling the audio is limited
            before this format encodes it (lossy encoders overshoot; 0 for lossless formats).
    """

    name: str
    suffix: str
    container: str
    subtype: str
    sample_rate: int | None = None
    true_peak_margin_db: float = 0.0


@cache
def _formats() -> dict[str, AudioFormat]:
    """rules/audio.toml, read and checked once.

    Raises:
        GrammarError: a key is missing or wrong; the message names the file and the key.
    """
    raw = data.load("rules", "audio")
    table = data.require(raw, "formats", dict, where=_WHERE)
    if not table:
        raise GrammarError(f"{_WHERE}: key 'formats' lists no format")
    out = {}
    for name in table:
        key = f"formats.{name}"
        suffix = data.require(raw, f"{key}.suffix", str, where=_WHERE)
        if not (suffix.startswith(".") and suffix[1:].isalnum() and suffix == suffix.lower()):
            raise GrammarError(f"{_WHERE}: key '{key}.suffix' must look like '.flac', got {suffix!r}")
        rate = data.optional(raw, f"{key}.sample_rate", int, 0, where=_WHERE)
        if rate and not 8000 <= rate <= 192000:
            raise GrammarError(f"{_WHERE}: key '{key}.sample_rate' must be 8000..192000 Hz, got {rate}")
        margin = float(data.optional(raw, f"{key}.true_peak_margin_db", (int, float), 0.0, where=_WHERE))
        if not 0.0 <= margin <= 6.0:
            raise GrammarError(f"{_WHERE}: key '{key}.true_peak_margin_db' must be 0..6 dB, got {margin}")
        out[name] = AudioFormat(name, suffix, data.require(raw, f"{key}.container", str, where=_WHERE),
                                data.require(raw, f"{key}.subtype", str, where=_WHERE), rate or None, margin)
    return out


AUDIO_FORMATS: tuple[str, ...] = tuple(_formats())
"""The format names, the default (song.wav's) first."""


def audio_format(name: str) -> AudioFormat:
    """The row of format ``name``.

    Raises:
        KeyError: no such format (callers check ``name in AUDIO_FORMATS`` first).
    """
    return _formats()[name]


def format_of_suffix(suffix: str) -> str | None:
    """The format a file name ending writes (".mp3" -> "mp3"), or None."""
    return next((f.name for f in _formats().values() if f.suffix == suffix.lower()), None)
