"""Checks for the analyse stage's rule tables, one function per shape of value.

Each check reads a key with :func:`composer.data.require` and verifies the
shape inside it, so that a typo is a :class:`~composer.errors.GrammarError`
naming the file and the key.

>>> weights({"cues": {"thank you": 3}}, "cues", where="rules/x.toml")
{'thank you': 3.0}
>>> weights({"cues": {"thank you": "3"}}, "cues", where="rules/x.toml")
Traceback (most recent call last):
...
composer.errors.GrammarError: rules/x.toml: key 'cues.thank you' must be a number, got '3'
"""

from __future__ import annotations

import re
from typing import Any

from ..data import optional, require
from ..errors import GrammarError

__all__ = ["words", "strings", "weights", "phrase", "one_of"]

_PHRASE = re.compile(r"^[a-z']+\*?(?: [a-z']+\*?)*$")


def phrase(text: str, *, key: str, where: str) -> str:
    """Check a keyword phrase: lower-case words, apostrophes, a final ``*`` per word.

    >>> phrase("let's go", key="k", where="rules/x.toml")
    "let's go"
    >>> phrase("Let's  go", key="k", where="rules/x.toml")
    Traceback (most recent call last):
    ...
    composer.errors.GrammarError: rules/x.toml: key 'k' must be lower-case words separated by single spaces, got "Let's  go"
    """
    if not _PHRASE.match(text):
        raise GrammarError(
            f"{where}: key '{key}' must be lower-case words separated by single spaces, got {text!r}"
        )
    return text


def words(table: dict[str, Any], key: str, *, where: str, default: list[str] | None = None) -> tuple[str, ...]:
    """A list of keyword phrases at ``key`` (see :func:`phrase`)."""
    items = require(table, key, list, where=where) if default is None else optional(
        table, key, list, default, where=where
    )
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise GrammarError(f"{where}: key '{key}[{i}]' must be str, got {item!r}")
        out.append(phrase(item, key=f"{key}[{i}]", where=where))
    return tuple(out)


def strings(table: dict[str, Any], key: str, *, where: str) -> dict[str, str]:
    """A table of string -> string at ``key``."""
    node = require(table, key, dict, where=where)
    for name, value in node.items():
        if not isinstance(value, str):
            raise GrammarError(f"{where}: key '{key}.{name}' must be str, got {value!r}")
    return dict(node)


def weights(table: dict[str, Any], key: str, *, where: str) -> dict[str, float]:
    """A table of keyword phrase -> weight (a number from -10 to 10) at ``key``."""
    node = require(table, key, dict, where=where)
    out: dict[str, float] = {}
    for name, value in node.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise GrammarError(f"{where}: key '{key}.{name}' must be a number, got {value!r}")
        if not -10 <= value <= 10:
            raise GrammarError(f"{where}: key '{key}.{name}' must be -10..10, got {value!r}")
        out[phrase(name, key=f"{key}.{name}", where=where)] = float(value)
    return out


def one_of(value: str, choices: tuple[str, ...], *, key: str, where: str) -> str:
    """Check that ``value`` is one of ``choices`` (an id defined elsewhere).

    >>> one_of("pet", ("pet", "team"), key="themes.pet.relation", where="rules/themes.toml")
    'pet'
    >>> one_of("dog", ("pet", "team"), key="themes.pet.relation", where="rules/themes.toml")
    Traceback (most recent call last):
    ...
    composer.errors.GrammarError: rules/themes.toml: key 'themes.pet.relation' names unknown id 'dog' (expected one of: pet, team)
    """
    if value not in choices:
        raise GrammarError(
            f"{where}: key '{key}' names unknown id {value!r} (expected one of: {', '.join(choices)})"
        )
    return value
