"""Shared fixtures for the facade tests: run every behavioural case on sync AND async clients."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from gototraining import AsyncGoToTraining, GoToTraining

Client = GoToTraining | AsyncGoToTraining


class Flavor:
    """One way of running the client: ``sync`` or ``async``.

    Test bodies are written once: ``flavor.run(lambda c: c.trainings.get(1))`` calls the method
    and, for the async flavor, awaits the coroutine on this flavor's own event loop (one loop per
    test, so pooled connections never cross loops).
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.is_async = name == "async"
        self.loop = asyncio.new_event_loop() if self.is_async else None
        self.sleeps: list[float] = []
        self._clients: list[Client] = []

    def client(
        self, handler: Callable[[httpx.Request], httpx.Response] | None = None, **kwargs: Any
    ) -> Any:
        """A client of this flavor; ``handler`` plugs in an ``httpx.MockTransport``.

        Sleeping (backoff, rate limiting) is recorded in ``self.sleeps`` instead of waited.
        """
        kwargs.setdefault("access_token", "test-token")
        kwargs.setdefault("organizer_key", "1000000000000000001")
        if handler is not None:
            transport = httpx.MockTransport(handler)
            kwargs["http_client"] = (
                httpx.AsyncClient(transport=transport)
                if self.is_async
                else httpx.Client(transport=transport)
            )
        client: Client = AsyncGoToTraining(**kwargs) if self.is_async else GoToTraining(**kwargs)
        if self.is_async:

            async def fake_async_sleep(seconds: float) -> None:
                self.sleeps.append(seconds)

            client._transport.sleep = fake_async_sleep
        else:
            client._transport.sleep = self.sleeps.append
        self._clients.append(client)
        return client

    def run(self, fn: Callable[[Any], Any], client: Client | None = None) -> Any:
        """Call ``fn(client)`` and, for async, await the result."""
        result = fn(client if client is not None else self._clients[-1])
        if self.is_async:
            assert inspect.isawaitable(result), "async client returned a non-awaitable"
            assert self.loop is not None
            return self.loop.run_until_complete(result)
        return result

    def close(self) -> None:
        for client in self._clients:
            if isinstance(client, AsyncGoToTraining):
                assert self.loop is not None
                self.loop.run_until_complete(client.aclose())
                self.loop.run_until_complete(client.http_client.aclose())
            else:
                client.close()
                client.http_client.close()
        if self.loop is not None:
            self.loop.close()


@pytest.fixture(params=["sync", "async"])
def flavor(request: pytest.FixtureRequest) -> Iterator[Flavor]:
    f = Flavor(request.param)
    try:
        yield f
    finally:
        f.close()


# -- VCR cassettes --------------------------------------------------------------------------------
#
# Normal runs replay tests/cassettes/ with record_mode "none": no network, no sandbox, and a
# request that is not in the cassette fails the test. `make cassettes` sets GOTO_RECORD=1: the
# sync variant of each cassette test then records against a sandbox started for the session (or,
# with GOTO_ACCESS_TOKEN and GOTO_ORGANIZER_KEY set, against the live API) and the async variant
# replays what the sync one just recorded -- so both flavors provably send the same requests.

import json as _json
import os
import pathlib

import vcr
from gototraining import DEFAULT_TOKEN_URL, OAuth2

from .cassette_scrub import LIVE_BASE_URL, Scrubber

CASSETTES = pathlib.Path(__file__).resolve().parent.parent / "cassettes"
#: The recording switches, read once at import (collection): the root conftest's autouse
#: fixture removes GOTO_ACCESS_TOKEN/GOTO_ORGANIZER_KEY from os.environ for every test.
RECORDING_ENV: dict[str, str] = {
    name: os.environ.get(name, "")
    for name in (
        "GOTO_RECORD",
        "GOTO_ACCESS_TOKEN",
        "GOTO_ORGANIZER_KEY",
        "GOTO_ACCOUNT_KEY",
        "GOTO_CO_ORGANIZER_KEYS",
    )
}
RECORDING = RECORDING_ENV["GOTO_RECORD"] == "1"
LIVE = RECORDING and bool(
    RECORDING_ENV["GOTO_ACCESS_TOKEN"] and RECORDING_ENV["GOTO_ORGANIZER_KEY"]
)

# What replays see (and what recordings are scrubbed to).
FAKE_ORGANIZER_KEY = "1000000000000000001"
FAKE_ACCOUNT_KEY = "1000000000000000002"
FAKE_CO_ORGANIZER_KEYS = ("1000000000000000003", "1000000000000000004")
#: Size of every recording file the sandbox serves while recording (keeps cassettes small).
RECORDING_FILE_SIZE = 20_000


class Env:
    """Where a cassette test's requests go, and the knobs only a sandbox has.

    In replay mode every value is the scrubbed fake and the knobs do nothing (the cassette
    already holds what they caused).
    """

    mode = "replay"
    base_url = LIVE_BASE_URL
    token = "REDACTED"
    organizer_key = FAKE_ORGANIZER_KEY
    account_key = FAKE_ACCOUNT_KEY
    co_organizer_keys: tuple[str, ...] = FAKE_CO_ORGANIZER_KEYS
    token_url = DEFAULT_TOKEN_URL
    client_id, client_secret, refresh_token = "client-id", "REDACTED", "REDACTED"

    def fault(self, **kwargs: Any) -> None:
        """Inject a sandbox fault (``sb.faults.add(**kwargs)``) for the next request(s)."""

    def expire_tokens(self, status: int = 403) -> None:
        """Invalidate all access tokens (sandbox); they then get ``status`` (403 like the
        gateway, or 401) with an ``InvalidToken`` body."""

    def complete_training(self, training_key: str, attendance_rate: float = 0.8) -> None:
        """Let the training take place: completed sessions, attendance and recordings (sandbox).

        Recording files are served with ``RECORDING_FILE_SIZE`` bytes to keep cassettes small.
        """

    def oauth(self, **kwargs: Any) -> OAuth2:
        return OAuth2(
            self.client_id, self.client_secret, self.refresh_token, access_token=self.token,
            token_url=self.token_url, **kwargs,
        )  # fmt: skip

    def scrubber(self) -> Scrubber:
        # vcrpy runs the hooks on playback too: keep the recorded files whole there as well.
        return Scrubber(max_binary_body=RECORDING_FILE_SIZE)


class SandboxEnv(Env):
    mode = "sandbox"

    def __init__(self, sb: Any) -> None:
        self.sb = sb
        self.base_url, self.token, self.token_url = sb.url, sb.token, sb.token_url
        self.organizer_key, self.account_key = sb.organizer_key, sb.account_key
        self.co_organizer_keys = tuple(sb.co_organizer_keys)
        self.client_id, self.client_secret, self.refresh_token = (
            sb.client_id,
            sb.client_secret,
            sb.refresh_token,
        )

    def fault(self, **kwargs: Any) -> None:
        self.sb.faults.add(**kwargs)

    def expire_tokens(self, status: int = 403) -> None:
        self.sb.set_expired_token_status(status)
        self.sb.expire_tokens()

    def complete_training(self, training_key: str, attendance_rate: float = 0.8) -> None:
        self.sb.set_recording_file_size(RECORDING_FILE_SIZE)
        self.sb.complete_training(training_key, attendance_rate=attendance_rate)

    def scrubber(self) -> Scrubber:
        keys = {self.organizer_key: FAKE_ORGANIZER_KEY, self.account_key: FAKE_ACCOUNT_KEY}
        keys.update(zip(self.co_organizer_keys, FAKE_CO_ORGANIZER_KEYS, strict=False))
        # The download test replays the recording's bytes: keep files of the size served.
        return Scrubber(self.base_url, self.token_url, keys, max_binary_body=RECORDING_FILE_SIZE)


class LiveEnv(Env):
    mode = "live"

    def __init__(self) -> None:
        self.token = RECORDING_ENV["GOTO_ACCESS_TOKEN"]
        self.organizer_key = RECORDING_ENV["GOTO_ORGANIZER_KEY"]
        self.account_key = RECORDING_ENV["GOTO_ACCOUNT_KEY"] or FAKE_ACCOUNT_KEY
        co = [k for k in RECORDING_ENV["GOTO_CO_ORGANIZER_KEYS"].split(",") if k]
        self.co_organizer_keys = tuple(co)

    def fault(self, **kwargs: Any) -> None:
        pytest.skip("needs sandbox fault injection")

    def expire_tokens(self, status: int = 403) -> None:
        pytest.skip("needs the sandbox to expire tokens")

    def complete_training(self, training_key: str, attendance_rate: float = 0.8) -> None:
        pytest.skip("needs the sandbox to complete a training")

    def scrubber(self) -> Scrubber:
        keys = {self.organizer_key: FAKE_ORGANIZER_KEY, self.account_key: FAKE_ACCOUNT_KEY}
        keys.update(zip(self.co_organizer_keys, FAKE_CO_ORGANIZER_KEYS, strict=False))
        return Scrubber(keys=keys)


@pytest.fixture(scope="session")
def _recording_sandbox() -> Iterator[Any]:
    from gototraining.sandbox import Sandbox  # the sandbox extra; only needed to record

    with Sandbox(seed=0, rate_limit=None) as sb:
        yield sb


def _json_body_matcher(r1: Any, r2: Any) -> None:
    """Bodies must match; JSON is compared parsed, token-endpoint forms (scrubbed) are not compared."""
    if r1.uri == DEFAULT_TOKEN_URL or r2.uri == DEFAULT_TOKEN_URL:
        return
    b1, b2 = r1.body or b"", r2.body or b""
    try:
        assert _json.loads(b1) == _json.loads(b2), (b1, b2)
    except ValueError:
        assert b1 == b2, (b1, b2)


class Api:
    """A cassette test's handle: ``api.client()`` of the test's flavor, ``api.run(fn)``, ``api.env``."""

    def __init__(self, flavor: Flavor, env: Env, cassette: Any = None) -> None:
        self.flavor, self.env = flavor, env
        self.cassette = cassette  # the vcrpy cassette

    def statuses(self) -> list[int]:
        """The HTTP statuses of this run's interactions (replayed, or recorded just now)."""
        return [response["status"]["code"] for _, response in self.cassette.data]

    def client(self, **kwargs: Any) -> Any:
        kwargs.setdefault("base_url", self.env.base_url)
        kwargs.setdefault("organizer_key", self.env.organizer_key)
        kwargs.setdefault("rate_limit", None)
        if "auth" in kwargs:
            kwargs.setdefault("access_token", None)
        else:
            kwargs.setdefault("access_token", self.env.token)
        return self.flavor.client(**kwargs)

    def run(self, fn: Callable[[Any], Any], client: Any = None) -> Any:
        return self.flavor.run(fn, client)


@pytest.fixture
def api(request: pytest.FixtureRequest, flavor: Flavor) -> Iterator[Api]:
    """Replay (or, when recording, record) ``tests/cassettes/<module>/<test>.yaml``.

    One cassette per scenario, shared by the sync and the async variant of the test.
    """
    module = request.node.module.__name__.rsplit(".", 1)[-1]
    path = CASSETTES / module / f"{request.node.originalname}.yaml"
    record = RECORDING and flavor.name == "sync"
    env: Env
    if not record:
        env = Env()
    elif LIVE:
        env = LiveEnv()
    else:
        sb = request.getfixturevalue("_recording_sandbox")
        sb.reset()
        sb.faults.clear()
        env = SandboxEnv(sb)
    if not record and not path.exists():
        pytest.fail(
            f"missing cassette {path.relative_to(CASSETTES.parent.parent)}; run `make cassettes`"
        )
    if record:
        # vcrpy keeps a re-recorded cassette's old interactions; a scenario that stops sending a
        # request would leave a stale entry that replay then demands. Start from an empty file.
        path.unlink(missing_ok=True)
    scrubber = env.scrubber()
    recorder = vcr.VCR(
        record_mode="all" if record else "none",
        match_on=["method", "scheme", "host", "port", "path", "query", "json_body"],
        before_record_request=scrubber.before_record_request,
        before_record_response=scrubber.before_record_response,
        decode_compressed_response=True,
    )
    recorder.register_matcher("json_body", _json_body_matcher)
    with recorder.use_cassette(str(path)) as cassette:
        yield Api(flavor, env, cassette)
        if not record:
            # Every recorded request must have been made: sync and async send the same requests.
            assert cassette.all_played, (
                f"{path.name}: {cassette.play_count}/{len(cassette)} interactions played"
            )
