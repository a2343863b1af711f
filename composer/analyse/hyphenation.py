"""pyphen's en_US hyphenator, with its patterns parsed at setup rather than at every start.

pyphen parses ``hyph_en_US.dic`` (11,000 Liang patterns) the first time a
process hyphenates, a tenth of a second of every song. ``make setup``
(``python -m composer.prebuild``) stores the parsed patterns beside this file
in ``_hyph_en_US.pickle``, with the digest of the dictionary they came from;
:func:`hyphenator` hands them to pyphen's own pattern cache
(``pyphen.hdcache``) when that digest matches the installed dictionary, so
pyphen still does all the hyphenating. A missing or stale file costs only
the parse.

>>> hyphenator().positions("beautiful")
[4, 6]
"""

from __future__ import annotations

import hashlib
import os
import pickle
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["hyphenator", "build_patterns", "PATTERNS_FILE"]

PATTERNS_FILE = Path(__file__).resolve().parent / "_hyph_en_US.pickle"
"""Where ``make setup`` keeps the parsed patterns."""

_LANG = "en_US"
_FORMAT = 1  # bump when the stored layout changes


def _dictionary() -> tuple[Path, str]:
    """The installed en_US dictionary file and the digest of its bytes."""
    import pyphen

    path = Path(pyphen.LANGUAGES[_LANG])
    return path, hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()


def _stored(path: Path, digest: str) -> Any | None:
    """A pyphen ``HyphDict`` from :data:`PATTERNS_FILE`, or None if it is missing, stale or unreadable."""
    import pyphen

    try:
        with PATTERNS_FILE.open("rb") as fd:
            table = pickle.load(fd)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        return None
    if not isinstance(table, dict) or table.get("format") != _FORMAT or table.get("source") != digest:
        return None
    hd = pyphen.HyphDict.__new__(pyphen.HyphDict)
    hd.patterns, hd.maxlen, hd.cache = table["patterns"], table["maxlen"], {}
    return hd


@cache
def hyphenator() -> Any:
    """``pyphen.Pyphen(lang="en_US")``, from the stored patterns when they are current."""
    import pyphen

    path, digest = _dictionary()
    if path not in pyphen.hdcache:
        hd = _stored(path, digest)
        if hd is not None:
            pyphen.hdcache[path] = hd
    return pyphen.Pyphen(lang=_LANG)


def build_patterns() -> bool:
    """Parse the installed dictionary and store it in :data:`PATTERNS_FILE`; False if already current.

    Only dictionaries of plain patterns are stored (en_US has no nonstandard
    hyphenations); the file is written under a temporary name, then renamed.
    """
    import pyphen

    path, digest = _dictionary()
    if _stored(path, digest) is not None:
        return False
    hd = pyphen.HyphDict(path)
    patterns = {key: (start, tuple(int(v) for v in values)) for key, (start, values) in hd.patterns.items()}
    if any(getattr(v, "data", None) is not None for _, values in hd.patterns.values() for v in values):
        raise ValueError(f"{path}: nonstandard hyphenations cannot be stored")
    staged = PATTERNS_FILE.with_name(f".{PATTERNS_FILE.name}.tmp")
    staged.write_bytes(pickle.dumps({"format": _FORMAT, "source": digest, "patterns": patterns,
                                     "maxlen": hd.maxlen}, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(staged, PATTERNS_FILE)
    return True
