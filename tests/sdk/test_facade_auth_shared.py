"""One ``OAuth2`` shared by sync clients in threads AND async clients in several event loops
refreshes exactly once (a threading.Lock for sync plus one asyncio.Lock per loop would give one
refresh per lock -- 4 token requests for 4 threads + 3 loops; with rotating refresh tokens the
extra ones fail with invalid_grant).

Race-free by construction: the fake token endpoint answers a refresh only once every other
request waits for it (``Refreshes``), not after a delay that a busy machine may outlast."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from gototraining import (
    APIConnectionError,
    AsyncGoToTraining,
    AuthenticationError,
    GoToTraining,
    OAuth2,
    ServerError,
    _auth_flow,
)

from .test_facade_auth import HANG, ORG, TOKEN_URL, FakeGoTo

SYNC_THREADS, LOOPS, TASKS_PER_LOOP = 4, 3, 3
REQUESTS = SYNC_THREADS + LOOPS * TASKS_PER_LOOP


class Refreshes:
    """The token refreshes ``OAuth2`` starts, each with the requests waiting for it.

    The tests below are about what the *waiters* of a refresh do; for that, every other request
    must be waiting while the refresh is in flight. ``expect(n, ...)`` is the gate for
    ``FakeGoTo(token_gate=...)``: the token endpoint answers refresh ``n`` only once that many
    requests wait for it -- however slowly the threads start on a busy machine."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.started: list[Any] = []
        self._lock = threading.Lock()
        refreshes = self

        class Watched(_auth_flow.InFlight):
            """An ``InFlight`` that remembers who waited on it (a thread, or a task)."""

            def __init__(self) -> None:
                super().__init__()
                self.seen: set[tuple[int, int]] = set()
                self.seen_lock = threading.Lock()
                with refreshes._lock:
                    refreshes.started.append(self)

            def _note(self, task: object) -> None:
                with self.seen_lock:
                    self.seen.add((threading.get_ident(), id(task)))

            def wait(self, timeout: float) -> bool:
                self._note(None)
                return super().wait(timeout)

            async def wait_async(self, timeout: float) -> bool:
                self._note(asyncio.current_task())
                return await super().wait_async(timeout)

        monkeypatch.setattr(_auth_flow, "InFlight", Watched)

    def waiters(self, index: int) -> int:
        with self._lock:
            if index >= len(self.started):
                return 0
            inflight = self.started[index]
        with inflight.seen_lock:
            return len(inflight.seen)

    def expect(self, *waiters: int) -> Callable[[int], bool]:
        """A token gate: refresh ``n`` goes on once ``waiters[n]`` requests wait for it."""
        return lambda index: index >= len(waiters) or self.waiters(index) >= waiters[index]


def run_everywhere(auth: OAuth2, api: FakeGoTo, **client_kwargs: Any) -> list[Any]:
    """4 threads with a sync client each + 3 threads each running asyncio.run() with 3 tasks;
    all start together. Returns each request's result or exception, recorded (in ``api.results``
    too) the moment the request ends."""
    results = api.results
    lock = threading.Lock()
    barrier = threading.Barrier(SYNC_THREADS + LOOPS)

    def record(value: Any) -> None:
        with lock:
            results.append(value)

    def sync_worker() -> None:
        http = httpx.Client(transport=httpx.MockTransport(api.handler))
        client = GoToTraining(
            auth=auth, organizer_key=ORG, rate_limit=None, http_client=http, **client_kwargs
        )
        barrier.wait()
        try:
            record(client.trainings.list())
        except Exception as exc:  # noqa: BLE001 - collected
            record(exc)
        finally:
            http.close()

    def async_worker() -> None:
        async def one(client: AsyncGoToTraining) -> None:
            try:
                record(await client.trainings.list())
            except Exception as exc:  # noqa: BLE001 - collected
                record(exc)

        async def main() -> None:
            transport = httpx.MockTransport(api.async_handler)
            async with httpx.AsyncClient(transport=transport) as http:
                client = AsyncGoToTraining(
                    auth=auth, organizer_key=ORG, rate_limit=None, http_client=http, **client_kwargs
                )
                barrier.wait()
                await asyncio.gather(*(one(client) for _ in range(TASKS_PER_LOOP)))

        asyncio.run(main())

    threads = [threading.Thread(target=sync_worker) for _ in range(SYNC_THREADS)]
    threads += [threading.Thread(target=async_worker) for _ in range(LOOPS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=HANG)
    assert len(results) == REQUESTS
    return results


def fake_goto(refreshes: Refreshes, *waiters: int) -> FakeGoTo:
    """A ``FakeGoTo`` whose token endpoint answers refresh ``n`` once ``waiters[n]`` wait."""
    return FakeGoTo(token_gate=refreshes.expect(*waiters))


@pytest.fixture
def refreshes(monkeypatch: pytest.MonkeyPatch) -> Refreshes:
    return Refreshes(monkeypatch)


#: Everybody but the refresher.
OTHERS = REQUESTS - 1


def test_proactive_refresh_once_across_threads_and_event_loops(refreshes: Refreshes) -> None:
    api = fake_goto(refreshes, OTHERS)
    auth = OAuth2("my-client", "my-secret", "rt-1", token_url=TOKEN_URL)  # no token yet
    results = run_everywhere(auth, api)
    assert results == [[]] * len(results)
    assert len(api.token_calls) == 1 and auth.refresh_count == 1
    assert set(api.api_calls) == {"Bearer at-2"}
    assert refreshes.waiters(0) == OTHERS


def test_reactive_refresh_once_across_threads_and_event_loops(refreshes: Refreshes) -> None:
    api = fake_goto(refreshes, OTHERS)
    api.generation = 2  # at-1 is stale: every first attempt is rejected
    auth = OAuth2("my-client", "my-secret", "rt-1", access_token="at-1", token_url=TOKEN_URL)
    results = run_everywhere(auth, api)
    assert results == [[]] * len(results)
    assert len(api.token_calls) == 1 and auth.refresh_count == 1
    assert api.api_calls.count("Bearer at-1") == REQUESTS  # all of them met the refresh


def test_a_rejected_refresh_is_not_repeated_by_the_waiters(refreshes: Refreshes) -> None:
    api = fake_goto(refreshes, OTHERS)
    calls: list[int] = []

    def reject(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(400, json={"error": "invalid_grant", "error_description": "used"})

    api._token = reject  # type: ignore[method-assign]
    auth = OAuth2("my-client", "my-secret", "rt-1", token_url=TOKEN_URL)
    results = run_everywhere(auth, api)
    assert all(isinstance(r, AuthenticationError) for r in results), results
    assert all(r.error_code == "invalid_grant" for r in results)
    assert len(calls) == 1 and not api.api_calls


def test_an_abandoned_refresh_is_taken_over_by_a_waiter(refreshes: Refreshes) -> None:
    """The leader's token request fails to connect: a waiter refreshes instead."""
    # The second refresh is led by a waiter of the first, the other waiters wait for it.
    api = fake_goto(refreshes, OTHERS, OTHERS - 1)
    real_token: Callable[[httpx.Request], httpx.Response] = api._token
    calls: list[int] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("refused")
        return real_token(request)

    api._token = flaky  # type: ignore[method-assign]
    auth = OAuth2("my-client", "my-secret", "rt-1", token_url=TOKEN_URL)
    results = run_everywhere(auth, api)
    # the pipeline retries the leader's request (ConnectError: nothing was sent)
    assert all(r == [] or isinstance(r, APIConnectionError) for r in results), results
    assert len(calls) == 2 and auth.refresh_count == 1


def test_waiting_for_a_stuck_refresh_times_out(refreshes: Refreshes) -> None:
    api = FakeGoTo()
    # The refresh is stuck until every other request has given up waiting for it.
    api.token_gate = lambda index: len(api.results) >= OTHERS
    auth = OAuth2("my-client", "my-secret", "rt-1", token_url=TOKEN_URL)
    auth.refresh_wait = 0.1
    results = run_everywhere(auth, api)
    timeouts = [r for r in results if isinstance(r, Exception)]
    assert len(timeouts) == len(results) - 1  # everyone but the refresher gave up
    assert all("waiting for a token refresh by a concurrent request" in str(r) for r in timeouts)
    assert all(getattr(r, "maybe_sent", None) is False for r in timeouts)
    assert results[-1] == []  # the refresher, last, got its answer


@pytest.mark.parametrize("loops", [2])
def test_sequential_event_loops_still_work(loops: int) -> None:
    """One ``OAuth2`` reused across ``asyncio.run()`` calls: each loop refreshes with it."""
    api = FakeGoTo()
    auth = OAuth2("c", "s", "rt-1", token_url=TOKEN_URL)

    async def once() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(api.async_handler)) as http:
            client = AsyncGoToTraining(
                auth=auth, organizer_key=ORG, rate_limit=None, http_client=http
            )
            await client.trainings.list()

    for _ in range(loops):
        asyncio.run(once())
        api.generation += 1
    assert auth.refresh_count == loops


def test_a_busy_token_endpoint_is_a_server_error_shared_by_the_waiters(
    refreshes: Refreshes,
) -> None:
    """A 503 from the token endpoint says nothing about the credentials: ``ServerError``, not
    ``AuthenticationError``, and the waiters share it instead of asking again."""
    api = fake_goto(refreshes, OTHERS)
    calls: list[int] = []

    def busy(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(503, json={"error": "temporarily_unavailable"})

    api._token = busy  # type: ignore[method-assign]
    auth = OAuth2("my-client", "my-secret", "rt-1", token_url=TOKEN_URL)
    results = run_everywhere(auth, api)
    assert all(type(r) is ServerError for r in results), results
    assert all("token refresh failed" in str(r) for r in results)
    assert len(calls) == 1 and not api.api_calls


def test_an_unreachable_token_endpoint_is_not_tried_by_every_waiter_in_turn(
    refreshes: Refreshes,
) -> None:
    """Every token request fails to connect: one waiter takes over once, then the rest give up
    (before: each of the 13 callers tried in turn, the last one waiting 13 connect attempts)."""
    api = fake_goto(refreshes, OTHERS, OTHERS - 1)
    calls: list[int] = []

    def unreachable(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.ConnectError("refused")

    api._token = unreachable  # type: ignore[method-assign]
    auth = OAuth2("my-client", "my-secret", "rt-1", token_url=TOKEN_URL)
    results = run_everywhere(auth, api, max_retries=0)
    assert all(isinstance(r, APIConnectionError) for r in results), results
    assert all(r.maybe_sent is False for r in results)
    assert len(calls) == 2 and not api.api_calls


def test_a_token_living_less_than_the_leeway_is_not_refreshed_before_every_request() -> None:
    api = FakeGoTo()
    real_token: Callable[[httpx.Request], httpx.Response] = api._token

    def short_lived(request: httpx.Request) -> httpx.Response:
        response = real_token(request)
        return httpx.Response(200, json={**response.json(), "expires_in": 30})

    api._token = short_lived  # type: ignore[method-assign]
    auth = OAuth2("my-client", "my-secret", "rt-1", token_url=TOKEN_URL, leeway=60)
    http = httpx.Client(transport=httpx.MockTransport(api.handler))
    client = GoToTraining(auth=auth, organizer_key=ORG, rate_limit=None, http_client=http)
    for _ in range(5):
        assert client.trainings.list() == []
    assert len(api.token_calls) == 1 and auth.refresh_count == 1
