"""Authentication as ``httpx.Auth``: a static bearer token, or OAuth2 with a refresh token.

Both work with any ``httpx.Client``/``httpx.AsyncClient``, including one the user brings.
"""

from __future__ import annotations

import base64
import logging
import math
import threading
import time
import weakref
from collections.abc import AsyncGenerator, Callable, Generator
from typing import TYPE_CHECKING, Any

import attrs
import httpx

from ._errors import (
    AuthenticationError,
    ValidationError,
    error_from_response,
    is_invalid_token,
    parse_error_body,
    redact,
)

if TYPE_CHECKING:
    import asyncio

__all__ = ["DEFAULT_TOKEN_URL", "BearerToken", "OAuth2", "OAuth2Token"]

DEFAULT_TOKEN_URL = "https://authentication.logmeininc.com/oauth/token"
logger = logging.getLogger("gototraining")


def _is_token_rejected(response: httpx.Response) -> bool:
    """401, or the 403 GoTo's gateway sends for an invalid/expired token."""
    if response.status_code == 401:
        return True
    if response.status_code == 403:
        return is_invalid_token(parse_error_body(response)[1])
    return False


def _token_problem(value: str) -> str | None:
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
    ``_token_problem``.
    """
    if not isinstance(value, str):
        raise ValidationError(name, f"expected a non-empty string, got {type(value).__name__}")
    if not value.strip():
        raise ValidationError(name, "must not be empty")
    if token and (problem := _token_problem(value)) is not None:
        raise ValidationError(name, problem)
    return value


class BearerToken(httpx.Auth):
    """A static access token sent as ``Authorization: Bearer <token>``. Never refreshed."""

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {check_credential(token, 'token', token=True)}"

    def __repr__(self) -> str:
        return "BearerToken(token='***')"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


@attrs.frozen
class OAuth2Token:
    """A token set as returned by the token endpoint; passed to ``on_token_refresh``.

    ``expires_at`` is a Unix timestamp (``None`` if the endpoint gave no ``expires_in``).
    The repr hides the secrets.
    """

    access_token: str = attrs.field(repr=False)
    refresh_token: str = attrs.field(repr=False)
    expires_at: float | None = None
    scope: str | None = None


class OAuth2(httpx.Auth):
    """OAuth2 access token that refreshes itself with a refresh token.

    - Proactively: before a request, when the token expires within ``leeway`` seconds (or there
      is no access token yet).
    - Reactively: once, when a request is answered 401, or 403 with an ``InvalidToken`` /
      ``ExpiredToken`` body (GoTo's gateway does that); the request is then repeated once.
    - Exactly once under concurrency: refreshes are serialised by a lock (a
      ``threading.Lock`` for sync clients, an ``asyncio.Lock`` per event loop for async ones)
      and every request remembers the token *generation* it was sent with; a request that
      fails with generation ``g`` only refreshes if the current generation is still ``g``,
      otherwise it just retries with the token someone else already fetched.

    The token request is ``POST token_url`` with ``grant_type=refresh_token`` (form-encoded) and
    HTTP Basic client authentication, as GoTo requires. It is sent through the same HTTP client
    (so proxies/mTLS apply). A rotated refresh token replaces the old one.
    ``on_token_refresh(token)`` is called after every refresh, e.g. to persist the new tokens.
    """

    requires_response_body = True  # the 403 body decides whether the token was rejected

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        *,
        access_token: str | None = None,
        expires_at: float | None = None,
        token_url: str = DEFAULT_TOKEN_URL,
        on_token_refresh: Callable[[OAuth2Token], None] | None = None,
        leeway: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        check_credential(client_id, "client_id")
        check_credential(client_secret, "client_secret")
        check_credential(refresh_token, "refresh_token", token=True)
        if access_token is not None:
            check_credential(access_token, "access_token", token=True)
        self.client_id = client_id
        self.token_url = token_url
        self._basic = "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode(
            "ascii"
        )
        self._client_secret = client_secret  # only to redact it from error messages
        self._refresh_token = refresh_token
        self._access_token = access_token
        self._expires_at = expires_at
        self._generation = 0
        self._on_token_refresh = on_token_refresh
        self._leeway = leeway
        self._clock = clock
        self._state_lock = threading.Lock()  # guards the fields above; never held across I/O
        self._sync_refresh_lock = threading.Lock()  # serialises refreshes of sync clients
        self._async_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        #: How many refreshes this object has performed (useful in tests and metrics).
        self.refresh_count = 0

    def __repr__(self) -> str:
        return f"OAuth2(client_id={self.client_id!r}, token_url={self.token_url!r}, client_secret='***')"

    # -- state ------------------------------------------------------------------------------

    def _snapshot(self) -> tuple[str | None, int, bool]:
        """(access token, generation, needs a proactive refresh?)"""
        with self._state_lock:
            token, expires_at = self._access_token, self._expires_at
            due = token is None or (
                expires_at is not None and expires_at - self._leeway <= self._clock()
            )
            return token, self._generation, due

    def _refresh_request(self) -> httpx.Request:
        with self._state_lock:
            refresh_token = self._refresh_token
        return httpx.Request(
            "POST",
            self.token_url,
            data={"grant_type": "refresh_token", "refresh_token": refresh_token},
            headers={"Authorization": self._basic, "Accept": "application/json"},
        )

    def _apply(self, response: httpx.Response) -> tuple[str, int]:
        """Store the outcome of a token request; raise ``AuthenticationError`` if it failed."""
        if response.status_code != 200:
            err = error_from_response(response)
            with self._state_lock:
                refresh_token = self._refresh_token
            # An endpoint echoing the refresh token or client secret must not leak them.
            message = redact(err.message, refresh_token, self._client_secret)
            raise AuthenticationError(
                err.status,
                f"token refresh failed: {message}",
                error_code=err.error_code,
                method=err.method,
                url=err.url,
                body=None,  # may echo credentials; never keep it
                response=response,
            )
        try:
            data: Any = response.json()
            access_token = data["access_token"]
            if not isinstance(access_token, str) or not access_token:
                raise TypeError("access_token")
            new_refresh = data.get("refresh_token")
            for field, value in (("access_token", access_token), ("refresh_token", new_refresh)):
                if isinstance(value, str) and (problem := _token_problem(value)) is not None:
                    raise AuthenticationError(
                        200,
                        f"token refresh failed: the {field} received {problem}",
                        method="POST",
                        url=self.token_url,
                        response=response,
                    )
            expires_in = data.get("expires_in")
            lifetime: float | None = None
            if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
                lifetime = float(expires_in)  # OverflowError for absurd integers
                if not math.isfinite(lifetime):
                    lifetime = None
            scope = data.get("scope")
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError, RecursionError):
            raise AuthenticationError(
                200,
                "token refresh failed: unexpected token response",
                method="POST",
                url=self.token_url,
                response=response,
            ) from None
        with self._state_lock:
            self._access_token = access_token
            if isinstance(new_refresh, str) and new_refresh:
                self._refresh_token = new_refresh
            self._expires_at = self._clock() + lifetime if lifetime is not None else None
            self._generation += 1
            self.refresh_count += 1
            generation = self._generation
            token = OAuth2Token(
                access_token,
                self._refresh_token,
                self._expires_at,
                scope if isinstance(scope, str) else None,
            )
        logger.debug("oauth2: access token refreshed (generation %d)", generation)
        if self._on_token_refresh is not None:
            try:
                self._on_token_refresh(token)
            except Exception:  # a failing persistence hook must not fail the API call
                logger.exception("oauth2: on_token_refresh callback failed")
        return access_token, generation

    def _async_lock(self) -> asyncio.Lock:
        import asyncio  # lazily: sync-only users do not pay asyncio's import time (~50 ms)

        loop = asyncio.get_running_loop()
        with self._state_lock:
            lock = self._async_locks.get(loop)
            if lock is None:
                lock = self._async_locks[loop] = asyncio.Lock()
            return lock

    # -- flows ------------------------------------------------------------------------------

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        token, generation, due = self._snapshot()
        if due:
            with self._sync_refresh_lock:
                token, generation, due = self._snapshot()  # someone may have refreshed meanwhile
                if due:
                    response = yield self._refresh_request()
                    response.read()
                    token, generation = self._apply(response)
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        response.read()
        if not _is_token_rejected(response):
            return
        with self._sync_refresh_lock:
            token, current, _ = self._snapshot()
            if current == generation:  # nobody refreshed since we sent: it is our turn
                refresh = yield self._refresh_request()
                refresh.read()
                token, _ = self._apply(refresh)
        logger.debug(
            "oauth2: token rejected with %d; retrying once with a fresh token", response.status_code
        )
        request.headers["Authorization"] = f"Bearer {token}"
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token, generation, due = self._snapshot()
        if due:
            async with self._async_lock():
                token, generation, due = self._snapshot()
                if due:
                    response = yield self._refresh_request()
                    await response.aread()
                    token, generation = self._apply(response)
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        await response.aread()
        if not _is_token_rejected(response):
            return
        async with self._async_lock():
            token, current, _ = self._snapshot()
            if current == generation:
                refresh = yield self._refresh_request()
                await refresh.aread()
                token, _ = self._apply(refresh)
        logger.debug(
            "oauth2: token rejected with %d; retrying once with a fresh token", response.status_code
        )
        request.headers["Authorization"] = f"Bearer {token}"
        yield request
