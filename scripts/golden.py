"""Golden hashes of one song per genre: check them, or rewrite tests/data/golden.json.

    python scripts/golden.py            # compare with tests/data/golden.json; exit 1 on a change
    python scripts/golden.py --update   # after a version bump and a CHANGES.md entry

The songs and why they are pinned: composer/tools/golden.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from composer.tools.golden import golden, read, write

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "data" / "golden.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the golden file with today's hashes")
    parser.add_argument("--file", type=Path, default=GOLDEN, help=f"the golden file [default: {GOLDEN}]")
    args = parser.parse_args()
    now = golden()
    if args.update:
        write(args.file, now)
        print(f"wrote {args.file}: {len(now['songs'])} songs, engine {now['engine']}")
        return 0
    before = read(args.file)
    changed = sorted(g for g in set(now["songs"]) | set(before["songs"])
                     if now["songs"].get(g) != before["songs"].get(g))
    if before["engine"] != now["engine"]:
        print(f"the engine is {now['engine']}, the golden file was made by {before['engine']}")
    for genre in changed:
        print(f"{genre}: output bytes changed")
    if changed or before["engine"] != now["engine"]:
        print("bump the version, add to CHANGES.md, run scripts/golden.py --update")
        return 1
    print(f"{len(now['songs'])} songs, the same bytes as {args.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
