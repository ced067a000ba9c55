# Developer entry points. Everything runs from the repo-local .venv (git-ignored).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := test

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install test lint pytest bench soak demo regenerate check-generated contract api-snapshot \
	clean cassettes docs docs-serve dist browser redis matrix matrix-newest

# One resolver run for the package with its extras, the `dev` dependency group (PEP 735: test,
# lint, docs, dist and bench tools; pip >= 25.1 reads groups) and the generator pins, so they
# cannot fight over shared dependencies (httpx, typer, ...). scripts/regenerate.sh then finds
# its pins already installed.
# The pytest plugin module is copied into site-packages (force-include), even by an editable
# install: a change to it needs a reinstall too.
$(VENV)/.installed: pyproject.toml scripts/requirements-gen.txt facade/_gototraining_pytest_plugin.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade 'pip>=25.1'
	$(BIN)/python -m pip install --quiet -e '.[sandbox,cli,redis]' --group dev -r scripts/requirements-gen.txt
	touch $@

install: $(VENV)/.installed

lint: install
	$(BIN)/ruff check facade scripts tests benchmarks
	$(BIN)/ruff format --check facade scripts tests benchmarks
	$(BIN)/mypy

pytest: install
	$(BIN)/python -m pytest -q

# lint, the documentation site (strict), then the test suite (pytest exit code 5 = no tests
# collected also fails). The suite reuses the site just built (tests/docs/) and checks the
# workflows, the sdist and the wheel (tests/distribution/).
test: lint docs browser redis
	GOTOTRAINING_DOCS_SITE=site $(BIN)/python -m pytest -q

# The documentation site (mkdocs-material + mkdocstrings) into site/. --strict: a broken link,
# a missing page or an unresolved API reference fails the build.
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir site

docs-serve: install
	$(BIN)/mkdocs serve

# Headless Chromium for tests/docs/test_site_in_browser.py: found on PATH (or $$CHROMIUM), else
# Debian's `chromium` package is installed (needs root or passwordless sudo).
browser:
	@scripts/ensure-browser.sh >/dev/null

# A real redis-server for the shared-quota tests (they start and stop their own, on free
# loopback ports): found on PATH (or $$REDIS_SERVER), else Debian's `redis-server` package is
# installed (needs root or passwordless sudo). `make bench` and `make soak` use it too.
redis:
	@scripts/ensure-redis.sh >/dev/null

# sdist + wheel into dist/, checked as PyPI would (what the release workflow uploads).
dist: install
	rm -rf dist
	$(BIN)/python -m build --no-isolation --outdir dist .
	$(BIN)/twine check --strict dist/*
	$(BIN)/check-wheel-contents dist/*.whl

# The suite on every CPython among 3.11-3.14 found here (PATH or pyenv), each in its own
# .venv-matrix/<version>; a missing interpreter is reported, not installed. Then once more with
# the newest httpx and httpcore releases (`matrix-newest` runs only that).
matrix: install redis
	scripts/matrix.sh

matrix-newest: install redis
	scripts/matrix.sh --newest-deps

# Benchmarks: one loopback server, pyperf, one table of ratios; results JSON in
# benchmarks/results/, the table also into docs/performance.md. Takes a few minutes; not part
# of `make test` (tests/test_bench_smoke.py smoke-runs the harness).
BENCH_ARGS ?= --name latest --update-docs
bench: install redis
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

# Heavy reliability runs (tests/reliability, docs/reliability.md): 10,000 async registrations under injected
# 503s and connection resets, the decoding fuzz with the soak hypothesis profile (>= 10,000
# examples), 1,000 registrations by four clients sharing one rate-limited account (virtual and
# real time), eight processes registering 800 people on one quota (shared through Redis, through
# SQLite, and with a limiter each, side by side), a 1 GiB gzip bomb and trickling servers with
# timeout=2. Prints the figures (-s).
# `make test` runs the same tests in their small CI size.
soak: install redis
	HYPOTHESIS_PROFILE=soak $(BIN)/python -m pytest -q -s -m "soak or fuzz" tests/reliability

# Re-record the facade's VCR cassettes (tests/cassettes/): against a sandbox started inside the
# test session, or against the live API when GOTO_ACCESS_TOKEN and GOTO_ORGANIZER_KEY are set.
# Recordings are scrubbed (tests/sdk/cassette_scrub.py) before they are written.
cassettes: install
	GOTO_RECORD=1 $(BIN)/python -m pytest -q tests/sdk/test_facade_cassettes.py

demo: install
	$(BIN)/python -m gototraining.demo

regenerate:
	scripts/regenerate.sh

check-generated:
	scripts/regenerate.sh --check

# The contract checks (docs/regenerating.md), each with a printed report. `make test`
# runs the same checks as tests under tests/contract/.
contract: install
	$(BIN)/python -m scripts.contract

# Rewrite api/gototraining.api.json after an intended public-API change (refuses breaking
# changes that CHANGELOG.md's "## Unreleased" section does not mention).
api-snapshot: install
	$(BIN)/python -m scripts.contract.api_snapshot --update

clean:
	rm -rf $(VENV) .venv-matrix node_modules dist build site .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -path ./.git -prune -o -path ./node_modules -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
