"""The transport: runs pipelines (``_transport.pipeline``) and multi-step plans with an HTTP
client, performing the ``Send`` and ``Sleep`` actions they yield.

This is the async original (``AsyncTransport``: ``httpx.AsyncClient`` and ``asyncio.sleep``);
``_generated/driver.py`` (``SyncTransport``: ``httpx.Client`` and ``time.sleep``) is generated
from it (``scripts/facade_codegen/unasync.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, TypeVar

import httpx

from . import _attempt
from ._errors import WrongEventLoopError  # unasync: drop
from ._options import DEFAULT_OPTIONS, CallOptions
from ._read import read_async
from ._transport import (
    Action,
    Call,
    Connection,
    Send,
    Sleep,
    UnusableRedirect,
    _begin_attempt,
    _send_error,
    _Settings,
    pipeline,
)

__all__ = ["AsyncTransport"]

T = TypeVar("T")


class AsyncTransport:
    """Runs pipelines with an ``httpx.AsyncClient`` and ``asyncio.sleep``.

    Redirects are never followed, whatever the ``httpx`` client's default: the only redirect
    the API sends (getRecordingDownloadById's 302) is the operation's result. Every attempt is
    bounded by its deadline (see ``_attempt``): with ``deadline_backend`` (a
    ``DefaultAsyncHttpxClient``, made by the SDK or passed in) at every socket operation,
    otherwise between body chunks. The async flavor also runs such an attempt under
    ``asyncio.timeout``, and is bound to the event loop it is first used in (pooled
    connections belong to it; clients sharing the connection share the binding).
    """

    def __init__(self, connection: Connection[httpx.AsyncClient], settings: _Settings) -> None:
        self.connection = connection
        self.settings = settings
        import asyncio  # unasync: sync: import time

        self._asyncio = asyncio  # unasync: drop
        self.sleep: Callable[[float], Any] = asyncio.sleep  # replaceable in tests
        self.closed = False

    @property
    def http_client(self) -> httpx.AsyncClient:
        return self.connection.http_client

    @property
    def deadline_backend(self) -> bool:
        return self.connection.deadline_backend

    async def run(self, gen: Generator[Action, Any, T]) -> T:
        """Drive an action generator to completion (pipelines and multi-step plans alike)."""
        try:
            self._check_loop()  # unasync: drop
            action = next(gen)
            while True:
                if isinstance(action, Sleep):
                    await self.sleep(action.seconds)
                    action = gen.send(None)
                    continue
                try:
                    response = await self._send(action)
                except (httpx.RequestError, UnusableRedirect) as exc:
                    action = gen.throw(exc)
                else:
                    action = gen.send(response)
        except StopIteration as stop:
            result: T = stop.value
            return result
        finally:
            gen.close()

    def _check_loop(self) -> None:  # unasync: drop
        loop = self._asyncio.get_running_loop()
        connection = self.connection
        if connection.loop is None:
            connection.loop = loop
        elif connection.loop is not loop:
            raise WrongEventLoopError(
                "this AsyncGoToTraining was first used in another event loop, and its pooled "
                "connections belong to that loop; create one client per event loop"
            )

    async def _send(self, send: Send) -> httpx.Response:
        """One attempt: send, read the body (bounded), all within the attempt's deadline."""
        client = self.connection.http_client
        request, attempt, token = _begin_attempt(send, closed=self.closed or client.is_closed)
        try:
            if not self.connection.deadline_backend and attempt.budget is not None:  # unasync: drop
                return await self._within_budget(request, attempt)
            return await self._exchange(request, attempt)
        finally:
            _attempt.finish(token)

    async def _within_budget(  # unasync: drop
        self, request: httpx.Request, attempt: _attempt.Attempt
    ) -> httpx.Response:
        assert attempt.budget is not None
        scope = self._asyncio.timeout(attempt.budget)
        try:
            async with scope:
                return await self._exchange(request, attempt)
        except TimeoutError:
            if scope.expired():
                raise httpx.ReadTimeout(
                    "the call's timeout ran out", request=attempt.token_request or request
                ) from None
            raise

    async def _exchange(self, request: httpx.Request, attempt: _attempt.Attempt) -> httpx.Response:
        client = self.connection.http_client
        try:
            response = await client.send(
                request, auth=self.settings.auth, follow_redirects=False, stream=True
            )
        except (httpx.InvalidURL, httpx.RemoteProtocolError, RuntimeError) as exc:
            mapped = _send_error(exc, client, request, attempt)
            if mapped is None:
                raise
            raise mapped from exc
        await read_async(response, self.settings.body_limit(response.status_code), attempt)
        return response

    async def request(self, call: Call[T], options: CallOptions = DEFAULT_OPTIONS) -> T:
        """Send one call through the pipeline."""
        return await self.run(pipeline(self.settings, call, options))
