"""The web app's songs in SQLite: the one module that knows the database.

Every other part of :mod:`composer.web` goes through :class:`Store`, so a
server database (PostgreSQL) can replace SQLite by reimplementing this small
class. Each call opens its own connection (SQLite's own locking serialises
writers; WAL lets readers go on while a song is being stored).

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as tmp:
...     store = Store(pathlib.Path(tmp) / "songs.sqlite")
...     song_id = store.add({"message": "Thank you", "to": "Ana"}, client="127.0.0.1")
...     store.update(song_id, status="done", title="A song for Ana")
...     plays = store.count(song_id, "plays")
...     row = store.get(song_id)
...     (row.status, row.title, row.plays, len(song_id) >= 16)
('done', 'A song for Ana', 1, True)
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

__all__ = ["Store", "SongRow", "STATUSES"]

STATUSES = ("queued", "composing", "done", "refused", "failed")
"""A song's life: queued, then composing, then one of done, refused (the guardrails or the
limits said no; ``error`` holds the kind reason) or failed (``error`` holds a short reason)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS songs (
    id       TEXT PRIMARY KEY,
    created  REAL NOT NULL,
    client   TEXT NOT NULL,
    request  TEXT NOT NULL,
    status   TEXT NOT NULL CHECK (status IN ('queued', 'composing', 'done', 'refused', 'failed')),
    error    TEXT NOT NULL DEFAULT '',
    title    TEXT NOT NULL DEFAULT '',
    details  TEXT NOT NULL DEFAULT '{}',
    plays    INTEGER NOT NULL DEFAULT 0,
    shares   INTEGER NOT NULL DEFAULT 0,
    seconds  REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS songs_by_client ON songs (client, created);
"""


@dataclass(frozen=True, slots=True)
class SongRow:
    """One stored song.

    Attributes:
        id: the unguessable id (URL-safe, 128 bits of randomness).
        created: when it was asked for (Unix time).
        request: the request as accepted: message, to, from, genre, vibe, seed, length.
        status: one of :data:`STATUSES`.
        error: the refusal or failure, as shown to the user ("" otherwise).
        title: the song's title once done.
        details: what the pages show once done: genre, vibe, key, tempo, lyrics and word timings.
        plays: how many times its player was started.
        shares: how many times its share link was copied or opened from a share button.
        seconds: how long composing took.
    """

    id: str
    created: float
    request: dict[str, Any]
    status: str
    error: str
    title: str
    details: dict[str, Any]
    plays: int
    shares: int
    seconds: float


class Store:
    """Songs in one SQLite file (created with its table on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30.0)

    def add(self, request: dict[str, Any], *, client: str) -> str:
        """Store a new queued song; returns its id."""
        song_id = secrets.token_urlsafe(16)
        with closing(self._connect()) as db, db:
            db.execute("INSERT INTO songs (id, created, client, request, status) VALUES (?, ?, ?, ?, 'queued')",
                       (song_id, time.time(), client, json.dumps(request, ensure_ascii=False)))
        return song_id

    def update(self, song_id: str, *, status: str, error: str = "", title: str = "",
               details: dict[str, Any] | None = None, seconds: float = 0.0) -> None:
        """Move a song to ``status`` (one of :data:`STATUSES`), with what it ended with."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
        with closing(self._connect()) as db, db:
            db.execute("UPDATE songs SET status = ?, error = ?, title = ?, details = ?, seconds = ? WHERE id = ?",
                       (status, error, title, json.dumps(details or {}, ensure_ascii=False), seconds, song_id))

    def get(self, song_id: str) -> SongRow | None:
        """The song with this id, or None."""
        with closing(self._connect()) as db:
            row = db.execute("SELECT id, created, request, status, error, title, details, plays, shares, seconds "
                             "FROM songs WHERE id = ?", (song_id,)).fetchone()
        if row is None:
            return None
        return SongRow(id=row[0], created=row[1], request=json.loads(row[2]), status=row[3], error=row[4],
                       title=row[5], details=json.loads(row[6]), plays=row[7], shares=row[8], seconds=row[9])

    def count(self, song_id: str, counter: Literal["plays", "shares"]) -> int:
        """Add one to a song's play or share counter; returns the new count (0 if no such song)."""
        if counter not in ("plays", "shares"):
            raise ValueError(f"counter must be plays or shares, got {counter!r}")
        with closing(self._connect()) as db, db:
            db.execute(f"UPDATE songs SET {counter} = {counter} + 1 WHERE id = ?", (song_id,))
            row = db.execute(f"SELECT {counter} FROM songs WHERE id = ?", (song_id,)).fetchone()
        return int(row[0]) if row else 0

    def unfinished(self) -> list[str]:
        """Ids of songs still queued or composing (after a restart they are failed: see :meth:`abandon`)."""
        with closing(self._connect()) as db:
            return [r[0] for r in db.execute("SELECT id FROM songs WHERE status IN ('queued', 'composing')")]

    def abandon(self) -> int:
        """Mark songs a previous server left queued or composing as failed; returns how many."""
        with closing(self._connect()) as db, db:
            cursor = db.execute("UPDATE songs SET status = 'failed', error = 'the server restarted; please try again' "
                                "WHERE status IN ('queued', 'composing')")
            return cursor.rowcount
