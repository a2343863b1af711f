"""Writing a song's folder: the one writer the CLI, the batch runner and the web server share.

:func:`save_song` decides the file set, builds the synth's effects from the
genre's ``[mix]``, resolves the SoundFont, renders and masters the audio, and
commits everything all-or-nothing through :func:`composer.output.staged_output`.
The files besides the audio come from the one table of :mod:`composer.export`.
So a song is the same bytes whichever door it came through.

>>> import tempfile, pathlib
>>> from composer import compose
>>> song = compose("Keep going, you are closer than you think.", to="Alex", genre="pop",
...                vibe="upbeat", seed=3, length="short")
>>> with tempfile.TemporaryDirectory() as tmp:
...     saved = save_song(song, pathlib.Path(tmp) / "alex", audio=False)
...     sorted(p.name for p in saved.files)
['lyrics.txt', 'song.chordpro', 'song.json', 'song.kar', 'song.mid', 'song.musicxml']
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from .export import song_files
from .model import Song
from .output import check_folder, staged_output, write_files

if TYPE_CHECKING:
    from collections.abc import Callable

    from .soundfonts import SoundFont

__all__ = ["SavedSong", "save_song", "song_files"]

S = TypeVar("S", bound=Song)


@dataclass(frozen=True, slots=True)
class SavedSong(Generic[S]):
    """What :func:`save_song` wrote.

    Attributes:
        song: the song as saved (with the SoundFont it was rendered with, if any), of the
            class it was given as (:class:`composer.Song` from :func:`composer.compose`).
        folder: the output folder.
        files: every file written, in the folder.
    """

    song: S
    folder: Path
    files: tuple[Path, ...]


def save_song(song: S, folder: str | os.PathLike[str], *, audio: bool = True, formats: tuple[str, ...] = ("wav",),
              stems: bool = False, png: bool = False, soundfont: SoundFont | str | None = None,
              voice: str | None = "auto", progress: Callable[[int, int], None] | None = None,
              workers: int | None = None) -> SavedSong[S]:
    """Write ``song``'s files into ``folder``, all or nothing.

    Args:
        song: a composed song (:func:`composer.compose`).
        folder: the output folder; created if missing. Files of the user's in
            it are never touched; a previous song's files are replaced whole.
        audio: render and master song.wav (and ``formats``).
        formats: audio formats to write beside song.wav ("flac", "ogg", "opus", "mp3").
        stems: also write ``stem-<part>.wav``, one per part at its level in the mix.
        png: also draw song.png, a piano-roll overview (needs matplotlib).
        soundfont: a :class:`~composer.soundfonts.SoundFont`, a catalog name or a
            path; the default font when None.
        voice: who sings the Vocal line when audio is rendered: "auto" picks a
            voice from the tune's range, a name from rules/voices.toml picks
            that one, None or "none" gives the instrumental (the Vocal
            instrument plays the tune). See :mod:`composer.voice`.
        progress: called with (parts done, parts in all) while the audio is
            rendered, for a progress bar (see :func:`composer.render.render_file`).
        workers: synth processes for the render (:func:`composer.render.render_file`): None
            uses every core; 1 forks nothing, for a caller that makes a song per core.

    Raises:
        InputError: an unknown voice name.
        OutputError: the folder cannot be written.
        RenderError: the audio cannot be rendered, or Festival or the voice's package is missing.
        ValueError: ``stems`` or ``formats`` without ``audio``.
    """
    folder = Path(folder)
    if not audio and (stems or tuple(f for f in formats if f != "wav")):
        raise ValueError("stems and audio formats need audio=True")
    check_folder(folder)
    font = take = None
    if audio:
        from .errors import RenderError
        from .extras import require
        require("audio", error=RenderError)
        from .render import resolve_soundfont
        font = soundfont if not isinstance(soundfont, (str, type(None))) else resolve_soundfont(soundfont)
        song = replace(song, soundfont=(font.name, font.license))
        if voice is not None and voice.strip().lower() != "none":
            from .voice import prepare_song
            take = prepare_song(song, None if voice == "auto" else voice)
            song = replace(song, voice=tuple(take.record().items()))
    chosen = tuple(dict.fromkeys(("wav", *formats)))
    with staged_output(folder) as stage:
        write_files(stage, song_files(song, png=png))
        if font is not None:
            from .grammar import genre_effects
            from .render import render_file
            if take is not None:
                from .voice import overdub
            effects = genre_effects(song.plan.genre)
            report = render_file(stage / "song.mid", stage / "song.wav", soundfont=font, effects=effects,
                                 formats=chosen, title=song.title, overdub=None if take is None else overdub(take, effects),
                                 progress=progress, workers=workers)
            if stems:
                from .stems import song_to_stems
                sung = None if report.overdub is None else (report.overdub, report.overdub_gain)
                song_to_stems(song, stage, soundfont=font, effects=effects, sung=sung,
                              frames=round(report.seconds * 44100))
        names = sorted(p.name for p in stage.iterdir() if p.is_file() and not p.name.startswith("."))
    return SavedSong(song=song, folder=folder, files=tuple(folder / n for n in names))
