"""Relation accuracy of the analyse stage on labelled messages (issue 12, item 1).

Each row of a JSONL file has ``message``, ``to`` (the recipient as typed,
possibly "") and ``relation`` (the relation a person would name). The
analysis is run as the command line runs it (``analyse(message,
recipient=to)``) and its relation compared with the label.

    python scripts/relations.py [FILE.jsonl ...] [--misses]

With no file: tests/data/labelled_messages.jsonl (tuned on),
tests/data/heldout_relations.jsonl (held out: written before the cue work,
measured before and after, never tuned on) and
tests/data/heldout_relations_2.jsonl (written after the cue work, measured
once; never tuned on). See tests/data/README.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILES = [
    ROOT / "tests/data/labelled_messages.jsonl",
    ROOT / "tests/data/heldout_relations.jsonl",
    ROOT / "tests/data/heldout_relations_2.jsonl",
]


def measure(path: Path, *, show_misses: bool) -> tuple[int, int]:
    """Print the accuracy (and the misses) on one file; return (right, total)."""
    from composer.analyse import analyse

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    right = 0
    confusion: Counter[tuple[str, str]] = Counter()
    misses = []
    for row in rows:
        a = analyse(row["message"], recipient=row["to"])
        if a.relation == row["relation"]:
            right += 1
        else:
            confusion[(row["relation"], a.relation)] += 1
            cue = getattr(a, "relation_cue", None)
            how = f" [{cue.source}: {cue.cue!r}]" if cue is not None else ""
            misses.append(f"  want {row['relation']:<11} got {a.relation:<11}{how} to={row['to']!r}: {row['message']}")
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(f"{name}: relation right {right}/{len(rows)} = {right / len(rows):.1%}")
    if confusion:
        print("  confusions (want -> got): " + ", ".join(f"{w}->{g} x{n}" for (w, g), n in confusion.most_common()))
    if show_misses and misses:
        print("\n".join(misses))
    return right, len(rows)


def main(argv: list[str] | None = None) -> int:
    """Measure every file given (or the two default sets)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--misses", action="store_true", help="list every message answered wrongly")
    args = parser.parse_args(argv)
    for path in args.files or DEFAULT_FILES:
        measure(path.resolve(), show_misses=args.misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
