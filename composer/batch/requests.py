"""Reading a batch's REQUESTS file: JSON Lines or CSV, one song request each.

A request has the columns of ``songgram compose``: ``message``, ``to``,
``from``, ``genre``, ``vibe``, ``seed``, and optionally ``id``, ``key``,
``tempo``, ``length``, ``language`` and ``voice``. A line that cannot be used
(bad JSON, no message, an unknown genre...) is not an error of the whole file:
it comes back as a :class:`Malformed` naming its line, and the batch records it
as a ``failed`` row. Only a file that cannot be read at all raises.

An id, when given, names the song's folder; when left out it is derived from
the request's content, so editing other lines never renames a song. A seed
left out is derived the same way: running the file again makes the same songs.

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = pathlib.Path(tmp) / "r.jsonl"
...     _ = path.write_text('{"message": "Thank you, coach.", "to": "Sam", "genre": "rock", '
...                         '"vibe": "upbeat", "seed": 4, "id": "sam"}\\n{"message": "hi"\\n')
...     got = read_requests(path)
>>> got[0].id, got[0].genre, got[0].seed, got[0].line
('sam', 'rock', 4, 1)
>>> got[1].line, got[1].error
(2, "line 2: bad JSON: expecting ',' delimiter at column 17")
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .. import validate
from ..errors import InputError
from ..model import Length
from ..output import slug
from ..errors import RequestsError

__all__ = ["Request", "Malformed", "read_requests", "parse_rows", "COLUMNS"]

COLUMNS = ("id", "message", "to", "from", "genre", "vibe", "seed", "key", "tempo", "length", "language", "voice")
"""The columns a request may have; others are refused (a typo would be silently ignored)."""

MAX_REQUESTS_BYTES = 256 * 1024 * 1024
"""The largest REQUESTS file read (about a million requests)."""

_EXTRA = " fields past the header "  # DictReader's key for them: no real column has this name
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}")


@dataclass(frozen=True, slots=True)
class Request:
    """One song to make.

    Attributes:
        id: the song's folder name under the batch's --out.
        line: the line (JSON Lines) or record (CSV, counting the header as 1) it came from.
        message: the message to sing.
        to: the recipient's name.
        sender: the sender's name, or "".
        genre: a genre id.
        vibe: a vibe id.
        seed: the seed (derived from the request when the file gives none).
        key: a key override, or None.
        tempo: a tempo override in BPM, or None.
        length: "full" or "short".
        language: the language the request declares ("en" when it names none).
        voice: the singing voice asked for, or None for the engine's default.
    """

    id: str
    line: int
    message: str
    to: str
    sender: str = ""
    genre: str = "pop"
    vibe: str = "heartfelt"
    seed: int = 0
    key: str | None = None
    tempo: int | None = None
    length: Length = "full"
    language: str = "en"
    voice: str | None = None


@dataclass(frozen=True, slots=True)
class Malformed:
    """A line of REQUESTS that cannot become a song.

    Attributes:
        id: the id it gave, or ``line-<n>`` when it gave none that can be used.
        line: its line (or CSV record) number.
        error: why, starting with ``line <n>:``.
        fields: what could be read of it (genre, vibe, seed...), for the manifest.
    """

    id: str
    line: int
    error: str
    fields: tuple[tuple[str, Any], ...] = ()


def read_requests(path: str | Path) -> list[Request | Malformed]:
    """Read REQUESTS (``.csv`` as CSV with a header row, anything else as JSON Lines).

    Raises:
        RequestsError: the file is missing, unreadable, too large, not UTF-8, or a
            CSV without a ``message`` column.
    """
    path = Path(path)
    try:
        if path.is_dir():
            raise RequestsError(f"cannot read requests {path}: it is a folder, not a file")
        if path.stat().st_size > MAX_REQUESTS_BYTES:
            raise RequestsError(f"cannot read requests {path}: larger than {MAX_REQUESTS_BYTES // 2**20} MiB")
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as err:
        raise RequestsError(f"cannot read requests {path}: {err.strerror or err}") from err
    except UnicodeDecodeError as err:
        raise RequestsError(f"cannot read requests {path}: not UTF-8 text (byte {err.start})") from err
    if path.suffix.lower() == ".csv":
        return parse_rows(_csv_rows(text, path))
    return parse_rows(_jsonl_rows(text))


def _jsonl_rows(text: str) -> Iterable[tuple[int, dict[str, Any] | str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            yield number, f"bad JSON: {err.msg[0].lower()}{err.msg[1:]} at column {err.colno}"
            continue
        yield number, row if isinstance(row, dict) else f"expected a JSON object, got {type(row).__name__}"


def _csv_rows(text: str, path: Path) -> Iterable[tuple[int, dict[str, Any] | str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""), restkey=_EXTRA)
    if not reader.fieldnames or "message" not in [f.strip() for f in reader.fieldnames]:
        raise RequestsError(f"cannot read requests {path}: a CSV needs a header row with a 'message' column")
    for row in reader:
        extra = row.pop(_EXTRA, None)
        if extra:
            yield reader.line_num, f"{len(extra)} more fields than the header has"
            continue
        yield reader.line_num, {k.strip(): v for k, v in row.items() if v not in (None, "")}


def parse_rows(rows: Iterable[tuple[int, dict[str, Any] | str]]) -> list[Request | Malformed]:
    """Turn (line, row or error) pairs into requests; ids must be unique.

    >>> got = parse_rows([(1, {"message": "Go team!", "to": "Owls", "genre": "rock", "vibe": "upbeat"}),
    ...                   (2, {"message": "Hi", "to": "Al", "genre": "polka", "vibe": "upbeat"})])
    >>> got[0].id.startswith("owls-"), got[1].error
    (True, "line 2: unknown genre 'polka'; did you mean 'folk'? choose one of: ballad, bossa-nova, country, edm, folk, hip-hop, jazz, lullaby, pop, reggae, rnb, rock")
    """
    seen: dict[str, int] = {}
    out: list[Request | Malformed] = []
    for line, row in rows:
        got = _parse(line, row) if isinstance(row, dict) else Malformed(f"line-{line}", line, f"line {line}: {row}")
        if got.id in seen:
            got = Malformed(f"line-{line}", line, f"line {line}: duplicate id {got.id!r} (first on line {seen[got.id]})")
        seen.setdefault(got.id, line)
        out.append(got)
    return out


def _parse(line: int, row: dict[str, Any]) -> Request | Malformed:
    fields = tuple((k, row[k]) for k in ("genre", "vibe", "seed", "language") if k in row)
    given_id = row.get("id")
    fallback = f"line-{line}"
    try:
        unknown = sorted(set(row) - set(COLUMNS))
        if unknown:
            raise InputError(f"unknown column {unknown[0]!r}; the columns are {', '.join(COLUMNS)}")
        if given_id is not None:
            given_id = str(given_id)
            if not _ID.fullmatch(given_id) or ".." in given_id or given_id.startswith("batch.sqlite"):
                raise InputError(f"id must be 1-80 letters, digits, '.', '_' or '-' (not starting with one "
                                 f"of the last three), got {given_id!r}")
            fallback = given_id
        message = row.get("message")
        if not isinstance(message, str) or not message.strip():
            raise InputError("no message", field="message", value=message)
        to = _text(row, "to")
        if not to.strip():
            raise InputError("no recipient ('to')", field="to", value=to)
        genre = validate.choice("genre", _text(row, "genre", "pop"), _genre_ids())
        vibe = validate.choice("vibe", _text(row, "vibe", "heartfelt"), _vibe_ids())
        key = validate.key(_text(row, "key")) if row.get("key") not in (None, "") else None
        tempo = validate.tempo(str(row["tempo"])) if row.get("tempo") not in (None, "") else None
        length = validate.length(_text(row, "length", "full"))
        language = _text(row, "language", "en").strip().lower() or "en"
        voice = _text(row, "voice") or None
        sender = _text(row, "from")
        rid = given_id or f"{slug(to, fallback='song')[:30]}-{_digest(row)[:10]}"
        seed = validate.seed(str(row["seed"])) if row.get("seed") not in (None, "") else int(_digest(row)[:8], 16)
    except (InputError, ValueError, TypeError) as err:
        return Malformed(fallback, line, f"line {line}: {err}", fields)
    return Request(rid, line, message, to, sender, genre, vibe, seed, key, tempo, length, language, voice)


def _text(row: dict[str, Any], name: str, default: str = "") -> str:
    value = row.get(name, default)
    if isinstance(value, (dict, list, bool)):
        raise InputError(f"{name} must be text, got {type(value).__name__}", field=name, value=value)
    return default if value is None else str(value)


def _digest(row: dict[str, Any]) -> str:
    """A stable hash of the request's song-making fields."""
    keyed = {k: str(row.get(k, "")) for k in ("message", "to", "from", "genre", "vibe", "key", "tempo", "length",
                                              "voice")}
    return hashlib.sha256(json.dumps(keyed, sort_keys=True).encode()).hexdigest()


def _genre_ids() -> list[str]:
    from ..grammar import genre_ids
    return list(genre_ids())


def _vibe_ids() -> list[str]:
    from ..vibes import vibe_ids
    return list(vibe_ids())
