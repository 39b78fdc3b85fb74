# The two commands a newcomer needs: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
AIC := $(VENV)/bin/aicommons
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench golden clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Upstream chart archives (<chart>-<version>.tgz) for the tests that render or serve the real charts;
# without them those tests are skipped, and pytest's summary counts them. Where the folder exists,
# `make demo` and `make bench` use it as the chart cache too; elsewhere they use the user's cache
# (`aicommons charts pull` fills it; without it the cluster check lists the releases not checked).
UPSTREAM_CHARTS := $(abspath ../shared/upstream-charts)
HAVE_UPSTREAM := $(if $(wildcard $(UPSTREAM_CHARTS)/*.tgz),$(UPSTREAM_CHARTS))
demo bench: export AICOMMONS_CHART_CACHE ?= $(HAVE_UPSTREAM)

demo: $(STAMP)  ## Size, render and plan the bundled example city (Riverton)
	$(AIC) plan examples/cities/riverton.yaml --bundle bundles/riverton

lint: $(STAMP)
	$(VENV)/bin/ruff check aicommons tests benchmarks
	$(VENV)/bin/ruff format --check aicommons tests benchmarks

# checkov pins dependencies that would break pulumi, so it lives in its own environment.
CHECKOV_VENV ?= .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed

$(CHECKOV_STAMP):
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet "checkov==3.3.30"
	touch $(CHECKOV_STAMP)

test: export AICOMMONS_TEST_CHARTS ?= $(HAVE_UPSTREAM)
# The published standards' schemas (Eurocities ATS) the product ships a copy of; a test compares them.
REFERENCE_STANDARDS := $(abspath ../shared/standards)
test: export AICOMMONS_TEST_STANDARDS ?= $(if $(wildcard $(REFERENCE_STANDARDS)/*.json),$(REFERENCE_STANDARDS))

test: $(STAMP) $(CHECKOV_STAMP)  ## Lint, then run the whole test suite
	$(VENV)/bin/ruff check aicommons tests benchmarks stacks
	CHECKOV_BIN=$(CHECKOV_VENV)/bin/checkov $(PY) -m pytest

golden: $(STAMP)  ## Re-render the example cities' golden bundles (tests/golden); review the diff
	$(PY) -m tests.render.golden

bench: $(STAMP)  ## Print the benchmark tables (see docs/benchmarks.md)
	$(PY) benchmarks/sizing.py
	$(PY) benchmarks/plan.py

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) build dist .pytest_cache .ruff_cache
