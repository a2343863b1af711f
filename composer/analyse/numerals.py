"""Numbers spelled out for singing: "40th" -> "fortieth", "1.5M" -> "one point five million".

Whole numbers, ordinals and years are spelled by ``num2words`` (American
style: "one hundred five", no "and"); what it does not know is ours: the
shapes of numbers in messages (clock times, money, fractions and slashes,
decades, "1.5M", "10x") and when a number is read digit by digit.
:func:`spell_numbers` rewrites every run of digits in a text; the other
functions spell one number. ``num2words`` is imported on the first number met.

Rules, in the order they are tried:

- clock times: "4am", "4 p.m.", "7:05pm" -> "four A M", "four P M",
  "seven oh five P M" (capital letters, so "A" is sung as the letter, not the
  article); "6:30" -> "six thirty"; "9:00" -> "nine o'clock";
- money: "$5" -> "five dollars", "£2.50" -> "two pounds fifty",
  "$0.99" -> "ninety-nine cents", "$1.5M" -> "one point five million dollars";
- "#1" -> "number one";
- slashes: a fraction below one with a denominator up to ten is read as a
  fraction ("1/2" -> "half", "1/3" -> "a third", "3/4" -> "three quarters",
  "1 1/2" -> "one and a half"; "½", which NFKC writes "1⁄2", likewise); any
  other pair is read number by number ("24/7" -> "twenty-four seven",
  "50/50" -> "fifty fifty", "9/11" -> "nine eleven");
- ordinals: "1st", "22nd", "60th" -> "first", "twenty-second", "sixtieth";
- decades: "'90s", "1980s" -> "nineties", "nineteen eighties";
- percentages and decimals: "50%" -> "fifty percent", "2.5" -> "two point five";
- scale letters: "100k" -> "one hundred thousand", "1.5M" -> "one point five
  million", "2B", "2bn" -> "two billion"; "10x" -> "ten times";
- grouped thousands: "1,000" -> "one thousand";
- years: a lone four-digit number from 1100 to 2099 is read as a year
  ("1999" -> "nineteen ninety-nine", "2026" -> "twenty twenty-six",
  "2005" -> "two thousand five");
- any other number of up to nine digits is a cardinal ("40" -> "forty");
  longer ones (phone numbers), and ones with a leading zero, are read digit
  by digit.

>>> spell_numbers("Happy 60th! See you at 4am in 2026.")
'Happy sixtieth! See you at four A M in twenty twenty-six.'
>>> spell_numbers("1.5M views, 1/2 the fun, 24/7")
'one point five million views, half the fun, twenty-four seven'
>>> cardinal(1_000), ordinal(40), year(1999)
('one thousand', 'fortieth', 'nineteen ninety-nine')
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Callable, Literal

__all__ = ["cardinal", "ordinal", "year", "digits", "spell_numbers", "NUMBER_WORDS"]

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve "
    "thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ("hundred", "thousand", "million", "billion", "trillion")
_SCALE_LETTERS = {"k": "thousand", "K": "thousand", "M": "million", "B": "billion", "bn": "billion"}
_MAX_CARDINAL = 10**12 - 1
_MAX_DENOMINATOR = 10


@cache
def _converter() -> Any:
    """num2words' English speller, imported on first use (it takes ~50 ms)."""
    from num2words import CONVERTER_CLASSES

    return CONVERTER_CLASSES["en"]


def _spell(n: int, to: Literal["cardinal", "ordinal", "year"]) -> str:
    """num2words' words for ``n``, in American style: no "and", no commas."""
    conv = _converter()
    words = {"cardinal": conv.to_cardinal, "ordinal": conv.to_ordinal, "year": conv.to_year}[to](n)
    words = words.replace(",", "").replace(" and ", " ").replace("oh-", "oh ")
    return " ".join(words.split())


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
    return _spell(n, "cardinal")


def ordinal(n: int) -> str:
    """Spell a whole number as an ordinal.

    >>> ordinal(1), ordinal(12), ordinal(21), ordinal(60), ordinal(100), ordinal(101)
    ('first', 'twelfth', 'twenty-first', 'sixtieth', 'one hundredth', 'one hundred first')
    """
    if not 0 <= n <= _MAX_CARDINAL:
        raise ValueError(f"ordinal() needs 0..{_MAX_CARDINAL}, got {n}")
    return _spell(n, "ordinal")


def year(n: int) -> str:
    """Spell a year the way people say it.

    >>> year(1987), year(1900), year(2000), year(2008), year(2026), year(1905)
    ('nineteen eighty-seven', 'nineteen hundred', 'two thousand', 'two thousand eight', 'twenty twenty-six', 'nineteen oh five')
    """
    return _spell(n, "year")


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


def _decimal_words(whole: str, frac: str | None) -> str:
    """ "1", "5" -> "one point five"; the fraction digit by digit, zero as "zero"."""
    words = _number(whole) if len(whole) <= 9 else digits(whole)
    if frac:
        words += " point " + " ".join(_ONES[int(d)] for d in frac)
    return words


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
    unit, small = _CURRENCY[m["cur"]]
    if m["scale"]:  # "$1.5M": one point five million dollars
        return f"{_decimal_words(whole, m['cents'])} {_SCALE_LETTERS[m['scale']]} {unit}s"
    if m["cents"] and len(m["cents"]) > 2:  # "$2.999": a price read as a decimal
        return f"{_decimal_words(whole, m['cents'])} {unit}s"
    cents = int(m["cents"].ljust(2, "0")) if m["cents"] else 0  # "$5.5" is five fifty
    if whole.strip("0") == "" and cents:
        return f"{cardinal(cents)} {'pence' if small == 'penny' else small + 's'}"
    amount = cardinal(int(whole)) if len(whole) <= 12 and not whole.startswith("0") else digits(whole)
    words = f"{amount} {_plural(unit, whole)}"
    if cents:
        words += f" {cardinal(cents)}"
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
    return _decimal_words(m["whole"], m["frac"])


def _percent(m: re.Match[str]) -> str:
    return f"{_decimal_words(m['whole'], m['frac'])} percent"


def _scaled(m: re.Match[str]) -> str:
    return f"{_decimal_words(m['whole'], m['frac'])} {_SCALE_LETTERS[m['scale']]}"


def _fraction_words(top: int, bottom: int) -> str:
    """A fraction below one: "half", "a third", "three quarters", "two fifths"."""
    word = {2: "half", 4: "quarter"}.get(bottom) or ordinal(bottom)
    if top == 1:
        return word if bottom == 2 else f"a {word}"
    return f"{cardinal(top)} {word}s"


def _is_fraction(top: str, bottom: str) -> bool:
    return 0 < int(top) < int(bottom) <= _MAX_DENOMINATOR and not top.startswith("0")


def _slash(m: re.Match[str]) -> str:
    """ "3/4" -> "three quarters", "1 1/2" -> "one and a half", "24/7" -> "twenty-four seven"."""
    parts = [p for p in (m["a"], m["b"], m["c"]) if p is not None]
    if m["c"] is None and _is_fraction(m["a"], m["b"]):
        words = _fraction_words(int(m["a"]), int(m["b"]))
        if m["whole"] is not None:
            return f"{_number(m['whole'])} and {'a half' if words == 'half' else words}"
        return words
    lead = f"{_number(m['whole'])} " if m["whole"] is not None else ""
    return lead + " ".join(_number(p) for p in parts)


def _grouped(m: re.Match[str]) -> str:
    raw = m[0].replace(",", "")
    return cardinal(int(raw)) if len(raw) <= 12 else digits(raw)


_AMPM = r"\s?(?P<ap>[AaPp])\.?\s?[Mm]\b(?:\.(?=\s+[a-z]))?"
_SCALE = r"(?P<scale>bn|[kKMB])"
_Speller = Callable[[re.Match[str]], str]
_RULES: tuple[tuple[re.Pattern[str], _Speller], ...] = (
    (re.compile(r"\b(?P<h>1[0-2]|0?[1-9])(?::(?P<m>[0-5]\d))?" + _AMPM), _time_of_day),
    (re.compile(r"\b(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)\b"), _bare_time),
    (
        re.compile(
            r"(?P<cur>[$£€])\s?(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<cents>\d+))?(?:\s?" + _SCALE + r")?\b"
        ),
        _money,
    ),
    (re.compile(r"#(?P<n>\d+)\b"), lambda m: f"number {_number(m['n'])}"),
    (
        re.compile(
            r"\b(?:(?P<whole>\d+)\s+(?=\d{1,2}[/\u2044]\d{1,2}\b))?"
            r"(?P<a>\d+)[/\u2044](?P<b>\d+)(?:/(?P<c>\d+))?\b"
        ),
        _slash,
    ),
    (re.compile(r"\b(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?:st|nd|rd|th|ST|ND|RD|TH)\b"), _ordinal),
    (re.compile(r"(?:\b|')(?P<n>(?:1[1-9]|20)?[1-9]0|(?:1[1-9]|20)00)'?s\b"), _decade),
    (re.compile(r"\b(?P<whole>\d+)(?:\.(?P<frac>\d+))?\s?%"), _percent),
    (re.compile(r"\b(?P<whole>\d+)(?:\.(?P<frac>\d+))?" + _SCALE + r"\b"), _scaled),
    (re.compile(r"\b(?P<n>\d+)[xX]\b"), lambda m: f"{_number(m['n'])} times"),
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

    Spelled numbers are kept apart from letters glued to them ("3kids" ->
    "three kids"), except the letters that belong to the number (ordinals,
    times, decades, scale letters).

    >>> spell_numbers("Meet at 6:30, bring $20 and 1,000 smiles for the '90s kid #1")
    'Meet at six thirty, bring twenty dollars and one thousand smiles for the nineties kid number one'
    >>> spell_numbers("We scored 3.5% more in 1980s games, 3/4 of them 10x better")
    'We scored three point five percent more in nineteen eighties games, three quarters of them ten times better'
    """
    if not any(ch.isdigit() for ch in text):
        return text
    for pattern, spell in _RULES:
        text = pattern.sub(_spaced(spell), text)
    return text


NUMBER_WORDS: frozenset[str] = frozenset(
    {*_ONES, *_TENS, *_SCALES, "oh", "point", "percent"}
    | {w + "th" for w in _SCALES}
    | {"first", "second", "third", "fifth", "eighth", "ninth", "twelfth"}
    | {w + "th" for w in _ONES[4:] if w not in ("five", "eight", "nine", "twelve")}
    | {w[:-1] + "ieth" for w in _TENS}
)
"""Every word the speller writes on its own (one, twenty, sixtieth, thousand...)."""
