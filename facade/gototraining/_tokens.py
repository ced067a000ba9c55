"""Token sets and the token endpoint's answers: checks and the one parser (pure: no I/O, no state).

``parse_token_response`` reads every answer of a token endpoint -- a refresh
(``grant_type=refresh_token``) and a login (``grant_type=authorization_code``) alike -- into a
``TokenAnswer``, or raises: the endpoint's refusal as the ``APIError`` subclass
``error_from_response`` picks for a token endpoint (secrets redacted), a 200 that is no token set
as ``TokenResponseError``.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import httpx

from ._body import ERROR_BODY_LIMIT, is_truncated
from ._errors import (
    TokenResponseError,
    ValidationError,
    error_from_response,
    is_invalid_token,
    parse_error_body,
    request_of,
    safe_url,
)
from ._retry import MAX_SECONDS

__all__ = [
    "OAuth2Token",
    "TokenAnswer",
    "check_credential",
    "check_seconds",
    "is_token_rejected",
    "parse_token_response",
    "token_problem",
]


@attrs.frozen
class OAuth2Token:
    """A token set as returned by the token endpoint; passed to ``on_token_refresh``.

    ``expires_at`` is a Unix timestamp (``None`` if the endpoint gave no ``expires_in``).
    ``organizer_key`` is the organizer GoTo's token endpoint names in the answer to a login
    (:func:`exchange_authorization_code`); ``None`` on refreshed token sets. The repr hides
    the secrets.
    """

    access_token: str = attrs.field(repr=False)
    refresh_token: str = attrs.field(repr=False)
    expires_at: float | None = None
    scope: str | None = None
    organizer_key: str | None = None


#: Token lifetimes (``expires_in``) below this many seconds are treated as unknown.
MIN_LIFETIME = 1.0


class TokenAnswer:
    """A successful token endpoint answer, checked: the access token, the refresh token (if
    the answer rotated it), the lifetime in seconds (``None``: unknown), scope, organizer."""

    __slots__ = ("access_token", "lifetime", "organizer_key", "refresh_token", "scope")

    def __init__(
        self,
        access_token: str,
        refresh_token: str | None,
        lifetime: float | None,
        scope: str | None,
        organizer_key: str | None,
    ) -> None:
        self.access_token = access_token
        self.refresh_token = refresh_token
        self.lifetime = lifetime
        self.scope = scope
        self.organizer_key = organizer_key

    def __repr__(self) -> str:
        return f"TokenAnswer(lifetime={self.lifetime!r}, scope={self.scope!r})"


def token_problem(value: str) -> str | None:
    """Why ``value`` cannot be sent as a token (``None`` if it can), without echoing it.

    Tokens go into an ``Authorization`` header (or a form body): only visible ASCII is
    allowed. Whitespace and control characters -- typically a newline from a file read --
    would make httpx refuse the header, and its error message would contain the token.
    """
    for i, ch in enumerate(value):
        if not "!" <= ch <= "~":
            kind = "whitespace" if ch.isspace() else "a control or non-ASCII character"
            return f"contains {kind} at position {i} (strip the token?)"
    return None


def check_credential(value: object, name: str, *, token: bool = False) -> str:
    """A non-empty string, else ``ValidationError(name)`` (the value is never echoed).

    ``token``: also only visible ASCII (no whitespace or control characters), see
    ``token_problem``.
    """
    if not isinstance(value, str):
        raise ValidationError(name, f"expected a non-empty string, got {type(value).__name__}")
    if not value.strip():
        raise ValidationError(name, "must not be empty")
    if token and (problem := token_problem(value)) is not None:
        raise ValidationError(name, problem)
    return value


def check_seconds(value: object, name: str, *, maximum: float = MAX_SECONDS) -> None:
    """A finite number of seconds ``>= 0`` and ``<= maximum``, else ``ValidationError``."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= maximum
    ):
        limit = "" if math.isinf(maximum) else f" and <= {maximum:g}"
        raise ValidationError(
            name, f"expected a finite number of seconds >= 0{limit}, got {value!r}"
        )


def is_token_rejected(response: httpx.Response) -> bool:
    """401, or the 403 GoTo's gateway sends for an invalid/expired token (the body says so)."""
    if response.status_code == 401:
        return True
    if response.status_code == 403:
        return is_invalid_token(parse_error_body(response)[1])
    return False


def _key(value: object) -> str | None:
    """A key sent as a string or a number; ``None`` for anything else (or empty)."""
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return str(value)


def parse_token_response(
    response: httpx.Response,
    *,
    action: str,
    secrets: tuple[str | None, ...] = (),
    require_refresh_token: bool = False,
) -> TokenAnswer:
    """Read a token endpoint's answer (its body read with the 64 KiB bound).

    ``action`` starts every message (``"token refresh failed"``); ``secrets`` (the refresh
    token, the client secret, an authorization code) are redacted from them besides the
    request's own credential. ``require_refresh_token``: an answer without one is refused (a
    login must yield one; a refresh may keep the old).

    Raises:
        AuthenticationError: the endpoint refused the grant (4xx other than 429).
        RateLimitError, ServerError: the endpoint was busy (429, ``retry_after`` kept) or failed.
        UnexpectedRedirectError: it answered with a redirect.
        TokenResponseError: a 200 that is no usable token set.
    """
    if response.status_code != 200:
        raise error_from_response(response, *secrets, token_endpoint=action)

    def malformed(what: str) -> TokenResponseError:
        request = request_of(response)
        where = safe_url(request.url) if request is not None else ""
        return TokenResponseError(f"{action}: {what}", url=where, response=response)

    if is_truncated(response):
        raise malformed(
            f"the token response is larger than {ERROR_BODY_LIMIT:,} bytes (not read further)"
        )
    try:
        data: Any = response.json()
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        raise malformed("the token response is not JSON") from None
    if not isinstance(data, dict):
        raise malformed("the token response is not a JSON object")
    access_token = data.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise malformed("the token response has no access_token")
    refresh_token = data.get("refresh_token")
    if not isinstance(refresh_token, str) or not refresh_token:
        if require_refresh_token:
            raise malformed("the token response has no refresh_token")
        refresh_token = None
    for field, value in (("access_token", access_token), ("refresh_token", refresh_token)):
        if value is not None and (problem := token_problem(value)) is not None:
            raise malformed(f"the {field} received {problem}")
    expires_in = data.get("expires_in")
    lifetime: float | None = None
    if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
        try:
            lifetime = float(expires_in)
        except OverflowError:  # an absurdly large integer
            lifetime = None
        if lifetime is not None and (not math.isfinite(lifetime) or lifetime < MIN_LIFETIME):
            # An expiry in the past, or one too close to be of use (1e-300 s), would make every
            # request refresh first: treat it as unknown (a rejected token is still refreshed
            # once, reactively).
            lifetime = None
    scope = data.get("scope")
    return TokenAnswer(
        access_token,
        refresh_token,
        lifetime,
        scope if isinstance(scope, str) else None,
        _key(data.get("organizer_key")),
    )
