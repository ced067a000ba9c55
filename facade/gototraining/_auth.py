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
    error_from_response,
    is_invalid_token,
    parse_error_body,
    redact,
)

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "DEFAULT_TOKEN_URL",
    "BearerToken",
    "OAuth2",
    "OAuth2Token",
    "exchange_authorization_code",
]

DEFAULT_TOKEN_URL = "https://authentication.logmeininc.com/oauth/token"
logger = logging.getLogger("gototraining")


def _is_token_rejected(response: httpx.Response) -> bool:
    """401, or the 403 GoTo's gateway sends for an invalid/expired token."""
    if response.status_code == 401:
        return True
    if response.status_code == 403:
        return is_invalid_token(parse_error_body(response)[1])
    return False


class BearerToken(httpx.Auth):
    """A static access token sent as ``Authorization: Bearer <token>``. Never refreshed."""

    def __init__(self, token: str) -> None:
        if not isinstance(token, str) or not token.strip():
            raise ValueError("token must be a non-empty string")
        self._header = f"Bearer {token}"

    def __repr__(self) -> str:
        return "BearerToken(token='***')"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


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
        for name, value in (
            ("client_id", client_id),
            ("client_secret", client_secret),
            ("refresh_token", refresh_token),
        ):
            if not isinstance(value, str) or not value:
                raise ValueError(f"{name} must be a non-empty string")
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
            expires_in = data.get("expires_in")
            lifetime: float | None = None
            if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
                lifetime = float(expires_in)  # OverflowError for absurd integers
                if not math.isfinite(lifetime):
                    lifetime = None
            new_refresh = data.get("refresh_token")
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


#: The refresh token of the parser in :func:`exchange_authorization_code` until the answer
#: replaces it (a token set without a refresh token is refused).
_NO_REFRESH_TOKEN = "no-refresh-token-yet"
_REFRESH_FAILED = "token refresh failed: "


def exchange_authorization_code(
    code: str,
    *,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    token_url: str = DEFAULT_TOKEN_URL,
    http_client: httpx.Client | None = None,
    timeout: float = 30.0,
) -> OAuth2Token:
    """Exchange an OAuth2 authorization code for a token set (the end of a login flow).

    ``POST token_url`` with ``grant_type=authorization_code``, form-encoded, with HTTP Basic
    client authentication; the answer is parsed and checked by the same code as
    :class:`OAuth2`'s refreshes. Build an :class:`OAuth2` from the result
    (``refresh_token``, ``access_token``, ``expires_at``) to call the API with it.

    ``http_client`` (optional) sends the request, so proxies/mTLS apply; without one a
    short-lived client with ``timeout`` seconds is used.

    Raises:
        AuthenticationError: the endpoint refused (status and ``error`` code as sent; the code
            and client secret are redacted from the message), or its answer is not a usable
            token set (no ``access_token`` or no ``refresh_token``).
        TransportError: no response (``APIConnectionError``, ``APITimeoutError``).
        ValidationError: an argument is not a non-empty string (nothing is sent).
    """
    from ._errors import ValidationError, safe_url
    from ._transport import _transport_error  # _transport does not import _auth; keep it so

    for name, value in (
        ("code", code),
        ("client_id", client_id),
        ("client_secret", client_secret),
        ("redirect_uri", redirect_uri),
    ):
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(name, "expected a non-empty string")  # never echo the value
    received: list[OAuth2Token] = []
    # One parser for the token endpoint's answers: OAuth2's own (status -> error with secrets
    # redacted, access/refresh token, expiry, scope), on an object used for this answer only.
    parser = OAuth2(
        client_id,
        client_secret,
        _NO_REFRESH_TOKEN,
        token_url=token_url,
        on_token_refresh=received.append,
    )
    request = httpx.Request(
        "POST",
        token_url,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
        headers={"Authorization": parser._basic, "Accept": "application/json"},
    )
    client = http_client if http_client is not None else httpx.Client(timeout=timeout)
    try:
        response = client.send(request, auth=None, follow_redirects=False)
        response.read()
    except httpx.RequestError as exc:
        raise _transport_error(exc, "POST", safe_url(request.url)) from exc
    finally:
        if http_client is None:
            client.close()
    action = "authorization code exchange failed: "
    try:
        parser._apply(response)
    except AuthenticationError as exc:
        message = redact(exc.message.removeprefix(_REFRESH_FAILED), code, client_secret)
        raise AuthenticationError(
            exc.status,
            action + message,
            error_code=exc.error_code,
            method=exc.method,
            url=exc.url,
            response=response,
        ) from None
    (token,) = received
    if token.refresh_token == _NO_REFRESH_TOKEN:
        raise AuthenticationError(
            200,
            action + "the token response has no refresh_token",
            method="POST",
            url=safe_url(request.url),
            response=response,
        )
    data = response.json()  # a JSON object: _apply accepted it
    return attrs.evolve(token, organizer_key=_opt_key(data.get("organizer_key")))


def _opt_key(value: object) -> str | None:
    """A key sent as a string or a number; ``None`` for anything else (or empty)."""
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return str(value)
