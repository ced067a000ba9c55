# Developer entry points. Everything runs from the repo-local .venv (git-ignored).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := test

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install test lint pytest bench soak demo regenerate check-generated contract api-snapshot \
	clean cassettes docs docs-serve dist browser redis matrix apply-drift

# The package with its extras and the `dev` dependency group (PEP 735: test, lint, docs, dist
# and bench tools; pip >= 25.1 reads groups), resolved as for a user: the newest versions the
# package allows. The generator's pins live in their own venv (.venv-gen, made by
# scripts/regenerate.sh) so that they never hold back what the tests run against.
# The pytest plugin module is copied into site-packages (force-include), even by an editable
# install: a change to it needs a reinstall too. A venv from before the generator moved out
# still holds its pins (typer < 0.28): it is made afresh.
$(VENV)/.installed: pyproject.toml facade/_gototraining_pytest_plugin.py
	if $(BIN)/python -c 'import openapi_python_client' 2>/dev/null; then rm -rf $(VENV); fi
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade 'pip>=25.1'
	$(BIN)/python -m pip install --quiet -e '.[sandbox,cli,redis]' --group dev
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

# sdist + wheel into dist/, checked as PyPI would (what the release workflow uploads). Needs
# only the `dist` dependency group (build, hatchling, twine, check-wheel-contents), in a venv of
# its own: building from a checkout does not install the test, lint and docs toolchain.
DIST_VENV := .venv-dist
$(DIST_VENV)/.installed: pyproject.toml
	test -x $(DIST_VENV)/bin/python || $(PYTHON) -m venv $(DIST_VENV)
	$(DIST_VENV)/bin/python -m pip install --quiet --upgrade 'pip>=25.1'
	$(DIST_VENV)/bin/python -m pip install --quiet --group dist
	touch $@

dist: $(DIST_VENV)/.installed
	rm -rf dist
	$(DIST_VENV)/bin/python -m build --no-isolation --outdir dist .
	$(DIST_VENV)/bin/twine check --strict dist/*
	$(DIST_VENV)/bin/check-wheel-contents dist/*.whl

# The suite against what users install, on every CPython among 3.11-3.14 found here (PATH or
# pyenv; MATRIX_VERSIONS="3.13" for one): the built wheel with its extras in a fresh
# .venv-matrix/<version>, resolved as pip does for users, with the newest httpx, httpcore, h11
# and anyio releases the package allows, the test tools added without changing it
# (scripts/matrix.sh). A missing interpreter is reported, not installed.
matrix: install redis
	scripts/matrix.sh

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

# Turn drift recorded against the real API (gototraining --record-drift FILE, GOTO_RECORD_DRIFT,
# record_drift=FILE) into the concrete change to openapi/swagger.yaml, then regenerate:
#   make apply-drift DRIFT="drift.jsonl more-drift.jsonl"
# Afterwards `make api-snapshot` says what changed for users (docs/drift.md).
apply-drift: install
	@test -n "$(DRIFT)" || { echo 'usage: make apply-drift DRIFT="FILE ..."' >&2; exit 2; }
	$(BIN)/python -m scripts.apply_drift $(DRIFT)
	scripts/regenerate.sh

# The contract checks (docs/regenerating.md), each with a printed report. `make test`
# runs the same checks as tests under tests/contract/.
contract: install
	$(BIN)/python -m scripts.contract

# Rewrite api/gototraining.api.json after an intended public-API change (refuses breaking
# changes that CHANGELOG.md's "## Unreleased" section does not mention).
api-snapshot: install
	$(BIN)/python -m scripts.contract.api_snapshot --update

clean:
	rm -rf $(VENV) .venv-gen .venv-matrix .venv-dist node_modules dist build site .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -path ./.git -prune -o -path ./node_modules -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
