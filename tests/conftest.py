"""Fixtures for every test under tests/.

The developer's shell may export ``GOTO_*`` variables (docs/sandbox.md tells users to
``export GOTO_BASE_URL=...`` for the sandbox); the clients and the CLI read them as defaults, so
they must never leak into a test. Tests that need one set it with ``monkeypatch.setenv``. Nor
may the developer's own login (the token store in ``~/.config/gototraining``, last in the
clients' credentials chain): ``GOTO_CONFIG_DIR`` points at an empty directory.

The suite decodes strictly (``GOTO_STRICT=1``, inherited by the CLI processes tests start): where
we control both sides (the sandbox, the cassettes) any drift from the spec is a bug. Tests of
tolerant decoding pass ``strict=False``. Each test starts with no drift warned about yet.

``redis_server`` is a real ``redis-server`` for the session (started on first use, on a free
loopback port; ``scripts/ensure-redis.sh`` installs it); ``redis_url`` is its URL with the
database emptied for the test. A test that stops its server makes its own ``RedisServer``.

``make cassettes`` decides on live recording from ``GOTO_ACCESS_TOKEN``/``GOTO_ORGANIZER_KEY``:
``tests/sdk/conftest.py`` reads them when it is imported (collection, before any fixture runs)
into ``RECORDING_ENV``, so clearing them here does not affect recording.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from benchmarks.redis_server import RedisServer

#: Read by the facade (``GoToTraining()`` defaults) and the CLI.
GOTO_ENV = (
    "GOTO_ACCESS_TOKEN",
    "GOTO_ORGANIZER_KEY",
    "GOTO_BASE_URL",
    "GOTO_CLIENT_ID",
    "GOTO_CLIENT_SECRET",
    "GOTO_REFRESH_TOKEN",
    "GOTO_TOKEN_URL",
    "GOTO_CONFIG_DIR",
    "GOTO_STRICT",
    "GOTO_RECORD_DRIFT",
    "GOTO_RATE_LIMIT_URL",
)


@pytest.fixture(scope="session")
def _no_login(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("config") / "gototraining")


@pytest.fixture(autouse=True)
def _no_goto_environment(monkeypatch: pytest.MonkeyPatch, _no_login: str) -> None:
    """Every test starts without the user's GOTO_* variables (restored afterwards), without a
    stored login, decoding strictly, with no drift warned about yet."""
    for name in GOTO_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GOTO_CONFIG_DIR", _no_login)
    monkeypatch.setenv("GOTO_STRICT", "1")
    from gototraining import _drift

    _drift.forget_warnings()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, emptied for this test."""
    client = redis_server.client()
    try:
        client.flushall()
    finally:
        client.close()
    return redis_server.url
