"""The lyric template bank (rules/lyrics.toml): big enough, singable, rhymable.

Issue 3 asks for at least 40 lines per major theme so that songs don't sound
alike. These tests hold the bank to that and to what composer/write.py needs:
hooks that name the recipient, lines the analyser can sing, and line endings
with CMU rhymes, varied enough that a message line usually finds an answer.
"""

from __future__ import annotations

from collections import Counter

import pytest

from composer import data
from composer.analyse import THEMES, rhyme_key, words_of

TABLES = ("generic", *THEMES)
MIN_LINES = 40
MIN_HOOKS = 3
MIN_RHYMES = 8
SYLLABLES = range(4, 13)  # 4..12 syllables a line


def _bank() -> dict:
    return data.load("rules", "lyrics")


def _all_lines() -> list[str]:
    bank = _bank()
    return [line for table in bank.values() if isinstance(table, dict)
            for field in ("lines", "bridge") for line in table.get(field, [])]


def _last_word(line: str) -> str:
    return line.split()[-1].strip(".,!?;:")


@pytest.mark.parametrize("theme", TABLES)
def test_theme_table_exists_with_every_field(theme: str) -> None:
    table = _bank().get(theme)
    assert isinstance(table, dict), f"rules/lyrics.toml has no [{theme}] table"
    for field in ("core", "hooks", "lines", "bridge"):
        values = table.get(field)
        assert isinstance(values, list) and values, f"[{theme}].{field} must be a non-empty list"
        assert all(isinstance(v, str) and v.strip() for v in values), f"[{theme}].{field} holds an empty line"


@pytest.mark.parametrize("theme", TABLES)
def test_theme_has_at_least_forty_lines(theme: str) -> None:
    table = _bank()[theme]
    count = len(table["lines"]) + len(table["bridge"])
    assert count >= MIN_LINES, f"[{theme}] has {count} lines + bridge lines, wants {MIN_LINES}"


@pytest.mark.parametrize("theme", TABLES)
def test_hooks_name_the_recipient(theme: str) -> None:
    hooks = _bank()[theme]["hooks"]
    assert len(hooks) >= MIN_HOOKS, f"[{theme}] has {len(hooks)} hooks, wants {MIN_HOOKS}"
    for hook in hooks:
        assert "{name}" in hook, f"[{theme}] hook {hook!r} does not name {{name}}"


def test_no_line_is_repeated_anywhere_in_the_bank() -> None:
    counts = Counter(line.strip().lower() for line in _all_lines())
    repeated = sorted(line for line, n in counts.items() if n > 1)
    assert not repeated, f"lines used more than once: {repeated}"


def test_no_hook_is_repeated_within_a_theme() -> None:
    for theme in TABLES:
        hooks = [h.strip().lower() for h in _bank()[theme]["hooks"]]
        assert len(hooks) == len(set(hooks)), f"[{theme}] repeats a hook"


@pytest.mark.parametrize("theme", TABLES)
def test_every_line_is_singable(theme: str) -> None:
    table = _bank()[theme]
    for line in [*table["lines"], *table["bridge"], *(h.replace("{name}", "Maria") for h in table["hooks"])]:
        words = words_of(line)
        syllables = sum(len(w.syllables) for w in words)
        assert syllables in SYLLABLES, f"[{theme}] {line!r} has {syllables} syllables, wants 4..12"


@pytest.mark.parametrize("theme", TABLES)
def test_every_line_ends_in_a_rhyme(theme: str) -> None:
    table = _bank()[theme]
    for line in [*table["lines"], *table["bridge"]]:
        assert rhyme_key(_last_word(line)), f"[{theme}] {line!r} ends in a word with no rhyme"


@pytest.mark.parametrize("theme", TABLES)
def test_line_endings_offer_many_rhymes(theme: str) -> None:
    keys = {rhyme_key(_last_word(line)) for line in _bank()[theme]["lines"]}
    assert len(keys) >= MIN_RHYMES, f"[{theme}] lines end in only {len(keys)} rhymes: {sorted(keys)}"
