"""The core install and its extras: one clear line when an extra is missing; the JIT cache never in site-packages."""

from __future__ import annotations

import configparser
import importlib.util
import re
from pathlib import Path

import pytest

from composer import aot, compose, extras
from composer.errors import RenderError
from composer.save import save_song


def _without(monkeypatch, *modules: str) -> None:
    real = importlib.util.find_spec

    def find_spec(name, *args, **kwargs):
        return None if name in modules else real(name, *args, **kwargs)

    monkeypatch.setattr(extras, "find_spec", find_spec)


@pytest.mark.parametrize("extra", sorted(extras.EXTRAS))
def test_every_extra_is_an_extra_of_setup_cfg(extra):
    config = configparser.ConfigParser()
    config.read(Path(__file__).resolve().parents[1] / "setup.cfg")
    wanted = config["options.extras_require"]
    names = {re.split(r"[<>=!~\[; ]", line.strip())[0].lower() for line in wanted[extra].splitlines() if line.strip()}
    dev = {re.split(r"[<>=!~\[; ]", line.strip())[0].lower() for line in wanted["dev"].splitlines() if line.strip()}
    for _, package in extras.EXTRAS[extra]:
        assert package.lower() in names, f"[{extra}] lacks {package}"
        assert package.lower() in dev, f"[dev] lacks {package} (the tests need every extra)"


def test_a_missing_extra_names_the_packages_and_the_install_command(monkeypatch):
    _without(monkeypatch, "fluidsynth", "soundfile")
    with pytest.raises(RenderError) as caught:
        extras.require("audio", error=RenderError)
    assert str(caught.value) == ("audio needs pyfluidsynth, soundfile: pip install 'songgram[audio]' "
                                 "(make setup installs everything)")
    assert caught.value.exit_code == 4


def test_saving_audio_without_the_audio_extra_writes_nothing(monkeypatch, tmp_path):
    _without(monkeypatch, "fluidsynth")
    song = compose("Happy birthday, Sam!", to="Sam", genre="pop", vibe="playful", seed=3, length="short")
    with pytest.raises(RenderError, match=r"songgram\[audio\]"):
        save_song(song, tmp_path / "sam", audio=True)
    assert not (tmp_path / "sam").exists()
    saved = save_song(song, tmp_path / "sam", audio=False)  # the core still writes everything else
    assert {p.name for p in saved.files} == {"song.mid", "song.json", "lyrics.txt", "song.chordpro",
                                             "song.musicxml", "song.kar"}


def test_a_png_without_matplotlib_is_one_clear_error(monkeypatch, tmp_path):
    _without(monkeypatch, "matplotlib")
    song = compose("Happy birthday, Sam!", to="Sam", genre="pop", vibe="playful", seed=3, length="short")
    with pytest.raises(RenderError, match=r"song\.png needs matplotlib: pip install 'songgram\[png\]'"):
        save_song(song, tmp_path / "sam", audio=False, png=True)


def test_the_jit_cache_goes_to_a_per_user_folder_when_installed(monkeypatch, tmp_path):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(aot, "_HERE", Path("/usr/lib/python3/site-packages/composer"))
    assert aot.jit_cache_dir() == tmp_path / "cache" / "songgram" / "numba"
    monkeypatch.setattr(aot, "_HERE", tmp_path / "checkout" / "composer")
    assert aot.jit_cache_dir() is None  # a checkout keeps numba's own place, beside the source
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))
    assert aot.jit_cache_dir() == tmp_path / "mine"


def test_without_compiled_kernels_or_numba_the_error_says_what_to_install(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a, **k: None if name == "numba" else real(name))
    with pytest.raises(aot.KernelError, match=r"pip install 'songgram\[jit\]'"):
        aot._jit("the module is missing")
