"""The plan stage: key, mode, tempo, meter and song form, each with its reason.

The genre grammar gives the ranges, the vibe picks a place inside them, the
message's sentiment nudges the mode, and the form is stretched or trimmed so
that a full song lasts about two to three minutes.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from . import data
from .errors import InputError
from .grammar import Genre
from .model import PPQ, Analysis, Lyrics, Plan, SectionPlan
from .theory import MODES, TEMPO_LIMITS, mode_info, spell, uses_flats
from .vibes import Vibe, mode_weights

__all__ = ["plan", "idiomatic_modes", "grow", "TEMPO_LIMITS", "seconds"]

"""The tempi (BPM) the engine accepts, from --tempo or a grammar."""

_WHERE = "rules/form.toml"


def _choice(rng: np.random.Generator, weights: dict[str, float]) -> str:
    names = [k for k, w in weights.items() if w > 0]
    probs = np.array([weights[k] for k in names], dtype=float)
    return names[int(rng.choice(len(names), p=probs / probs.sum()))]


def seconds(bars: int, meter: tuple[int, int], tempo: int) -> float:
    """How long ``bars`` bars last at ``tempo`` quarter notes per minute."""
    quarters = bars * meter[0] * 4 / meter[1]
    return quarters * 60.0 / tempo


def _line_bars(lyrics: Lyrics, index: int, genre: Genre, meter: tuple[int, int]) -> tuple[int, ...]:
    rules = data.load("rules", "form")
    max_per_bar = data.require(rules, "length.max_notes_per_bar", int, where=_WHERE)
    per_bar = max_per_bar if meter == (4, 4) else max(3, max_per_bar * meter[0] * 4 // meter[1] // 4 - 1)
    out = []
    for line in lyrics.sections[index].lines:
        bars = genre.bars_per_line
        while line.syllable_count > per_bar * bars:
            bars *= 2
        out.append(bars)
    return tuple(out)


def grow(kinds: list[str], verses: int) -> list[str]:
    """The form with a verse and a chorus more for each verse the lyrics have beyond it.

    A long message spreads over more verses than the genre's form sings; rather
    than rush, the song grows: each extra verse and its chorus follow the
    last verse's chorus.

    >>> grow(["intro", "verse", "chorus", "verse", "chorus", "bridge", "chorus", "outro"], 3)
    ['intro', 'verse', 'chorus', 'verse', 'chorus', 'verse', 'chorus', 'bridge', 'chorus', 'outro']
    """
    kinds = list(kinds)
    while 0 < kinds.count("verse") < verses:
        last = len(kinds) - 1 - kinds[::-1].index("verse")
        after = kinds.index("chorus", last) + 1 if "chorus" in kinds[last:] else last + 1
        kinds[after:after] = ["verse", "chorus"]
    return kinds


def _form(
    kinds: list[str], lyrics: Lyrics, genre: Genre, meter: tuple[int, int], intro: int, outro: int
) -> list[tuple[str, int, int, tuple[int, ...]]]:
    """(kind, bars, lyric index, line bars) for each section of ``kinds``."""
    kinds = grow(kinds, sum(1 for s in lyrics.sections if s.kind == "verse"))
    by_kind: dict[str, list[int]] = {}
    for i, section in enumerate(lyrics.sections):
        by_kind.setdefault(section.kind, []).append(i)
    seen: dict[str, int] = {}
    out = []
    for kind in kinds:
        if kind in ("intro", "outro"):
            out.append((kind, intro if kind == "intro" else outro, -1, ()))
            continue
        options = by_kind.get(kind, [])
        if not options:
            continue
        n = seen.get(kind, 0)
        seen[kind] = n + 1
        if n >= len(options) and kind != "chorus":
            continue  # the form asks for more verses than the lyrics have
        index = options[min(n, len(options) - 1)]
        line_bars = _line_bars(lyrics, index, genre, meter)
        out.append((kind, sum(line_bars), index, line_bars))
    return out


def _fit_short(
    kinds: list[str], lyrics: Lyrics, genre: Genre, meter: tuple[int, int], tempo: int, span: tuple[float, float]
) -> tuple[list[tuple[str, int, int, tuple[int, ...]]], list[str]]:
    """A clip: a one-bar lead-in, the verse, the chorus (cut to its first lines if
    the clip would run long) and a two-bar ending."""
    kinds = ["intro", *[k for k in kinds if k not in ("intro", "outro")], "outro"]
    form = _form(kinds, lyrics, genre, meter, 1, 2)
    notes: list[str] = []
    bars = sum(s[1] for s in form)
    for i, (kind, sbars, lyric, line_bars) in enumerate(form):
        if kind != "chorus":
            continue
        while len(line_bars) > 2 and seconds(bars, meter, tempo) > span[1]:
            bars -= line_bars[-1]
            line_bars = line_bars[:-1]
            notes.append("the chorus is cut to its first lines to keep the clip short")
        form[i] = (kind, sum(line_bars), lyric, line_bars)
    return form, sorted(set(notes))


def _fit(
    kinds: list[str], lyrics: Lyrics, genre: Genre, meter: tuple[int, int], tempo: int, span: tuple[float, float]
) -> tuple[list[tuple[str, int, int, tuple[int, ...]]], list[str]]:
    """Stretch or trim the form so it lasts within ``span`` seconds; say what changed."""
    intro, outro = genre.intro_bars, genre.outro_bars
    notes: list[str] = []
    form = _form(kinds, lyrics, genre, meter, intro, outro)

    def length(f: list[tuple[str, int, int, tuple[int, ...]]]) -> float:
        return seconds(sum(s[1] for s in f), meter, tempo)

    if length(form) < span[0] and "chorus" in kinds:
        last = len(kinds) - 1 - kinds[::-1].index("chorus")
        kinds = kinds[: last + 1] + ["chorus"] + kinds[last + 1 :]
        form = _form(kinds, lyrics, genre, meter, intro, outro)
        notes.append("the last chorus is sung twice to reach two minutes")
    if length(form) < span[0] and "intro" in kinds:
        intro, outro = intro * 2, outro * 2
        form = _form(kinds, lyrics, genre, meter, intro, outro)
        notes.append("intro and outro doubled to reach two minutes")
    if length(form) > span[1] and "bridge" in kinds:
        kinds = [k for k in kinds if k != "bridge"]
        form = _form(kinds, lyrics, genre, meter, intro, outro)
        notes.append("the bridge is left out to stay near three minutes")
    if length(form) > span[1] and intro > 2:
        intro, outro = 2, 2
        form = _form(kinds, lyrics, genre, meter, intro, outro)
        notes.append("intro and outro shortened to stay near three minutes")
    return form, notes



def idiomatic_modes(weights: dict[str, float], modes: tuple[str, ...]) -> tuple[dict[str, float], list[str]]:
    """The vibe's mode weights kept to a genre's idiomatic ``modes``.

    A modal weight the genre does not play goes to its parent: dorian to
    minor, mixolydian to major. Returns the weights and the modes folded.

    >>> idiomatic_modes({"major": 4, "minor": 1, "dorian": 0, "mixolydian": 2}, ("major", "minor"))
    ({'major': 6, 'minor': 1, 'dorian': 0, 'mixolydian': 0}, ['mixolydian'])
    """
    out = dict(weights)
    folded = []
    for mode, weight in weights.items():
        if mode not in modes:
            out[mode_info(mode).family] += weight
            out[mode] = 0
            if weight > 0:
                folded.append(mode)
    return out, folded


def plan(
    analysis: Analysis,
    lyrics: Lyrics,
    genre: Genre,
    vibe: Vibe,
    *,
    rng: np.random.Generator,
    length: Literal["short", "full"] = "full",
    key: tuple[int, str | None] | None = None,
    tempo: int | None = None,
) -> Plan:
    """Choose key, mode, tempo, meter and form.

    Args:
        key: an override from ``--key``: tonic pitch class and mode (or None
            to let the vibe choose the mode).
        tempo: an override from ``--tempo``, in BPM.

    Raises:
        InputError: ``tempo`` is outside :data:`TEMPO_LIMITS`.
    """
    reasons: list[tuple[str, str]] = []
    weights, folded = idiomatic_modes(mode_weights(vibe, analysis.sentiment.compound), genre.modes)
    if key is not None and key[1] is not None:
        mode = key[1]
        reasons.append(("mode", f"{mode}, as asked with --key"))
    else:
        mode = _choice(rng, weights)
        reasons.append((
            "mode",
            f"{mode}: the {vibe.id} vibe weighs "
            + ", ".join(f"{m} {weights[m]:g}" for m in MODES if weights[m] > 0)
            + f" after the message's sentiment ({analysis.sentiment.compound:+.2f})"
            + (f"; {genre.name} is not {' or '.join(folded)}, so those weights went to "
               f"{' and '.join(sorted({mode_info(m).family for m in folded}))}" if folded else ""),
        ))
    family = mode_info(mode).family
    if key is not None:
        tonic = key[0]
        reasons.append(("key", "the tonic asked for with --key"))
    else:
        tonic = int(genre.keys[family][int(rng.integers(len(genre.keys[family])))])
        reasons.append(("key", f"one of {genre.name}'s usual {family} keys"))
    key_name = spell(tonic, flats=uses_flats(tonic, mode))  # type: ignore[arg-type]

    meter_weights = [2.0 ** -i for i in range(len(genre.meters))]
    meter = genre.meters[int(rng.choice(len(genre.meters), p=np.array(meter_weights) / sum(meter_weights)))]
    reasons.append(("meter", f"{meter[0]}/{meter[1]}, " + (
        f"the meter of {genre.name}" if len(genre.meters) == 1 else f"one of {genre.name}'s meters"
    )))

    lo, hi = genre.tempo_range
    if tempo is not None:
        if not TEMPO_LIMITS[0] <= tempo <= TEMPO_LIMITS[1]:
            raise InputError(f"tempo must be {TEMPO_LIMITS[0]}..{TEMPO_LIMITS[1]} BPM, got {tempo}")
        bpm = tempo
        reasons.append(("tempo", f"{bpm} BPM, as asked with --tempo"))
    else:
        jitter = float(rng.uniform(-0.08, 0.08))
        position = min(1.0, max(0.0, vibe.tempo + jitter))
        bpm = int(round(lo + (hi - lo) * position))
        reasons.append(("tempo", f"{bpm} BPM: the {vibe.id} vibe sits at {vibe.tempo:.0%} of {genre.name}'s {lo}-{hi} BPM"))

    rules = data.load("rules", "form")
    span = tuple(data.require(rules, f"length.{length}_seconds", list, where=_WHERE))
    kinds = list(genre.form_full if length == "full" else genre.form_short)
    fit = _fit if length == "full" else _fit_short
    form, notes = fit(kinds, lyrics, genre, meter, bpm, (float(span[0]), float(span[1])))
    total = sum(s[1] for s in form)
    if tempo is None:  # last resort: move the tempo inside the genre's range
        need_lo = seconds(total, meter, 1) / span[1]
        need_hi = seconds(total, meter, 1) / span[0]
        fitted = int(round(min(max(bpm, need_lo, lo), need_hi, hi)))
        if fitted != bpm:
            notes.append(f"tempo moved from {bpm} to {fitted} BPM to fit the {length} length")
            bpm = fitted
            reasons[-1] = ("tempo", reasons[-1][1] + f", moved to {bpm} to fit the song's length")
    reasons.append((
        "form",
        f"{length} form of {genre.name}: " + ", ".join(s[0] for s in form)
        + (f" ({'; '.join(notes)})" if notes else ""),
    ))

    energy = data.require(rules, "energy", dict, where=_WHERE)
    names = data.require(rules, "names", dict, where=_WHERE)
    bar_ticks = meter[0] * PPQ * 4 // meter[1]
    last_chorus = max((i for i, s in enumerate(form) if s[0] == "chorus"), default=-1)
    counts: dict[str, int] = {}
    sections = []
    start = 0
    for i, (kind, bars, lyric, line_bars) in enumerate(form):
        counts[kind] = counts.get(kind, 0) + 1
        total_of_kind = sum(1 for s in form if s[0] == kind)
        label = names.get(kind, kind.title()) + (f" {counts[kind]}" if total_of_kind > 1 else "")
        level = float(energy["final_chorus"] if i == last_chorus and length == "full" else energy[kind])
        sections.append(SectionPlan(
            name=label, kind=kind, start=start, bars=bars, lyric=lyric,  # type: ignore[arg-type]
            energy=level, line_bars=line_bars,
        ))
        start += bars * bar_ticks
    swing = min(0.5, genre.swing + vibe.swing)
    if swing and meter[1] == 8:  # a compound meter's eighths are its pulse, not off-beats to swing
        reasons.append(("swing", f"none: {meter[0]}/{meter[1]} already rocks in threes"))
        swing = 0.0
    elif swing:
        reasons.append(("swing", f"{swing:.2f}: {genre.name}'s feel" + (f" plus the {vibe.id} vibe's" if vibe.swing else "")))
    return Plan(
        genre=genre.id,
        vibe=vibe.id,
        tonic=tonic,
        key_name=key_name,
        mode=mode,  # type: ignore[arg-type]
        tempo=bpm,
        meter=meter,
        swing=swing,
        sections=tuple(sections),
        reasons=tuple(reasons),
    )
