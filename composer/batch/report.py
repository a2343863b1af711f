"""A batch's stats as one self-contained HTML page: ``songgram stats DIR --html report.html``.

The charts are drawn by matplotlib as SVG and inlined, so the page needs no
network, no script and no other file to be viewed. matplotlib is used through
:class:`matplotlib.figure.Figure` alone (no pyplot, no global backend).
"""

from __future__ import annotations

import contextlib
import html
import io
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..errors import OutputError
from .stats import Stats

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["stats_to_html", "write_report"]

_CSS = """
body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: .6em; }
table { border-collapse: collapse; } td, th { padding: .2em .8em; border-bottom: 1px solid #eee; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
svg { max-width: 100%; height: auto; }
"""

_COLOR = "#3b6ea8"


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _bars(title: str, pairs: list[tuple[str, int]], total: int, *, top: int = 12) -> str:
    """A horizontal bar chart of shares, largest at the top."""
    from matplotlib.figure import Figure

    shown = pairs[:top]
    figure = Figure(figsize=(5.2, 0.35 * max(3, len(shown)) + 0.8))
    axes = figure.add_subplot()
    labels = [k for k, _ in shown][::-1]
    shares = [100 * n / max(1, total) for _, n in shown][::-1]
    axes.barh(labels, shares, color=_COLOR)
    for y, value in enumerate(shares):
        axes.text(value, y, f" {value:.1f}%", va="center", fontsize=8)
    axes.set_xlabel("% of songs made")
    axes.set_title(title)
    axes.set_xlim(0, max(shares, default=1) * 1.2 or 1)
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


def _heatmap(stats: Stats) -> str:
    """Songs per genre x vibe."""
    from matplotlib.figure import Figure

    genres = sorted({g for g, _, _ in stats.genres_vibes})
    vibes = sorted({v for _, v, _ in stats.genres_vibes})
    counts = {(g, v): n for g, v, n in stats.genres_vibes}
    grid = [[counts.get((g, v), 0) for v in vibes] for g in genres]
    figure = Figure(figsize=(0.8 * len(vibes) + 2.5, 0.4 * len(genres) + 1.5))
    axes = figure.add_subplot()
    image = axes.imshow(grid, cmap="Blues", aspect="auto")
    axes.set_xticks(range(len(vibes)), vibes, rotation=30, ha="right")
    axes.set_yticks(range(len(genres)), genres)
    peak = max((n for row in grid for n in row), default=0)
    for y, row in enumerate(grid):
        for x, n in enumerate(row):
            if n:
                axes.text(x, y, str(n), ha="center", va="center", fontsize=8,
                          color="white" if n > peak / 2 else "black")
    figure.colorbar(image, ax=axes, label="songs")
    axes.set_title("genres x vibes")
    return _svg(figure)


def _throughput(stats: Stats) -> str:
    """Songs per minute of each run."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.5, 3.2))
    axes = figure.add_subplot()
    runs = [run for run in stats.runs if run.made]
    labels = [f"#{r.run} {r.engine} x{r.workers}{'' if r.audio else ' (no audio)'}" for r in runs]
    axes.bar(labels, [r.songs_per_minute for r in runs], color=_COLOR)
    axes.set_ylabel("songs / minute")
    axes.set_title("throughput per run")
    axes.tick_params(axis="x", labelrotation=20, labelsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


def _table(headers: tuple[str, ...], rows: Sequence[tuple[object, ...]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td class="n">{v}</td>' if isinstance(v, (int, float)) else
                                    f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def stats_to_html(stats: Stats, *, title: str = "Songgram batch") -> str:
    """The stats as one HTML page with inline SVG charts."""
    made = stats.status.get("done", 0)
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
             f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>",
             "<p>" + ", ".join(f"<b>{n}</b> {s}" for s, n in stats.status.items()) + f" of {stats.requests} requests."]
    if made:
        parts.append(f" Per song: {stats.seconds_per_song:.2f} s (median), {stats.core_seconds_per_song:.2f} "
                     f"core-seconds (mean), {stats.bytes_per_song / 1e6:.2f} MB.")
    parts.append("</p>")
    if made:
        parts.append("<h2>What people asked for</h2><div class='grid'>")
        for name, pairs in (("themes", stats.themes), ("relations", stats.relations),
                            ("occasions", stats.occasions), ("languages", stats.languages)):
            parts.append(f"<div class='card'>{_bars(name, pairs, made)}</div>")
        parts.append("</div><h2>Genres and vibes</h2>")
        parts.append(f"<div class='card'>{_heatmap(stats)}</div>")
    parts.append("<h2>Refusals</h2>")
    parts.append(_table(("reason", "requests"), stats.refusals) if stats.refusals else "<p>None.</p>")
    parts.append("<h2>Failures</h2>")
    parts.append(_table(("reason", "requests"), stats.failures) if stats.failures else "<p>None.</p>")
    if stats.runs:
        parts.append("<h2>Throughput</h2><div>")
        if any(run.made for run in stats.runs):
            parts.append(f"<div class='card'>{_throughput(stats)}</div>")
        parts.append("<div>" + _table(("run", "started (UTC)", "engine", "workers", "audio", "songs", "seconds",
                                       "songs/min", "core-s/song"),
                                      [(r.run, r.started_at, r.engine, r.workers, "yes" if r.audio else "no",
                                        r.made, r.wall_seconds, r.songs_per_minute, r.core_seconds_per_song)
                                       for r in stats.runs]) + "</div></div>")
    parts.append("</body></html>\n")
    return "".join(parts)


def write_report(stats: Stats, path: str | Path, *, title: str = "Songgram batch") -> Path:
    """Write the HTML page to ``path`` (through a temporary name, then renamed).

    Raises:
        OutputError: ``path`` cannot be written.
    """
    path = Path(path)
    page = stats_to_html(stats, title=title)
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(page, encoding="utf-8")
        temporary.replace(path)
    except OSError as err:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise OutputError(f"cannot write {path}: {err.strerror or err}") from err
    return path
