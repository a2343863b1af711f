"""The web page and its JSON API, as an ASGI app (Starlette).

Routes (documented in docs/web.md):

    GET  /                      the form: message, to, from, genre, vibe
    GET  /song/<id>             the song page: progress, then the player, lyrics lit word by word, downloads
    GET  /s/<id>                the share page: player, lyrics, Open Graph tags, "make your own"
    GET  /s/<id>/image.png      the picture drawn from the song (its piano roll)
    GET  /files/<id>/<name>     a song's file (?download=1 to save it)
    POST /api/songs             {message, to, from, genre, vibe, seed} -> 202 {id, url}
    GET  /api/songs/<id>        {status, title, files, lyrics, words, error}
    POST /api/songs/<id>/plays  count a play;  POST /api/songs/<id>/shares  count a share
    GET  /api/genres, /api/vibes

Every answer is built here from checked values; no traceback or file path is
ever sent (an unexpected error is one line in the server's log and a plain 500).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import random
import time
from collections import defaultdict, deque
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any, AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import validate
from ..errors import InputError, RefusedError
from .jobs import FILES, Pool
from .store import Store

__all__ = ["create_app", "MAX_BODY_BYTES"]

MAX_BODY_BYTES = 16 * 1024
"""The largest request body the API reads (a message is at most 500 characters)."""

_log = logging.getLogger("songgram.web")
_FIELDS = ("message", "to", "from", "genre", "vibe", "seed", "length")


def _template(name: str) -> Template:
    return Template(resources.files(__package__).joinpath("templates", name).read_text(encoding="utf-8"))


def _error(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers or None)


class _RateLimit:
    """At most ``songs`` new songs per ``window`` seconds from one client address."""

    def __init__(self, songs: int, window: float) -> None:
        self.songs, self.window = songs, window
        self._seen: dict[str, deque[float]] = defaultdict(deque)

    def retry_after(self, client: str, now: float) -> int:
        """0 when ``client`` may ask for a song now, else the seconds until it may."""
        seen = self._seen[client]
        while seen and now - seen[0] >= self.window:
            seen.popleft()
        if len(seen) >= self.songs:
            return max(1, int(self.window - (now - seen[0])) + 1)
        seen.append(now)
        return 0


def _checked(body: Any) -> dict[str, Any]:
    """The request's fields, checked and cleaned as the CLI checks them (InputError, RefusedError)."""
    from ..grammar import genre_ids
    from ..vibes import vibe_ids

    if not isinstance(body, dict):
        raise InputError("the body must be a JSON object with message, to, genre and vibe")
    unknown = sorted(set(body) - set(_FIELDS))
    if unknown:
        raise InputError(f"unknown field {unknown[0]!r}; the fields are {', '.join(_FIELDS)}")
    seed = body.get("seed")
    return {
        "message": validate.message(body.get("message", "")),
        "to": validate.name(body.get("to", ""), field="to", required=True),
        "from": validate.name(body.get("from", "") or "", field="sender"),
        "genre": validate.choice("genre", body.get("genre", "pop"), genre_ids()),
        "vibe": validate.choice("vibe", body.get("vibe", "heartfelt"), vibe_ids()),
        "seed": validate.seed(seed) if seed not in (None, "") else random.SystemRandom().randrange(1_000_000),
        "length": validate.length(body.get("length", "full")),
    }


def _status(row: Any, request: Request) -> dict[str, Any]:
    out: dict[str, Any] = {"id": row.id, "status": row.status, "url": str(request.url_for("song_page", song_id=row.id)),
                           "share_url": str(request.url_for("share_page", song_id=row.id)),
                           "error": row.error or None, "title": row.title or None,
                           "files": {}, "lyrics": None, "words": None}
    if row.status == "done":
        d = row.details
        out["files"] = {kind: str(request.url_for("song_file", song_id=row.id, name=name))
                        for kind, name in d.get("files", {}).items()}
        out["lyrics"] = [line["text"] for line in d.get("lines", [])]
        out["lines"] = d.get("lines")
        out["words"] = d.get("words")
        out.update({k: d.get(k) for k in ("genre", "vibe", "key", "tempo", "seconds")})
        out["plays"], out["shares"] = row.plays, row.shares
    return out


def create_app(data: Path, *, workers: int | None = None, queue_limit: int = 8, songs_per_minute: int = 6,
               pool: Pool | None = None) -> Starlette:
    """The web app, storing songs under ``data`` (``songs.sqlite`` and ``songs/<id>/``).

    Args:
        data: the data folder (created if missing).
        workers: songs composed at once (default: one per core).
        queue_limit: songs that may wait for a worker; more get 503 with Retry-After.
        songs_per_minute: new songs one client address may ask for a minute; more get 429.
        pool: a ready :class:`~composer.web.jobs.Pool` (tests); made from ``workers`` otherwise.
    """
    data = Path(data)
    (data / "songs").mkdir(parents=True, exist_ok=True)
    store = Store(data / "songs.sqlite")
    abandoned = store.abandon()
    if abandoned:
        _log.warning("marked %d songs left unfinished by a previous server as failed", abandoned)
    limit = _RateLimit(songs_per_minute, 60.0)
    state: dict[str, Any] = {"pool": pool, "tasks": set()}

    def the_pool() -> Pool:
        if state["pool"] is None:
            state["pool"] = Pool(workers=workers, queue_limit=queue_limit)
        return state["pool"]

    async def compose_later(song_id: str, checked: dict[str, Any]) -> None:
        folder = data / "songs" / song_id
        try:
            result = await the_pool().run(checked, folder,
                                          on_start=lambda: store.update(song_id, status="composing"))
        except Exception as err:  # noqa: BLE001 - a broken worker fails this song, not the server
            _log.error("song %s failed: %s: %s", song_id, type(err).__name__, err)
            result = {"status": "failed", "error": "the song could not be made"}
        store.update(song_id, status=result["status"], error=result.get("error", ""),
                     title=result.get("title", ""), details=result.get("details"),
                     seconds=result.get("seconds", 0.0))

    async def post_song(request: Request) -> Response:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return _error(415, "send the song request as JSON (Content-Type: application/json)")
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return _error(413, f"the request is too large (at most {MAX_BODY_BYTES} bytes)")
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                return _error(413, f"the request is too large (at most {MAX_BODY_BYTES} bytes)")
        try:
            parsed = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            return _error(400, f"the body is not valid JSON ({getattr(err, 'msg', 'not UTF-8')})")
        try:
            checked = _checked(parsed)
        except RefusedError as err:
            return JSONResponse({"error": str(err), "status": "refused"}, status_code=422)
        except InputError as err:
            return _error(422, str(err))
        client = request.client.host if request.client else "unknown"
        wait = limit.retry_after(client, time.monotonic())
        if wait:
            return _error(429, "you have asked for many songs in a short time; please wait a little",
                          **{"Retry-After": str(wait)})
        if not the_pool().try_reserve():
            return _error(503, "every singer is busy right now; please try again shortly", **{"Retry-After": "10"})
        song_id = store.add(checked, client=client)
        task = asyncio.create_task(compose_later(song_id, checked))
        state["tasks"].add(task)
        task.add_done_callback(state["tasks"].discard)
        return JSONResponse({"id": song_id, "url": str(request.url_for("song_page", song_id=song_id)),
                             "status_url": str(request.url_for("get_song", song_id=song_id))}, status_code=202)

    def _row(request: Request) -> Any:
        row = store.get(request.path_params["song_id"])
        if row is None:
            raise HTTPException(404, "no song with this id")
        return row

    async def get_song(request: Request) -> Response:
        return JSONResponse(_status(_row(request), request))

    async def count(request: Request) -> Response:
        row = _row(request)
        counter = request.path_params["counter"]
        if counter not in ("plays", "shares"):
            raise HTTPException(404, "no such counter")
        return JSONResponse({counter: store.count(row.id, counter)})

    async def genres(request: Request) -> Response:
        from ..grammar import genre, genre_ids
        return JSONResponse([{"id": g, "description": genre(g).description} for g in genre_ids()])

    async def vibes(request: Request) -> Response:
        from ..vibes import vibe, vibe_ids
        return JSONResponse([{"id": v, "description": vibe(v).description} for v in vibe_ids()])

    async def song_file(request: Request) -> Response:
        row = _row(request)
        name = request.path_params["name"]
        if row.status != "done" or name not in FILES.values():
            raise HTTPException(404, "no such file")
        path = data / "songs" / row.id / name
        if not path.is_file():
            raise HTTPException(404, "no such file")
        download = request.query_params.get("download") == "1"
        filename = f"{row.title or 'song'}{Path(name).suffix}" if download else None
        return FileResponse(path, filename=filename,
                            content_disposition_type="attachment" if download else "inline")

    async def form_page(request: Request) -> Response:
        from ..grammar import genre, genre_ids
        from ..vibes import vibe, vibe_ids

        def options(ids: list[str], describe: Any, chosen: str) -> str:
            return "\n".join(
                f'<option value="{html.escape(i)}"{" selected" if i == chosen else ""} '
                f'data-description="{html.escape(describe(i).description)}">{html.escape(i)}</option>'
                for i in ids)
        page = _template("form.html").substitute(
            genres=options(list(genre_ids()), genre, "pop"), vibes=options(list(vibe_ids()), vibe, "heartfelt"),
            max_message=validate.MAX_MESSAGE_CHARS, max_name=validate.MAX_NAME_CHARS)
        return HTMLResponse(page)

    async def song_page(request: Request) -> Response:
        row = _row(request)
        return HTMLResponse(_template("song.html").substitute(
            id=html.escape(row.id), title=html.escape(row.title or "Your song"),
            share_url=html.escape(str(request.url_for("share_page", song_id=row.id)))))

    async def share_page(request: Request) -> Response:
        row = _row(request)
        if row.status != "done":
            raise HTTPException(404, "this song is not ready to share")
        lines = [line["text"] for line in row.details.get("lines", []) if line["text"]]
        description = " / ".join(lines[:2]) or row.title
        return HTMLResponse(_template("share.html").substitute(
            id=html.escape(row.id), title=html.escape(row.title),
            description=html.escape(description),
            genre=html.escape(row.details.get("genre", "")), vibe=html.escape(row.details.get("vibe", "")),
            url=html.escape(str(request.url)),
            image=html.escape(str(request.url_for("share_image", song_id=row.id))),
            audio=html.escape(str(request.url_for("song_file", song_id=row.id, name="song.mp3"))),
            home=html.escape(str(request.url_for("form_page")))))

    async def share_image(request: Request) -> Response:
        row = _row(request)
        path = data / "songs" / row.id / "song.png"
        if row.status != "done" or not path.is_file():
            raise HTTPException(404, "no picture for this song")
        return FileResponse(path, media_type="image/png")

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        detail = getattr(exc, "detail", "not found")
        if request.url.path.startswith("/api/"):
            return _error(status, str(detail))
        return HTMLResponse(_template("message.html").substitute(
            title="Not here", message=html.escape(str(detail)), home="/"), status_code=status)

    async def server_error(request: Request, exc: Exception) -> Response:
        _log.error("%s %s: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
        if request.url.path.startswith("/api/"):
            return _error(500, "something went wrong on our side")
        return HTMLResponse(_template("message.html").substitute(
            title="Sorry", message="Something went wrong on our side.", home="/"), status_code=500)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        for task in list(state["tasks"]):
            task.cancel()
        if state["pool"] is not None:
            state["pool"].close()

    static = StaticFiles(directory=str(resources.files(__package__).joinpath("static")))
    routes = [
        Route("/", form_page, name="form_page"),
        Route("/song/{song_id}", song_page, name="song_page"),
        Route("/s/{song_id}", share_page, name="share_page"),
        Route("/s/{song_id}/image.png", share_image, name="share_image"),
        Route("/files/{song_id}/{name}", song_file, name="song_file"),
        Route("/api/songs", post_song, methods=["POST"], name="post_song"),
        Route("/api/songs/{song_id}", get_song, name="get_song"),
        Route("/api/songs/{song_id}/{counter}", count, methods=["POST"], name="count"),
        Route("/api/genres", genres, name="genres"),
        Route("/api/vibes", vibes, name="vibes"),
        Mount("/static", static, name="static"),
    ]
    return Starlette(routes=routes, lifespan=lifespan,
                     exception_handlers={HTTPException: not_found, 500: server_error})
