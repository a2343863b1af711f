"""The dependency spec says what the code needs, and the installed versions meet it.

click must be 8.2 or later (cli.py catches ``NoArgsIsHelpError``, new in 8.2);
numba is bounded above, as ``numba.pycc`` (the ahead-of-time compiler
composer/aot.py uses) is deprecated upstream and may go in a later minor release.
"""

from __future__ import annotations

import configparser
import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
CFG = configparser.ConfigParser()
CFG.read(ROOT / "setup.cfg", encoding="utf-8")


def _lines(text: str) -> list[Requirement]:
    return [Requirement(line.strip()) for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


CORE = _lines(CFG["options"]["install_requires"])
DEV = _lines(CFG["options.extras_require"]["dev"])
BUILD = [Requirement(r) for r in tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]]


def test_click_is_at_least_8_2():
    (click,) = [r for r in CORE if r.name == "click"]
    assert not click.specifier.contains("8.1.7") and click.specifier.contains("8.2.0")


@pytest.mark.parametrize("where", ["jit", "dev"])
def test_numba_has_an_upper_bound_everywhere(where):
    wanted = [r for r in _lines(CFG["options.extras_require"][where]) + BUILD if r.name == "numba"]
    assert wanted and all(any(s.operator in ("<", "<=", "~=", "==") for s in r.specifier) for r in wanted)
    assert all(not r.specifier.contains("99.0") for r in wanted)


@pytest.mark.parametrize("requirement", CORE + DEV, ids=lambda r: r.name)
def test_the_installed_version_meets_the_spec(requirement):
    try:
        installed = metadata.version(requirement.name)
    except metadata.PackageNotFoundError:
        pytest.fail(f"{requirement.name} is not installed: run make setup")
    assert requirement.specifier.contains(Version(re.sub(r"\+.*", "", installed)), prereleases=True), (
        f"{requirement.name} {installed} does not meet {requirement}")
