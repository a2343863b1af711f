"""song.png: a piano-roll overview of the whole song, for people who would rather look.

The song is drawn as one or more rows ("systems") of equal bar width, broken
at section boundaries. Each row has, top to bottom: the sections (names on
coloured bands) and the chord symbols; then one lane per track: the sung
line highlighted, with its syllables written small above the notes; the
pitched parts as piano-roll bars (darker is louder); the drums as hits, one
row per drum named from rules/drums.toml. The title gives the genre, vibe,
key, tempo, meter and length.

matplotlib is imported inside :func:`song_to_png` (with its Agg canvas, never
pyplot), so composing without a picture never pays for it.

>>> _rows([4, 8, 8, 8, 8, 4, 8, 8, 4])
[(0, 20), (20, 40), (40, 60)]
>>> _rows([4, 8, 8])
[(0, 20)]
"""

from __future__ import annotations

import io
import os
from typing import Any

from .. import data
from ..errors import GrammarError, RenderError
from ..model import PPQ, Song, Track
from ..theory import spell


__all__ = ["song_to_png", "MAX_BARS_PER_ROW"]

MAX_BARS_PER_ROW = 24
"""A row holds at most this many bars, unless one section alone is longer."""

_WIDTH_IN = 18.0          # figure width in inches
_LABEL_IN = 1.1           # left margin for lane names
_DPI = 110
_ROLE_COLOURS = {"vocal": "#e4572e", "bass": "#1f6fb2", "chords": "#3a9d5d", "pad": "#8e5cb8",
                 "lead": "#e09f1f", "drums": "#3b3b3b"}
_SECTION_COLOURS = {"intro": "#d9d9d9", "verse": "#cfe3f7", "prechorus": "#d7efd2", "chorus": "#ffd9b3",
                    "bridge": "#e6d5f2", "outro": "#d9d9d9", "build": "#f7e3a1", "drop": "#f4b6b6",
                    "solo": "#ffe9cc"}
# Lane heights, in inches, per role (drums grow with the number of drums used).
_LANE_IN = {"vocal": 1.9, "bass": 0.55, "chords": 0.7, "pad": 0.55, "lead": 0.7}
_HEADER_IN = 0.5
_GAP_IN = 0.45


def _rows(section_bars: list[int], *, max_bars: int = MAX_BARS_PER_ROW) -> list[tuple[int, int]]:
    """Break the form into rows of whole sections: (first bar, end bar) per row.

    As few rows as fit ``max_bars`` each (a longer section gets a row of its
    own), then the cuts that make the longest row as short as possible.
    """
    edges = [0]
    for bars in section_bars:
        edges.append(edges[-1] + bars)
    count, fill = 1, 0
    for bars in section_bars:
        if fill and fill + bars > max_bars:
            count, fill = count + 1, 0
        fill += bars
    # best[(k, i)]: (longest row, end of the first row) when sections i.. fill k rows.
    n = len(section_bars)
    best = {(1, i): (edges[n] - edges[i], n) for i in range(n)}
    for k in range(2, count + 1):
        for i in range(n):
            options = [(max(edges[j] - edges[i], best[(k - 1, j)][0]), j) for j in range(i + 1, n)
                       if (k - 1, j) in best]
            if options:
                best[(k, i)] = min(options)
    cuts, i = [0], 0
    for k in range(count, 0, -1):
        i = best[(k, i)][1]
        cuts.append(edges[i])
    return list(zip(cuts, cuts[1:]))


def _drum_names() -> dict[int, str]:
    """GM drum note -> name, derived from rules/drums.toml."""
    notes = data.load("rules", "drums").get("notes", {})
    names: dict[int, str] = {}
    for name, note in notes.items():
        label = {"hat": "closed hat", "open": "open hat", "pedal": "pedal hat"}.get(name, name.replace("_", " "))
        names.setdefault(int(note), label)
    return names


def _lane_height(track: Track) -> float:
    if track.is_drums:
        return 0.16 * max(3, len({n.pitch for n in track.notes})) + 0.1
    return _LANE_IN.get(track.role, 0.6)


def _subtitle(song: Song) -> str:
    from ..grammar import genre

    plan = song.plan
    try:
        genre_name = genre(plan.genre).name
    except GrammarError:  # a song made with a grammar that has since changed: show its id
        genre_name = plan.genre
    mode = plan.mode
    minutes, seconds = divmod(round(song.seconds), 60)
    return (f"{genre_name}  ·  {plan.vibe}  ·  {plan.key_name} {mode}  ·  {plan.tempo} BPM  ·  "
            f"{plan.meter[0]}/{plan.meter[1]}  ·  {minutes}:{seconds:02d}  ·  seed {song.seed}")


def song_to_png(song: Song, path: str | os.PathLike[str]) -> None:
    """Draw the piano-roll overview of ``song`` into the PNG file ``path``.

    Raises:
        RenderError: matplotlib is not installed.
    """
    from ..extras import require
    require("png", what="song.png", error=RenderError)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    plan = song.plan
    bar = plan.bar_ticks
    tracks = [t for t in song.tracks if t.notes] or list(song.tracks)
    rows = _rows([s.bars for s in plan.sections])
    row_bars = max(b - a for a, b in rows)
    lanes_in = [_lane_height(t) for t in tracks]
    row_in = _HEADER_IN + sum(lanes_in)
    title_in = 0.95
    height = title_in + len(rows) * row_in + (len(rows) - 1) * _GAP_IN + 0.45

    fig = Figure(figsize=(_WIDTH_IN, height), dpi=_DPI)
    FigureCanvasAgg(fig)
    fig.text(0.5, 1 - 0.38 / height, song.title, ha="center", va="center", fontsize=20, weight="bold")
    fig.text(0.5, 1 - 0.72 / height, _subtitle(song), ha="center", va="center", fontsize=11, color="#444444")

    left = _LABEL_IN / _WIDTH_IN
    width = 1 - left - 0.25 / _WIDTH_IN
    inch_per_bar = width * _WIDTH_IN / row_bars
    drum_names = _drum_names()
    ranges = {t.name: _pitch_range(t) for t in tracks if not t.is_drums}
    top = height - title_in
    for first, last in rows:
        x0, x1 = first * bar / PPQ, (first + row_bars) * bar / PPQ  # x in quarter notes
        span = (first * bar, last * bar)
        header = fig.add_axes((left, (top - _HEADER_IN) / height, width, _HEADER_IN / height))
        _draw_header(header, song, span, (x0, x1), inch_per_bar * PPQ / bar)
        y = top - _HEADER_IN
        for track, lane_in in zip(tracks, lanes_in):
            ax = fig.add_axes((left, (y - lane_in) / height, width, lane_in / height))
            _frame(ax, song, span, (x0, x1), track)
            if track.is_drums:
                _draw_drums(ax, track, span, drum_names)
            else:
                _draw_notes(ax, track, span, ranges[track.name])
                if track.role == "vocal":
                    low, high = ranges[track.name]
                    _draw_syllables(ax, song, span, inch_per_bar * PPQ / bar, lane_in / (high - low))
            y -= lane_in
        ax.set_xticks([b * bar / PPQ for b in range(first, last + 1)])
        ax.set_xticklabels([str(b + 1) if (b - first) % 2 == 0 and b < last else "" for b in range(first, last + 1)],
                           fontsize=7, color="#555555")
        ax.tick_params(axis="x", length=2, pad=1)
        top = y - _GAP_IN
    # Drawn in RGBA, then stored with a 256-colour palette: a third of the size, the same to the eye.
    from PIL import Image  # Pillow comes with matplotlib

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, facecolor="white", pil_kwargs={"compress_level": 1})
    with Image.open(buffer) as image:
        palette = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                                dither=Image.Dither.NONE)
    palette.save(path, format="PNG", optimize=False, compress_level=7)


def _pitch_range(track: Track) -> tuple[int, int]:
    pitches = [n.pitch for n in track.notes] or [60]
    low, high = min(pitches), max(pitches)
    pad = 2 if track.role != "vocal" else 1
    return low - pad, high + pad + (6 if track.role == "vocal" else 0)


def _frame(ax: Any, song: Song, span: tuple[int, int], xlim: tuple[float, float], track: Track) -> None:
    """Lane background: section colours, bar lines, the lane's name; no ticks."""
    ax.set_xlim(*xlim)
    ax.set_facecolor("white")
    starts = []
    for section in song.plan.sections:
        start, end = section.start, section.start + section.bars * song.plan.bar_ticks
        if end <= span[0] or start >= span[1]:
            continue
        ax.axvspan(start / PPQ, end / PPQ, color=_SECTION_COLOURS.get(section.kind, "#eeeeee"), alpha=0.35, lw=0)
        starts.append(start / PPQ)
    bar = song.plan.bar_ticks
    edge = ax.get_xaxis_transform()  # x in data, y in axes: lines span the lane
    ax.vlines([b * bar / PPQ for b in range(span[0] // bar, span[1] // bar + 1)], 0, 1, transform=edge,
              colors="#bbbbbb", lw=0.4, zorder=0.5)
    ax.vlines(starts, 0, 1, transform=edge, colors="#777777", lw=1.1)
    ax.set_yticks([])
    ax.set_xticks([])
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#999999")
    colour = _ROLE_COLOURS.get(track.role, "#555555")
    ax.text(-_LABEL_IN / ax.figure.get_figwidth() * 0.93 / ax.get_position().width, 0.5, track.name,
            transform=ax.transAxes, ha="left", va="center", fontsize=10,
            weight="bold" if track.role == "vocal" else "normal", color=colour)


def _draw_header(ax: Any, song: Song, span: tuple[int, int], xlim: tuple[float, float],
                 inch_per_quarter: float) -> None:
    """Section names on coloured bands (upper half) and chord symbols (lower half)."""
    ax.set_xlim(*xlim)
    ax.set_ylim(0, 2)
    ax.axis("off")
    bar = song.plan.bar_ticks
    for section in song.plan.sections:
        start, end = section.start, section.start + section.bars * bar
        if end <= span[0] or start >= span[1]:
            continue
        ax.axvspan(start / PPQ, end / PPQ, ymin=0.5, ymax=1.0, color=_SECTION_COLOURS.get(section.kind, "#eeeeee"),
                   lw=0)
        ax.axvline(start / PPQ, ymin=0, ymax=1, color="#777777", lw=1.1)
        ax.text(start / PPQ + 0.25, 1.5, section.name, ha="left", va="center", fontsize=10, weight="bold",
                color="#222222", clip_on=True)
    chords = [c for c in song.chords if span[0] <= c.start < span[1]]
    for chord, after in zip(chords, [*chords[1:], None]):
        room = ((after.start if after else chord.start + chord.dur) - chord.start) / PPQ * inch_per_quarter
        # As large as fits before the next chord: 8.5 pt, or down to 5.5 pt when chords come fast.
        size = max(5.5, min(8.5, (room - 0.04) * 72 / (0.62 * max(len(chord.symbol), 1))))
        ax.text(chord.start / PPQ + 0.03 / inch_per_quarter, 0.45, chord.symbol, ha="left", va="center",
                fontsize=size, color="#1a1a1a")
    ax.vlines([c.start / PPQ for c in chords], 0.1, 0.8, colors="#888888", lw=0.6)


def _draw_notes(ax: Any, track: Track, span: tuple[int, int], pitch_range: tuple[int, int]) -> None:
    from matplotlib.collections import PolyCollection

    low, high = pitch_range
    xlim_content = (span[0] / PPQ, span[1] / PPQ)
    ax.set_ylim(low, high)
    colour = _ROLE_COLOURS.get(track.role, "#555555")
    vocal = track.role == "vocal"
    bars = [(n.start / PPQ, max(n.dur, PPQ // 8) / PPQ, n.pitch, n.velocity) for n in track.notes
            if span[0] <= n.start < span[1]]
    if not bars:
        return
    height = 0.85 if vocal else max(0.8, (high - low) / 40)
    red, green, blue = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    boxes = PolyCollection(
        [[(x, p - height / 2), (x + d * 0.97, p - height / 2), (x + d * 0.97, p + height / 2), (x, p + height / 2)]
         for x, d, p, _v in bars],
        facecolors=[(red, green, blue, _alpha(v, vocal)) for _x, _d, _p, v in bars],
        edgecolors="#7a1f08" if vocal else "none", linewidths=0.5 if vocal else 0)
    ax.add_collection(boxes)
    if vocal or track.role in ("bass", "lead"):
        # A few octave marks so a musician can read the register.
        for c in range((low // 12 + 1) * 12, high, 12):
            ax.text(-0.002, c, spell(c, flats=False) + str(c // 12 - 1), transform=ax.get_yaxis_transform(),
                    ha="right", va="center", fontsize=6, color="#888888")
            ax.plot(xlim_content, [c, c], color="#dddddd", lw=0.5, zorder=0.4)


def _alpha(velocity: int, vocal: bool) -> float:
    if vocal:
        return 1.0
    return round(0.35 + 0.65 * min(velocity, 127) / 127, 1)


def _draw_drums(ax: Any, track: Track, span: tuple[int, int], names: dict[int, str]) -> None:
    used = sorted({n.pitch for n in track.notes})
    row = {p: i for i, p in enumerate(used)}
    ax.set_ylim(-0.7, max(len(used), 1) - 0.3)
    xs = [n.start / PPQ for n in track.notes if span[0] <= n.start < span[1]]
    ys = [row[n.pitch] for n in track.notes if span[0] <= n.start < span[1]]
    sizes = [4 + 14 * (n.velocity / 127) ** 2 for n in track.notes if span[0] <= n.start < span[1]]
    ax.scatter(xs, ys, s=sizes, c=_ROLE_COLOURS["drums"], marker="o", linewidths=0)
    for pitch, i in row.items():
        ax.text(-0.002, i, names.get(pitch, f"drum {pitch}"), transform=ax.get_yaxis_transform(), ha="right",
                va="center", fontsize=6, color="#666666")


def _draw_syllables(ax: Any, song: Song, span: tuple[int, int], inch_per_quarter: float,
                    inch_per_semitone: float) -> None:
    """Each syllable small above its note, lifted until it overlaps no syllable before it."""
    fontsize = 6.5
    char_w = fontsize * 0.6 / 72 / inch_per_quarter    # one character's width, in quarter notes
    text_h = fontsize * 1.25 / 72 / inch_per_semitone  # one line's height, in semitones
    placed: list[tuple[float, float, float]] = []      # (right edge, bottom, top) of recent syllables
    for n in song.vocal:
        if not span[0] <= n.start < span[1]:
            continue
        x = n.start / PPQ
        right = x + len(n.lyric.rstrip()) * char_w
        placed = [box for box in placed if box[0] > x]
        y = n.pitch + 0.6
        for _ in range(6):
            clash = [top for _r, bottom, top in placed if bottom < y + text_h and y < top]
            if not clash:
                break
            y = max(clash) + 0.1
        placed.append((right, y, y + text_h))
        ax.text(x, y, n.lyric.rstrip(), fontsize=fontsize, ha="left", va="bottom", color="#7a1f08", clip_on=False)
