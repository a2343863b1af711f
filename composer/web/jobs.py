"""Composing songs for the web app: a bounded pool of worker processes.

Each song is made in a worker process by the same two calls the CLI makes,
:func:`composer.compose` and :func:`composer.save.save_song`, into
``DATA/songs/<id>/``. At most ``workers`` songs are composed at once (one per
core by default) and at most ``queue_limit`` wait; beyond that :meth:`Pool.submit`
says no and the server answers 503 with Retry-After. A worker process lives
for many songs, so grammars, rules and kernels load once.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

__all__ = ["Pool", "make_song", "song_details", "FILES"]

FILES = {"mp3": "song.mp3", "wav": "song.wav", "mid": "song.mid", "musicxml": "song.musicxml",
         "chordpro": "song.chordpro", "kar": "song.kar", "png": "song.png"}
"""What a finished song offers for download, by kind."""


def song_details(folder: Path) -> dict[str, Any]:
    """What the pages need from a finished song's folder: facts, lyrics and word timings.

    Word timings come from the song's own sung notes (song.json's vocal line,
    its start beats at the song's tempo): one entry per sung word with the
    second it starts, its text, and the lyric line it belongs to.
    """
    import json

    data = json.loads((folder / "song.json").read_text(encoding="utf-8"))
    seconds_per_beat = 60.0 / data["tempo"]
    words: list[dict[str, Any]] = []
    joining = False  # the previous note's syllable continues its word
    for note in data["vocal"]:
        if not note["syllable"]:
            continue
        if joining and words:
            words[-1]["text"] += note["syllable"]
        else:
            words.append({"t": round(note["start_beat"] * seconds_per_beat, 3), "text": note["syllable"],
                          "line": note["line"]})
        joining = bool(note["continues"])
    sections = sorted(data["sections"], key=lambda s: s["start_beat"])
    lines: list[dict[str, str]] = []
    for note in data["vocal"]:
        while len(lines) <= note["line"]:
            lines.append({"text": "", "section": ""})
        if not lines[note["line"]]["text"]:
            section = [s["name"] for s in sections if s["start_beat"] <= note["start_beat"] + 1e-6]
            lines[note["line"]] = {"text": note["lyric_line"], "section": section[-1] if section else ""}
    return {
        "genre": data["input"]["genre"], "vibe": data["input"]["vibe"], "key": f"{data['key']} {data['mode']}",
        "tempo": data["tempo"], "seconds": data["seconds"],
        "lines": lines,
        "words": words,
        "files": {kind: name for kind, name in FILES.items() if (folder / name).is_file()},
    }


def make_song(request: dict[str, Any], folder: str) -> dict[str, Any]:
    """Compose and save one song (runs in a worker process).

    Returns ``{"status": "done", "title", "details"}``, ``{"status": "refused", "error"}``
    for a message the guardrails or the limits refuse, or ``{"status": "failed", "error"}``.
    Errors are turned into short texts here: no traceback or path leaves the worker.
    """
    from composer import compose
    from composer.allocator import keep_large_blocks
    from composer.errors import InputError, RefusedError, SonggramError
    from composer.save import save_song

    keep_large_blocks()  # once per worker process

    try:
        song = compose(request["message"], to=request["to"], sender=request.get("from", ""),
                       genre=request["genre"], vibe=request["vibe"], seed=request["seed"],
                       length=request.get("length", "full"))
        saved = save_song(song, Path(folder), audio=True, formats=("mp3",), png=True)
    except (RefusedError, InputError) as err:
        return {"status": "refused", "error": str(err)}
    except SonggramError as err:
        return {"status": "failed", "error": f"the song could not be made ({type(err).__name__})"}
    except Exception as err:  # noqa: BLE001 - a worker reports, it never crashes the pool
        return {"status": "failed", "error": f"the song could not be made ({type(err).__name__})"}
    return {"status": "done", "title": saved.song.title, "details": song_details(Path(folder))}


@dataclass
class _Counts:
    running: int = 0
    waiting: int = 0


class Pool:
    """At most ``workers`` songs composing and ``queue_limit`` waiting; the rest are turned away.

    Args:
        workers: worker processes (default: the machine's cores).
        queue_limit: songs that may wait for a worker.
        job: the function a worker runs (``make_song``; tests pass their own).
    """

    def __init__(self, *, workers: int | None = None, queue_limit: int = 8,
                 job: Callable[[dict[str, Any], str], dict[str, Any]] = make_song) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.queue_limit = max(0, queue_limit)
        self.job = job
        self._executor = ProcessPoolExecutor(max_workers=self.workers,
                                             mp_context=multiprocessing.get_context("forkserver"))
        self._lock = threading.Lock()
        self._counts = _Counts()
        self.started = time.monotonic()

    @property
    def busy(self) -> int:
        """Songs composing or waiting."""
        with self._lock:
            return self._counts.running + self._counts.waiting

    def try_reserve(self) -> bool:
        """Take a place for one song, or say False when every worker and queue place is taken."""
        with self._lock:
            if self._counts.running + self._counts.waiting >= self.workers + self.queue_limit:
                return False
            self._counts.waiting += 1
            return True

    async def run(self, request: dict[str, Any], folder: Path,
                  on_start: Callable[[], None]) -> dict[str, Any]:
        """Compose in a worker (a place must have been reserved); ``on_start`` runs when it begins."""
        loop = asyncio.get_running_loop()

        def started() -> None:
            with self._lock:
                self._counts.waiting -= 1
                self._counts.running += 1
            on_start()

        begun = False
        try:
            future = self._executor.submit(_timed, self.job, request, str(folder))
            # A song "starts" when the pool hands it to a worker: poll the future's state (cheap).
            while not future.running() and not future.done():
                await asyncio.sleep(0.05)
            started()
            begun = True
            return await asyncio.wrap_future(future, loop=loop)
        finally:
            with self._lock:
                if begun:
                    self._counts.running -= 1
                else:
                    self._counts.waiting -= 1

    def close(self) -> None:
        """Stop the workers (waits for songs being composed)."""
        self._executor.shutdown(wait=True, cancel_futures=True)


def _timed(job: Callable[[dict[str, Any], str], dict[str, Any]], request: dict[str, Any], folder: str) -> dict[str, Any]:
    start = time.perf_counter()
    result = job(request, folder)
    result["seconds"] = round(time.perf_counter() - start, 3)
    return result
