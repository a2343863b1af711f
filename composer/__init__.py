"""Songgram's engine: a personal message in, a complete song out.

>>> from composer import compose
>>> song = compose("Thanks for the ride to the airport at 4am. True friend.", to="Marco",
...                genre="rock", vibe="playful", seed=1, length="short")
>>> song.title
'A song for Marco'

Stages (one module each): analyse -> write -> plan -> harmonise -> scan ->
melodise -> arrange -> Song, whose methods export MIDI, JSON, text and
MusicXML; composer.render turns MIDI into mastered audio.
"""

from typing import TYPE_CHECKING, Any

from .errors import (
    GrammarError as GrammarError,
    InputError as InputError,
    OutputError as OutputError,
    RefusedError as RefusedError,
    RenderError as RenderError,
    SonggramError as SonggramError,
)
from .version import __version__ as __version__

if TYPE_CHECKING:
    from .grammar import genre_ids as genre_ids
    from .song import SEED_LIMIT as SEED_LIMIT, Song as Song, compose as compose
    from .vibes import vibe_ids as vibe_ids

__all__ = [
    "compose",
    "Song",
    "SEED_LIMIT",
    "genre_ids",
    "vibe_ids",
    "SonggramError",
    "InputError",
    "RefusedError",
    "GrammarError",
    "RenderError",
    "OutputError",
    "__version__",
]

_LAZY = {"compose": "song", "Song": "song", "SEED_LIMIT": "song", "genre_ids": "grammar", "vibe_ids": "vibes"}
"""Names imported on first use, so that ``import composer.render`` does not load the composing engine."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
