"""The optional parts of the install, and one clear line when one is missing.

The core install composes and writes MIDI, song.json, MusicXML, text and
karaoke files. Everything else is an extra (setup.cfg ``[options.extras_require]``):

>>> sorted(EXTRAS)
['audio', 'cluster', 'jit', 'png', 'server', 'voice']
>>> require("png")  # installed in this environment

This table is the one place that says which modules an extra brings.
"""

from __future__ import annotations

from importlib.util import find_spec

from .errors import SonggramError

__all__ = ["EXTRAS", "missing", "require", "MissingExtraError"]

EXTRAS: dict[str, tuple[tuple[str, str], ...]] = {
    "audio": (("fluidsynth", "pyfluidsynth"), ("soundfile", "soundfile"), ("pyebur128", "pyebur128"),
              ("scipy", "scipy")),
    "voice": (("pyworld", "pyworld"),),
    "png": (("matplotlib", "matplotlib"),),
    "jit": (("numba", "numba"),),
    "server": (("starlette", "starlette"), ("uvicorn", "uvicorn")),
    "cluster": (("ray", "ray"),),
}
"""extra -> (module imported, PyPI package) for each package the extra installs."""


class MissingExtraError(SonggramError):
    """A feature needs an optional part of the install that is not there."""

    exit_code = 2


def missing(extra: str) -> list[str]:
    """The PyPI packages of ``extra`` that cannot be imported here (found without importing them)."""
    return [package for module, package in EXTRAS[extra] if find_spec(module) is None]


def require(extra: str, *, what: str = "", error: type[SonggramError] = MissingExtraError) -> None:
    """Raise ``error`` naming the extra and its missing packages if any is missing.

    Args:
        extra: a key of :data:`EXTRAS`.
        what: the feature that needs it ("audio", "song.png"), for the message.
        error: the exception to raise (a RenderError keeps the audio exit code).
    """
    absent = missing(extra)
    if absent:
        raise error(f"{what or extra} needs {', '.join(absent)}: pip install 'songgram[{extra}]' "
                    "(make setup installs everything)")
