"""One loader for the knowledge kept as data: grammars/, rules/, soundfonts/.

Files are TOML, shipped as package data and read through
:mod:`importlib.resources`, so an installed wheel works outside the checkout.
Each file is parsed once per process. Errors name the file and the key.

>>> sorted(list_files("grammars"))[:1]
['ballad']
>>> table = {"tempo": {"range": [60, 80]}}
>>> require(table, "tempo.range", list, where="grammars/x.toml")
[60, 80]
>>> require(table, "tempo.meters", list, where="grammars/x.toml")
Traceback (most recent call last):
...
composer.errors.GrammarError: grammars/x.toml: missing key 'tempo.meters' (expected list)
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any, Literal, TypeVar

from .errors import GrammarError

__all__ = ["Folder", "load", "list_files", "require", "optional"]

Folder = Literal["grammars", "rules", "soundfonts"]

T = TypeVar("T")

_PACKAGE = {
    "grammars": "composer.grammars",
    "rules": "composer.rules",
    "soundfonts": "composer.soundfont_catalog",
}


def list_files(folder: Folder) -> list[str]:
    """The names (without ``.toml``) of the data files in ``folder``."""
    root = resources.files(_PACKAGE[folder])
    return sorted(
        p.name[: -len(".toml")] for p in root.iterdir() if p.name.endswith(".toml")
    )


@cache
def load(folder: Folder, name: str) -> dict[str, Any]:
    """Parse ``folder/name.toml`` once and return it.

    Raises:
        GrammarError: the file is missing or is not valid TOML.
    """
    where = f"{folder}/{name}.toml"
    path = resources.files(_PACKAGE[folder]).joinpath(f"{name}.toml")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise GrammarError(f"{where}: file not found") from err
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise GrammarError(f"{where}: not valid TOML: {err}") from err


_MISSING = object()


def _lookup(table: dict[str, Any], dotted: str) -> Any:
    node: Any = table
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _type_name(kind: type | tuple[type, ...]) -> str:
    if isinstance(kind, tuple):
        return " or ".join(k.__name__ for k in kind)
    return kind.__name__


def require(
    table: dict[str, Any], key: str, kind: type[T] | tuple[type, ...], *, where: str
) -> T:
    """Return ``table[key]`` (``key`` may be dotted), checked to be of ``kind``.

    Raises:
        GrammarError: naming ``where`` (the file), the key and what was expected.
    """
    value = _lookup(table, key)
    if value is _MISSING:
        raise GrammarError(f"{where}: missing key '{key}' (expected {_type_name(kind)})")
    if isinstance(value, bool) and kind in (int, float):
        raise GrammarError(f"{where}: key '{key}' must be {_type_name(kind)}, got {value!r}")
    if kind is float and isinstance(value, int):
        value = float(value)
    if not isinstance(value, kind):
        raise GrammarError(
            f"{where}: key '{key}' must be {_type_name(kind)}, got {type(value).__name__} {value!r}"
        )
    return value  # type: ignore[return-value]


def optional(
    table: dict[str, Any], key: str, kind: type[T] | tuple[type, ...], default: T, *, where: str
) -> T:
    """Like :func:`require`, but ``default`` when the key is absent."""
    if _lookup(table, key) is _MISSING:
        return default
    return require(table, key, kind, where=where)
