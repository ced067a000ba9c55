"""``AsyncGoToTraining``: the client, for asyncio.

This is the async original; ``_generated/gototraining.py`` (``GoToTraining``) is generated from
it (``scripts/facade_codegen/unasync.py``). What does not send -- resolving the arguments,
properties, ``with_options`` -- is ``_client._BaseClient``'s, for both.
"""

from __future__ import annotations

import functools
import os
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpx

from ._body import DEFAULT_MAX_RESPONSE_SIZE
from ._client import (
    DEFAULT_RATE_LIMIT,
    _BaseClient,
    _connection,
    _custom_call,
    _resolve_options,
)
from ._credentials import Credentials
from ._driver import AsyncTransport
from ._options import CallOptions, ClientOptions
from ._ratelimit import RateLimiter
from ._retry import RetryPolicy
from ._transport import Connection
from ._types import NOT_GIVEN, Headers, NotGiven, Query, TimeoutTypes
from .resources import (
    AsyncGoToTrainingWithRawResponse,
    AsyncOrganizers,
    AsyncRecordings,
    AsyncRegistrants,
    AsyncReports,
    AsyncTrainings,
)

if TYPE_CHECKING:
    from .token_store import TokenStore

__all__ = ["AsyncGoToTraining"]


class AsyncGoToTraining(_BaseClient[httpx.AsyncClient]):
    """Asynchronous GoToTraining client.

    ```python
    from gototraining import AsyncGoToTraining

    async with AsyncGoToTraining(access_token="...", organizer_key="123") as client:
        for training in await client.trainings.list():
            print(training.training_key, training.name)
    ```

    Without ``access_token`` or ``auth`` the credentials are looked for in this order:
    ``GOTO_ACCESS_TOKEN``; ``GOTO_CLIENT_ID`` + ``GOTO_CLIENT_SECRET`` + ``GOTO_REFRESH_TOKEN``
    (an ``OAuth2``); the token store of ``gototraining login`` (an ``OAuth2`` that writes
    refreshed tokens back). ``client.credentials`` says which one was used.

    Args:
        access_token: a GoTo OAuth access token (static; see ``auth`` for refreshing tokens).
        organizer_key: the organizer all organizer-scoped calls act for.
            Default: ``$GOTO_ORGANIZER_KEY``, else the token store's (when its login is used).
        auth: any ``httpx.Auth`` instead of ``access_token``, e.g. ``OAuth2(...)``; or
            ``Credentials`` from ``resolve_credentials`` (their source is kept).
        base_url: API root. Default: ``$GOTO_BASE_URL``, the token store's (when its login is
            used), or ``https://api.getgo.com/G2T/rest``.
        timeout: default timeout for every call (seconds or ``httpx.Timeout``; ``None`` = none).
            Default 30 s (10 s to connect); with your own ``http_client``, its timeout is used
            unless you pass one here. It is a deadline for each attempt, from connecting to the
            last byte of the body (token refresh included): the largest of an
            ``httpx.Timeout``'s four values, none if any of them is ``None``. See
            docs/reliability.md for what bounds it with your own ``http_client``.
        max_retries: retries after the first attempt (see ``RetryPolicy``). Default 2.
        retry_policy: full control over retries (instead of ``max_retries``).
        rate_limit: client-side limit in requests/second (default 10, GoTo's documented
            limit), a shared ``RateLimiter``, a store URL (``"redis://host:6379/0"``,
            ``"sqlite:///path"``: the organizer's quota kept there, shared with every process
            naming it), or ``None`` to disable. With ``$GOTO_RATE_LIMIT_URL`` set, a number
            is the rate of the quota kept in that store. Otherwise **each client gets its
            own limiter by default**, so two clients in one process may together send 20/s:
            create one ``RateLimiter(10)`` and pass it to every client (sync and async, any
            thread or event loop) -- see "Several clients" below. The limiter is adaptive: a
            429 lowers its rate for a while (and a ``Retry-After`` pauses it), so processes
            sharing one account settle at their share.
        max_queue_wait: the longest a call waits for the quota, in seconds: its turns in the
            rate limiter and the pauses 429s and ``Retry-After`` ask for, summed over its
            attempts. Beyond it the call raises ``QueueTimeoutError`` (not sent) -- at once
            when the wait is certain to be longer (a ``Retry-After`` past what is left).
            Default: the call's timeout (the largest of an ``httpx.Timeout``'s values; none
            for ``timeout=None``); ``None``: no bound (a batch job that must not give up).
        http_client: bring your own ``httpx.AsyncClient`` (proxies, mTLS, custom transports). It is
            not closed by this client.
        user_agent: override ``User-Agent`` (default ``gototraining/<version>``).
        max_response_size: the largest successful response body read, in bytes, counted after
            decompression (default 64 MiB; 100,000 registrants are ~34 MB). A longer one raises
            ``ResponseTooLargeError``; error bodies and token responses are read up to 64 KiB.
        default_headers: headers sent with every request (e.g. a header a new API feature
            asks for); not ``Authorization``, ``Host``, ``Content-Length`` or
            ``Transfer-Encoding``.
        token_store: where to look for a stored login (last in the order above); default
            ``TokenStore()`` in the config directory (``$GOTO_CONFIG_DIR``, ...). A stored
            login goes only to the API it was made for: a ``base_url`` (or
            ``$GOTO_BASE_URL``) on another host is refused.
        strict: ``True``: any way an answer strays from the spec raises ``DecodeError``
            (for your own tests and checks). Default ``$GOTO_STRICT``, else ``False``: an answer
            that keeps its meaning is decoded, the drift reported (``DriftWarning``, once per
            kind; ``model.drift``); only an answer without usable meaning raises
            ``DecodeError``. See docs/drift.md.
        record_drift: append every deviation to this file (JSON lines) for
            ``make apply-drift``; default ``$GOTO_RECORD_DRIFT``, else none.
        allow_insecure_http: let ``base_url`` be plain ``http://`` to a host that is not this
            machine (the token would cross the network in clear text); also
            ``GOTO_ALLOW_INSECURE_HTTP=1``. Loopback (the sandbox) needs no opt-in.

    The resolved configuration is ``client.options``; ``client.with_options(...)`` derives a
    client with some of it changed that shares the connection pool, auth and limiter. Every
    method also takes ``timeout``, ``max_retries``, ``max_queue_wait``, ``extra_headers``,
    ``extra_query`` and ``extra_body`` for one call; ``client.with_raw_response`` returns the ``httpx.Response``
    beside the result; ``client.request(...)`` calls a path the SDK has no method for.

    Several clients: GoTo's limit (10 requests/second) is per account, not per client. Share
    one limiter between all clients of a process, sync and async alike (e.g. a sync client in
    a worker thread and an async one in a web app): each passes ``rate_limit=limiter``.

    ```python
    from gototraining import AsyncGoToTraining, RateLimiter

    limiter = RateLimiter(10)  # thread-safe; usable from threads and event loops alike
    reports = AsyncGoToTraining(access_token="...", organizer_key="123", rate_limit=limiter)
    sign_ups = AsyncGoToTraining(access_token="...", organizer_key="123", rate_limit=limiter)
    ```

    The clients share a limiter fairly: waiting requests are served round-robin between
    clients, so a sync client's calls are not queued behind 32 tasks of an async one.

    Raises:
        ValidationError: missing credentials or organizer key, or an invalid argument.
        TokenStoreError: the stored login is used but the token store cannot be (e.g. its
            directory is not writable).
        RateLimitStoreError: the store of a shared quota (``rate_limit`` URL,
            ``$GOTO_RATE_LIMIT_URL``) cannot be used.
    """

    trainings: AsyncTrainings
    registrants: AsyncRegistrants
    organizers: AsyncOrganizers
    reports: AsyncReports
    recordings: AsyncRecordings
    _transport: AsyncTransport

    def __init__(
        self,
        access_token: str | None = None,
        *,
        organizer_key: int | str | None = None,
        auth: httpx.Auth | Credentials | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry_policy: RetryPolicy | None = None,
        rate_limit: float | str | RateLimiter | None = DEFAULT_RATE_LIMIT,
        max_queue_wait: float | None | NotGiven = NOT_GIVEN,
        http_client: httpx.AsyncClient | None = None,
        user_agent: str | None = None,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        default_headers: Headers | None = None,
        token_store: TokenStore | None = None,
        strict: bool | None = None,
        record_drift: str | os.PathLike[str] | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        options = _resolve_options(
            access_token=access_token,
            organizer_key=organizer_key,
            auth=auth,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            rate_limit=rate_limit,
            max_queue_wait=max_queue_wait,
            user_agent=user_agent,
            max_response_size=max_response_size,
            default_headers=default_headers,
            token_store=token_store,
            own_client=http_client is None,
            strict=strict,
            record_drift=record_drift,
            allow_insecure_http=allow_insecure_http,
        )
        connection = _connection(http_client, httpx.AsyncClient, options.timeout)
        self._attach(options, connection, owns=http_client is None)

    def _attach(
        self, options: ClientOptions, connection: Connection[httpx.AsyncClient], *, owns: bool
    ) -> None:
        self._options = options
        self._connection = connection
        self._owns_client = owns
        self._transport = AsyncTransport(connection, connection.settings(options))
        self.trainings = AsyncTrainings(self)
        self.registrants = AsyncRegistrants(self)
        self.organizers = AsyncOrganizers(self)
        self.reports = AsyncReports(self)
        self.recordings = AsyncRecordings(self)

    @functools.cached_property
    def with_raw_response(self) -> AsyncGoToTrainingWithRawResponse:
        """The same namespaces, whose methods return a ``RawResponse``: the
        ``httpx.Response`` (status, headers, body) beside the parsed result.

        ```python
        raw = await client.with_raw_response.trainings.get(key)
        print(raw.headers.get("x-request-id"), raw.parsed.name)
        ```
        """
        return AsyncGoToTrainingWithRawResponse(self)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Query | None = None,
        json: Any = None,
        headers: Headers | None = None,
        replay_safe: bool | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        max_queue_wait: float | None | NotGiven = NOT_GIVEN,
    ) -> httpx.Response:
        """Call an API path the SDK has no method for, through the same pipeline as every
        method: auth (and token refresh), rate limit, retries, error mapping, bounds.

        ``path`` is below ``base_url`` (``f"/organizers/{client.organizer_key}/..."``);
        ``params`` the query, ``json`` the body, ``headers`` extra headers. Retried like the
        operations: GET/PUT/DELETE on failures that may have been applied, other methods
        only when nothing was sent -- ``replay_safe`` overrides that (``True``: a POST the API
        deduplicates; ``False``: a PUT with side effects). Returns the ``httpx.Response`` of
        a 2xx, its body read (``.json()``); any other status raises its ``APIError``.

        Raises:
            ValidationError: a bad argument (nothing sent).
            APIError: the API answered with an error status (or a redirect).
            ResponseTooLargeError: a body larger than ``max_response_size``.
            TransportError: no (complete) response (``QueueTimeoutError``: no turn within
                ``max_queue_wait``, not sent).
        """
        call = _custom_call(method, path, json, replay_safe)
        options = CallOptions(
            timeout=timeout,
            max_retries=max_retries,
            max_queue_wait=max_queue_wait,
            extra_headers=headers,
            extra_query=params,
        )
        return await self._transport.request(call, options)

    async def aclose(self) -> None:
        """Close the HTTP client if this object created it (a client you passed in stays open;
        a client made by ``with_options`` leaves the shared one open).

        Later calls raise ``ClientClosedError``.
        """
        self._transport.closed = True
        if self._owns_client:
            await self._transport.http_client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
