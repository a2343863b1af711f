"""The lyric bank (rules/lyrics.toml): tagged, big enough, singable, rhymable.

Every line says whom and what it fits (composer/bank.py checks it on load);
a romantic line fits a partner only. Each occasion has a bank of its own big
enough that songs don't sound alike, its lines can be sung (4-12 syllables)
and end in words the CMU dictionary can rhyme, and every bridge is a couplet
that rhymes by sound.
"""

from __future__ import annotations

from collections import Counter

import pytest

from composer import data
from composer.analyse import RELATIONS, THEMES, words_of
from composer.bank import check_bank, pool
from composer.errors import GrammarError
from composer.rhyme import rhyme, tails
from composer.tools import evaluate_lyrics as evl

MIN_OWN_LINES = 30       # the lines of a theme's own bank, for the relation it fits best
MIN_LINES = 10           # the lines any (theme, relation) song can draw on
MIN_HOOKS = 3
MIN_RHYMES = 8
SYLLABLES = range(4, 13)  # 4..12 syllables a line
SUBORDINATORS = ("if ", "when ", "whatever ", "though ", "although ", "as ", "until ", "while ", "because ")


def _raw() -> dict:
    return data.load("rules", "lyrics")


def _groups(kind: str) -> list[dict]:
    return _raw()[kind]


def _all_lines() -> list[str]:
    return [line for g in _groups("lines") for line in g["lines"]] + \
        [line for g in _groups("bridges") for c in g["couplets"] for line in c]


def _last_word(line: str) -> str:
    return line.split()[-1].strip(".,!?;:")


def test_the_bank_loads_and_every_group_is_tagged() -> None:
    for kind in ("lines", "hooks", "bridges"):
        for group in _groups(kind):
            assert group.get("themes") and group.get("relations"), group
    assert pool("love", "partner").lines  # the real file passes the checks


def test_an_untagged_line_is_an_error_naming_the_file_and_line() -> None:
    text = '[[lines]]\nthemes = ["love"]\nlines = [\n  "You light the way",\n]\n'
    raw = {"lines": [{"themes": ["love"], "lines": ["You light the way"]}],
           "hooks": [{"themes": ["any"], "relations": ["all"], "lines": ["hi"]}],
           "bridges": [{"themes": ["love"], "relations": ["partner"], "couplets": [["a b", "c d"]]}],
           "aliases": {"any": list(THEMES), "all": list(RELATIONS)}}
    with pytest.raises(GrammarError, match=r"rules/lyrics.toml line 4: \[\[lines\]\] group 1 .*no 'relations'"):
        check_bank(raw, text)
    raw["lines"][0]["relations"] = ["parnet"]
    with pytest.raises(GrammarError, match="unknown relation 'parnet'"):
        check_bank(raw, text)
    raw["lines"][0]["relations"] = ["parent"]
    raw["bridges"][0]["couplets"] = [["only one line"]]
    with pytest.raises(GrammarError, match="couplet"):
        check_bank(raw, text)
    raw["bridges"][0]["couplets"] = [["a b", "c d"]]
    for bad in (["Cooking"], ["co*ok"], "cook", []):
        raw["lines"][0]["cues"] = bad
        with pytest.raises(GrammarError, match=r"rules/lyrics.toml line 4: .*'cues'"):
            check_bank(raw, text)
    raw["lines"][0]["cues"] = ["cook*", "dinner"]
    (group, *_) = check_bank(raw, text)
    assert group.fits(frozenset({"cooking"})) and group.fits(frozenset({"dinner"}))
    assert not group.fits(frozenset({"dinners", "love"}))


@pytest.mark.parametrize("relation", [r for r in RELATIONS if r != "partner"])
def test_no_romantic_line_fits_anyone_but_a_partner(relation: str) -> None:
    for theme in THEMES:
        p = pool(theme, relation)
        texts = [*p.lines, *p.hooks, *(line for c in p.couplets for line in c)]
        romantic = [t for t in texts if evl.ROMANTIC.search(t)]
        assert not romantic, f"{theme}/{relation} may sing {romantic}"


def test_an_unknown_relation_gets_only_lines_for_anyone() -> None:
    tagged = [g for g in _groups("lines") if set(g["relations"]) & {"anyone", "all", "other"}]
    allowed = {line for g in tagged for line in g["lines"]}
    for theme in THEMES:
        assert set(pool(theme, "other").lines) <= allowed


@pytest.mark.parametrize("theme", THEMES)
def test_every_occasion_has_a_bank_of_its_own(theme: str) -> None:
    best = max(RELATIONS, key=lambda r: len(pool(theme, r).lines))
    assert len(pool(theme, best).lines) >= MIN_OWN_LINES, f"[{theme}] has {len(pool(theme, best).lines)} lines"
    for relation in RELATIONS:
        p = pool(theme, relation)
        assert len(p.lines) >= MIN_LINES, f"{theme}/{relation}: {len(p.lines)} lines"
        assert len(p.hooks) >= MIN_HOOKS, f"{theme}/{relation}: {len(p.hooks)} hooks"
        assert p.couplets, f"{theme}/{relation}: no bridge"


@pytest.mark.parametrize("theme", THEMES)
def test_line_endings_offer_many_rhymes(theme: str) -> None:
    best = max(RELATIONS, key=lambda r: len(pool(theme, r).lines))
    keys = {tails(_last_word(line))[0] for line in pool(theme, best).lines if tails(_last_word(line))}
    assert len(keys) >= MIN_RHYMES, f"[{theme}] lines end in only {len(keys)} rhymes"


def test_no_line_is_repeated_anywhere_in_the_bank() -> None:
    counts = Counter(line.strip().lower() for line in _all_lines())
    repeated = sorted(line for line, n in counts.items() if n > 1)
    assert not repeated, f"lines used more than once: {repeated}"


def test_every_line_is_singable_and_ends_in_a_word_with_a_pronunciation() -> None:
    hooks = [h.replace("{name}", "Maria") for g in _groups("hooks") for h in g["lines"]]
    for line in _all_lines():
        syllables = sum(len(w.syllables) for w in words_of(line))
        assert syllables in SYLLABLES, f"{line!r} has {syllables} syllables, wants 4..12"
        assert tails(_last_word(line)), f"{line!r} ends in a word the CMU dictionary lacks"
    for hook in hooks:
        syllables = sum(len(w.syllables) for w in words_of(hook))
        assert 2 <= syllables <= 10, f"hook {hook!r} has {syllables} syllables"


def test_every_bridge_is_a_rhyming_couplet_with_a_main_clause() -> None:
    for group in _groups("bridges"):
        for first, second in group["couplets"]:
            assert rhyme(_last_word(first), _last_word(second)), f"{first!r} / {second!r} do not rhyme"
            assert _last_word(first).lower() != _last_word(second).lower()
            assert not second.lower().startswith(SUBORDINATORS), f"{second!r} is not a main clause"
