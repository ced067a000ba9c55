"""What ``GoToTraining`` and ``AsyncGoToTraining`` share: options, HTTP client ownership.

Both clients resolve their arguments the same way (``_resolve_options``: arguments, then the
environment) into one frozen ``ClientOptions``, and share everything that does not send
(``_BaseClient``: properties, ``with_options``, repr). The classes themselves are written once:
``AsyncGoToTraining`` in ``_gototraining.py`` (its transport an ``AsyncTransport``), and
``GoToTraining`` generated from it into ``_generated/gototraining.py`` (a ``SyncTransport``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar, cast
from urllib.parse import unquote

import attrs
import httpx

from . import _validation as v
from ._auth import OAuth2
from ._credentials import Credentials, resolve_credentials
from ._errors import ValidationError, scrub_url
from ._options import ClientOptions, merge_headers
from ._ratelimit import RateLimiter, limiter_for, rebound
from ._retry import RetryPolicy
from ._transport import ApiRequest, Call, Connection
from ._types import NOT_GIVEN, Headers, NotGiven, TimeoutTypes

if TYPE_CHECKING:
    from .token_store import TokenStore

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_RATE_LIMIT", "DEFAULT_TIMEOUT"]

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
