"""pytest plugin of the ``gototraining`` distribution: the ``gototraining_sandbox`` fixture.

pytest loads this module (entry point ``pytest11``, name ``gototraining``) into every test run
of every project that installs gototraining, whether or not it uses the fixture. It is a
top-level module on purpose: a module inside the ``gototraining`` package would import the
package first (httpx, attrs, the client), which costs tens of milliseconds on every run. Here
nothing of gototraining is imported until a test requests the fixture. ``-p no:gototraining``
disables the plugin.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from gototraining.sandbox import Sandbox

__all__ = ["gototraining_sandbox", "gototraining_sandbox_server"]


@pytest.fixture(scope="session")
def gototraining_sandbox_server() -> Iterator[Sandbox]:
    """One sandbox server for the whole test session (use ``gototraining_sandbox`` instead)."""
    try:
        from gototraining.sandbox import Sandbox
    except ImportError as exc:  # installed without the extra: the message says what to install
        pytest.fail(f"the gototraining_sandbox fixture: {exc}", pytrace=False)
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
