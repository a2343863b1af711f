"""Genre grammars: one TOML file per genre in grammars/, read and checked once.

A grammar holds everything a genre knows: tempo and meters, keys, song form,
chord chains per section kind with cadences, the sung line's rhythm, the band
and its patterns. :func:`genre` returns a frozen :class:`Genre`; any slip in a
file is a :class:`~composer.errors.GrammarError` naming the file and the key.

>>> g = genre("pop")
>>> g.tempo_range, g.meters[0]
((96, 124), (4, 4))
>>> "I" in g.chains["major"]["chorus"].states
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any, Mapping

from . import data
from .effects import Effects
from .errors import GrammarError
from .theory import MODES, TEMPO_LIMITS, parse_roman, pitch_class

__all__ = ["Chain", "Part", "Patterns", "Genre", "genre", "genre_ids", "genre_effects", "SECTION_KINDS",
           "INSTRUMENTAL_KINDS", "ROLES", "RHYME_SCHEMES"]

SECTION_KINDS = ("intro", "verse", "prechorus", "chorus", "bridge", "outro", "build", "drop", "solo")
INSTRUMENTAL_KINDS = ("intro", "outro", "build", "drop", "solo")
"""Sections with nothing sung: the intro and outro, EDM's build and drop, a solo on the chorus."""
LYRIC_KINDS = ("verse", "prechorus", "chorus", "bridge")
CHAIN_KINDS = ("verse", "chorus", "bridge")
CADENCE_KEYS = ("phrase", "verse", "chorus", "bridge", "intro", "outro")
ROLES = ("vocal", "drums", "bass", "chords", "pad", "lead")
DRUM_CHARS = frozenset("xXgo.")
BASS_CHARS = frozenset("R3578A-.")
COMP_CHARS = frozenset("xX-.")
METERS = {"4/4": (4, 4), "3/4": (3, 4), "6/8": (6, 8)}
RHYME_SCHEMES = ("ABAB", "AABB", "XAXA")
"""The rhyme schemes a grammar's ``form.rhyme`` may ask of its verses and choruses."""


@dataclass(frozen=True, slots=True)
class Chain:
    """A Markov chain over chords for one section kind.

    Attributes:
        states: Roman numerals, in a fixed order (the matrix's rows and columns).
        start: weight of each state as the first chord.
        matrix: ``matrix[i][j]`` is the weight of moving from state i to state j.
    """

    states: tuple[str, ...]
    start: tuple[float, ...]
    matrix: tuple[tuple[float, ...], ...]


@dataclass(frozen=True, slots=True)
class Part:
    """One band part's instrument and mix (a ``[band.ROLE]`` table)."""

    role: str
    program: int
    volume: int = 100
    pan: int = 64
    reverb: int = 40
    chorus: int = 0
    register: tuple[int, int] = (48, 72)
    sections: tuple[str, ...] = SECTION_KINDS


@dataclass(frozen=True, slots=True)
class Genre:
    """Everything one genre grammar says; see grammars/README.md for each key."""

    id: str
    name: str
    description: str
    tempo_range: tuple[int, int]
    meters: tuple[tuple[int, int], ...]
    swing: float
    laid_back: int
    keys: Mapping[str, tuple[int, ...]]
    modes: tuple[str, ...]
    form_full: tuple[str, ...]
    form_short: tuple[str, ...]
    intro_bars: int
    outro_bars: int
    bars_per_line: int
    chords_per_bar: int
    final_lift: str
    rhyme_scheme: str
    register: tuple[int, int]
    grid: int
    durations: Mapping[int, float]
    rap_durations: Mapping[int, float]
    rap_per_bar: int
    chains: Mapping[str, Mapping[str, Chain]]
    cadences: Mapping[str, Mapping[str, tuple[str, ...]]]
    band: Mapping[str, Part]
    mix: Mapping[str, Any]
    patterns: Mapping[tuple[int, int], "Patterns"]


@dataclass(frozen=True, slots=True)
class Patterns:
    """The drum, bass and comping patterns of one meter.

    Attributes:
        steps: steps per bar in every pattern string.
        drums: section kind (or "fill", or "ending": the song's last bar) -> instrument -> pattern.
        bass: section kind -> pattern.
        comp_style: "block", "strum" or "arp".
        comp: section kind -> pattern.
    """

    steps: int
    drums: Mapping[str, Mapping[str, str]]
    bass: Mapping[str, str]
    comp_style: str
    comp: Mapping[str, str]


def genre_ids() -> tuple[str, ...]:
    """The ids of every genre in grammars/ (the CLI's choices)."""
    return tuple(data.list_files("grammars"))


def genre_effects(genre_id: str) -> Effects:
    """The synth's effects and gain for songs of ``genre_id``: its grammar's ``[mix]`` table.

    These are what :meth:`composer.Song.save` renders a song of that genre with; pass them to
    :func:`composer.render.render_file` to get the same audio from a song.mid.

    >>> genre_effects("ballad").reverb_room > genre_effects("hip-hop").reverb_room
    True

    Raises:
        GrammarError: the grammar or its ``[mix]`` table is wrong, naming the file and the key.
    """
    return Effects.from_table(dict(genre(genre_id).mix), where=f"grammars/{genre_id}.toml [mix]")


def _weights(table: Any, key: str, where: str) -> dict[str, float]:
    if not isinstance(table, dict) or not table:
        raise GrammarError(f"{where}: key '{key}' must be a non-empty table of weights")
    out: dict[str, float] = {}
    for name, weight in table.items():
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
            raise GrammarError(f"{where}: key '{key}.{name}' must be a weight >= 0, got {weight!r}")
        out[str(name)] = float(weight)
    return out


def _check_roman(roman: str, key: str, where: str) -> None:
    try:
        parse_roman(roman)
    except ValueError as err:
        raise GrammarError(f"{where}: key '{key}': {err}") from err


def _chain(table: dict[str, Any], key: str, where: str) -> Chain:
    rows = {name: _weights(row, f"{key}.{name}", where) for name, row in table.items() if name != "start"}
    start = _weights(table.get("start"), f"{key}.start", where)
    states = tuple(rows)
    for name in states:
        _check_roman(name, f"{key}.{name}", where)
    for source, row in [("start", start), *rows.items()]:
        for target in row:
            if target not in rows:
                raise GrammarError(
                    f"{where}: key '{key}.{source}' moves to '{target}', which has no row in '{key}'"
                )
    matrix = tuple(tuple(rows[s].get(t, 0.0) for t in states) for s in states)
    for name, weights in zip(states, matrix):
        if sum(weights) <= 0:
            raise GrammarError(f"{where}: key '{key}.{name}' has no move with weight > 0")
    return Chain(states=states, start=tuple(start.get(s, 0.0) for s in states), matrix=matrix)


def _pattern(value: Any, key: str, where: str, steps: int, allowed: frozenset[str]) -> str:
    if not isinstance(value, str) or len(value) != steps or not set(value) <= allowed:
        raise GrammarError(
            f"{where}: key '{key}' must be a string of {steps} steps using {''.join(sorted(allowed))!r}, "
            f"got {value!r}"
        )
    return value


def _pair(table: dict[str, Any], key: str, where: str, default: tuple[int, int] | None = None) -> tuple[int, int]:
    value = data.optional(table, key, list, None, where=where) if default else data.require(table, key, list, where=where)
    if value is None:
        return default  # type: ignore[return-value]
    if len(value) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in value) or value[0] >= value[1]:
        raise GrammarError(f"{where}: key '{key}' must be [low, high] integers with low < high, got {value!r}")
    return (value[0], value[1])


def _form(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    form = tuple(data.require(table, key, list, where=where))
    for kind in form:
        if kind not in SECTION_KINDS:
            raise GrammarError(f"{where}: key '{key}' has unknown section {kind!r}; expected one of {SECTION_KINDS}")
    if "chorus" not in form:
        raise GrammarError(f"{where}: key '{key}' must contain a chorus")
    return form


def _band(table: dict[str, Any], where: str) -> dict[str, Part]:
    band: dict[str, Part] = {}
    raw = data.require(table, "band", dict, where=where)
    for role in ("vocal", "drums", "bass", "chords"):
        if role not in raw:
            raise GrammarError(f"{where}: missing key 'band.{role}'")
    for role, part in raw.items():
        key = f"band.{role}"
        if role not in ROLES:
            raise GrammarError(f"{where}: unknown part '{key}'; expected one of {ROLES}")
        program = data.require(part, "program", int, where=f"{where} [{key}]")
        if not 0 <= program <= 127:
            raise GrammarError(f"{where}: key '{key}.program' must be 0..127, got {program}")
        sections = tuple(data.optional(part, "sections", list, list(SECTION_KINDS), where=where))
        for kind in sections:
            if kind not in SECTION_KINDS:
                raise GrammarError(f"{where}: key '{key}.sections' has unknown section {kind!r}")
        values = {}
        for name, default in (("volume", 100), ("pan", 64), ("reverb", 40), ("chorus", 0)):
            value = data.optional(part, name, int, default, where=f"{where} [{key}]")
            if not 0 <= value <= 127:
                raise GrammarError(f"{where}: key '{key}.{name}' must be 0..127, got {value}")
            values[name] = value
        band[role] = Part(
            role=role,
            program=program,
            register=_pair(part, "register", f"{where} [{key}]", (48, 72)),
            sections=sections,
            **values,
        )
    return band


@cache
def genre(genre_id: str) -> Genre:
    """Load and check ``grammars/<genre_id>.toml``.

    Raises:
        GrammarError: the file is missing or any key is wrong; the message
            names the file and the key.
    """
    where = f"grammars/{genre_id}.toml"
    t = data.load("grammars", genre_id)
    if data.require(t, "id", str, where=where) != genre_id:
        raise GrammarError(f"{where}: key 'id' must be {genre_id!r}, the file's name, got {t['id']!r}")
    meters = []
    for text in data.require(t, "tempo.meters", list, where=where):
        if text not in METERS:
            raise GrammarError(f"{where}: key 'tempo.meters' has {text!r}; expected one of {list(METERS)}")
        meters.append(METERS[text])
    tempo = _pair(t, "tempo.range", where)
    if tempo[0] < TEMPO_LIMITS[0] or tempo[1] > TEMPO_LIMITS[1]:
        raise GrammarError(f"{where}: key 'tempo.range' must lie within {TEMPO_LIMITS[0]}..{TEMPO_LIMITS[1]} BPM "
                           f"(rules/theory.toml [tempo]), got {list(tempo)}")
    laid_back = data.optional(t, "tempo.laid_back", int, 0, where=where)
    if not 0 <= laid_back <= 60:
        raise GrammarError(f"{where}: key 'tempo.laid_back' must be 0..60 ticks, got {laid_back}")
    swing = data.optional(t, "tempo.swing", float, 0.0, where=where)
    if not 0.0 <= swing <= 0.5:
        raise GrammarError(f"{where}: key 'tempo.swing' must be 0..0.5, got {swing}")

    keys: dict[str, tuple[int, ...]] = {}
    for family in ("major", "minor"):
        names = data.require(t, f"keys.{family}", list, where=where)
        try:
            keys[family] = tuple(pitch_class(n) for n in names)
        except Exception as err:
            raise GrammarError(f"{where}: key 'keys.{family}': {err}") from err
    modes = tuple(data.require(t, "keys.modes", list, where=where))
    if not modes or any(m not in MODES for m in modes) or len(set(modes)) != len(modes) \
            or not {"major", "minor"} <= set(modes):
        raise GrammarError(f"{where}: key 'keys.modes' must list major, minor and any of dorian, mixolydian "
                           f"once each, got {list(modes)!r}")

    chains: dict[str, dict[str, Chain]] = {}
    cadences: dict[str, dict[str, tuple[str, ...]]] = {}
    for family in ("major", "minor"):
        fam = data.require(t, f"harmony.{family}", dict, where=where)
        chains[family] = {}
        for kind in CHAIN_KINDS:
            table = data.require(fam, kind, dict, where=f"{where} [harmony.{family}]")
            chains[family][kind] = _chain(table, f"harmony.{family}.{kind}", where)
        cad = data.require(fam, "cadence", dict, where=f"{where} [harmony.{family}]")
        cadences[family] = {}
        for name in CADENCE_KEYS:
            chords = tuple(data.require(cad, name, list, where=f"{where} [harmony.{family}.cadence]"))
            for roman in chords:
                _check_roman(roman, f"harmony.{family}.cadence.{name}", where)
            cadences[family][name] = chords
        for kind in CHAIN_KINDS:
            states = chains[family][kind].states
            for name in ("phrase", kind):
                if not set(cadences[family][name]) & set(states):
                    raise GrammarError(
                        f"{where}: key 'harmony.{family}.cadence.{name}' shares no chord with "
                        f"'harmony.{family}.{kind}', so a {kind} could never end"
                    )

    patterns = {meters[0]: _patterns(t, "", where, meters[0])}
    alternatives = t.get("meter", {})
    for meter in meters[1:]:
        name = f"{meter[0]}/{meter[1]}"
        alternative = alternatives.get(name) if isinstance(alternatives, dict) else None
        if not isinstance(alternative, dict):
            raise GrammarError(
                f"{where}: 'tempo.meters' lists {name}, so a table [meter.\"{name}\"] with its own "
                f"drums, bass and comp patterns is needed"
            )
        patterns[meter] = _patterns(alternative, f'meter."{name}".', where, meter)

    durations_raw = _weights(data.require(t, "melody.durations", dict, where=where), "melody.durations", where)
    try:
        durations = {int(k): v for k, v in durations_raw.items()}
    except ValueError as err:
        raise GrammarError(f"{where}: key 'melody.durations' must map sixteenths (integers) to weights") from err
    rap_raw = data.optional(t, "melody.rap", dict, {}, where=where)
    rap_durations: dict[int, float] = {}
    rap_per_bar = 0
    if rap_raw:  # verses rapped: a denser rhythm vocabulary on the sixteenth grid
        rap_per_bar = data.require(rap_raw, "per_bar", int, where=f"{where} [melody.rap]")
        if not 4 <= rap_per_bar <= 16:
            raise GrammarError(f"{where}: key 'melody.rap.per_bar' must be 4..16 syllables, got {rap_per_bar}")
        raw = _weights(data.require(rap_raw, "durations", dict, where=f"{where} [melody.rap]"),
                       "melody.rap.durations", where)
        try:
            rap_durations = {int(k): v for k, v in raw.items()}
        except ValueError as err:
            raise GrammarError(f"{where}: key 'melody.rap.durations' must map sixteenths (integers) to weights") from err
    final_lift = data.optional(t, "form.final_lift", str, "layers", where=where)
    if final_lift not in ("key", "layers"):
        raise GrammarError(f"{where}: key 'form.final_lift' must be 'key' or 'layers', got {final_lift!r}")
    rhyme_scheme = data.optional(t, "form.rhyme", str, "ABAB", where=where)
    if rhyme_scheme not in RHYME_SCHEMES:
        raise GrammarError(f"{where}: key 'form.rhyme' must be one of {', '.join(RHYME_SCHEMES)}, "
                           f"got {rhyme_scheme!r}")
    grid = data.optional(t, "melody.grid", int, 2, where=where)
    if grid not in (1, 2):
        raise GrammarError(f"{where}: key 'melody.grid' must be 1 or 2 sixteenths, got {grid}")
    return Genre(
        id=genre_id,
        name=data.require(t, "name", str, where=where),
        description=data.require(t, "description", str, where=where),
        tempo_range=tempo,
        meters=tuple(meters),
        swing=swing,
        laid_back=laid_back,
        keys=MappingProxyType(keys),
        modes=modes,
        form_full=_form(t, "form.full", where),
        form_short=_form(t, "form.short", where),
        intro_bars=data.require(t, "form.intro_bars", int, where=where),
        outro_bars=data.require(t, "form.outro_bars", int, where=where),
        bars_per_line=data.require(t, "form.bars_per_line", int, where=where),
        chords_per_bar=data.optional(t, "form.chords_per_bar", int, 1, where=where),
        final_lift=final_lift,
        rhyme_scheme=rhyme_scheme,
        register=_pair(t, "melody.register", where),
        grid=grid,
        durations=MappingProxyType(durations),
        rap_durations=MappingProxyType(rap_durations),
        rap_per_bar=rap_per_bar,
        chains=MappingProxyType({f: MappingProxyType(c) for f, c in chains.items()}),
        cadences=MappingProxyType({f: MappingProxyType(c) for f, c in cadences.items()}),
        band=MappingProxyType(_band(t, where)),
        mix=MappingProxyType(data.optional(t, "mix", dict, {}, where=where)),
        patterns=MappingProxyType(patterns),
    )


@cache
def _drum_names() -> frozenset[str]:
    """The drum names a pattern may use: the keys of rules/drums.toml ``[notes]``."""
    return frozenset(data.require(data.load("rules", "drums"), "notes", dict, where="rules/drums.toml"))


def _patterns(t: dict[str, Any], prefix: str, where: str, meter: tuple[int, int]) -> Patterns:
    """The drum, bass and comping patterns of one meter (``prefix`` locates them in the file)."""
    steps = data.require(t, "drums.steps", int, where=f"{where} [{prefix}drums]")
    bar16 = meter[0] * 16 // meter[1]
    if bar16 % steps and steps % bar16:
        raise GrammarError(f"{where}: key '{prefix}drums.steps' = {steps} does not divide a {meter[0]}/{meter[1]} bar")
    drums: dict[str, dict[str, str]] = {}
    for kind, table in data.require(t, "drums", dict, where=where).items():
        if kind == "steps":
            continue
        if kind not in SECTION_KINDS and kind not in ("fill", "ending") or not isinstance(table, dict):
            raise GrammarError(f"{where}: unknown drum section '{prefix}drums.{kind}'")
        kit = _drum_names()
        for inst in table:
            if inst not in kit:
                raise GrammarError(f"{where}: unknown drum '{prefix}drums.{kind}.{inst}' "
                                   f"(rules/drums.toml [notes] names: {', '.join(sorted(kit))})")
        drums[kind] = {
            inst: _pattern(p, f"{prefix}drums.{kind}.{inst}", where, steps, DRUM_CHARS) for inst, p in table.items()
        }
    bass = {
        kind: _pattern(data.require(t, f"bass.{kind}.pattern", str, where=where), f"{prefix}bass.{kind}.pattern",
                       where, steps, BASS_CHARS)
        for kind in data.require(t, "bass", dict, where=where)
    }
    comp_style = data.optional(t, "comp.style", str, "block", where=where)
    if comp_style not in ("block", "strum", "arp"):
        raise GrammarError(f"{where}: key '{prefix}comp.style' must be block, strum or arp, got {comp_style!r}")
    comp = {
        kind: _pattern(data.require(t, f"comp.{kind}.pattern", str, where=where), f"{prefix}comp.{kind}.pattern",
                       where, steps, COMP_CHARS)
        for kind in data.require(t, "comp", dict, where=where)
        if kind != "style"
    }
    for kind in ("verse", "chorus"):
        for name, table in (("drums", drums), ("bass", bass), ("comp", comp)):
            if kind not in table:
                raise GrammarError(f"{where}: missing key '{prefix}{name}.{kind}'")
    return Patterns(
        steps=steps,
        drums=MappingProxyType({k: MappingProxyType(v) for k, v in drums.items()}),
        bass=MappingProxyType(bass),
        comp_style=comp_style,
        comp=MappingProxyType(comp),
    )
