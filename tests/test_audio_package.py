"""The audio engine is a package split by job (issue 15 item 4): no module reaches into another's
private names, no module imports the compatibility modules, and the old import paths still work."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

AUDIO = Path(__file__).resolve().parent.parent / "composer" / "audio"
MODULES = sorted(p for p in AUDIO.glob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_an_audio_module_imports_only_public_names(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            private = [a.name for a in node.names if a.name.startswith("_")]
            assert not private, f"{path.name}:{node.lineno} imports {private} from {node.module}"
            # composer.render and composer.master only re-export this package: importing them here is a circle
            assert not (node.level == 2 and node.module in ("render", "master")), f"{path.name}:{node.lineno}"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id != "self":
            assert not (node.attr.startswith("_") and not node.attr.startswith("__")
                        and node.value.id in {p.stem for p in MODULES}), f"{path.name}:{node.lineno} {node.attr}"


def test_the_jobs_are_modules_of_their_own():
    assert {p.stem for p in MODULES} == {"timeline", "synth", "parallel", "tape", "overdub", "mastering", "files",
                                         "render"}
    assert max(len(p.read_text().splitlines()) for p in MODULES) < 400  # render.py alone was 718 lines


@pytest.mark.parametrize("module", ["composer.render", "composer.master"])
def test_the_old_import_paths_give_every_public_name(module):
    loaded = importlib.import_module(module)
    missing = [name for name in loaded.__all__ if not hasattr(loaded, name)]
    assert loaded.__all__ and not missing
