"""Property tests: any message and any options either compose sound files or are refused cleanly.

A short, derandomized hypothesis campaign for `make test`; `make fuzz` runs the
long one (scripts/fuzz.py, whose checks these tests share). A composed case
must export MIDI that reads back with mido, notes inside each part's sensible
range, and one lyric syllable on each Vocal note-on (see
``fuzz.check_song``); a refused case raises a SonggramError, nothing else.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composer import SEED_LIMIT, genre_ids, validate, vibe_ids
from composer.tools import fuzz

SHORT = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

words = st.lists(st.sampled_from(fuzz.VOCABULARY + fuzz.ODDITIES), min_size=1, max_size=110).map(" ".join)
junk = st.text(st.characters(codec=None, exclude_categories=()), max_size=30)  # any code point, surrogates too
messages = st.one_of(
    words,
    st.text(max_size=120),
    st.lists(st.one_of(words, junk), min_size=1, max_size=5).map(" ".join),
    st.text(st.sampled_from(string.punctuation + " \n\t"), max_size=20),
)
keys = st.builds(lambda t, a, s: t + a + s, st.sampled_from(fuzz.TONICS), st.sampled_from(fuzz.ACCIDENTALS),
                 st.sampled_from(fuzz.SUFFIXES))
options = st.fixed_dictionaries(
    {
        "to": st.one_of(st.sampled_from(fuzz.NAMES), st.text(max_size=12)),
        "genre": st.sampled_from(genre_ids()),
        "vibe": st.sampled_from(vibe_ids()),
        "seed": st.integers(0, SEED_LIMIT),
        "length": st.sampled_from(["short", "full"]),
    },
    optional={
        "sender": st.sampled_from(fuzz.NAMES),
        "key": st.one_of(keys, st.sampled_from(fuzz.BAD_KEYS)),
        "tempo": st.integers(0, 300),
    },
)


@SHORT
@given(message=messages, options=options)
def test_any_message_and_options_compose_or_are_refused_cleanly(message, options):
    fuzz.run_case(message, options)


@SHORT
@given(message=words, options=options.filter(lambda o: "key" not in o and "tempo" not in o))
def test_plain_sentences_compose_sound_songs(message, options):
    if len(message) > validate.MAX_MESSAGE_CHARS or len(validate.clean_text(options["to"])) > validate.MAX_NAME_CHARS:
        return
    outcome = fuzz.run_case(message, options)
    assert outcome == "composed" or "Latin letters" in outcome or "RefusedError" in outcome, outcome


@SHORT
@given(seed=st.one_of(st.integers(max_value=-1), st.integers(min_value=SEED_LIMIT + 1), st.floats(), st.booleans()),
       tempo=st.one_of(st.integers(max_value=39), st.integers(min_value=221), st.floats(), st.booleans()))
def test_out_of_range_seeds_and_tempi_are_refused(seed, tempo):
    assert fuzz.run_case("Thank you", {"to": "Mom", "seed": seed}, must_refuse=True).startswith("refused")
    assert fuzz.run_case("Thank you", {"to": "Mom", "tempo": tempo}, must_refuse=True).startswith("refused")


def test_the_long_campaign_runs_in_parallel_and_replays_a_case(capsys):
    summary = fuzz.campaign(12, workers=2, seed=1)
    assert summary["cases"] == 12 and summary["failed"] == 0, summary["failures"]
    assert summary["composed"] + summary["refused"] == 12
    assert fuzz.draw_case(1, 5) == fuzz.draw_case(1, 5)
    assert fuzz.main(["--seed", "1", "--case", "5"]) == 0
    assert "compose(" in capsys.readouterr().out


@pytest.mark.parametrize("broken, what", [
    ("swapped", "differ from the sung line's pitches"), ("out-of-range", "outside"),
], ids=["notes-out-of-order", "note-out-of-range"])
def test_the_checks_catch_a_broken_song(broken, what):
    """The invariants are real: a song whose sung notes are out of order, or wild, fails them."""
    import dataclasses

    from composer import compose
    song = compose("Thank you for everything", to="Mom", seed=2, length="short")
    vocal = song.tracks[0]
    notes = list(vocal.notes)
    if broken == "swapped":
        i = next(i for i in range(len(notes) - 1) if notes[i].pitch != notes[i + 1].pitch)
        notes[i], notes[i + 1] = (dataclasses.replace(notes[i], pitch=notes[i + 1].pitch),
                                  dataclasses.replace(notes[i + 1], pitch=notes[i].pitch))
    else:
        notes[3] = dataclasses.replace(notes[3], pitch=120)
    # the Vocal track plays the sung line's performed notes: break both alike, as a broken arrange would
    performed = {old: new for old, new in zip(vocal.notes, notes, strict=True)}
    sung = tuple(dataclasses.replace(n, performed=performed[n.performed]) for n in song.vocal)
    bad = dataclasses.replace(song, vocal=sung,
                              tracks=(dataclasses.replace(vocal, notes=tuple(notes)), *song.tracks[1:]))
    with pytest.raises(AssertionError, match=what):
        fuzz.check_song(bad)
