"""The guardrails: what Songgram will not sing, read from rules/guardrails.toml.

Text is normalised before it is matched, so disguises do not walk around the
rules: lower case; accents and invisible characters (zero-width spaces,
joiners) removed; letters that look like Latin letters in another script
(Cyrillic ``а``, Greek ``ο``...) read as those letters, from the Unicode
confusables table (the ``confusable-homoglyphs`` package); look-alike digits
and symbols read as letters ([leet]); long runs of one letter cut short.
Slurs are then matched as whole words, in words split letter by letter
("n.a.m.e", "n a m e"), and glued to other words when the glued word is not a
dictionary word. Threats of violence and calls for harm to a group are matched
by the [threats] patterns, sentence by sentence, with a few filler words
allowed between their parts but no negation ("I will never hurt you" passes).
Idioms ("I'd kill for your lasagna", "you killed it") match no pattern.

>>> apply_guardrails("What the HELL, you badass!")
'What the HECK, you rockstar!'
>>> apply_guardrails("I'd kill for your lasagna; you killed it at the recital!")
"I'd kill for your lasagna; you killed it at the recital!"
>>> apply_guardrails("I know where you live.")
Traceback (most recent call last):
...
composer.errors.RefusedError: sorry, this cannot be sung: the message reads as a threat or a wish to hurt people. Songs are made to lift people up; please say it another way. If someone is in danger, call your local emergency number.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Literal

from . import data
from .errors import GrammarError, RefusedError

__all__ = ["Guardrails", "check_guardrails", "guardrails", "apply_guardrails", "refusal"]

_WHERE = "rules/guardrails.toml"
_LEET_WORD = re.compile(r"[a-z]+(?: [a-z]+)*")
_PATTERN_WORD = re.compile(r"\{[a-z_]+\}|[a-z0-9]+|\.")
_FIELDS = {"message": "message", "to": "recipient's name", "sender": "sender's name"}
_APOSTROPHES = "'\u2019\u02bc\u2018`\u00b4"
_SENTENCE = re.compile(r"[.!?;:\n]+")

Phrase = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Guardrails:
    """rules/guardrails.toml, decoded and checked.

    Attributes:
        refuse_words: decoded slurs, matched as whole words.
        refuse_phrases: decoded hate phrases, as tuples of words.
        refuse_message: the kind refusal; ``{field}`` names what was refused.
        glued_min_letters: a slur this long or longer is also found glued to
            other letters, in a word that is not in the dictionary.
        innocent: words never read as a glued slur (besides dictionary words).
        action: "mask" or "refuse" for profanity.
        profanity_message: the refusal when ``action`` is "refuse".
        masks: profane word -> the softer words sung instead.
        leet_always: look-alike character -> letter, anywhere in a word.
        leet_inner: look-alike character -> letter, only between letters.
        threat_message: the refusal of a threat or a call for harm.
        gap: filler words allowed between the parts of a threat pattern.
        negations: words that, between the parts, undo a pattern ("never").
        classes: class name -> the phrases it stands for in a pattern.
        patterns: threat patterns: each a tuple of parts, a part a phrase or
            a class (a 1-tuple ``("{class}",)``).
        excuses: idioms that, overlapping a match, excuse it ("shoot you a").
    """

    refuse_words: frozenset[str]
    refuse_phrases: tuple[Phrase, ...]
    refuse_message: str
    glued_min_letters: int
    innocent: frozenset[str]
    action: Literal["mask", "refuse"]
    profanity_message: str
    masks: dict[str, str]
    leet_always: dict[str, str]
    leet_inner: dict[str, str]
    threat_message: str
    gap: int
    negations: frozenset[str]
    classes: dict[str, tuple[Phrase, ...]]
    patterns: tuple[tuple[Phrase, ...], ...]
    excuses: tuple[Phrase, ...]


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


def _phrases(table: dict[str, Any], key: str) -> tuple[Phrase, ...]:
    """A list of plain phrases (lower-case ASCII words and digits, no apostrophes)."""
    items = data.require(table, key, list, where=_WHERE)
    for i, item in enumerate(items):
        if not isinstance(item, str) or not re.fullmatch(r"[a-z0-9]+(?: [a-z0-9]+)*", item):
            raise GrammarError(f"{_WHERE}: key '{key}[{i}]' must be lower-case words without apostrophes "
                               f"(\"i'll\" is written \"ill\"), separated by single spaces, got {item!r}")
    return tuple(tuple(item.split()) for item in items)


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


def _threats(table: dict[str, Any]) -> tuple[dict[str, tuple[Phrase, ...]], tuple[tuple[Phrase, ...], ...]]:
    node = data.require(table, "threats.classes", dict, where=_WHERE)
    classes = {name: _phrases(table, f"threats.classes.{name}") for name in node}
    patterns = []
    for i, text in enumerate(data.require(table, "threats.patterns", list, where=_WHERE)):
        key = f"threats.patterns[{i}]"
        if not isinstance(text, str) or not text.split():
            raise GrammarError(f"{_WHERE}: key '{key}' must be a non-empty string, got {text!r}")
        tokens = text.split()
        if any(not _PATTERN_WORD.fullmatch(t) for t in tokens):
            raise GrammarError(f"{_WHERE}: key '{key}' must be lower-case words and {{class}} names, got {text!r}")
        parts: list[Phrase] = []
        for token in tokens:
            if token.startswith("{"):
                if token[1:-1] not in classes:
                    raise GrammarError(f"{_WHERE}: key '{key}' names an unknown class {token}; "
                                       f"known: {', '.join(sorted(classes))}")
                parts.append((token,))
            elif parts and not parts[-1][0].startswith("{"):
                parts[-1] = (*parts[-1], token)  # words in a row form one literal part
            else:
                parts.append((token,))
        patterns.append(tuple(parts))
    return classes, tuple(patterns)


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
    glued = data.require(table, "refuse.glued_min_letters", int, where=_WHERE)
    if glued < 3:
        raise GrammarError(f"{_WHERE}: key 'refuse.glued_min_letters' must be at least 3, got {glued}")
    innocent = frozenset(w for p in _phrases(table, "refuse.innocent") for w in p)
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
    gap = data.require(table, "threats.gap", int, where=_WHERE)
    if not 0 <= gap <= 6:
        raise GrammarError(f"{_WHERE}: key 'threats.gap' must be 0..6 words, got {gap}")
    classes, patterns = _threats(table)
    return Guardrails(
        refuse_words=frozenset(words), refuse_phrases=phrases,
        refuse_message=_message(table, "refuse.message"), glued_min_letters=glued, innocent=innocent,
        action=action,  # type: ignore[arg-type]
        profanity_message=_message(table, "profanity.message"), masks=dict(masks),
        leet_always=_char_map(table, "leet.always"), leet_inner=_char_map(table, "leet.inner"),
        threat_message=_message(table, "threats.message"), gap=gap,
        negations=frozenset(w for p in _phrases(table, "threats.negations") for w in p),
        classes=classes, patterns=patterns, excuses=_phrases(table, "threats.excuses"),
    )


@cache
def guardrails() -> Guardrails:
    """rules/guardrails.toml, read and validated once."""
    return check_guardrails(data.load("rules", "guardrails"))


# ---------------------------------------------------------------- normalising


@lru_cache(maxsize=4096)
def _latin(char: str) -> str:
    """The Latin letter that ``char`` (a lower-case letter of another script) looks like, or ``char``."""
    if char.isascii() or not char.isalpha():
        return char
    from confusable_homoglyphs import confusables

    found = confusables.is_confusable(char, preferred_aliases=["latin"], greedy=True)
    for glyph in (found[0]["homoglyphs"] if found else ()):
        letter = glyph["c"].lower()
        if len(letter) == 1 and "a" <= letter <= "z":
            return letter
    return char


def _chars(text: str, rails: Guardrails) -> list[tuple[str, int]]:
    """Each character of ``text`` as matched, with its index: lower case, no marks, look-alikes undone."""
    chars: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        for part in unicodedata.normalize("NFKD", ch):
            if unicodedata.combining(part) or unicodedata.category(part) == "Cf":
                continue
            chars.extend((c, i) for c in part.lower())
    words = re.finditer(r"\S+", "".join(c for c, _ in chars))
    for found in words:  # another script's look-alikes read as Latin, in a word that mixes them or is all look-alike
        span = range(found.start(), found.end())
        letters = [chars[j][0] for j in span if chars[j][0].isalpha()]
        latin = [_latin(c) for c in letters]
        mixed = any("a" <= c <= "z" for c in letters)
        if letters and (mixed or all("a" <= c <= "z" for c in latin)):
            for j in span:
                chars[j] = (_latin(chars[j][0]), chars[j][1])
    mapped: list[tuple[str, int]] = []
    for j, (c, i) in enumerate(chars):
        if c in rails.leet_always:
            c = rails.leet_always[c]
        elif c in rails.leet_inner and 0 < j < len(chars) - 1 \
                and chars[j - 1][0].isalpha() and chars[j + 1][0].isalnum():
            c = rails.leet_inner[c]
        mapped.append((c, i))
    return mapped


def _view(text: str, rails: Guardrails) -> tuple[list[tuple[str, int, int]], list[str]]:
    """The words of ``text`` as matched, (normalised word, start, end in ``text``), and the
    words its split-up spellings join to ("n.a.m.e", "n a m e", "na-me")."""
    words: list[tuple[str, int, int]] = []
    gaps: list[str] = []  # the characters before each word
    run: list[tuple[str, int]] = []
    between = ""
    for item in [*_chars(text, rails), (" ", len(text))]:
        if item[0].isalnum():
            run.append(item)
            continue
        if run and any(text[i].isalpha() for _, i in run):
            words.append(("".join(c for c, _ in run), run[0][1], run[-1][1] + 1))
            gaps.append(between)
            between = ""
        run = []
        between += item[0]
    joined: list[str] = []
    group: list[str] = []
    for k, (word, _, _) in enumerate([*words, ("", 0, 0)]):
        gap = gaps[k] if k < len(words) else " "
        spaced = len(word) <= 2 and (not group or len(group[-1]) <= 2) and len(gap) <= 3
        glued = bool(gap) and not any(c.isspace() for c in gap) and len(gap) <= 3
        if word and group and (spaced or glued):
            group.append(word)
            continue
        group = group[-30:]
        joined += ["".join(group[a:b]) for a in range(len(group)) for b in range(a + 2, len(group) + 1)]
        group = [word]
    return words, joined


def _forms(word: str) -> tuple[str, ...]:
    """A word as written and with long runs of one letter cut to one and to two."""
    return (word, re.sub(r"(.)\1{2,}", r"\1", word), re.sub(r"(.)\1{2,}", r"\1\1", word))


def _dictionary_word(word: str) -> bool:
    from .analyse.cmu import phones

    return phones(word) is not None


def _slur(forms: tuple[str, ...], rails: Guardrails, *, glued: bool) -> bool:
    if any(f in rails.refuse_words for f in forms):
        return True
    if not glued or forms[0] in rails.innocent or _dictionary_word(forms[0]):
        return False
    return any(len(w) >= rails.glued_min_letters and w in f and f not in rails.innocent
               for f in forms for w in rails.refuse_words)


# ---------------------------------------------------------------- threats


def _sentences(text: str, rails: Guardrails) -> list[list[str]]:
    """The words of each sentence of ``text``, normalised, apostrophes dropped ("I'll" -> "ill"),
    letters spelled one by one joined ("k i l l" -> "kill"), and "." for the sentence's end."""
    flat = "".join(c for c, _ in _chars(text, rails) if c not in _APOSTROPHES)
    out = []
    for part in _SENTENCE.split(flat):
        out.append([*_join_letters(re.findall(r"[a-z0-9]+", part)), "."])
    return out


def _join_letters(words: list[str]) -> list[str]:
    """Runs of three or more one-letter words joined into one word ("k i l l you" -> "kill you")."""
    out: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1:
            run.append(word)
            continue
        out.extend(["".join(run)] if len(run) >= 3 else run)
        run = []
        if word:
            out.append(word)
    return out


def _part_ends(words: list[str], at: int, part: Phrase, rails: Guardrails) -> list[int]:
    """Where ``part`` (a phrase or a class) ends if it starts at ``words[at]``."""
    options = rails.classes[part[0][1:-1]] if part[0].startswith("{") else (part,)
    return [at + len(p) for p in options if tuple(words[at:at + len(p)]) == p]


def _match(words: list[str], at: int, parts: tuple[Phrase, ...], rails: Guardrails) -> int | None:
    """The end of a match of ``parts`` starting at ``words[at]``, filler allowed between parts."""
    for end in _part_ends(words, at, parts[0], rails):
        if len(parts) == 1:
            return end
        for skip in range(rails.gap + 1):
            if skip and words[end + skip - 1] in rails.negations or end + skip >= len(words):
                break
            found = _match(words, end + skip, parts[1:], rails)
            if found is not None:
                return found
    return None


def _excused(words: list[str], start: int, end: int, rails: Guardrails) -> bool:
    for excuse in rails.excuses:
        for at in range(max(0, start - len(excuse) + 1), min(end, len(words))):
            if tuple(words[at:at + len(excuse)]) == excuse:
                return True
    return False


def _threatens(text: str, rails: Guardrails) -> bool:
    openers = [frozenset(p[0] for p in (rails.classes[parts[0][0][1:-1]] if parts[0][0].startswith("{")
                                        else (parts[0],))) for parts in rails.patterns]
    for words in _sentences(text, rails):
        for start in range(len(words)):
            for parts, first in zip(rails.patterns, openers):
                if words[start] not in first:
                    continue
                end = _match(words, start, parts, rails)
                if end is not None and not _excused(words, start, end, rails):
                    return True
    return False


# ---------------------------------------------------------------- applying


def _keep_case(original: str, soft: str) -> str:
    letters = [c for c in original if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return soft.upper()
    if letters and letters[0].isupper():
        return soft[:1].upper() + soft[1:]
    return soft


def refusal(text: str, *, field: str = "message") -> str | None:
    """The refusal message for ``text``, or None when the guardrails let it through.

    Profanity is not refused here unless the policy is "refuse".

    >>> refusal("you slay, break a leg tonight!") is None
    True
    """
    rails = guardrails()
    what = _FIELDS.get(field, field)
    words, joined = _view(text, rails)
    forms = [_forms(w) for w, _, _ in words]
    for i, options in enumerate(forms):
        hit = _slur(options, rails, glued=True) or any(
            len(p) <= len(forms) - i and all(p[k] in forms[i + k] for k in range(len(p)))
            for p in rails.refuse_phrases)
        if hit:
            return rails.refuse_message.format(field=what)
    if any(_slur(_forms(w), rails, glued=False) for w in joined):
        return rails.refuse_message.format(field=what)
    if _threatens(text, rails):
        return rails.threat_message.format(field=what)
    if rails.action == "refuse" and any(f in rails.masks for options in forms for f in options):
        return rails.profanity_message.format(field=what)
    return None


def apply_guardrails(text: str, *, field: str = "message") -> str:
    """Refuse slurs, hate and threats; mask (or refuse) profanity. See rules/guardrails.toml.

    Args:
        text: cleaned text (see :func:`composer.validate.clean_text`).
        field: what the text is, for the refusal: "message", "to" or "sender".

    Raises:
        RefusedError: a kind message that does not repeat the words.

    >>> apply_guardrails("hello, classy assassin")
    'hello, classy assassin'
    """
    refused = refusal(text, field=field)
    if refused is not None:
        raise RefusedError(refused, field=field, value=text)
    rails = guardrails()
    words, _ = _view(text, rails)
    out, last = [], 0
    for word, start, end in words:
        soft = next((rails.masks[f] for f in _forms(word) if f in rails.masks), None)
        if soft is None:
            continue
        out += [text[last:start], _keep_case(text[start:end], soft)]
        last = end
    return "".join(out) + text[last:]
