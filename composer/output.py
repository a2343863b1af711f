"""Writing a song's files: all or nothing, never half-written.

Every file is first written into a private staging folder beside the output
folder, then moved into place with ``os.replace`` while holding a lock on the
output folder. A compose that fails or is interrupted leaves the output folder
as it was; two composes into the same folder never mix their files (the later
one wins whole); files of the user's that are not ours are never touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import Callable, Iterator

from .errors import OutputError

__all__ = ["slug", "staged_output", "write_files", "LOCK_NAME"]

LOCK_NAME = ".songgram.lock"


def slug(text: str, *, fallback: str = "song") -> str:
    """A safe folder name: lower-case ASCII letters, digits and dashes.

    It never contains a slash or dots, so it cannot leave the folder it is
    made in.

    >>> slug("Lupe's Kitchen / ../etc")
    'lupes-kitchen-etc'
    >>> slug("José")
    'jose'
    >>> slug("...")
    'song'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ascii_text = ascii_text.replace("'", "").lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    return "-".join(words)[:60].strip("-") or fallback


def _check_folder(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file, not a folder")
    parent = out if out.exists() else out.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write to {out}: {parent} is not writable")


@contextlib.contextmanager
def staged_output(out: Path) -> Iterator[Path]:
    """A staging folder for the files of one compose; moved into ``out`` on success.

    On any error (or Ctrl-C) the staging folder is removed and ``out`` is left
    as it was.

    Raises:
        OutputError: ``out`` is a file or cannot be written.
    """
    out = Path(out)
    _check_folder(out)
    created = [p for p in (out, *out.parents) if not p.exists()]
    try:
        out.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".songgram-", dir=out))
    except OSError as err:
        raise OutputError(f"cannot write to {out}: {err.strerror or err}") from err
    done = False
    try:
        yield stage
        _commit(stage, out)
        done = True
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if not done:
            for folder in created:  # folders this compose made, deepest first
                with contextlib.suppress(OSError):
                    (folder / LOCK_NAME).unlink(missing_ok=True)
                    folder.rmdir()


def _commit(stage: Path, out: Path) -> None:
    """Move every staged file into ``out`` under the folder's lock."""
    try:
        with open(out / LOCK_NAME, "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            for path in sorted(stage.rglob("*")):
                if path.is_file():
                    target = out / path.relative_to(stage)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(path, target)
    except OSError as err:
        raise OutputError(f"cannot write to {out}: {err.strerror or err}") from err


def write_files(stage: Path, files: dict[str, bytes | str | Callable[[Path], None]]) -> None:
    """Write ``files`` (name -> bytes, text, or a function that writes the path) into ``stage``."""
    for name, content in files.items():
        path = stage / name
        if callable(content):
            content(path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
