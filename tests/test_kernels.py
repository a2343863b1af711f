"""The numba kernels, compiled ahead of time and just in time: present, current, and identical.

`make setup` builds composer._kernels_aot (python -m composer.prebuild); a song must
then run without importing numba, and make the same bytes as numba's JIT.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyphen
import pytest
from hypothesis import given, settings, strategies as st

from composer import aot
from composer import kernels as jit
from composer.analyse import hyphenation
from composer.errors import KernelError

ROOT = Path(__file__).resolve().parent.parent
SONGGRAM = str(Path(sys.executable).parent / "songgram")


@pytest.fixture(scope="module")
def compiled():
    module, why = aot.compiled()
    assert module is not None, f"the ahead-of-time kernels are not usable: {why}"
    return module


def test_setup_built_current_kernels(compiled):
    assert compiled.source_digest() & 0xFFFF_FFFF_FFFF_FFFF == int(aot.source_digest(), 16)
    assert set(jit.SIGNATURES) <= set(dir(compiled))


# ---------------------------------------------------------------- the same numbers both ways

@settings(max_examples=40, deadline=None)
@given(states=st.integers(1, 9), steps=st.integers(1, 24), seed=st.integers(0, 2**32 - 1),
       density=st.floats(0.2, 1.0))
def test_sample_chain_agrees(compiled, states, steps, seed, density):
    rng = np.random.default_rng(seed)
    start = rng.random(states)
    matrix = rng.random((states, states)) * (rng.random((states, states)) < density)
    masks = (rng.random((steps, states)) < 0.7).astype(np.float64)
    u = rng.random(steps)
    np.testing.assert_array_equal(compiled.sample_chain(start, matrix, masks, u),
                                  jit.sample_chain(start, matrix, masks, u))


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 14), bars=st.integers(1, 3), seed=st.integers(0, 2**32 - 1))
def test_scan_line_dp_agrees(compiled, n, bars, seed):
    rng = np.random.default_rng(seed)
    stress = rng.integers(0, 3, n)
    same = rng.integers(0, 2, n)
    pause = rng.integers(0, 3, n)
    pickup = 4
    weight = np.array([(4, 0, 1, 0, 2, 0, 1, 0, 3, 0, 1, 0, 2, 0, 1, 0)[(p - pickup) % 16]
                       for p in range(pickup + 16 * bars)], dtype=np.float64)
    dur_cost = np.where(rng.random(9) < 0.6, rng.random(9) * 3, 1e18)
    params = rng.random(8) * 4
    end = len(weight) - 2
    np.testing.assert_array_equal(
        compiled.scan_line_dp(stress, same, pause, weight, dur_cost, pickup, end, params),
        jit.scan_line_dp(stress, same, pause, weight, dur_cost, pickup, end, params))


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 16), seed=st.integers(0, 2**31 - 1), final=st.booleans(), echo=st.booleans())
def test_best_phrase_agrees(compiled, n, seed, final, echo):
    rng = np.random.default_rng(seed)
    scale = np.array([p for p in range(55, 77) if p % 12 in (0, 2, 4, 5, 7, 9, 11)], dtype=np.int64)
    weight = rng.integers(0, 5, n).astype(np.float64)
    chord = np.zeros((n, 12), dtype=np.int64)
    chord[:, [0, 4, 7]] = 1
    stress = rng.integers(0, 3, n)
    stable = np.zeros(12, dtype=np.int64)
    stable[[0, 4, 7]] = 1
    ref = rng.integers(58, 72, max(1, n - 1)) if echo else np.array([-1], dtype=np.int64)
    costs = rng.random(13) * 5
    steps = np.array([0.3, 0.45, 0.15, 0.07, 0.03])
    args = (scale, weight, chord, stress, stable, 0, final, 64.0, ref, 62, costs, steps, 60, seed)
    np.testing.assert_array_equal(compiled.best_phrase(*args), jit.best_phrase(*args))


@settings(max_examples=40, deadline=None)
@given(frames=st.integers(0, 300), channels=st.integers(1, 2), sections=st.integers(1, 3),
       cut=st.integers(0, 300), seed=st.integers(0, 2**32 - 1))
def test_sos_frames_agrees(compiled, frames, channels, sections, cut, seed):
    from composer.audio.mastering import bus_eq
    from composer.loudness import k_weighting

    rng = np.random.default_rng(seed)
    sos = np.vstack([k_weighting(44100), bus_eq(44100, 6.0)])[:sections].copy()
    signal = rng.standard_normal((frames, channels))
    cut = min(cut, frames)
    out = {}
    for name, module in (("aot", compiled), ("jit", jit)):
        x, state = signal.copy(), np.zeros((channels, sections, 2))
        head, tail = x[:cut].copy(), x[cut:].copy()  # the state carries the filter from one call to the next
        module.sos_frames(sos, head, state)
        module.sos_frames(sos, tail, state)
        out[name] = (np.concatenate([head, tail]), state)
    np.testing.assert_array_equal(out["aot"][0], out["jit"][0])
    np.testing.assert_array_equal(out["aot"][1], out["jit"][1])


@pytest.mark.slow
@pytest.mark.parametrize("genre,vibe", [("ballad", "heartfelt"), ("jazz", "chill"), ("lullaby", "dreamy")])
def test_a_whole_song_is_the_same_bytes_either_way(tmp_path, genre, vibe):
    songs = {}
    for kind in ("aot", "jit"):
        out = tmp_path / kind
        subprocess.run([SONGGRAM, "compose", "Thank you for every early morning. You kept us going.", "--to", "Dad",
                        "--genre", genre, "--vibe", vibe, "--seed", "11", "--out", str(out), "--no-audio"],
                       check=True, capture_output=True, env=dict(os.environ, SONGGRAM_KERNELS=kind))
        songs[kind] = {name: (out / name).read_bytes() for name in ("song.mid", "song.json", "song.musicxml")}
    assert songs["aot"] == songs["jit"]


def test_a_song_never_imports_numba():
    code = ("import sys; from composer import compose; "
            "compose('Happy birthday, Sam!', to='Sam', genre='pop', vibe='playful', seed=3, length='short').to_midi(); "
            "print(sorted(m for m in ('numba', 'llvmlite', 'scipy', 'music21') if m in sys.modules))")
    env = {k: v for k, v in os.environ.items() if k != "SONGGRAM_KERNELS"}
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------- choosing, and refusing stale code

def test_a_stale_module_is_not_run(monkeypatch):
    monkeypatch.setattr(aot, "source_digest", lambda: "0123456789abcdef")
    module, why = aot.compiled()
    assert module is None and "another kernels.py" in why


def test_required_but_stale_is_an_error(monkeypatch):
    aot._load.cache_clear()
    try:
        monkeypatch.setattr(aot, "source_digest", lambda: "0123456789abcdef")
        monkeypatch.setenv("SONGGRAM_KERNELS", "aot")
        with pytest.raises(KernelError, match="another kernels.py"):
            aot.kernels()
        aot._load.cache_clear()
        monkeypatch.setenv("SONGGRAM_KERNELS", "auto")
        assert aot.kernels() is jit and aot.kernels_kind() == "jit"
    finally:
        aot._load.cache_clear()


def test_a_bad_kernel_setting_names_the_variable(monkeypatch):
    aot._load.cache_clear()
    monkeypatch.setenv("SONGGRAM_KERNELS", "fast")
    try:
        with pytest.raises(KernelError, match="SONGGRAM_KERNELS must be auto, aot or jit, got 'fast'"):
            aot.kernels()
    finally:
        aot._load.cache_clear()


@pytest.mark.slow
def test_build_writes_a_module_that_loads(tmp_path):
    path = aot.build(tmp_path)
    assert path is not None and path.parent == tmp_path and path.stat().st_size > 0
    assert not list(tmp_path.glob(".*.tmp"))
    probe = (f"import importlib.util as u, sys; s = u.spec_from_file_location('_kernels_aot', {str(path)!r}); "
             "m = u.module_from_spec(s); s.loader.exec_module(m); print(m.source_digest() & (2**64 - 1))")
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    assert int(out.stdout) == int(aot.source_digest(), 16)


def test_prebuild_status_says_what_runs():
    out = subprocess.run([sys.executable, "-m", "composer.prebuild", "--status"], check=True, capture_output=True,
                         text=True, cwd=ROOT)
    assert "kernels: compiled ahead of time, current" in out.stdout
    bad = subprocess.run([sys.executable, "-m", "composer.prebuild", "--fast"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("usage:")


# ---------------------------------------------------------------- stored hyphenation patterns

WORDS = ("beautiful", "together", "grandmother", "celebration", "remember", "adventure", "everything",
         "wonderful", "anniversary", "congratulations", "kitchen", "cooking", "graduation", "extraordinary",
         "hyphenation", "encouragement", "unforgettable", "responsibility", "mississippi", "rhythm")


def test_stored_patterns_are_current_and_hyphenate_as_pyphen_does():
    assert hyphenation.PATTERNS_FILE.exists(), "make setup stores the hyphenation patterns"
    path, digest = hyphenation._dictionary()
    stored = hyphenation._stored(path, digest)
    assert stored is not None
    fresh = pyphen.HyphDict(path)
    assert stored.maxlen == fresh.maxlen and len(stored.patterns) == len(fresh.patterns)
    for word in WORDS:
        assert stored.positions(word) == fresh.positions(word), word


def test_stale_patterns_are_ignored():
    path, _ = hyphenation._dictionary()
    assert hyphenation._stored(path, "not the digest") is None
