"""A batch's progress line on standard error: songs done, songs per minute, ETA, refusals, failures.

Drawn only when the stream is a terminal, at most a few times a second, on
one line that is rewritten in place.

>>> line = progress_line(done=30, total=120, refused=2, failed=1, seconds=60.0)
>>> line
'[########--------------------]  33/120  30.0 songs/min  ETA 2m38s  2 refused  1 failed'
"""

from __future__ import annotations

import time
from typing import TextIO

__all__ = ["Progress", "progress_line"]

_WIDTH = 28


def _duration(seconds: float) -> str:
    """Seconds as a short duration.

    >>> _duration(42.4), _duration(200), _duration(7500)
    ('42s', '3m20s', '2h05m')
    """
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def progress_line(*, done: int, total: int, refused: int, failed: int, seconds: float) -> str:
    """The progress line: ``done`` songs made so far in ``seconds``, of ``total`` to handle.

    Refused and failed requests count towards the bar but not the rate.
    """
    handled = done + refused + failed
    filled = round(_WIDTH * handled / total) if total else _WIDTH
    rate = done / seconds * 60 if seconds > 0 else 0.0
    per_request = seconds / handled if handled else 0.0
    eta = _duration(per_request * (total - handled)) if handled else "?"
    return (f"[{'#' * filled}{'-' * (_WIDTH - filled)}] {handled:>3}/{total}  {rate:.1f} songs/min  ETA {eta}"
            f"  {refused} refused  {failed} failed")


class Progress:
    """Counts a run's outcomes and, on a terminal, draws them.

    Args:
        total: the requests this run handles.
        stream: where to draw (standard error).
        draw: draw at all (normally: ``stream.isatty()``).
    """

    def __init__(self, total: int, stream: TextIO, *, draw: bool) -> None:
        self.total = total
        self.stream = stream
        self.draw = draw
        self.counts = {"done": 0, "refused": 0, "failed": 0}
        self.started = time.perf_counter()
        self._drawn = 0.0
        self._show(force=True)

    def add(self, status: str) -> None:
        """Count one finished request."""
        self.counts[status] += 1
        self._show(force=sum(self.counts.values()) == self.total)

    def close(self) -> None:
        """End the line, leaving the last state on screen."""
        if self.draw:
            self._show(force=True)
            self.stream.write("\n")
            self.stream.flush()

    def _show(self, *, force: bool) -> None:
        now = time.perf_counter()
        if not self.draw or (not force and now - self._drawn < 0.2):
            return
        self._drawn = now
        line = progress_line(done=self.counts["done"], total=self.total, refused=self.counts["refused"],
                             failed=self.counts["failed"], seconds=now - self.started)
        self.stream.write("\r" + line + "\x1b[K")
        self.stream.flush()
