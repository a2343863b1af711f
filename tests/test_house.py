"""A house without knots (issue 15, item 4): no import circle, no reaching into private names,
the song plain data with its files in one table.

The import graph is built with ast from the package's sources: an edge A -> B for each
``import`` or ``from ... import`` in A that names B (a submodule imported also runs its parent
packages' ``__init__``). Module-level imports (those under ``if TYPE_CHECKING:`` included) must be
acyclic; so must the graph with the imports inside functions added, so that no lazy import
holds a circle apart.
"""

from __future__ import annotations

import ast
import dataclasses
import pickle
from pathlib import Path

import pytest

import composer
from composer import compose
from composer.export import SONG_FILES, make, song_file, song_files
from composer.model import Song as SongData

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "composer"

PRIVATE_REACHES_BEING_REMOVED: set[tuple[str, str, str]] = set()  # the audio split removed the last two


def _modules() -> dict[str, tuple[Path, bool]]:
    """Dotted name -> (file, is a package's __init__)."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        out[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return out


MODULES = _modules()


def _imports(body: list[ast.stmt], in_function: bool = False):
    """(node, inside a function) for every import statement in ``body``, at any depth."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, in_function
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                yield from _imports([child], in_function or isinstance(node, (ast.FunctionDef,
                                                                             ast.AsyncFunctionDef)))


def _targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The package's modules that ``node`` in ``module`` imports (and so runs)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[:len(base) - (node.level - 1)]
            source = ".".join(base + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        names = [source] + [f"{source}.{alias.name}" for alias in node.names]
    out = []
    for name in names:
        parts = name.split(".")
        for i in range(1, len(parts) + 1):  # importing a.b.c runs a, a.b and a.b.c
            prefix = ".".join(parts[:i])
            if prefix in MODULES and prefix != module and not module.startswith(prefix + "."):
                out.append(prefix)
    return out


def import_graph(*, functions: bool) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, (path, is_package) in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[module] = {target for node, in_function in _imports(tree.body) if functions or not in_function
                         for target in _targets(module, is_package, node)}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle of ``graph`` (its modules, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_the_graph_sees_the_package_and_its_edges():
    graph = import_graph(functions=False)
    assert len(graph) > 80 and "composer.export.midi" in graph
    assert "composer.model" in graph["composer.export.midi"]
    assert "composer.export.midi" in graph["composer.export.karaoke"]
    with_functions = import_graph(functions=True)
    assert "composer.export" in with_functions["composer.song"]  # Song.to_midi's lazy import
    # importing composer.export.midi runs the package composer.export first
    assert {"composer.export", "composer.export.midi"} <= with_functions["composer.voice.score"]


def test_find_cycle_finds_a_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("functions", [False, True], ids=["module-level", "with-function-level"])
def test_the_package_has_no_import_circle(functions):
    assert find_cycle(import_graph(functions=functions)) is None


def test_no_module_reaches_into_another_modules_private_names():
    reaches = set()
    for module, (path, is_package) in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, _ in _imports(tree.body):
            if isinstance(node, ast.ImportFrom):
                source = _targets(module, is_package, ast.ImportFrom(module=node.module, names=[], level=node.level))
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        reaches.add((module, source[-1] if source else node.module, alias.name))
    assert reaches <= PRIVATE_REACHES_BEING_REMOVED, sorted(reaches - PRIVATE_REACHES_BEING_REMOVED)


def test_the_song_is_plain_data_in_the_model():
    methods = {name for name, value in vars(SongData).items() if callable(value) and not name.startswith("__")}
    assert methods == set(), methods  # no writers: only fields and the two derived properties
    assert {f.name for f in dataclasses.fields(SongData)} >= {"analysis", "lyrics", "plan", "chords", "vocal",
                                                              "tracks", "seed"}
    assert SongData.__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_compose_gives_the_model_song_with_its_files_through_the_table(tmp_path):
    song = compose("Thank you for the ride, friend.", to="Marco", genre="rock", vibe="playful", seed=1,
                   length="short")
    assert isinstance(song, SongData) and isinstance(song, composer.Song)
    assert song.to_midi() == make(song, "song.mid") and song.to_kar() == make(song, "song.kar")
    assert song.to_json() == make(song, "song.json")
    assert song.to_lyrics_text() == make(song, "lyrics.txt") and song.to_chordpro() == make(song, "song.chordpro")
    assert song.to_musicxml() == make(song, "song.musicxml")
    # the table is what save writes, byte for byte
    saved = song.save(tmp_path / "marco", audio=False)
    assert [p.name for p in saved.files] == sorted(f.name for f in SONG_FILES if not f.optional)
    for name, content in song_files(song).items():
        data = (tmp_path / "marco" / name).read_bytes()
        assert data == (content if isinstance(content, bytes) else content.encode("utf-8")), name
    # an exporter takes the plain data as well
    plain = SongData(**{f.name: getattr(song, f.name) for f in dataclasses.fields(SongData)})
    assert make(plain, "song.mid") == song.to_midi()
    # a song crosses processes (batch workers) whole
    again = pickle.loads(pickle.dumps(song))
    assert type(again) is type(song) and again == song and again.to_midi() == song.to_midi()
    # replace keeps the methods
    assert dataclasses.replace(song, seed=2).to_json() != song.to_json()


def test_the_table_names_each_file_once_and_refuses_others():
    names = [f.name for f in SONG_FILES]
    assert len(names) == len(set(names))
    assert song_file("song.png").optional and song_file("song.png").draw is not None
    with pytest.raises(KeyError, match="no file named 'song.wav'"):
        song_file("song.wav")


def test_each_sung_note_carries_its_written_and_performed_timing():
    from composer.export.midi import sung_notes

    song = compose("Thank you for the ride, friend.", to="Marco", genre="jazz", vibe="playful", seed=1,
                   length="short")
    assert song.plan.swing  # jazz swings: written and performed starts differ somewhere
    assert all(n.performed is not None and n.performed.pitch == n.pitch for n in song.vocal)
    assert any(n.performed is not None and n.performed.start != n.start for n in song.vocal)
    vocal_track = next(t for t in song.tracks if t.role == "vocal")
    assert sorted(vocal_track.notes, key=lambda n: n.start) == [n.performed for n in song.vocal]
    assert sung_notes(song) == [(n, n.performed) for n in song.vocal]
    unperformed = dataclasses.replace(song, vocal=tuple(dataclasses.replace(n, performed=None) for n in song.vocal))
    with pytest.raises(ValueError, match="has no performed note"):
        sung_notes(unperformed)


def test_a_chord_keeps_its_parsed_quality():
    song = compose("Thank you for the ride, friend.", to="Marco", genre="jazz", vibe="playful", seed=1,
                   length="short")
    assert any(c.quality for c in song.chords)
    for chord in song.chords:
        assert chord.symbol == chord.root_name + chord.quality
        assert chord.root_name[0] in "ABCDEFG" and chord.root_name[1:] in ("", "#", "b")
