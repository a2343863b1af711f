"""A batch's manifest: one row per request in ``DIR/batch.sqlite``.

This is the only module that speaks SQL, so a server database (PostgreSQL,
see docs/scale.md) can replace SQLite here without touching the runner. The
coordinating process is the only writer; workers send their rows back to it.
Each row is committed as it arrives (WAL journal), so a batch killed at any
moment keeps every finished row, and one process at a time may run a batch
into a folder (an exclusive ``flock`` on the database file).

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as tmp:
...     with Manifest.open(pathlib.Path(tmp)) as m:
...         m.record(Row(id="a", line=1, status="done", genre="pop", seed=3))
...         m.record(Row(id="b", line=2, status="failed", error="line 2: no message"))
...         m.statuses(), [r["status"] for r in m.rows()]
({'a': 'done', 'b': 'failed'}, ['done', 'failed'])
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Iterator

from ..errors import OutputError

__all__ = ["Row", "Manifest", "read_manifest", "MANIFEST_NAME", "STATUSES"]

MANIFEST_NAME = "batch.sqlite"
"""The manifest's file name inside a batch's output folder."""

STATUSES = ("done", "refused", "failed")
"""A row's status: the song was written; the guardrails or limits refused it; it failed (the error says why)."""

_SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Row:
    """One request's outcome.

    Attributes:
        id: the request's id (its folder under the batch's output folder).
        line: its line in REQUESTS.
        status: one of :data:`STATUSES`.
        error: why it was refused or failed ("" when done).
        seconds: wall-clock seconds making it.
        core_seconds: CPU seconds of the worker and the processes it waited for.
        bytes: bytes written into its folder.
        theme: the analysis's main theme.
        relation: the recipient's relation.
        occasion: the occasion the message names (birthday, anniversary...), or "".
        language: the language the request declares.
        genre: the genre.
        vibe: the vibe.
        seed: the seed.
        voice: the singing voice asked for ("" for the engine's default).
        audio: whether audio was rendered.
        engine_version: the engine's version.
        engine: "local" or "ray".
        worker: the worker (host:pid) that made it.
        finished_at: when it finished (UTC, ISO 8601).
    """

    id: str
    line: int
    status: str
    error: str = ""
    seconds: float = 0.0
    core_seconds: float = 0.0
    bytes: int = 0
    theme: str = ""
    relation: str = ""
    occasion: str = ""
    language: str = ""
    genre: str = ""
    vibe: str = ""
    seed: int | None = None
    voice: str = ""
    audio: bool = False
    engine_version: str = ""
    engine: str = ""
    worker: str = ""
    finished_at: str = ""


_COLUMNS = tuple(f.name for f in fields(Row))
_SONGS = ("CREATE TABLE IF NOT EXISTS songs (id TEXT PRIMARY KEY, line INTEGER NOT NULL, "
          "status TEXT NOT NULL CHECK (status IN ('done', 'refused', 'failed')), "
          "error TEXT NOT NULL DEFAULT '', seconds REAL, core_seconds REAL, bytes INTEGER, theme TEXT, "
          "relation TEXT, occasion TEXT, language TEXT, genre TEXT, vibe TEXT, seed INTEGER, voice TEXT, "
          "audio INTEGER, engine_version TEXT, engine TEXT, worker TEXT, finished_at TEXT)")
_RUNS = ("CREATE TABLE IF NOT EXISTS runs (run INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL, "
         "finished_at TEXT, engine TEXT NOT NULL, workers INTEGER NOT NULL, requests INTEGER NOT NULL, "
         "made INTEGER, skipped INTEGER, refused INTEGER, failed INTEGER, wall_seconds REAL, "
         "core_seconds REAL, audio INTEGER)")


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Manifest:
    """The manifest of one batch folder, open for writing by this process alone."""

    def __init__(self, connection: sqlite3.Connection, lock_fd: int, path: Path) -> None:
        self._db = connection
        self._lock_fd = lock_fd
        self.path = path

    @classmethod
    def open(cls, folder: Path) -> Manifest:
        """Open (creating if needed) ``folder/batch.sqlite`` and take the folder's batch lock.

        Raises:
            OutputError: the folder or database cannot be written, is not a
                manifest, or another batch is running into the folder.
        """
        path = Path(folder) / MANIFEST_NAME
        try:
            Path(folder).mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise OutputError(f"cannot write to {folder}: {err.strerror or err}") from err
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            os.close(fd)
            raise OutputError(f"cannot write to {folder}: another batch is running into it") from err
        try:
            db = sqlite3.connect(path, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, _SCHEMA_VERSION):
                raise OutputError(f"{path} is a manifest of another version ({version}, this engine "
                                  f"reads {_SCHEMA_VERSION})")
            db.execute(_SONGS)
            db.execute(_RUNS)
            db.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")
        except sqlite3.Error as err:
            os.close(fd)
            raise OutputError(f"cannot use {path} as a batch manifest: {err}") from err
        except OutputError:
            os.close(fd)
            raise
        return cls(db, fd, path)

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database and release the lock."""
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        with contextlib.suppress(OSError):
            os.close(self._lock_fd)

    def statuses(self) -> dict[str, str]:
        """Every recorded id and its status."""
        return dict(self._db.execute("SELECT id, status FROM songs"))

    def record(self, row: Row) -> None:
        """Insert or replace ``row`` and commit it."""
        if row.status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {row.status!r}")
        values = asdict(row)
        values["finished_at"] = values["finished_at"] or _now()
        columns = ", ".join(_COLUMNS)
        marks = ", ".join(f":{c}" for c in _COLUMNS)
        with self._transaction():
            self._db.execute(f"INSERT OR REPLACE INTO songs ({columns}) VALUES ({marks})", values)

    def begin_run(self, *, engine: str, workers: int, requests: int, audio: bool) -> int:
        """Record the start of a run of the batch; returns its number."""
        with self._transaction():
            cur = self._db.execute("INSERT INTO runs (started_at, engine, workers, requests, audio) "
                                   "VALUES (?, ?, ?, ?, ?)", (_now(), engine, workers, requests, audio))
        return int(cur.lastrowid or 0)

    def end_run(self, run: int, *, made: int, skipped: int, refused: int, failed: int, wall_seconds: float,
                core_seconds: float) -> None:
        """Record the end of run ``run`` and its counts."""
        with self._transaction():
            self._db.execute("UPDATE runs SET finished_at=?, made=?, skipped=?, refused=?, failed=?, "
                             "wall_seconds=?, core_seconds=? WHERE run=?",
                             (_now(), made, skipped, refused, failed, wall_seconds, core_seconds, run))

    def rows(self) -> list[dict[str, Any]]:
        """Every row, in REQUESTS order."""
        return _dicts(self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM songs ORDER BY line, id"))

    def runs(self) -> list[dict[str, Any]]:
        """Every run, oldest first."""
        return _dicts(self._db.execute("SELECT * FROM runs ORDER BY run"))

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.Error as err:
            raise OutputError(f"cannot write {self.path}: {err}") from err


def read_manifest(folder: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows and runs of the batch in ``folder``, read-only (a running batch may be writing it).

    Raises:
        OutputError: there is no manifest, or it cannot be read.
    """
    path = Path(folder) / MANIFEST_NAME
    if not path.is_file():
        raise OutputError(f"no batch in {folder}: {MANIFEST_NAME} is missing")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = _dicts(db.execute(f"SELECT {', '.join(_COLUMNS)} FROM songs ORDER BY line, id"))
            runs = _dicts(db.execute("SELECT * FROM runs ORDER BY run"))
        finally:
            db.close()
    except sqlite3.Error as err:
        raise OutputError(f"cannot read {path}: {err}") from err
    return rows, runs


def _dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values)) for values in cursor]
