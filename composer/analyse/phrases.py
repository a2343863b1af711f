"""Find weighted keyword phrases in a list of words.

Keyword tables (themes, relations) map ids to ``{phrase: weight}``. A phrase
is one or more lower-case words; a word ending in ``*`` matches any word
that starts with it ("congrat*" matches "congrats", "congratulations").

Matching reads the words left to right and takes the longest phrase that
starts at each word, so "we'll miss you" (farewell) is not also read as
"miss you" (missing-you). A phrase counts at most twice in one text.

>>> m = build_matcher({"farewell": {"we'll miss you": 4}, "missing": {"miss you": 3, "miss*": 1}})
>>> score(m, "we'll miss you so much".split())
{'farewell': 4.0}
>>> score(m, "miss you miss you miss you missing".split())
{'missing': 7.0}
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from types import MappingProxyType
from typing import Iterator, Mapping, Sequence

__all__ = ["Phrase", "Matcher", "build_matcher", "matches", "score", "spans", "MAX_REPEATS"]

MAX_REPEATS = 2
"""How many times one phrase can add its weight in one text."""


@dataclass(frozen=True, slots=True)
class Phrase:
    """A keyword phrase and what it adds to which ids."""

    words: tuple[str, ...]
    targets: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class Matcher:
    """Phrases indexed by their first word (wildcard first words apart)."""

    by_first: Mapping[str, tuple[Phrase, ...]]
    wild_first: tuple[Phrase, ...]


def build_matcher(tables: Mapping[str, Mapping[str, float]]) -> Matcher:
    """Index the phrases of ``{id: {phrase: weight}}``; longest phrases first."""
    targets: dict[tuple[str, ...], list[tuple[str, float]]] = defaultdict(list)
    for ident, table in tables.items():
        for text, weight in table.items():
            targets[tuple(text.split())].append((ident, weight))
    phrases = sorted(
        (Phrase(words, tuple(t)) for words, t in targets.items()), key=lambda p: -len(p.words)
    )
    by_first: dict[str, list[Phrase]] = defaultdict(list)
    wild: list[Phrase] = []
    for p in phrases:
        (wild if p.words[0].endswith("*") else by_first[p.words[0]]).append(p)
    return Matcher(MappingProxyType({k: tuple(v) for k, v in by_first.items()}), tuple(wild))


def _fits(pattern: str, word: str) -> bool:
    return word.startswith(pattern[:-1]) if pattern.endswith("*") else word == pattern


def _longest_at(matcher: Matcher, words: Sequence[str], i: int) -> Phrase | None:
    best: Phrase | None = None
    for p in (*matcher.by_first.get(words[i], ()), *matcher.wild_first):
        n = len(p.words)
        if best is not None and n <= len(best.words):
            continue
        if i + n <= len(words) and all(_fits(w, words[i + k]) for k, w in enumerate(p.words)):
            best = p
    return best


def matches(matcher: Matcher, words: Sequence[str]) -> Iterator[tuple[int, Phrase]]:
    """(start, phrase) for each phrase found, longest first at each place, left to right."""
    i = 0
    while i < len(words):
        found = _longest_at(matcher, words, i)
        if found is None:
            i += 1
            continue
        yield i, found
        i += len(found.words)


def score(matcher: Matcher, words: Sequence[str]) -> dict[str, float]:
    """Sum the weights of the phrases found in ``words`` (lower-case), per id."""
    totals: dict[str, float] = defaultdict(float)
    seen: dict[tuple[str, ...], int] = defaultdict(int)
    for _start, found in matches(matcher, words):
        seen[found.words] += 1
        if seen[found.words] <= MAX_REPEATS:
            for ident, weight in found.targets:
                totals[ident] += weight
    return {k: v for k, v in totals.items() if v != 0}


def spans(matcher: Matcher, words: Sequence[str]) -> list[tuple[int, int]]:
    """The (start, end) word spans of the phrases found, left to right.

    >>> spans(build_matcher({"a": {"little one": 3}}), "sleep little one".split())
    [(1, 3)]
    """
    return [(start, start + len(found.words)) for start, found in matches(matcher, words)]
