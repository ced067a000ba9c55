"""pytest plugin of the ``gototraining`` distribution: the ``gototraining_sandbox`` fixtures.

pytest loads this module (entry point ``pytest11``, name ``gototraining``) into every test run
of every project that installs gototraining, whether or not it uses the fixture. It is a
top-level module on purpose: a module inside the ``gototraining`` package would import the
package first (httpx, attrs, the client), which costs tens of milliseconds on every run. Here
nothing of gototraining is imported until a test requests a fixture. ``-p no:gototraining``
disables the plugin.

The sandbox is configured by ini options (``gototraining_sandbox_rate_limit``, ``..._seed``,
``..._expired_token_status``, ``..._strict``, ``..._drift``, ``..._rotate_refresh_tokens``)
for the whole run, and per test by the marker
``@pytest.mark.gototraining_sandbox(rate_limit=10, drift=True, ...)``. One server runs per
configuration in use, started the first time a test needs it and reset before every test.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from gototraining import GoToTraining
    from gototraining.sandbox import Sandbox
    from gototraining.sandbox.auth import OrganizerTokens

__all__ = [
    "gototraining_client",
    "gototraining_organizers",
    "gototraining_sandbox",
    "gototraining_sandbox_server",
    "pytest_addoption",
    "pytest_configure",
]

MARKER = "gototraining_sandbox"
#: The settings, their ini option names' suffix, their help and their defaults.
SETTINGS: Mapping[str, tuple[str, Any]] = {
    "rate_limit": ("requests/second above which the sandbox answers 429 (default: none)", None),
    "seed": ("seed of the sandbox's keys and fault rolls (default: 0)", 0),
    "expired_token_status": ("status for a wrong or expired token: 403 or 401", 403),
    "strict": ("refuse what the real API is believed to refuse, undocumented", False),
    "drift": ("answers stray from the spec: true, or kinds (e.g. 'missing,null')", None),
    "rotate_refresh_tokens": ("a refresh replaces the refresh token, as GoTo's does", True),
}

Settings = tuple[tuple[str, Any], ...]


def pytest_addoption(parser: pytest.Parser) -> None:
    for name, (help_text, _default) in SETTINGS.items():
        parser.addini(f"gototraining_sandbox_{name}", f"gototraining_sandbox: {help_text}")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(rate_limit=None, seed=0, expired_token_status=403, strict=False, "
        "drift=None, rotate_refresh_tokens=True): "
        "configure the gototraining_sandbox fixture for this test",
    )


_INVALID = object()


def _parse(name: str, value: Any) -> Any:
    """A setting's value (from an ini string or a marker argument), or ``_INVALID``."""
    text = value.strip().lower() if isinstance(value, str) else None
    if name == "rate_limit":
        if value is None or text in ("", "none"):
            return None
        if isinstance(value, bool):
            return _INVALID
        try:
            rate = float(value)
        except (TypeError, ValueError):
            return _INVALID
        return rate if rate > 0 and rate != float("inf") else _INVALID
    if name == "drift":
        from gototraining.sandbox.drift import DriftConfig

        try:
            config = DriftConfig.parse(value)
        except ValueError:
            return _INVALID
        return config
    if name in ("strict", "rotate_refresh_tokens"):
        if isinstance(value, bool):
            return value
        return {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}.get(
            text or "", _INVALID
        )
    if isinstance(value, bool):
        return _INVALID
    try:
        number = int(value)
    except (TypeError, ValueError):
        return _INVALID
    if name == "expired_token_status" and number not in (401, 403):
        return _INVALID
    return number


def _check(name: str, value: Any, where: str) -> Any:
    """A setting's value as ``Sandbox`` takes it (``pytest.UsageError`` if it is not one)."""
    parsed = _parse(name, value)
    if parsed is _INVALID:
        raise pytest.UsageError(f"{where}: {name}={value!r} is not valid")
    return parsed


def _ini_settings(config: pytest.Config) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for name, (_help, default) in SETTINGS.items():
        raw = config.getini(f"gototraining_sandbox_{name}")
        where = f"ini option gototraining_sandbox_{name}"
        settings[name] = default if raw in ("", [], None) else _check(name, raw, where)
    return settings


def _settings(request: pytest.FixtureRequest) -> Settings:
    settings = _ini_settings(request.config)
    marker = request.node.get_closest_marker(MARKER)
    if marker is not None:
        where = f"@pytest.mark.{MARKER} on {request.node.nodeid}"
        if marker.args:
            raise pytest.UsageError(f"{where}: takes keyword arguments only")
        unknown = sorted(set(marker.kwargs) - set(SETTINGS))
        if unknown:
            raise pytest.UsageError(
                f"{where}: unknown {', '.join(unknown)} (known: {', '.join(SETTINGS)})"
            )
        for name, value in marker.kwargs.items():
            settings[name] = _check(name, value, where)
    return tuple(sorted(settings.items()))


class _Servers:
    """The session's sandbox servers, one per configuration in use."""

    def __init__(self) -> None:
        self._started: dict[Settings, Sandbox] = {}

    def get(self, settings: Settings) -> Sandbox:
        sandbox = self._started.get(settings)
        if sandbox is None:
            try:
                from gototraining.sandbox import Sandbox
            except ImportError as exc:  # installed without the extra: the message says which
                pytest.fail(f"the gototraining_sandbox fixture: {exc}", pytrace=False)
            sandbox = Sandbox(**dict(settings))
            sandbox.start()
            self._started[settings] = sandbox
        return sandbox

    def stop(self) -> None:
        for sandbox in self._started.values():
            sandbox.stop()
        self._started.clear()


@pytest.fixture(scope="session")
def _gototraining_sandbox_servers() -> Iterator[_Servers]:
    servers = _Servers()
    try:
        yield servers
    finally:
        servers.stop()


@pytest.fixture(scope="session")
def gototraining_sandbox_server(
    pytestconfig: pytest.Config, _gototraining_sandbox_servers: _Servers
) -> Sandbox:
    """The session's sandbox server as the ini options configure it (use
    ``gototraining_sandbox`` instead: it is reset before each test)."""
    settings = tuple(sorted(_ini_settings(pytestconfig).items()))
    return _gototraining_sandbox_servers.get(settings)


@pytest.fixture
def gototraining_sandbox(
    request: pytest.FixtureRequest, _gototraining_sandbox_servers: _Servers
) -> Iterator[Sandbox]:
    """A running [`Sandbox`][gototraining.sandbox.Sandbox], reset to its seeded state.

    Configured by the ini options and the ``gototraining_sandbox`` marker; one server per
    configuration is shared by the session, and before each test its state, tokens, faults
    and logs are reset. The test fails at teardown if any response violated the spec.
    """
    sandbox = _gototraining_sandbox_servers.get(_settings(request))
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


@pytest.fixture
def gototraining_client(gototraining_sandbox: Sandbox) -> Iterator[GoToTraining]:
    """A ``GoToTraining`` for ``gototraining_sandbox``, unthrottled (``rate_limit=None``):
    the 10 requests/s client limiter would only slow tests down. Closed after the test.

    It decodes strictly (any drift from the spec is a ``DecodeError``: the sandbox answers by
    the spec, so drift would be a bug) unless the sandbox drifts on purpose (``drift=``): then
    tolerantly, as your application's own clients do by default.
    """
    with gototraining_sandbox.client(strict=gototraining_sandbox.drift is None) as client:
        yield client


@pytest.fixture
def gototraining_organizers(gototraining_sandbox: Sandbox) -> list[OrganizerTokens]:
    """Every organizer of ``gototraining_sandbox``'s account, the main one first, each with
    its own access and refresh token (``organizer_key``, ``email``, ``access_token``,
    ``refresh_token``): for multi-tenant tests. ``gototraining_sandbox.client(organizer_key=
    ...)`` is a client acting for one of them."""
    return gototraining_sandbox.organizers()
