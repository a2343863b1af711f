"""Writing a song's files: all or nothing, never half-written.

:func:`staged_output` gives a private staging folder *inside* the output
folder (``.songgram-stage-<pid>-<random>``: the same file system, so a rename
is atomic). The caller writes every file there. When it is done,
:func:`staged_output` commits them under an exclusive lock on the output
folder (``flock`` on the folder itself, no lock file):

1. each staged file is flushed to disk;
2. the files it replaces, and the files of the previous song that this one
   does not write, are moved aside into the staging folder. The previous
   song's files are those listed in the folder's ``.songgram.manifest`` with
   the SHA-256 of what was written, and only while they still have it: a
   file the user changed, or one a hand-made manifest lists, is never removed;
3. the new files are renamed into place, the manifest is replaced, the
   folder is flushed;
4. if any step fails, the new files are removed and the old ones put back.

Ctrl-C and SIGTERM that arrive during the commit are held until it ends (in
the main thread). So a compose that fails or is interrupted leaves the output
folder as it was, and of two composes into the same folder the later one wins
whole: no file of the earlier song is left beside it. Files of the user's that
are not ours are never touched. Folders the failed compose created are
removed again; a staging folder left by a process that died (its pid, in the
folder's name, no longer runs; its age does not matter) is removed by the next
compose into the same folder, as :func:`remove_stale_parts` removes the
``.part`` files of a dead render.

Only plain files at the top of the staging folder, with names that do not
start with a dot, are committed (a renderer's temporary files are not).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import secrets
import shutil
import signal
import stat
import threading
import unicodedata
from pathlib import Path
from typing import Callable, Iterator

from .errors import OutputError

__all__ = ["slug", "check_folder", "check_file", "remove_stale_parts", "staged_output", "write_files", "fsync", "MANIFEST", "STAGE_PREFIX",
           "SYSTEM_FOLDERS"]

MANIFEST = ".songgram.manifest"
"""The file, in an output folder, that lists the files of the song in it."""

STAGE_PREFIX = ".songgram-stage-"
"""The start of a staging folder's name."""

_STAGE = re.compile(re.escape(STAGE_PREFIX) + r"(\d+)-[0-9a-f]+")
_PART = re.compile(r"\.[^/]+\.(\d+)\.[0-9a-f]{8}\.[a-z0-9]+\.part")


def slug(text: str, *, fallback: str = "song") -> str:
    """A safe folder name: lower-case ASCII letters, digits and dashes, at most 60.

    It never contains a slash or dots, so it cannot leave the folder it is
    made in.

    >>> slug("Lupe's Kitchen / ../etc")
    'lupes-kitchen-etc'
    >>> slug("José"), slug("..."), slug("世界")
    ('jose', 'song', 'song')
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ascii_text = ascii_text.replace("'", "").lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    return "-".join(words)[:60].strip("-") or fallback


SYSTEM_FOLDERS = frozenset(map(Path, (
    "/", "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/run", "/sbin", "/sys",
    "/usr", "/usr/bin", "/usr/lib", "/usr/local", "/usr/sbin", "/usr/share", "/var", "/var/lib", "/var/log",
)))
"""Folders Songgram never writes its files straight into (a song's folder may be made inside them)."""


def _system_folder(folder: Path) -> bool:
    try:
        return folder.resolve() in SYSTEM_FOLDERS or Path(os.path.abspath(folder)) in SYSTEM_FOLDERS
    except (OSError, RuntimeError):
        return False


def check_file(path: Path) -> None:
    """Check that ``path`` may become a file Songgram writes (render --out, each format).

    Raises:
        OutputError: ``path`` is a device, a FIFO, a folder or another non-regular file, or
            lies straight in a system folder such as ``/`` or ``/dev``.

    >>> check_file(Path("/dev/null.wav"))
    Traceback (most recent call last):
    ...
    composer.errors.OutputError: cannot write to /dev/null.wav: /dev is a system folder; choose a file in a folder of your own
    """
    path = Path(path)
    if _system_folder(path.parent):
        raise OutputError(f"cannot write to {path}: {path.parent} is a system folder; "
                          "choose a file in a folder of your own")
    try:
        info = path.lstat() if path.is_symlink() else path.stat()
    except FileNotFoundError:
        return
    except OSError as err:
        raise OutputError(f"cannot write to {path}: {err.strerror or err}") from err
    if not stat.S_ISREG(info.st_mode):
        what = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file (a device, a FIFO...)"
        raise OutputError(f"cannot write to {path}: it is {what}; give the name of a file such as song.wav")


def check_folder(out: Path) -> None:
    """Check that ``out`` is, or can become, a folder we may write in.

    Cheap and early, before composing; the real test is making the staging
    folder (as root, permissions are not a reliable guide).

    Raises:
        OutputError: ``out`` is a file, lies under a file, or is not writable.

    >>> check_folder(Path("/dev/null/songs"))
    Traceback (most recent call last):
    ...
    composer.errors.OutputError: cannot write to /dev/null/songs: /dev/null is a file, not a folder
    """
    out = Path(out)
    if _system_folder(out):
        raise OutputError(f"cannot write to {out}: it is a system folder; choose or name a folder of your own")
    try:
        if out.exists() and not out.is_dir():
            raise OutputError(f"cannot write to {out}: it is a file, not a folder")
        parent = out
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if not parent.is_dir():
            raise OutputError(f"cannot write to {out}: {parent} is a file, not a folder")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise OutputError(f"cannot write to {out}: {parent} is not writable (permission denied)")
    except (OSError, ValueError) as err:
        raise OutputError(f"cannot write to {out}: {getattr(err, 'strerror', None) or err}") from err


def _owner_is_dead(pid: int) -> bool:
    """Whether no process ``pid`` exists (another user's live process counts as alive)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _remove_stale_stages(out: Path) -> None:
    """Remove staging folders left in ``out`` by processes that died (their owner's pid is gone)."""
    for path in out.glob(STAGE_PREFIX + "*"):
        found = _STAGE.fullmatch(path.name)
        if found and not path.is_symlink() and path.is_dir() and _owner_is_dead(int(found[1])):
            shutil.rmtree(path, ignore_errors=True)


def remove_stale_parts(folder: Path) -> None:
    """Remove the hidden ``.part`` files that processes which died left in ``folder``
    (the audio writer names them ``.<stem>.<pid>.<random><suffix>.part``)."""
    with contextlib.suppress(OSError):
        for path in Path(folder).glob(".*.part"):
            found = _PART.fullmatch(path.name)
            if found and path.is_file() and not path.is_symlink() and _owner_is_dead(int(found[1])):
                with contextlib.suppress(OSError):
                    path.unlink()


def _make_stage(out: Path) -> Path:
    for _ in range(3):  # another compose's cleanup may remove ``out`` between the two steps
        out.mkdir(parents=True, exist_ok=True)
        stage = out / f"{STAGE_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        try:
            stage.mkdir(mode=0o700)
            return stage
        except FileNotFoundError:
            continue
    raise FileNotFoundError(2, "the folder vanished while it was being made", str(out))


@contextlib.contextmanager
def staged_output(out: Path) -> Iterator[Path]:
    """A staging folder for the files of one compose, committed into ``out`` on success.

    On any error, Ctrl-C or SIGTERM (when SIGTERM raises, as the command line
    arranges), the staging folder is removed and ``out`` is left as it was.

    Raises:
        OutputError: ``out`` is a file or cannot be written.
    """
    out = Path(out)
    check_folder(out)
    created = [p for p in (out, *out.parents) if not p.exists()]  # deepest first
    try:
        stage = _make_stage(out)
        _remove_stale_stages(out)
    except OSError as err:
        _remove_empty(created)
        raise OutputError(f"cannot write to {out}: {err.strerror or err}") from err
    done = False
    try:
        yield stage
        with _signals_held():  # a held SIGTERM whose default ends the process comes after the cleanup
            _commit(stage, out)
            done = True
            shutil.rmtree(stage, ignore_errors=True)
    finally:
        if not done:
            shutil.rmtree(stage, ignore_errors=True)
            _remove_empty(created)


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders a failed compose created, deepest first, if they are empty."""
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends (main thread only), then deliver them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, lambda got, _frame: held.append(got))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if held:
            signal.raise_signal(held[0])


@contextlib.contextmanager
def _folder_lock(out: Path) -> Iterator[None]:
    """An exclusive lock on the folder ``out``, held by every commit into it."""
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def fsync(path: Path, *, folder: bool = False) -> None:
    """Flush ``path`` (a file, or with ``folder`` a folder's entries) to disk."""
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if folder else 0))
    try:
        os.fsync(fd)
    except OSError:
        if not folder:  # some file systems cannot sync a folder; the files are what matter
            raise
    finally:
        os.close(fd)


def _digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _previous_files(out: Path) -> dict[str, str]:
    """The plain file names the manifest of ``out`` lists, with the SHA-256 of what was written.

    A line is ``name<TAB>sha256``; anything else (a path, a hidden name, a line without a
    digest, as a hand-made manifest has) is ignored, so such a file is never removed.
    """
    try:
        lines = (out / MANIFEST).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    listed = {}
    for line in lines:
        name, _, digest = line.partition("\t")
        if name and "/" not in name and "\0" not in name and not name.startswith(".") \
                and re.fullmatch("[0-9a-f]{64}", digest):
            listed[name] = digest
    return listed


def _ours(path: Path, digest: str) -> bool:
    """Whether ``path`` is still the plain file a compose wrote, byte for byte."""
    try:
        return path.is_file() and not path.is_symlink() and _digest(path) == digest
    except OSError:
        return False


def _commit(stage: Path, out: Path) -> None:
    """Move every staged file into ``out`` as one transaction (see the module's docstring)."""
    aside = stage / ".replaced"
    moved: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        with _folder_lock(out):
            names = sorted(p.name for p in stage.iterdir()
                           if p.is_file() and not p.is_symlink() and not p.name.startswith("."))
            digests = {}
            for n in names:
                fsync(stage / n)
                digests[n] = _digest(stage / n)
            aside.mkdir()
            previous = {n: d for n, d in _previous_files(out).items() if n not in digests}
            for n in sorted(set(names) | {n for n, d in previous.items() if _ours(out / n, d)}):
                target = out / n
                if target.is_symlink() or target.is_file():
                    os.replace(target, aside / n)
                    moved.append((target, aside / n))
            for n in names:
                os.replace(stage / n, out / n)
                placed.append(out / n)
            listing = stage / ".manifest"
            listing.write_text("".join(f"{n}\t{digests[n]}\n" for n in names), encoding="utf-8")
            fsync(listing)
            os.replace(listing, out / MANIFEST)
            fsync(out, folder=True)
    except BaseException as err:
        for path in placed:
            with contextlib.suppress(OSError):
                path.unlink()
        for target, backup in reversed(moved):
            with contextlib.suppress(OSError):
                os.replace(backup, target)
        if isinstance(err, OSError):
            raise OutputError(f"cannot write to {out}: {err.strerror or err}") from err
        raise


def write_files(stage: Path, files: dict[str, bytes | str | Callable[[Path], None]]) -> None:
    """Write ``files`` (name -> bytes, text, or a function that writes the path) into ``stage``.

    Raises:
        ValueError: a name is not a plain file name.
        OutputError: a file cannot be written.
    """
    for name, content in files.items():
        if not name or "/" in name or name.startswith("."):
            raise ValueError(f"file names must be plain names without a leading dot, got {name!r}")
        path = stage / name
        try:
            if callable(content):
                content(path)
            elif isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        except OSError as err:
            raise OutputError(f"cannot write {name}: {err.strerror or err}") from err
