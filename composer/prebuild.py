"""``python -m composer.prebuild``: what ``make setup`` builds so that a song starts fast.

- the kernels, compiled ahead of time by numba (:func:`composer.aot.build`);
- pyphen's en_US patterns, parsed once (:func:`composer.analyse.hyphenation.build_patterns`).

Each is skipped when it is current, so a second run costs a few milliseconds.
Without them the engine makes the same songs, only slower to start: a build
that fails is reported on one line and the exit status is 1.

    python -m composer.prebuild [--force]    build what is missing or stale
    python -m composer.prebuild --status     say what songs will run on
"""

from __future__ import annotations

import sys

from .aot import build, compiled
from .errors import KernelError

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Build (or with ``--status`` describe) the prebuilt parts; the exit status."""
    args = sys.argv[1:] if argv is None else argv
    if any(a not in ("--force", "--status") for a in args):
        print("usage: python -m composer.prebuild [--force | --status]", file=sys.stderr)
        return 2
    from .analyse.hyphenation import PATTERNS_FILE, build_patterns

    if "--status" in args:
        module, why = compiled()
        print("kernels: compiled ahead of time, current" if module is not None else
              f"kernels: numba JIT ({why}); `python -m composer.prebuild` compiles them ahead of time")
        print(f"hyphenation patterns: {'stored' if PATTERNS_FILE.exists() else 'parsed at start'}")
        return 0
    status = 0
    try:
        path = build(force="--force" in args)
        print(f"songgram setup: compiled the kernels into {path}" if path else
              "songgram setup: the compiled kernels are current")
    except KernelError as err:
        print(f"songgram setup: {err}; songs will use numba's just-in-time compiler", file=sys.stderr)
        status = 1
    try:
        if "--force" in args:
            PATTERNS_FILE.unlink(missing_ok=True)
        built = build_patterns()
        print(f"songgram setup: stored the hyphenation patterns in {PATTERNS_FILE}" if built else
              "songgram setup: the stored hyphenation patterns are current")
    except (OSError, ValueError) as err:
        print(f"songgram setup: could not store the hyphenation patterns: {err}", file=sys.stderr)
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
