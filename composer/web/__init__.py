"""Songgram on the web: a page where anyone can make, hear and share a song (``songgram serve``).

Needs the ``[server]`` extra (Starlette and uvicorn). :func:`create_app` builds
the ASGI app; :func:`serve` runs it with uvicorn. Songs are composed by the
same :func:`composer.compose` and :func:`composer.save.save_song` the command
line uses, in a bounded pool of worker processes, and stored in SQLite under
the data folder (:mod:`composer.web.store`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import SonggramError

__all__ = ["create_app", "serve", "ServerMissing"]


class ServerMissing(SonggramError):
    """The ``[server]`` extra is not installed."""

    exit_code = 2


def _require() -> None:
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as err:
        raise ServerMissing(f"the web server needs {err.name}: pip install 'songgram[server]' "
                            "(make setup installs it)") from err


def create_app(data: Path, **options: object) -> Any:
    """The ASGI app (see :func:`composer.web.app.create_app`)."""
    _require()
    from .app import create_app as make
    return make(Path(data), **options)  # type: ignore[arg-type]


def serve(*, host: str = "127.0.0.1", port: int = 8765, data: Path = Path("songs/web"),
          workers: int | None = None, queue_limit: int = 8, songs_per_minute: int = 6) -> None:
    """Run the web app with uvicorn until interrupted (options as for :func:`create_app`)."""
    _require()
    import uvicorn
    app = create_app(data, workers=workers, queue_limit=queue_limit, songs_per_minute=songs_per_minute)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
