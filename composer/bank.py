"""The lyric bank (rules/lyrics.toml): lines that say whom and what they fit.

Every group of lines names the themes and the relations it fits (ids of
rules/themes.toml and rules/relations.toml, or an alias of the file's
``[aliases]``). :func:`pool` gives the lines a song may use: those whose
group lists the song's theme AND its relation. A romantic line is tagged
``partner`` only, so it is never sung to anyone else; a recipient of unknown
relation (``other``) only gets lines tagged for anyone. A group may also
list ``cues``: words of which the message must hold one (a trailing ``*``
matches any ending), so a line that recalls something particular ("You cooked
the meals that made us strong") is only sung when the sender spoke of it.

The whole file is checked on first use: a group without ``themes`` or
``relations``, an unknown tag, an empty line, a hook without a place for the
name, a bridge that is not a couplet all raise :class:`GrammarError` naming
the file and the line.

>>> p = pool("love", "parent")
>>> any("kiss" in line for line in p.lines), any("home out of a house" in line for line in p.lines)
(False, True)
>>> "Each kiss still feels just like the first" in pool("love", "partner").lines
True
>>> meals = "You cooked the meals that made us strong"
>>> meals in pool("gratitude", "parent").lines, meals in pool("gratitude", "parent", frozenset({"cooking"})).lines
(False, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from . import data
from .analyse import RELATIONS, THEMES
from .errors import GrammarError

__all__ = ["Pool", "pool", "core_words", "no_break_after", "check_bank", "WHERE"]

WHERE = "rules/lyrics.toml"
KINDS = {"lines": "lines", "hooks": "lines", "bridges": "couplets"}
"""Group kind -> the key that holds its text."""


@dataclass(frozen=True, slots=True)
class Group:
    """One tagged group of the bank."""

    kind: str
    themes: frozenset[str]
    relations: frozenset[str]
    texts: tuple[Any, ...]
    cues: tuple[str, ...] = ()

    def fits(self, words: frozenset[str]) -> bool:
        """Whether the message's (lower-case) words hold one of the group's cues, if it has any."""
        if not self.cues:
            return True
        return any(w.startswith(c[:-1]) if c.endswith("*") else w == c for c in self.cues for w in words)


@dataclass(frozen=True, slots=True)
class Pool:
    """What one song (theme, relation) may sing from the bank.

    Attributes:
        lines: answer lines for verses and choruses.
        hooks: chorus hooks; ``{name}`` marks the name, else the writer adds it.
        couplets: bridge couplets (two rhyming lines).
    """

    lines: tuple[str, ...]
    hooks: tuple[str, ...]
    couplets: tuple[tuple[str, str], ...]


def _line_of(text: str, needle: str) -> int:
    """The 1-based line of ``needle`` in ``text`` (0 if not found)."""
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else 0


def _raw() -> str:
    return resources.files("composer.rules").joinpath("lyrics.toml").read_text(encoding="utf-8")


def _expand(tags: Any, ids: tuple[str, ...], aliases: dict[str, list[str]], *, what: str, where: str) -> frozenset[str]:
    if not isinstance(tags, list) or not tags or not all(isinstance(t, str) for t in tags):
        raise GrammarError(f"{where}: '{what}' must be a non-empty list of ids")
    out: set[str] = set()
    for tag in tags:
        if tag in ids:
            out.add(tag)
        elif tag in aliases:
            out.update(aliases[tag])
        else:
            raise GrammarError(f"{where}: unknown {what[:-1]} {tag!r} in '{what}' (known: {', '.join(ids)}, "
                               f"or an alias of [aliases]: {', '.join(sorted(aliases))})")
    return frozenset(out)


def check_bank(raw: dict[str, Any], text: str = "") -> tuple[Group, ...]:
    """Check a parsed bank and return its groups.

    ``text`` is the file's text, used to name the line of a bad group.

    >>> check_bank({"lines": [{"themes": ["love"], "lines": ["You light the way"]}]},
    ...            'lines = ["You light the way"]')
    Traceback (most recent call last):
    ...
    composer.errors.GrammarError: rules/lyrics.toml line 1: [[lines]] group 1 ("You light the way") has no 'relations': every line must say whom it fits
    """
    aliases_raw = raw.get("aliases", {})
    if not isinstance(aliases_raw, dict):
        raise GrammarError(f"{WHERE}: '[aliases]' must be a table")
    aliases: dict[str, list[str]] = {}
    for name, ids in aliases_raw.items():
        if not isinstance(ids, list) or not all(isinstance(i, str) and (i in THEMES or i in RELATIONS) for i in ids):
            raise GrammarError(f"{WHERE}: key 'aliases.{name}' must list theme or relation ids")
        aliases[name] = list(ids)
    rel_alias = {k: v for k, v in aliases.items() if all(i in RELATIONS for i in v)}
    theme_alias = {k: v for k, v in aliases.items() if all(i in THEMES for i in v)}
    groups = []
    for kind, field in KINDS.items():
        entries = raw.get(kind, [])
        if not isinstance(entries, list):
            raise GrammarError(f"{WHERE}: '{kind}' must be an array of tables [[{kind}]]")
        for n, entry in enumerate(entries, 1):
            texts = entry.get(field) if isinstance(entry, dict) else None
            if not isinstance(texts, list) or not texts:
                raise GrammarError(f"{WHERE}: [[{kind}]] group {n} must have a non-empty '{field}' list")
            first = texts[0][0] if field == "couplets" and isinstance(texts[0], list) and texts[0] else texts[0]
            line = _line_of(text, f'"{first}"') if isinstance(first, str) else 0
            where = f"{WHERE}" + (f" line {line}" if line else "") + f': [[{kind}]] group {n} ("{first}")'
            for tag in ("themes", "relations"):
                if tag not in entry:
                    raise GrammarError(f"{where} has no '{tag}': every line must say whom it fits")
            themes = _expand(entry["themes"], THEMES, theme_alias, what="themes", where=where)
            relations = _expand(entry["relations"], RELATIONS, rel_alias, what="relations", where=where)
            for item in texts:
                if field == "couplets":
                    ok = isinstance(item, list) and len(item) == 2 and all(isinstance(s, str) and s.strip()
                                                                          for s in item)
                    if not ok:
                        raise GrammarError(f"{where}: a bridge must be a couplet of two lines, got {item!r}")
                elif not isinstance(item, str) or not item.strip():
                    raise GrammarError(f"{where}: every line must be non-empty text, got {item!r}")
                elif kind == "hooks" and "{" in item.replace("{name}", ""):
                    raise GrammarError(f"{where}: hook {item!r} may only hold the placeholder {{name}}")
            cues = entry.get("cues", [])
            if not isinstance(cues, list) or not all(isinstance(c, str) and c.strip("*").isalpha()
                                                     and c == c.lower() and "*" not in c[:-1] for c in cues):
                raise GrammarError(f"{where}: 'cues' must be a list of lower-case words (a trailing * matches "
                                   f"any ending), got {cues!r}")
            if "cues" in entry and not cues:
                raise GrammarError(f"{where}: 'cues' is empty; leave it out for lines that fit any message")
            texts_t = tuple(tuple(c) for c in texts) if field == "couplets" else tuple(texts)
            groups.append(Group(kind, themes, relations, texts_t, tuple(cues)))
    for kind in KINDS:
        if not any(g.kind == kind for g in groups):
            raise GrammarError(f"{WHERE}: the bank needs at least one [[{kind}]] group")
    return tuple(groups)


@cache
def _groups() -> tuple[Group, ...]:
    return check_bank(data.load("rules", "lyrics"), _raw())


@cache
def _fitting(theme: str, relation: str) -> tuple[Group, ...]:
    return tuple(g for g in _groups() if theme in g.themes and relation in g.relations)


def pool(theme: str, relation: str, words: frozenset[str] = frozenset()) -> Pool:
    """The lines a song of ``theme`` to a ``relation`` may sing (bank order, no duplicates).

    ``words`` are the message's words, lower case: a group with ``cues`` is used only
    when they hold one. (Not cached by message: a server would keep one pool per message.)
    """
    sel = [g for g in _fitting(theme, relation) if g.fits(words)]

    def gather(kind: str) -> tuple[Any, ...]:
        return tuple(dict.fromkeys(t for g in sel if g.kind == kind for t in g.texts))

    return Pool(lines=gather("lines"), hooks=gather("hooks"), couplets=gather("bridges"))


@cache
def core_words(theme: str) -> frozenset[str]:
    """Words that mark the message's emotional core for ``theme`` (``[core]``)."""
    table = data.require(data.load("rules", "lyrics"), "core", dict, where=WHERE)
    words = table.get(theme, [])
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise GrammarError(f"{WHERE}: key 'core.{theme}' must be a list of words")
    return frozenset(w.lower() for w in words)


@cache
def no_break_after() -> frozenset[str]:
    """Words a line of the message never ends on (``[phrasing] no_break_after``)."""
    words = data.require(data.load("rules", "lyrics"), "phrasing.no_break_after", list, where=WHERE)
    return frozenset(str(w).lower() for w in words)
