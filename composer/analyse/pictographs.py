"""Emoji and emoticons read as sung words, or dropped (rules/emoji.toml).

An emoji is read by the [emoji] table first, then by the name the ``emoji``
library gives it (a short plain name such as "unicorn" or "sushi", within the
table's [library] limits; the library is imported on the first unlisted
emoji). Where it stands decides whether it is sung at all:

- inside a phrase it stands for a word: "I ❤️ you" -> "I love you";
- at the end of a phrase (before . , ! ? ; : a line break, the end, or a
  capitalised word that starts a new sentence, where it stands for a full
  stop) it decorates what was said and is dropped: "Happy birthday 🎉" is not
  "Happy birthday party". It is still read when the word before it leaves a
  slot for a noun ([placement] read_after: "my 🐶" -> "my puppy"), and an
  emoji with a [standalone] phrase is sung as that phrase after a comma,
  unless the sentence already says it ("Good luck 🤞" -> "Good luck, fingers
  crossed");
- at the start of a phrase, before a capitalised word or nothing, it is dropped;
- a message of nothing but emoji (and emoticons) is read whole by the table
  alone ("🎂🎉" -> "birthday party", "<3" -> "love"; "👍 🦄 ©" has nothing to sing).

Emoticons (":)", "<3") are read by [emoticons] and placed the same way.

>>> tidy = lambda text: " ".join(text.split())
>>> tidy(read_emoji("I ❤️ you 🎉🎉! My 🐶 is 💯")), tidy(read_emoji("Happy birthday 🎉"))
('I love you! My puppy is', 'Happy birthday')
>>> read_emoji("Good luck tomorrow 🤞"), tidy(read_emoji("Thank you for everything 🙏"))
('Good luck tomorrow, fingers crossed', 'Thank you for everything')
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import Any, Literal, Mapping

from ..data import load, require
from ..errors import GrammarError
from .checks import strings
from .checks import words as word_list

__all__ = ["Readings", "check_readings", "readings", "read_emoji", "read_emoticons", "is_emoji", "INVISIBLE", "ZWJ"]

INVISIBLE = re.compile("[\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\u20e3\U000e0020-\U000e007f]")
"""Variation selectors, skin tones, the keycap mark and tag characters: removed before lookup."""

ZWJ = "\u200d"
"""The zero-width joiner of emoji sequences (family, heart on fire)."""

_PHRASE_END = frozenset(".,!?;:)\"\n")
_SENTENCE_END = frozenset(".!?\n")
_WORD = re.compile(r"[A-Za-z\u00c0-\u024f']+$")
_PLAIN_NAME = re.compile(r"[A-Za-z]+(?: [A-Za-z]+)*")
_REGIONAL = range(0x1F1E6, 0x1F200)


@dataclass(frozen=True, slots=True)
class Readings:
    """How symbols are read (rules/emoji.toml and rules/words.toml [spellings]).

    Attributes:
        emoji: emoji (no variation selectors, no skin tones) -> words ("" drops).
        emoticons: text faces -> words.
        spellings: lower-case chat spellings and symbols -> words.
        standalone: emoji -> a phrase that stands on its own at a phrase end.
        read_after: words after which an emoji at a phrase end fills a noun slot.
        library_words: the most words of a library name that is sung.
        library_skip: a library name with one of these words is not sung.
        flags: whether flags are read by the library (as country names).
    """

    emoji: Mapping[str, str]
    emoticons: Mapping[str, str]
    spellings: Mapping[str, str]
    standalone: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    read_after: frozenset[str] = frozenset()
    library_words: int = 0
    library_skip: frozenset[str] = frozenset()
    flags: bool = False


def _emoji_keys(table: Mapping[str, str], key: str, where: str) -> None:
    for name in table:
        if INVISIBLE.search(name):
            raise GrammarError(
                f"{where}: key '{key}.{name}' must be written without variation selectors or skin tones"
            )


def check_readings(
    emoji_table: dict[str, Any], words_table: dict[str, Any], *, where: str, words_where: str
) -> Readings:
    """Validate the parsed emoji and spelling tables.

    Raises:
        GrammarError: naming the file and the key at fault.
    """
    emoji = strings(emoji_table, "emoji", where=where)
    _emoji_keys(emoji, "emoji", where)
    standalone = strings(emoji_table, "standalone", where=where) if "standalone" in emoji_table else {}
    _emoji_keys(standalone, "standalone", where)
    spellings = strings(words_table, "spellings", where=words_where)
    for key in spellings:
        if key != key.lower() or not key.strip() or " " in key:
            raise GrammarError(f"{words_where}: key 'spellings.{key}' must be one lower-case token")
    library_words = 0
    skip: tuple[str, ...] = ()
    flags = False
    if "library" in emoji_table:
        library_words = require(emoji_table, "library.max_words", int, where=where)
        if not 0 <= library_words <= 5:
            raise GrammarError(f"{where}: key 'library.max_words' must be 0..5, got {library_words}")
        skip = word_list(emoji_table, "library.skip_words", where=where)
        flags = require(emoji_table, "library.flags", bool, where=where)
    return Readings(
        emoji=MappingProxyType(emoji),
        emoticons=MappingProxyType(strings(emoji_table, "emoticons", where=where)),
        spellings=MappingProxyType(spellings),
        standalone=MappingProxyType(standalone),
        read_after=frozenset(word_list(emoji_table, "placement.read_after", where=where, default=[])),
        library_words=library_words,
        library_skip=frozenset(skip),
        flags=flags,
    )


@cache
def readings() -> Readings:
    """The emoji and spelling tables, read and validated once."""
    return check_readings(
        load("rules", "emoji"), load("rules", "words"),
        where="rules/emoji.toml", words_where="rules/words.toml",
    )


@cache
def _library() -> Mapping[str, str]:
    """Emoji (without variation selectors or skin tones) -> the ``emoji`` library's name."""
    from emoji import EMOJI_DATA

    out: dict[str, str] = {}
    for key, data in EMOJI_DATA.items():
        bare = INVISIBLE.sub("", key)
        if bare and (bare == key or bare not in out):
            out[bare] = str(data.get("en", "")).strip(":").replace("_", " ")
    return MappingProxyType(out)


def _library_reading(seq: str) -> str | None:
    """The library's name of ``seq`` when it is sung ("unicorn"), "" when not, None if unknown."""
    table = readings()
    if not table.library_words:
        return None
    name = _library().get(seq)
    if name is None:
        return None
    if not table.flags and all(ord(ch) in _REGIONAL for ch in seq):
        return ""
    words = name.split()
    if (
        not _PLAIN_NAME.fullmatch(name)
        or len(words) > table.library_words
        or any(w.lower() in table.library_skip for w in words)
    ):
        return ""
    return name if name[:1].isupper() and name[1:2].islower() else name.lower()


def is_emoji(ch: str) -> bool:
    """Whether ``ch`` is a pictograph (So category, or an emoji block)."""
    o = ord(ch)
    return unicodedata.category(ch) == "So" or 0x1F000 <= o <= 0x1FAFF or 0x2600 <= o <= 0x27BF


@cache
def _longest() -> int:
    return max((len(k) for k in readings().emoji), default=1)


def _lookup(text: str, i: int, *, library: bool = True) -> tuple[str, str, int]:
    """(reading, the emoji as looked up, length) of the emoji at ``text[i]``."""
    table = readings().emoji
    for size in range(min(max(_longest(), 8), len(text) - i), 0, -1):
        seq = text[i : i + size]
        if seq in table:
            word, found = table[seq], seq
            break
        if library and size <= 8 and readings().library_words and (lib := _library_reading(seq)) is not None:
            word, found = lib, seq
            break
    else:
        word, found, size = "", text[i], 1
    # the rest of a longer ZWJ sequence goes with its known beginning
    while i + size + 1 < len(text) and text[i + size] == ZWJ and is_emoji(text[i + size + 1]):
        size += 2
    return word, found, size


def _place(before: str, after: str) -> Literal["inside", "end", "start"]:
    """Where a symbol between ``before`` and ``after`` stands in its phrase."""
    prev = before.rstrip()
    nxt = after.lstrip(" ")
    at_start = not prev or prev[-1] in _SENTENCE_END
    at_end = not nxt or nxt[0] in _PHRASE_END or (nxt[0].isupper() and not at_start)
    if at_end:
        word = _WORD.search(prev)
        if word and word[0].lower() in readings().read_after:
            return "inside"
        return "end"
    if at_start and (nxt[0].isupper() or not nxt[0].isalpha()):
        return "start"
    return "inside"


def _standalone(before: str, phrases: list[str]) -> str:
    """The standalone phrases to sing after ``before`` (those the sentence does not already say)."""
    start = max((before.rfind(ch) for ch in _SENTENCE_END), default=-1)
    sentence = before[start + 1 :].lower()
    out = []
    for phrase in dict.fromkeys(p for p in phrases if p):
        if phrase.lower() not in sentence:
            out.append(phrase)
            sentence += " " + phrase.lower()
    if not out:
        return ""
    text = ", ".join(out)
    if sentence.strip() == text.lower() or not before.strip() or before.rstrip()[-1] in _SENTENCE_END:
        return " " + text[0].upper() + text[1:]  # a sentence of its own
    return ", " + text


def read_emoji(text: str, *, read: bool = True) -> str:
    """Replace emoji by their words where they stand for one (see the module).

    Args:
        text: text after NFKC.
        read: False drops every emoji (for names).
    """
    text = INVISIBLE.sub("", text)
    if not any(is_emoji(ch) for ch in text):
        return text.replace(ZWJ, "")
    only_emoji = not any(ch.isalnum() for ch in text if not is_emoji(ch))  # the emoji are the message
    out: list[str] = []
    i = 0
    while i < len(text):
        if not is_emoji(text[i]):
            if text[i] != ZWJ:
                out.append(text[i])
            i += 1
            continue
        run: list[tuple[str, str]] = []  # (reading, emoji) of a run of emoji and spaces
        j = i
        while j < len(text) and (is_emoji(text[j]) or text[j] in " " + ZWJ):
            if text[j] in " " + ZWJ:
                j += 1
                continue
            word, seq, size = _lookup(text, j, library=not only_emoji)
            run.append((word, seq))
            j += size
        before = "".join(out)
        place = "start" if not read else "inside" if only_emoji else _place(before, text[j:])
        if place == "inside":
            words = [w for k, (w, _) in enumerate(run) if w and (k == 0 or w != run[k - 1][0])]
            out.append("".join(f" {w} " for w in dict.fromkeys(words)))
        else:
            out = [before.rstrip(" ")]
            if place == "end":
                out.append(_standalone(out[0], [readings().standalone.get(seq, "") for _, seq in run]))
                if j < len(text) and text[j].isupper() and out[0] and out[0][-1].isalnum():
                    out.append(".")  # the emoji ended a sentence: "Happy birthday 🎉 You..."
            if j < len(text) and text[j] not in _PHRASE_END and "".join(out):
                out.append(" ")
        i = j
    return "".join(out)


@cache
def _emoticon_pattern() -> re.Pattern[str]:
    faces = sorted(readings().emoticons, key=len, reverse=True)
    return re.compile(r"(?<!\S)(" + "|".join(map(re.escape, faces)) + r")(?=[\s.,!?]|$)")


def read_emoticons(text: str) -> str:
    """Replace text faces by their words where they stand for one, else drop them.

    >>> " ".join(read_emoticons("I <3 you").split()), read_emoticons("Love you <3")
    ('I love you', 'Love you ')
    """
    if not readings().emoticons:
        return text
    rest = _emoticon_pattern().sub(" ", text)
    only_symbols = not any(ch.isalnum() for ch in rest if not is_emoji(ch))  # the faces are the message

    def replace(m: re.Match[str]) -> str:
        word = readings().emoticons[m[1]]
        if not word or not only_symbols and _place(m.string[: m.start()], m.string[m.end() :]) != "inside":
            return ""
        return f" {word} "

    return _emoticon_pattern().sub(replace, text)
