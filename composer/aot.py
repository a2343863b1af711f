"""Which compiled kernels a song runs on, and the ahead-of-time build.

The kernels of :mod:`composer.kernels` are compiled by numba in one of two
ways. ``make setup`` runs ``python -m composer.prebuild``, which compiles
them ahead of time with ``numba.pycc`` into the extension module
``composer._kernels_aot`` beside this file. A song then loads that module
in a millisecond and never imports numba, whose import and cache loading
cost half a second and 70 MB in every process. Where the module is missing
(a checkout without ``make setup``, a machine without a C compiler), or was
built from another version of ``kernels.py``, :func:`kernels` falls back to
numba's just-in-time compiler with its on-disk cache: the same numbers,
a slower start.

The module carries the digest of the ``kernels.py`` it was built from, so an
edited kernel is never run stale. ``SONGGRAM_KERNELS=jit`` forces the
just-in-time path (the tests compare the two); ``SONGGRAM_KERNELS=aot``
makes a missing or stale module an error instead of a fallback.

>>> kernels().sample_chain is not None
True
>>> len(source_digest()) == 16
True
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.machinery
import os
import shutil
import tempfile
import warnings
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Literal

from .errors import KernelError

__all__ = ["kernels", "kernels_kind", "compiled", "source_digest", "build", "jit_cache_dir", "AOT_MODULE"]

AOT_MODULE = "_kernels_aot"
"""The extension module's name inside the ``composer`` package."""

_HERE = Path(__file__).resolve().parent
_ENV = "SONGGRAM_KERNELS"


def source_digest() -> str:
    """The first 16 hex digits of the BLAKE2b digest of ``kernels.py``, as built into the module."""
    return hashlib.blake2b((_HERE / "kernels.py").read_bytes(), digest_size=8).hexdigest()


def _mode() -> Literal["auto", "aot", "jit"]:
    mode = os.environ.get(_ENV, "auto").strip().lower() or "auto"
    if mode not in ("auto", "aot", "jit"):
        raise KernelError(f"{_ENV} must be auto, aot or jit, got {mode!r}")
    return mode  # type: ignore[return-value]


def compiled() -> tuple[ModuleType | None, str]:
    """The ahead-of-time module if it is present and current, else None and why not."""
    try:
        module = importlib.import_module(f"{__package__}.{AOT_MODULE}")
    except ImportError as err:
        return None, f"composer.{AOT_MODULE} cannot be imported ({err})"
    built = f"{module.source_digest() & 0xFFFF_FFFF_FFFF_FFFF:016x}"
    if built != source_digest():
        return None, (f"composer.{AOT_MODULE} was built from another kernels.py "
                      f"({built}, now {source_digest()})")
    return module, ""


def jit_cache_dir() -> Path | None:
    """Where the JIT fallback keeps numba's cache: a per-user folder when the package is installed.

    In a checkout numba's own place (``__pycache__`` beside the source) is used
    (None). An installed package (under site-packages) is never written to:
    the cache goes to ``$NUMBA_CACHE_DIR`` if set, else
    ``$XDG_CACHE_HOME/songgram/numba`` (``~/.cache/songgram/numba``).
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return Path(os.environ["NUMBA_CACHE_DIR"])
    if not any(part in ("site-packages", "dist-packages") for part in _HERE.parts):
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "songgram" / "numba"


def _jit(why: str) -> ModuleType:
    """:mod:`composer.kernels` on numba's JIT, its cache per user; says so once on stderr."""
    import sys
    from importlib.util import find_spec

    if find_spec("numba") is None:
        raise KernelError(f"the compiled kernels are not usable ({why}) and numba is not installed: "
                          "pip install 'songgram[jit]', or install from a wheel built with a C compiler")
    folder = jit_cache_dir()
    if folder is not None:
        first = not folder.exists()
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["NUMBA_CACHE_DIR"] = str(folder)  # read by numba when it is imported, just below
        if first:
            print(f"songgram: compiling the kernels once with numba into {folder} ({why})", file=sys.stderr)
    return importlib.import_module(f"{__package__}.kernels")


@cache
def _load() -> tuple[ModuleType, str]:
    mode = _mode()
    why = "SONGGRAM_KERNELS=jit"
    if mode != "jit":
        module, why = compiled()
        if module is not None:
            return module, "aot"
        if mode == "aot":
            raise KernelError(why)
    return _jit(why), "jit"


def kernels() -> ModuleType:
    """The kernels to call: the ahead-of-time module, or :mod:`composer.kernels` (numba JIT).

    Both offer ``sample_chain``, ``scan_line_dp`` and ``best_phrase`` with the
    types of :data:`composer.kernels.SIGNATURES`.

    Raises:
        KernelError: ``SONGGRAM_KERNELS=aot`` and the module is missing or stale.
    """
    return _load()[0]


def kernels_kind() -> Literal["aot", "jit"]:
    """``"aot"`` when songs run on the ahead-of-time module, ``"jit"`` on numba's JIT."""
    return _load()[1]  # type: ignore[return-value]


def build(output_dir: Path = _HERE, *, force: bool = False) -> Path | None:
    """Compile :mod:`composer.kernels` ahead of time into ``output_dir``.

    Does nothing (and returns None) when a current module is already there,
    unless ``force``. The module is linked under a temporary name and renamed
    into place, so a failed build never leaves a broken one behind.

    Returns:
        The path of the module written, or None when it was current.

    Raises:
        KernelError: numba's ahead-of-time compiler or the C toolchain failed.
    """
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    target = Path(output_dir) / f"{AOT_MODULE}{suffix}"
    if not force and output_dir == _HERE and compiled()[0] is not None:
        return None
    digest = int(source_digest(), 16)
    digest -= (1 << 64) if digest >= (1 << 63) else 0  # as a signed int64; read back as its low 64 bits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba.pycc is marked as pending deprecation; it works as documented
        try:
            from numba.pycc import CC

            from . import kernels as source
            from .kernels import SIGNATURES
        except ImportError as err:
            raise KernelError(f"numba's ahead-of-time compiler is not available: {err}") from err
        cc = CC(AOT_MODULE, source_module=source)
        for name, signature in SIGNATURES.items():
            cc.export(name, signature)(getattr(source, name).py_func)

        def source_digest_() -> int:
            return digest

        cc.export("source_digest", "i8()")(source_digest_)
        scratch = Path(tempfile.mkdtemp(prefix="songgram-aot-"))
        try:
            cc.output_dir = str(scratch)
            cc.compile()
            built = scratch / cc.output_file
            staged = target.with_name(f".{target.name}.tmp")
            shutil.copyfile(built, staged)
            os.replace(staged, target)
        except Exception as err:  # noqa: BLE001 - the toolchain raises many kinds; one clear error
            raise KernelError(f"building composer.{AOT_MODULE} failed: {type(err).__name__}: {err}") from err
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return target
