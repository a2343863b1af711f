"""Exporters: free functions, each turning a :class:`~composer.model.Song` into one file format.

:data:`SONG_FILES` is the one table of the files a song writes (audio aside,
which :mod:`composer.save` renders): the file name, the exporter that makes
it, and whether it is written only when asked for. :func:`composer.save.save_song`
writes from it, and :class:`composer.Song`'s ``to_*`` methods go through it.

>>> [f.name for f in SONG_FILES]
['song.mid', 'song.json', 'lyrics.txt', 'song.chordpro', 'song.musicxml', 'song.kar', 'song.png']
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..model import Song
from .karaoke import song_to_kar
from .midi import song_to_midi
from .musicxml import song_to_musicxml
from .pianoroll import song_to_png
from .songjson import song_to_json
from .text import song_to_chordpro, song_to_lyrics

__all__ = ["SongFile", "SONG_FILES", "song_file", "song_files", "make"]

Content = bytes | str | Callable[[Path], None]
"""What a file holds, as :func:`composer.output.write_files` takes it: bytes, text, or a function that
writes the path."""


@dataclass(frozen=True, slots=True)
class SongFile:
    """One file a song writes.

    Attributes:
        name: the file's name in the song's folder.
        export: the exporter that makes its content (bytes or text), or None for a drawn file.
        draw: for a file that its exporter writes straight to a path (song.png, through
            matplotlib): the function of (song, path).
        optional: written only when asked for (``png=True``).
    """

    name: str
    export: Callable[[Song], bytes | str] | None = None
    draw: Callable[[Song, str | os.PathLike[str]], None] | None = None
    optional: bool = False

    def content(self, song: Song) -> Content:
        """The file's content for ``song``: bytes or text, or the function that draws it to a path."""
        if self.export is not None:
            return self.export(song)
        if self.draw is None:
            raise ValueError(f"{self.name} has neither an exporter nor a drawing function")
        return functools.partial(self.draw, song)


SONG_FILES: tuple[SongFile, ...] = (
    SongFile("song.mid", export=song_to_midi),
    SongFile("song.json", export=song_to_json),
    SongFile("lyrics.txt", export=song_to_lyrics),
    SongFile("song.chordpro", export=song_to_chordpro),
    SongFile("song.musicxml", export=song_to_musicxml),
    SongFile("song.kar", export=song_to_kar),
    SongFile("song.png", draw=song_to_png, optional=True),
)
"""The files a song writes, in the order they are made."""


def song_file(name: str) -> SongFile:
    """The entry of :data:`SONG_FILES` for the file ``name``.

    Raises:
        KeyError: no file of a song has that name.
    """
    for entry in SONG_FILES:
        if entry.name == name:
            return entry
    raise KeyError(f"a song writes no file named {name!r}; its files: {', '.join(f.name for f in SONG_FILES)}")


def make(song: Song, name: str) -> bytes | str:
    """The content of the file ``name`` (an exported one, not a drawn one) for ``song``.

    >>> from composer import compose
    >>> song = compose("Thank you", to="Mom", seed=1, length="short")
    >>> make(song, "song.mid")[:4]
    b'MThd'
    """
    entry = song_file(name)
    if entry.export is None:
        raise ValueError(f"{name} is drawn to a path, not made in memory")
    return entry.export(song)


def song_files(song: Song, *, png: bool = False) -> dict[str, Content]:
    """The files ``song`` writes, by name (audio aside); the optional ones (song.png) only when asked."""
    wanted = {"song.png": png}
    return {f.name: f.content(song) for f in SONG_FILES if not f.optional or wanted.get(f.name, False)}
