"""What a message is about (its themes) and who it is for (the relation).

Both come from keyword tables in rules/themes.toml and rules/relations.toml,
matched with :mod:`.phrases` on the lower-case, accent-free sung words.

Three steps:

1. :func:`name_clues`: the relations named by the recipient's name, the
   message's vocatives ("Mom, ...", "..., Uncle Joe.") and "my" + a name
   word in the message ("to my wonderful wife", at 0.7 of the weight; after
   modifiers the last name word counts: "my darling boy" is a boy); each
   clue keeps its words and where they were found (the name as given, or
   the message).
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
   fallback theme votes at half weight. A theme never votes for a relation
   whose ``from_themes`` is false: a partner is named or cued ("my wife",
   "babe", "marry me"), never guessed from "I love you", which is said to
   a mother as often. With no evidence at all the relation is "other"
   (anyone). The heaviest clue for the chosen relation is its cue.

>>> words = "thank you for always cooking for us".split()
>>> [t for t, _ in theme_scores(words)]
['gratitude']
>>> msg = Said("message", words, words)
>>> relation_of(name_clues([Said("to", ["nanay"], ["Nanay"])], msg), msg, theme_scores(words))
('parent', RelationCue(source='to', cue='Nanay'))
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any, Literal, Mapping, Sequence

from ..data import load, optional, require
from ..errors import GrammarError
from .checks import one_of, weights
from .checks import words as word_list
from ..model import RelationCue
from .phrases import MAX_REPEATS, Matcher, build_matcher, matches, score, spans

__all__ = [
    "Theme",
    "Relation",
    "check_themes",
    "check_relations",
    "themes",
    "relations",
    "theme_matcher",
    "name_matcher",
    "Said",
    "Clue",
    "name_clues",
    "evidence_of",
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
        from_themes: whether a theme's vote counts for this relation (false
            for a partner: "I love you" is said to a mother too).
    """

    id: str
    description: str
    names: Mapping[str, float]
    cues: Mapping[str, float]
    from_themes: bool = True


Source = Literal["to", "message"]


@dataclass(frozen=True, slots=True)
class Said:
    """Words said about the recipient: their name as given, a vocative, the message.

    Attributes:
        source: "to" for the recipient's name as given, else "message".
        keys: the words in lower case without accents (what tables match).
        shown: the same words as written (what a cue reports).
    """

    source: Source
    keys: Sequence[str]
    shown: Sequence[str]


@dataclass(frozen=True, slots=True)
class Clue:
    """One piece of evidence for a relation.

    Attributes:
        relation: the relation id it points to.
        weight: how strongly.
        source: where it was found ("to" or "message").
        cue: the words that point, as written ("Lola", "your paws"); "" for
            the fallback theme's vote.
    """

    relation: str
    weight: float
    source: Source
    cue: str


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
                from_themes=optional(table, f"{key}.from_themes", bool, True, where=where),
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


def _clues(
    matcher: Matcher, keys: Sequence[str], shown: Sequence[str], source: Source, factor: float = 1.0
) -> list[Clue]:
    """A clue for each phrase of ``matcher`` found in ``keys`` (each counted at most twice)."""
    out: list[Clue] = []
    seen: dict[tuple[str, ...], int] = {}
    for start, phrase in matches(matcher, keys):
        seen[phrase.words] = seen.get(phrase.words, 0) + 1
        if seen[phrase.words] > MAX_REPEATS:
            continue
        cue = " ".join(shown[start : start + len(phrase.words)])
        out.extend(Clue(rid, round(w * factor, 3), source, cue) for rid, w in phrase.targets)
    return out


def name_clues(names: Sequence[Said], message: Said) -> list[Clue]:
    """The clues of the recipient's names and of "my" + a name word in the message.

    Args:
        names: the recipient's name as given (source "to") and each vocative
            of the message (source "message"); a repeated name counts once.
        message: the whole message.

    >>> said = lambda text, source="message": Said(source, tuple(text.lower().split()), tuple(text.split()))
    >>> [(c.relation, c.weight, c.source, c.cue) for c in name_clues(
    ...     [said("Uncle Joe", "to"), said("Uncle Joe")], said("Happy birthday to my wonderful wife"))]
    [('other', 5.0, 'to', 'Uncle'), ('partner', 3.5, 'message', 'my wonderful wife')]
    """
    out: list[Clue] = []
    done: set[tuple[str, ...]] = set()
    for name in names:
        if name.keys and tuple(name.keys) not in done:
            done.add(tuple(name.keys))
            out += _clues(name_matcher(), name.keys, name.shown, name.source)
    skip = modifiers()
    words = message.keys
    for i, word in enumerate(words):
        if word != "my":
            continue
        lo = hi = 0
        for j in range(i + 1, min(i + 4, len(words))):
            found = spans(name_matcher(), words[j:])
            if found and found[0][0] == 0:
                lo, hi = j, j + found[0][1]
            if words[j] not in skip:
                break
        cue = " ".join(message.shown[i:hi])
        for clue in _clues(name_matcher(), words[lo:hi], message.shown[lo:hi], message.source, MY_FACTOR):
            out.append(Clue(clue.relation, clue.weight, clue.source, cue))
    return out


def evidence_of(clues: Sequence[Clue]) -> dict[str, float]:
    """Relation -> total weight of ``clues``.

    >>> evidence_of([Clue("other", 5.0, "to", "Uncle"), Clue("partner", 3.5, "message", "my wife")])
    {'other': 5.0, 'partner': 3.5}
    """
    totals: dict[str, float] = {}
    for c in clues:
        totals[c.relation] = round(totals.get(c.relation, 0.0) + c.weight, 3)
    return totals


def theme_scores(
    words: Sequence[str], evidence: Mapping[str, float] | None = None
) -> tuple[tuple[str, float], ...]:
    """Every theme found in ``words`` (lower case, no accents) with its score, best first.

    ``evidence`` is :func:`evidence_of` the :func:`name_clues`: a theme with a ``name_boost``
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


def _keyword_cues(message: Said) -> dict[str, str]:
    """Theme -> the heaviest of its keywords found in the message, as written."""
    best: dict[str, tuple[float, str]] = {}
    for start, phrase in matches(theme_matcher(), message.keys):
        cue = " ".join(message.shown[start : start + len(phrase.words)])
        for tid, w in phrase.targets:
            if w > best.get(tid, (0.0, ""))[0]:
                best[tid] = (w, cue)
    return {tid: cue for tid, (_, cue) in best.items()}


def relation_of(
    clues: Sequence[Clue], message: Said, found_themes: Sequence[tuple[str, float]]
) -> tuple[str, RelationCue]:
    """The recipient's relation and the cue that decided it.

    Args:
        clues: :func:`name_clues` of the recipient and message.
        message: the whole message.
        found_themes: :func:`theme_scores` of the message.

    A relation whose ``from_themes`` is false (a partner, a friend) is chosen
    only on a name or cue of its own: a theme's vote for it is not counted.
    With no evidence the relation is "other" (source "default").

    >>> said = lambda text: Said("message", tuple(text.lower().split()), tuple(text.split()))
    >>> relation_of([Clue("other", 5.0, "to", "Tita")], said("feel better soon"), (("get-well", 6.05),))
    ('other', RelationCue(source='to', cue='Tita'))
    >>> relation_of([], said("You light up every room"), (("love", 1.8),))
    ('other', RelationCue(source='default', cue=''))
    >>> relation_of([], said("Sleep tight little one"), (("lullaby", 7.05),))
    ('child', RelationCue(source='message', cue='little one'))
    """
    found = list(clues) + _clues(_cue_matcher(), message.keys, message.shown, message.source)
    by_id = {t.id: t for t in themes()}
    voters = {r.id for r in relations() if r.from_themes}
    matched = [(tid, s - by_id[tid].prior) for tid, s in found_themes if s > by_id[tid].prior]
    if matched:
        cues = _keyword_cues(message)
        top = max(s for _, s in matched)
        for tid, s in matched:
            theme = by_id[tid]
            if s / top >= MIN_VOTE_SHARE and theme.relation in voters and tid in cues:
                found.append(Clue(theme.relation, round(theme.relation_weight * s / top, 3), "message", cues[tid]))
    elif found_themes:
        theme = by_id[found_themes[0][0]]
        if theme.relation in voters:
            found.append(Clue(theme.relation, theme.relation_weight * FALLBACK_VOTE, "message", ""))
    totals = {k: v for k, v in evidence_of(found).items() if v > 0}
    best = _best_first(totals, [r.id for r in relations()])
    if not best:
        return FALLBACK_RELATION, RelationCue()
    rid = best[0][0]
    clue = max((c for c in found if c.relation == rid), key=lambda c: c.weight)
    if not clue.cue:
        return rid, RelationCue()
    return rid, RelationCue(clue.source, clue.cue)
