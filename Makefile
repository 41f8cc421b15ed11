# pulumi-azure-peering: `make demo` and `make test` do all the set-up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# Both ends of the supported range (pyproject.toml): a venv at the floor of every requirement on the oldest Python
# (constraints-floor.txt), and one with the dev pins on the newest Python (pyenv's where none is on PATH).
NEWEST_PYTHON ?= $(firstword $(foreach p,python3.13 $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13),\
	$(shell $(p) -c 'import sys; print(sys.executable)' 2>/dev/null)))
FLOOR_VENV := .venv-floor
NEWEST_VENV := .venv-newest
# What those two venvs run: the unit suite and the engine smoke test (up, no-change preview, refresh, destroy).
COMPAT_TESTS := tests/unit tests/engine/test_example_lifecycle.py
COMPAT_TOOLS := pytest pytest-timeout hypothesis responses pyyaml
STATE := .state
export PATH := $(CURDIR)/.tools/pulumi/bin:$(CURDIR)/$(VENV)/bin:$(PATH)
# Hermetic, offline Pulumi runs: never phone home, never download plugins.
export PULUMI_SKIP_UPDATE_CHECK := true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION := true

.PHONY: help venv tools lint typecheck docs test test-not-engine test-group-compat test-unit test-emulator test-engine test-reliability test-sparse test-floor \
	test-newest dist demo demo-destroy emulator bench bench-full clean

help:
	@echo "make demo          deploy the hub-and-spoke example with the real pulumi CLI against the local ARM emulator"
	@echo "make demo-destroy  tear the demo down"
	@echo "make test          lint, type-check, build the API reference and run every test suite"
	@echo "make docs          the API reference and design notes, from the docstrings, into site/ (site/index.html)"
	@echo "make test-floor    unit suite + engine smoke test with every requirement at its floor (pulumi 3.229.0, ...)"
	@echo "make test-newest   unit suite + engine smoke test on the newest supported Python (3.13)"
	@echo "make dist          sdist and wheel in dist/, checked with twine"
	@echo "make bench         quick benchmarks (bench-full: the long profile)"
	@echo "make tools         build/locate the pinned Pulumi CLI (.tools/pulumi/bin)"

$(VENV)/.installed: pyproject.toml setup.py constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip==26.3"
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test]"
	touch $@

$(FLOOR_VENV)/.installed: pyproject.toml setup.py constraints-floor.txt
	rm -rf $(FLOOR_VENV) && $(PYTHON) -m venv $(FLOOR_VENV)
	$(FLOOR_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -c constraints-floor.txt \
		-e ".[emulator]" $(COMPAT_TOOLS)
	touch $@

$(NEWEST_VENV)/.installed: pyproject.toml setup.py constraints.txt
	@test -n "$(NEWEST_PYTHON)" || { echo "no python3.13 found: set NEWEST_PYTHON=/path/to/python3.13" >&2; exit 1; }
	rm -rf $(NEWEST_VENV) && $(NEWEST_PYTHON) -m venv $(NEWEST_VENV)
	$(NEWEST_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt \
		-e ".[emulator]" $(COMPAT_TOOLS)
	touch $@

venv: $(VENV)/.installed

tools: venv
	tools/build-pulumi.sh
	tools/build-langhosts.sh

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) tools/typecheck.py

typecheck: lint

# The API reference (docs/reference/, generated from the docstrings by mkdocstrings) and the design notes, into
# site/ (git ignores it); any warning fails it (mkdocs.yml: strict). A few seconds: `make test` runs it after lint.
docs: venv
	$(VENV)/bin/mkdocs build --strict --quiet

# Every suite, in three groups run side by side. The groups are independent processes: each test starts the
# emulators and servers it uses, on ports of its own, with its own state folders; most of their time is spent waiting
# on the emulator's simulated ARM (the machine's two cores are about half busy with one group), so together they take
# about as long as the longest group. Each group's output is printed whole when it ends (--output-sync). The groups
# follow the suite markers (tests/suites.py: exactly one per test); pytest's cache is off, as the groups would write it
# at once.
test: tools lint docs
	PYTEST_ADDOPTS="-p no:cacheprovider" \
		$(MAKE) --no-print-directory --jobs=3 --output-sync=target test-engine test-not-engine test-group-compat

# Every suite but the engine one (the real pulumi CLI): unit, emulator, reliability, packaging.
test-not-engine: tools
	$(PY) -m pytest -m "not engine"
# The same code again: sparse ARM bodies, then both ends of the supported range.
test-group-compat: tools
	$(MAKE) --no-print-directory test-sparse
	$(MAKE) --no-print-directory test-floor
	$(MAKE) --no-print-directory test-newest

# The unit suite and the engine smoke test at the lowest versions pyproject.toml allows (pulumi 3.229.0, ...).
test-floor: tools $(FLOOR_VENV)/.installed
	$(FLOOR_VENV)/bin/python -m pytest $(COMPAT_TESTS)

# The same on the newest supported Python.
test-newest: tools $(NEWEST_VENV)/.installed
	$(NEWEST_VENV)/bin/python -m pytest $(COMPAT_TESTS)

# The provider's emulator and engine suites again, against an emulator that omits every optional property real
# Azure may leave out (docs/emulator.md): the provider must see no drift, diff or crash from a sparse body.
# The engine tests chosen are those that read live peerings back and compare them with the stack (lifecycle, drift,
# one-sided pairs, the hub rollout, renames, adoption); tests that fail at preview or inject faults add nothing here.
SPARSE_ENGINE_TESTS := $(addprefix tests/engine/,test_smoke.py test_peering_lifecycle.py test_peering_drift.py \
	test_one_sided_pair.py test_hub_spoke.py test_rename_spoke.py test_adopting.py)
test-sparse: tools
	AZURE_PEERING_EMULATOR_SPARSE=1 $(PY) -m pytest tests/provider_on_emulator $(SPARSE_ENGINE_TESTS)

test-unit: venv
	$(PY) -m pytest -m unit
test-emulator: venv
	$(PY) -m pytest -m emulator
test-engine: tools
	$(PY) -m pytest -m engine
test-reliability: tools
	$(PY) -m pytest -m reliability

demo: tools
	$(PY) -m harness.demo up

demo-destroy: tools
	$(PY) -m harness.demo destroy

emulator: venv
	$(PY) -m pulumi_azure_peering.emulator serve --data-dir $(STATE)/emulator --seed demo

bench: tools
	$(PY) -m bench --profile quick

bench-full: tools
	$(PY) -m bench --profile full --output bench/results/full.json

# sdist and wheel in dist/ (`twine check` passes on them; tests/packaging builds and installs them).
dist: venv
	rm -rf dist
	$(PY) -m build --outdir dist .
	$(VENV)/bin/twine check --strict dist/*

clean:
	rm -rf $(STATE) .pytest_cache .mypy_cache .ruff_cache .hypothesis dist build site
