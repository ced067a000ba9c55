"""Authentication as ``httpx.Auth``: a static bearer token, or OAuth2 with a refresh token.

Both work with any ``httpx.Client``/``httpx.AsyncClient``, including one the user brings.
"""

from __future__ import annotations

import base64
import logging
import math
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any

import attrs
import httpx

from . import _attempt
from ._body import ERROR_BODY_LIMIT, is_truncated, read_async, read_sync
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    RateLimitError,
    UnexpectedRedirectError,
    ValidationError,
    error_from_response,
    is_invalid_token,
    parse_error_body,
    redact,
    scrub_url,
)
from ._retry import MAX_SECONDS

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

    def _secrets(self) -> tuple[str, ...]:
        """What errors and logs must never show (the transport redacts it)."""
        return (self._header.removeprefix("Bearer "),)

    def _rejected_hint(self) -> str:
        """Ends the message of ``AuthenticationError`` when the API refuses this token."""
        return (
            "GoTo access tokens expire after 60 minutes: get a new one (`gototraining login`), "
            "or pass auth=OAuth2(...) with a refresh token so that the client renews it"
        )

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
    - Exactly once under concurrency, across threads, sync and async clients and event loops
      sharing this object: the first request that needs a refresh registers it as *in flight*
      (under a ``threading.Lock``, never held across I/O) and sends the token request; every
      other request that needs one meanwhile waits for that refresh to finish (sync: on a
      ``threading.Event``; async: polling it every 5 ms with ``asyncio.sleep``, so its event
      loop keeps running) and then uses the new token. If the token endpoint answers with an
      error, the waiters raise the same error (no second token request): ``AuthenticationError``
      when the grant is refused, ``RateLimitError`` / ``ServerError`` for 429 / 5xx; if the refresh
      is abandoned without an answer (connection error, cancellation), one waiter refreshes
      instead, once -- after a second such failure the waiters give up with
      ``APIConnectionError``. A token is refreshed ``leeway`` seconds before it expires, but
      never earlier than half-way through its lifetime. Waiting gives up after
      ``refresh_wait`` seconds with ``APITimeoutError``. Every request remembers the token
      *generation* it was sent with; a request rejected with generation ``g`` only refreshes
      if the current generation is still ``g``, otherwise it retries with the token someone
      else already fetched.

    The token request is ``POST token_url`` with ``grant_type=refresh_token`` (form-encoded) and
    HTTP Basic client authentication, as GoTo requires. It is sent through the same HTTP client
    (so proxies/mTLS apply), with the API request's timeouts cut to what is left of the call's
    deadline (the refresh is part of the attempt), and its answer is read up to 64 KiB. A
    rotated refresh token replaces the old one. An ``expires_in`` of zero or less is treated
    as unknown (the token is refreshed when rejected) rather than as "refresh before every
    request".
    ``on_token_refresh(token)`` is called after every refresh, e.g. to persist the new tokens.
    """

    # The 401/403 body decides whether the token was rejected; the flows read it themselves
    # (up to 64 KiB, and only for those statuses).
    requires_response_body = True
    #: Seconds a request waits for a refresh started by another request before giving up.
    refresh_wait: float = 120.0

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
        _check_seconds(leeway, "leeway")
        if expires_at is not None:
            _check_seconds(expires_at, "expires_at", maximum=math.inf)
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
        self._effective_leeway = leeway
        self._clock = clock
        self._state_lock = threading.Lock()  # guards the fields above; never held across I/O
        self._inflight: _InFlight | None = None  # the refresh being performed, if any
        #: How many refreshes this object has performed (useful in tests and metrics).
        self.refresh_count = 0

    def __repr__(self) -> str:
        return (
            f"OAuth2(client_id={self.client_id!r}, token_url={scrub_url(self.token_url)!r}, "
            "client_secret='***')"
        )

    def _secrets(self) -> tuple[str | None, ...]:
        """What errors and logs must never show (the transport redacts it)."""
        with self._state_lock:
            basic = self._basic.removeprefix("Basic ")
            return (self._access_token, self._refresh_token, self._client_secret, basic)

    def _rejected_hint(self) -> str:
        """Ends the message of ``AuthenticationError`` when the API refuses the token: the
        client refreshes once on such an answer, so a refusal now outlived a refresh."""
        return (
            "the API refused the token even after refreshing it: sign in again "
            "(`gototraining login`) and check that the grant is for this GoTo account"
        )

    # -- state ------------------------------------------------------------------------------

    def _snapshot(self) -> tuple[str | None, int, bool]:
        """(access token, generation, needs a proactive refresh?)"""
        with self._state_lock:
            token, expires_at = self._access_token, self._expires_at
            due = token is None or (
                expires_at is not None and expires_at - self._effective_leeway <= self._clock()
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
        """Store the outcome of a token request; raise ``AuthenticationError`` if it failed.

        ``response`` has been read with ``ERROR_BODY_LIMIT``: a longer answer (marked truncated
        by the reader) is no token set.
        """
        if response.status_code != 200:
            with self._state_lock:
                refresh_token = self._refresh_token
            # An endpoint echoing the refresh token or client secret must not leak them.
            err = error_from_response(response, refresh_token, self._client_secret)
            # 429 and 5xx say nothing about the credentials: keep RateLimitError / ServerError so
            # callers (and concurrent waiters) can tell a busy endpoint from a rejected grant;
            # a redirect (a proxy or login page) is no answer about them either.
            transient = response.status_code == 429 or response.status_code >= 500
            keep = transient or isinstance(err, UnexpectedRedirectError)
            failure = (type(err) if keep else AuthenticationError)(
                err.status,
                f"token refresh failed: {err.message}",
                error_code=err.error_code,
                method=err.method,
                url=err.url,
                incident=err.incident,
                request_id=err.request_id,
                body=None,  # may echo credentials; never keep it
                response=response,
            )
            if isinstance(err, RateLimitError) and isinstance(failure, RateLimitError):
                failure.retry_after = err.retry_after
            if isinstance(err, UnexpectedRedirectError) and isinstance(
                failure, UnexpectedRedirectError
            ):
                failure.location = err.location
            raise failure
        if is_truncated(response):
            raise AuthenticationError(
                200,
                f"token refresh failed: the token response is larger than {ERROR_BODY_LIMIT:,} "
                "bytes (not read further)",
                method="POST",
                url=scrub_url(self.token_url),
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
                        url=scrub_url(self.token_url),
                        response=response,
                    )
            expires_in = data.get("expires_in")
            lifetime: float | None = None
            if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
                lifetime = float(expires_in)  # OverflowError for absurd integers
                if not math.isfinite(lifetime) or lifetime <= 0:
                    # An expiry in the past would make every request refresh first: treat it
                    # as unknown (a rejected token is still refreshed once, reactively).
                    lifetime = None
            scope = data.get("scope")
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError, RecursionError):
            raise AuthenticationError(
                200,
                "token refresh failed: unexpected token response",
                method="POST",
                url=scrub_url(self.token_url),
                response=response,
            ) from None
        with self._state_lock:
            self._access_token = access_token
            if isinstance(new_refresh, str) and new_refresh:
                self._refresh_token = new_refresh
            self._expires_at = self._clock() + lifetime if lifetime is not None else None
            # A token living no longer than the leeway would be "due" at once and refreshed
            # before every request: never refresh earlier than half-way through its life.
            self._effective_leeway = (
                min(self._leeway, lifetime / 2) if lifetime is not None else self._leeway
            )
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

    def _token_steps(
        self, stale: int | None
    ) -> Generator[httpx.Request | _InFlight, httpx.Response | None, tuple[str, int]]:
        """Sans-IO: get a usable token, refreshing it at most once across all users.

        ``stale``: ``None`` for the proactive check (refresh if due), else the generation a
        rejected request was sent with (refresh if it is still current). Yields the token
        request to send (resumed with its response) or an ``_InFlight`` to wait for (resumed
        with ``None`` once it is done); returns ``(token, generation)``. The drivers are
        ``_sync_tokens`` and the loop in ``async_auth_flow``.
        """
        abandoned = False  # has a refresh we waited for died without an answer?
        while True:
            with self._state_lock:
                token, generation = self._access_token, self._generation
                if stale is None:
                    needed = token is None or (
                        self._expires_at is not None
                        and self._expires_at - self._effective_leeway <= self._clock()
                    )
                else:
                    needed = generation == stale
                inflight = self._inflight
                lead = needed and inflight is None
                if lead:
                    inflight = self._inflight = _InFlight()
            if not needed and token is not None:
                return token, generation
            assert inflight is not None
            if lead:
                error: BaseException | None = None
                try:
                    response = yield self._refresh_request()
                    assert response is not None
                    return self._apply(response)
                except BaseException as exc:  # incl. GeneratorExit: the request was abandoned
                    error = exc
                    raise
                finally:
                    with self._state_lock:
                        self._inflight = None
                    inflight.error = error
                    inflight.done.set()
            yield inflight  # someone else is refreshing: wait for them
            failed = inflight.error
            if failed is None:
                with self._state_lock:
                    token, generation = self._access_token, self._generation
                if token is not None:
                    return token, generation
            elif isinstance(failed, APIError):  # answered (rejected, busy): do not ask again
                err = type(failed)(
                    failed.status,
                    failed.message,
                    error_code=failed.error_code,
                    method=failed.method,
                    url=failed.url,
                    incident=failed.incident,
                    request_id=failed.request_id,
                    response=failed.response,
                )
                if isinstance(failed, RateLimitError) and isinstance(err, RateLimitError):
                    err.retry_after = failed.retry_after
                err.add_note("the token refresh of a concurrent request failed")
                raise err
            elif abandoned:
                # A second refresh died without an answer while we waited: report it rather
                # than let every waiter take its turn at a token endpoint that is unreachable.
                raise APIConnectionError(
                    "the token refresh of a concurrent request failed without an answer twice; "
                    "the request was not sent",
                    method="POST",
                    url=scrub_url(self.token_url),
                    maybe_sent=False,
                )
            # abandoned (connection error, cancellation): go round once; one waiter refreshes
            abandoned = True

    def _wait_limit(self) -> tuple[float, bool]:
        """How long to wait for a concurrent refresh, and whether the call's deadline (rather
        than ``refresh_wait``) sets that."""
        attempt = _attempt.current()
        left = attempt.remaining() if attempt is not None else None
        if left is not None and left < self.refresh_wait:
            return max(left, 0.0), True
        return self.refresh_wait, False

    def _wait_timeout(self, by_deadline: bool) -> APITimeoutError:
        what = (
            "the call's timeout ran out"
            if by_deadline
            else f"timed out after {self.refresh_wait:g} s"
        )
        return APITimeoutError(
            f"{what} waiting for a token refresh by a concurrent request; the request was not sent",
            method="POST",
            url=scrub_url(self.token_url),
            maybe_sent=False,
        )

    def _sync_tokens(
        self, stale: int | None, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, tuple[str, int]]:
        steps = self._token_steps(stale)
        try:
            step = next(steps)
            while True:
                if isinstance(step, _InFlight):
                    limit, by_deadline = self._wait_limit()
                    if not step.done.wait(limit):
                        raise self._wait_timeout(by_deadline)
                    step = steps.send(None)
                else:
                    response = yield _token_request(step, request)
                    read_sync(response, ERROR_BODY_LIMIT, _attempt.current())
                    _token_answered()
                    step = steps.send(response)
        except StopIteration as stop:
            result: tuple[str, int] = stop.value
            return result
        finally:
            steps.close()

    # -- flows ------------------------------------------------------------------------------

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        token, generation, due = self._snapshot()
        if due:
            token, generation = yield from self._sync_tokens(None, request)
            _clip_to_deadline(request)
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code not in _MAYBE_REJECTED:  # its body is the transport's to read
            return
        read_sync(response, ERROR_BODY_LIMIT, _attempt.current())
        if not _is_token_rejected(response):
            return
        token, _ = yield from self._sync_tokens(generation, request)
        _clip_to_deadline(request)
        logger.debug(
            "oauth2: token rejected with %d; retrying once with a fresh token", response.status_code
        )
        request.headers["Authorization"] = f"Bearer {token}"
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        import asyncio  # lazily: sync-only users do not pay asyncio's import time (~50 ms)

        token, generation, due = self._snapshot()
        stale: int | None = None
        for round_ in range(2):
            if due:  # the same steps as _sync_tokens, waiting without blocking the loop
                steps = self._token_steps(stale)
                try:
                    step = next(steps)
                    while True:
                        if isinstance(step, _InFlight):
                            limit, by_deadline = self._wait_limit()
                            give_up = time.monotonic() + limit
                            while not step.done.is_set():
                                if time.monotonic() >= give_up:
                                    raise self._wait_timeout(by_deadline)
                                await asyncio.sleep(0.005)
                            step = steps.send(None)
                        else:
                            refresh = yield _token_request(step, request)
                            await read_async(refresh, ERROR_BODY_LIMIT)
                            _token_answered()
                            step = steps.send(refresh)
                except StopIteration as stop:
                    token, generation = stop.value
                finally:
                    steps.close()
                _clip_to_deadline(request)
            request.headers["Authorization"] = f"Bearer {token}"
            response = yield request
            if round_ or response.status_code not in _MAYBE_REJECTED:
                return
            await read_async(response, ERROR_BODY_LIMIT)
            if not _is_token_rejected(response):
                return
            stale, due = generation, True
            logger.debug(
                "oauth2: token rejected with %d; retrying once with a fresh token",
                response.status_code,
            )


#: Statuses whose body can say "your token is invalid" (read by the flows, up to 64 KiB).
_MAYBE_REJECTED = frozenset({401, 403})


def _token_request(token_request: httpx.Request, request: httpx.Request) -> httpx.Request:
    """Ready a token request sent on behalf of ``request``: with its timeouts, clipped to the
    attempt's deadline (a hand-built ``httpx.Request`` has none, and would wait forever), and
    registered with the attempt (so a failure is reported as the token request's)."""
    attempt = _attempt.current()
    timeouts = request.extensions.get("timeout")
    token_request.extensions["timeout"] = (
        attempt.clip(timeouts) if attempt is not None else dict(timeouts or {})
    )
    if attempt is not None:
        attempt.token_request = token_request
    return token_request


def _token_answered() -> None:
    attempt = _attempt.current()
    if attempt is not None:
        attempt.token_request = None


def _clip_to_deadline(request: httpx.Request) -> None:
    """After a refresh took part of the attempt's time, the API request gets only the rest."""
    attempt = _attempt.current()
    if attempt is not None and attempt.deadline is not None:
        request.extensions["timeout"] = attempt.clip(request.extensions.get("timeout"))


def _check_seconds(value: object, name: str, *, maximum: float = MAX_SECONDS) -> None:
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


class _InFlight:
    """One token refresh in progress, shared by every thread and event loop."""

    __slots__ = ("done", "error")

    def __init__(self) -> None:
        self.done = threading.Event()
        #: ``None`` after success; the exception if the refresh failed or was abandoned.
        self.error: BaseException | None = None


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
    short-lived client is used. Either way ``timeout`` seconds bound the whole exchange (with a
    given ``http_client``: see docs/reliability.md), and the answer is read up to 64 KiB.

    Raises:
        AuthenticationError: the endpoint refused (status and ``error`` code as sent; the code
            and client secret are redacted from the message), or its answer is not a usable
            token set (no ``access_token`` or no ``refresh_token``, larger than 64 KiB).
        UnexpectedRedirectError: the endpoint answered with a redirect.
        RateLimitError, ServerError: the endpoint was busy (429) or failed (5xx).
        TransportError: no response (``APIConnectionError``, ``APITimeoutError``).
        ValidationError: an argument is not a non-empty string, or ``timeout`` is not a
            positive number of seconds (nothing is sent).
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
    _check_seconds(timeout, "timeout")
    if not timeout:
        raise ValidationError("timeout", "expected a positive number of seconds, got 0")
    request = httpx.Request(
        "POST",
        token_url,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
        headers={"Authorization": parser._basic, "Accept": "application/json"},
        extensions={"timeout": httpx.Timeout(timeout).as_dict()},
    )
    client = (
        http_client if http_client is not None else _attempt.owned(httpx.Client(timeout=timeout))
    )
    attempt, context = _attempt.start(timeout)
    try:
        response = client.send(request, auth=None, follow_redirects=False, stream=True)
        read_sync(response, ERROR_BODY_LIMIT, attempt)
    except (httpx.InvalidURL, httpx.RemoteProtocolError) as exc:
        if isinstance(exc, httpx.RemoteProtocolError) and not _attempt.is_bad_location(exc):
            raise _transport_error(exc, "POST", safe_url(request.url)) from exc
        raise UnexpectedRedirectError(
            0,
            "authorization code exchange failed: the token endpoint redirected to a Location "
            "that is not an http(s) URL (not followed)",
            method="POST",
            url=safe_url(request.url),
        ) from None
    except httpx.RequestError as exc:
        raise _transport_error(exc, "POST", safe_url(request.url)) from exc
    finally:
        _attempt.finish(context)
        if http_client is None:
            client.close()
    action = "authorization code exchange failed: "
    try:
        parser._apply(response)
    except APIError as exc:
        secrets = (code, client_secret)
        message = redact(exc.message.removeprefix(_REFRESH_FAILED), *secrets)
        failure = type(exc)(
            exc.status,
            action + message,
            error_code=redact(exc.error_code, *secrets) if exc.error_code else None,
            method=exc.method,
            url=exc.url,
            incident=redact(exc.incident, *secrets) if exc.incident else None,
            request_id=redact(exc.request_id, *secrets) if exc.request_id else None,
            response=response,
        )
        if isinstance(exc, RateLimitError) and isinstance(failure, RateLimitError):
            failure.retry_after = exc.retry_after
        if isinstance(exc, UnexpectedRedirectError) and isinstance(
            failure, UnexpectedRedirectError
        ):
            failure.location = redact(exc.location, *secrets) if exc.location else None
        raise failure from None
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
