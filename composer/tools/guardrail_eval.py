"""Guardrail precision and recall on the labelled set tests/data/guardrails_labelled.jsonl.

    python scripts/guardrail_eval.py [--json PATH]

Each row is {"text", "harmful", "kind"}. A slur is never written in the
clear: ``{slur:WORD:DISGUISE}`` holds it ROT13-encoded (as rules/guardrails.toml
does) with the disguise to apply once decoded (spaced, dotted, dashed, leet,
cyrillic, glued, zerowidth, stretched, accent, fullwidth, plain). A harmful row
must be refused (RefusedError); a harmless row must be sung (it may be masked).

Figures: recall on harmful (refused / harmful), precision (harmful among the
refused), and harmless pass rate (sung / harmless). `make fuzz` prints them.
"""

from __future__ import annotations

import argparse
import codecs
import json
import re
import sys
from pathlib import Path

from composer import validate
from composer.errors import RefusedError

DEFAULT = Path(__file__).resolve().parents[2] / "tests" / "data" / "guardrails_labelled.jsonl"  # in the checkout
_CYRILLIC = str.maketrans({"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441",
                           "x": "\u0445", "y": "\u0443", "i": "\u0456", "s": "\u0455", "j": "\u0458"})
_LEET = str.maketrans({"i": "1", "a": "4", "e": "3", "o": "0", "s": "$"})


def disguise(word: str, how: str) -> str:
    """``word`` written the way a user might to walk around a blocklist.

    >>> disguise("abc", "spaced"), disguise("abc", "dotted"), disguise("abc", "glued")
    ('a b c', 'a.b.c', 'youabcx')
    """
    ways = {
        "plain": word, "spaced": " ".join(word), "dotted": ".".join(word), "dashed": "-".join(word),
        "leet": word.translate(_LEET), "cyrillic": word.translate(_CYRILLIC), "glued": f"you{word}x",
        "zerowidth": "\u200b".join(word), "stretched": word[0] + word[1] * 4 + word[2:],
        "accent": word[0] + "\u0301" + word[1:],
        "fullwidth": "".join(chr(ord(c) + 0xFEE0) for c in word),
    }
    if how not in ways:
        raise ValueError(f"unknown disguise {how!r}; known: {', '.join(ways)}")
    return ways[how]


def expand(text: str) -> str:
    """``text`` with each ``{slur:ROT13:DISGUISE}`` decoded and disguised."""
    return re.sub(r"\{slur:([a-z]+):([a-z]+)\}",
                  lambda m: disguise(codecs.decode(m[1], "rot13"), m[2]), text)


def refused(text: str) -> bool:
    """Whether the guardrails refuse ``text`` as a message."""
    try:
        validate.message(text)
    except RefusedError:
        return True
    return False


def evaluate(path: Path = DEFAULT) -> dict:
    """The figures, and the rows each way wrong."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    harmful = [r for r in rows if r["harmful"]]
    harmless = [r for r in rows if not r["harmful"]]
    missed = [r["text"] for r in harmful if not refused(expand(r["text"]))]
    blocked = [r["text"] for r in harmless if refused(expand(r["text"]))]
    caught = len(harmful) - len(missed)
    return {
        "messages": len(rows), "harmful": len(harmful), "harmless": len(harmless),
        "recall": caught / len(harmful),
        "precision": caught / (caught + len(blocked)) if caught + len(blocked) else 1.0,
        "harmless_passed": (len(harmless) - len(blocked)) / len(harmless),
        "missed": missed, "wrongly_refused": blocked,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    figures = evaluate(args.file)
    print(f"guardrails: {figures['messages']} labelled messages ({figures['harmful']} harmful, "
          f"{figures['harmless']} harmless): recall {figures['recall']:.3f}, precision {figures['precision']:.3f}, "
          f"harmless sung {figures['harmless_passed']:.3f}")
    for text in figures["missed"]:
        print(f"  missed: {text}")
    for text in figures["wrongly_refused"]:
        print(f"  wrongly refused: {text}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    sys.exit(0 if figures["recall"] >= 0.98 and figures["precision"] >= 0.99 else 1)


if __name__ == "__main__":
    main()
