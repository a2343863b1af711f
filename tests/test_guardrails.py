"""The guardrails hold and do not overreach: disguised slurs, threats and calls for harm are
refused kindly; idioms and everyday messages are sung. Measured on the labelled set
tests/data/guardrails_labelled.jsonl (slurs stored ROT13-encoded, disguised at test time)."""

from __future__ import annotations

import codecs
import json
import re

import pytest

from composer import guardrails as g
from composer import validate
from composer.errors import GrammarError, RefusedError
from composer.tools import guardrail_eval as ev


def test_the_labelled_set_meets_the_goals():
    figures = ev.evaluate()
    assert figures["messages"] >= 200 and figures["harmful"] >= 100 and figures["harmless"] >= 100
    assert figures["recall"] >= 0.98, figures["missed"]
    assert figures["precision"] >= 0.99 and figures["harmless_passed"] >= 0.99, figures["wrongly_refused"]


@pytest.mark.parametrize("how", ["spaced", "dotted", "dashed", "cyrillic", "glued", "zerowidth", "fullwidth"])
def test_split_glued_and_look_alike_slurs_are_refused(how):
    word = codecs.decode("snttbg", "rot13")
    with pytest.raises(RefusedError, match="sorry"):
        validate.message(f"hello {ev.disguise(word, how)} see you")


@pytest.mark.parametrize("text", [
    "I know where you live. I will kill you and your whole family tonight.",
    "Kill all immigrants", "Jews deserve to die", "I will k i l l you", "I'm g0nna hurt you",
])
def test_threats_and_calls_for_harm_are_refused_in_one_kind_line(text):
    with pytest.raises(RefusedError) as caught:
        validate.message(text)
    line = str(caught.value)
    assert "\n" not in line and line.startswith("sorry") and "kill" not in line


@pytest.mark.parametrize("text", [
    "I'd kill for your lasagna", "you killed it at the recital", "this song slaps", "you're the bomb",
    "break a leg", "you slay", "I will never hurt you", "I'll shoot you a text", "Привет, мама",
    "Immigrants are not vermin", "Pakistan, Japan, snigger, spicier, Scunthorpe",
])
def test_idioms_and_everyday_words_are_sung(text):
    assert validate.message(text) == text


def test_the_threat_rules_are_data_and_errors_name_the_file_and_key():
    table = json.loads(json.dumps(__import__("composer.data", fromlist=["load"]).load("rules", "guardrails")))
    table["threats"]["patterns"].append("{nosuchclass} you")
    with pytest.raises(GrammarError, match=re.escape("rules/guardrails.toml: key 'threats.patterns[")):
        g.check_guardrails(table)
    table["threats"]["patterns"].pop()
    table["threats"]["classes"]["harm"].append("I'll")
    with pytest.raises(GrammarError, match=re.escape("rules/guardrails.toml: key 'threats.classes.harm[")):
        g.check_guardrails(table)
