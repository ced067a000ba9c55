"""``GoToTraining`` and ``AsyncGoToTraining``: configuration, HTTP client ownership, resources."""

from __future__ import annotations

import math
import os
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from . import _attempt
from . import _validation as v
from ._auth import BearerToken, check_credential
from ._body import ACCEPT_ENCODING, DEFAULT_MAX_RESPONSE_SIZE, ERROR_BODY_LIMIT
from ._errors import ValidationError, mask_userinfo, scrub_url
from ._ratelimit import MIN_RATE, RateLimiter
from ._retry import RetryPolicy
from ._transport import AsyncTransport, SyncTransport
from ._types import NOT_GIVEN, NotGiven, TimeoutTypes
from ._version import __version__
from .resources import (
    AsyncOrganizers,
    AsyncRecordings,
    AsyncRegistrants,
    AsyncReports,
    AsyncTrainings,
    Organizers,
    Recordings,
    Registrants,
    Reports,
    Trainings,
)

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "AsyncGoToTraining", "GoToTraining"]

DEFAULT_BASE_URL = "https://api.getgo.com/G2T/rest"
#: 30 s overall, but give up connecting after 10 s.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
#: GoTo's documented limit is 10 requests per second per API.
DEFAULT_RATE_LIMIT = 10.0


class _Config:
    """Everything both clients resolve the same way (arguments, then environment)."""

    def __init__(
        self,
        access_token: str | None,
        organizer_key: int | str | None,
        auth: httpx.Auth | None,
        base_url: str | None,
        max_retries: int,
        retry_policy: RetryPolicy | None,
        rate_limit: float | RateLimiter | None,
        user_agent: str | None,
        max_response_size: int,
    ) -> None:
        if auth is not None and access_token is not None:
            raise ValidationError("auth", "pass either access_token or auth, not both")
        if auth is None:
            token = (
                access_token if access_token is not None else os.environ.get("GOTO_ACCESS_TOKEN")
            )
            if not token:
                raise ValidationError(
                    "access_token",
                    "no credentials: pass access_token=..., auth=OAuth2(...), or set GOTO_ACCESS_TOKEN",
                )
            auth = BearerToken(check_credential(token, "access_token", token=True))
        elif not isinstance(auth, httpx.Auth):
            raise ValidationError(
                "auth", f"expected an httpx.Auth (e.g. OAuth2), got {type(auth).__name__}"
            )
        self.auth = auth

        if organizer_key is None:
            organizer_key = os.environ.get("GOTO_ORGANIZER_KEY") or None
        if organizer_key is None:
            raise ValidationError(
                "organizer_key",
                "no organizer key: pass organizer_key=... or set GOTO_ORGANIZER_KEY",
            )
        self.organizer_key = v.key(organizer_key, "organizer_key")

        base_url = base_url or os.environ.get("GOTO_BASE_URL") or DEFAULT_BASE_URL
        try:
            url = httpx.URL(base_url)
        except (httpx.InvalidURL, TypeError) as exc:
            raise ValidationError(
                "base_url", mask_userinfo(f"invalid URL {base_url!r}: {exc}")
            ) from None
        if url.scheme not in ("http", "https") or not url.host or url.query or url.fragment:
            raise ValidationError(
                "base_url",
                mask_userinfo(f"expected an http(s) URL without query, got {base_url!r}"),
            )
        self.base_url = base_url.rstrip("/")

        if retry_policy is None:
            if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
                raise ValidationError("max_retries", f"expected an int >= 0, got {max_retries!r}")
            retry_policy = RetryPolicy(max_retries=max_retries)
        self.retry = retry_policy

        if rate_limit is None or isinstance(rate_limit, RateLimiter):
            self.limiter = rate_limit
        else:
            if (
                isinstance(rate_limit, bool)
                or not isinstance(rate_limit, int | float)
                or not math.isfinite(rate_limit)
                or not rate_limit >= MIN_RATE
            ):
                raise ValidationError(
                    "rate_limit",
                    f"expected a finite number of requests/second >= {MIN_RATE:g}, a "
                    f"RateLimiter, or None, got {rate_limit!r}",
                )
            self.limiter = RateLimiter(float(rate_limit))

        if (
            isinstance(max_response_size, bool)
            or not isinstance(max_response_size, int)
            or max_response_size < ERROR_BODY_LIMIT
        ):
            raise ValidationError(
                "max_response_size",
                f"expected an int >= {ERROR_BODY_LIMIT} (bytes), got {max_response_size!r}",
            )
        self.max_response_size = max_response_size

        if user_agent is not None and (
            not isinstance(user_agent, str)
            or not user_agent.strip()
            or any(not " " <= ch <= "~" for ch in user_agent)
        ):
            raise ValidationError(
                "user_agent", "expected a non-empty string of printable ASCII characters"
            )
        self.headers = {
            "User-Agent": user_agent or f"gototraining/{__version__}",
            "Accept": "application/json",
            # only codings the SDK can inflate with a size bound (see _body)
            "Accept-Encoding": ACCEPT_ENCODING,
        }

    def transport_settings(self, timeout: TimeoutTypes | NotGiven) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "auth": self.auth,
            "retry": self.retry,
            "limiter": self.limiter,
            "headers": self.headers,
            "timeout": timeout,
            "max_response_size": self.max_response_size,
        }


_HTTPClient = TypeVar("_HTTPClient", httpx.Client, httpx.AsyncClient)


def _http_client(
    given: _HTTPClient | None, cls: type[_HTTPClient], timeout: TimeoutTypes | NotGiven
) -> tuple[_HTTPClient, bool, TimeoutTypes | NotGiven]:
    """The HTTP client to use, whether we own (and must close) it, and the per-request timeout.

    A client we make gets the deadline network backend (``_attempt.install``, by the
    caller): every socket operation is then bounded by the call's deadline.
    """
    if given is None:
        made = cls(
            timeout=DEFAULT_TIMEOUT if isinstance(timeout, NotGiven) else timeout,
            follow_redirects=False,
        )
        return made, True, NOT_GIVEN  # the client we made carries the timeout
    if not isinstance(given, cls):
        raise ValidationError(
            "http_client", f"expected an httpx.{cls.__name__}, got {type(given).__name__}"
        )
    return given, False, timeout


class GoToTraining:
    """Synchronous GoToTraining client.

    ::

        from gototraining import GoToTraining

        with GoToTraining(access_token="...", organizer_key="123") as client:
            for training in client.trainings.list():
                print(training.training_key, training.name)

    Args:
        access_token: a GoTo OAuth access token (static; see ``auth`` for refreshing tokens).
            Default: ``$GOTO_ACCESS_TOKEN``.
        organizer_key: the organizer all organizer-scoped calls act for.
            Default: ``$GOTO_ORGANIZER_KEY``.
        auth: any ``httpx.Auth`` instead of ``access_token``, e.g. ``OAuth2(...)``.
        base_url: API root. Default: ``$GOTO_BASE_URL`` or ``https://api.getgo.com/G2T/rest``.
        timeout: default timeout for every call (seconds or ``httpx.Timeout``; ``None`` = none).
            Default 30 s (10 s to connect); with your own ``http_client``, its timeout is used
            unless you pass one here. It is a deadline for each attempt, from connecting to the
            last byte of the body (token refresh included): the largest of an
            ``httpx.Timeout``'s four values, none if any of them is ``None``. See
            docs/reliability.md for what bounds it with your own ``http_client``.
        max_retries: retries after the first attempt (see ``RetryPolicy``). Default 2.
        retry_policy: full control over retries; overrides ``max_retries``.
        rate_limit: client-side limit in requests/second (default 10, GoTo's documented
            limit), a shared ``RateLimiter``, or ``None`` to disable. **Each client gets its
            own limiter by default**, so two clients in one process may together send 20/s:
            create one ``RateLimiter(10)`` and pass it to every client (sync and async, any
            thread or event loop) -- see "Several clients" below. The limiter is adaptive: a
            429 lowers its rate for a while (and a ``Retry-After`` pauses it), so processes
            sharing one account settle at their share.
        http_client: bring your own ``httpx.Client`` (proxies, mTLS, custom transports). It is
            not closed by this client.
        user_agent: override ``User-Agent`` (default ``gototraining/<version>``).
        max_response_size: the largest successful response body read, in bytes, counted after
            decompression (default 64 MiB; 100,000 registrants are ~34 MB). A longer one raises
            ``ResponseTooLargeError``; error bodies and token responses are read up to 64 KiB.

    Several clients: GoTo's limit (10 requests/second) is per account, not per client. Share
    one limiter between all clients of a process, e.g. a sync client in a worker thread and an
    async one in a web app::

        from gototraining import AsyncGoToTraining, GoToTraining, RateLimiter

        limiter = RateLimiter(10)  # thread-safe; usable from threads and event loops alike
        sync_client = GoToTraining(access_token="...", organizer_key="123", rate_limit=limiter)
        async_client = AsyncGoToTraining(
            access_token="...", organizer_key="123", rate_limit=limiter
        )

    The clients share a limiter fairly: waiting requests are served round-robin between
    clients, so a sync client's calls are not queued behind 32 tasks of an async one.

    Raises:
        ValidationError: missing credentials or organizer key, or an invalid argument.
    """

    trainings: Trainings
    registrants: Registrants
    organizers: Organizers
    reports: Reports
    recordings: Recordings

    def __init__(
        self,
        access_token: str | None = None,
        *,
        organizer_key: int | str | None = None,
        auth: httpx.Auth | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int = 2,
        retry_policy: RetryPolicy | None = None,
        rate_limit: float | RateLimiter | None = DEFAULT_RATE_LIMIT,
        http_client: httpx.Client | None = None,
        user_agent: str | None = None,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
    ) -> None:
        v.timeout(timeout)
        self._config = _Config(
            access_token,
            organizer_key,
            auth,
            base_url,
            max_retries,
            retry_policy,
            rate_limit,
            user_agent,
            max_response_size,
        )
        http_client, self._owns_client, timeout = _http_client(http_client, httpx.Client, timeout)
        self._transport = SyncTransport(
            http_client,
            deadline_backend=self._owns_client and _attempt.install(http_client),
            **self._config.transport_settings(timeout),
        )
        self.trainings = Trainings(self)
        self.registrants = Registrants(self)
        self.organizers = Organizers(self)
        self.reports = Reports(self)
        self.recordings = Recordings(self)

    @property
    def organizer_key(self) -> str:
        """The organizer key organizer-scoped calls use."""
        return self._config.organizer_key

    @property
    def base_url(self) -> str:
        """The API root this client talks to."""
        return self._config.base_url

    @property
    def http_client(self) -> httpx.Client:
        """The underlying ``httpx.Client``."""
        return self._transport.http_client

    def close(self) -> None:
        """Close the HTTP client if this object created it (a client you passed in stays open).

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

    def __repr__(self) -> str:
        return (
            f"GoToTraining(base_url={scrub_url(self.base_url)!r}, organizer_key={self.organizer_key!r}, "
            f"auth={self._config.auth!r})"
        )


class AsyncGoToTraining:
    """Asynchronous GoToTraining client: the same surface as ``GoToTraining``, awaited.

    ::

        async with AsyncGoToTraining(access_token="...", organizer_key="123") as client:
            trainings = await client.trainings.list()

    Takes the same arguments as ``GoToTraining``; ``http_client`` is an ``httpx.AsyncClient``.
    Several clients in one process (sync or async) should share one ``RateLimiter``
    (``rate_limit=limiter``): each client has its own by default.
    """

    trainings: AsyncTrainings
    registrants: AsyncRegistrants
    organizers: AsyncOrganizers
    reports: AsyncReports
    recordings: AsyncRecordings

    def __init__(
        self,
        access_token: str | None = None,
        *,
        organizer_key: int | str | None = None,
        auth: httpx.Auth | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int = 2,
        retry_policy: RetryPolicy | None = None,
        rate_limit: float | RateLimiter | None = DEFAULT_RATE_LIMIT,
        http_client: httpx.AsyncClient | None = None,
        user_agent: str | None = None,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
    ) -> None:
        v.timeout(timeout)
        self._config = _Config(
            access_token,
            organizer_key,
            auth,
            base_url,
            max_retries,
            retry_policy,
            rate_limit,
            user_agent,
            max_response_size,
        )
        http_client, self._owns_client, timeout = _http_client(
            http_client, httpx.AsyncClient, timeout
        )
        self._transport = AsyncTransport(
            http_client,
            deadline_backend=self._owns_client and _attempt.install(http_client),
            **self._config.transport_settings(timeout),
        )
        self.trainings = AsyncTrainings(self)
        self.registrants = AsyncRegistrants(self)
        self.organizers = AsyncOrganizers(self)
        self.reports = AsyncReports(self)
        self.recordings = AsyncRecordings(self)

    @property
    def organizer_key(self) -> str:
        """The organizer key organizer-scoped calls use."""
        return self._config.organizer_key

    @property
    def base_url(self) -> str:
        """The API root this client talks to."""
        return self._config.base_url

    @property
    def http_client(self) -> httpx.AsyncClient:
        """The underlying ``httpx.AsyncClient``."""
        return self._transport.http_client

    async def aclose(self) -> None:
        """Close the HTTP client if this object created it (a client you passed in stays open).

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

    def __repr__(self) -> str:
        return (
            f"AsyncGoToTraining(base_url={scrub_url(self.base_url)!r}, organizer_key={self.organizer_key!r}, "
            f"auth={self._config.auth!r})"
        )
