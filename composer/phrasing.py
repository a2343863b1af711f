"""The sender's words, kept whole: sentences -> singable lines -> verses.

A line breaks only at a phrase boundary: never after an article, a
preposition, a possessive, a conjunction or a determiner (rules/lyrics.toml
``[phrasing] no_break_after``), and preferably at a comma. A sentence stays in
one verse; a long message spreads over several verses at sentence
boundaries, as evenly as the sentences allow.

>>> from composer.analyse import words_of
>>> [" ".join(w.text for w in line) for line in message_lines(words_of(
...     "Salamat po for the sinigang every Sunday and for always waiting up for me."))]
['Salamat po for the sinigang', 'every Sunday', 'and for always waiting up for me']
>>> [len(v) for v in verses(sentences(words_of("I love you. You are my hero. Thank you for everything.")))]
[2, 1]
"""

from __future__ import annotations

import math

from .bank import no_break_after
from .model import Word

__all__ = ["message_lines", "sentences", "verses", "breakable", "MAX_LINE_SYLLABLES", "MIN_LINE_SYLLABLES",
           "LINES_PER_VERSE"]

MAX_LINE_SYLLABLES = 11
"""A line longer than this is split at a phrase boundary."""
MIN_LINE_SYLLABLES = 4
"""A phrase shorter than this joins its neighbour in the sentence when the two fit one line."""
LINES_PER_VERSE = 4
"""The sender's lines one verse holds before the message spreads to the next verse."""

Line = tuple[Word, ...]


def _syllables(words: tuple[Word, ...] | list[Word]) -> int:
    return sum(len(w.syllables) for w in words)


def _key(word: Word) -> str:
    return word.text.lower().replace("\u2019", "'")


def breakable(words: tuple[Word, ...] | list[Word], i: int) -> bool:
    """Whether a line may end after ``words[i]`` (a punctuation pause always allows it).

    >>> from composer.analyse import words_of
    >>> w = words_of("thank you for the bike")
    >>> [breakable(w, i) for i in range(len(w))]
    [True, True, False, False, True]
    """
    return bool(words[i].pause_after) or _key(words[i]) not in no_break_after()


def _split(phrase: list[Word]) -> list[list[Word]]:
    """Split a phrase longer than a line at the allowed boundary nearest its middle."""
    total = _syllables(phrase)
    if total <= MAX_LINE_SYLLABLES or len(phrase) < 2:
        return [phrase]
    best, best_cost = 1, math.inf
    running = 0
    for i in range(1, len(phrase)):
        running += len(phrase[i - 1].syllables)
        cost = abs(total / 2 - running)
        if not breakable(phrase, i - 1):
            cost += 100.0  # only when nothing else is possible
        if _key(phrase[i]) in no_break_after():  # break before a phrase's first word: "wishing you | an easy..."
            cost -= 1.5
        if phrase[i - 1].pause_after:
            cost -= 3.0
        if cost < best_cost:
            best, best_cost = i, cost
    return _split(phrase[:best]) + _split(phrase[best:])


def sentences(words: tuple[Word, ...]) -> list[list[Line]]:
    """The message as sentences, each a list of singable lines, in order.

    Lines hold at most :data:`MAX_LINE_SYLLABLES` syllables; very short
    phrases join a neighbour of the same sentence when both fit. No word is
    dropped or reordered.
    """
    out: list[list[Line]] = []
    sentence: list[Word] = []
    for k, word in enumerate(words):
        sentence.append(word)
        if word.pause_after >= 2 or k == len(words) - 1:
            out.append(_lines(sentence))
            sentence = []
    return [s for s in out if s]


def _lines(sentence: list[Word]) -> list[Line]:
    phrases: list[list[Word]] = [[]]
    for word in sentence:
        phrases[-1].append(word)
        if word.pause_after:
            phrases.append([])
    lines: list[list[Word]] = []
    for phrase in (p for p in phrases if p):
        lines.extend(_split(phrase))
    merged: list[list[Word]] = []
    for line in lines:
        short = bool(merged) and (_syllables(merged[-1]) < MIN_LINE_SYLLABLES or _syllables(line) < MIN_LINE_SYLLABLES)
        dangling = bool(merged) and not breakable(merged[-1], len(merged[-1]) - 1)
        if merged and (short or dangling) and \
                _syllables(merged[-1]) + _syllables(line) <= MAX_LINE_SYLLABLES + (1 if dangling else 0):
            merged[-1] = merged[-1] + line
        else:
            merged.append(line)
    return [tuple(line) for line in merged]


def message_lines(words: tuple[Word, ...]) -> list[Line]:
    """The message's lines, sentence after sentence (see :func:`sentences`)."""
    return [line for sentence in sentences(words) for line in sentence]


def verses(sents: list[list[Line]]) -> list[list[Line]]:
    """Whole sentences grouped into verses, the sender's lines spread evenly.

    A message of one or two lines is one verse; a longer one of several
    sentences takes two verses, or more when a verse would hold over
    :data:`LINES_PER_VERSE` lines. A verse never splits a sentence.
    """
    counts = [len(s) for s in sents]
    total = sum(counts)
    if not counts:
        return []
    wanted = 1 if total <= 2 else max(2, math.ceil(total / LINES_PER_VERSE))
    parts = min(wanted, len(counts))
    # contiguous partition of the sentences into `parts` groups, smallest largest group first
    best: dict[tuple[int, int], tuple[int, list[int]]] = {}

    def solve(start: int, k: int) -> tuple[int, list[int]]:
        if (start, k) in best:
            return best[start, k]
        if k == 1:
            result = (sum(counts[start:]), [len(counts)])
        else:
            result = (math.inf, [])  # type: ignore[assignment]
            for cut in range(start + 1, len(counts) - k + 2):
                rest = solve(cut, k - 1)
                cost = max(sum(counts[start:cut]), rest[0])
                if cost <= result[0]:  # on a tie, the earlier verse holds more
                    result = (cost, [cut, *rest[1]])
        best[start, k] = result
        return result

    cuts = solve(0, parts)[1]
    out, start = [], 0
    for cut in cuts:
        out.append([line for s in sents[start:cut] for line in s])
        start = cut
    return out
