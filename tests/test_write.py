"""The write stage's contract (issue 12): lines that fit the person, rhyme by sound, whole sentences.

Songs are written for many messages, seeds and rhyme schemes and read back as
plain text, then checked against the bank's tags and the CMU dictionary.
"""

from __future__ import annotations

import difflib

import numpy as np
import pytest

from composer.analyse import analyse
from composer.bank import no_break_after, pool
from composer.grammar import RHYME_SCHEMES
from composer.phrasing import sentences
from composer.plan import grow
from composer.tools import evaluate_lyrics as evl
from composer.write import said, write

FAMILY = [
    ("Mom, I love you so much. You are my hero.", "Mom"),
    ("Dad, thank you for teaching me to ride a bike. I love you.", "Dad"),
    ("Grandma, I miss your cooking and your laugh. Love you forever.", "Grandma"),
    ("Happy birthday, Mama! You are the heart of this family.", "Mama"),
]
MIXED = FAMILY + [
    ("Babe, five years and you still make me laugh every morning.", "Dani"),
    ("Let's go Tigers! One team, one heart, one more win.", "Tigers"),
    ("Biscuit, you are the best boy. Thank you for every walk.", "Biscuit"),
    ("Thanks for everything you did this year. It meant a lot.", "Morgan"),
    ("Rest in peace, Lola. We still make your adobo every Sunday.", "Lola"),
    ("Come to Rosa's Bakery, fresh bread every morning at six!", "Rosa's Bakery"),
]
LONG = ("Mom, thank you for always cooking for us, even after the longest shifts at the hospital. "
        "You never missed a single recital, not one. When I was sick you sat up all night. "
        "When I failed my driving test you took me for ice cream. I love you more than words can say. "
        "You are my hero and my best friend.")


def _songs(messages, seeds=range(8), schemes=RHYME_SCHEMES):
    for message, to in messages:
        a = analyse(message, recipient=to)
        for seed in seeds:
            for scheme in schemes:
                yield a, scheme, write(a, rng=np.random.default_rng(seed), scheme=scheme)


def _own(text: str, a) -> bool:
    return evl.sender_own(text, a.message, a.recipient)


def test_no_romantic_line_to_a_parent_across_many_seeds():
    for a, _, lyrics in _songs(FAMILY, seeds=range(12)):
        assert a.relation in ("parent", "grandparent")
        for s in lyrics.sections:
            for line in s.lines:
                assert not (evl.ROMANTIC.search(line.text) and not _own(line.text, a)), (a.message, line.text)


def test_every_bank_line_sung_fits_the_relation_and_the_theme():
    for a, _, lyrics in _songs(MIXED, seeds=range(4)):
        p = pool(a.theme, a.relation, said(a))
        allowed = {evl.fold(t) for t in (*p.lines, *(x for c in p.couplets for x in c))}
        for s in lyrics.sections:
            for line in s.lines:
                if line.origin == "template":
                    assert evl.fold(line.text) in allowed, (a.theme, a.relation, line.text)


def test_a_line_that_recalls_something_particular_needs_the_message_to_speak_of_it():
    meals, shoe = "You cooked the meals that made us strong", "You taught me how to tie my shoe"
    plain = analyse("Mom, thank you for everything. I love you.", recipient="Mom")
    cooking = analyse("Mom, thank you for always cooking for us. I love you.", recipient="Mom")
    assert meals not in pool(plain.theme, plain.relation, said(plain)).lines
    assert meals in pool(cooking.theme, cooking.relation, said(cooking)).lines
    sung = {ln.text for seed in range(30) for s in write(plain, rng=np.random.default_rng(seed)).sections
            for ln in s.lines}
    assert not sung & {meals, shoe, "Your voice still calls me home for dinner"}


@pytest.mark.parametrize(("to", "wrong"), [("Dad", "Mother's"), ("Mom", "Father's")])
def test_a_parents_day_song_names_the_right_day(to, wrong):
    a = analyse(f"{to}, you are the best. Thank you for all you do.", recipient=to)
    hooks = pool("parents-day", a.relation, said(a)).hooks
    assert hooks and not any(wrong in h for h in hooks)


def test_an_unknown_relation_only_hears_lines_for_anyone():
    a = analyse("Get well soon, Tita Rose. The kitchen is too quiet without your singing.", recipient="Tita Rose")
    assert a.relation == "other"
    for seed in range(10):
        lyrics = write(a, rng=np.random.default_rng(seed))
        for line in (ln for s in lyrics.sections for ln in s.lines if ln.origin == "template"):
            assert line.text.replace(",", "") in {t.replace(",", "") for t in pool(a.theme, "other").lines} | {
                x.replace(",", "") for c in pool(a.theme, "other").couplets for x in c}


@pytest.mark.parametrize("scheme", RHYME_SCHEMES)
def test_every_kind_of_section_rhymes_by_sound(scheme):
    counts: dict[str, list[int]] = {}
    for _, _, lyrics in _songs(MIXED, seeds=range(5), schemes=(scheme,)):
        for s in lyrics.sections:
            got = evl.section_rhyme([ln.text for ln in s.lines][:4])
            counts.setdefault(s.kind, [0, 0])
            counts[s.kind][0] += bool(got)
            counts[s.kind][1] += 1
    for kind, (hits, total) in counts.items():
        assert hits / total >= 0.9, f"{scheme}: {kind} rhymes in {hits} of {total}"
    assert counts["bridge"][0] == counts["bridge"][1]


def test_the_answer_to_a_senders_line_rhymes_with_it_and_is_recorded():
    a = analyse("Mom, I love you so much. You are my hero.", recipient="Mom")
    lyrics = write(a, rng=np.random.default_rng(1), scheme="ABAB")
    verse = lyrics.sections[0]
    assert [ln.origin for ln in verse.lines] == ["message", "message", "template", "template"]
    assert verse.lines[0].text == "Mom I love you so much" and verse.lines[1].text == "You are my hero"
    for mine, answer in ((verse.lines[0], verse.lines[2]), (verse.lines[1], verse.lines[3])):
        assert evl.rhymes(mine.text, answer.text) and answer.rhyme in ("perfect", "slant")
    assert verse.scheme == "ABAB" and lyrics.sections[-1].scheme == "AA"


def test_lines_never_break_after_a_function_word():
    messages = [m for m, _ in MIXED] + [LONG, "Salamat po for the sinigang every Sunday and for always waiting "
                                        "up for me with the porch light on and a plate of rice."]
    for message in messages:
        for sentence in sentences(analyse(message, recipient="").words):
            for line in sentence:
                last = line[-1]
                assert last.pause_after or last.text.lower() not in no_break_after(), \
                    " ".join(w.text for w in line)


def test_a_long_message_spreads_over_verses_by_sentence_and_the_form_grows():
    a = analyse(LONG, recipient="Mom")
    lyrics = write(a, rng=np.random.default_rng(3))
    verses = [s for s in lyrics.sections if s.kind == "verse"]
    assert len(verses) >= 3
    info = {"input": {"message": a.message, "to": "Mom"}, "analysis": {
        "words": [{"text": w.text, "pause_after": w.pause_after} for w in a.words], "relation": a.relation},
        "lyrics": [{"name": s.name, "kind": s.kind, "lines": [{"text": ln.text, "origin": ln.origin} for ln in s.lines]}
                   for s in lyrics.sections]}
    assert evl.song_figures(info)["split"][0] == 0
    sung = [w for s in verses for ln in s.lines if ln.origin == "message" for w in ln.text.split()]
    assert sung == [w.text for w in a.words]
    form = grow(["intro", "verse", "chorus", "verse", "chorus", "bridge", "chorus", "outro"], len(verses))
    assert form.count("verse") == len(verses)


def test_no_line_twice_and_no_near_duplicates_in_a_chorus():
    for _, _, lyrics in _songs(MIXED, seeds=range(4)):
        sung = [ln.text for s in lyrics.sections if s.kind in ("verse", "bridge") for ln in s.lines]
        assert len(sung) == len(set(sung)), sung
        chorus = [ln.text for ln in lyrics.sections[1].lines]
        for i, x in enumerate(chorus):
            for y in chorus[i + 1:]:
                assert x == y or difflib.SequenceMatcher(None, evl.fold(x), evl.fold(y)).ratio() < 0.75, (x, y)


def test_the_chorus_names_the_recipient_and_carries_the_senders_image():
    a = analyse("Dad, thank you for teaching me to ride a bike. I love you.", recipient="Dad")
    for seed in range(6):
        chorus = [ln.text for ln in write(a, rng=np.random.default_rng(seed)).sections[1].lines]
        assert "Dad" in chorus[0] and any("bike" in line for line in chorus), chorus
    short = analyse("Dad, you fixed my old bike. I love you.", recipient="Dad")
    hooks = {write(short, rng=np.random.default_rng(seed)).sections[1].lines[0].text for seed in range(12)}
    assert any("bike" in h and "Dad" in h for h in hooks), hooks   # the hook itself is the sender's image
