"""Normalise a message into the text that is sung.

:func:`normalise` applies, in order:

1. terminal junk removed: ANSI escape sequences and control characters
   (line breaks and tabs become plain white space);
2. HTML-looking text read as text: tags are removed (``<br>``, ``<p>``,
   ``<div>``, ``<li>`` and headings become a line break, any other tag such
   as ``<b>`` just disappears) and entities are decoded (``&amp;`` -> ``&``);
3. Unicode NFKC (full-width letters, ligatures, "…" -> "..."), curly
   apostrophes and quotes made straight, stray combining marks dropped;
4. emoticons and emoji read as words where they stand for one, dropped
   where they decorate a phrase (:mod:`.pictographs`, rules/emoji.toml);
5. chat spellings and symbols respelled (rules/words.toml [spellings]);
6. numbers spelled out (:mod:`.numerals`);
7. spaces tidied: runs of spaces become one, blank lines disappear.

Letters of other scripts are left in the text; the tokeniser does not sing them.

>>> normalise("Happy 40th, Zoë!! 🎂🎂 <b>xoxo</b>")
'Happy fortieth, Zoë!! birthday hugs and kisses'
>>> normalise("\\x1b[31mI’m up at 4am\\x07 w/ u ❤️ 24/7")
"I'm up at four A M with you love twenty-four seven"
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import cache

from .numerals import spell_numbers
from .pictographs import ZWJ, check_readings, read_emoticons, readings
from .pictographs import read_emoji as read_emoji_words

__all__ = ["check_readings", "normalise"]

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
_PLUS = re.compile(r"(?<=\d)\+")
_FRACTION_AFTER_DIGIT = re.compile("(?<=\\d)(?=[\u00bc-\u00be\u2150-\u215e])")
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


def _strip_controls(text: str) -> str:
    text = _ANSI.sub("", text).translate(_STRAIGHTEN)
    return "".join(
        ch for ch in text
        if ch == "\n" or ch == ZWJ or unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cs")
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
    text = _FRACTION_AFTER_DIGIT.sub(" ", text)  # "1½" is one and a half, not "11/2"
    text = unicodedata.normalize("NFKC", text).translate(_STRAIGHTEN)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = _strip_controls(text)  # NFKC and entities can make new control characters
    text = read_emoticons(text) if read_emoji else text
    text = read_emoji_words(text, read=read_emoji)
    text = _PLUS.sub(" plus", text)  # "20+ years", before "+" is respelled "and"
    text = _spelling_pattern().sub(_respell, text)
    text = spell_numbers(text)
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
