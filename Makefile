# Songgram: `make demo` and `make test` are all a newcomer needs.
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-done
DEMO_MESSAGE := Mom, thank you for always cooking for us. I love you.

.PHONY: setup demo test test-fast lint bench bench-install evaluate evaluate-text fuzz docs clean serve screenshots loadtest

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

# test-fast: the quick loop, a couple of minutes: every test but those marked slow (audio renders,
# external programs, the browser, a Ray cluster). make test runs them all.
test-fast: setup
	$(PY) -m pytest -q -m "not slow"

# lint: ruff (pyflakes, pycodestyle's errors, bugbear; config in pyproject.toml) on the whole tree,
# mypy on the package (composer/, which ships py.typed).
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: setup
	$(PY) scripts/bench.py

# bench-install: a wheel built from this checkout, installed with plain pip into a fresh venv
bench-install: setup
	$(PY) scripts/bench_install.py

evaluate: setup
	$(PY) scripts/evaluate.py --all-genres
	$(PY) scripts/evaluate_lyrics.py

# evaluate-text: relation accuracy (labelled and held-out sets) and how numbers, emoji and names are sung (issue 12).
evaluate-text: setup
	$(PY) scripts/relations.py
	$(PY) scripts/sung_text.py --markdown

fuzz: setup
	$(PY) scripts/fuzz.py --cases 10000 --workers 2
	$(PY) scripts/guardrail_eval.py
	$(PY) scripts/faults.py --rounds 50

docs: setup
	$(PY) scripts/pianorolls.py

serve: setup
	$(VENV)/bin/songgram serve

# screenshots: the web page at desktop and phone widths, from the browser test, into docs/
screenshots: setup
	SONGGRAM_SCREENSHOTS=docs $(PY) -m pytest -q tests/test_web_browser.py

loadtest: setup
	$(PY) scripts/loadtest_web.py --requests 20

clean:
	rm -rf $(VENV) songs build *.egg-info .mypy_cache .ruff_cache composer/_kernels_aot*.so composer/analyse/_hyph_en_US.pickle
