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
from .grammar import INSTRUMENTAL_KINDS, Genre
from .model import PPQ, Analysis, Lyrics, Plan, SectionPlan
from .theory import MODES, TEMPO_LIMITS, mode_info, spell, uses_flats
from .vibes import Vibe, mode_weights

__all__ = ["plan", "idiomatic_modes", "grow", "TEMPO_LIMITS", "seconds"]


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
    section = lyrics.sections[index]
    rapped = section.kind == "verse" and genre.rap_per_bar > 0
    if rapped:
        return _rap_bars(tuple(line.syllable_count for line in section.lines), genre.rap_per_bar)
    out = []
    for line in section.lines:
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


def _rap_bars(syllables: tuple[int, ...], per_bar: int) -> tuple[int, ...]:
    """Bars for each line of a rapped verse: short lines share a bar (the second gets 0 bars: it
    follows the first in the same bar), a long one takes the bars its syllables fill at ``per_bar``.
    A rap is never stretched: a short message makes a shorter verse.

    >>> _rap_bars((6, 7, 9, 20, 6), 12)
    (1, 0, 1, 2, 1)
    """
    out: list[int] = []
    i = 0
    while i < len(syllables):
        if i + 1 < len(syllables) and syllables[i] + syllables[i + 1] <= _RAP_BAR:
            out += [1, 0]
            i += 2
            continue
        out.append(max(1, -(-syllables[i] // _RAP_BAR), round(syllables[i] / per_bar)))
        i += 1
    return tuple(out)


_RAP_BAR = 13
"""The most syllables a rapped bar holds on the sixteenth grid (an eighth's breath kept at its end)."""


def _instrumental_bars(kind: str, genre: Genre, intro: int, outro: int, chorus: int) -> int:
    """Bars of an instrumental section: the grammar's intro and outro, rules/form.toml's build, a drop
    or solo as long as the chorus (and at least the rule's bars)."""
    if kind in ("intro", "outro"):
        return intro if kind == "intro" else outro
    least = data.require(data.load("rules", "form"), f"bars.{kind}", int, where=_WHERE)
    return least if kind == "build" else max(least, chorus)


def _form(
    kinds: list[str], lyrics: Lyrics, genre: Genre, meter: tuple[int, int], intro: int, outro: int
) -> list[tuple[str, int, int, tuple[int, ...]]]:
    """(kind, bars, lyric index, line bars) for each section of ``kinds``."""
    kinds = grow(kinds, sum(1 for s in lyrics.sections if s.kind == "verse"))
    by_kind: dict[str, list[int]] = {}
    for i, section in enumerate(lyrics.sections):
        by_kind.setdefault(section.kind, []).append(i)
    chorus = sum(_line_bars(lyrics, by_kind["chorus"][0], genre, meter)) if by_kind.get("chorus") else 8
    seen: dict[str, int] = {}
    out: list[tuple[str, int, int, tuple[int, ...]]] = []
    for kind in kinds:
        if kind in INSTRUMENTAL_KINDS:
            out.append((kind, _instrumental_bars(kind, genre, intro, outro, chorus), -1, ()))
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
    the clip would run long, sung twice if it would run short) and a two-bar ending."""
    kinds = ["intro", *[k for k in kinds if k not in INSTRUMENTAL_KINDS], "outro"]
    form = _form(kinds, lyrics, genre, meter, 1, 2)
    notes: list[str] = []
    if seconds(sum(s[1] for s in form), meter, tempo) < span[0] and "chorus" in kinds:
        kinds.insert(len(kinds) - 1, "chorus")
        form = _form(kinds, lyrics, genre, meter, 1, 2)
        notes.append("the chorus is sung twice to fill the clip")
    bars = sum(s[1] for s in form)
    for i, (kind, _bars, lyric, line_bars) in enumerate(form):
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
    """Grow or trim the form (never the tempo) so it lasts within ``span`` seconds; say what changed.

    A short song first sings its last chorus twice, then gains an instrumental
    solo on the chorus (the lead plays the hook), then a longer outro, then
    more rounds of the solo; a long
    one loses its bridge, then shortens its intro and outro. Intros stay at
    most four bars.
    """
    intro, outro = min(4, genre.intro_bars), genre.outro_bars
    notes: list[str] = []
    form = _form(kinds, lyrics, genre, meter, intro, outro)

    def length(f: list[tuple[str, int, int, tuple[int, ...]]]) -> float:
        return seconds(sum(s[1] for s in f), meter, tempo)

    if length(form) < span[0] and "chorus" in kinds:
        last = len(kinds) - 1 - kinds[::-1].index("chorus")
        kinds = kinds[: last + 1] + ["chorus"] + kinds[last + 1 :]
        form = _form(kinds, lyrics, genre, meter, intro, outro)
        notes.append("the last chorus is sung twice to reach two minutes")
    if length(form) < span[0] and "chorus" in kinds and "drop" not in kinds:
        second = [i for i, k in enumerate(kinds) if k == "chorus"][min(1, kinds.count("chorus") - 1)]
        kinds = kinds[: second + 1] + ["solo"] + kinds[second + 1 :]
        form = _form(kinds, lyrics, genre, meter, intro, outro)
        notes.append("an instrumental solo on the chorus to reach two minutes")
    if length(form) < span[0] and "outro" in kinds:
        outro *= 2
        form = _form(kinds, lyrics, genre, meter, intro, outro)
        notes.append("the outro doubled to reach two minutes")
    while length(form) < span[0] and 0 < kinds.count("solo") < 3:  # a fast song: the solo takes more rounds
        at = kinds.index("solo")
        kinds = kinds[:at] + ["solo"] + kinds[at:]
        form = _form(kinds, lyrics, genre, meter, intro, outro)
    notes = list(dict.fromkeys(notes))
    if length(form) > span[1] and "bridge" in kinds:
        kinds = [k for k in kinds if k != "bridge"]
        form = _form(kinds, lyrics, genre, meter, intro, outro)
        notes.append("the bridge is left out to stay near three minutes")
    if length(form) > span[1] and (intro > 2 or outro > 2):
        intro, outro = min(intro, 2), min(outro, 2)
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
    rules = data.load("rules", "form")
    if tempo is not None:
        if not TEMPO_LIMITS[0] <= tempo <= TEMPO_LIMITS[1]:
            raise InputError(f"tempo must be {TEMPO_LIMITS[0]}..{TEMPO_LIMITS[1]} BPM, got {tempo}", field="tempo",
                             value=tempo)
        bpm = tempo
        reasons.append(("tempo", f"{bpm} BPM, as asked with --tempo"))
    else:  # the vibe's place in the range, give or take a little; the form fits the length, not the tempo
        spread = data.require(rules, "tempo.jitter", float, where=_WHERE)
        jitter = float(rng.uniform(-spread, spread))
        position = min(1.0, max(0.0, vibe.tempo + jitter))
        bpm = int(round(lo + (hi - lo) * position))
        reasons.append(("tempo", f"{bpm} BPM: the {vibe.id} vibe sits at {vibe.tempo:.0%} of {genre.name}'s {lo}-{hi} BPM"))

    span = tuple(data.require(rules, f"length.{length}_seconds", list, where=_WHERE))
    kinds = list(genre.form_full if length == "full" else genre.form_short)
    fit = _fit if length == "full" else _fit_short
    form, notes = fit(kinds, lyrics, genre, meter, bpm, (float(span[0]), float(span[1])))
    reasons.append((
        "form",
        f"{length} form of {genre.name}: " + ", ".join(s[0] for s in form)
        + (f" ({'; '.join(notes)})" if notes else ""),
    ))

    energy = data.require(rules, "energy", dict, where=_WHERE)
    names = data.require(rules, "names", dict, where=_WHERE)
    bar_ticks = meter[0] * PPQ * 4 // meter[1]
    last_chorus = max((i for i, s in enumerate(form) if s[0] == "chorus"), default=-1)
    lift = data.require(rules, "lift.key", int, where=_WHERE) if genre.final_lift == "key" and length == "full" else 0
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
            energy=level, line_bars=line_bars, shift=lift if 0 <= last_chorus <= i else 0,
        ))
        start += bars * bar_ticks
    swing = min(0.5, genre.swing + vibe.swing)
    if swing and meter[1] == 8:  # a compound meter's eighths are its pulse, not off-beats to swing
        reasons.append(("swing", f"none: {meter[0]}/{meter[1]} already rocks in threes"))
        swing = 0.0
    elif swing and not genre.swing:  # a straight genre (bossa nova, pop, EDM...) stays straight whatever the vibe
        reasons.append(("swing", f"none: {genre.name} is played straight"))
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
