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

from .errors import (
    GrammarError as GrammarError,
    InputError as InputError,
    OutputError as OutputError,
    RefusedError as RefusedError,
    RenderError as RenderError,
    SonggramError as SonggramError,
)
from .grammar import genre_ids as genre_ids
from .song import SEED_LIMIT as SEED_LIMIT, Song as Song, compose as compose
from .version import __version__ as __version__
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
