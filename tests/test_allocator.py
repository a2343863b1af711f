"""The heap tuning of composer.allocator: applied once, in our processes only, and big blocks kept in the heap."""

from __future__ import annotations

import subprocess
import sys

import pytest

CHILD = r"""
import sys
import numpy as np
if sys.argv[1] == "tuned":
    from composer.allocator import keep_large_blocks
    assert keep_large_blocks() and keep_large_blocks()   # idempotent
a = np.ones(6_000_000)                   # 48 MB: over glibc's 32 MiB cap for its dynamic mmap threshold
at = a.ctypes.data
for line in open("/proc/self/maps"):
    span, *rest = line.split(maxsplit=5)
    low, high = (int(x, 16) for x in span.split("-"))
    if low <= at < high:
        print(rest[4].strip() if len(rest) > 4 else "anonymous")
"""


def _region(mode: str) -> str:
    out = subprocess.run([sys.executable, "-c", CHILD, mode], capture_output=True, text=True, check=True)
    return out.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt and /proc/self/maps")
def test_a_big_block_comes_from_the_heap_not_a_fresh_mapping():
    """A fresh mapping is unmapped on free and faulted in again on the next use; the heap's block is reused."""
    assert _region("plain") == "anonymous"
    assert _region("tuned") == "[heap]"


def test_the_library_leaves_the_allocator_alone():
    code = "import composer, composer.allocator as a; composer.compose; print(a._done)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
