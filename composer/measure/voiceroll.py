"""A piano roll of the written Vocal notes with the sung f0 curve drawn over them (matplotlib, PNG).

Notes are bars at their written pitch and performed time, coloured by what
was sung at their middle: green within 25 cents, amber within 50, red
otherwise (octave errors included), grey when no pitch was found. The f0
curve (voiced frames only) is drawn in black in the same semitone units, so
a scoop, vibrato or a slip shows as the line leaving its bar. Section
boundaries are marked and named. The picture spans the song up to the end of
its first chorus (a verse and a chorus, large enough to see each note).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .sung import Section
from .voice import NoteMeasure, PitchTrack

__all__ = ["voice_to_png", "folder_to_voice_png"]

COLOURS = {"25": "#7fc97f", "50": "#fdc086", "miss": "#f0027f", "none": "#bbbbbb"}


def _colour(m: NoteMeasure) -> str:
    if m.cents is None:
        return COLOURS["none"]
    return COLOURS["25"] if m.within(25) else COLOURS["50"] if m.within(50) else COLOURS["miss"]


def voice_to_png(notes: list[NoteMeasure], track: PitchTrack, path: Path, *, title: str = "",
                 sections: tuple[Section, ...] = ()) -> Path:
    """Draw the notes and the f0 curve into ``path`` (written to a temporary name, then renamed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    chorus = next((s for s in sections if s.kind == "chorus"), None)
    start = max(0.0, min((m.note.start for m in notes), default=0.0) - 1.0)
    end = chorus.end if chorus else max((m.note.end for m in notes), default=1.0) + 1.0
    notes = [m for m in notes if m.note.start < end]
    pitches = [m.note.pitch for m in notes] or [60]
    low, high = min(pitches) - 5, max(pitches) + 5
    fig, ax = plt.subplots(figsize=(max(12.0, (end - start) / 3.5), 5.0), dpi=100)
    for m in notes:
        ax.add_patch(plt.Rectangle((m.note.start, m.note.pitch - 0.5), m.note.end - m.note.start, 1.0,
                                   facecolor=_colour(m), edgecolor="#333333", linewidth=0.6, zorder=1))
    voiced = track.f0 > 0
    semis = np.full(len(track.f0), np.nan)
    semis[voiced] = 69 + 12 * np.log2(track.f0[voiced] / 440.0)
    semis[(semis < low - 12) | (semis > high + 12)] = np.nan
    ax.plot(track.times, semis, color="black", linewidth=0.5, alpha=0.7, zorder=2)
    for s in (s for s in sections if s.start < end):
        ax.axvline(s.start, color="#8888ff", linewidth=0.6, linestyle="--")
        ax.text(max(s.start, start) + 0.2, high - 0.8, s.name, fontsize=7, color="#4444aa", va="top")
    names = "C C# D Eb E F F# G Ab A Bb B".split()
    ticks = [p for p in range(low, high + 1) if p % 12 in (0, 4, 7)]
    ax.set_yticks(ticks, [f"{names[p % 12]}{p // 12 - 1}" for p in ticks])
    ax.set_xlim(start, end)
    ax.set_ylim(low, high)
    ax.set_xlabel("seconds")
    ax.set_title(title, fontsize=10)
    ax.grid(axis="y", linewidth=0.3, alpha=0.5)
    ax.legend(handles=[Patch(color=COLOURS["25"], label="within 25 cents"),
                       Patch(color=COLOURS["50"], label="within 50 cents"),
                       Patch(color=COLOURS["miss"], label="off (or octave off)"),
                       Patch(color=COLOURS["none"], label="no pitch found"),
                       plt.Line2D([], [], color="black", linewidth=0.8, label="sung f0")],
              loc="lower right", fontsize=7, ncol=5)
    fig.tight_layout()
    path = Path(path)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp.png")
    try:
        fig.savefig(temp)
        os.replace(temp, path)
    finally:
        plt.close(fig)
        if temp.exists():
            temp.unlink()
    return path


def folder_to_voice_png(folder: Path, path: Path, *, title: str = "") -> Path:
    """Measure a folder written by ``songgram compose --stems`` and draw its voice roll into ``path``."""
    from .sung import load_stems, read_take
    from .voice import measure_notes

    take = read_take(folder)
    vocal, _, rate = load_stems(folder)
    notes, track = measure_notes(take.notes, vocal, rate)
    within = sum(m.within(25) for m in notes) / max(1, len(notes))
    label = f"{title}  ({within:.0%} of {len(notes)} notes within 25 cents)" if title else ""
    return voice_to_png(notes, track, path, title=label, sections=take.sections)
