"""numba's ``njit``, imported without numba's BLAS probe.

On its first compile or cache load numba imports ``numba.np.arraymath``,
which probes for BLAS by importing ``scipy.linalg`` when SciPy is installed:
a quarter of a second at every start-up, for routines (``np.dot``, linalg)
that none of our kernels use. We import that module once with the probe's
target hidden, so the probe answers "no BLAS" at once; the hiding is undone
straight away, so SciPy imports normally afterwards (the renderer uses it).
"""

from __future__ import annotations

import sys

from numba import njit

__all__ = ["njit"]

_PROBE = "scipy.linalg.cython_blas"

if "numba.np.arraymath" not in sys.modules and _PROBE not in sys.modules:
    sys.modules[_PROBE] = None  # type: ignore[assignment]
    try:
        import numba.np.arraymath  # noqa: F401
    finally:
        del sys.modules[_PROBE]
