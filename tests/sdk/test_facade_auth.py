"""OAuth2 refresh: proactive, reactive (401 / 403 InvalidToken), and exactly once under
concurrency -- threads sharing a sync client, and asyncio tasks sharing an async client."""

from __future__ import annotations

import asyncio
import base64
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from gototraining import (
    AsyncGoToTraining,
    AuthenticationError,
    BearerToken,
    GoToTraining,
    OAuth2,
    OAuth2Token,
    ValidationError,
)

from .conftest import Flavor

TOKEN_URL = "https://auth.example/oauth/token"
ORG = "1000000000000000001"


#: Bound of waits that only end late when something hangs.
HANG = 120.0


class FakeGoTo:
    """Token endpoint + one API endpoint. Access tokens are ``at-<n>``; only the newest works.

    ``token_gate(n)``, if set, holds the ``n``-th token request (from 0) until it returns
    true: tests use it to let the other requests catch up (an event, not a delay)."""

    def __init__(
        self,
        *,
        reject_with: int = 403,
        token_delay: float = 0.0,
        token_gate: Callable[[int], bool] | None = None,
    ) -> None:
        self.generation = 1
        self.token_calls: list[httpx.Request] = []
        self.api_calls: list[str] = []
        self.reject_with = reject_with
        self.token_delay = token_delay
        self.token_gate = token_gate
        self.token_requests = 0
        #: What each client request ended with, for tests that record it (``run_everywhere``).
        self.results: list[Any] = []
        self.lock = threading.Lock()

    def _next_token_request(self) -> int:
        with self.lock:
            self.token_requests += 1
            return self.token_requests - 1

    def _gate_open(self, index: int, deadline: float) -> bool:
        """Whether the ``index``-th token request may go on (also once ``deadline`` passed:
        the test's own assertions then report what did not happen)."""
        gate = self.token_gate
        return gate is None or gate(index) or time.monotonic() > deadline

    def _token(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.token_calls.append(request)
            self.generation += 1
            n = self.generation
        return httpx.Response(
            200,
            json={
                "access_token": f"at-{n}",
                "refresh_token": f"rt-{n}",
                "expires_in": 3600,
                "token_type": "Bearer",
            },
        )

    def _api(self, request: httpx.Request) -> httpx.Response:
        auth = request.headers.get("authorization", "")
        self.api_calls.append(auth)
        if auth != f"Bearer at-{self.generation}":
            if self.reject_with == 401:
                return httpx.Response(401, json={"msg": "unauthorized"})
            return httpx.Response(
                403, json={"int_err_code": "InvalidToken", "msg": "Invalid token passed"}
            )
        return httpx.Response(200, json=[])

    def handler(self, request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            index, deadline = self._next_token_request(), time.monotonic() + HANG
            while not self._gate_open(index, deadline):
                time.sleep(0.001)
            if self.token_delay:
                time.sleep(self.token_delay)  # widen the race window
            return self._token(request)
        return self._api(request)

    async def async_handler(self, request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            index, deadline = self._next_token_request(), time.monotonic() + HANG
            while not self._gate_open(index, deadline):  # other tasks of this loop go on
                await asyncio.sleep(0.001)
            await asyncio.sleep(self.token_delay)
            return self._token(request)
        await asyncio.sleep(0)
        return self._api(request)


def oauth(**kwargs: object) -> OAuth2:
    return OAuth2(
        "my-client",
        "my-secret",
        "rt-1",
        access_token="at-1",
        token_url=TOKEN_URL,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("reject_with", [401, 403])
def test_reactive_refresh_once_then_success(flavor: Flavor, reject_with: int) -> None:
    api = FakeGoTo(reject_with=reject_with)
    api.generation = 2  # the server already moved on: at-1 is stale
    refreshed: list[OAuth2Token] = []
    auth = oauth(on_token_refresh=refreshed.append)
    handler = api.async_handler if flavor.is_async else api.handler
    flavor.client(handler, access_token=None, auth=auth, organizer_key=ORG, rate_limit=None)  # type: ignore[arg-type]
    assert flavor.run(lambda c: c.trainings.list()) == []
    assert api.api_calls == ["Bearer at-1", "Bearer at-3"]
    [token_request] = api.token_calls
    assert (
        token_request.headers["authorization"]
        == "Basic " + base64.b64encode(b"my-client:my-secret").decode()
    )
    assert token_request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(token_request.content.decode()) == {
        "grant_type": ["refresh_token"],
        "refresh_token": ["rt-1"],
    }
    [token] = refreshed
    assert token.access_token == "at-3" and token.refresh_token == "rt-3"
    assert "at-3" not in repr(token) and "my-secret" not in repr(auth)
    # the rotated refresh token is used next time
    api.generation = 5
    flavor.run(lambda c: c.trainings.list())
    assert parse_qs(api.token_calls[1].content.decode())["refresh_token"] == ["rt-3"]


def test_refresh_happens_only_once_per_request(flavor: Flavor) -> None:
    """If the fresh token is rejected too, the error surfaces (no refresh loop)."""
    api = FakeGoTo()

    def always_reject(request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            return api._token(request)
        return httpx.Response(403, json={"int_err_code": "InvalidToken", "msg": "Invalid token"})

    flavor.client(always_reject, access_token=None, auth=oauth(), rate_limit=None)
    with pytest.raises(AuthenticationError, match="InvalidToken"):
        flavor.run(lambda c: c.trainings.list())
    assert len(api.token_calls) == 1


def test_proactive_refresh_before_expiry(flavor: Flavor) -> None:
    api = FakeGoTo()
    now = [1000.0]
    auth = oauth(expires_at=1030.0, clock=lambda: now[0])  # expires within the 60 s leeway
    flavor.client(api.handler, access_token=None, auth=auth, rate_limit=None)
    flavor.run(lambda c: c.trainings.list())
    assert api.api_calls == ["Bearer at-2"] and len(api.token_calls) == 1
    flavor.run(lambda c: c.trainings.list())  # at-2 is valid for an hour: no refresh
    assert len(api.token_calls) == 1
    now[0] += 3600
    flavor.run(lambda c: c.trainings.list())
    assert len(api.token_calls) == 2


def test_no_access_token_yet_fetches_one(flavor: Flavor) -> None:
    api = FakeGoTo()
    auth = OAuth2("c", "s", "rt-1", token_url=TOKEN_URL)
    flavor.client(api.handler, access_token=None, auth=auth, rate_limit=None)
    flavor.run(lambda c: c.trainings.list())
    assert api.api_calls == ["Bearer at-2"]


def test_refresh_failure_is_authentication_error_without_secrets(flavor: Flavor) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            return httpx.Response(
                400, json={"error": "invalid_grant", "error_description": "refresh token revoked"}
            )
        return httpx.Response(401)

    flavor.client(handler, access_token=None, auth=oauth(), rate_limit=None)
    with pytest.raises(
        AuthenticationError, match="token refresh failed: refresh token revoked"
    ) as info:
        flavor.run(lambda c: c.trainings.list())
    assert "rt-1" not in str(info.value) and "my-secret" not in str(info.value)
    assert info.value.error_code == "invalid_grant"


def test_threads_share_one_refresh() -> None:
    api = FakeGoTo(token_delay=0.05)
    api.generation = 2
    auth = oauth()
    client = GoToTraining(
        auth=auth,
        organizer_key=ORG,
        rate_limit=None,
        http_client=httpx.Client(transport=httpx.MockTransport(api.handler)),
    )
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda _: client.trainings.list(), range(32)))
    assert results == [[]] * 32
    assert len(api.token_calls) == 1 and auth.refresh_count == 1
    client.http_client.close()


def test_tasks_share_one_refresh() -> None:
    async def main() -> None:
        api = FakeGoTo(token_delay=0.05)
        api.generation = 2
        auth = oauth()
        transport = httpx.MockTransport(api.async_handler)
        async with httpx.AsyncClient(transport=transport) as http:
            client = AsyncGoToTraining(
                auth=auth, organizer_key=ORG, rate_limit=None, http_client=http
            )
            results = await asyncio.gather(*(client.trainings.list() for _ in range(32)))
        assert results == [[]] * 32
        assert len(api.token_calls) == 1 and auth.refresh_count == 1

    asyncio.run(main())


def test_constructor_validation() -> None:
    for args, param in (
        (("c", "", "r"), "client_secret"),
        (("", "s", "r"), "client_id"),
        (("c", "s", None), "refresh_token"),
    ):
        with pytest.raises(ValidationError, match=param) as info:
            OAuth2(*args)
        assert info.value.param == param
    with pytest.raises(ValidationError) as info:
        BearerToken(123)  # type: ignore[arg-type]
    assert info.value.param == "token"
