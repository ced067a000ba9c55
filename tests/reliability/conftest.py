"""Shared fixtures for the reliability suite.

- ``flavor``: the facade tests' sync/async runner (tests/sdk/conftest.py), reused.
- ``sb``: the session's sandbox (the installed ``gototraining_sandbox`` fixture), reset per test.
- ``FUZZ``: hypothesis settings for the fuzz tests: small by default, ``HYPOTHESIS_PROFILE=soak``
  for the soak size.
- ``hostile``: one ``HostileServer`` (hostile.py) for the session, reset per use.
- ``@pytest.mark.soak`` tests only run under ``make soak``: pytest's addopts deselect them
  (``-m "not soak"``, pyproject.toml), ``make soak`` selects ``-m "soak or fuzz"`` with the
  soak hypothesis profile.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from sdk.conftest import Flavor, flavor  # noqa: F401  (re-exported fixture)

from .hostile import HostileServer

#: Examples per fuzz test (test_fuzz_decoding.py, test_spec_decoding.py: the spec-driven tests use
#: a half or a quarter of it in CI, all of it under `make soak`).
CI_EXAMPLES, SOAK_EXAMPLES = 100, 1000
SOAK = os.environ.get("HYPOTHESIS_PROFILE") == "soak"
#: Applied to each fuzz test explicitly (no global profile: other suites keep their settings).
FUZZ = settings(
    max_examples=SOAK_EXAMPLES if SOAK else CI_EXAMPLES,
    deadline=None,
    derandomize=not SOAK,  # CI runs are reproducible; soak runs explore
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
    print_blob=True,
)


@pytest.fixture
def sb(gototraining_sandbox: Any) -> Any:
    """The session sandbox, reset to its seeded state (fails the test on spec violations)."""
    return gototraining_sandbox


@pytest.fixture(scope="session")
def hostile_server() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


@pytest.fixture
def hostile(hostile_server: HostileServer) -> HostileServer:
    """The session's hostile server, with no answers configured and no requests recorded."""
    hostile_server.reset()
    return hostile_server
