"""Same seed, same bytes, anywhere: the audio does not depend on the number of synth processes,
on the CPU's BLAS kernel or SIMD features, or on the run (Ogg stream serials come from the song)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from composer import compose
from composer.render import render_file

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("wav", "flac", "ogg", "opus")


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("clip")
    song = compose("Keep going, you are closer than you think.", to="Alex", genre="pop", vibe="upbeat",
                   seed=3, length="short")
    (folder / "song.mid").write_bytes(song.to_midi())
    return folder / "song.mid"


def digests(paths) -> dict[str, str]:
    return {Path(p).suffix: hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths}


@pytest.mark.slow
def test_one_and_two_workers_write_the_same_bytes_in_every_format(clip, tmp_path):
    one = render_file(clip, tmp_path / "one.wav", formats=FORMATS, title="Alex", workers=1)
    two = render_file(clip, tmp_path / "two.wav", formats=FORMATS, title="Alex", workers=2)
    again = render_file(clip, tmp_path / "again.wav", formats=FORMATS, title="Alex", workers=2)
    assert digests(one.paths) == digests(two.paths) == digests(again.paths)


RENDER = """
import hashlib, sys
from composer.render import render_file
report = render_file(sys.argv[1], sys.argv[2], workers=2)
print(hashlib.sha256(open(sys.argv[2], 'rb').read()).hexdigest())
"""


@pytest.mark.slow
def test_another_blas_kernel_and_fewer_simd_features_write_the_same_wav(clip, tmp_path):
    found = []
    for name, env in [("default", {}),
                      ("old-cpu", {"OPENBLAS_CORETYPE": "Prescott",
                                   "NPY_DISABLE_CPU_FEATURES": "AVX512F AVX512CD AVX512_SKX AVX512_CLX "
                                                               "AVX512_CNL AVX512_ICL AVX512_SPR"})]:
        result = subprocess.run([sys.executable, "-c", RENDER, str(clip), str(tmp_path / f"{name}.wav")],
                                capture_output=True, text=True, cwd=ROOT, env={**os.environ, **env}, timeout=600)
        assert result.returncode == 0, result.stderr
        found.append(result.stdout.strip())
    assert found[0] == found[1]
