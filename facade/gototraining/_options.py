"""The two options objects: ``ClientOptions`` (a client's) and ``CallOptions`` (one call's).

``ClientOptions`` is everything a client is configured with, validated once, frozen:
``client.options`` shows it, ``client.with_options(...)`` derives a changed copy (re-validated
by the same field checks) for a client that shares the connection pool, auth and limiter.

``CallOptions``: each field is one keyword-only parameter at the end of every public method,
sync and async: ``scripts/facade_codegen`` reads this class (annotation and default of each
field) when it prints ``gototraining/resources/``, and every method passes its values here.
Adding a per-call option is therefore one field below (plus what the pipeline does with it)
and a regeneration.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import httpx

from . import _validation as v
from ._auth import issued_for as stored_login_root
from ._body import ACCEPT_ENCODING, DEFAULT_MAX_RESPONSE_SIZE, ERROR_BODY_LIMIT
from ._errors import ValidationError, mask_userinfo, scrub_url
from ._ratelimit import RateLimiter, SharedRateLimiter
from ._retry import MAX_RETRIES, MAX_SECONDS, RetryPolicy, check_number
from ._types import NOT_GIVEN, Body, Headers, NotGiven, Query, TimeoutTypes
from ._version import __version__

__all__ = ["DEFAULT_OPTIONS", "CallOptions", "ClientOptions"]

#: RFC 9110 token characters: what a header name may consist of.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
#: Headers the SDK or httpx set themselves: overriding them would break the request or be
#: silently replaced (the auth sets ``Authorization`` on every attempt).
_RESERVED_HEADERS = frozenset({"authorization", "host", "content-length", "transfer-encoding"})


def _headers(value: object, name: str) -> dict[str, str]:
    """Header names that are tokens and values of printable ASCII (tab allowed), none of the
    reserved ones; a copy (the caller may change its mapping afterwards)."""
    if not isinstance(value, Mapping):
        raise ValidationError(name, f"expected a mapping of header names to strings, got {value!r}")
    headers: dict[str, str] = {}
    for key, text in value.items():
        if not isinstance(key, str) or not _HEADER_NAME.fullmatch(key):
            raise ValidationError(name, f"invalid header name {key!r}")
        if key.lower() in _RESERVED_HEADERS:
            raise ValidationError(
                name, f"{key} is set by the client itself (the auth sets Authorization)"
            )
        if not isinstance(text, str) or any(not (" " <= ch <= "~" or ch == "\t") for ch in text):
            # the value is never echoed: it may be a credential
            raise ValidationError(
                name, f"the value of {key} must be a string of printable ASCII characters"
            )
        if any(key.lower() == seen.lower() for seen in headers):
            raise ValidationError(name, f"{key} is given twice (header names ignore case)")
        headers[key] = text
    return headers


def merge_headers(base: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    """``base`` with ``extra`` added: a name in ``extra`` replaces the same name in ``base``
    whatever its case (header names ignore case, and both values would be sent otherwise)."""
    replaced = {name.lower() for name in extra}
    merged = {name: value for name, value in base.items() if name.lower() not in replaced}
    merged.update(extra)
    return merged


# -- a client's options -------------------------------------------------------------------------


def _base_url(value: object) -> str:
    """An http(s) URL without query or fragment, without a trailing slash."""
    if not isinstance(value, str):
        raise ValidationError("base_url", f"expected a URL string, got {type(value).__name__}")
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ValidationError("base_url", mask_userinfo(f"invalid URL {value!r}: {exc}")) from None
    if url.scheme not in ("http", "https") or not url.host or url.query or url.fragment:
        raise ValidationError(
            "base_url", mask_userinfo(f"expected an http(s) URL without query, got {value!r}")
        )
    return value.rstrip("/")


def _check_type(value: object, expected: type | tuple[type, ...], name: str, what: str) -> None:
    if not isinstance(value, expected):
        raise ValidationError(name, f"expected {what}, got {type(value).__name__}")


def _max_response_size(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < ERROR_BODY_LIMIT:
        raise ValidationError(
            "max_response_size", f"expected an int >= {ERROR_BODY_LIMIT} (bytes), got {value!r}"
        )
    return value


def _user_agent(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or any(not " " <= ch <= "~" for ch in value):
        raise ValidationError(
            "user_agent", "expected a non-empty string of printable ASCII characters"
        )
    return value


def _max_queue_wait(value: object) -> None:
    """Seconds (finite, >= 0, at most ``MAX_SECONDS``), ``None`` (no bound) or ``NOT_GIVEN``."""
    if value is not None and not isinstance(value, NotGiven):
        check_number(value, "max_queue_wait", maximum=MAX_SECONDS)


class _Frozen:
    """Instances that cannot be changed after ``__init__`` (which sets with
    ``object.__setattr__``): plain slotted classes, because each attrs class costs ~1 ms of
    ``import gototraining``."""

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen; make a changed copy instead")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def _fields(self) -> dict[str, Any]:
        names: tuple[str, ...] = self.__slots__
        return {name: getattr(self, name) for name in names}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Frozen) or type(other) is not type(self):
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]


class ClientOptions(_Frozen):
    """A client's configuration, validated once (``client.options``).

    ``client.with_options(...)`` returns a client whose options are a changed copy of these,
    checked by the same rules, sharing the connection pool, the auth and (unless
    ``rate_limit`` changes) the rate limiter. Secrets are never shown: the auth's repr hides
    them.

    Attributes:
        organizer_key: the organizer all organizer-scoped calls act for.
        base_url: the API root, without a trailing slash.
        auth: the ``httpx.Auth`` that authenticates every request (``BearerToken``, ``OAuth2``).
        credentials: where the credentials came from, e.g. ``"access_token argument"`` or
            ``"GOTO_ACCESS_TOKEN"`` (docs/authentication.md lists the order they are looked
            for in).
        timeout: every call's default timeout; ``NOT_GIVEN``: the ``http_client``'s own.
        retry_policy: what is retried, and how long to wait in between.
        rate_limiter: the client-side limiter (``None``: no limit).
        max_queue_wait: the longest a call waits for the quota, in seconds: its turns in the
            rate limiter and the pauses 429s and ``Retry-After`` ask for, summed over its
            attempts (``QueueTimeoutError`` beyond); ``None``: no bound; ``NOT_GIVEN``: the
            call's timeout (the largest of an ``httpx.Timeout``'s values).
        max_response_size: the largest successful response body read, in bytes.
        user_agent: the ``User-Agent`` header.
        default_headers: extra headers sent with every request.
        strict: ``True``: an answer that strays from the spec in any way raises
            ``DecodeError``. ``False`` (default): what keeps its meaning is decoded, and the
            drift is reported (``DriftWarning``, ``model.drift``).
        record_drift: a file the deviations are appended to (JSON lines), or ``None``.
        allow_insecure_http: whether ``base_url`` may be plain ``http://`` to a host that is
            not this machine (the token would cross the network in clear text).

    A login from the token store is sent only to the API it was made for: a ``base_url``
    on another host is refused (``ValidationError``), whoever sets it.
    """

    __slots__ = (
        "allow_insecure_http",
        "auth",
        "base_url",
        "credentials",
        "default_headers",
        "max_queue_wait",
        "max_response_size",
        "organizer_key",
        "rate_limiter",
        "record_drift",
        "retry_policy",
        "strict",
        "timeout",
        "user_agent",
    )

    organizer_key: str
    base_url: str
    auth: httpx.Auth
    credentials: str
    timeout: TimeoutTypes | NotGiven
    retry_policy: RetryPolicy
    rate_limiter: RateLimiter | None
    max_queue_wait: float | None | NotGiven
    max_response_size: int
    user_agent: str
    default_headers: Mapping[str, str]
    strict: bool
    record_drift: str | None
    allow_insecure_http: bool

    def __init__(
        self,
        *,
        organizer_key: int | str,
        base_url: str,
        auth: httpx.Auth,
        credentials: str,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        retry_policy: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        max_queue_wait: float | None | NotGiven = NOT_GIVEN,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        user_agent: str = f"gototraining/{__version__}",
        default_headers: Headers | None = None,
        strict: bool = False,
        record_drift: str | os.PathLike[str] | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        _check_type(auth, httpx.Auth, "auth", "an httpx.Auth (e.g. OAuth2)")
        _check_type(strict, bool, "strict", "True or False")
        if record_drift is not None:
            _check_type(record_drift, (str, os.PathLike), "record_drift", "a file path or None")
            record_drift = os.fspath(record_drift)
            if not record_drift:
                raise ValidationError("record_drift", "expected a file path, got ''")
        if not isinstance(allow_insecure_http, bool):
            raise ValidationError("allow_insecure_http", "expected True or False")
        if not isinstance(credentials, str) or not credentials:
            raise ValidationError("credentials", "expected where the credentials came from")
        v.timeout(timeout)
        if retry_policy is None:
            retry_policy = RetryPolicy()
        _check_type(retry_policy, RetryPolicy, "retry_policy", "a RetryPolicy")
        organizer_key = v.key(organizer_key, "organizer_key")
        if rate_limiter is not None:
            _check_type(rate_limiter, RateLimiter, "rate_limit", "a RateLimiter")
            if isinstance(rate_limiter, SharedRateLimiter):  # one account's quota, never two
                rate_limiter._bind(organizer_key)
        _max_queue_wait(max_queue_wait)
        headers = _headers({} if default_headers is None else default_headers, "default_headers")
        base_url = _base_url(base_url)
        v.secure_url(base_url, "base_url", allow_insecure_http=allow_insecure_http)
        _check_issued_for(auth, base_url)
        fields = {
            "organizer_key": organizer_key,
            "base_url": base_url,
            "auth": auth,
            "credentials": credentials,
            "timeout": timeout,
            "retry_policy": retry_policy,
            "rate_limiter": rate_limiter,
            "max_queue_wait": max_queue_wait,
            "max_response_size": _max_response_size(max_response_size),
            "user_agent": _user_agent(user_agent),
            "default_headers": MappingProxyType(headers),
            "strict": strict,
            "record_drift": record_drift,
            "allow_insecure_http": allow_insecure_http,
        }
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    def _replace(self, **changes: Any) -> ClientOptions:
        """A copy with ``changes``, checked by the same rules."""
        return ClientOptions(**{**self._fields(), **changes})

    def headers(self) -> dict[str, str]:
        """The headers every request carries (before the auth adds ``Authorization``)."""
        own = {
            "User-Agent": self.user_agent,
            "Accept": "application/json",
            # only codings the SDK can inflate with a size bound (see _body)
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        return merge_headers(own, self.default_headers)

    def __repr__(self) -> str:
        shown = {name: repr(getattr(self, name)) for name in _CLIENT_FIELDS}
        # The URL's user info and the headers' values may be credentials (an API key).
        shown["base_url"] = repr(scrub_url(self.base_url))
        shown["default_headers"] = repr({name: "***" for name in self.default_headers})
        return "ClientOptions({})".format(
            ", ".join(f"{name}={value}" for name, value in shown.items())
        )


#: ``ClientOptions``' fields in the order of its constructor (and repr).
_CLIENT_FIELDS = (
    "organizer_key",
    "base_url",
    "auth",
    "credentials",
    "timeout",
    "retry_policy",
    "rate_limiter",
    "max_queue_wait",
    "max_response_size",
    "user_agent",
    "default_headers",
    "strict",
    "record_drift",
    "allow_insecure_http",
)


def _origin(url: str) -> tuple[str, str, int | None]:
    parsed = httpx.URL(url)
    return parsed.scheme, parsed.host, parsed.port


def _check_issued_for(auth: httpx.Auth, base_url: str) -> None:
    """A stored login (``TokenStore.auth``) goes only to the API host it was made for."""
    issued_for = stored_login_root(auth)
    if issued_for is None or _origin(issued_for) == _origin(base_url):
        return
    raise ValidationError(
        "base_url",
        f"the stored login was issued for {scrub_url(issued_for)}, not {scrub_url(base_url)}: "
        "its tokens are not sent to another host. Log in for that API "
        f"('gototraining --base-url {scrub_url(base_url)} login'), or pass credentials for "
        "it (GOTO_ACCESS_TOKEN, auth=...)",
    )


# -- one call's options --------------------------------------------------------------------------


def _max_retries(value: object) -> None:
    if not isinstance(value, NotGiven):
        check_number(value, "max_retries", integer=True, maximum=MAX_RETRIES)


def _extra_query(value: object) -> dict[str, str | int | float | bool]:
    if not isinstance(value, Mapping):
        raise ValidationError("extra_query", f"expected a mapping, got {type(value).__name__}")
    query: dict[str, str | int | float | bool] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key:
            raise ValidationError("extra_query", f"expected non-empty string keys, got {key!r}")
        if not isinstance(item, str | int | float):  # bool is an int
            raise ValidationError(
                "extra_query",
                f"the value of {key} must be a string, number or bool, got {type(item).__name__}",
            )
        query[key] = item
    return query


def _extra_body(value: object) -> dict[str, Any]:
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise ValidationError("extra_body", "expected a mapping with string keys")
    import json  # loaded anyway; the check runs only when extra_body is given

    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise ValidationError("extra_body", f"not JSON-serialisable: {exc}") from None
    return dict(value)


class CallOptions(_Frozen):
    """Options of one call (validated when the call is made, before any request).

    The keyword-only parameters of ``__init__`` are every method's per-call options (the
    generator reads them: annotation and default).

    Attributes:
        timeout: per-call timeout (seconds, an ``httpx.Timeout``, or ``None`` for none);
            ``NOT_GIVEN``: the client's default.
        max_retries: retries after the first attempt for this call (the client's
            ``RetryPolicy`` otherwise, whose other settings still apply).
        max_queue_wait: the longest this call waits for the quota (seconds; ``None``: no
            bound); ``NOT_GIVEN``: the client's (see ``ClientOptions``).
        extra_headers: headers added to (or replacing) the client's for this call; not
            ``Authorization``, ``Host``, ``Content-Length`` or ``Transfer-Encoding``.
        extra_query: query parameters added to the request URL.
        extra_body: fields added to (or replacing) the top level of the JSON body (an
            operation without a request body, or whose body is an array, refuses it).
    """

    __slots__ = (
        "extra_body",
        "extra_headers",
        "extra_query",
        "max_queue_wait",
        "max_retries",
        "timeout",
    )

    timeout: TimeoutTypes | NotGiven
    max_retries: int | NotGiven
    max_queue_wait: float | None | NotGiven
    extra_headers: Mapping[str, str] | None
    extra_query: Mapping[str, str | int | float | bool] | None
    extra_body: Mapping[str, Any] | None

    def __init__(
        self,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        max_queue_wait: float | None | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> None:
        set_ = object.__setattr__
        if timeout is not NOT_GIVEN:
            v.timeout(timeout)
        set_(self, "timeout", timeout)
        _max_retries(max_retries)
        set_(self, "max_retries", max_retries)
        _max_queue_wait(max_queue_wait)
        set_(self, "max_queue_wait", max_queue_wait)
        set_(
            self,
            "extra_headers",
            None if extra_headers is None else _headers(extra_headers, "extra_headers"),
        )
        set_(self, "extra_query", None if extra_query is None else _extra_query(extra_query))
        set_(self, "extra_body", None if extra_body is None else _extra_body(extra_body))

    def _replace(self, **changes: Any) -> CallOptions:
        """A copy with ``changes``, checked by the same rules."""
        return CallOptions(**{**self._fields(), **changes})

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"CallOptions({shown})"


#: The options of a call made without any.
DEFAULT_OPTIONS: CallOptions = CallOptions()
