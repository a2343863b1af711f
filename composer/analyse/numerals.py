"""Numbers spelled out for singing: "40th" -> "fortieth", "4am" -> "four A M".

A small speller of our own, with no dependency. :func:`spell_numbers`
rewrites every run of digits in a text; the other functions spell one number.

Rules, in the order they are tried:

- clock times: "4am", "4 p.m.", "7:05pm" -> "four A M", "four P M",
  "seven oh five P M"; "6:30" -> "six thirty"; "9:00" -> "nine o'clock";
- money: "$5" -> "five dollars", "£2.50" -> "two pounds fifty";
- "#1" -> "number one"; vulgar fractions ("½", which NFKC writes "1⁄2")
  -> "one half", "three quarters", "two thirds";
- ordinals: "1st", "22nd", "60th" -> "first", "twenty-second", "sixtieth";
- decades: "'90s", "1980s" -> "nineties", "nineteen eighties";
- percentages and decimals: "50%" -> "fifty percent", "2.5" -> "two point five";
- grouped thousands: "1,000" -> "one thousand";
- years: a lone four-digit number from 1100 to 2099 is read as a year
  ("1999" -> "nineteen ninety-nine", "2026" -> "twenty twenty-six",
  "2005" -> "two thousand five");
- any other number of up to nine digits is a cardinal ("40" -> "forty");
  longer ones, and ones with a leading zero, are read digit by digit.

>>> spell_numbers("Happy 60th! See you at 4am in 2026.")
'Happy sixtieth! See you at four A M in twenty twenty-six.'
>>> cardinal(1_000), ordinal(40), year(1999)
('one thousand', 'fortieth', 'nineteen ninety-nine')
"""

from __future__ import annotations

import re
from typing import Callable

__all__ = ["cardinal", "ordinal", "year", "digits", "spell_numbers", "NUMBER_WORDS"]

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve "
    "thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"), (100, "hundred"))
_ORDINAL_ENDINGS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}
_MAX_CARDINAL = 10**12 - 1


def _number_words() -> frozenset[str]:
    words = {*_ONES, *_TENS[2:], "oh", "point", "percent"}
    words |= {ordinal(n) for n in range(1, 20)} | {ordinal(n * 10) for n in range(2, 10)}
    for _, name in _SCALES:
        words |= {name, name + "th"}
    return frozenset(words)


def cardinal(n: int) -> str:
    """Spell a whole number from 0 to 999,999,999,999.

    >>> cardinal(0), cardinal(13), cardinal(42), cardinal(105)
    ('zero', 'thirteen', 'forty-two', 'one hundred five')
    >>> cardinal(2_000_026)
    'two million twenty-six'

    Raises:
        ValueError: ``n`` is negative or too large.
    """
    if not 0 <= n <= _MAX_CARDINAL:
        raise ValueError(f"cardinal() needs 0..{_MAX_CARDINAL}, got {n}")
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    for size, name in _SCALES:
        if n >= size:
            high, rest = divmod(n, size)
            words = f"{cardinal(high)} {name}"
            return f"{words} {cardinal(rest)}" if rest else words
    raise AssertionError("unreachable")  # pragma: no cover


def ordinal(n: int) -> str:
    """Spell a whole number as an ordinal.

    >>> ordinal(1), ordinal(12), ordinal(21), ordinal(60), ordinal(100)
    ('first', 'twelfth', 'twenty-first', 'sixtieth', 'one hundredth')
    """
    words = cardinal(n)
    head, sep, last = words.rpartition(" ")
    stem, dash, unit = last.rpartition("-")
    if unit in _ORDINAL_ENDINGS:
        unit = _ORDINAL_ENDINGS[unit]
    elif unit.endswith("y"):
        unit = unit[:-1] + "ieth"
    else:
        unit += "th"
    return f"{head}{sep}{stem}{dash}{unit}"


def year(n: int) -> str:
    """Spell a year the way people say it.

    >>> year(1987), year(1900), year(2000), year(2008), year(2026)
    ('nineteen eighty-seven', 'nineteen hundred', 'two thousand', 'two thousand eight', 'twenty twenty-six')
    """
    if not 1100 <= n <= 2099 or 2000 <= n <= 2009:
        return cardinal(n)
    high, low = divmod(n, 100)
    if low == 0:
        return f"{cardinal(high)} hundred"
    if low < 10:
        return f"{cardinal(high)} oh {cardinal(low)}"
    return f"{cardinal(high)} {cardinal(low)}"


def digits(text: str) -> str:
    """Read a string of digits one by one, zero as "oh".

    >>> digits("007")
    'oh oh seven'
    """
    return " ".join("oh" if d == "0" else _ONES[int(d)] for d in text)


def _number(text: str) -> str:
    """Spell a bare run of digits (a year when it looks like one)."""
    if len(text) > 1 and text.startswith("0") or len(text) > 9:
        return digits(text)
    n = int(text)
    if len(text) == 4 and 1100 <= n <= 2099:
        return year(n)
    return cardinal(n)


def _plural(word: str, n: str) -> str:
    return word if n == "1" else word + "s"


def _clock(hour: str, minute: str | None) -> str:
    words = cardinal(int(hour))
    if minute is None or minute == "00":
        return words
    if minute.startswith("0"):
        return f"{words} oh {cardinal(int(minute))}"
    return f"{words} {cardinal(int(minute))}"


def _time_of_day(m: re.Match[str]) -> str:
    return f"{_clock(m['h'], m['m'])} {m['ap'].upper()} M"


def _bare_time(m: re.Match[str]) -> str:
    if m["m"] == "00":
        return f"{cardinal(int(m['h']))} o'clock"
    return _clock(m["h"], m["m"])


_CURRENCY = {"$": ("dollar", "cent"), "£": ("pound", "penny"), "€": ("euro", "cent")}


def _money(m: re.Match[str]) -> str:
    whole = m["whole"].replace(",", "")
    unit, _ = _CURRENCY[m["cur"]]
    amount = cardinal(int(whole)) if len(whole) <= 12 and not whole.startswith("0") else digits(whole)
    words = f"{amount} {_plural(unit, whole)}"
    if m["cents"] and int(m["cents"]):
        words += f" {cardinal(int(m['cents']))}"
    return words


def _ordinal(m: re.Match[str]) -> str:
    n = m["n"].replace(",", "")
    return digits(n) if len(n) > 12 else ordinal(int(n))


def _decade(m: re.Match[str]) -> str:
    n = m["n"]
    if len(n) == 4:
        century, tens = int(n[:2]), int(n[2:])
        if tens == 0:
            return "two thousands" if century == 20 else f"{cardinal(century)} hundreds"
        return f"{cardinal(century)} {_decade_word(tens)}"
    return _decade_word(int(n))


def _decade_word(tens: int) -> str:
    word = cardinal(tens)
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def _decimal(m: re.Match[str]) -> str:
    return f"{_number(m['whole'])} point {digits(m['frac']).replace('oh', 'zero')}"


def _percent(m: re.Match[str]) -> str:
    number = _decimal(m) if m["frac"] else _number(m["whole"])
    return f"{number} percent"


_HALVES = {2: "half", 4: "quarter"}


def _fraction(m: re.Match[str]) -> str:
    top, bottom = int(m["top"]), int(m["bottom"])
    if bottom in _HALVES:
        word = _HALVES[bottom]
    elif 3 <= bottom <= 100:
        word = ordinal(bottom)
    else:
        return f"{cardinal(top)} over {cardinal(bottom)}"
    return f"{cardinal(top)} {word}{'s' if top != 1 else ''}"


def _grouped(m: re.Match[str]) -> str:
    raw = m[0].replace(",", "")
    return cardinal(int(raw)) if len(raw) <= 12 else digits(raw)


_AMPM = r"\s?(?P<ap>[AaPp])\.?\s?[Mm]\b(?:\.(?=\s+[a-z]))?"
_Speller = Callable[[re.Match[str]], str]
_RULES: tuple[tuple[re.Pattern[str], _Speller], ...] = (
    (re.compile(r"\b(?P<h>1[0-2]|0?[1-9])(?::(?P<m>[0-5]\d))?" + _AMPM), _time_of_day),
    (re.compile(r"\b(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)\b"), _bare_time),
    (
        re.compile(r"(?P<cur>[$£€])\s?(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<cents>\d{2}))?\b"),
        _money,
    ),
    (re.compile(r"#(?P<n>\d+)\b"), lambda m: f"number {_number(m['n'])}"),
    (re.compile(r"(?P<top>\d{1,3})\u2044(?P<bottom>\d{1,3})"), _fraction),
    (re.compile(r"\b(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?:st|nd|rd|th|ST|ND|RD|TH)\b"), _ordinal),
    (re.compile(r"(?:\b|')(?P<n>(?:1[1-9]|20)?[1-9]0|(?:1[1-9]|20)00)'?s\b"), _decade),
    (re.compile(r"\b(?P<whole>\d+)(?:\.(?P<frac>\d+))?\s?%"), _percent),
    (re.compile(r"\b(?P<whole>\d+)\.(?P<frac>\d+)\b"), _decimal),
    (re.compile(r"\b\d{1,3}(?:,\d{3})+\b"), _grouped),
    (re.compile(r"\d+"), lambda m: _number(m[0])),
)


def _spaced(spell: _Speller) -> _Speller:
    """Wrap a speller so that its words never run into a neighbouring word."""

    def replace(m: re.Match[str]) -> str:
        """The spelled number, with a space on any side that touches a letter."""
        words = spell(m)
        before = m.string[m.start() - 1] if m.start() else " "
        after = m.string[m.end()] if m.end() < len(m.string) else " "
        return ("" if not before.isalnum() else " ") + words + ("" if not after.isalnum() else " ")

    return replace


def spell_numbers(text: str) -> str:
    """Rewrite every number in ``text`` as words (see the module rules).

    Spelled numbers are kept apart from letters glued to them ("100k" -> "one
    hundred k"), except the letters that belong to the number (ordinals, times,
    decades).

    >>> spell_numbers("Meet at 6:30, bring $20 and 1,000 smiles for the '90s kid #1")
    'Meet at six thirty, bring twenty dollars and one thousand smiles for the nineties kid number one'
    >>> spell_numbers("We scored 3.5% more in 1980s games, 24/7")
    'We scored three point five percent more in nineteen eighties games, twenty-four/seven'
    """
    if not any(ch.isdigit() for ch in text):
        return text
    for pattern, spell in _RULES:
        text = pattern.sub(_spaced(spell), text)
    return text


NUMBER_WORDS: frozenset[str] = _number_words()
"""Every word the speller can write (one, twenty, sixtieth, thousand...)."""
