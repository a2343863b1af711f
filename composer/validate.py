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
from dataclasses import dataclass
from functools import cache
from typing import Any, Iterable, Literal

from . import data
from .errors import GrammarError, InputError, RefusedError
from .grammar import TEMPO_LIMITS
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

_WHERE = "rules/guardrails.toml"
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])|\x9b[0-?]*[ -/]*[@-~]")
_KEY = re.compile(r"[A-Ga-g][#b\u266f\u266d]?(?:m|\s+(?i:" + "|".join(MODES) + r"))?")
_LEET_WORD = re.compile(r"[a-z]+(?: [a-z]+)*")
_FIELDS = {"message": "message", "to": "recipient's name", "sender": "sender's name"}


# ---------------------------------------------------------------- guardrails


@dataclass(frozen=True, slots=True)
class Guardrails:
    """rules/guardrails.toml, decoded and checked.

    Attributes:
        refuse_words: decoded slurs, matched as whole words.
        refuse_phrases: decoded hate phrases, as tuples of words.
        refuse_message: the kind refusal; ``{field}`` names what was refused.
        action: "mask" or "refuse" for profanity.
        profanity_message: the refusal when ``action`` is "refuse".
        masks: profane word -> the softer words sung instead.
        leet_always: look-alike character -> letter, anywhere in a word.
        leet_inner: look-alike character -> letter, only between letters.
    """

    refuse_words: frozenset[str]
    refuse_phrases: tuple[tuple[str, ...], ...]
    refuse_message: str
    action: Literal["mask", "refuse"]
    profanity_message: str
    masks: dict[str, str]
    leet_always: dict[str, str]
    leet_inner: dict[str, str]


def _rot13(text: str) -> str:
    return text.translate(str.maketrans(
        "abcdefghijklmnopqrstuvwxyz", "nopqrstuvwxyzabcdefghijklm"))


def _entries(table: dict[str, Any], key: str) -> list[str]:
    items = data.require(table, key, list, where=_WHERE)
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, str) or not _LEET_WORD.fullmatch(item):
            raise GrammarError(f"{_WHERE}: key '{key}[{i}]' must be lower-case ASCII words separated by "
                               f"single spaces (ROT13-encoded), got {item!r}")
        out.append(_rot13(item))
    return out


def _message(table: dict[str, Any], key: str) -> str:
    text = data.require(table, key, str, where=_WHERE)
    try:
        text.format(field="message")
    except (KeyError, IndexError, ValueError) as err:
        raise GrammarError(f"{_WHERE}: key '{key}' may use only the placeholder {{field}}, got {text!r}") from err
    if not text.strip():
        raise GrammarError(f"{_WHERE}: key '{key}' must not be empty")
    return text


def _char_map(table: dict[str, Any], key: str) -> dict[str, str]:
    node = data.require(table, key, dict, where=_WHERE)
    for char, letter in node.items():
        if len(char) != 1 or char.isalpha() or not isinstance(letter, str) or not re.fullmatch("[a-z]", letter):
            raise GrammarError(f"{_WHERE}: key '{key}.{char}' must map one non-letter character to one "
                               f"lower-case letter, got {letter!r}")
    return dict(node)


def check_guardrails(table: dict[str, Any]) -> Guardrails:
    """Validate the parsed rules/guardrails.toml.

    Raises:
        GrammarError: naming the file and the key at fault.

    >>> check_guardrails({"refuse": {"words": ["Bad"]}})
    Traceback (most recent call last):
    ...
    composer.errors.GrammarError: rules/guardrails.toml: key 'refuse.words[0]' must be lower-case ASCII words separated by single spaces (ROT13-encoded), got 'Bad'
    """
    words = _entries(table, "refuse.words")
    for i, word in enumerate(words):
        if " " in word:
            raise GrammarError(f"{_WHERE}: key 'refuse.words[{i}]' must be one word; put phrases in refuse.phrases")
    phrases = tuple(tuple(p.split()) for p in _entries(table, "refuse.phrases"))
    action = data.require(table, "profanity.action", str, where=_WHERE)
    if action not in ("mask", "refuse"):
        raise GrammarError(f"{_WHERE}: key 'profanity.action' must be 'mask' or 'refuse', got {action!r}")
    masks = data.require(table, "profanity.masks", dict, where=_WHERE)
    for word, soft in masks.items():
        if not re.fullmatch("[a-z]+", word):
            raise GrammarError(f"{_WHERE}: key 'profanity.masks.{word}' must be one lower-case ASCII word")
        if not isinstance(soft, str) or not re.fullmatch(r"[a-z']+(?: [a-z']+)*", soft):
            raise GrammarError(f"{_WHERE}: key 'profanity.masks.{word}' must be lower-case words, got {soft!r}")
        if word in words:
            raise GrammarError(f"{_WHERE}: key 'profanity.masks.{word}' is also in refuse.words")
        if any(w in masks or w in words for w in soft.split()):
            raise GrammarError(f"{_WHERE}: key 'profanity.masks.{word}' must not be masked or refused "
                               f"itself, got {soft!r}")
    return Guardrails(
        refuse_words=frozenset(words), refuse_phrases=phrases,
        refuse_message=_message(table, "refuse.message"), action=action,  # type: ignore[arg-type]
        profanity_message=_message(table, "profanity.message"), masks=dict(masks),
        leet_always=_char_map(table, "leet.always"), leet_inner=_char_map(table, "leet.inner"),
    )


@cache
def guardrails() -> Guardrails:
    """rules/guardrails.toml, read and validated once."""
    return check_guardrails(data.load("rules", "guardrails"))


def _view(text: str, rails: Guardrails) -> list[tuple[str, int, int]]:
    """The words of ``text`` as matched: (normalised word, start, end in ``text``)."""
    chars: list[tuple[str, int]] = []  # (lower-case char, index in text)
    for i, ch in enumerate(text):
        for part in unicodedata.normalize("NFKD", ch):
            if unicodedata.combining(part) or unicodedata.category(part) == "Cf":
                continue
            chars.extend((c, i) for c in part.lower())
    mapped: list[tuple[str, int]] = []
    for j, (c, i) in enumerate(chars):
        if c in rails.leet_always:
            c = rails.leet_always[c]
        elif c in rails.leet_inner and 0 < j < len(chars) - 1 \
                and chars[j - 1][0].isalpha() and chars[j + 1][0].isalnum():
            c = rails.leet_inner[c]
        mapped.append((c, i))
    words: list[tuple[str, int, int]] = []
    run: list[tuple[str, int]] = []
    for item in [*mapped, (" ", len(text))]:
        if item[0].isalnum():
            run.append(item)
            continue
        if run and any(text[i].isalpha() for _, i in run):
            words.append(("".join(c for c, _ in run), run[0][1], run[-1][1] + 1))
        run = []
    return words


def _forms(word: str) -> tuple[str, ...]:
    """A word as written and with long runs of one letter cut to one and to two."""
    return (word, re.sub(r"(.)\1{2,}", r"\1", word), re.sub(r"(.)\1{2,}", r"\1\1", word))


def _keep_case(original: str, soft: str) -> str:
    letters = [c for c in original if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return soft.upper()
    if letters and letters[0].isupper():
        return soft[:1].upper() + soft[1:]
    return soft


def apply_guardrails(text: str, *, field: str = "message") -> str:
    """Refuse slurs and hate; mask (or refuse) profanity. See rules/guardrails.toml.

    Args:
        text: cleaned text (see :func:`clean_text`).
        field: what the text is, for the refusal: "message", "to" or "sender".

    Raises:
        RefusedError: a kind message that does not repeat the words.

    >>> apply_guardrails("What the HELL, you badass!")
    'What the HECK, you rockstar!'
    >>> apply_guardrails("hello, classy assassin")
    'hello, classy assassin'
    """
    rails = guardrails()
    what = _FIELDS.get(field, field)
    words = _view(text, rails)
    forms = [_forms(w) for w, _, _ in words]
    for i, options in enumerate(forms):
        hit = any(f in rails.refuse_words for f in options) or any(
            len(p) <= len(forms) - i and all(p[k] in forms[i + k] for k in range(len(p)))
            for p in rails.refuse_phrases)
        if hit:
            raise RefusedError(rails.refuse_message.format(field=what))
    out, last = [], 0
    for (_, start, end), options in zip(words, forms):
        soft = next((rails.masks[f] for f in options if f in rails.masks), None)
        if soft is None:
            continue
        if rails.action == "refuse":
            raise RefusedError(rails.profanity_message.format(field=what))
        out += [text[last:start], _keep_case(text[start:end], soft)]
        last = end
    return "".join(out) + text[last:]


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
        raise InputError(f"message must be text (str), got {type(text).__name__}")
    text = clean_text(text)
    if not text:
        raise InputError("the message is empty; write a few words to sing")
    if not any(c.isalnum() or unicodedata.category(c) == "So" for c in text):
        raise InputError("the message has only punctuation or symbols; write a few words to sing")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InputError(f"the message must be at most {MAX_MESSAGE_CHARS} characters, got {len(text)}; "
                         f"a 2-3 minute song sings about {MAX_MESSAGE_WORDS} words")
    words = _count_words(text)
    if words > MAX_MESSAGE_WORDS:
        raise InputError(f"the message must be at most {MAX_MESSAGE_WORDS} words, got {words}; "
                         "a 2-3 minute song cannot sing more without rushing")
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
        raise InputError(f"{what} must be text (str), got {type(text).__name__}")
    text = " ".join(clean_text(text).split())
    if required and not text:
        raise InputError(f"{what} must be 1..{MAX_NAME_CHARS} characters, got an empty name")
    if len(text) > MAX_NAME_CHARS:
        raise InputError(f"{what} must be at most {MAX_NAME_CHARS} characters, got {len(text)}")
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
        raise InputError(f"seed must be an integer 0..{SEED_LIMIT}, got {value!r}")
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
        raise InputError(f"tempo must be a whole number of BPM {lo}..{hi}, got {value!r}")
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
                         f"({', '.join(MODES)}), like E, Bb, F#m or 'D dorian'; got {value!r}")
    text = " ".join(value.split())
    parse_key(text)
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
        raise InputError(f"unknown {field} {value!r}{hint} choose one of: {', '.join(options)}")
    raise InputError(f"{field} must be one of: {', '.join(options)}; got {value!r}")


def length(value: object) -> str:
    """Check a song length: "short" or "full"."""
    return choice("length", value, LENGTHS)
