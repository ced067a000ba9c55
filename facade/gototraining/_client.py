"""``GoToTraining`` and ``AsyncGoToTraining``: options, HTTP client ownership, resources.

Both clients resolve their arguments the same way (``_resolve_options``: arguments, then the
environment) into one frozen ``ClientOptions``, and share everything that does not send
(``_BaseClient``: properties, ``with_options``, repr). What differs is sending: the sync client
drives the pipeline with a ``SyncTransport``, the async one with an ``AsyncTransport``.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar, cast
from urllib.parse import unquote

import attrs
import httpx

from . import _validation as v
from ._auth import OAuth2
from ._body import DEFAULT_MAX_RESPONSE_SIZE
from ._credentials import Credentials, resolve_credentials
from ._driver import AsyncTransport
from ._errors import ValidationError, scrub_url
from ._generated.driver import SyncTransport
from ._options import CallOptions, ClientOptions, merge_headers
from ._ratelimit import RateLimiter, limiter_for, rebound
from ._retry import RetryPolicy
from ._transport import ApiRequest, Call, Connection
from ._types import NOT_GIVEN, Headers, NotGiven, Query, TimeoutTypes
from .resources import (
    AsyncGoToTrainingWithRawResponse,
    AsyncOrganizers,
    AsyncRecordings,
    AsyncRegistrants,
    AsyncReports,
    AsyncTrainings,
    GoToTrainingWithRawResponse,
    Organizers,
    Recordings,
    Registrants,
    Reports,
    Trainings,
)

if TYPE_CHECKING:
    from .token_store import TokenStore

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_RATE_LIMIT",
    "DEFAULT_TIMEOUT",
    "AsyncGoToTraining",
    "GoToTraining",
]

DEFAULT_BASE_URL = "https://api.getgo.com/G2T/rest"
#: 30 s overall, but give up connecting after 10 s.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
#: GoTo's documented limit is 10 requests per second per API.
DEFAULT_RATE_LIMIT = 10.0

_HTTP = TypeVar("_HTTP", httpx.Client, httpx.AsyncClient)


def _retry_policy(max_retries: int | NotGiven, retry_policy: RetryPolicy | None) -> RetryPolicy:
    if retry_policy is None:
        return RetryPolicy() if isinstance(max_retries, NotGiven) else RetryPolicy(max_retries)
    if not isinstance(max_retries, NotGiven):
        raise ValidationError(
            "max_retries",
            "pass either max_retries or retry_policy (its max_retries), not both",
        )
    return retry_policy


#: ``GOTO_STRICT`` values (any case) and what they mean.
_STRICT_WORDS = {"1": True, "true": True, "yes": True, "on": True,
                 "0": False, "false": False, "no": False, "off": False, "": False}  # fmt: skip


def _strict(strict: bool | None) -> bool:
    """``strict``, else ``$GOTO_STRICT`` (default: tolerant)."""
    if strict is not None:
        return strict
    raw = os.environ.get("GOTO_STRICT", "")
    value = _STRICT_WORDS.get(raw.strip().lower())
    if value is None:
        raise ValidationError("strict", f"GOTO_STRICT={raw!r} is not one of 1/0, true/false")
    return value


def _resolve_options(
    *,
    access_token: str | None,
    organizer_key: int | str | None,
    auth: httpx.Auth | Credentials | None,
    base_url: str | None,
    timeout: TimeoutTypes | NotGiven,
    max_retries: int | NotGiven,
    retry_policy: RetryPolicy | None,
    rate_limit: float | str | RateLimiter | None,
    max_queue_wait: float | None | NotGiven,
    user_agent: str | None,
    max_response_size: int,
    default_headers: Headers | None,
    token_store: TokenStore | None,
    own_client: bool,
    strict: bool | None,
    record_drift: str | os.PathLike[str] | None,
    allow_insecure_http: bool,
) -> ClientOptions:
    """A client's constructor arguments, completed from the environment (and the token
    store: ``resolve_credentials``), checked once."""
    credentials = resolve_credentials(access_token, auth=auth, token_store=token_store)
    if organizer_key is None:
        organizer_key = os.environ.get("GOTO_ORGANIZER_KEY") or credentials.organizer_key
    if organizer_key is None:
        raise ValidationError(
            "organizer_key",
            f"no organizer key: pass organizer_key=... or set GOTO_ORGANIZER_KEY (the "
            f"credentials from {credentials.source} name none)",
        )
    organizer_key = v.key(organizer_key, "organizer_key")
    if isinstance(timeout, NotGiven) and own_client:
        timeout = DEFAULT_TIMEOUT
    extra: dict[str, Any] = {}
    if user_agent is not None:
        extra["user_agent"] = user_agent
    if default_headers is not None:
        extra["default_headers"] = default_headers
    base_url = (
        base_url or os.environ.get("GOTO_BASE_URL") or credentials.base_url or DEFAULT_BASE_URL
    )
    options = ClientOptions(
        organizer_key=organizer_key,
        base_url=base_url,
        auth=credentials.auth,
        credentials=credentials.source,
        timeout=timeout,
        retry_policy=_retry_policy(max_retries, retry_policy),
        rate_limiter=limiter_for(rate_limit, organizer_key),
        max_queue_wait=max_queue_wait,
        max_response_size=max_response_size,
        strict=_strict(strict),
        record_drift=record_drift or os.environ.get("GOTO_RECORD_DRIFT") or None,
        allow_insecure_http=allow_insecure_http is True or v.insecure_http_from_environment(),
        **extra,
    )
    if isinstance(options.auth, OAuth2):
        options.auth._name_organizer(options.organizer_key)
    return options


def _connection(
    given: _HTTP | None, cls: type[_HTTP], timeout: TimeoutTypes | NotGiven
) -> Connection[_HTTP]:
    """The HTTP client to send with: ``given``, or a ``DefaultHttpxClient`` /
    ``DefaultAsyncHttpxClient`` with the client's timeout. Every socket operation of either
    kind of default client is bounded by the call's deadline (``deadline_backend``)."""
    # Imported with the first client, not with the package: import time is a measured target.
    from ._default_client import DefaultAsyncHttpxClient
    from ._generated.default_client import DefaultHttpxClient

    default: type[httpx.Client | httpx.AsyncClient] = (
        DefaultHttpxClient if cls is httpx.Client else DefaultAsyncHttpxClient
    )
    if given is None:
        made = default(timeout=timeout if not isinstance(timeout, NotGiven) else DEFAULT_TIMEOUT)
        return Connection(cast(_HTTP, made), deadline_backend=True, timeout=timeout)
    if not isinstance(given, cls):
        raise ValidationError(
            "http_client", f"expected an httpx.{cls.__name__}, got {type(given).__name__}"
        )
    return Connection(given, deadline_backend=isinstance(given, default), timeout=NOT_GIVEN)


_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


def _custom_call(
    method: str, path: str, body: object, replay_safe: bool | None
) -> Call[httpx.Response]:
    """``client.request``'s call: checked before anything is sent; the result is the response."""
    if not isinstance(method, str) or method.upper() not in _METHODS:
        raise ValidationError("method", f"expected one of {', '.join(sorted(_METHODS))}")
    if not isinstance(path, str) or not path.startswith("/"):
        raise ValidationError("path", "expected a path below base_url, starting with '/'")
    if any(ch in "?#" or not "!" <= ch <= "~" for ch in path):
        raise ValidationError(
            "path",
            "expected a path of visible ASCII characters without '?' or '#' (pass query "
            "parameters as params=; percent-encode anything else)",
        )
    if any(unquote(segment) in (".", "..") for segment in path.split("/")):
        # URL normalisation would climb above base_url, token and all
        raise ValidationError(
            "path", "expected a path below base_url, without '.' or '..' segments"
        )
    if body is not None:
        try:
            json.dumps(body, allow_nan=False)
        except (TypeError, ValueError, RecursionError) as exc:
            raise ValidationError("json", f"not JSON-serialisable: {exc}") from None
    if replay_safe is not None and not isinstance(replay_safe, bool):
        raise ValidationError("replay_safe", "expected True, False or None")
    request = ApiRequest("request", method.upper(), path, body)
    return Call(request, _the_response, replay_safe=replay_safe)


def _the_response(response: httpx.Response) -> httpx.Response:
    return response


class _BaseClient(Generic[_HTTP]):
    """What ``GoToTraining`` and ``AsyncGoToTraining`` share: options, properties,
    ``with_options``, repr."""

    _options: ClientOptions
    _connection: Connection[_HTTP]
    _owns_client: bool

    def _attach(self, options: ClientOptions, connection: Connection[_HTTP], *, owns: bool) -> None:
        """Set the client up: its options, its transport on ``connection``, the namespaces."""
        raise NotImplementedError

    @property
    def http_client(self) -> _HTTP:
        """The underlying ``httpx.Client`` (``httpx.AsyncClient`` for the async client)."""
        return self._connection.http_client

    @property
    def options(self) -> ClientOptions:
        """This client's configuration (frozen; ``with_options`` derives a changed client)."""
        return self._options

    @property
    def organizer_key(self) -> str:
        """The organizer key organizer-scoped calls use."""
        return self._options.organizer_key

    @property
    def base_url(self) -> str:
        """The API root this client talks to."""
        return self._options.base_url

    @property
    def credentials(self) -> str:
        """Where this client's credentials came from (e.g. ``"GOTO_ACCESS_TOKEN"``)."""
        return self._options.credentials

    def with_options(
        self,
        *,
        organizer_key: int | str | NotGiven = NOT_GIVEN,
        base_url: str | NotGiven = NOT_GIVEN,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry_policy: RetryPolicy | NotGiven = NOT_GIVEN,
        rate_limit: float | str | RateLimiter | None | NotGiven = NOT_GIVEN,
        max_queue_wait: float | None | NotGiven = NOT_GIVEN,
        max_response_size: int | NotGiven = NOT_GIVEN,
        user_agent: str | NotGiven = NOT_GIVEN,
        default_headers: Headers | NotGiven = NOT_GIVEN,
        strict: bool | NotGiven = NOT_GIVEN,
        record_drift: str | os.PathLike[str] | None | NotGiven = NOT_GIVEN,
        allow_insecure_http: bool | NotGiven = NOT_GIVEN,
    ) -> Self:
        """A client with some options changed, sharing this one's connection pool, auth and
        (unless ``rate_limit`` is given) rate limiter.

        Arguments left out keep this client's values; each is checked as the constructor
        checks it (``ValidationError`` before anything is sent). ``max_retries`` changes the
        retry policy's ``max_retries`` only; ``default_headers`` are added to (or replace) this
        client's. The new client does not own the connection: closing it refuses its later
        calls but leaves the pool open; closing this client closes the pool for both. For
        other credentials, make a new client (``http_client=client.http_client`` shares the
        pool).

        ```python
        patient = client.with_options(timeout=120, max_retries=5)
        report = patient.reports.sessions(start, end)
        shedding = client.with_options(max_queue_wait=2)  # QueueTimeoutError after 2 s
        exact = client.with_options(strict=True)  # any drift from the spec: DecodeError
        ```
        """
        current = self._options
        changes: dict[str, Any] = {}
        if not isinstance(organizer_key, NotGiven):
            changes["organizer_key"] = organizer_key
        if not isinstance(base_url, NotGiven):
            changes["base_url"] = base_url
        if not isinstance(timeout, NotGiven):
            changes["timeout"] = timeout
        if not isinstance(retry_policy, NotGiven):
            changes["retry_policy"] = _retry_policy(max_retries, retry_policy)
        elif not isinstance(max_retries, NotGiven):
            changes["retry_policy"] = attrs.evolve(current.retry_policy, max_retries=max_retries)
        if not isinstance(rate_limit, NotGiven):
            key = current.organizer_key if isinstance(organizer_key, NotGiven) else organizer_key
            changes["rate_limiter"] = limiter_for(rate_limit, v.key(key, "organizer_key"))
        elif not isinstance(organizer_key, NotGiven):  # another organizer: its own quota
            key = v.key(organizer_key, "organizer_key")
            changes["rate_limiter"] = rebound(current.rate_limiter, key)
        if not isinstance(max_queue_wait, NotGiven):
            changes["max_queue_wait"] = max_queue_wait
        if not isinstance(max_response_size, NotGiven):
            changes["max_response_size"] = max_response_size
        if not isinstance(user_agent, NotGiven):
            changes["user_agent"] = user_agent
        if not isinstance(default_headers, NotGiven):
            if not isinstance(default_headers, Mapping):
                raise ValidationError("default_headers", "expected a mapping of header names")
            changes["default_headers"] = merge_headers(current.default_headers, default_headers)
        if not isinstance(strict, NotGiven):
            changes["strict"] = strict
        if not isinstance(record_drift, NotGiven):
            changes["record_drift"] = record_drift
        if not isinstance(allow_insecure_http, NotGiven):
            changes["allow_insecure_http"] = allow_insecure_http
        options = current._replace(**changes)
        clone = object.__new__(type(self))
        clone._attach(options, self._connection, owns=False)
        return clone

    def __repr__(self) -> str:
        options = self._options
        return (
            f"{type(self).__name__}(base_url={scrub_url(options.base_url)!r}, "
            f"organizer_key={options.organizer_key!r}, auth={options.auth!r}, "
            f"credentials={options.credentials!r})"
        )


class GoToTraining(_BaseClient[httpx.Client]):
    """Synchronous GoToTraining client.

    ```python
    from gototraining import GoToTraining

    with GoToTraining(access_token="...", organizer_key="123") as client:
        for training in client.trainings.list():
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
        http_client: bring your own ``httpx.Client`` (proxies, mTLS, custom transports). It is
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
    one limiter between all clients of a process, e.g. a sync client in a worker thread and an
    async one in a web app:

    ```python
    from gototraining import AsyncGoToTraining, GoToTraining, RateLimiter

    limiter = RateLimiter(10)  # thread-safe; usable from threads and event loops alike
    sync_client = GoToTraining(access_token="...", organizer_key="123", rate_limit=limiter)
    async_client = AsyncGoToTraining(
        access_token="...", organizer_key="123", rate_limit=limiter
    )
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

    trainings: Trainings
    registrants: Registrants
    organizers: Organizers
    reports: Reports
    recordings: Recordings
    _transport: SyncTransport

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
        http_client: httpx.Client | None = None,
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
        connection = _connection(http_client, httpx.Client, options.timeout)
        self._attach(options, connection, owns=http_client is None)

    def _attach(
        self, options: ClientOptions, connection: Connection[httpx.Client], *, owns: bool
    ) -> None:
        self._options = options
        self._connection = connection
        self._owns_client = owns
        self._transport = SyncTransport(connection, connection.settings(options))
        self.trainings = Trainings(self)
        self.registrants = Registrants(self)
        self.organizers = Organizers(self)
        self.reports = Reports(self)
        self.recordings = Recordings(self)

    @functools.cached_property
    def with_raw_response(self) -> GoToTrainingWithRawResponse:
        """The same namespaces, whose methods return a ``RawResponse``: the
        ``httpx.Response`` (status, headers, body) beside the parsed result.

        ```python
        raw = client.with_raw_response.trainings.get(key)
        print(raw.headers.get("x-request-id"), raw.parsed.name)
        ```
        """
        return GoToTrainingWithRawResponse(self)

    def request(
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
        return self._transport.request(call, options)

    def close(self) -> None:
        """Close the HTTP client if this object created it (a client you passed in stays open;
        a client made by ``with_options`` leaves the shared one open).

        Later calls raise ``ClientClosedError``.
        """
        self._transport.closed = True
        if self._owns_client:
            self._transport.http_client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncGoToTraining(_BaseClient[httpx.AsyncClient]):
    """Asynchronous GoToTraining client: the same surface as ``GoToTraining``, awaited.

    ```python
    async with AsyncGoToTraining(access_token="...", organizer_key="123") as client:
        trainings = await client.trainings.list()
    ```

    Takes the same arguments as ``GoToTraining``; ``http_client`` is an ``httpx.AsyncClient``.
    Several clients in one process (sync or async) should share one ``RateLimiter``
    (``rate_limit=limiter``): each client has its own by default.
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
        """The same namespaces, whose methods return a ``RawResponse`` (awaited)."""
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
        method, awaited: see [`GoToTraining.request`][gototraining.GoToTraining.request] for
        the arguments, retries and errors."""
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
