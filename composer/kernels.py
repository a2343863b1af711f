"""The numba kernels: the inner loops of harmonise, scan and melodise, and the audio filters of :mod:`.iir`.

Each is plain numeric Python over NumPy arrays, compiled by numba in one of
two ways (:mod:`composer.aot` chooses): ahead of time into the extension
module ``composer._kernels_aot`` by ``make setup`` (``python -m composer.aot
build``), so a song needs neither numba nor LLVM at run time; or, when that
module is missing or was built from another version of this file, just in
time with ``@njit(cache=True)`` on first use. Both give the same numbers
(tests/test_kernels.py holds them to it), so the same seed makes the same
song either way.

:data:`SIGNATURES` gives the types the ahead-of-time build compiles for;
callers pass exactly these dtypes (int64 and float64 arrays, C order).
"""

from __future__ import annotations

import numpy as np

from .jit import njit

__all__ = ["SIGNATURES", "sample_chain", "scan_line_dp", "best_phrase"]

SIGNATURES = {
    "sample_chain": "i8[:](f8[:], f8[:, :], f8[:, :], f8[:])",
    "scan_line_dp": "i8[:](i8[:], i8[:], i8[:], f8[:], f8[:], i8, i8, f8[:])",
    "best_phrase": "i8[:](i8[:], f8[:], i8[:, :], i8[:], i8[:], i8, b1, f8, i8[:], i8, f8[:], f8[:], i8, i8)",
    "sos_frames": "void(f8[:, :], f8[:, :], f8[:, :, :])",
}
"""Each exported kernel's numba type signature, for the ahead-of-time build."""


@njit(cache=True)
def sample_chain(start: np.ndarray, matrix: np.ndarray, masks: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Sample a state sequence from a Markov chain, constrained step by step.

    Args:
        start: (S,) weights of the first state.
        matrix: (S, S) transition weights.
        masks: (T, S) 1.0 where a state is allowed at a step, else 0.0.
        u: (T,) uniform random numbers in [0, 1).

    Returns:
        (T,) state indices, or all -1 when no sequence satisfies the masks.
    """
    steps, n = masks.shape
    beta = np.zeros((steps, n))
    for s in range(n):
        beta[steps - 1, s] = masks[steps - 1, s]
    for t in range(steps - 2, -1, -1):
        top = 0.0
        for s in range(n):
            if masks[t, s] == 0.0:
                continue
            acc = 0.0
            for s2 in range(n):
                acc += matrix[s, s2] * beta[t + 1, s2]
            beta[t, s] = acc
            if acc > top:
                top = acc
        if top > 0.0:
            for s in range(n):
                beta[t, s] /= top
    out = np.full(steps, -1, dtype=np.int64)
    weights = np.empty(n)
    for t in range(steps):
        total = 0.0
        for s in range(n):
            w = (start[s] if t == 0 else matrix[out[t - 1], s]) * beta[t, s]
            weights[s] = w
            total += w
        if total <= 0.0:
            return np.full(steps, -1, dtype=np.int64)
        target = u[t] * total
        acc = 0.0
        pick = n - 1
        for s in range(n):
            acc += weights[s]
            if weights[s] > 0.0 and acc > target:
                pick = s
                break
        out[t] = pick
    return out


@njit(cache=True)
def scan_line_dp(
    stress: np.ndarray,
    same_word_next: np.ndarray,
    pause: np.ndarray,
    weight: np.ndarray,
    dur_cost: np.ndarray,
    pickup_steps: int,
    end_step: int,
    params: np.ndarray,
) -> np.ndarray:
    """Place syllables on grid positions at least cost.

    Args:
        stress: (n,) 1 primary, 2 secondary, 0 unstressed (function words are 0).
        same_word_next: (n,) 1 when syllable i+1 belongs to the same word.
        pause: (n,) the punctuation after syllable i: 0, 1 comma, 2 full stop.
        weight: (P,) metrical weight of each grid position, the first
            ``pickup_steps`` of them lying before the line's first bar.
        dur_cost: (D,) cost of a note of d grid steps (index d); >= 1e17 where
            the genre never uses that length.
        pickup_steps: positions before the line's first bar.
        end_step: the first position the line must leave free (its breath).
        params: the costs of rules/scansion.toml in :class:`_Costs` order.

    Returns:
        (n,) positions (indices into ``weight``), or all -1 when nothing fits.
    """
    n = stress.shape[0]
    positions = weight.shape[0]
    stressed_weak, unstressed_strong, order, rest_phrase, rest_pause, late, pickup, end_short = (
        params[0], params[1], params[2], params[3], params[4], params[5], params[6], params[7])
    max_d = dur_cost.shape[0] - 1
    cost = np.full((n, positions), 1e18)
    back = np.full((n, positions), -1, dtype=np.int64)

    for p in range(positions):
        w = weight[p]
        if stress[0] == 0:
            c = unstressed_strong * max(0.0, w - 1.0)
        else:
            c = stressed_weak * max(0.0, 2.0 - w) + 0.3 * (4.0 - w)
        if p < pickup_steps:
            if stress[0] != 0:
                continue
            c += pickup * (pickup_steps - p)
        else:
            c += late * (p - pickup_steps) * (1.0 if stress[0] != 0 else 0.5)
        cost[0, p] = c

    for i in range(1, n):
        for p in range(1, min(positions, end_step)):
            w = weight[p]
            if stress[i] == 0:
                own = unstressed_strong * max(0.0, w - 1.0)
            elif stress[i] == 2:  # secondary stress: a beat is fine, the strongest beats go to primaries
                own = 0.5 * unstressed_strong * max(0.0, w - 2.0)
            else:
                own = stressed_weak * max(0.0, 2.0 - w) + 0.3 * (4.0 - w)
            best = 1e18
            arg = -1
            lo = max(0, p - 2 * max_d)
            for q in range(lo, p):
                if cost[i - 1, q] >= 1e17:
                    continue
                gap = p - q
                if gap <= max_d and dur_cost[gap] < 1e17:
                    move = dur_cost[gap]
                    if pause[i - 1] > 0:
                        move += 0.5  # a phrase break without a breath
                elif same_word_next[i - 1] == 1:
                    continue  # never rest inside a word
                else:
                    # a rest after the note: the note takes the longest usable length
                    note = 0.0
                    for d in range(min(gap - 1, max_d), 0, -1):
                        if dur_cost[d] < 1e17:
                            note = dur_cost[d]
                            break
                    else_cost = rest_pause if pause[i - 1] > 0 else rest_phrase
                    move = note + else_cost + 0.2 * (gap - 1)
                if same_word_next[i - 1] == 1:
                    wq = weight[q]
                    if stress[i] == 1 and stress[i - 1] != 1 and wq > w:
                        move += order
                    if stress[i - 1] == 1 and stress[i] != 1 and w > wq:
                        move += order
                total = cost[i - 1, q] + move
                if total < best:
                    best = total
                    arg = q
            if arg >= 0:
                cost[i, p] = best + own
                back[i, p] = arg

    out = np.full(n, -1, dtype=np.int64)
    best = 1e18
    last = -1
    for p in range(min(positions, end_step)):
        if cost[n - 1, p] >= 1e17:
            continue
        tail = end_step - p
        c = cost[n - 1, p]
        if tail < 2:
            c += end_short
        if tail > 2 * max_d:
            c += 0.5 * (tail - 2 * max_d)
        if c < best:
            best = c
            last = p
    if last < 0:
        return out
    out[n - 1] = last
    for i in range(n - 1, 0, -1):
        out[i - 1] = back[i, out[i]]
    return out


@njit(cache=True)
def _score(p: np.ndarray, weight: np.ndarray, chord: np.ndarray, stress: np.ndarray, stable: np.ndarray,
           tonic: int, final: bool, target: float, ref: np.ndarray, prev: int, c: np.ndarray) -> float:
    n = p.shape[0]
    cost = 0.0
    run = 1
    top = 0
    lo = p[0]
    hi = p[0]
    total = 0.0
    for i in range(n):
        pc = p[i] % 12
        if chord[i, pc] == 0:
            cost += c[0] if weight[i] >= 2 else c[1]
        total += p[i]
        if p[i] > p[top]:
            top = i
        lo = min(lo, p[i])
        hi = max(hi, p[i])
        if i > 0:
            move = abs(p[i] - p[i - 1])
            if move > 5:
                cost += c[2] * (move - 5)
            elif move > 2:
                cost += c[12]
            if move > 4:
                if i + 1 < n:
                    back = p[i + 1] - p[i]
                    if (p[i] - p[i - 1]) * back >= 0 or abs(back) > 2:
                        cost += c[3]
            if p[i] == p[i - 1]:
                run += 1
                if run >= 3:
                    cost += c[4]
            else:
                run = 1
        if stress[i] == 1 and 0 < i < n - 1 and p[i] < p[i - 1] and p[i] < p[i + 1]:
            cost += c[9]
    if n >= 4:
        frac = top / (n - 1)
        if frac < 0.25 or frac > 0.8:
            cost += c[5] * 4.0
        cost += c[5] * max(0.0, 2.0 - (p[top] - p[0]))
        cost += c[5] * max(0.0, 2.0 - (p[top] - p[n - 1]))
    if hi - lo > 9:
        cost += c[6] * (hi - lo - 9)
    if stable[p[n - 1] % 12] == 0:
        cost += c[7]
    if final and p[n - 1] % 12 != tonic:
        cost += c[8]
    cost += c[10] * abs(total / n - target)
    if ref[0] >= 0:
        m = ref.shape[0]
        acc = 0.0
        for i in range(n):
            j = (i * m) // n if n > 1 else 0
            acc += abs(p[i] - ref[j])
        cost += c[11] * acc / n
    if prev >= 0 and abs(p[0] - prev) > 7:
        cost += c[2] * (abs(p[0] - prev) - 7)
    return cost


@njit(cache=True)
def best_phrase(scale: np.ndarray, weight: np.ndarray, chord: np.ndarray, stress: np.ndarray,
                stable: np.ndarray, tonic: int, final: bool, target: float, ref: np.ndarray, prev: int,
                costs: np.ndarray, step_weights: np.ndarray, candidates: int, seed: int) -> np.ndarray:
    """Draw ``candidates`` phrases over ``scale`` (sorted MIDI pitches) and return the best.

    Args:
        scale: the scale's MIDI pitches inside the singable range, ascending.
        weight: (n,) metrical weight of each note's onset.
        chord: (n, 12) 1 where a pitch class sounds in the chord under the note.
        stress: (n,) syllable stress (1 primary).
        stable: (12,) 1 for pitch classes a phrase may end on.
        target: the mean pitch the phrase should sit around.
        ref: a melody to echo, or [-1] for none.
        prev: the previous phrase's last pitch, or -1.
        costs: the costs of rules/melody.toml, in order.
        step_weights: chance of moving 0, 1, 2... scale steps.
        seed: seeds numba's generator, so the same song comes out each time.
    """
    np.random.seed(seed)
    n = weight.shape[0]
    m = scale.shape[0]
    cum = np.cumsum(step_weights)
    cum = cum / cum[-1]
    best = np.empty(n, dtype=np.int64)
    best_cost = 1e18
    cand = np.empty(n, dtype=np.int64)
    centre = 0
    for k in range(m):
        if abs(scale[k] - target) < abs(scale[centre] - target):
            centre = k
    for trial in range(candidates):
        if ref[0] >= 0 and trial % 4 == 0:
            idx = 0
            for k in range(m):
                if abs(scale[k] - ref[0]) < abs(scale[idx] - ref[0]):
                    idx = k
        else:
            idx = centre + np.random.randint(-3, 3)
        idx = min(max(idx, 0), m - 1)
        peak_at = 0.35 + 0.35 * np.random.random()
        for i in range(n):
            if i > 0:
                r = np.random.random()
                size = 0
                while size < cum.shape[0] - 1 and r > cum[size]:
                    size += 1
                up = 0.62 if i / n < peak_at else 0.38
                if ref[0] >= 0 and trial % 2 == 0:
                    j = (i * ref.shape[0]) // n
                    jp = ((i - 1) * ref.shape[0]) // n
                    up = 0.85 if ref[j] > ref[jp] else (0.15 if ref[j] < ref[jp] else 0.5)
                    if ref[j] == ref[jp] and np.random.random() < 0.6:
                        size = 0
                idx += size if np.random.random() < up else -size
                idx = min(max(idx, 0), m - 1)
            if weight[i] >= 2 or i == n - 1:
                if chord[i, scale[idx] % 12] == 0 or (i == n - 1 and stable[scale[idx] % 12] == 0):
                    for d in (1, -1, 2, -2, 3, -3):
                        j = idx + d
                        if 0 <= j < m and chord[i, scale[j] % 12] == 1 and (i < n - 1 or stable[scale[j] % 12] == 1):
                            idx = j
                            break
            if i == n - 1 and final:
                for d in (0, 1, -1, 2, -2, 3, -3, 4, -4):
                    j = idx + d
                    if 0 <= j < m and scale[j] % 12 == tonic:
                        idx = j
                        break
            cand[i] = scale[idx]
        c = _score(cand, weight, chord, stress, stable, tonic, final, target, ref, prev, costs)
        if c < best_cost:
            best_cost = c
            best[:] = cand
    return best


@njit(cache=True)
def sos_frames(sos: np.ndarray, x: np.ndarray, state: np.ndarray) -> None:
    """Filter ``x`` (frames, channels) in place through the second-order sections ``sos``.

    Args:
        sos: (sections, 6) rows of b0 b1 b2 a0 a1 a2, a0 = 1.
        x: (frames, channels) the signal, replaced by the filtered signal.
        state: (channels, sections, 2) the filter state, carried from one call to the next
            (scipy's ``zi`` of transposed direct form II); updated.

    Frame by frame, every channel through every section: each multiply and
    add in one order, in float64, so the result is the same bits on every
    CPU (no fused multiply-adds: numba does not contract without fastmath).
    """
    frames, channels = x.shape
    sections = sos.shape[0]
    for i in range(frames):
        for c in range(channels):
            value = x[i, c]
            for s in range(sections):
                out = sos[s, 0] * value + state[c, s, 0]
                state[c, s, 0] = sos[s, 1] * value - sos[s, 4] * out + state[c, s, 1]
                state[c, s, 1] = sos[s, 2] * value - sos[s, 5] * out
                value = out
            x[i, c] = value
