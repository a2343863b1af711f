"""Normalise a message into the text that is sung.

:func:`normalise` applies, in order:

1. terminal junk removed: ANSI escape sequences and control characters
   (line breaks and tabs become plain white space);
2. HTML-looking text read as text: tags are removed (``<br>``, ``<p>``,
   ``<div>``, ``<li>`` and headings become a line break, any other tag such
   as ``<b>`` just disappears) and entities are decoded (``&amp;`` -> ``&``);
3. Unicode NFKC (full-width letters, ligatures, "…" -> "..."), curly
   apostrophes and quotes made straight, stray combining marks dropped;
4. emoticons and emoji read as words or dropped (rules/emoji.toml), after
   removing variation selectors, skin tones and keycap marks;
5. chat spellings and symbols respelled (rules/words.toml [spellings]);
6. numbers spelled out (:mod:`.numerals`);
7. spaces tidied: runs of spaces become one, blank lines disappear.

Letters of other scripts are left in the text; the tokeniser does not sing them.

>>> normalise("Happy 40th, Zoë!! 🎂🎂 <b>xoxo</b>")
'Happy fortieth, Zoë!! birthday hugs and kisses'
>>> normalise("\\x1b[31mI’m up at 4am\\x07 w/ u ❤️")
"I'm up at four A M with you love"
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any, Mapping

from ..data import load
from ..errors import GrammarError
from .checks import strings
from .numerals import spell_numbers

__all__ = ["Readings", "check_readings", "readings", "normalise"]

_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)\b[^<>]*>")
_BLOCK_TAGS = frozenset("br p div li ul ol tr h1 h2 h3 h4 h5 h6 blockquote".split())
_STRAIGHTEN = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2212": "-",
        "\u2028": "\n", "\u2029": "\n", "\r": "\n", "\t": " ", "\u00a0": " ",
    }
)
_INVISIBLE = re.compile("[\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\u20e3\U000e0020-\U000e007f]")
_ZWJ = "\u200d"


@dataclass(frozen=True, slots=True)
class Readings:
    """How symbols are read (rules/emoji.toml and rules/words.toml [spellings]).

    Attributes:
        emoji: emoji (no variation selectors, no skin tones) -> words ("" drops).
        emoticons: text faces -> words.
        spellings: lower-case chat spellings and symbols -> words.
    """

    emoji: Mapping[str, str]
    emoticons: Mapping[str, str]
    spellings: Mapping[str, str]


def check_readings(
    emoji_table: dict[str, Any], words_table: dict[str, Any], *, where: str, words_where: str
) -> Readings:
    """Validate the parsed emoji and spelling tables.

    Raises:
        GrammarError: naming the file and the key at fault.
    """
    emoji = strings(emoji_table, "emoji", where=where)
    for key in emoji:
        if _INVISIBLE.search(key):
            raise GrammarError(
                f"{where}: key 'emoji.{key}' must be written without variation selectors or skin tones"
            )
    spellings = strings(words_table, "spellings", where=words_where)
    for key in spellings:
        if key != key.lower() or not key.strip() or " " in key:
            raise GrammarError(f"{words_where}: key 'spellings.{key}' must be one lower-case token")
    return Readings(
        emoji=MappingProxyType(emoji),
        emoticons=MappingProxyType(strings(emoji_table, "emoticons", where=where)),
        spellings=MappingProxyType(spellings),
    )


@cache
def readings() -> Readings:
    """The emoji and spelling tables, read and validated once."""
    return check_readings(
        load("rules", "emoji"), load("rules", "words"),
        where="rules/emoji.toml", words_where="rules/words.toml",
    )


@cache
def _emoticon_pattern() -> re.Pattern[str]:
    faces = sorted(readings().emoticons, key=len, reverse=True)
    return re.compile(r"(?<!\S)(" + "|".join(map(re.escape, faces)) + r")(?=[\s.,!?]|$)")


@cache
def _spelling_pattern() -> re.Pattern[str]:
    keys: list[str] = []
    for key in readings().spellings:
        keys.append(key)
        if key.endswith(".") and len(key) > 1:
            keys.append(key[:-1])
    parts = []
    for key in sorted(set(keys), key=len, reverse=True):
        body = re.escape(key)
        if key[0].isalnum():
            body = r"(?<![\w'])" + body
        if key[-1].isalnum():
            body += r"(?![\w'])"
        parts.append(body)
    return re.compile("|".join(parts), re.IGNORECASE)


def _respell(m: re.Match[str]) -> str:
    found = m[0]
    if len(found) == 1 and found.isupper():
        return found  # an initial ("Jessica N"), not a chat spelling
    table = readings().spellings
    words = table.get(found.lower()) or table.get(found.lower() + ".", "")
    if found[:1].isupper() and len(found) > 1 and words:
        words = words[0].upper() + words[1:]
    return f" {words} " if not found[0].isalnum() else words


@cache
def _longest_emoji() -> int:
    return max((len(k) for k in readings().emoji), default=1)


def _is_emoji(ch: str) -> bool:
    o = ord(ch)
    return (
        unicodedata.category(ch) == "So"
        or 0x1F000 <= o <= 0x1FAFF
        or 0x2600 <= o <= 0x27BF
    )


def _read_emoji(text: str, *, read: bool = True) -> str:
    """Replace emoji by their words; drop unknown ones; sing a run once.

    A zero-width-joiner sequence missing from the table is read as its
    longest known beginning ("❤" of an unlisted "❤‍🩹"), or dropped.
    """
    text = _INVISIBLE.sub("", text)
    if not any(_is_emoji(ch) for ch in text):
        return text.replace(_ZWJ, "")
    table = readings().emoji
    longest = _longest_emoji()
    out: list[str] = []
    last_word = None
    i = 0
    while i < len(text):
        ch = text[i]
        if not _is_emoji(ch):
            if ch != _ZWJ:
                out.append(ch)
                if not ch.isspace():
                    last_word = None
            i += 1
            continue
        for size in range(min(longest, len(text) - i), 0, -1):
            word = table.get(text[i : i + size])
            if word is not None:
                break
        else:
            word, size = "", 1
        # the rest of a longer ZWJ sequence goes with its known beginning
        while i + size + 1 < len(text) and text[i + size] == _ZWJ and _is_emoji(text[i + size + 1]):
            size += 2
        if word and read and word != last_word:
            out.append(f" {word} ")
        last_word = word or last_word
        i += size
    return "".join(out)


def _strip_controls(text: str) -> str:
    text = _ANSI.sub("", text).translate(_STRAIGHTEN)
    return "".join(
        ch for ch in text
        if ch == "\n" or ch == _ZWJ or unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cs")
    )


def _strip_tags(text: str) -> str:
    if "<" not in text:
        return text
    return _TAG.sub(lambda m: "\n" if m[1].lower() in _BLOCK_TAGS else "", text)


def normalise(text: str, *, read_emoji: bool = True) -> str:
    """The sung text of ``text`` (see the module description for the steps).

    Args:
        text: any text.
        read_emoji: False drops every emoji instead of reading it (for names).
    """
    text = _strip_controls(text)
    text = _strip_tags(text)
    if "&" in text:
        text = html.unescape(text)
    text = unicodedata.normalize("NFKC", text).translate(_STRAIGHTEN)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = _strip_controls(text)  # NFKC and entities can make new control characters
    if readings().emoticons:
        text = _emoticon_pattern().sub(lambda m: f" {readings().emoticons[m[1]]} ", text)
    text = _read_emoji(text, read=read_emoji)
    text = _spelling_pattern().sub(_respell, text)
    text = spell_numbers(text)
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
