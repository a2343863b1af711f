"""The one exception tree of Songgram.

Every error the engine raises on purpose is a :class:`SonggramError`; the
command line maps each subclass to a one-line message and an exit code.

>>> issubclass(GrammarError, SonggramError)
True
"""

from __future__ import annotations

__all__ = [
    "SonggramError",
    "InputError",
    "RefusedError",
    "GrammarError",
    "RenderError",
    "OutputError",
    "KernelError",
    "RequestsError",
    "ClusterError",
]


class SonggramError(Exception):
    """Base of every error Songgram raises on purpose."""

    exit_code: int = 1


class InputError(SonggramError, ValueError):
    """A message or option that cannot be used (empty, too long, unknown genre...).

    Attributes:
        field: the input at fault, named as :func:`composer.compose` names it
            ("message", "to", "sender", "genre", "vibe", "seed", "key",
            "tempo", "length"; "voice" for :meth:`composer.Song.save`), or ""
            when no single input is.
        value: the value as it was given (None when ``field`` is "").

    >>> err = InputError("tempo must be 40..220 BPM, got 400", field="tempo", value=400)
    >>> err.field, err.value, str(err)
    ('tempo', 400, 'tempo must be 40..220 BPM, got 400')
    """

    exit_code = 1

    def __init__(self, message: str, *, field: str = "", value: object = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class RefusedError(InputError):
    """A message the guardrails refuse to sing (hate, slurs)."""

    exit_code = 1


class GrammarError(SonggramError):
    """A grammar or rule file that is missing, malformed or inconsistent.

    The message always names the file and the key.
    """

    exit_code = 3


class RenderError(SonggramError):
    """Audio could not be rendered: a missing library, a missing or broken SoundFont."""

    exit_code = 4


class OutputError(SonggramError):
    """The output folder cannot be written."""

    exit_code = 5


class KernelError(SonggramError):
    """The compiled kernels cannot be used: the ahead-of-time module was required but is
    missing or stale (``SONGGRAM_KERNELS=aot``), or its build failed."""

    exit_code = 70


class RequestsError(SonggramError):
    """A batch's REQUESTS file cannot be read at all (missing, unreadable, not UTF-8).

    A single bad line is not this error: it becomes a ``failed`` row of the batch.
    """

    exit_code = 6


class ClusterError(SonggramError):
    """The distributed engine cannot be used: Ray is not installed, or its address cannot be reached."""

    exit_code = 7
