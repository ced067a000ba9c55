"""``DefaultAsyncHttpxClient``: the HTTP client ``AsyncGoToTraining`` makes, configurable.

Written once, for the async flavor; ``scripts/facade_codegen/unasync.py`` writes the sync twin
(``_generated/default_client.py``: ``DefaultHttpxClient``). ``import gototraining`` loads it
only when it is first used (a client made, or the name looked up); it imports no httpcore:
the transports (``_deadline``) come with the first client made.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from typing import Any

import httpx

from ._client import DEFAULT_TIMEOUT
from ._http_client import (
    DEFAULT_LIMITS,
    SocketOption,
    TransportOptions,
    proxies,
    refuse_transports,
)

__all__ = ["DefaultAsyncHttpxClient"]


class DefaultAsyncHttpxClient(httpx.AsyncClient):
    """The ``httpx.AsyncClient`` that ``AsyncGoToTraining`` makes when you pass none,
    configurable.

    Pass one as ``http_client=`` to use a proxy, HTTP/2, other connection limits, a TLS
    context of your own (``verify=ssl_context``) or connect retries, and keep what the client
    the SDK makes has: every connect, TLS handshake, read and write ends at the call's deadline
    (see docs/reliability.md). It takes the arguments of ``httpx.AsyncClient`` (``timeout``
    defaults to the SDK's: 30 s, 10 s to connect) and ``retries``, ``local_address``, ``uds``
    and ``socket_options`` of ``httpx.AsyncHTTPTransport``; not ``transport`` or ``mounts``
    (``ValidationError``: for those, pass a plain ``httpx.AsyncClient``). Proxies come from
    ``proxy`` or, with ``trust_env`` (the default), from ``HTTP_PROXY``, ``HTTPS_PROXY``,
    ``ALL_PROXY`` and ``NO_PROXY``, as httpx reads them. A client you pass in stays open when
    the ``AsyncGoToTraining`` is closed.

    ::

        from gototraining import AsyncGoToTraining, DefaultAsyncHttpxClient

        http = DefaultAsyncHttpxClient(proxy="http://proxy.internal:3128", http2=True)
        client = AsyncGoToTraining(http_client=http)
    """

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | str | bool = True,
        cert: Any = None,
        trust_env: bool = True,
        http1: bool = True,
        http2: bool = False,
        proxy: httpx.Proxy | str | httpx.URL | None = None,
        limits: httpx.Limits = DEFAULT_LIMITS,
        timeout: Any = DEFAULT_TIMEOUT,
        retries: int = 0,
        local_address: str | None = None,
        uds: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
        **kwargs: Any,
    ) -> None:
        refuse_transports(kwargs, type(self).__name__)
        from ._deadline import AsyncDeadlineTransport

        options = TransportOptions(
            verify=verify, cert=cert, trust_env=trust_env, http1=http1, http2=http2,
            limits=limits, retries=retries, local_address=local_address, uds=uds,
            socket_options=socket_options,
        )  # fmt: skip
        mounts: dict[str, httpx.AsyncBaseTransport | None] = {
            pattern: None if each is None else AsyncDeadlineTransport(options, each)
            for pattern, each in proxies(proxy, trust_env=trust_env).items()
        }
        super().__init__(
            transport=AsyncDeadlineTransport(options),
            mounts=mounts,
            timeout=timeout,
            trust_env=trust_env,
            **kwargs,
        )
