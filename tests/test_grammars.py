"""The genre grammars in grammars/.

Every genre loads; the twelve ids the product promises exist; each genre's
identity (four on the floor, one drop, boom-bap, walking bass, bossa bass and
clave, power chords, ii-V-I...) is asserted from its data; no two genres share
both their instruments and their drum pattern; every chord chain reaches its
cadences in every section length the plan can ask for; a broken grammar is a
GrammarError naming the file and the key; and every genre composes with every
vibe into a MIDI file that mido reads back.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import json
import sys
import uuid
from typing import Any, Callable

import mido
import numpy as np
import pytest

from composer import compose, data, grammar
from composer.errors import GrammarError
from composer.grammar import CHAIN_KINDS, SECTION_KINDS, Genre, genre, genre_ids
from composer.aot import kernels
from composer.vibes import vibe_ids

GENRES = genre_ids()
EXPECTED_IDS = {"pop", "ballad", "rock", "rnb", "country", "folk", "jazz", "lullaby", "edm", "reggae",
                "bossa-nova", "hip-hop"}
PLAYED_ROLES = ("vocal", "drums", "bass", "chords", "pad", "lead")  # the roles composer/arrange.py plays
# The chain each section kind is harmonised from (as composer/harmonise.py does).
CHAIN_FOR = {"intro": "chorus", "verse": "verse", "prechorus": "bridge", "chorus": "chorus",
             "bridge": "bridge", "outro": "chorus", "build": "chorus", "drop": "chorus", "solo": "chorus"}
MESSAGE = "Thanks for the ride to the airport at 4am. True friend."


def _main(g: Genre):
    """The patterns of the genre's usual (first) meter."""
    return g.patterns[g.meters[0]]


def _beats(pattern: str, meter: tuple[int, int]) -> list[int]:
    """The step index of each beat: quarter notes in 3/4 and 4/4, dotted quarters in 6/8."""
    per_beat = len(pattern) // (meter[0] // 3 if meter[1] == 8 else meter[0])
    return list(range(0, len(pattern), per_beat))


def _hits(pattern: str) -> set[int]:
    return {i for i, c in enumerate(pattern) if c not in ".-"}


# ---------------------------------------------------------------- loading


def test_the_twelve_genres_exist():
    assert set(GENRES) == EXPECTED_IDS


@pytest.mark.parametrize("genre_id", GENRES, ids=GENRES)
def test_genre_loads_with_every_part(genre_id):
    g = genre(genre_id)
    assert g.id == genre_id and g.name and g.description
    assert 40 <= g.tempo_range[0] < g.tempo_range[1] <= 220
    assert {"vocal", "drums", "bass", "chords"} <= set(g.band)
    assert "chorus" in g.form_full and "chorus" in g.form_short
    for meter in g.meters:
        patterns = g.patterns[meter]
        assert {"verse", "chorus"} <= set(patterns.drums) & set(patterns.bass) & set(patterns.comp)
        assert patterns.steps == meter[0] * 16 // meter[1], "one step is a sixteenth"


@pytest.mark.parametrize("genre_id", GENRES, ids=GENRES)
def test_drum_rows_name_known_instruments(genre_id):
    notes = data.load("rules", "drums")["notes"]
    for meter, patterns in genre(genre_id).patterns.items():
        for kind, rows in patterns.drums.items():
            for instrument, row in rows.items():
                assert instrument in notes, f"{genre_id} {meter} drums.{kind}.{instrument}"
                assert "o" not in row or instrument == "hat", f"'o' (open hat) on {instrument}"


@pytest.mark.parametrize("genre_id", GENRES, ids=GENRES)
def test_swing_stays_off_compound_meters(genre_id):
    """The arranger swings off-beat eighths; in 6/8 those are not off-beats."""
    g = genre(genre_id)
    if (6, 8) in g.meters:
        assert g.swing == 0.0


# ---------------------------------------------------------------- harmony reaches its cadences


def _reachable(chain: grammar.Chain, allowed: list[set[str] | None]) -> bool:
    masks = np.array([[1.0 if a is None or s in a else 0.0 for s in chain.states] for a in allowed])
    matrix = np.array(chain.matrix, dtype=np.float64)
    matrix /= matrix.sum(axis=1, keepdims=True)
    states = kernels().sample_chain(np.array(chain.start, dtype=np.float64), matrix, masks, np.full(len(masks), 0.5))
    return bool(states[0] >= 0)


def _sections(g: Genre):
    """(kind, bars of each line, final) for every section shape the plan can make."""
    for kind in SECTION_KINDS:
        if kind in ("intro", "outro", "build", "drop", "solo"):
            lengths = {1, 2, g.intro_bars, g.outro_bars, 2 * g.intro_bars, 2 * g.outro_bars}
            if kind not in ("intro", "outro"):  # EDM's build and drop, a solo: eight bars or a chorus's length
                lengths = {8, 16}
            for bars in sorted(lengths):  # instrumental: phrases of two bars
                lines = (2,) * (bars // 2) if bars >= 2 else (bars,)
                yield kind, lines + ((bars - sum(lines),) if bars - sum(lines) else ()), kind == "outro"
            continue
        if kind not in g.form_full + g.form_short:
            continue
        finals = (False, True) if kind in (g.form_full[-1], g.form_short[-1]) else (False,)
        per = g.bars_per_line
        for count in (2, 3, 4, 5, 6):
            for head in itertools.product((per, 2 * per, 4 * per), repeat=min(count, 3)):
                for final in finals:
                    yield kind, head + (per,) * (count - len(head)), final


@pytest.mark.parametrize("genre_id", GENRES, ids=GENRES)
def test_every_chain_reaches_its_cadences(genre_id):
    g = genre(genre_id)
    slots = g.chords_per_bar
    for family in ("major", "minor"):
        cadences = g.cadences[family]
        for kind, lines, final in _sections(g):
            chain = g.chains[family][CHAIN_FOR[kind]]
            allowed: list[set[str] | None] = [None] * (sum(lines) * slots)
            end = 0
            for bars in lines[:-1]:
                end += bars * slots
                allowed[end - 1] = set(cadences["phrase"])
            allowed[-1] = set(cadences["outro" if final else kind if kind in cadences else "phrase"])
            assert _reachable(chain, allowed), (
                f"{genre_id}: the {family} {CHAIN_FOR[kind]} chain cannot harmonise a {kind} "
                f"with lines of {lines} bars{' ending the song' if final else ''}")


@pytest.mark.parametrize("genre_id", GENRES, ids=GENRES)
def test_every_chord_of_a_chain_can_be_played(genre_id):
    g = genre(genre_id)
    for family, kind in itertools.product(("major", "minor"), CHAIN_KINDS):
        chain = g.chains[family][kind]
        for j, state in enumerate(chain.states):
            reached = chain.start[j] > 0 or any(chain.matrix[i][j] > 0 for i in range(len(chain.states)) if i != j)
            assert reached, f"{genre_id}: '{state}' in harmony.{family}.{kind} is never reached"


# ---------------------------------------------------------------- each genre's identity


def test_edm_kick_on_every_beat():
    g = genre("edm")
    for kind in ("verse", "chorus"):
        kick = _main(g).drums[kind]["kick"]
        assert set(_beats(kick, g.meters[0])) <= _hits(kick), f"four on the floor in the {kind}"


def test_reggae_one_drop():
    g = genre("reggae")
    verse = _main(g).drums["verse"]
    beat = _beats(verse["kick"], g.meters[0])
    assert beat[2] in _hits(verse["kick"]) and beat[0] not in _hits(verse["kick"])
    assert any(beat[2] in _hits(verse[i]) for i in ("rim", "snare") if i in verse), "the drop on a snare or rim"
    assert beat[0] not in _hits(verse.get("snare", ".")) | _hits(verse.get("rim", "."))


def test_hip_hop_boom_bap():
    g = genre("hip-hop")
    for kind in ("verse", "chorus"):
        rows = _main(g).drums[kind]
        beat = _beats(rows["kick"], g.meters[0])
        assert {beat[1], beat[3]} <= _hits(rows["snare"]), f"snare on 2 and 4 in the {kind}"
        assert _hits(rows["kick"]) - set(beat), f"a syncopated kick in the {kind}"


def test_jazz_walks_and_swings():
    g = genre("jazz")
    assert g.swing >= 0.25
    assert g.chords_per_bar == 2
    for kind in ("verse", "chorus", "bridge"):
        line = _main(g).bass[kind]
        assert set(_beats(line, g.meters[0])) <= _hits(line), f"a bass note on every beat of the {kind}"
        assert "A" in line, "chromatic approach notes"
    assert "ride" in _main(g).drums["verse"] and "pedal" in _main(g).drums["verse"]


def test_jazz_chains_move_ii_v_i():
    g = genre("jazz")
    for kind in ("verse", "chorus"):
        for family, (two, five, ones) in {"major": ("ii7", "V7", ("Imaj7",)),
                                          "minor": ("iiø7", "V7", ("i7", "i6"))}.items():
            chain = g.chains[family][kind]
            index = {s: i for i, s in enumerate(chain.states)}
            assert chain.matrix[index[two]][index[five]] > 0, f"{family} {kind}: {two} -> {five}"
            assert any(chain.matrix[index[five]][index[one]] > 0 for one in ones), f"{family} {kind}: {five} -> I"


def test_bossa_bass_and_clave():
    g = genre("bossa-nova")
    for kind in ("verse", "chorus"):
        line = _main(g).bass[kind]
        beat = _beats(line, g.meters[0])
        assert line[0] == "R", "the root on beat 1"
        assert "5" in line[1:beat[2]], "the fifth before beat 3"
    rim = _main(g).drums["verse"]["rim"]
    assert len(_hits(rim)) >= 4 and _hits(rim) - set(_beats(rim, g.meters[0])), "a syncopated cross-stick clave"
    assert g.band["drums"].program == 40, "the Brush kit"


@pytest.mark.parametrize("genre_id", ["ballad", "bossa-nova"])
def test_brushes_or_rim(genre_id):
    verse = _main(genre(genre_id)).drums["verse"]
    assert {"brush", "rim"} & set(verse)


def test_rock_power_chords():
    g = genre("rock")
    for family in ("major", "minor"):
        assert all(s.endswith("5") or s == "V" for s in g.chains[family]["verse"].states), f"{family} verse"
        assert any(s.endswith("5") for s in g.chains[family]["chorus"].states), f"{family} chorus"
    major = {s for kind in CHAIN_KINDS for s in g.chains["major"][kind].states}
    assert {"I5", "IV5", "V5", "bVII5", "bVI5"} <= major


@pytest.mark.parametrize("genre_id", ["jazz", "bossa-nova", "rnb"])
def test_sevenths_and_ninths(genre_id):
    g = genre(genre_id)
    for family, kind in itertools.product(("major", "minor"), CHAIN_KINDS):
        states = g.chains[family][kind].states
        extended = [s for s in states if any(s.endswith(t) for t in ("7", "9", "13", "6"))]
        assert len(extended) >= 0.75 * len(states), f"{family} {kind}: {states}"


def test_edm_and_pop_minor_loop():
    for genre_id in ("edm", "pop"):
        chain = genre(genre_id).chains["minor"]["chorus"]
        index = {s: i for i, s in enumerate(chain.states)}
        loop = ["i", "bVI", "bIII", "bVII", "i"]
        assert all(chain.matrix[index[a]][index[b]] > 0 for a, b in zip(loop, loop[1:])), genre_id


def test_country_three_chords():
    chain = genre("country").chains["major"]["verse"]
    index = {s: i for i, s in enumerate(chain.states)}
    for a, b in (("I", "IV"), ("IV", "V"), ("V", "I"), ("IV", "I")):
        assert chain.matrix[index[a]][index[b]] > 0


def test_reggae_vamps_and_skank():
    g = genre("reggae")
    chain = g.chains["major"]["verse"]
    index = {s: i for i, s in enumerate(chain.states)}
    assert chain.matrix[index["I"]][index["IV"]] > 0 and chain.matrix[index["I"]][index["V"]] > 0
    skank = _main(g).comp["verse"]
    beat = _beats(skank, g.meters[0])
    assert _hits(skank) == {beat[1], beat[3]}, "chops on 2 and 4"


def test_lullaby_rocks_in_three():
    g = genre("lullaby")
    assert set(g.meters) <= {(3, 4), (6, 8)}
    assert g.tempo_range[1] <= 90
    assert max(g.durations, key=g.durations.get) >= 4, "long notes"


@pytest.mark.parametrize("genre_id", ["country", "folk"])
def test_waltz(genre_id):
    assert (3, 4) in genre(genre_id).meters


def test_short_notes_for_rnb_and_hip_hop_long_for_ballad_and_lullaby():
    def mean(g: Genre) -> float:
        return sum(d * w for d, w in g.durations.items()) / sum(g.durations.values())
    for fast in ("rnb", "hip-hop"):
        assert genre(fast).grid == 1
        for slow in ("ballad", "lullaby"):
            assert mean(genre(fast)) < mean(genre(slow))


# ---------------------------------------------------------------- the genres differ


def _programs(g: Genre) -> tuple[tuple[str, int], ...]:
    return tuple((role, g.band[role].program) for role in PLAYED_ROLES if role in g.band)


def _drums(g: Genre) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(_main(g).drums["verse"].items()))


@pytest.mark.parametrize("pair", list(itertools.combinations(GENRES, 2)), ids="-vs-".join)
def test_no_two_genres_sound_alike(pair):
    a, b = (genre(i) for i in pair)
    assert _programs(a) != _programs(b) or _drums(a) != _drums(b), "same instruments and same drums"
    assert (a.tempo_range, a.meters, a.swing) != (b.tempo_range, b.meters, b.swing), "same tempo, meter and feel"


# ---------------------------------------------------------------- a broken grammar is a clear error


def _toml_key(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(value)


def _dump(table: dict[str, Any], path: tuple[str, ...] = ()) -> str:
    """A small TOML writer: enough for a grammar (tables, strings, numbers, lists)."""
    plain = [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items() if not isinstance(v, dict)]
    out = ("[" + ".".join(_toml_key(p) for p in path) + "]\n" if path else "") + "".join(ln + "\n" for ln in plain)
    for key, value in table.items():
        if isinstance(value, dict):
            out += "\n" + _dump(value, path + (key,))
    return out


@pytest.fixture
def broken(tmp_path, monkeypatch) -> Callable[[str, Callable[[dict], None]], str]:
    """Write a changed copy of a genre where the loader looks (a package of its own); return its id."""
    package = f"songgram_test_grammars_{uuid.uuid4().hex[:8]}"
    folder = tmp_path / package
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    originals = {name: json.loads(json.dumps(data.load("grammars", name))) for name in genre_ids()}
    loaded = {name: genre(name) for name in genre_ids()}
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(data._PACKAGE, "grammars", package)

    def make(base: str, mutate: Callable[[dict], None]) -> str:
        table = json.loads(json.dumps(originals[base]))
        name = f"broken-{base}"
        table["id"] = name
        mutate(table)
        (folder / f"{name}.toml").write_text(_dump(table), encoding="utf-8")
        return name

    make.originals = loaded  # type: ignore[attr-defined]
    yield make
    data.load.cache_clear()  # forget the broken files (the real ones are read again on demand)
    genre.cache_clear()
    sys.modules.pop(package, None)


def _set(path: str, value: Any) -> Callable[[dict], None]:
    def mutate(table: dict) -> None:
        *parents, last = path.split(".")
        node = table
        for p in parents:
            node = node[p]
        node[last] = value
    return mutate


def _delete(path: str) -> Callable[[dict], None]:
    def mutate(table: dict) -> None:
        *parents, last = path.split(".")
        node = table
        for p in parents:
            node = node[p]
        del node[last]
    return mutate


BROKEN = [
    ("tempo-out-of-range", "rock", _set("tempo.range", [96, 400]), "tempo.range"),
    ("unknown-meter", "rock", _set("tempo.meters", ["5/4"]), "tempo.meters"),
    ("swing-too-big", "jazz", _set("tempo.swing", 0.9), "tempo.swing"),
    ("unknown-chord", "jazz", _set("harmony.major.verse.ii7.IIII", 2), "harmony.major.verse.ii7"),
    ("bad-numeral", "rock", _set("harmony.minor.chorus.iX5", {"i5": 1}), "harmony.minor.chorus.iX5"),
    ("negative-weight", "rnb", _set("harmony.major.chorus.start.Imaj9", -1), "harmony.major.chorus.start.Imaj9"),
    ("cadence-outside-chain", "folk", _set("harmony.major.cadence.verse", ["bII"]), "harmony.major.cadence.verse"),
    ("short-drum-row", "edm", _set("drums.verse.kick", "x...x...x...x.."), "drums.verse.kick"),
    ("unknown-drum", "rock", _set("drums.chorus.cymbal", "x..............."), "drums.chorus.cymbal"),
    ("unknown-waltz-drum", "country", _set("meter.3/4.drums.verse.snare_drum", "....x......."),
     'meter."3/4".drums.verse.snare_drum'),
    ("unknown-mode", "folk", _set("keys.modes", ["major", "minor", "lydian"]), "keys.modes"),
    ("no-minor-mode", "jazz", _set("keys.modes", ["major", "dorian"]), "keys.modes"),
    ("bad-drum-char", "reggae", _set("drums.verse.rim", "........z......."), "drums.verse.rim"),
    ("bad-bass-char", "bossa-nova", _set("bass.verse.pattern", "R--9----R--5----"), "bass.verse.pattern"),
    ("waltz-row-length", "country", _set("meter.3/4.comp.verse.pattern", "....x-..x-......"),
     'meter."3/4".comp.verse.pattern'),
    ("missing-waltz", "folk", _delete("meter"), 'meter."3/4"'),
    ("missing-drums-part", "hip-hop", _delete("band.drums"), "band.drums"),
    ("program-out-of-range", "lullaby", _set("band.vocal.program", 128), "band.vocal.program"),
    ("unknown-comp-style", "ballad", _set("comp.style", "stride"), "comp.style"),
    ("no-chorus", "pop", _set("form.short", ["verse", "verse"]), "form.short"),
    ("grid-too-coarse", "hip-hop", _set("melody.grid", 4), "melody.grid"),
    ("unknown-rhyme-scheme", "pop", _set("form.rhyme", "ABCD"), "form.rhyme"),
]


def test_an_unchanged_copy_loads_the_same(broken):
    """The fixture's writer keeps a grammar intact, so each broken case fails only by its change."""
    for base in GENRES:
        copy, original = genre(broken(base, lambda table: None)), broken.originals[base]
        for field in dataclasses.fields(Genre):
            if field.name != "id":
                assert getattr(copy, field.name) == getattr(original, field.name), (base, field.name)


@pytest.mark.parametrize("base, mutate, key", [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_grammar_names_file_and_key(broken, base, mutate, key):
    name = broken(base, mutate)
    with pytest.raises(GrammarError) as err:
        genre(name)
    assert f"grammars/{name}.toml" in str(err.value)
    assert key in str(err.value)


def test_broken_mix_names_file_and_key():
    from composer.render import Effects
    with pytest.raises(GrammarError, match=r"grammars/edm.toml: unknown key 'mix.reverb_size'"):
        Effects.from_table({**genre("edm").mix, "reverb_size": 0.5}, where="grammars/edm.toml")


@pytest.mark.parametrize("genre_id", GENRES, ids=GENRES)
def test_mix_table_is_valid(genre_id):
    from composer.render import Effects
    Effects.from_table(dict(genre(genre_id).mix), where=f"grammars/{genre_id}.toml")


# ---------------------------------------------------------------- every genre with every vibe, end to end


CASES = [(g, v, 3 + i) for i, (g, v) in enumerate(itertools.product(GENRES, vibe_ids()))]


@pytest.mark.parametrize("genre_id, vibe_id, seed", CASES, ids=[f"{g}-{v}" for g, v, _ in CASES])
def test_compose_every_genre_with_every_vibe(genre_id, vibe_id, seed):
    g = genre(genre_id)
    song = compose(MESSAGE, to="Sam", genre=genre_id, vibe=vibe_id, seed=seed, length="short")
    assert song.plan.meter in g.meters
    assert g.tempo_range[0] <= song.plan.tempo <= g.tempo_range[1]
    midi = mido.MidiFile(file=io.BytesIO(song.to_midi()))
    assert midi.type == 1
    programs: dict[str, int] = {}
    for track in midi.tracks[1:]:
        changes = [m for m in track if m.type == "program_change"]
        programs[track.name] = changes[0].program
        if track.name == "Drums":
            assert all(m.channel == 9 for m in track if hasattr(m, "channel"))
    for name, role in (("Vocal", "vocal"), ("Drums", "drums"), ("Bass", "bass"), ("Chords", "chords"),
                       ("Pad", "pad"), ("Lead", "lead")):
        if name in programs or role in ("vocal", "drums", "bass", "chords"):
            assert programs[name] == g.band[role].program, name
    signature = next(m for m in midi.tracks[0] if m.type == "time_signature")
    assert (signature.numerator, signature.denominator) == song.plan.meter
    assert sum(1 for t in midi.tracks if t.name == "Vocal" for m in t if m.type == "lyrics") == len(song.vocal)


@pytest.mark.parametrize("genre_id", [g for g in GENRES if len(genre(g).meters) > 1], ids=str)
def test_every_meter_composes(genre_id):
    g = genre(genre_id)
    seen: dict[tuple[int, int], float] = {}
    for seed in range(60):
        song = compose(MESSAGE, to="Sam", genre=genre_id, vibe="heartfelt", seed=seed, length="short")
        seen.setdefault(song.plan.meter, song.seconds)
        if len(seen) == len(g.meters):
            break
    assert set(seen) == set(g.meters)


# ---------------------------------------------------------------- modes where they are idiomatic

def test_every_genre_names_its_modes():
    for genre_id in GENRES:
        modes = genre(genre_id).modes
        assert {"major", "minor"} <= set(modes) <= {"major", "minor", "dorian", "mixolydian"}, genre_id


@pytest.mark.parametrize("genre_id, vibe", [("lullaby", "upbeat"), ("ballad", "nostalgic"), ("edm", "chill"),
                                            ("jazz", "playful")])
def test_a_genre_never_takes_a_mode_it_does_not_play(genre_id, vibe):
    from composer.vibes import vibe as load_vibe
    assert any(load_vibe(vibe).modes.get(m, 0) > 0 and m not in genre(genre_id).modes
               for m in ("dorian", "mixolydian")), "the case must offer a foreign mode"
    modes = {compose("Thank you for the songs at night.", to="Lia", genre=genre_id, vibe=vibe, seed=s,
                     length="short").plan.mode for s in range(12)}
    assert modes <= set(genre(genre_id).modes), modes


def test_a_foreign_mode_weight_goes_to_its_parent_and_says_so():
    song = compose("Good morning, sunshine.", to="Ava", genre="lullaby", vibe="upbeat", seed=0, length="short")
    reason = dict(song.plan.reasons)["mode"]
    assert "Lullaby is not mixolydian, so those weights went to major" in reason, reason


@pytest.mark.parametrize("key", ["D dorian", "G mixolydian", "C#m", "Eb"])
@pytest.mark.parametrize("vibe", ["romantic", "nostalgic", "epic"])
def test_chord_colours_stay_in_the_mode(key, vibe):
    """A seventh, ninth or suspension the vibe adds is a note of the mode (no Gmaj7 in D dorian)."""
    from composer.theory import parse_key, scale_pitch_classes
    song = compose("You make every ordinary day feel like a holiday.", to="Noor", genre="pop", vibe=vibe,
                   seed=4, key=key)
    scale = set(scale_pitch_classes(song.plan.tonic, song.plan.mode))
    tonic, mode = parse_key(key)
    assert song.plan.tonic == tonic and song.plan.mode == (mode or song.plan.mode)
    for chord in song.chords:
        shift = song.plan.sections[chord.section].shift  # a lifted last chorus: the mode a step up
        scale = set(scale_pitch_classes((song.plan.tonic + shift) % 12, song.plan.mode))
        outside = {(p - chord.root) % 12 for p in chord.pitches if p not in scale}
        assert outside <= {3, 4, 6, 7, 8}, (chord.symbol, chord.roman, key)  # only a triad's own third or fifth
