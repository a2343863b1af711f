"""Songgram's engine: a personal message in, a complete song out.

>>> from composer import compose
>>> song = compose("Thanks for the ride to the airport at 4am. True friend.", to="Marco",
...                genre="rock", vibe="playful", seed=1, length="short")
>>> song.title
'A song for Marco'

Stages (one module each): analyse -> write -> plan -> harmonise -> scan ->
melodise -> arrange -> Song (plain data, composer.model); the exporters in
composer.export write its files, Song.save writes a folder all or nothing, and
render_file turns a song.mid into mastered audio. docs/api.md documents the API;
the names below are the public ones.
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
    from .effects import Effects as Effects
    from .grammar import genre_effects as genre_effects, genre_ids as genre_ids
    from .render import RenderReport as RenderReport, render_file as render_file
    from .save import SavedSong as SavedSong
    from .song import SEED_LIMIT as SEED_LIMIT, Song as Song, compose as compose
    from .vibes import vibe_ids as vibe_ids
    from .voice.catalog import voice_names as voice_names

__all__ = [
    "compose",
    "Song",
    "SavedSong",
    "SEED_LIMIT",
    "genre_ids",
    "vibe_ids",
    "voice_names",
    "render_file",
    "RenderReport",
    "Effects",
    "genre_effects",
    "SonggramError",
    "InputError",
    "RefusedError",
    "GrammarError",
    "RenderError",
    "OutputError",
    "__version__",
]

_LAZY = {"compose": "song", "Song": "song", "SEED_LIMIT": "song", "SavedSong": "save", "genre_ids": "grammar",
         "genre_effects": "grammar", "vibe_ids": "vibes", "voice_names": "voice.catalog", "render_file": "render",
         "RenderReport": "render", "Effects": "effects"}
"""Names imported on first use, so that ``import composer.render`` does not load the composing engine
(nor ``import composer`` numpy's audio code or the voice)."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
