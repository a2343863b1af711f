"""Build hook: a wheel carries the compiled kernels and the parsed hyphenation patterns.

Metadata lives in setup.cfg. When pip builds a wheel (``pip install .`` from a
clone, or ``python -m build``), :class:`BuildPy` compiles composer's numba
kernels ahead of time (``composer.aot.build``) and stores pyphen's parsed
patterns into the build, so the first song after ``pip install`` starts as fast
as after ``make setup`` and never needs numba at run time. The wheel is then a
platform wheel, as any package with compiled code. If the build cannot compile
(no C compiler), the wheel is built without them and the engine falls back to
numba's JIT, caching it per user (see composer/aot.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution


class BuildPy(build_py):
    """build_py, then the prebuilt parts compiled into the build's copy of the package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install builds in place with `make setup`
            return
        package = Path(self.build_lib) / "composer"
        code = ("import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
                "from composer.aot import build; from composer.analyse import hyphenation as h;"
                "print(build(Path(sys.argv[1]) / 'composer', force=True));"
                "h.PATTERNS_FILE = Path(sys.argv[1]) / 'composer' / 'analyse' / h.PATTERNS_FILE.name;"
                "h.build_patterns()")
        with tempfile.TemporaryDirectory(prefix="songgram-build-") as scratch:
            env = dict(os.environ, NUMBA_CACHE_DIR=scratch)
            result = subprocess.run([sys.executable, "-c", code, str(Path(self.build_lib))], env=env,
                                    capture_output=True, text=True)
        if result.returncode:
            print("songgram build: the kernels could not be compiled ahead of time; the installed engine "
                  "will compile them on first use:\n" + result.stderr[-2000:], file=sys.stderr)
        elif not any(package.glob("_kernels_aot*")):
            print("songgram build: no compiled kernels were written", file=sys.stderr)


class PlatformDistribution(Distribution):
    """The wheel holds a compiled module, so it is tagged for this platform and Python."""

    def has_ext_modules(self) -> bool:
        return True


setup(cmdclass={"build_py": BuildPy}, distclass=PlatformDistribution)
