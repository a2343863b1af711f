"""Shared fixtures: example messages, composed songs (cached per session), a CLI runner."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

DATA = Path(__file__).parent / "data"


def example_messages() -> list[dict]:
    """The team's example messages (a copy of shared/messages.jsonl; see tests/data/README.md)."""
    lines = (DATA / "example_messages.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@cache
def composed(message: str, to: str, genre: str, vibe: str, seed: int = 1, length: str = "full"):
    """compose(), cached: many tests look at the same few songs."""
    from composer import compose
    return compose(message, to=to, genre=genre, vibe=vibe, seed=seed, length=length)  # type: ignore[arg-type]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def demo_song():
    return composed("Mom, thank you for always cooking for us. I love you.", "Mom", "ballad", "heartfelt", 7)
