"""Running a batch: REQUESTS in, a folder of songs and a manifest out, resumable.

:func:`run_batch` reads the requests, opens the manifest, records the lines
that cannot be used as ``failed``, skips what an earlier run finished
(``done`` with its folder in place, or ``refused``), removes what a killed run
left half-made, and hands the rest to an engine (:mod:`~composer.batch.local`
or :mod:`~composer.batch.cluster`). Each row is committed as it comes back,
so running the same command again after any stop, even SIGKILL, carries on
where it stopped and makes every song exactly once in the end.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, TextIO, TypedDict

from ..output import MANIFEST as SONG_MANIFEST, STAGE_PREFIX, check_folder
from .local import MakerSpec, run_local
from .manifest import Manifest, Row
from .progress import Progress
from .requests import Malformed, Request, read_requests

__all__ = ["Summary", "run_batch"]

_STAGE = re.compile(re.escape(STAGE_PREFIX) + r"(\d+)-[0-9a-f]+")


@dataclass(frozen=True, slots=True)
class Summary:
    """What a run of a batch did, and where the batch stands.

    Attributes:
        requests: lines in REQUESTS.
        made: songs made by this run.
        skipped: requests an earlier run finished (done or refused).
        refused: requests refused by this run.
        failed: requests that failed in this run (malformed lines included).
        done_total: songs the folder holds now.
        failed_total: requests whose row is ``failed`` now.
        wall_seconds: this run's wall-clock time.
        core_seconds: CPU seconds of the songs made by this run.
        engine: "local" or "ray".
        workers: worker processes or actors.
        manifest: the manifest's path.
    """

    requests: int
    made: int
    skipped: int
    refused: int
    failed: int
    done_total: int
    failed_total: int
    wall_seconds: float
    core_seconds: float
    engine: str
    workers: int
    manifest: str

    @property
    def songs_per_minute(self) -> float:
        """Songs made per minute of wall-clock time in this run."""
        return self.made / self.wall_seconds * 60 if self.wall_seconds > 0 else 0.0

    def line(self) -> str:
        """The one-line summary printed at the end."""
        return (f"{self.requests} requests: {self.made} made, {self.skipped} already finished, "
                f"{self.refused} refused, {self.failed} failed in {self.wall_seconds:.1f} s "
                f"({self.songs_per_minute:.1f} songs/min, {self.workers} {self.engine} workers); "
                f"{self.done_total} songs in the folder; manifest {self.manifest}")


def run_batch(requests_path: str | Path, out: str | Path, *, workers: int | None = None,
              engine: Literal["local", "ray"] = "local", address: str | None = None, audio: bool = True,
              soundfont: str | None = None, voice: str | None = None, stream: TextIO | None = None,
              show_progress: bool | None = None) -> Summary:
    """Make every request of ``requests_path`` not yet finished into ``out/<id>/``.

    Args:
        requests_path: JSON Lines or CSV (see :mod:`composer.batch.requests`).
        out: the batch's folder: one folder per song and ``batch.sqlite``.
        workers: worker processes (local) or actors (ray); None for one per core
            (local) or per CPU of the cluster (ray).
        engine: "local" (a process pool) or "ray".
        address: with "ray", a head's ``host:port``; None starts Ray here.
        audio: render song.wav for each song.
        soundfont: a SoundFont catalog id, "small" or a path.
        voice: the singing voice for requests that name none.
        stream: where the progress line goes (standard error).
        show_progress: draw it; None draws it when ``stream`` is a terminal.

    Raises:
        RequestsError: REQUESTS cannot be read (exit 6).
        OutputError: ``out`` cannot be written, or another batch runs into it (exit 5).
        ClusterError: Ray is missing or unreachable (exit 7).
    """
    started = time.perf_counter()
    items = read_requests(requests_path)
    out = Path(out).absolute()
    check_folder(out)
    if engine == "ray":
        from .cluster import check_ray
        check_ray(address)
    stream = stream if stream is not None else sys.stderr
    with Manifest.open(out) as manifest:
        before = manifest.statuses()
        todo: list[Request] = []
        malformed: list[Malformed] = []
        for item in items:
            if isinstance(item, Malformed):
                malformed.append(item)
            elif not _finished(before.get(item.id), out / item.id):
                todo.append(item if item.voice is not None or voice is None else replace(item, voice=voice))
        for item in items:  # a killed worker may leave a stage beside a song it had finished
            if not isinstance(item, Malformed):
                _remove_dead_stages(out / item.id)
        count = workers or (os.cpu_count() or 1)
        run = manifest.begin_run(engine=engine, workers=count, requests=len(items), audio=audio)
        progress = Progress(len(todo) + len(malformed), stream,
                            draw=stream.isatty() if show_progress is None else show_progress)
        core = [0.0]

        def record(row: Row) -> None:
            manifest.record(row)
            core[0] += row.core_seconds
            progress.add(row.status)

        for bad in malformed:
            record(Row(id=bad.id, line=bad.line, status="failed", error=bad.error, engine=engine,
                       **_known(bad)))
        try:
            spec = MakerSpec(out=out, audio=audio, soundfont=soundfont)
            if todo and engine == "ray":
                from .cluster import run_ray
                count = run_ray(todo, spec, workers=workers, address=address, on_row=record)
            elif todo:
                run_local(todo, spec, workers=min(count, len(todo)), on_row=record)
        finally:
            progress.close()
            counts = progress.counts
            wall = time.perf_counter() - started
            with contextlib.suppress(Exception):
                manifest.end_run(run, made=counts["done"], skipped=len(items) - len(todo) - len(malformed),
                                 refused=counts["refused"], failed=counts["failed"], wall_seconds=wall,
                                 core_seconds=core[0])
        after = manifest.statuses()
    return Summary(requests=len(items), made=counts["done"], skipped=len(items) - len(todo) - len(malformed),
                   refused=counts["refused"], failed=counts["failed"],
                   done_total=sum(1 for s in after.values() if s == "done"),
                   failed_total=sum(1 for item in items if after.get(item.id) == "failed"),
                   wall_seconds=round(wall, 3), core_seconds=round(core[0], 3), engine=engine, workers=count,
                   manifest=str(manifest.path))


def _finished(status: str | None, folder: Path) -> bool:
    """Whether an earlier run finished this request: refused, or done with its song still in place."""
    return status == "refused" or (status == "done" and (folder / SONG_MANIFEST).is_file())


class _Known(TypedDict):
    genre: str
    vibe: str
    language: str
    seed: int | None


def _known(bad: Malformed) -> _Known:
    """The manifest fields a malformed line still tells (as text; a bad seed is dropped)."""
    known = dict(bad.fields)
    seed = known.get("seed")
    return {"genre": str(known.get("genre", "")), "vibe": str(known.get("vibe", "")),
            "language": str(known.get("language", "")),
            "seed": seed if isinstance(seed, int) and not isinstance(seed, bool) else None}


def _remove_dead_stages(folder: Path) -> None:
    """Remove staging folders that a killed batch left in ``folder`` (their process is gone).

    The batch holds the folder's batch lock, so no other batch is writing there.
    """
    if not folder.is_dir():
        return
    for stage in folder.glob(STAGE_PREFIX + "*"):
        found = _STAGE.fullmatch(stage.name)
        if not found or not stage.is_dir():
            continue
        try:
            os.kill(int(found[1]), 0)
            continue  # its process is alive (a compose run by hand into this folder)
        except ProcessLookupError:
            shutil.rmtree(stage, ignore_errors=True)
        except (PermissionError, OverflowError):
            continue
    with contextlib.suppress(OSError):
        folder.rmdir()  # a folder the killed run had only just made
