"""Exports keep everything (issue 13, item 6), read back from the files save_song writes.

Every chord change is in song.json, song.chordpro and song.musicxml alike;
chords and notes are spelled by letter (checked against music21's Roman
numerals); the MIDI lyric events follow RP-017 and karaoke readers get the
sung words back; MuseScore 3 imports the lead sheet of every mode and of a
swung song without an error or a warning; the lead sheet has one title.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import mido
import pytest

from composer.grammar import genre_ids
from composer.theory import MODES, chord_symbol, mode_info, parse_roman, pitch_class, spell, uses_flats
from composer.tools import export_checks as checks
from conftest import composed, example_messages

MESSAGE = ("Sis, you always know when to call. Thanks for picking up at midnight.", "Maya")
NUMERALS = ["I", "ii7", "iii", "IV", "V7", "vi", "viiø7", "bII7", "bIII", "bVI5", "bVII", "#IV", "#io7", "IVmaj7",
            "bVImaj7", "v", "iv6", "III+", "bIIImaj7"]


def _genre_case(genre: str) -> tuple[str, str, str, str, int]:
    """The example message of ``genre`` (as test_exports composes it, so the cached song is shared)."""
    examples = example_messages()
    example = next((e for e in examples if e["genre"] == genre), examples[1])
    return example["message"], example["to"], genre, example["vibe"], 3


def _saved(song, folder: Path) -> Path:
    song.save(folder, audio=False)
    return folder


def _m21_root(roman: str, tonic_name: str) -> str:
    """music21's root of a Roman numeral read in the major key of the tonic (as our numerals are)."""
    from music21 import key, roman as m21roman
    numeral = re.match(r"^[b#]?(VII|VI|V|IV|III|II|I|vii|vi|v|iv|iii|ii|i)", roman).group(0)
    figure = numeral.replace("b", "-", 1) if numeral.startswith("b") else numeral
    return m21roman.RomanNumeral(figure, key.Key(tonic_name.replace("b", "-"))).root().name.replace("-", "b")


# --- Every chord change ---------------------------------------------------------------------------


@pytest.mark.parametrize("genre", genre_ids())
def test_every_chord_change_is_in_chordpro_musicxml_and_json(genre, tmp_path):
    folder = _saved(composed(*_genre_case(genre)), tmp_path)
    info = json.loads((folder / "song.json").read_text(encoding="utf-8"))
    text = (folder / "song.chordpro").read_text(encoding="utf-8")
    root = ET.fromstring((folder / "song.musicxml").read_text(encoding="utf-8").split("\n", 2)[2])
    in_json = [c["symbol"] for c in sorted(info["chords"], key=lambda c: c["start_beat"])]
    harmonies = root.findall(".//harmony")
    assert checks.chordpro_changes(text) == in_json
    assert len(harmonies) == len(in_json)
    for harmony, symbol in zip(harmonies, in_json):
        alter = {"-1": "b", "1": "#", None: ""}[harmony.findtext("root/root-alter")]
        assert harmony.findtext("root/root-step") + alter + harmony.find("kind").get("text") == symbol


def test_a_chord_over_a_held_note_follows_its_syllable():
    song = composed(*_genre_case("jazz"))
    text = song.to_chordpro()
    held = [c for c in song.chords if c.section >= 0 and not any(n.start == c.start for n in song.vocal)
            and any(n.start < c.start < n.start + n.dur for n in song.vocal)]
    assert held, "the jazz song has no chord starting over a held note"
    lines = [line for line in text.splitlines() if not line.startswith("{")]
    assert any(re.search(r"[^\]\s]\[" + re.escape(c.symbol) + r"\]", line) for c in held for line in lines)


# --- Letter spelling ------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_every_numeral_is_spelled_by_letter_in_every_key(mode):
    for tonic in range(12):
        flats = uses_flats(tonic, mode)
        tonic_name = spell(tonic, flats=flats)
        for roman in NUMERALS:
            expected = _m21_root(roman, tonic_name)
            symbol = chord_symbol(parse_roman(roman), tonic=tonic, flats=flats)
            if "bb" in expected or "##" in expected:  # a double accidental: the plain name is written
                root = symbol[:2] if symbol[1:2] in ("b", "#") else symbol[:1]
                assert pitch_class(root) == pitch_class(expected), (roman, tonic_name, symbol, expected)
                continue
            assert symbol.startswith(expected) and symbol[len(expected):] == parse_roman(roman).suffix, \
                (roman, tonic_name, mode, symbol, expected)


@pytest.mark.parametrize("key, genre", [("D dorian", "folk"), ("G mixolydian", "folk"), ("F minor", "ballad"),
                                        ("C dorian", "hip-hop"), ("Eb major", "jazz"), ("Bb mixolydian", "folk")])
def test_songs_in_flat_and_modal_keys_spell_chords_and_notes_by_letter(key, genre):
    from music21 import converter, harmony, key as m21key, note
    from composer import compose
    song = compose(*MESSAGE[:1], to=MESSAGE[1], genre=genre, vibe="chill", seed=2, length="short", key=key)
    assert song.plan.key_name == key.split()[0]
    for chord in song.chords:
        assert chord.symbol.split("/")[0].startswith(_m21_root(chord.roman, song.plan.key_name)), chord
    # The lead sheet: every note of the mode is written as the key signature has it.
    score = converter.parse(song.to_musicxml(), format="musicxml")
    signature = score.flatten().getElementsByClass(m21key.KeySignature)[0]
    scale = {(song.plan.tonic + s) % 12 for s in mode_info(song.plan.mode).steps}
    symbols = [c.symbol for c in song.chords]
    read = [cs.root().name.replace("-", "b") for cs in score.flatten().getElementsByClass(harmony.ChordSymbol)]
    assert read == [s[:2] if s[1:2] in ("b", "#") else s[:1] for s in symbols]
    for n in score.flatten().getElementsByClass(note.Note):
        if n.pitch.pitchClass in scale:
            wanted = signature.accidentalByStep(n.pitch.step)
            assert (n.pitch.accidental.alter if n.pitch.accidental else 0) == (wanted.alter if wanted else 0), n


# --- RP-017 lyric events and karaoke words --------------------------------------------------------


@pytest.mark.parametrize("genre", genre_ids()[::3])
def test_midi_lyric_events_follow_rp017_and_players_show_words(genre, tmp_path):
    song = composed(*_genre_case(genre))
    folder = _saved(song, tmp_path)
    info = json.loads((folder / "song.json").read_text(encoding="utf-8"))
    words = checks.sung_words(info)
    assert len(words) > 10
    vocal = next(t for t in mido.MidiFile(folder / "song.mid").tracks if t.name == "Vocal")
    texts = [m.text for m in vocal if m.type == "lyrics"]
    assert all(t.endswith(("-", " ")) and not t.endswith(("- ", "  ")) for t in texts)
    assert [t[:-1] for t in texts] == [n.onset.syllable for n in sorted(song.vocal, key=lambda n: n.start)]
    assert checks.player_words(texts) == words  # what a player joining the events shows
    kar = mido.MidiFile(folder / "song.kar")
    lines = [m.text for m in next(t for t in kar.tracks if t.name == "Words")
             if m.type == "text" and not m.text.startswith("@")]
    assert checks.kar_words(lines) == words
    assert not any(m.type == "lyrics" for t in kar.tracks for m in t)  # the words are shown once


# --- One title ------------------------------------------------------------------------------------


def test_the_lead_sheet_has_one_title():
    song = composed(*_genre_case("pop"))
    facts = checks.musicxml_facts(song.to_musicxml())
    assert facts["titles"] == [song.title]


# --- MuseScore 3 ----------------------------------------------------------------------------------


def _lead_sheets() -> list[tuple[str, str, str]]:
    """(name, genre, key) per mode, and a swung song."""
    cases = [(mode, "folk", f"{'D' if mode != 'mixolydian' else 'G'} {mode}") for mode in MODES]
    return cases + [("swing", "jazz", "")]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("mscore3") is None and shutil.which("musescore3") is None,
                    reason="MuseScore 3 (Debian package musescore3) is not installed; `make setup` installs it")
@pytest.mark.parametrize("name, genre, key", _lead_sheets(), ids=[c[0] for c in _lead_sheets()])
def test_musescore_imports_every_mode_and_swing_cleanly(name, genre, key, tmp_path):
    from composer import compose
    song = compose(*MESSAGE[:1], to=MESSAGE[1], genre=genre, vibe="chill", seed=1, length="short", key=key or None)
    assert (song.plan.swing > 0) if name == "swing" else song.plan.mode == name
    source = tmp_path / "song.musicxml"
    source.write_text(song.to_musicxml(), encoding="utf-8")
    log = checks.musescore_log(source, tmp_path)
    assert checks.musescore_problems(log) == [], log
    pdf = (tmp_path / "song.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000


# --- The tables, checked when read ----------------------------------------------------------------


@pytest.mark.parametrize("module, name, edit, named", [
    ("composer.theory", "theory", lambda t: t["modes"]["dorian"].pop("family"), "modes.dorian.family"),
    ("composer.theory", "theory", lambda t: t["tempo"].pop("highest"), "tempo.highest"),
    ("composer.theory", "theory", lambda t: t["tails"]["m7"].update(kind="minor-7th"), 'tails."m7".kind'),
    ("composer.theory", "theory", lambda t: t["numerals"].update({"7": ["7", "min7"]}), 'numerals."7"'),
    ("composer.theory", "theory", lambda t: t["modes"]["minor"].update(relative_major=4), "modes.minor.relative_major"),
    ("composer.audio_formats", "audio", lambda t: t["formats"]["mp3"].pop("subtype"), "formats.mp3.subtype"),
], ids=["family", "tempo", "kind", "numeral", "relative", "audio"])
def test_a_wrong_table_is_a_clear_error_naming_file_and_key(module, name, edit, named, monkeypatch):
    import copy
    import importlib
    from composer import data
    from composer.errors import GrammarError
    loader = importlib.import_module(module)  # imported (and its table read) before the table is spoiled
    table = copy.deepcopy(data.load("rules", name))
    edit(table)
    real = data.load
    monkeypatch.setattr(data, "load", lambda folder, file: table if (folder, file) == ("rules", name)
                        else real(folder, file))
    tables = loader._tables if name == "theory" else loader._formats
    tables.cache_clear()
    try:
        with pytest.raises(GrammarError, match=re.escape(f"rules/{name}.toml") + r".*" + re.escape(named)):
            tables()
    finally:
        tables.cache_clear()


def test_harmony_rules_lacking_a_mode_fail_on_first_use_naming_it(monkeypatch):
    import copy
    from composer import data, harmonise
    from composer.errors import GrammarError
    table = copy.deepcopy(data.load("rules", "harmony"))
    del table["modes"]["mixolydian"]
    real = data.load
    monkeypatch.setattr(data, "load", lambda folder, file: table if (folder, file) == ("rules", "harmony")
                        else real(folder, file))
    harmonise._all_mode_rules.cache_clear()
    try:
        with pytest.raises(GrammarError, match=r"rules/harmony\.toml.*modes\.mixolydian"):
            harmonise._mode_rules("major")  # a major song finds the missing mixolydian table
    finally:
        harmonise._all_mode_rules.cache_clear()
