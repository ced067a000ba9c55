"""The attempt in progress: its deadline, and whether a token request is being sent for it.

A call's ``timeout`` is a deadline for each *attempt*: from asking for a connection to the last
byte of the body, token refresh included. httpx's timeouts are per socket operation (each byte
that arrives restarts the read timeout), so the drivers in ``_transport`` start an ``Attempt``
(a context variable: per thread, per asyncio task) and everything that waits during it clips
its own timeout to what is left:

- ``DeadlineBackend`` / ``AsyncDeadlineBackend`` wrap httpcore's network backend of the HTTP
  clients the SDK creates itself: every connect, TLS handshake, read and write gets at most
  the time left, so a server trickling the headers or the body one byte at a time is cut off
  at the deadline (``httpcore.ReadTimeout`` etc., which httpx maps to its own timeouts).
- ``OAuth2`` gives its token requests the clipped timeouts and waits for a concurrent refresh
  no longer than the deadline.
- With a user's own ``httpx`` client the sync driver checks the deadline between body chunks
  and the async driver runs the attempt under ``asyncio.timeout`` (see docs/reliability.md for
  what that bounds).
"""

from __future__ import annotations

import ssl
import time
import typing
from contextvars import ContextVar

import httpcore
import httpx

__all__ = [
    "AsyncDeadlineBackend",
    "Attempt",
    "DeadlineBackend",
    "budget",
    "current",
    "install",
    "is_bad_location",
    "owned",
]

_PHASES = ("connect", "read", "write", "pool")

#: The clock deadlines are measured with (replaceable in tests, e.g. by a virtual clock).
clock: typing.Callable[[], float] = time.monotonic


class Attempt:
    """One attempt's deadline (``time.monotonic()`` seconds, ``None``: unbounded) and the
    token request being sent on its behalf, if any (set by ``OAuth2``)."""

    __slots__ = ("budget", "deadline", "token_request")

    def __init__(self, budget: float | None) -> None:
        self.budget = budget
        self.deadline = None if budget is None else clock() + budget
        self.token_request: httpx.Request | None = None

    def remaining(self) -> float | None:
        """Seconds left (may be negative), or ``None`` without a deadline."""
        return None if self.deadline is None else self.deadline - clock()

    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return self.deadline is not None and clock() >= self.deadline

    def clip(self, timeouts: dict[str, float | None] | None) -> dict[str, float | None]:
        """httpx timeouts (``request.extensions["timeout"]``) cut to what is left."""
        left = self.remaining()
        base = timeouts or {}
        if left is None:
            return dict(base)
        left = max(left, 0.001)  # 0 would make httpcore's sockets non-blocking, not time out
        clipped: dict[str, float | None] = {}
        for phase in _PHASES:
            value = base.get(phase)
            clipped[phase] = left if value is None else min(value, left)
        return clipped


_current: ContextVar[Attempt | None] = ContextVar("gototraining_attempt", default=None)


def current() -> Attempt | None:
    """The attempt this thread or task is making, if any."""
    return _current.get()


def start(budget: float | None) -> tuple[Attempt, object]:
    """Begin an attempt; pass the second value to :func:`finish`."""
    attempt = Attempt(budget)
    return attempt, _current.set(attempt)


def finish(token: object) -> None:
    """End the attempt begun by :func:`start`."""
    _current.reset(token)  # type: ignore[arg-type]


def budget(timeouts: dict[str, float | None] | None) -> float | None:
    """The attempt's deadline for httpx timeouts: the largest of connect/read/write/pool, or
    ``None`` (no deadline) if any of them is ``None`` (that phase may take forever)."""
    if not timeouts:
        return None
    values = [timeouts.get(phase) for phase in _PHASES]
    if any(value is None for value in values):
        return None
    return max(typing.cast(list[float], values))


_EXPIRED = "the call's timeout ran out"


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    attempt = _current.get()
    if attempt is None or attempt.deadline is None:
        return timeout
    left = attempt.deadline - clock()
    if left <= 0:
        raise error(_EXPIRED)
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore network backend that clips every socket operation to the attempt's deadline."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        )

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _AsyncDeadlineStream(httpcore.AsyncNetworkStream):
    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._stream.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._stream.write(buffer, _left(timeout, httpcore.WriteTimeout))

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        timeout = _left(timeout, httpcore.ConnectTimeout)
        stream = await self._stream.start_tls(ssl_context, server_hostname, timeout)
        return _AsyncDeadlineStream(stream)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class AsyncDeadlineBackend(httpcore.AsyncNetworkBackend):
    """Async twin of :class:`DeadlineBackend`."""

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
        timeout = _left(timeout, httpcore.ConnectTimeout)
        stream = await self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _AsyncDeadlineStream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        timeout = _left(timeout, httpcore.ConnectTimeout)
        stream = await self._backend.connect_unix_socket(path, timeout, socket_options)
        return _AsyncDeadlineStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


def install(http_client: httpx.Client | httpx.AsyncClient) -> bool:
    """Put the deadline backend under an HTTP client *the SDK created* (never a user's: it
    changes the client's connection pool). ``False`` if its transports are not httpx's own
    (then the drivers bound what they can from outside, as for a user's client)."""
    transports = [http_client._transport, *http_client._mounts.values()]
    pools = []
    for transport in transports:
        if transport is None:  # a mount that disables a URL pattern
            continue
        pool = getattr(transport, "_pool", None)
        if not isinstance(transport, httpx.HTTPTransport | httpx.AsyncHTTPTransport) or not (
            hasattr(pool, "_network_backend")
        ):
            return False
        pools.append(pool)
    for pool in pools:
        backend = pool._network_backend  # type: ignore[union-attr]
        if isinstance(http_client, httpx.AsyncClient):
            pool._network_backend = AsyncDeadlineBackend(backend)  # type: ignore[union-attr]
        else:
            pool._network_backend = DeadlineBackend(backend)  # type: ignore[union-attr]
    return True


HTTPClient = typing.TypeVar("HTTPClient", httpx.Client, httpx.AsyncClient)


def owned(http_client: HTTPClient) -> HTTPClient:
    """``install`` the deadline backend into a client the SDK just created; return it."""
    install(http_client)
    return http_client


def is_bad_location(exc: Exception) -> bool:
    """Whether httpx raised ``exc`` because a redirect's ``Location`` is no URL it can follow
    (``mailto:``, ``javascript:``, ``data:``, control characters): it then discards the
    response, even with ``follow_redirects=False``."""
    return isinstance(exc, httpx.InvalidURL) or (
        isinstance(exc, httpx.RemoteProtocolError)
        and str(exc).startswith("Invalid URL in location header")
    )
