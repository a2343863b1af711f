"""composer.iir and composer.loudness against references: scipy's filters, pyloudnorm's loudness, resample_poly."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest
from scipy.signal import butter, resample_poly
from scipy.signal import sosfilt as scipy_sosfilt

from composer import iir, loudness
from composer.audio.mastering import bus_eq

RATE = 44100


def signal(frames: int, *, seed: int = 0, channels: int = 2) -> np.ndarray:
    """Noise under a slow swell and a low tone: energy at every frequency the filters touch."""
    rng = np.random.default_rng(seed)
    t = np.arange(frames) / RATE
    tone = np.sin(2 * np.pi * 41.0 * t)[:, None]
    swell = np.linspace(0.01, 1.0, frames)[:, None]
    return ((rng.standard_normal((frames, channels)) * 0.1 + 0.3 * tone) * swell).astype(np.float32)


@pytest.mark.parametrize("frames", [1, 63, 64, 2047, 70_001, 300_000], ids=lambda n: f"{n} frames")
def test_sosfilt_is_scipys(frames):
    audio = signal(frames)
    sos = np.vstack([loudness.k_weighting(RATE), bus_eq(RATE)])
    expected = scipy_sosfilt(sos, audio.astype(np.float64), axis=0)
    scale = max(1e-9, np.abs(expected).max())
    assert np.abs(iir.sosfilt(sos, audio) - expected).max() / scale < 1e-9  # float64
    single = audio.copy()
    iir.sosfilt(sos, single, out=single)  # float32, in place
    assert np.abs(single - expected).max() / scale < 1e-4


@pytest.mark.parametrize("cuts", [[0], [1], [64, 65], [70_000, 131_072, 131_073], [299_999]],
                         ids=lambda cuts: f"cut at {cuts}")
def test_sosfilt_pieces_is_scipys_on_the_whole(cuts):
    audio = signal(300_000, seed=3)
    sos = bus_eq(RATE)
    expected = scipy_sosfilt(sos, audio.astype(np.float64), axis=0)
    edges = [0, *cuts, len(audio)]
    pieces = [audio[low:high].astype(np.float64) for low, high in zip(edges, edges[1:])]
    iir.sosfilt_pieces(sos, pieces)  # in place, the state running on from piece to piece
    assert np.abs(np.concatenate(pieces) - expected).max() / np.abs(expected).max() < 1e-9


def test_filter_designs_are_scipys_and_pyloudnorms():
    assert np.allclose(iir.butter_highpass(25.0, RATE), butter(2, 25.0, "highpass", fs=RATE, output="sos"))
    for rate in (44100, 48000, 22050):
        stages = pyloudnorm.Meter(rate)._filters.values()
        expected = np.array([[*stage.b * stage.passband_gain, *stage.a] for stage in stages])
        assert np.allclose(loudness.k_weighting(rate), expected, rtol=0, atol=1e-12)


def test_sosfilt_refuses_bad_sections():
    with pytest.raises(ValueError, match="sos must be rows of b0 b1 b2 1 a1 a2"):
        iir.sosfilt(np.ones((1, 5)), np.zeros((4, 2)))


@pytest.mark.parametrize("frames, seed", [(RATE // 2, 1), (RATE * 3 + 17, 2), (RATE * 20, 3)],
                         ids=["half a second", "three seconds", "twenty seconds"])
def test_libebur128_agrees_with_pyloudnorm(frames, seed):
    audio = signal(frames, seed=seed)
    audio[RATE // 4:RATE // 3] = 0.0  # a gap the gates must drop
    expected = pyloudnorm.Meter(RATE).integrated_loudness(audio.astype(np.float64))
    assert loudness.integrated_loudness(audio, RATE) == pytest.approx(expected, abs=0.1)


def test_loudness_of_silence_and_of_a_whisper_is_minus_infinity():
    assert loudness.integrated_loudness(np.zeros((RATE, 2), np.float32), RATE) == -np.inf
    whisper = signal(RATE * 2) * 1e-5  # under the -70 LUFS gate
    assert pyloudnorm.Meter(RATE).integrated_loudness(whisper.astype(np.float64)) == -np.inf
    assert loudness.integrated_loudness(whisper, RATE) == -np.inf


def test_hop_energies_sum_to_the_weighted_energy():
    audio = signal(RATE * 2 + 5)
    weighted = scipy_sosfilt(loudness.k_weighting(RATE), audio.astype(np.float64), axis=0)
    hops = loudness.hop_energies(audio, RATE)
    power = np.square(weighted).sum(axis=1)
    assert len(hops) == -(-len(audio) // loudness.HOP)
    assert np.allclose(hops[:-1], power[:len(hops[:-1]) * 64].reshape(-1, 64).sum(axis=1), rtol=1e-4)


def test_hop_true_peaks_are_resample_polys():
    audio = signal(RATE * 2 + 100, seed=4)
    over = np.abs(resample_poly(audio, 4, 1, axis=0, window=loudness.FIR)).max(axis=1)
    expected = np.pad(over, (0, -len(over) % 256)).reshape(-1, 256).max(axis=1)
    every = np.arange(len(expected))
    assert np.allclose(loudness.hop_true_peaks(audio, every), expected, rtol=1e-5)
    some = np.array([0, 5, 700, len(expected) - 1])
    assert np.allclose(loudness.hop_true_peaks(audio, some), expected[some], rtol=1e-5)


def test_loudness_apart_is_libebur128s_figure_from_a_child():
    audio = signal(RATE * 15, seed=8)  # long enough to be measured in a forked process
    with loudness.loudness_apart(audio, RATE) as lufs:
        busy = float(np.abs(audio).sum())  # this process works on meanwhile
        assert lufs() == loudness.integrated_loudness(audio, RATE)
        assert lufs() == lufs()  # asked twice, measured once
    assert busy > 0


def test_loudness_apart_measures_here_when_fork_fails(monkeypatch):
    audio = signal(RATE * 15, seed=9)

    def no_fork():
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(loudness.os, "fork", no_fork)
    with loudness.loudness_apart(audio, RATE) as lufs:
        assert lufs() == loudness.integrated_loudness(audio, RATE)


def test_loudness_apart_reaps_a_child_never_asked():
    import os

    with loudness.loudness_apart(signal(RATE * 15, seed=10), RATE):
        pass  # the block ends at once: its child is stopped and waited for
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left behind, not even a zombie


def _peak_cases() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    t = np.arange(RATE) / RATE
    clicks = np.zeros((RATE, 2))
    clicks[[0, 63, 64, 5000, RATE - 1]] = [[1.0, -1.0]]
    return {
        "music-like": signal(RATE + 37, seed=5),
        "white noise": rng.standard_normal((RATE, 2)),
        "near Nyquist": np.stack([np.sin(2 * np.pi * 21_000 * t), np.sin(2 * np.pi * 20_500 * t + 1)], axis=1),
        "Nyquist, alternating": np.tile([[1.0, -1.0], [-1.0, 1.0]], (RATE // 2, 1)),
        "clicks at the ends and hop edges": clicks,
        "a few frames": rng.standard_normal((5, 2)),
    }


@pytest.mark.parametrize("name", list(_peak_cases()))
def test_hop_peak_bounds_never_fall_under_the_true_peak(name):
    audio = _peak_cases()[name].astype(np.float32)
    bounds = loudness.hop_peak_bounds(audio)
    peaks = loudness.hop_true_peaks(audio, np.arange(len(bounds)))
    assert len(bounds) == -(-len(audio) // 64)
    assert np.all(bounds >= peaks)


def test_hop_peak_bounds_are_tight_on_music():
    t = np.arange(RATE * 2)[:, None] / RATE
    chords = sum(np.sin(2 * np.pi * f * t + [0.0, 1.0]) for f in (110.0, 440.0, 659.3, 1318.5)) / 4
    audio = (chords + np.random.default_rng(6).standard_normal(chords.shape) * 0.01).astype(np.float32)
    bounds = loudness.hop_peak_bounds(audio)
    peaks = loudness.hop_true_peaks(audio, np.arange(len(bounds)))
    assert np.median(bounds / peaks) < 1.4  # 1.30 measured; the largest sample times the taps' sum: 2.0


def test_mastering_imports_neither_scipy_signal_nor_pyloudnorm():
    import subprocess
    import sys

    code = ("import sys, numpy as np; from composer.master import master; "
            "master(np.random.default_rng(1).standard_normal((44100, 2)).astype(np.float32) * 0.1, 44100); "
            "print(sorted(m for m in ('scipy.signal', 'scipy.ndimage', 'pyloudnorm') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
