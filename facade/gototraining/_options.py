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

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs
import httpx

from . import _validation as v
from ._body import ACCEPT_ENCODING, DEFAULT_MAX_RESPONSE_SIZE, ERROR_BODY_LIMIT
from ._errors import ValidationError, mask_userinfo
from ._ratelimit import RateLimiter
from ._retry import RetryPolicy
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
        headers[key] = text
    return headers


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


def _organizer_key(value: object) -> str:
    return v.key(value, "organizer_key")


def _check_auth(instance: object, attribute: object, value: Any) -> None:
    if not isinstance(value, httpx.Auth):
        raise ValidationError(
            "auth", f"expected an httpx.Auth (e.g. OAuth2), got {type(value).__name__}"
        )


def _check_client_timeout(instance: object, attribute: object, value: Any) -> None:
    v.timeout(value)


def _check_retry_policy(instance: object, attribute: object, value: Any) -> None:
    if not isinstance(value, RetryPolicy):
        raise ValidationError("retry_policy", f"expected a RetryPolicy, got {type(value).__name__}")


def _check_limiter(instance: object, attribute: object, value: Any) -> None:
    if value is not None and not isinstance(value, RateLimiter):
        raise ValidationError("rate_limit", f"expected a RateLimiter, got {type(value).__name__}")


def _check_max_response_size(instance: object, attribute: object, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < ERROR_BODY_LIMIT:
        raise ValidationError(
            "max_response_size", f"expected an int >= {ERROR_BODY_LIMIT} (bytes), got {value!r}"
        )


def _check_user_agent(instance: object, attribute: object, value: Any) -> None:
    if not isinstance(value, str) or not value.strip() or any(not " " <= ch <= "~" for ch in value):
        raise ValidationError(
            "user_agent", "expected a non-empty string of printable ASCII characters"
        )


def _default_headers(value: object) -> Mapping[str, str]:
    return MappingProxyType(_headers(value, "default_headers"))


def _check_credentials(instance: object, attribute: object, value: Any) -> None:
    if not isinstance(value, str) or not value:
        raise ValidationError("credentials", "expected a description of where they came from")


@attrs.frozen(kw_only=True)
class ClientOptions:
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
            ``"GOTO_ACCESS_TOKEN"`` (see docs/authentication.md for the order they are looked
            for in).
        timeout: every call's default timeout; ``NOT_GIVEN``: the ``http_client``'s own.
        retry_policy: what is retried, and how long to wait in between.
        rate_limiter: the client-side limiter (``None``: no limit).
        max_response_size: the largest successful response body read, in bytes.
        user_agent: the ``User-Agent`` header.
        default_headers: extra headers sent with every request.
    """

    organizer_key: str = attrs.field(converter=_organizer_key)
    base_url: str = attrs.field(converter=_base_url)
    auth: httpx.Auth = attrs.field(validator=_check_auth)
    credentials: str = attrs.field(validator=_check_credentials)
    timeout: TimeoutTypes | NotGiven = attrs.field(
        default=NOT_GIVEN, validator=_check_client_timeout
    )
    retry_policy: RetryPolicy = attrs.field(factory=RetryPolicy, validator=_check_retry_policy)
    rate_limiter: RateLimiter | None = attrs.field(default=None, validator=_check_limiter)
    max_response_size: int = attrs.field(
        default=DEFAULT_MAX_RESPONSE_SIZE, validator=_check_max_response_size
    )
    user_agent: str = attrs.field(
        default=f"gototraining/{__version__}", validator=_check_user_agent
    )
    default_headers: Mapping[str, str] = attrs.field(
        factory=lambda: MappingProxyType({}), converter=_default_headers
    )

    def headers(self) -> dict[str, str]:
        """The headers every request carries (before the auth adds ``Authorization``)."""
        return {
            "User-Agent": self.user_agent,
            "Accept": "application/json",
            # only codings the SDK can inflate with a size bound (see _body)
            "Accept-Encoding": ACCEPT_ENCODING,
            **self.default_headers,
        }


# -- one call's options --------------------------------------------------------------------------


def _check_timeout(instance: object, attribute: object, value: Any) -> None:
    """Reject a bad per-call ``timeout`` before anything is sent."""
    v.timeout(value)


def _check_max_retries(instance: object, attribute: object, value: Any) -> None:
    if isinstance(value, NotGiven):
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1000:
        raise ValidationError("max_retries", f"expected an int from 0 to 1000, got {value!r}")


def _extra_headers(value: object) -> Mapping[str, str] | None:
    return None if value is None else _headers(value, "extra_headers")


def _extra_query(value: object) -> Mapping[str, str | int | float | bool] | None:
    if value is None:
        return None
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


def _extra_body(value: object) -> Mapping[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise ValidationError("extra_body", "expected a mapping with string keys")
    import json  # json is loaded anyway; the check runs only when extra_body is given

    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise ValidationError("extra_body", f"not JSON-serialisable: {exc}") from None
    return dict(value)


@attrs.frozen
class CallOptions:
    """Options of one call (validated when the call is made, before any request).

    Attributes:
        timeout: per-call timeout (seconds, an ``httpx.Timeout``, or ``None`` for none);
            ``NOT_GIVEN``: the client's default.
        max_retries: retries after the first attempt for this call (the client's
            ``RetryPolicy`` otherwise, whose other settings still apply).
        extra_headers: headers added to (or replacing) the client's for this call; not
            ``Authorization``, ``Host``, ``Content-Length`` or ``Transfer-Encoding``.
        extra_query: query parameters added to the request URL.
        extra_body: fields added to (or replacing) the top level of the JSON body (an
            operation without a request body, or whose body is an array, refuses it).
    """

    timeout: TimeoutTypes | NotGiven = attrs.field(default=NOT_GIVEN, validator=_check_timeout)
    max_retries: int | NotGiven = attrs.field(default=NOT_GIVEN, validator=_check_max_retries)
    extra_headers: Headers | None = attrs.field(default=None, converter=_extra_headers)
    extra_query: Query | None = attrs.field(default=None, converter=_extra_query)
    extra_body: Body | None = attrs.field(default=None, converter=_extra_body)


#: The options of a call made without any.
DEFAULT_OPTIONS = CallOptions()
