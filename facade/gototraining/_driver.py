"""What performs I/O for the sans-IO core: reading a body (``read_async``), the transport that
runs pipelines and plans with an HTTP client (``AsyncTransport``: it performs the ``Send`` and
``Sleep`` actions they yield), and the base of the resource namespaces (``AsyncResource``: the
runners the generated methods call).

This is the async original (``httpx.AsyncClient``, ``asyncio.sleep``, ``AsyncGoToTraining``);
``_generated/driver.py`` (``read_sync``, ``SyncTransport``, ``SyncResource``: ``httpx.Client``,
``time.sleep``, ``GoToTraining``) is generated from it (``scripts/facade_codegen/unasync.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import httpx

from . import _attempt
from ._body import BodyReader, decoded, read_already, request_on
from ._errors import WrongEventLoopError  # unasync: drop
from ._options import DEFAULT_OPTIONS, CallOptions
from ._resource import Batch, Context, Download, Plan, RawResponse, raw_call, run_batch_async
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

if TYPE_CHECKING:
    from ._attempt import Attempt
    from ._gototraining import AsyncGoToTraining

__all__ = ["AsyncResource", "AsyncTransport", "close_iterator", "read_async"]

T = TypeVar("T")


async def read_async(response: httpx.Response, limit: int, attempt: Attempt | None = None) -> None:
    """Read a streamed response's body (``limit`` decoded bytes at most, see ``BodyReader``)
    into ``response.content`` and close it. The ``attempt``'s deadline is checked after every
    chunk (``httpx.ReadTimeout`` past it). No-op if the body was read already."""
    if read_already(response):
        return
    arriving = response.stream
    try:
        if not isinstance(arriving, httpx.AsyncByteStream):
            raise TypeError(
                f"the response's stream is a {type(arriving).__name__}, of the other flavor"
            )
        reader = BodyReader(response, limit)
        chunks = aiter(arriving)
        try:
            async for raw in chunks:
                if not reader.feed(raw):
                    break
                if attempt is not None and attempt.expired():
                    raise httpx.ReadTimeout(
                        "the response body was still arriving when the call's timeout ran out",
                        request=response.request,
                    )
        except httpx.RequestError as exc:
            request_on(exc, reader.request)
            raise
        finally:
            await close_iterator(chunks)
        body = decoded(response, reader)
    except BaseException:
        await response.aclose()
        raise
    await arriving.aclose()  # the connection goes back to the pool
    response.stream = body
    await response.aread()


async def close_iterator(chunks: AsyncIterator[bytes]) -> None:
    """Close a body's chunk iterator left before its end (a body cut at its limit, a
    deadline). Left to the garbage collector, an async generator is closed by a task the
    event loop schedules, one link of a chain of them per loop turn; a loop closed meanwhile
    never runs the rest (Python 3.13 warns then that a coroutine was never awaited)."""
    aclose = getattr(chunks, "aclose", None)
    if aclose is not None:
        await aclose()


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


class AsyncResource:
    """Base of the resource namespaces of an ``AsyncGoToTraining`` (``client.trainings`` etc.).

    ``raw=True`` (``client.with_raw_response``): every method returns a ``RawResponse``.
    """

    def __init__(self, client: AsyncGoToTraining, *, raw: bool = False) -> None:
        self._client = client
        self._raw = raw

    @property
    def _organizer_key(self) -> str:
        return self._client.organizer_key

    async def _request(self, call: Call[T], options: CallOptions) -> T:
        transport = self._client._transport
        if self._raw:
            return cast(T, await transport.request(raw_call(call), options))
        return await transport.request(call, options)

    async def _run(self, plan: Plan[T], options: CallOptions) -> T:
        transport = self._client._transport
        context = Context(transport.settings, options, raw=self._raw)
        result = await transport.run(plan(context))
        if self._raw:
            assert context.response is not None
            return cast(T, RawResponse(context.response, result))
        return result

    async def _download(self, download: Download, options: CallOptions) -> Path:
        from ._download import async_download  # the module imports this one

        url = await self._client._transport.request(download.call, options)
        path, response = await async_download(
            self._client.http_client, url, download.target, options.timeout
        )
        return cast(Path, RawResponse(response, path)) if self._raw else path

    async def _batch(self, batch: Batch[T], options: CallOptions) -> list[T]:
        transport = self._client._transport
        return await run_batch_async(transport, batch, Context(transport.settings, options))
