"""Any input, a clean result: validation at the edges, guardrails, exit codes.

The command is driven through click's CliRunner; the API through compose().
Slurs are never written in this file: they are read from
rules/guardrails.toml (ROT13-encoded there) and decoded at test time.
"""

from __future__ import annotations

import codecs
import doctest
import getpass
import json
import pickle
import re
import socket
from pathlib import Path

import mido
import pytest

import cli
from cli import main
from composer import (GrammarError, InputError, OutputError, RefusedError, RenderError, compose,
                      genre_ids, output, validate, vibe_ids)

BASE = ["--to", "Mom", "--genre", "pop", "--vibe", "chill", "--seed", "3", "--no-audio"]
SONG_FILES = {"song.mid", "song.json", "lyrics.txt", "song.musicxml", "song.chordpro"}


def run(runner, *args: str, out: Path | None = None, input: str | None = None):
    extra = ["--out", str(out)] if out is not None else []
    return runner.invoke(main, ["compose", *args, *extra], input=input)


def one_clean_line(result) -> str:
    """The error output: exactly one line, no traceback."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def slurs() -> list[str]:
    return sorted(validate.guardrails().refuse_words)


def test_doctests_of_the_edge_modules_pass():
    for module in (validate, output):
        assert doctest.testmod(module).failed == 0


# ------------------------------------------------------------------ refused at the edge

REFUSED = [  # (id, arguments, exit code, a fragment of the one line)
    ("empty", ["", *BASE], 1, "empty"),
    ("whitespace", [" \n\t  ", *BASE], 1, "empty"),
    ("punctuation", ["?!... ,;", *BASE], 1, "only punctuation"),
    ("ansi-only", ["\x1b[31m\x1b[0m\x07", *BASE], 1, "empty"),
    ("too-many-chars", ["a" * (validate.MAX_MESSAGE_CHARS + 1), *BASE], 1,
     f"at most {validate.MAX_MESSAGE_CHARS} characters, got {validate.MAX_MESSAGE_CHARS + 1}"),
    ("too-many-words", ["la " * (validate.MAX_MESSAGE_WORDS + 1), *BASE], 1,
     f"at most {validate.MAX_MESSAGE_WORDS} words, got {validate.MAX_MESSAGE_WORDS + 1}"),
    ("only-other-scripts", ["世界 Привет مرحبا", *BASE], 1, "Latin letters"),
    ("genre", ["hi", "--to", "Mom", "--genre", "popp", "--vibe", "chill"], 2,
     "unknown genre 'popp'; did you mean 'pop'? choose one of: " + ", ".join(genre_ids())),
    ("vibe", ["hi", "--to", "Mom", "--genre", "pop", "--vibe", "chil"], 2, "did you mean 'chill'?"),
    ("vibe-far", ["hi", "--to", "Mom", "--genre", "pop", "--vibe", "zzz"], 2,
     "unknown vibe 'zzz'; choose one of: " + ", ".join(vibe_ids())),
    ("seed-negative", ["hi", *BASE[:-3], "--seed", "-1"], 2, "seed must be an integer 0..4294967295, got '-1'"),
    ("seed-float", ["hi", *BASE[:-3], "--seed", "1.5"], 2, "got '1.5'"),
    ("seed-huge", ["hi", *BASE[:-3], "--seed", str(2**32)], 2, f"got '{2**32}'"),
    ("seed-word", ["hi", *BASE[:-3], "--seed", "seven"], 2, "got 'seven'"),
    ("key-H", ["hi", *BASE, "--key", "H"], 2, "got 'H'"),
    ("key-double-sharp", ["hi", *BASE, "--key", "C##m"], 2, "at most one sharp or flat"),
    ("key-Q-dorian", ["hi", *BASE, "--key", "Q dorian"], 2, "got 'Q dorian'"),
    ("key-mode", ["hi", *BASE, "--key", "D lydian"], 2, "got 'D lydian'"),
    ("tempo-low", ["hi", *BASE, "--tempo", "39"], 2, "tempo must be a whole number of BPM 40..220, got '39'"),
    ("tempo-high", ["hi", *BASE, "--tempo", "221"], 2, "got '221'"),
    ("tempo-float", ["hi", *BASE, "--tempo", "120.5"], 2, "got '120.5'"),
    ("to-empty", ["hi", *BASE[2:], "--to", "  "], 2, "--to) must be 1..40 characters"),
    ("to-long", ["hi", *BASE[2:], "--to", "x" * 41], 2, "at most 40 characters, got 41"),
    ("from-long", ["hi", *BASE, "--from", "y" * 41], 2, "(--from) must be at most 40 characters, got 41"),
    ("to-missing", ["hi", *BASE[2:]], 2, "Missing option '--to'"),
    ("length", ["hi", *BASE, "--length", "shrt"], 2, "did you mean 'short'?"),
    ("unknown-option", ["hi", *BASE, "--bogus"], 2, "No such option"),
    ("to-slur", ["hi", *BASE[2:], "--to", max(validate.guardrails().refuse_words)], 1, "recipient's name"),
    ("from-slur", ["hi", *BASE, "--from", min(validate.guardrails().refuse_words).upper()], 1, "sender's name"),
]


@pytest.mark.parametrize("args, code, fragment", [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_bad_input_gets_one_clear_line_and_its_exit_code(runner, tmp_path, args, code, fragment):
    out = tmp_path / "song"
    result = run(runner, *args, out=out)
    assert result.exit_code == code, result.output
    assert fragment in one_clean_line(result)
    assert not out.exists()


def test_the_api_refuses_with_input_errors_naming_field_range_and_value():
    cases = [
        (dict(seed=-1), "seed must be an integer 0..4294967295, got -1"),
        (dict(seed=True), "got True"),
        (dict(seed="7"), None),
        (dict(tempo=400), "tempo must be a whole number of BPM 40..220, got 400"),
        (dict(key="C##"), "got 'C##'"),
        (dict(genre="Pop"), None),  # case and spaces are forgiven
        (dict(genre="polka"), "unknown genre 'polka'"),
        (dict(length="long"), "unknown length 'long'"),
        (dict(to=42), "must be text (str), got int"),
    ]
    for options, fragment in cases:
        if fragment is None:
            compose("Thank you", **{"to": "Mom", **options})
            continue
        with pytest.raises(InputError, match=re.escape(fragment)):
            compose("Thank you", **{"to": "Mom", **options})
    with pytest.raises(InputError, match="must be text"):
        compose(b"bytes", to="Mom")  # type: ignore[arg-type]


def test_help_quotes_the_limits_and_the_exit_codes(runner):
    text = runner.invoke(main, ["compose", "--help"]).output
    for fragment in (f"at most {validate.MAX_MESSAGE_CHARS} characters and {validate.MAX_MESSAGE_WORDS} words",
                     f"at most {validate.MAX_NAME_CHARS} characters", "0..4294967295", "40..220 BPM",
                     "Exit codes", "130"):
        assert fragment in text
    assert re.search(r"^\s+2\s+the command line is wrong", runner.invoke(main, ["--help"]).output, re.M)


# ------------------------------------------------------------------ exit codes for every failure


@pytest.mark.parametrize("error, code", [
    (InputError("the message is empty"), 1), (RefusedError("sorry"), 1),
    (GrammarError("grammars/pop.toml: missing key 'tempo.range' (expected list)"), 3),
    (RenderError("SoundFont not found: x.sf2"), 4), (OutputError("cannot write to x"), 5),
    (RuntimeError("boom"), 70), (KeyboardInterrupt(), 130),
], ids=["input", "refused", "grammar", "render", "output", "internal", "interrupted"])
def test_every_failure_maps_to_one_line_and_its_exit_code(runner, tmp_path, monkeypatch, error, code):
    def broken(*_args, **_kwargs):
        raise error
    monkeypatch.setattr(cli, "compose", broken)
    result = run(runner, "hi", *BASE, out=tmp_path / "x")
    assert result.exit_code == code
    line = one_clean_line(result)
    assert line.startswith("songgram: ")
    debug = run(runner, "hi", *BASE, "--debug", out=tmp_path / "x")
    assert debug.exit_code == code and "Traceback" in debug.stderr
    assert not (tmp_path / "x").exists()


def test_an_out_that_is_a_file_or_under_a_file_or_unwritable(runner, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("mine")
    for out, fragment in ((afile, "is a file, not a folder"), (afile / "sub", "afile is a file, not a folder"),
                          (Path("/proc/songgram-test/x"), "cannot write to /proc/songgram-test/x")):
        result = run(runner, "hi", *BASE, out=out)
        assert result.exit_code == 5, result.output
        assert fragment in one_clean_line(result)
    assert afile.read_text() == "mine"


@pytest.mark.parametrize("font", ["missing.sf2", "broken.sf2", "truncated.sf2", "notes.txt"])
def test_a_missing_or_corrupt_soundfont_is_one_line_exit_4_and_nothing_written(runner, tmp_path, font):
    (tmp_path / "broken.sf2").write_bytes(b"this is not a soundfont at all")
    (tmp_path / "truncated.sf2").write_bytes(b"RIFF" + (10_000).to_bytes(4, "little") + b"sfbk" + b"\0" * 100)
    (tmp_path / "notes.txt").write_text("hello")
    out = tmp_path / "song"
    result = run(runner, "hi", *BASE[:-1], "--soundfont", str(tmp_path / font), out=out)
    assert result.exit_code == 4, result.output
    assert "SoundFont" in one_clean_line(result)
    assert not out.exists()


# ------------------------------------------------------------------ odd but valid input

ODD = [  # (id, message, a word that must be sung or None)
    ("emoji-accents", "Zoë, café con José 🎂🎉 ❤️ merci beaucoup!", "café"),
    ("mixed-scripts", "Hello 世界, Привет, I love you 💕", "Hello"),
    ("control-ansi", "\x1b[1;31mThank\x1b[0m you\x00 for\x07 every\u202e thing\u200b", "Thank"),
    ("html", "<b>Happy</b> <i>birthday</i>!<br>See you <script>alert(1)</script> soon &amp; always", "Happy"),
    ("sql", "Robert'); DROP TABLE students;-- you are the best", "DROP"),
    ("long-word", "Pneumonoultramicroscopicsilicovolcanoconiosis " * 3 + "is a word for you", None),
    ("digits-symbols", "Call me at 555-1234 #1 @home 100% $50 & 3/4 ~~ ^_^", None),
    ("all-caps", "I LOVE YOU SO MUCH, THANK YOU FOR EVERYTHING", "LOVE"),
    ("repeated", "love " * 40, "love"),
    ("letter", "Dear Mom,\n\nThank you for the soup.\nI miss you.\n\nLove,\nAnna", "soup"),
    ("windows-lines", "Dear Dad,\r\nyou taught me to ride a bike.\r\nLove, Sam\r\n", "bike"),
    ("at-the-limit", ("la " * validate.MAX_MESSAGE_WORDS).strip(), "la"),
]


@pytest.mark.parametrize("message, sung", [o[1:] for o in ODD], ids=[o[0] for o in ODD])
def test_odd_but_valid_messages_compose(message, sung):
    song = compose(message, to="Mom", genre="pop", vibe="upbeat", seed=1, length="short")
    words = {n.onset.word for n in song.vocal}
    if sung is not None:
        assert sung in words or sung in song.to_lyrics_text()
    document = song.to_json()
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202e\u200b]", json.loads(document)["input"]["message"])
    mido.MidiFile(file=__import__("io").BytesIO(song.to_midi()))


def test_names_with_slashes_and_dots_never_become_paths(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("../../etc", "/etc/passwd", "a/b\\c..d", "..", "~root", "世界"):
        result = runner.invoke(main, ["compose", "Thank you", "--to", name, "--genre", "pop", "--vibe", "chill",
                                      "--seed", "1", "--no-audio"])
        assert result.exit_code == 0, result.output
    made = [p for p in tmp_path.rglob("*") if p.is_dir() and not p.name.startswith(".")]
    assert {p.parent for p in made} <= {tmp_path, tmp_path / "songs"}
    assert all(re.fullmatch(r"[a-z0-9-]+", p.name) for p in made if p.parent.name == "songs")
    assert sorted(p.name for p in (tmp_path / "songs").iterdir()) == [
        "a-b-c-d-pop-1", "etc-passwd-pop-1", "etc-pop-1", "root-pop-1", "shi-jie-pop-1", "song-pop-1"]


# ------------------------------------------------------------------ guardrails


def leet(word: str) -> str:
    return word.replace("i", "1").replace("a", "@").replace("e", "3").replace("s", "$")


@pytest.mark.parametrize("options, field, value", [
    (dict(message=""), "message", ""),
    (dict(message=" ?!... "), "message", " ?!... "),
    (dict(message="word " * 101), "message", "word " * 101),
    (dict(message=b"bytes"), "message", b"bytes"),
    (dict(to=42), "to", 42),
    (dict(to="x" * 41), "to", "x" * 41),
    (dict(sender="y" * 41), "sender", "y" * 41),
    (dict(genre="polka"), "genre", "polka"),
    (dict(vibe=3), "vibe", 3),
    (dict(seed=-1), "seed", -1),
    (dict(seed=True), "seed", True),
    (dict(key="C##"), "key", "C##"),
    (dict(key="H"), "key", "H"),
    (dict(tempo=400), "tempo", 400),
    (dict(length="long"), "length", "long"),
], ids=lambda v: v if isinstance(v, str) and len(v) < 12 else None)
def test_input_errors_carry_the_field_and_the_value_as_given(options, field, value):
    arguments = {"message": "Thank you", "to": "Mom", **options}
    with pytest.raises(InputError) as caught:
        compose(arguments.pop("message"), **arguments)
    assert (caught.value.field, caught.value.value) == (field, value)
    assert str(caught.value)  # the one-line message is unchanged beside them
    again = pickle.loads(pickle.dumps(caught.value))  # a batch worker's error crosses processes intact
    assert (type(again), again.field, again.value, str(again)) == (type(caught.value), field, value,
                                                                   str(caught.value))


def test_a_refusal_names_the_field_it_refused():
    with pytest.raises(RefusedError) as caught:
        compose("see you soon", to=slurs()[0].title(), seed=1)
    assert caught.value.field == "to" and caught.value.value == slurs()[0].title()
    with pytest.raises(RefusedError) as caught:
        compose(f"hey you {slurs()[0]}, see you soon", to="Sam", seed=1)
    assert caught.value.field == "message"


def test_an_unknown_voice_is_an_input_error_on_the_voice_field(tmp_path):
    song = compose("Thank you", to="Mom", seed=1, length="short")
    with pytest.raises(InputError) as caught:
        song.save(tmp_path / "s", voice="nobody")
    assert (caught.value.field, caught.value.value) == ("voice", "nobody")
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("disguise", [
    str.upper, str.capitalize, leet, lambda w: w[0] + "\u0301" + w[1:],
    lambda w: w[0] + w[1] * 4 + w[2:], lambda w: w[0] + "\u200b" + w[1:],
], ids=["caps", "capitalised", "leet", "accent", "stretched", "zero-width"])
def test_slurs_are_refused_kindly_in_any_disguise(disguise):
    for word in slurs():
        with pytest.raises(RefusedError) as caught:
            compose(f"hey you {disguise(word)}, see you soon", to="Sam", seed=1)
        assert word not in str(caught.value).lower() and "sorry" in str(caught.value)
    with pytest.raises(RefusedError, match="recipient's name"):
        compose("see you soon", to=slurs()[0].title(), seed=1)


def test_hate_phrases_are_refused_and_the_cli_exits_1(runner, tmp_path):
    for phrase in validate.guardrails().refuse_phrases:
        with pytest.raises(RefusedError):
            validate.message("well " + "  ".join(phrase).upper() + "!")
    result = run(runner, "you " + slurs()[-1], *BASE, out=tmp_path / "x")
    assert result.exit_code == 1 and "sorry" in one_clean_line(result)


def test_innocent_words_that_contain_listed_words_are_sung():
    text = "Classy assassin in Scunthorpe, shell hello Japan Pakistan spice snigger retardant Dickens cocktail"
    assert validate.message(text) == text


def test_profanity_is_masked_before_anything_is_sung():
    song = compose("Damn, I MISS YOU. This sh1t is hard, wtf! Love you, you badass", to="FUCK face",
                   sender="Hell raiser", seed=4, length="short")
    written = song.to_json() + song.to_lyrics_text() + song.to_chordpro() + song.to_musicxml()
    written += song.to_midi().decode("latin-1")
    for word in ("damn", "shit", "sh1t", "wtf", "badass", "fuck", "hell"):
        assert not re.search(rf"\b{word}\b", written, re.IGNORECASE), word
    assert json.loads(song.to_json())["input"] == {
        "message": "Darn, I MISS YOU. This shoot is hard, what the heck! Love you, you rockstar",
        "to": "FUDGE face", "from": "Heck raiser", "genre": "pop", "vibe": "heartfelt"}


def test_the_profanity_policy_can_be_refuse(monkeypatch):
    table = __import__("composer.data", fromlist=["load"]).load("rules", "guardrails")
    strict = validate.check_guardrails({**table, "profanity": {**table["profanity"], "action": "refuse"}})
    monkeypatch.setattr(__import__("composer.guardrails", fromlist=["guardrails"]), "guardrails", lambda: strict)
    with pytest.raises(RefusedError, match="contains profanity"):
        compose("damn it", to="Mom")
    assert validate.message("darn it") == "darn it"


@pytest.mark.parametrize("change, key", [
    (lambda t: t["refuse"].pop("words"), "missing key 'refuse.words'"),
    (lambda t: t["refuse"].update(words=["Not Rot13!"]), "key 'refuse.words[0]'"),
    (lambda t: t["refuse"].update(words=["gjb jbeqf"]), "key 'refuse.words[0]' must be one word"),
    (lambda t: t["refuse"].update(message="hi {name}"), "key 'refuse.message'"),
    (lambda t: t["profanity"].update(action="bleep"), "key 'profanity.action'"),
    (lambda t: t["profanity"]["masks"].update({"Darn": "x"}), "key 'profanity.masks.Darn'"),
    (lambda t: t["profanity"]["masks"].update(zonk="damn"), "key 'profanity.masks.zonk'"),
    (lambda t: t["leet"]["always"].update({"8": "B"}), "key 'leet.always.8'"),
], ids=["missing", "not-rot13", "phrase-in-words", "placeholder", "action", "mask-key", "mask-loop", "leet"])
def test_a_broken_guardrails_file_names_the_file_and_the_key(change, key):
    table = json.loads(json.dumps(__import__("composer.data", fromlist=["load"]).load("rules", "guardrails")))
    change(table)
    with pytest.raises(GrammarError, match=re.escape(f"rules/guardrails.toml: {key}")):
        validate.check_guardrails(table)


def test_the_guardrails_file_decodes_to_lower_case_words():
    raw = Path(__file__).resolve().parent.parent / "rules" / "guardrails.toml"
    assert "ROT13" in raw.read_text()
    for word in slurs():
        assert codecs.encode(word, "rot13") in raw.read_text()  # stored encoded...
        assert not re.search(rf"\b{word}\b", raw.read_text())  # ...and never in the clear


def test_nothing_personal_beyond_the_input_is_written(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("USER", "zqxuserzqx")
    monkeypatch.setenv("LOGNAME", "zqxuserzqx")
    monkeypatch.setenv("HOME", str(tmp_path / "zqxhomezqx"))
    monkeypatch.setattr(socket, "gethostname", lambda: "zqxhostzqx")
    out = tmp_path / "zqxfolderzqx"
    result = run(runner, "Thank you for the ride, friend.", *BASE, out=out)
    assert result.exit_code == 0, result.output
    private = ["zqxuserzqx", "zqxhomezqx", "zqxhostzqx", "zqxfolderzqx", str(tmp_path), str(Path.cwd()),
               getpass.getuser() if len(getpass.getuser()) > 4 else "zqx-none"]
    for path in out.iterdir():
        text = path.read_bytes().decode("utf-8", errors="replace")
        for secret in private:
            assert secret not in text, (path.name, secret)
        assert not re.search(r"\b20\d\d-\d\d-\d\d\b|\b\d\d:\d\d:\d\d\b", text), path.name
    document = json.loads((out / "song.json").read_text())
    assert document["input"] == {"message": "Thank you for the ride, friend.", "to": "Mom", "from": "",
                                 "genre": "pop", "vibe": "chill"}
