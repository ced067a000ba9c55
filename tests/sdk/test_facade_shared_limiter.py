"""One ``RateLimiter`` shared by a sync and an async client spaces their requests together
(each client has its own limiter by default, so several clients in one process
together exceed GoTo's 10 requests/second unless they share one). Fake clock, no real sleeping."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from gototraining import AsyncGoToTraining, GoToTraining, RateLimiter


class FakeClock:
    """Monotonic time that only moves when a client 'sleeps'."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_shared_limiter_spaces_sync_and_async_requests_together() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock)  # 10/s, burst 1: one request per 0.1 s
    sent: list[tuple[str, float]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append((request.headers["user-agent"], clock.now))
        return httpx.Response(200, json=[])

    sync = GoToTraining(
        access_token="t", organizer_key=1, rate_limit=limiter, user_agent="sync",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )  # fmt: skip
    aio = AsyncGoToTraining(
        access_token="t", organizer_key=1, rate_limit=limiter, user_agent="async",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )  # fmt: skip

    def sleep(seconds: float) -> None:
        clock.now += seconds

    async def async_sleep(seconds: float) -> None:
        clock.now += seconds

    sync._transport.sleep = sleep
    aio._transport.sleep = async_sleep

    async def main() -> None:
        for _ in range(3):
            sync.trainings.list()
            await aio.trainings.list()
        await aio.http_client.aclose()

    asyncio.run(main())
    sync.http_client.close()

    assert [who for who, _ in sent] == ["sync", "async"] * 3
    times = [t - 1000.0 for _, t in sent]
    # one slot every 0.1 s across BOTH clients (separate limiters would let each pair go at once)
    assert times == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4, 0.5])


def test_separate_limiters_do_not_coordinate() -> None:
    """The negative control: the default (one limiter per client) lets both send at once."""
    clock = FakeClock()
    a, b = RateLimiter(10, clock=clock), RateLimiter(10, clock=clock)
    assert [a.reserve(), b.reserve()] == [0.0, 0.0]
