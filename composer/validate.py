"""Validation at the edges: every input of :func:`composer.compose` checked once.

Each checker takes what a user (or the command line) gave and returns the
value the engine uses, or raises :class:`~composer.errors.InputError` with a
message that names the field, the accepted range and the bad value. The
guardrails (rules/guardrails.toml) refuse slurs and hate with
:class:`~composer.errors.RefusedError` and mask profanity before anything is
composed, so it is never sung.

The limits, quoted by ``songgram compose --help`` and the README:

>>> MAX_MESSAGE_CHARS, MAX_MESSAGE_WORDS, MAX_NAME_CHARS, TEMPO_LIMITS
(500, 100, 40, (40, 220))
>>> message("  Dear Mom,\\r\\nthank you \\x1b[1mso\\x1b[0m much!\\x07 ")
'Dear Mom,\\nthank you so much!'
>>> message("Damn, I MISS YOU, you sh1t!")
'Darn, I MISS YOU, you shoot!'
>>> choice("genre", "popp", ("pop", "rock"))
Traceback (most recent call last):
...
composer.errors.InputError: unknown genre 'popp'; did you mean 'pop'? choose one of: pop, rock
>>> key("C##m")
Traceback (most recent call last):
...
composer.errors.InputError: key must be a note name with at most one sharp or flat, then m or a mode (major, minor, dorian, mixolydian), like E, Bb, F#m or 'D dorian'; got 'C##m'
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Iterable, Literal

from .errors import InputError
from .model import Length
from .guardrails import Guardrails, apply_guardrails, check_guardrails, guardrails
from .theory import TEMPO_LIMITS
from .theory import MODES, parse_key

__all__ = [
    "MAX_MESSAGE_CHARS",
    "MAX_MESSAGE_WORDS",
    "MAX_NAME_CHARS",
    "SEED_LIMIT",
    "TEMPO_LIMITS",
    "LENGTHS",
    "Guardrails",
    "check_guardrails",
    "guardrails",
    "apply_guardrails",
    "clean_text",
    "message",
    "name",
    "seed",
    "tempo",
    "key",
    "choice",
    "length",
]

MAX_MESSAGE_CHARS = 500
"""The longest message, in characters (Unicode code points) after cleaning.

About 100 words: the most a 2-3 minute song can sing without rushing (the
slowest genres reach about 3.5 minutes at this length)."""

MAX_MESSAGE_WORDS = 100
"""The most words in a message (runs of letters or digits between spaces)."""

MAX_NAME_CHARS = 40
"""The longest recipient or sender name, in characters; it is sung in every chorus."""

SEED_LIMIT = 2**32 - 1
"""Seeds are integers 0..SEED_LIMIT."""

LENGTHS = ("short", "full")
"""The song lengths: a 30-45 s clip or a 2-3 minute song."""

_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])|\x9b[0-?]*[ -/]*[@-~]")
_KEY = re.compile(r"[A-Ga-g][#b\u266f\u266d]?(?:m|\s+(?i:" + "|".join(MODES) + r"))?")
_FIELDS = {"message": "message", "to": "recipient's name", "sender": "sender's name"}


# ---------------------------------------------------------------- checkers


def _is_letter_joiner(text: str, i: int) -> bool:
    return 0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha()


def clean_text(text: str) -> str:
    """Text with terminal and invisible junk removed, ready to check and sing.

    Removes ANSI escape sequences, control characters (a line break stays;
    ``\\r\\n`` and ``\\r`` become one, a tab becomes a space), lone surrogates
    (undecodable bytes of a command line), invisible format characters such
    as bidi overrides and zero-width spaces (a zero-width joiner stays inside
    emoji), and white space at either end. Letters are put in NFC form.

    >>> clean_text("\\x1b[31mHi\\x1b[0m\\tthere\\u202e\\u200b\\udcff\\r\\n")
    'Hi there'
    """
    text = _ANSI.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    kept = []
    for i, ch in enumerate(text):
        cat = unicodedata.category(ch)
        if ch == "\n" or cat not in ("Cc", "Cf", "Cs") or (ch == "\u200d" and not _is_letter_joiner(text, i)) \
                or "\U000e0020" <= ch <= "\U000e007f":  # emoji tag sequences (flags)
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)).strip()


def _count_words(text: str) -> int:
    return sum(1 for chunk in text.split() if any(c.isalnum() for c in chunk))


def message(text: object) -> str:
    """Check a message and return it cleaned, with profanity masked.

    Raises:
        InputError: not text, empty, only punctuation, or over the limits.
        RefusedError: refused by the guardrails.

    >>> message(" ?!... ")
    Traceback (most recent call last):
    ...
    composer.errors.InputError: the message has only punctuation or symbols; write a few words to sing
    """
    if not isinstance(text, str):
        raise InputError(f"message must be text (str), got {type(text).__name__}", field="message", value=text)
    given, text = text, clean_text(text)
    if not text:
        raise InputError("the message is empty; write a few words to sing", field="message", value=given)
    if not any(c.isalnum() or unicodedata.category(c) == "So" for c in text):
        raise InputError("the message has only punctuation or symbols; write a few words to sing",
                         field="message", value=given)
    if len(text) > MAX_MESSAGE_CHARS:
        raise InputError(f"the message must be at most {MAX_MESSAGE_CHARS} characters, got {len(text)}; "
                         f"a 2-3 minute song sings about {MAX_MESSAGE_WORDS} words", field="message", value=given)
    words = _count_words(text)
    if words > MAX_MESSAGE_WORDS:
        raise InputError(f"the message must be at most {MAX_MESSAGE_WORDS} words, got {words}; "
                         "a 2-3 minute song cannot sing more without rushing", field="message", value=given)
    return apply_guardrails(text, field="message")


def name(text: object, *, field: Literal["to", "sender"] = "to", required: bool = False) -> str:
    """Check a recipient (``to``) or sender name; return it cleaned, on one line.

    ``required`` is for the command line, where ``--to`` must name someone;
    the API accepts "" and finds the name in the message ("Dear Mom, ...").

    >>> name("  Tita\\nCarmen ")
    'Tita Carmen'
    >>> name("   ", required=True)
    Traceback (most recent call last):
    ...
    composer.errors.InputError: the recipient's name (--to) must be 1..40 characters, got an empty name
    """
    what = f"the {_FIELDS[field]} (--{'from' if field == 'sender' else 'to'})"
    if not isinstance(text, str):
        raise InputError(f"{what} must be text (str), got {type(text).__name__}", field=field, value=text)
    given, text = text, " ".join(clean_text(text).split())
    if required and not text:
        raise InputError(f"{what} must be 1..{MAX_NAME_CHARS} characters, got an empty name", field=field,
                         value=given)
    if len(text) > MAX_NAME_CHARS:
        raise InputError(f"{what} must be at most {MAX_NAME_CHARS} characters, got {len(text)}", field=field,
                         value=given)
    return apply_guardrails(text, field=field)


def seed(value: object) -> int:
    """Check a seed: an integer 0..SEED_LIMIT, or its decimal digits.

    >>> seed("42"), seed(7)
    (42, 7)
    >>> seed(-1)
    Traceback (most recent call last):
    ...
    composer.errors.InputError: seed must be an integer 0..4294967295, got -1
    """
    number = value
    if isinstance(value, str) and re.fullmatch(r"\s*[0-9]{1,20}\s*", value):
        number = int(value)
    if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= SEED_LIMIT:
        raise InputError(f"seed must be an integer 0..{SEED_LIMIT}, got {value!r}", field="seed", value=value)
    return number


def tempo(value: object) -> int | None:
    """Check a tempo override: None, or whole BPM in TEMPO_LIMITS.

    >>> tempo("96"), tempo(None)
    (96, None)
    >>> tempo(300)
    Traceback (most recent call last):
    ...
    composer.errors.InputError: tempo must be a whole number of BPM 40..220, got 300
    """
    if value is None:
        return None
    number = value
    if isinstance(value, str) and re.fullmatch(r"\s*[0-9]{1,4}\s*", value):
        number = int(value)
    lo, hi = TEMPO_LIMITS
    if isinstance(number, bool) or not isinstance(number, int) or not lo <= number <= hi:
        raise InputError(f"tempo must be a whole number of BPM {lo}..{hi}, got {value!r}", field="tempo",
                         value=value)
    return number


def key(value: object) -> str | None:
    """Check a key override: None, or a tonic with at most one accidental and an optional mode.

    >>> key(" F#m "), key("d Dorian"), key(None)
    ('F#m', 'd Dorian', None)
    """
    if value is None:
        return None
    if not isinstance(value, str) or not _KEY.fullmatch(value.strip()):
        raise InputError(f"key must be a note name with at most one sharp or flat, then m or a mode "
                         f"({', '.join(MODES)}), like E, Bb, F#m or 'D dorian'; got {value!r}", field="key",
                         value=value)
    text = " ".join(value.split())
    try:
        parse_key(text)
    except InputError as err:
        raise InputError(str(err), field="key", value=value) from err
    return text


def suggest(value: str, choices: Iterable[str]) -> str | None:
    """The choice closest to ``value``, if any is close (difflib).

    >>> suggest("hiphop", ("pop", "hip-hop")), suggest("zzz", ("pop",))
    ('hip-hop', None)
    """
    found = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def choice(field: str, value: object, choices: Iterable[str]) -> str:
    """Check ``value`` is one of ``choices``; case, spaces and underscores are forgiven.

    >>> choice("genre", " Hip Hop ", ("pop", "hip-hop"))
    'hip-hop'
    """
    options = tuple(choices)
    if isinstance(value, str):
        wanted = "-".join(value.strip().lower().replace("_", " ").split())
        if wanted in options:
            return wanted
        near = suggest(wanted, options)
        hint = f"; did you mean {near!r}?" if near else ";"
        raise InputError(f"unknown {field} {value!r}{hint} choose one of: {', '.join(options)}", field=field,
                         value=value)
    raise InputError(f"{field} must be one of: {', '.join(options)}; got {value!r}", field=field, value=value)


def length(value: object) -> Length:
    """Check a song length: "short" or "full"."""
    return "short" if choice("length", value, LENGTHS) == "short" else "full"
