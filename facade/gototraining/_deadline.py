"""The deadline transport: httpx over an httpcore pool whose network backend clips every socket
operation to the attempt's deadline (``_attempt``).

Written once, for the async flavor; ``scripts/facade_codegen/unasync.py`` writes the sync twin
(``_generated/deadline.py``: ``DeadlineBackend``, ``DeadlineTransport``). Imported with the
first client the SDK makes (``_default_client``), because httpcore is not needed before.
"""

from __future__ import annotations

import ssl
import typing

import httpcore
import httpx

from ._attempt import left
from ._driver import close_iterator
from ._http_client import TransportOptions, core_request, mapped_errors, pool_arguments

__all__ = ["AsyncDeadlineBackend", "AsyncDeadlineTransport"]


class _AsyncDeadlineStream(httpcore.AsyncNetworkStream):
    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._stream.read(max_bytes, left(timeout, httpcore.ReadTimeout))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._stream.write(buffer, left(timeout, httpcore.WriteTimeout))

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        timeout = left(timeout, httpcore.ConnectTimeout)
        stream = await self._stream.start_tls(ssl_context, server_hostname, timeout)
        return _AsyncDeadlineStream(stream)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class AsyncDeadlineBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that clips every socket operation of ``backend`` to the
    attempt's deadline: a read, write, connect or TLS handshake gets at most the time left, and
    none once it has run out (``httpcore.ReadTimeout`` etc.)."""

    def __init__(self, backend: httpcore.AsyncNetworkBackend) -> None:
        self._backend = backend

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        timeout = left(timeout, httpcore.ConnectTimeout)
        stream = await self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _AsyncDeadlineStream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        timeout = left(timeout, httpcore.ConnectTimeout)
        stream = await self._backend.connect_unix_socket(path, timeout, socket_options)
        return _AsyncDeadlineStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class _AsyncResponseStream(httpx.AsyncByteStream):
    """A response body from httpcore, its errors raised as httpx's."""

    def __init__(self, stream: typing.AsyncIterable[bytes], request: httpx.Request) -> None:
        self._stream = stream
        self._request = request

    async def __aiter__(self) -> typing.AsyncIterator[bytes]:
        chunks = aiter(self._stream)
        try:
            with mapped_errors(self._request):
                async for chunk in chunks:
                    yield chunk
        finally:
            await close_iterator(chunks)

    async def aclose(self) -> None:
        if hasattr(self._stream, "aclose"):
            with mapped_errors(self._request):
                await self._stream.aclose()


_POOLS: dict[str, typing.Any] = {
    "direct": httpcore.AsyncConnectionPool,
    "http": httpcore.AsyncHTTPProxy,
    "socks": httpcore.AsyncSOCKSProxy,
}


class AsyncDeadlineTransport(httpx.MockTransport):
    """An httpx transport over an httpcore pool (direct, or through ``proxy``) that has the
    deadline backend: what ``httpx.AsyncHTTPTransport`` does, with every socket operation
    bounded by the call's deadline.

    Its base is ``httpx.MockTransport``, httpx's public transport that answers through a
    function (here: the pool). Test recorders intercept httpx at its transport classes, not
    below (vcrpy since 8.2 patches ``MockTransport`` with ``HTTPTransport`` and the others), so
    on this base the clients the SDK makes are recorded and replayed like any httpx client;
    a transport of its own class would be passed by, and a cassette replay would reach the
    network.
    """

    def __init__(self, options: TransportOptions, proxy: httpx.Proxy | None = None) -> None:
        kind, arguments = pool_arguments(options, proxy)
        backend = AsyncDeadlineBackend(httpcore.AnyIOBackend())
        self._connections = _POOLS[kind](network_backend=backend, **arguments)
        super().__init__(self._exchange)

    async def _exchange(self, request: httpx.Request) -> httpx.Response:
        with mapped_errors(request):
            answer = await self._connections.handle_async_request(core_request(request))
        return httpx.Response(
            status_code=answer.status,
            headers=answer.headers,
            stream=_AsyncResponseStream(answer.stream, request),
            extensions=answer.extensions,
        )

    async def aclose(self) -> None:
        with mapped_errors():
            await self._connections.aclose()
