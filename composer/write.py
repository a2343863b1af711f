"""The write stage: the message becomes lyrics in sections.

Every word of the message is sung, in order, in the verses (a long message
spreads over verse 1 and verse 2). The chorus is built around the message's
emotional core and always names the recipient. Verse 2 (when the message
fits in verse 1) and the bridge come from our template bank
(rules/lyrics.toml), chosen to rhyme with the message's own lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np

from . import data
from .analyse import rhyme_key, words_of
from .errors import GrammarError
from .model import Analysis, LyricLine, LyricSection, Lyrics, Word

__all__ = ["write", "message_lines", "MAX_LINE_SYLLABLES", "MIN_LINE_SYLLABLES"]

MAX_LINE_SYLLABLES = 11
"""A line longer than this is split at a phrase or function-word boundary."""
MIN_LINE_SYLLABLES = 4
"""A phrase shorter than this joins its neighbour when the two fit one line."""
VERSE_LINES = 4
"""Lines per verse; a message longer than one verse spills into verse 2."""

_WHERE = "rules/lyrics.toml"


@dataclass(frozen=True, slots=True)
class _Bank:
    core: tuple[str, ...]
    hooks: tuple[str, ...]
    lines: tuple[str, ...]
    bridge: tuple[str, ...]


@cache
def _bank(theme: str) -> _Bank:
    raw = data.load("rules", "lyrics")
    key = theme if theme in raw else "generic"
    table = raw.get(key)
    if not isinstance(table, dict):
        raise GrammarError(f"{_WHERE}: missing table '{key}'")
    where = f"{_WHERE} [{key}]"
    fields = {}
    for name in ("core", "hooks", "lines", "bridge"):
        values = data.require(table, name, list, where=where)
        if not values or not all(isinstance(v, str) and v.strip() for v in values):
            raise GrammarError(f"{_WHERE}: key '{key}.{name}' must be a non-empty list of text lines")
        fields[name] = tuple(values)
    for hook in fields["hooks"]:
        if "{name}" not in hook:
            raise GrammarError(f"{_WHERE}: key '{key}.hooks' line {hook!r} must contain {{name}}")
    return _Bank(**fields)


def _syllables(words: tuple[Word, ...] | list[Word]) -> int:
    return sum(len(w.syllables) for w in words)


def _split(phrase: list[Word]) -> list[list[Word]]:
    """Split a phrase longer than a line at the best boundary near its middle."""
    if _syllables(phrase) <= MAX_LINE_SYLLABLES or len(phrase) < 2:
        return [phrase]
    total = _syllables(phrase)
    best, best_cost = 1, float("inf")
    running = 0
    for i in range(1, len(phrase)):
        running += len(phrase[i - 1].syllables)
        cost = abs(total / 2 - running)
        if phrase[i].function:  # break before a function word: "thank you | for always..."
            cost -= 1.5
        if phrase[i - 1].pause_after:
            cost -= 3.0
        if cost < best_cost:
            best, best_cost = i, cost
    return _split(phrase[:best]) + _split(phrase[best:])


def message_lines(words: tuple[Word, ...]) -> list[tuple[Word, ...]]:
    """Break the message's words into singable lines at phrase boundaries.

    Lines hold at most :data:`MAX_LINE_SYLLABLES` syllables; very short
    phrases join their neighbour within a sentence when both fit. No word is
    dropped or reordered.
    """
    phrases: list[list[Word]] = [[]]
    for word in words:
        phrases[-1].append(word)
        if word.pause_after:
            phrases.append([])
    phrases = [p for p in phrases if p]
    lines: list[list[Word]] = []
    for phrase in phrases:
        lines.extend(_split(phrase))
    merged: list[list[Word]] = []
    for line in lines:
        if merged and merged[-1][-1].pause_after < 2 and (
            _syllables(merged[-1]) < MIN_LINE_SYLLABLES or _syllables(line) < MIN_LINE_SYLLABLES
        ) and _syllables(merged[-1]) + _syllables(line) <= MAX_LINE_SYLLABLES:
            merged[-1] = merged[-1] + line
        else:
            merged.append(line)
    return [tuple(line) for line in merged]


@cache
def _fill(template: str, name: str) -> tuple[Word, ...]:
    return words_of(template.replace("{name}", name))


@cache
def _template_rhyme(template: str, name: str) -> str:
    """The rhyme of a template line's last word, without analysing the whole line."""
    last = template.replace("{name}", name).split()[-1].strip(".,!?;:")
    return rhyme_key(last) if last else ""


def _line_rhyme(line: tuple[Word, ...]) -> str:
    return rhyme_key(line[-1].text) if line else ""


def _pick_rhyming(
    candidates: list[str], targets: list[str], count: int, name: str, rng: np.random.Generator
) -> list[tuple[Word, ...]]:
    """Pick ``count`` distinct lines, the i-th rhyming with ``targets[i]`` when one can."""
    pool = list(candidates)
    rng.shuffle(pool)
    chosen: list[tuple[Word, ...]] = []
    for i in range(count):
        if not pool:
            pool = list(candidates)
            rng.shuffle(pool)
        target = targets[i] if i < len(targets) else ""
        text = next((t for t in pool if target and _template_rhyme(t, name) == target), pool[0])
        pool.remove(text)
        chosen.append(_fill(text, name))
    return chosen


def _core_line(lines: list[tuple[Word, ...]], bank: _Bank) -> tuple[Word, ...] | None:
    """The message line that holds its emotional core, if any names it."""
    def score(line: tuple[Word, ...]) -> float:
        hits = sum(1 for w in line if w.text.lower().strip("'") in bank.core)
        return hits * 10 - _syllables(line) * 0.1

    best = max(lines, key=score, default=None)
    if best is None or score(best) <= 0:
        return None
    return best


def _chorus(analysis: Analysis, lines: list[tuple[Word, ...]], bank: _Bank, rng: np.random.Generator,
            used: set[str]) -> LyricSection:
    name = analysis.recipient or "you"
    hook = _fill(bank.hooks[int(rng.integers(len(bank.hooks)))], name)
    core = _core_line(lines, bank)
    pool = [t for t in bank.lines if t.replace("{name}", name) not in used] or list(bank.lines)
    second = core if core is not None else _pick_rhyming(pool, [_line_rhyme(hook)], 1, name, rng)[0]
    pool = [t for t in pool if _fill(t, name) != second] or pool
    closing = _pick_rhyming(pool, [_line_rhyme(second)], 1, name, rng)[0]
    return LyricSection(
        name="Chorus",
        kind="chorus",
        lines=(
            LyricLine(hook, "hook"),
            LyricLine(second, "message" if core is not None else "template"),
            LyricLine(hook, "hook"),
            LyricLine(closing, "template"),
        ),
    )


def _answered(lines: list[tuple[Word, ...]], bank: _Bank, name: str, rng: np.random.Generator) -> list[LyricLine]:
    """A verse of the message's lines, each short one answered by a rhyming template line.

    A verse of fewer than four message lines pairs each of them with an answer
    line that rhymes with it (message, answer, message, answer), so the verse
    has the length and the rhymes of a song's verse; an odd line count is
    evened out the same way.
    """
    out: list[LyricLine] = []
    pairs_needed = max(0, min(len(lines), VERSE_LINES - len(lines)))
    answers = _pick_rhyming(list(bank.lines), [_line_rhyme(l) for l in lines[:pairs_needed]], pairs_needed, name, rng)
    for i, line in enumerate(lines):
        out.append(LyricLine(line, "message"))
        if i < pairs_needed:
            out.append(LyricLine(answers[i], "template"))
    if len(out) % 2:
        extra = _pick_rhyming(list(bank.lines), [_line_rhyme(lines[-1])], 1, name, rng)[0]
        out.append(LyricLine(extra, "template"))
    return out


def write(
    analysis: Analysis, *, length: Literal["short", "full"] = "full", rng: np.random.Generator
) -> Lyrics:
    """Write the lyrics: verses with the message, a chorus with a hook, a bridge.

    Sections are returned once each, in singing order without repeats: the
    plan stage repeats the chorus where the form asks for it.
    """
    bank = _bank(analysis.theme)
    name = analysis.recipient or "you"
    lines = message_lines(analysis.words)
    first, rest = lines[:VERSE_LINES], lines[VERSE_LINES:]
    if len(rest) > VERSE_LINES:  # a long message: split evenly over two verses
        half = (len(lines) + 1) // 2
        first, rest = lines[:half], lines[half:]
    sections: list[LyricSection] = []
    verse1 = _answered(first, bank, name, rng)
    sections.append(LyricSection("Verse 1", "verse", tuple(verse1)))
    sections.append(_chorus(analysis, lines, bank, rng, {line.text for line in verse1}))
    if length == "short":
        if rest:  # a short clip still sings every word: the rest joins verse 1
            sections[0] = LyricSection(
                "Verse 1", "verse", tuple(verse1) + tuple(LyricLine(l, "message") for l in rest)
            )
        return Lyrics(title=f"A song for {analysis.given_to or name}", sections=tuple(sections))
    if rest:
        verse2 = _answered(rest, bank, name, rng)
    else:
        used = {line.text for s in sections for line in s.lines}
        pool = [t for t in bank.lines if t.replace("{name}", name) not in used]
        targets = [_line_rhyme(line.words) for line in verse1]
        verse2 = [LyricLine(words, "template") for words in _pick_rhyming(pool, targets, len(verse1), name, rng)]
    sections.append(LyricSection("Verse 2", "verse", tuple(verse2)))
    bridge = _pick_rhyming(list(bank.bridge), [], 2, name, rng)
    sections.append(LyricSection("Bridge", "bridge", tuple(LyricLine(b, "template") for b in bridge)))
    return Lyrics(title=f"A song for {analysis.given_to or name}", sections=tuple(sections))
