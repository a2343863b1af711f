"""What a message is about (its themes) and who it is for (the relation).

Both come from keyword tables in rules/themes.toml and rules/relations.toml,
matched with :mod:`.phrases` on the lower-case, accent-free sung words.

Three steps:

1. :func:`name_evidence`: the relations named by the recipient's name, the
   message's vocatives ("Mom, ...", "..., Uncle Joe.") and "my" + a name
   word in the message ("to my wonderful wife", at 0.7 of the weight; after
   modifiers the last name word counts: "my darling boy" is a boy).
2. :func:`theme_scores`: each theme's score is its ``prior`` plus the
   weights of its keywords found in the message, plus its ``name_boost``
   when step 1 points most to its relation. Every theme with a keyword found
   is listed, best first (ties keep the file's order); with none found the
   list holds only the theme with the highest prior ("love": a personal
   message with no other cue is a song of affection).
3. :func:`relation_of`: the names of step 1, plus the relations' ``cues``
   found in the message ("little brother", "open late"), plus a vote from
   each theme found for its ``relation``: its ``relation_weight`` scaled by
   its score relative to the best theme (a lullaby is for a child), from
   themes scoring at least half the best one (a passing "tacos" in a
   birthday wish does not make the recipient a taco shop); the
   fallback theme votes at half weight (a message with no cue is taken as
   affection for a partner). With no evidence at all the relation is "other".

>>> words = "thank you for always cooking for us".split()
>>> [t for t, _ in theme_scores(words)]
['gratitude']
>>> relation_of(name_evidence([["nanay"]], words), words, theme_scores(words))
'parent'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any, Mapping, Sequence

from ..data import load, optional, require
from ..errors import GrammarError
from .checks import one_of, weights
from .checks import words as word_list
from .phrases import Matcher, build_matcher, score, spans

__all__ = [
    "Theme",
    "Relation",
    "check_themes",
    "check_relations",
    "themes",
    "relations",
    "theme_matcher",
    "name_matcher",
    "name_evidence",
    "theme_scores",
    "relation_of",
    "MY_FACTOR",
    "FALLBACK_RELATION",
    "modifiers",
]

FALLBACK_RELATION = "other"
"""The relation when nothing points anywhere; must be defined in relations.toml."""

MIN_VOTE_SHARE = 0.5
"""A theme scoring less than this share of the best theme casts no vote."""

FALLBACK_VOTE = 0.5
"""The share of its vote that the fallback theme (no keyword found) casts."""

MY_FACTOR = 0.7
"""The share of a name word's weight that "my" + that word in a message adds."""


@dataclass(frozen=True, slots=True)
class Theme:
    """One theme of rules/themes.toml.

    Attributes:
        id: the theme id ("love", "missing-you"...).
        description: one line saying what songs of this theme are about.
        prior: added to the score of a theme that matched; the theme with the
            highest prior is the fallback.
        relation: the relation this theme suggests.
        relation_weight: how strongly it suggests it.
        keywords: phrase -> weight.
        name_boost: added to the score when the recipient's names point most
            to ``relation`` (a message to a shop is a jingle).
    """

    id: str
    description: str
    prior: float
    relation: str
    relation_weight: float
    keywords: Mapping[str, float]
    name_boost: float = 0.0


@dataclass(frozen=True, slots=True)
class Relation:
    """One relation of rules/relations.toml.

    Attributes:
        id: the relation id ("parent", "friend"...).
        description: who counts as this relation.
        names: words of a name or form of address -> weight ("mom", "coach").
        cues: phrases of the message -> weight ("little brother").
    """

    id: str
    description: str
    names: Mapping[str, float]
    cues: Mapping[str, float]


def _number(table: dict[str, Any], key: str, where: str, default: float | None = None) -> float:
    if default is None:
        value = require(table, key, float, where=where)
    else:
        value = optional(table, key, float, default, where=where)
    if value < 0:
        raise GrammarError(f"{where}: key '{key}' must be >= 0, got {value}")
    return value


def check_relations(table: dict[str, Any], *, where: str) -> tuple[Relation, ...]:
    """Validate the parsed relations table.

    Raises:
        GrammarError: naming the file and the key at fault.
    """
    node = require(table, "relations", dict, where=where)
    out = []
    for rid, body in node.items():
        key = f"relations.{rid}"
        if not isinstance(body, dict):
            raise GrammarError(f"{where}: key '{key}' must be a table, got {body!r}")
        out.append(
            Relation(
                id=rid,
                description=require(table, f"{key}.description", str, where=where),
                names=MappingProxyType(weights(table, f"{key}.names", where=where)),
                cues=MappingProxyType(weights(table, f"{key}.cues", where=where)),
            )
        )
    if FALLBACK_RELATION not in node:
        raise GrammarError(f"{where}: missing key 'relations.{FALLBACK_RELATION}' (expected table)")
    return tuple(out)


def check_themes(table: dict[str, Any], *, where: str, relation_ids: tuple[str, ...]) -> tuple[Theme, ...]:
    """Validate the parsed themes table; relations must name ``relation_ids``.

    Raises:
        GrammarError: naming the file and the key at fault.
    """
    node = require(table, "themes", dict, where=where)
    if not node:
        raise GrammarError(f"{where}: key 'themes' must define at least one theme")
    out = []
    for tid, body in node.items():
        key = f"themes.{tid}"
        if not isinstance(body, dict):
            raise GrammarError(f"{where}: key '{key}' must be a table, got {body!r}")
        relation = require(table, f"{key}.relation", str, where=where)
        out.append(
            Theme(
                id=tid,
                description=require(table, f"{key}.description", str, where=where),
                prior=_number(table, f"{key}.prior", where),
                relation=one_of(relation, relation_ids, key=f"{key}.relation", where=where),
                relation_weight=_number(table, f"{key}.relation_weight", where),
                keywords=MappingProxyType(weights(table, f"{key}.keywords", where=where)),
                name_boost=_number(table, f"{key}.name_boost", where, 0.0),
            )
        )
    return tuple(out)


@cache
def relations() -> tuple[Relation, ...]:
    """The relations, read and validated once, in file order."""
    return check_relations(load("rules", "relations"), where="rules/relations.toml")


@cache
def themes() -> tuple[Theme, ...]:
    """The themes, read and validated once, in file order."""
    ids = tuple(r.id for r in relations())
    return check_themes(load("rules", "themes"), where="rules/themes.toml", relation_ids=ids)


@cache
def modifiers() -> frozenset[str]:
    """Words that may stand between "my" and a name (rules/words.toml [modifiers])."""
    return frozenset(word_list(load("rules", "words"), "modifiers.words", where="rules/words.toml"))


@cache
def theme_matcher() -> Matcher:
    """The keyword matcher over every theme."""
    return build_matcher({t.id: t.keywords for t in themes()})


@cache
def name_matcher() -> Matcher:
    """The matcher over the relations' name words."""
    return build_matcher({r.id: r.names for r in relations()})


@cache
def _cue_matcher() -> Matcher:
    return build_matcher({r.id: r.cues for r in relations()})


def _best_first(scores: Mapping[str, float], order: Sequence[str]) -> list[tuple[str, float]]:
    rank = {ident: i for i, ident in enumerate(order)}
    return sorted(scores.items(), key=lambda kv: (-kv[1], rank[kv[0]]))


def name_evidence(names: Sequence[Sequence[str]], words: Sequence[str]) -> dict[str, float]:
    """Relation -> weight named by the recipient's names and by "my" + a name.

    Args:
        names: the recipient's name and each vocative, as lists of lower-case
            words without accents; a repeated name counts once.
        words: the whole message, likewise.

    >>> name_evidence([["uncle", "joe"], ["uncle", "joe"]], "happy birthday to my wonderful wife".split())
    {'other': 5.0, 'partner': 3.5}
    """
    totals: dict[str, float] = {}
    for name in dict.fromkeys(tuple(n) for n in names if n):
        for rid, s in score(name_matcher(), name).items():
            totals[rid] = totals.get(rid, 0.0) + s
    skip = modifiers()
    for i, word in enumerate(words):
        if word != "my":
            continue
        last: Sequence[str] = ()
        for j in range(i + 1, min(i + 4, len(words))):
            found = spans(name_matcher(), words[j:])
            if found and found[0][0] == 0:
                last = words[j : j + found[0][1]]
            if words[j] not in skip:
                break
        for rid, s in score(name_matcher(), last).items():
            totals[rid] = totals.get(rid, 0.0) + round(s * MY_FACTOR, 3)
    return totals


def theme_scores(
    words: Sequence[str], evidence: Mapping[str, float] | None = None
) -> tuple[tuple[str, float], ...]:
    """Every theme found in ``words`` (lower case, no accents) with its score, best first.

    ``evidence`` is :func:`name_evidence`: a theme with a ``name_boost``
    gets it when its relation is the one the names point to most.

    >>> theme_scores("happy birthday little brother".split())[0]
    ('birthday', 6.1)
    >>> theme_scores("the sky".split())
    (('love', 0.3),)
    >>> theme_scores("we fix it right".split(), {"business": 5.0})
    (('business', 2.55),)
    """
    table = themes()
    found = score(theme_matcher(), words)
    if evidence:
        top = max(evidence.values())
        for t in table:
            if t.name_boost and evidence.get(t.relation, 0.0) >= top > 0:
                found[t.id] = found.get(t.id, 0.0) + t.name_boost
    priors = {t.id: t.prior for t in table}
    scores = {tid: round(s + priors[tid], 3) for tid, s in found.items() if s > 0}
    if not scores:
        fallback = max(table, key=lambda t: t.prior)
        return ((fallback.id, fallback.prior),)
    return tuple(_best_first(scores, [t.id for t in table]))


def relation_of(
    evidence: Mapping[str, float],
    words: Sequence[str],
    found_themes: Sequence[tuple[str, float]],
) -> str:
    """The recipient's relation, from name evidence, message cues and themes.

    Args:
        evidence: :func:`name_evidence` of the recipient and message.
        words: the whole message, as lower-case words without accents.
        found_themes: :func:`theme_scores` of the message.

    >>> relation_of({"other": 5.0}, "feel better soon".split(), (("get-well", 6.05),))
    'other'
    >>> relation_of({}, "you light up every room".split(), (("love", 1.8),))
    'partner'
    """
    totals = dict(evidence)
    for rid, s in score(_cue_matcher(), words).items():
        totals[rid] = totals.get(rid, 0.0) + s
    by_id = {t.id: t for t in themes()}
    matched = [(tid, s - by_id[tid].prior) for tid, s in found_themes if s > by_id[tid].prior]
    if matched:
        top = max(s for _, s in matched)
        for tid, s in matched:
            if s / top < MIN_VOTE_SHARE:
                continue
            theme = by_id[tid]
            totals[theme.relation] = totals.get(theme.relation, 0.0) + theme.relation_weight * s / top
    elif found_themes:
        theme = by_id[found_themes[0][0]]
        totals[theme.relation] = totals.get(theme.relation, 0.0) + theme.relation_weight * FALLBACK_VOTE
    best = _best_first({k: v for k, v in totals.items() if v > 0}, [r.id for r in relations()])
    return best[0][0] if best else FALLBACK_RELATION
