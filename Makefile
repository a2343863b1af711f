# Songgram: `make demo` and `make test` are all a newcomer needs.
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-done
DEMO_MESSAGE := Mom, thank you for always cooking for us. I love you.

.PHONY: setup demo test bench evaluate fuzz docs clean

# setup: system packages and the venv (once), then what makes a song start fast, rebuilt only when stale:
# the numba kernels compiled ahead of time, pyphen's patterns parsed once, and our modules' bytecode.
setup: $(STAMP)
	@$(PY) -m composer.prebuild || echo "songgram setup: continuing; songs will start slower (see above)"
	@$(PY) -m compileall -q composer cli.py

$(STAMP): setup.cfg pyproject.toml scripts/setup-system.sh
	scripts/setup-system.sh
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

demo: setup
	$(VENV)/bin/songgram compose "$(DEMO_MESSAGE)" --to Mom --genre ballad --vibe heartfelt --seed 7 --out songs/demo

test: setup
	$(PY) -m pytest -q

bench: setup
	$(PY) scripts/bench.py

evaluate: setup
	$(PY) scripts/evaluate.py --all-genres
	$(PY) scripts/evaluate_lyrics.py

fuzz: setup
	$(PY) scripts/fuzz.py --cases 10000 --workers 2

docs: setup
	$(PY) scripts/pianorolls.py

clean:
	rm -rf $(VENV) songs build *.egg-info composer/_kernels_aot*.so composer/analyse/_hyph_en_US.pickle
