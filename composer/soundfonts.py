"""The SoundFont catalog: which fonts Songgram knows, their licences, and lookup.

The catalog is data (``soundfonts/catalog.toml``), validated on load. A font
is chosen by :func:`resolve_soundfont`: the default, ``"small"``, a catalog
id, or the path of any ``.sf2`` / ``.sf3`` file. Every font is checked before
use (it exists, is a RIFF ``sfbk`` file, has the catalogued size), so a
missing or broken font is a clear :class:`~composer.errors.RenderError`, never
a silent WAV.

>>> [font.id for font in catalog()]
['fluidr3', 'musescore', 'timgm6mb']
>>> resolve_soundfont("/nowhere/piano.sf2")
Traceback (most recent call last):
...
composer.errors.RenderError: SoundFont not found: /nowhere/piano.sf2; give the path of an existing .sf2 or .sf3 file
"""

from __future__ import annotations

import hashlib
import os
import stat
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .data import load, optional, require
from .errors import GrammarError, RenderError

__all__ = ["SoundFont", "catalog", "resolve_soundfont", "verify"]

_WHERE = "soundfonts/catalog.toml"
_EXTENSIONS = (".sf2", ".sf3")
USER_LICENSE = "unknown (user supplied)"


@dataclass(frozen=True, slots=True)
class SoundFont:
    """One SoundFont file and what we know about it.

    Attributes:
        id: the catalog id ("fluidr3"), or "user" for a font given by path.
        name: the name song.json and reports show ("FluidR3 GM").
        license: its licence ("MIT", "GPL-2", or "unknown (user supplied)").
        path: where the file is (for a catalog font, the first of its
            candidate paths that exists, else the first candidate).
        source: where it comes from (a Debian package, or the path given).
        size: its expected size in bytes; None when unknown.
        sha256: its expected checksum; "" when unknown.
        banks: the MIDI banks it has presets in; () when unknown.
        presets: how many presets it has; 0 when unknown.
        default: True for the catalog's default font.
        small: True for the catalog's font for low-power devices.
    """

    id: str
    name: str
    license: str
    path: Path
    source: str
    size: int | None = None
    sha256: str = ""
    banks: tuple[int, ...] = ()
    presets: int = 0
    default: bool = False
    small: bool = False


def _font_from_table(font_id: str, table: dict, *, default: str, small: str) -> SoundFont:
    key = f"fonts.{font_id}"
    paths = require(table, "paths", list, where=f"{_WHERE} [{key}]")
    if not paths or not all(isinstance(p, str) and p for p in paths):
        raise GrammarError(f"{_WHERE}: key '{key}.paths' must be a non-empty list of paths")
    banks = optional(table, "banks", list, [], where=f"{_WHERE} [{key}]")
    if not all(isinstance(b, int) and 0 <= b <= 128 for b in banks):
        raise GrammarError(f"{_WHERE}: key '{key}.banks' must list banks 0..128, got {banks!r}")
    size = require(table, "size", int, where=f"{_WHERE} [{key}]")
    sha = require(table, "sha256", str, where=f"{_WHERE} [{key}]")
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise GrammarError(f"{_WHERE}: key '{key}.sha256' must be 64 lowercase hex digits")
    candidates = [Path(p) for p in paths]
    found = next((p for p in candidates if p.is_file()), candidates[0])
    return SoundFont(
        id=font_id,
        name=require(table, "name", str, where=f"{_WHERE} [{key}]"),
        license=require(table, "license", str, where=f"{_WHERE} [{key}]"),
        path=found,
        source=require(table, "source", str, where=f"{_WHERE} [{key}]"),
        size=size,
        sha256=sha,
        banks=tuple(banks),
        presets=optional(table, "presets", int, 0, where=f"{_WHERE} [{key}]"),
        default=font_id == default,
        small=font_id == small,
    )


def _catalog_data() -> dict:
    """The parsed catalog, through the one loader when it can reach it.

    This module's name, ``composer.soundfonts``, is also the name setup.cfg
    gives the data folder, and in a source checkout the module wins, so
    :func:`composer.data.load` cannot see the folder (Python 3.11 raises
    TypeError, later ones look beside this file). Then the catalog is read
    from the checkout's ``soundfonts/`` folder.
    """
    try:
        return load("soundfonts", "catalog")
    except (TypeError, GrammarError):
        path = Path(__file__).resolve().parent.parent / "soundfonts" / "catalog.toml"
        try:
            return tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as err:
            raise GrammarError(f"{_WHERE}: file not found") from err
        except tomllib.TOMLDecodeError as err:
            raise GrammarError(f"{_WHERE}: not valid TOML: {err}") from err


@cache
def catalog() -> tuple[SoundFont, ...]:
    """Every font in the catalog, in file order (validated on first call).

    Raises:
        GrammarError: the catalog is malformed (naming the file and key).
    """
    data = _catalog_data()
    default = require(data, "default", str, where=_WHERE)
    small = require(data, "small", str, where=_WHERE)
    fonts = require(data, "fonts", dict, where=_WHERE)
    result = tuple(
        _font_from_table(font_id, require(fonts, font_id, dict, where=f"{_WHERE} [fonts]"),
                         default=default, small=small)
        for font_id in fonts
    )
    ids = {font.id for font in result}
    for key, value in (("default", default), ("small", small)):
        if value not in ids:
            raise GrammarError(f"{_WHERE}: key '{key}' names unknown font {value!r} (known: {sorted(ids)})")
    return result


def _check_file(path: Path, *, remedy: str) -> None:
    """Raise RenderError unless ``path`` looks like a complete SoundFont file."""
    if path.suffix.lower() not in _EXTENSIONS:
        raise RenderError(f"not a SoundFont (.sf2 or .sf3) file name: {path}; {remedy}")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO or a device must not block us
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise RenderError(f"not a SoundFont: {path} is not a regular file; {remedy}")
            header = handle.read(12)
            size = info.st_size
    except FileNotFoundError:
        raise RenderError(f"SoundFont not found: {path}; {remedy}") from None
    except OSError as err:
        raise RenderError(f"cannot read SoundFont {path}: {err.strerror}; {remedy}") from err
    if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"sfbk":
        raise RenderError(f"not a SoundFont (no RIFF sfbk header): {path}; {remedy}")
    declared = int.from_bytes(header[4:8], "little") + 8
    if size < declared:
        raise RenderError(
            f"SoundFont is truncated ({size} of {declared} bytes): {path}; {remedy}"
        )


def resolve_soundfont(spec: str | Path | None = None) -> SoundFont:
    """The font named by ``spec``, checked to be usable.

    Args:
        spec: None for the catalog's default, ``"small"`` for the font for
            low-power devices, a catalog id (``"fluidr3"``, ``"musescore"``,
            ``"timgm6mb"``), or the path of any ``.sf2`` / ``.sf3`` file.

    Raises:
        RenderError: the font is missing, is not a SoundFont, is truncated, or
            is not the catalogued file (its size differs).

    >>> resolve_soundfont("no-such-font")
    Traceback (most recent call last):
    ...
    composer.errors.RenderError: SoundFont not found: no-such-font; give a catalog id (fluidr3, musescore, timgm6mb), 'small', or the path of an existing .sf2 or .sf3 file
    """
    fonts = catalog()
    chosen: SoundFont | None
    if spec is None:
        chosen = next(font for font in fonts if font.default)
    elif spec == "small":
        chosen = next(font for font in fonts if font.small)
    else:
        chosen = next((font for font in fonts if font.id == spec), None)
    if chosen is None:
        path = Path(str(spec)).expanduser()
        if path.suffix.lower() not in _EXTENSIONS and not path.exists():
            ids = ", ".join(font.id for font in fonts)
            raise RenderError(
                f"SoundFont not found: {spec}; give a catalog id ({ids}), 'small', "
                "or the path of an existing .sf2 or .sf3 file"
            )
        _check_file(path, remedy="give the path of an existing .sf2 or .sf3 file")
        return SoundFont(
            id="user", name=path.stem, license=USER_LICENSE,
            path=path.resolve(), source=str(path),
        )
    remedy = f"run make setup (it installs the {chosen.source.removeprefix('Debian package ')} package)"
    _check_file(chosen.path, remedy=remedy)
    actual = chosen.path.stat().st_size
    if chosen.size is not None and actual != chosen.size:
        raise RenderError(
            f"SoundFont {chosen.path} is {actual} bytes, not the {chosen.size} of the catalogued "
            f"{chosen.name}; reinstall it with make setup, or pass the file as a path to use it as it is"
        )
    return chosen


def verify(font: SoundFont) -> None:
    """Check ``font`` against its catalogued SHA-256 (reads the whole file).

    Fonts without a checksum (given by path) pass. Too slow for every song
    (FluidR3 is 148 MB); the tests and ``make setup`` style checks use it.

    Raises:
        RenderError: the checksum differs or the file cannot be read.
    """
    if not font.sha256:
        return
    digest = hashlib.sha256()
    try:
        with font.path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError as err:
        raise RenderError(f"cannot read SoundFont {font.path}: {err.strerror}; run make setup") from err
    if digest.hexdigest() != font.sha256:
        raise RenderError(
            f"SoundFont {font.path} does not match the catalogued checksum of {font.name}; "
            "reinstall it with make setup"
        )
