"""The long-lived worker of a batch: loads the engine once, then makes song after song.

A :class:`SongMaker` is built once per worker process (a process of the local
pool, or a Ray actor). Building it composes one short song in memory, which
loads the grammars, the rules, the compiled kernels, the pronouncing
dictionary and the hyphenation patterns, and resolves (and reads once) the
SoundFont; every request after that pays only for its own song. Each song is
written by :func:`composer.save.save_song`, the writer ``compose`` uses, so a
folder of a batch holds exactly the files ``compose`` writes, all or nothing.

The batch already makes a song per core, so a song's render forks nothing
(``workers=1``): its synths play in a thread of the worker while the voice is
sung in another, rather than in forked processes that pay to copy the
worker's pages and pipe the sung part back. The bytes are the same.

A request never raises out of :meth:`SongMaker.make`: a refusal or a failure
comes back as a :class:`~composer.batch.manifest.Row` saying why.
"""

from __future__ import annotations

import inspect
import os
import resource
import socket
import time
from pathlib import Path
from typing import Any

from ..errors import GrammarError, InputError, OutputError, RenderError, SonggramError
from ..version import __version__
from .manifest import Row
from .requests import Request

__all__ = ["SongMaker", "OCCASIONS", "occasion_of"]

OCCASIONS = ("birthday", "anniversary", "congratulations", "get-well", "farewell")
"""The themes of rules/themes.toml that name an occasion (the campaign's "occasion" column)."""


def occasion_of(themes: tuple[tuple[str, float], ...]) -> str:
    """The best-scoring theme that is an occasion, or "".

    >>> occasion_of((("love", 4.0), ("birthday", 3.5), ("farewell", 1.0)))
    'birthday'
    >>> occasion_of((("gratitude", 2.0),))
    ''
    """
    return next((theme for theme, _ in themes if theme in OCCASIONS), "")


def _core_seconds() -> float:
    """CPU seconds used so far by this process and the child processes it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


class SongMaker:
    """Makes songs into ``out``, one request at a time, with the engine loaded once.

    Args:
        out: the batch's output folder; a request's song goes to ``out/<id>/``.
        audio: render and master song.wav.
        soundfont: a SoundFont catalog id, ``"small"`` or a path; None for the default.
        engine: the engine's name for the manifest ("local" or "ray").

    Raises:
        RenderError: with ``audio``, the SoundFont cannot be used.
        GrammarError: a grammar or rule file is broken.
    """

    def __init__(self, out: str | Path, *, audio: bool = True, soundfont: str | None = None,
                 engine: str = "local") -> None:
        from .. import compose
        from ..save import save_song

        self.out = Path(out)
        self.audio = audio
        self.engine = engine
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self._compose = compose
        self._save = save_song
        self._save_options = frozenset(inspect.signature(save_song).parameters)
        compose("Warm up, thank you.", to="Sam", genre="pop", vibe="upbeat", seed=0, length="short")
        self.font: Any = None
        if audio:
            from ..render import render_file  # noqa: F401 - imported once here, not per song
            from ..soundfonts import resolve_soundfont
            self.font = resolve_soundfont(soundfont)
            _read_once(self.font.path)

    def make(self, request: Request) -> Row:
        """Compose and save ``request``; a refusal or failure is recorded, never raised."""
        started, cpu = time.perf_counter(), _core_seconds()
        fields: dict[str, Any] = {"genre": request.genre, "vibe": request.vibe, "seed": request.seed,
                                  "language": request.language, "voice": request.voice or ""}
        try:
            options: dict[str, Any] = {}
            if request.voice is not None:
                if "voice" not in self._save_options:
                    raise SonggramError("this engine has no singing voice yet; leave out 'voice' (or rerun "
                                        "once it sings: failed rows are retried)")
                options["voice"] = request.voice
            song = self._compose(request.message, to=request.to, sender=request.sender, genre=request.genre,
                                 vibe=request.vibe, seed=request.seed, key=request.key, tempo=request.tempo,
                                 length=request.length)
            analysis = song.analysis
            fields.update(theme=analysis.theme, relation=analysis.relation, occasion=occasion_of(analysis.themes))
            saved = self._save(song, self.out / request.id, audio=self.audio, soundfont=self.font, workers=1,
                               **options)
            fields["bytes"] = sum(path.stat().st_size for path in saved.files)
            status, error = "done", ""
        except InputError as err:  # the guardrails or the limits: the message is refused (compose's exit 1)
            status, error = "refused", str(err)
        except (OutputError, RenderError, GrammarError, SonggramError) as err:
            status, error = "failed", str(err)
        except Exception as err:  # one request's bug must not stop the batch
            status, error = "failed", f"internal error: {type(err).__name__}: {err}"
        return Row(id=request.id, line=request.line, status=status, error=error,
                   seconds=round(time.perf_counter() - started, 4), core_seconds=round(_core_seconds() - cpu, 4),
                   audio=self.audio, engine_version=__version__, engine=self.engine, worker=self.worker, **fields)


def _read_once(path: Path) -> None:
    """Read the SoundFont through once, so every synth after finds it in the page cache."""
    with open(path, "rb") as handle:
        while handle.read(1 << 22):
            pass
