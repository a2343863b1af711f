"""The write stage: the message becomes lyrics in sections that rhyme.

Every word of the message is sung, in order, whole sentences to a verse
(:mod:`composer.phrasing`). Around the sender's lines the writer sets lines
from the tagged bank (:mod:`composer.bank`: only lines that fit this
recipient and this occasion) so that each verse and chorus follows the
genre's rhyme scheme (ABAB, AABB or XAXA, ``form.rhyme`` in the grammar): the
line that answers a sender's line rhymes with it, by CMU pronunciation
(:mod:`composer.rhyme`), perfect rhymes first. The chorus names the recipient
and is built on the message's strongest phrase; the bridge is a rhyming
couplet. No verse or bridge line is sung twice, and no chorus holds two
near-identical lines.
"""

from __future__ import annotations

import difflib
import re
from functools import cache
from typing import Literal, Sequence

import numpy as np

from .analyse import words_of
from .analyse.understand import relations as relation_table, themes as theme_table
from .bank import Pool, core_words, pool
from .model import Analysis, LyricLine, LyricSection, Lyrics, Word
from .phrasing import message_lines, sentences, verses
from .rhyme import Rhyme, closeness, rhyme

__all__ = ["write", "said", "fitting", "message_lines", "NEAR_DUPLICATE"]

NEAR_DUPLICATE = 0.75
"""Two lines of one chorus this alike (difflib ratio) are near-duplicates."""
_MESSAGE_HOOK = 0.5
HOOK_SYLLABLES = 9
"""A hook drawn from the message, name included, is at most this long: short enough to sing again and again."""
"""How often the hook is the sender's own strongest phrase, when the message has one."""

Line = tuple[Word, ...]


@cache
def _fill(text: str, name: str) -> Line:
    return words_of(text.replace("{name}", name))


def _text(line: Line | str) -> str:
    return line if isinstance(line, str) else " ".join(w.text for w in line)


def _norm(text: str) -> str:
    return " ".join("".join(c for c in text.lower() if c.isalnum() or c in " '").split())


def _near(a: str, b: str) -> bool:
    a, b = _norm(a), _norm(b)
    if a == b:
        return True
    m = difflib.SequenceMatcher(None, a, b)
    return m.real_quick_ratio() >= NEAR_DUPLICATE and m.quick_ratio() >= NEAR_DUPLICATE \
        and m.ratio() >= NEAR_DUPLICATE


class _Writer:
    """Picks bank lines for one song: unused, fitting, rhyming."""

    def __init__(self, bank: Pool, name: str, rng: np.random.Generator):
        self.bank, self.name, self.rng = bank, name, rng
        self.used: set[str] = set()

    def fill(self, text: str) -> Line:
        return _fill(text, self.name or "you")

    def _free(self, avoid: Sequence[str], near: bool = False) -> list[str]:
        """Unused bank lines, none equal to a line of ``avoid`` (nor close to one, when ``near``)."""
        exact = {_norm(a) for a in avoid}
        out = [t for t in self.bank.lines if _norm(t) not in self.used and _norm(t) not in exact
               and not (near and any(_near(t, a) for a in avoid))]
        return out or [t for t in self.bank.lines if _norm(t) not in exact]

    def answer(self, target: str, avoid: Sequence[str], near: bool = False) -> tuple[str, Rhyme] | None:
        """An unused line rhyming with ``target``'s last word (perfect first), or None."""
        ends = {_last(a) for a in avoid}
        tiers: dict[float, list[str]] = {}
        for t in self._free(avoid, near):
            score = closeness(_last(t), _last(target))
            if score and _last(t) not in ends:
                tiers.setdefault(score, []).append(t)
        if not tiers:
            return None
        best = tiers[max(tiers)]
        got = best[int(self.rng.integers(len(best)))]
        return got, rhyme(_last(got), _last(target))

    def opener(self, avoid: Sequence[str]) -> str:
        """An unused line that another unused line rhymes with perfectly (when one does)."""
        free = self._free(avoid)
        partners = _partners(self.bank.lines)
        unused = set(free)
        good = [t for t in free if any(u in unused for u in partners.get(t, ()))]
        choice = good or free
        return choice[int(self.rng.integers(len(choice)))]

    def take(self, text: str) -> str:
        self.used.add(_norm(text))
        return text


@cache
def _partners(lines: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """For each line of a pool, the other lines whose last words rhyme perfectly with its own."""
    by_end: dict[str, list[str]] = {}
    for t in lines:
        by_end.setdefault(_last(t), []).append(t)
    ends = list(by_end)
    out: dict[str, tuple[str, ...]] = {}
    for e in ends:
        mates = tuple(u for f in ends if f != e and rhyme(e, f) == "perfect" for u in by_end[f])
        for t in by_end[e]:
            out[t] = mates
    return out


def _lower_first(line: Line) -> str:
    """The line as text, its first word in lower case when it is a common word ("You" -> "you")."""
    first = line[0].text
    if line[0].function and first not in ("I", "I'm", "I'll", "I've", "I'd") or first in ("Thank", "Thanks"):
        first = first[:1].lower() + first[1:]
    return " ".join([first, *(x.text for x in line[1:])])


def _last(text: str) -> str:
    words = [w.strip(".,!?;:\"()") for w in text.replace("{name}", "").split()]
    words = [w for w in words if w]
    return words[-1].lower() if words else ""


def _slots(scheme: str, count: int) -> list[int]:
    """Where a quatrain of ``scheme`` puts its ``count`` (0..2) sender's lines."""
    if count == 2:
        return {"ABAB": [0, 1], "AABB": [0, 2], "XAXA": [0, 1]}[scheme]
    if count == 1:
        return {"ABAB": [0], "AABB": [0], "XAXA": [1]}[scheme]
    return []


def _partner(scheme: str, i: int) -> int | None:
    """The earlier line that line ``i`` of a quatrain rhymes with, if any."""
    return {"ABAB": {2: 0, 3: 1}, "AABB": {1: 0, 3: 2}, "XAXA": {3: 1}}[scheme].get(i)


def _quatrain(w: _Writer, scheme: str, mine: list[Line]) -> list[LyricLine]:
    """Four lines in ``scheme``: the sender's ``mine`` (0-2 lines) kept as written, the rest from the bank."""
    slots = _slots(scheme, len(mine))
    lines: list[LyricLine | None] = [None] * 4
    for slot, words in zip(slots, mine):
        lines[slot] = LyricLine(words, "message")
    texts = [_text(ln.words) if ln else "" for ln in lines]
    for i in range(4):
        if lines[i] is not None:
            continue
        p = _partner(scheme, i)
        avoid = [t for t in texts if t]
        got = w.answer(texts[p], avoid) if p is not None else None
        if got is None:
            # a line whose own partner is still to come opens a rhyme; others run free
            opens = any(_partner(scheme, j) == i and lines[j] is None for j in range(i + 1, 4))
            text, kind = (w.opener(avoid) if opens else w._free(avoid)[int(w.rng.integers(len(w._free(avoid))))]), ""
        else:
            text, kind = got
        w.take(text)
        lines[i] = LyricLine(w.fill(text), "template", kind)  # type: ignore[arg-type]
        texts[i] = text
    return _ensure_rhyme(w, [ln for ln in lines if ln is not None])


def _pairs(n: int) -> list[tuple[int, int]]:
    """The line pairs measured for a rhyme: 1-2, 2-3, 3-4, 1-3, 2-4 (0-based)."""
    return [(a, b) for a, b in ((0, 1), (1, 2), (2, 3), (0, 2), (1, 3)) if b < n]


def _ensure_rhyme(w: _Writer, lines: list[LyricLine], near: bool = False) -> list[LyricLine]:
    """When no pair of the first four lines rhymes, the last bank line is re-chosen to rhyme."""
    texts = [ln.text for ln in lines]
    if any(rhyme(_last(texts[a]), _last(texts[b])) for a, b in _pairs(len(texts))):
        return lines
    for i in range(min(4, len(lines)) - 1, 0, -1):
        if lines[i].origin != "template":
            continue
        for j in (i - 1, i - 2):
            if j < 0:
                continue
            got = w.answer(texts[j], [t for k, t in enumerate(texts) if k != i], near)
            if got is not None:
                text, kind = got
                w.take(text)
                return lines[:i] + [LyricLine(w.fill(text), "template", kind)] + lines[i + 1:]
    for i in range(min(4, len(lines)) - 1, 0, -1):  # two bank lines side by side: a fresh rhyming pair
        if lines[i].origin == lines[i - 1].origin == "template":
            others = [t for k, t in enumerate(texts) if k not in (i - 1, i)]
            first = w.opener(others)
            got = w.answer(first, others + [first], near)
            if got is not None:
                w.take(first), w.take(got[0])
                return lines[:i - 1] + [LyricLine(w.fill(first), "template"),
                                        LyricLine(w.fill(got[0]), "template", got[1])] + lines[i + 1:]
    return lines


def _verse(w: _Writer, scheme: str, mine: list[Line]) -> list[LyricLine]:
    out: list[LyricLine] = []
    chunks = [mine[i:i + 2] for i in range(0, len(mine), 2)] or [[]]
    for chunk in chunks:
        out.extend(_quatrain(w, scheme, chunk))
    return out


def _leads(w: _Writer) -> bool:
    """Whether the name can open a line: its first syllable is stressed ("Mom", "Maya").

    A name that starts weak ("Imani", "Sofia") would be sung as a pickup
    before the bar, so it goes at the end of the hook instead.
    """
    words = w.fill(w.name) if w.name else ()
    return bool(words) and words[0].stresses[0] > 0


def _hook_texts(w: _Writer) -> list[str]:
    """The bank's hooks, each with the name in its place (or before or after it)."""
    out = []
    leads = _leads(w)
    for hook in w.bank.hooks:
        if "{name}" in hook:
            out.append(hook if w.name and (leads or not hook.startswith("{name}")) else "")
        elif not w.name:
            out.append(hook[:1].upper() + hook[1:])
        elif leads and int(w.rng.integers(2)):
            out.append(f"{w.name}, {hook}")
        else:
            out.append(f"{hook[:1].upper() + hook[1:]}, {w.name}")
    return [h for h in out if h]


def _strong(lines: list[Line], theme: str, name: str = "") -> list[tuple[float, Line]]:
    """The sender's whole phrases that could carry the chorus, strongest first: a core word, vivid words.

    A line counts only when it is a whole phrase: it starts a sentence or
    follows a pause, and ends at one.
    """
    core = core_words(theme)
    name_words = set(name.lower().split())
    scored = []
    for k, line in enumerate(lines):
        if not line[-1].pause_after or (k > 0 and not lines[k - 1][-1].pause_after):
            continue
        keys = [x.text.lower().strip("'") for x in line]
        hits = sum(1 for k in keys if k in core)
        content = sum(1 for x in line if not x.function and x.text.lower() not in name_words) \
            + sum(0.5 for x in line if not x.function and len(x.syllables) >= 2)
        syl = sum(len(x.syllables) for x in line)
        score = hits * 3 + content - max(0, syl - 8) * 0.5
        if hits or content >= 3:
            scored.append((score, hits, line))
    return [(score, line) for score, _hits, line in sorted(scored, key=lambda s: -s[0])]


def _core(lines: list[Line], theme: str) -> Line | None:
    """The sender's line that holds the message's emotional core (a core word of the theme), if any."""
    core = core_words(theme)
    hits = [(sum(1 for x in line if x.text.lower().strip("'") in core), -len(line), k)
            for k, line in enumerate(lines)]
    best = max(hits, default=(0, 0, -1))
    return lines[best[2]] if best[0] > 0 else None


def _chorus(w: _Writer, scheme: str, analysis: Analysis, lines: list[Line]) -> LyricSection:
    name = w.name
    strong = _strong(lines, analysis.theme, name)
    hook: Line | None = None
    core = _core(lines, analysis.theme)
    # the hook: one of the sender's strongest phrases with the name, or a bank hook
    fits = []
    for _score, line in strong[:3]:
        has_name = bool(name) and name.lower() in _text(line).lower()
        text = _text(line) if has_name or not name else (
            f"{name}, {_lower_first(line)}" if _leads(w) else f"{_text(line)}, {name}")
        if sum(len(x.syllables) for x in w.fill(text)) <= HOOK_SYLLABLES:
            fits.append((line, text))
    if fits and w.rng.random() < _MESSAGE_HOOK:
        line, text = fits[int(w.rng.integers(len(fits)))]
        hook = w.fill(text)
        core = _core([ln for ln in lines if ln != line], analysis.theme)
    if hook is None:
        hooks = _hook_texts(w) or ["This one is for you"]
        usable = [h for h in hooks if core is None or not _near(h, _text(core))] or hooks
        hook = w.fill(usable[int(w.rng.integers(len(usable)))])
    hook_line = LyricLine(hook, "hook")
    core_line = None
    if core is not None and not _near(_text(core), _text(hook)):
        core_line = LyricLine(core, "message")
    else:
        text = w.opener([_text(hook)])
        core_line = LyricLine(w.fill(w.take(text)), "template")

    def answer(target: LyricLine, avoid: list[str]) -> LyricLine:
        got = w.answer(target.text, avoid, near=True)
        if got is None:
            free = w._free(avoid, near=True)
            return LyricLine(w.fill(w.take(free[int(w.rng.integers(len(free)))])), "template")
        return LyricLine(w.fill(w.take(got[0])), "template", got[1])

    seen = [hook_line.text, core_line.text]
    if scheme == "ABAB":
        third = answer(hook_line, seen)
        fourth = answer(core_line, seen + [third.text])
        out = [hook_line, core_line, third, fourth]
    elif scheme == "AABB":
        second = answer(hook_line, seen)
        fourth = answer(core_line, seen + [second.text])
        out = [hook_line, second, core_line, fourth]
    else:
        out = [hook_line, core_line, hook_line, answer(core_line, seen)]
    return LyricSection("Chorus", "chorus", tuple(_ensure_rhyme(w, out, near=True)), scheme)


def _bridge(w: _Writer) -> LyricSection:
    couplets = [c for c in w.bank.couplets if not any(_norm(x) in w.used for x in c)] or list(w.bank.couplets)
    first, second = couplets[int(w.rng.integers(len(couplets)))]
    w.take(first), w.take(second)
    kind = rhyme(_last(first), _last(second))
    return LyricSection("Bridge", "bridge", (LyricLine(w.fill(first), "template"),
                                             LyricLine(w.fill(second), "template", kind)), "AA")


def fitting(analysis: Analysis) -> str:
    """The relation whose bank lines the song may sing: the analysis's, made safe for romance.

    Lines for a partner are sung only when something in the message or the
    name says partner: a song to two people ("Jen and Mark") is to a couple,
    not to the sender's partner, and a guess that rests on the fallback theme
    alone (no keyword of any theme, no partner's name or word of address) is
    an unknown relation, which only hears lines for anyone.

    >>> from composer.analyse import analyse
    >>> fitting(analyse("Happy wedding day, you two!", recipient="Jen and Mark")) != "partner"
    True
    >>> fitting(analyse("Babe, I adore you.", recipient="Dani"))
    'partner'
    """
    if analysis.relation != "partner":
        return analysis.relation
    if re.search(r"\b(and|&)\b", analysis.recipient, re.I):
        return "other"
    priors = {t.id: t.prior for t in theme_table()}
    fallback = all(score <= priors.get(theme, 0.0) + 1e-9 for theme, score in analysis.themes)
    partner = next((r for r in relation_table() if r.id == "partner"), None)
    words = {_norm(w.text) for w in analysis.words} | set(_norm(analysis.recipient).split())
    named = partner is not None and any(k in words or k.endswith("*") and any(w.startswith(k[:-1]) for w in words)
                                        for k in (*partner.names, *partner.cues))
    return "other" if fallback and not named else "partner"


def said(analysis: Analysis) -> frozenset[str]:
    """The words a bank line's ``cues`` are looked for in: the message's and the recipient's, lower case."""
    named = f"{analysis.given_to or ''} {analysis.recipient or ''}".split()
    return frozenset(word.text.lower() for word in analysis.words) | frozenset(n.lower() for n in named)


def write(
    analysis: Analysis,
    *,
    length: Literal["short", "full"] = "full",
    rng: np.random.Generator,
    scheme: str = "ABAB",
) -> Lyrics:
    """Write the lyrics: verses with the message, a chorus with a hook, a bridge.

    Sections are returned once each, in singing order without repeats: the
    plan stage repeats the chorus where the form asks for it. A message too
    long for two verses gets a third (and the plan grows the form to sing it).

    Args:
        scheme: the genre's rhyme scheme for verses and choruses ("ABAB",
            "AABB" or "XAXA").
    """
    name = analysis.recipient
    w = _Writer(pool(analysis.theme, fitting(analysis), said(analysis)), name, rng)
    groups = verses(sentences(analysis.words))
    lines = [line for group in groups for line in group]
    title = f"A song for {analysis.given_to or name or 'you'}"
    if length == "short" and len(lines) > 2:
        # a clip sings every word in one verse: the sender's lines, one answer to even them out
        verse1 = [LyricLine(line, "message") for line in lines]
        if len(lines) % 2:
            got = w.answer(verse1[-1].text, [ln.text for ln in verse1])
            if got is not None:
                verse1.append(LyricLine(w.fill(w.take(got[0])), "template", got[1]))
        sections = [LyricSection("Verse 1", "verse", tuple(verse1), "")]
        sections.append(_chorus(w, scheme, analysis, lines))
        return Lyrics(title=title, sections=tuple(sections))
    verse1 = _verse(w, scheme, groups[0] if groups else [])
    sections = [LyricSection("Verse 1", "verse", tuple(verse1), scheme)]
    sections.append(_chorus(w, scheme, analysis, lines))
    if length == "short":
        return Lyrics(title=title, sections=tuple(sections))
    for k, group in enumerate(groups[1:] or [[]], 2):
        sections.append(LyricSection(f"Verse {k}", "verse", tuple(_verse(w, scheme, group)), scheme))
    sections.append(_bridge(w))
    return Lyrics(title=title, sections=tuple(sections))
