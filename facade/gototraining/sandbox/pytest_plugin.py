"""pytest plugin (entry point ``pytest11``): the ``gototraining_sandbox`` fixture.

Loaded by pytest for everyone who installs gototraining, so it imports nothing heavy at
load time; the server stack (the ``sandbox`` extra) is imported inside the fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from gototraining.sandbox.server import Sandbox


@pytest.fixture(scope="session")
def gototraining_sandbox_server() -> Iterator[Sandbox]:
    """One sandbox server for the whole test session (use ``gototraining_sandbox`` instead)."""
    try:
        from gototraining.sandbox.server import Sandbox
    except ImportError as exc:  # installed without the extra
        pytest.fail(
            f"the gototraining_sandbox fixture needs the 'sandbox' extra "
            f"(pip install 'gototraining[sandbox]'): {exc}",
            pytrace=False,
        )
    sandbox = Sandbox()
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture
def gototraining_sandbox(gototraining_sandbox_server: Sandbox) -> Iterator[Sandbox]:
    """A running :class:`~gototraining.sandbox.Sandbox`, reset to its seeded state.

    The server is shared by the session; before each test its state, tokens, faults and
    logs are reset. The test fails at teardown if any response violated the spec.
    """
    sandbox = gototraining_sandbox_server
    sandbox.reset()
    sandbox.validate = True
    yield sandbox
    violations = sandbox.take_violations()
    if violations:
        pytest.fail(
            "GoToTraining sandbox produced responses that violate the OpenAPI spec:\n  "
            + "\n  ".join(violations),
            pytrace=False,
        )
