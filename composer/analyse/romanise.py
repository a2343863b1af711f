"""Names in other scripts written in Latin letters, so they can be sung.

A recipient's name as given (``--to 李华``, ``--to Дмитрий``) is kept as
written for the title and song.json; what is sung is its romanisation:

1. a whole word found in rules/pronunciation.toml [romanised] is read from
   there: scripts written without vowels (Arabic, Hebrew) cannot be sung
   letter by letter ("محمد" is "Muhammad", not "mhmd");
2. any other word of another script goes through ``anyascii`` (ISC licence;
   Unidecode is GPL), one sung word per Chinese character or Korean syllable
   block ("李华" -> "Li Hua", "김민준" -> "Gim Min Jun"), and each word
   starts with a capital, as a name does.

Latin letters, accented ones included ("Zoë"), are left alone. ``anyascii``
is imported on the first name that needs it.

>>> romanise("李华"), romanise("Дмитрий"), romanise("محمد"), romanise("Zoë")
('Li Hua', 'Dmitriy', 'Muhammad', 'Zoë')
>>> romanise("Lola 李华 ❤")
'Lola Li Hua ❤'
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from types import MappingProxyType
from typing import Any, Mapping

from ..data import load
from ..errors import GrammarError
from .checks import strings
from .pronounce import is_latin_letter

__all__ = ["check_romanised", "romanised", "romanise"]

_LATIN_NAME = re.compile(r"[A-Za-z]+(?:[ '-][A-Za-z]+)*")


def check_romanised(table: dict[str, Any], *, where: str) -> Mapping[str, str]:
    """Validate the [romanised] table of pronunciation.toml (may be absent).

    Raises:
        GrammarError: a key has Latin letters or spaces, or a value is not
            plain Latin words; naming the file and the key.
    """
    if "romanised" not in table:
        return MappingProxyType({})
    node = strings(table, "romanised", where=where)
    for key, value in node.items():
        if not key or any(ch.isspace() or is_latin_letter(ch) or not _foreign(ch) for ch in key):
            raise GrammarError(f"{where}: key 'romanised.{key}' must be one word of a non-Latin script")
        if not _LATIN_NAME.fullmatch(value):
            raise GrammarError(f"{where}: key 'romanised.{key}' must be Latin words, got {value!r}")
    return MappingProxyType(node)


@cache
def romanised() -> Mapping[str, str]:
    """The [romanised] table, read and validated once."""
    return check_romanised(load("rules", "pronunciation"), where="rules/pronunciation.toml")


def _foreign(ch: str) -> bool:
    """A letter (or combining mark) of a script other than Latin."""
    if unicodedata.category(ch) in ("Mn", "Mc", "Me"):
        return True
    return ch.isalpha() and not is_latin_letter(ch)


def _syllabic(ch: str) -> bool:
    """A character sung as a word of its own: a Chinese character, a Korean syllable block."""
    o = ord(ch)
    return 0xAC00 <= o <= 0xD7A3 or unicodedata.name(ch, "").startswith("CJK UNIFIED IDEOGRAPH")


def _word(word: str) -> str:
    """One word of another script in Latin letters, each sung word capitalised."""
    found = romanised().get(word) or romanised().get(unicodedata.normalize("NFC", word))
    if found:
        return found
    from anyascii import anyascii

    parts: list[str] = []
    current = ""
    for ch in word:
        if _syllabic(ch):
            parts += [current, anyascii(ch)]
            current = ""
        else:
            current += ch
    parts.append(current)
    out = [anyascii(p) if not p.isascii() else p for p in parts]
    out = ["".join(ch for ch in p if ch.isalpha() or ch in "'-") for p in out]
    return " ".join(p[:1].upper() + p[1:] for p in out if p)


def romanise(text: str) -> str:
    """``text`` with every word of another script written in Latin letters (see the module)."""
    if not any(_foreign(ch) for ch in text):
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        if not _foreign(text[i]):
            out.append(text[i])
            i += 1
            continue
        j = i
        while j < len(text) and _foreign(text[j]):
            j += 1
        latin = _word(text[i:j])
        if latin and out and out[-1][-1:].isalnum():
            latin = " " + latin
        if latin and j < len(text) and text[j].isalnum():
            latin += " "
        out.append(latin)
        i = j
    return "".join(out)
