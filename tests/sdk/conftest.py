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
