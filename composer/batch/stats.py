"""What a batch's people asked for, and how fast it was made: ``songgram stats DIR``.

:func:`batch_stats` reads a manifest (read-only, so it works while the batch
runs) into a :class:`Stats`: shares of themes, relations, occasions and
languages among the songs made, genres x vibes, refusals and failures with
their reasons, and throughput per run. :func:`stats_table` prints it for a
terminal; :meth:`Stats.to_json` gives it to scripts; :mod:`.report` draws it.

>>> rows = [{"status": "done", "theme": "love", "relation": "partner", "occasion": "", "language": "en",
...          "genre": "pop", "vibe": "upbeat", "seconds": 2.0, "core_seconds": 3.0, "bytes": 1000, "error": ""},
...         {"status": "refused", "theme": "", "relation": "", "occasion": "", "language": "en",
...          "genre": "rock", "vibe": "upbeat", "seconds": 0.1, "core_seconds": 0.1, "bytes": 0,
...          "error": "this message cannot be sung"}]
>>> s = stats_from_rows(rows, [])
>>> s.status, s.themes, s.refusals
({'done': 1, 'refused': 1, 'failed': 0}, [('love', 1)], [('this message cannot be sung', 1)])
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .manifest import STATUSES, read_manifest

__all__ = ["Stats", "RunStats", "batch_stats", "stats_from_rows", "stats_table"]

_LINE = re.compile(r"^line \d+: ")


@dataclass(frozen=True, slots=True)
class RunStats:
    """One run of the batch command over the folder.

    Attributes:
        run: its number, from 1.
        started_at: when it started (UTC).
        engine: "local" or "ray".
        workers: its workers.
        audio: whether it rendered audio.
        made: songs it made.
        wall_seconds: its wall-clock time.
        songs_per_minute: songs made per minute.
        core_seconds_per_song: CPU seconds per song made.
    """

    run: int
    started_at: str
    engine: str
    workers: int
    audio: bool
    made: int
    wall_seconds: float
    songs_per_minute: float
    core_seconds_per_song: float


@dataclass(frozen=True, slots=True)
class Stats:
    """A batch in numbers. Each share is a list of (value, count), largest first.

    Attributes:
        requests: rows in the manifest.
        status: rows per status.
        themes: main themes of the songs made.
        relations: recipients' relations of the songs made.
        occasions: occasions named by the songs made ("none" when a message names none).
        languages: declared languages of the songs made.
        genres_vibes: songs made per (genre, vibe).
        refusals: refused requests per reason.
        failures: failed requests per reason (line numbers left out so alike reasons group).
        seconds_per_song: median wall-clock seconds of a song made.
        core_seconds_per_song: mean CPU seconds of a song made (the cost that scales).
        bytes_per_song: mean bytes written per song made.
        bytes_total: bytes written by the songs made.
        runs: each run of the batch command.
    """

    requests: int
    status: dict[str, int]
    themes: list[tuple[str, int]]
    relations: list[tuple[str, int]]
    occasions: list[tuple[str, int]]
    languages: list[tuple[str, int]]
    genres_vibes: list[tuple[str, str, int]]
    refusals: list[tuple[str, int]]
    failures: list[tuple[str, int]]
    seconds_per_song: float
    core_seconds_per_song: float
    bytes_per_song: float
    bytes_total: int
    runs: list[RunStats]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; each share as {value: count} in order, with shares of the songs made."""
        made = max(1, self.status.get("done", 0))

        def share(pairs: list[tuple[str, int]]) -> list[dict[str, Any]]:
            return [{"value": k, "count": n, "share": round(n / made, 4)} for k, n in pairs]

        return {
            "requests": self.requests, "status": self.status,
            "themes": share(self.themes), "relations": share(self.relations), "occasions": share(self.occasions),
            "languages": share(self.languages),
            "genres_vibes": [{"genre": g, "vibe": v, "count": n} for g, v, n in self.genres_vibes],
            "refusals": [{"reason": r, "count": n} for r, n in self.refusals],
            "failures": [{"reason": r, "count": n} for r, n in self.failures],
            "seconds_per_song": self.seconds_per_song, "core_seconds_per_song": self.core_seconds_per_song,
            "bytes_per_song": self.bytes_per_song, "bytes_total": self.bytes_total,
            "runs": [asdict(run) for run in self.runs],
        }


def batch_stats(folder: str | Path) -> Stats:
    """The stats of the batch in ``folder``.

    Raises:
        OutputError: ``folder`` holds no readable manifest.
    """
    rows, runs = read_manifest(Path(folder))
    return stats_from_rows(rows, runs)


def _ranked(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def stats_from_rows(rows: list[dict[str, Any]], runs: list[dict[str, Any]]) -> Stats:
    """Stats from manifest rows and runs (as :func:`~composer.batch.manifest.read_manifest` gives them)."""
    done = [r for r in rows if r["status"] == "done"]
    status = {s: sum(1 for r in rows if r["status"] == s) for s in STATUSES}
    pairs = Counter((r["genre"] or "?", r["vibe"] or "?") for r in done)
    return Stats(
        requests=len(rows),
        status=status,
        themes=_ranked(Counter(r["theme"] or "?" for r in done)),
        relations=_ranked(Counter(r["relation"] or "?" for r in done)),
        occasions=_ranked(Counter(r["occasion"] or "none" for r in done)),
        languages=_ranked(Counter(r["language"] or "?" for r in done)),
        genres_vibes=[(g, v, n) for (g, v), n in sorted(pairs.items(), key=lambda item: (-item[1], item[0]))],
        refusals=_ranked(Counter(_LINE.sub("", r["error"] or "?") for r in rows if r["status"] == "refused")),
        failures=_ranked(Counter(_LINE.sub("", r["error"] or "?") for r in rows if r["status"] == "failed")),
        seconds_per_song=round(statistics.median(r["seconds"] or 0.0 for r in done), 3) if done else 0.0,
        core_seconds_per_song=round(statistics.fmean(r["core_seconds"] or 0.0 for r in done), 3) if done else 0.0,
        bytes_per_song=round(statistics.fmean(r["bytes"] or 0 for r in done), 1) if done else 0.0,
        bytes_total=sum(r["bytes"] or 0 for r in done),
        runs=[_run(run) for run in runs if run.get("finished_at")],
    )


def _run(run: dict[str, Any]) -> RunStats:
    made, wall, core = run["made"] or 0, run["wall_seconds"] or 0.0, run["core_seconds"] or 0.0
    return RunStats(run=run["run"], started_at=run["started_at"], engine=run["engine"], workers=run["workers"],
                    audio=bool(run["audio"]), made=made, wall_seconds=round(wall, 2),
                    songs_per_minute=round(made / wall * 60, 2) if wall > 0 else 0.0,
                    core_seconds_per_song=round(core / made, 3) if made else 0.0)


def stats_table(stats: Stats, *, top: int = 12) -> str:
    """The stats as plain-text tables for a terminal.

    >>> print(stats_table(stats_from_rows([], [])).splitlines()[0])
    0 requests: 0 done, 0 refused, 0 failed
    """
    made = max(1, stats.status.get("done", 0))
    lines = [f"{stats.requests} requests: " + ", ".join(f"{n} {s}" for s, n in stats.status.items())]

    def section(title: str, pairs: list[tuple[str, int]], *, shares: bool = True) -> None:
        if not pairs:
            return
        lines.append("")
        lines.append(title)
        width = min(60, max(len(k) for k, _ in pairs[:top]))
        for key, count in pairs[:top]:
            share = f"  {100 * count / made:5.1f}%" if shares else ""
            lines.append(f"  {key[:60]:<{width}}  {count:>6}{share}")
        if len(pairs) > top:
            lines.append(f"  ... and {len(pairs) - top} more")

    section("themes", stats.themes)
    section("relations", stats.relations)
    section("occasions", stats.occasions)
    section("languages", stats.languages)
    section("genres x vibes", [(f"{g} x {v}", n) for g, v, n in stats.genres_vibes])
    section("refusals (reason)", stats.refusals, shares=False)
    section("failures (reason)", stats.failures, shares=False)
    if stats.status.get("done"):
        lines.append("")
        lines.append(f"per song: {stats.seconds_per_song:.2f} s median, {stats.core_seconds_per_song:.2f} "
                     f"core-seconds mean, {stats.bytes_per_song / 1e6:.2f} MB; {stats.bytes_total / 1e6:.1f} MB in all")
    if stats.runs:
        lines.append("")
        lines.append("runs")
        for run in stats.runs:
            lines.append(f"  #{run.run} {run.started_at} {run.engine} x{run.workers}"
                         f"{'' if run.audio else ' no audio'}: {run.made} songs in {run.wall_seconds:.1f} s, "
                         f"{run.songs_per_minute:.1f} songs/min, {run.core_seconds_per_song:.2f} core-s/song")
    return "\n".join(lines)
