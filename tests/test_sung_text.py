"""Text that sings right (issue 12, item 5): numbers, emoji, names in other scripts, titles.

The end-to-end cases compose a short song and read the sung words back from
song.mid's lyric events with mido (scripts/sung_text.py joins the syllables).
"""

from __future__ import annotations

import io
import json
import sys
import tomllib
from pathlib import Path

import jsonschema
import mido
import pytest

from composer.analyse import analyse
from composer.analyse.normalise import normalise
from composer.analyse.numerals import spell_numbers
from composer.analyse.pictographs import check_readings
from composer.analyse.pronounce import is_latin_letter
from composer.analyse.romanise import check_romanised, romanise
from composer.data import load
from composer.errors import GrammarError
from composer.export.songjson import schema, song_to_dict
from composer.tools.sung_text import midi_words  # the tool's reader, so the README table and these tests agree
from conftest import composed

NUMBERS = [
    ("1.5M", "one point five million"),
    ("100k", "one hundred thousand"),
    ("2bn", "two billion"),
    ("$1.5M", "one point five million dollars"),
    ("1/2", "half"),
    ("1/3", "a third"),
    ("3/4", "three quarters"),
    ("2/3", "two thirds"),
    ("1 1/2", "one and a half"),
    ("24/7", "twenty-four seven"),
    ("50/50", "fifty fifty"),
    ("9/11", "nine eleven"),
    ("2am", "two A M"),
    ("11:30 pm", "eleven thirty P M"),
    ("$20", "twenty dollars"),
    ("$1", "one dollar"),
    ("$5.5", "five dollars fifty"),
    ("$0.99", "ninety-nine cents"),
    ("£2.50", "two pounds fifty"),
    ("50%", "fifty percent"),
    ("2.5%", "two point five percent"),
    ("3.05", "three point zero five"),
    ("1st", "first"),
    ("22nd", "twenty-second"),
    ("101st", "one hundred first"),
    ("1999", "nineteen ninety-nine"),
    ("2005", "two thousand five"),
    ("1905", "nineteen oh five"),
    ("2026", "twenty twenty-six"),
    ("105", "one hundred five"),
    ("1,234,567", "one million two hundred thirty-four thousand five hundred sixty-seven"),
    ("10x", "ten times"),
    ("5551234567", "five five five one two three four five six seven"),
]


@pytest.mark.parametrize("written, sung", NUMBERS, ids=[w for w, _ in NUMBERS])
def test_numbers_are_spelled_for_singing(written: str, sung: str) -> None:
    assert spell_numbers(written) == sung


NORMALISED = [
    ("one and a half", "1½ hours", "one and a half hours"),
    ("plus", "20+ years", "twenty plus years"),
    ("half sign", "½ the fun", "half the fun"),
]


@pytest.mark.parametrize("raw, clean", [(r, c) for _, r, c in NORMALISED], ids=[i for i, _, _ in NORMALISED])
def test_numbers_in_messages(raw: str, clean: str) -> None:
    assert normalise(raw) == clean


EMOJI = [
    ("party at the end", "Happy birthday 🎉", "Happy birthday"),
    ("party before punctuation", "Happy birthday 🎉!", "Happy birthday!"),
    ("a run at the end", "Happy birthday Lola 🎂🎉🎈", "Happy birthday Lola"),
    ("after a sentence", "Happy birthday! 🎉🎂", "Happy birthday!"),
    ("as a full stop", "Happy birthday 🎉 You make us smile", "Happy birthday. You make us smile"),
    ("at the start", "🎉 Congrats Maya!", "Congrats Maya!"),
    ("hearts at the end", "I love you ❤️❤️❤️", "I love you"),
    ("emoticon at the end", "I love you <3", "I love you"),
    ("inside", "I ❤️ you", "I love you"),
    ("emoticon inside", "I <3 you", "I love you"),
    ("noun slot", "Hugs to my 🐶", "Hugs to my puppy"),
    ("noun slot inside", "my 🐶 misses you", "my puppy misses you"),
    ("standalone", "Good luck tomorrow 🤞", "Good luck tomorrow, fingers crossed"),
    ("standalone already said", "Thank you so much 🙏", "Thank you so much"),
    ("standalone alone", "Congrats! 👏", "Congrats! Bravo"),
    ("library name", "I want a 🦄 for my birthday", "I want a unicorn for my birthday"),
    ("library face dropped", "So proud of you 🥹 really", "So proud of you really"),
    ("flag dropped", "Go 🇵🇭 team", "Go team"),
    ("only emoji", "🎂🎉", "birthday party"),
    ("only an emoticon", "<3 <3", "love love"),
]


@pytest.mark.parametrize("raw, clean", [(r, c) for _, r, c in EMOJI], ids=[i for i, _, _ in EMOJI])
def test_emoji_stand_for_words_but_never_dangle(raw: str, clean: str) -> None:
    assert normalise(raw) == clean


NAMES = [  # (name as given, sung, title)
    ("李华", "Li Hua", "A song for 李华"),
    ("王小明", "Wang Xiao Ming", "A song for 王小明"),
    ("Дмитрий", "Dmitriy", "A song for Дмитрий"),
    ("محمد", "Muhammad", "A song for محمد"),
    ("יוסף", "Yosef", "A song for יוסף"),
    ("प्रिया", "Priya", "A song for प्रिया"),
    ("김민준", "Gim Min Jun", "A song for 김민준"),
    ("Γιώργος", "Giorgos", "A song for Γιώργος"),
    ("Lola 李华", "Lola Li Hua", "A song for Lola 李华"),
    ("Zoë", "Zoë", "A song for Zoë"),
    ("Dr. Lee", "Doctor Lee", "A song for Dr. Lee"),
    ("Mr. Brooks", "Mister Brooks", "A song for Mr. Brooks"),
]


@pytest.mark.parametrize("given, sung, title", NAMES, ids=[n for n, _, _ in NAMES])
def test_names_are_sung_romanised_and_titled_as_given(given: str, sung: str, title: str) -> None:
    import numpy as np

    from composer.write import write

    a = analyse("Happy birthday!", recipient=given)
    assert (a.recipient, a.given_to) == (sung, given)
    assert write(a, length="short", rng=np.random.default_rng(1)).title == title


def test_romanise_leaves_latin_text_alone() -> None:
    assert romanise("José, Zoë & Łucja") == "José, Zoë & Łucja"


# -- read back from song.mid ---------------------------------------------------

SUNG = [  # (case, message, to, words sung in a row, words never sung in a row)
    ("1.5M", "You make 1.5M people smile.", "Maya", "one point five million people", "one five m"),
    ("1/2", "You are my better 1/2.", "Maya", "my better half", "one two"),
    ("3/4", "We ate 3/4 of the cake.", "Maya", "ate three quarters of", "three four"),
    ("24/7", "I am here for you 24/7.", "Maya", "for you twenty four seven", ""),
    ("2am", "Thanks for the call at 2am.", "Maya", "at two A M", ""),
    ("emoji at line end", "Happy birthday 🎉", "Maya", "happy birthday", "birthday party"),
    ("emoji as a full stop", "Happy birthday 🎉 You make us smile", "Maya", "you make us smile", "birthday party"),
    ("emoji inside", "I ❤️ you so much", "Maya", "I love you so much", ""),
    ("李华", "Happy birthday, my friend!", "李华", "li hua", ""),
    ("Dr. Lee", "Thank you for everything.", "Dr. Lee", "doctor lee", ""),
]


def _contains(words: list[str], phrase: str) -> bool:
    target = phrase.lower().split()
    low = [w.strip().lower() for w in words]
    return any(low[i : i + len(target)] == target for i in range(len(low) - len(target) + 1))


@pytest.mark.parametrize(
    "message, to, sung, never", [c[1:] for c in SUNG], ids=[c[0] for c in SUNG]
)
def test_sung_words_read_back_from_song_mid(message: str, to: str, sung: str, never: str) -> None:
    song = composed(message, to, "pop", "upbeat", 1, "short")
    _title, words = midi_words(song.to_midi())
    assert _contains(words, sung), words
    if never:
        assert not _contains(words, never), words
    assert all(w and all(is_latin_letter(ch) or not ch.isalpha() for ch in w) for w in words)


@pytest.mark.parametrize("to, title, midi_title", [
    ("李华", "A song for 李华", "A song for Li Hua"),
    ("Dr. Lee", "A song for Dr. Lee", "A song for Dr. Lee"),
    ("Дмитрий", "A song for Дмитрий", "A song for Dmitriy"),
], ids=["chinese", "title abbreviation", "cyrillic"])
def test_title_keeps_the_name_as_given(to: str, title: str, midi_title: str) -> None:
    song = composed("Happy birthday, my friend!", to, "pop", "upbeat", 1, "short")
    data = json.loads(json.dumps(song_to_dict(song), ensure_ascii=False))
    jsonschema.validate(data, schema())
    assert (song.title, data["title"], data["input"]["to"]) == (title, title, to)
    mid = mido.MidiFile(file=io.BytesIO(song.to_midi()))
    assert next(m.name for m in mid.tracks[0] if m.type == "track_name") == midi_title


# -- the rule tables are validated when loaded ------------------------------------


def _toml(tmp_path: Path, name: str, text: str) -> tuple[dict, str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return tomllib.loads(text), str(path)


BAD_EMOJI = [
    ("library words", '[emoji]\n[emoticons]\n[library]\nmax_words = 9\nflags = false\nskip_words = []\n',
     r"key 'library\.max_words' must be 0\.\.5"),
    ("library flags", '[emoji]\n[emoticons]\n[library]\nmax_words = 2\nflags = "no"\nskip_words = []\n',
     r"key 'library\.flags' must be bool"),
    ("standalone not text", '[emoji]\n[emoticons]\n[standalone]\n"🙏" = 1\n',
     r"key 'standalone\.🙏' must be str"),
    ("standalone selector", '[emoji]\n[emoticons]\n[standalone]\n"❤\ufe0f" = "love"\n',
     "without variation selectors"),
    ("read_after", '[emoji]\n[emoticons]\n[placement]\nread_after = ["My"]\n',
     r"key 'placement\.read_after\[0\]' must be lower-case"),
]


@pytest.mark.parametrize("text, error", [(t, e) for _, t, e in BAD_EMOJI], ids=[i for i, _, _ in BAD_EMOJI])
def test_broken_emoji_rules_name_file_and_key(tmp_path: Path, text: str, error: str) -> None:
    table, where = _toml(tmp_path, "emoji.toml", text)
    with pytest.raises(GrammarError, match=error) as err:
        check_readings(table, load("rules", "words"), where=where, words_where="rules/words.toml")
    assert where in str(err.value)


@pytest.mark.parametrize("text, error", [
    ('[romanised]\n"Ali" = "Ali"\n', r"key 'romanised\.Ali' must be one word of a non-Latin script"),
    ('[romanised]\n"علي" = "ali 2"\n', r"key 'romanised\.علي' must be Latin words"),
], ids=["latin key", "bad value"])
def test_broken_romanisation_names_file_and_key(tmp_path: Path, text: str, error: str) -> None:
    table, where = _toml(tmp_path, "pronunciation.toml", text)
    with pytest.raises(GrammarError, match=error) as err:
        check_romanised(table, where=where)
    assert where in str(err.value)


def test_shipped_text_rules_are_valid() -> None:
    readings = check_readings(load("rules", "emoji"), load("rules", "words"), where="e", words_where="w")
    assert readings.library_words and readings.standalone and readings.read_after
    assert len(check_romanised(load("rules", "pronunciation"), where="p")) >= 40


def test_the_text_libraries_load_only_when_a_message_needs_them() -> None:
    """num2words, emoji and anyascii cost 10-100 ms to import: a plain message never pays it."""
    import subprocess

    code = (
        "import sys\nfrom composer.analyse import analyse\n"
        "analyse('Mom, thank you for always cooking for us. I love you.', recipient='Mom')\n"
        "print(*sorted(m for m in ('num2words', 'emoji', 'anyascii') if m in sys.modules))\n"
        "analyse('2 hugs and a 🦄 for you', recipient='李华')\n"
        "print(*sorted(m for m in ('num2words', 'emoji', 'anyascii') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["", "anyascii emoji num2words"]
