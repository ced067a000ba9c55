"""OAuth2's token logic as generators of I/O steps (sans-IO), shared by the sync and async drivers.

Like the request pipeline (``_transport``), nothing here sends, reads or sleeps: the generators
*yield* what must be done and are resumed with the outcome.

- ``httpx.Request``: send it (through the user's HTTP client: the drivers are ``httpx.Auth``
  flows), resume with the response;
- ``ReadBody(response)``: read its body with the 64 KiB bound, resume with ``None``;
- ``AwaitRefresh(inflight, timeout)``: wait for a refresh another request is performing, resume
  with whether it finished in time.

``TokenKeeper.flow`` is the whole auth flow of one API request (``OAuth2.sync_auth_flow`` and
``async_auth_flow`` drive it); ``code_exchange`` the login's token request
(``exchange_authorization_code`` and its async twin drive it). Both read the answer with the
one parser, ``_tokens.parse_token_response``.

Refresh exactly once: the first request that needs a refresh registers an ``InFlight`` record
under a ``threading.Lock`` (never held across I/O) and sends the token request; the others wait
for it -- threads on a ``threading.Event``, async tasks on a future of their own event loop,
woken by ``call_soon_threadsafe`` when the refresh ends (no polling) -- and use its token.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

import httpx

from . import _attempt
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    TokenResponseError,
    copy_error,
    scrub_url,
)
from ._tokens import OAuth2Token, TokenAnswer, is_token_rejected, parse_token_response

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "AwaitRefresh",
    "InFlight",
    "ReadBody",
    "Step",
    "TokenKeeper",
    "basic_credential",
    "code_exchange",
]

logger = logging.getLogger("gototraining")

#: Statuses whose body can say "your token is invalid" (read by the flows, up to 64 KiB).
MAYBE_REJECTED = frozenset({401, 403})
REFRESH_FAILED = "token refresh failed"
EXCHANGE_FAILED = "authorization code exchange failed"


class ReadBody:
    """Step: read this response's body (at most 64 KiB), then resume with ``None``."""

    __slots__ = ("response",)

    def __init__(self, response: httpx.Response) -> None:
        self.response = response


class AwaitRefresh:
    """Step: wait up to ``timeout`` seconds for ``inflight`` to finish; resume with ``True``
    if it did."""

    __slots__ = ("inflight", "timeout")

    def __init__(self, inflight: InFlight, timeout: float) -> None:
        self.inflight = inflight
        self.timeout = timeout


Step = httpx.Request | ReadBody | AwaitRefresh


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class InFlight:
    """One token refresh in progress, shared by every thread and event loop.

    Sync waiters block on a ``threading.Event``; an async waiter parks a future of its own
    event loop here, which ``finish`` resolves through that loop's ``call_soon_threadsafe``.
    """

    __slots__ = ("_done", "_lock", "_waiters", "error")

    def __init__(self) -> None:
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        #: ``None`` after success; the exception if the refresh failed or was abandoned.
        self.error: BaseException | None = None

    @property
    def done(self) -> bool:
        """Whether the refresh has ended (either way)."""
        return self._done.is_set()

    @property
    def async_waiters(self) -> int:
        """How many async tasks are waiting (for tests and metrics)."""
        with self._lock:
            return len(self._waiters)

    def finish(self, error: BaseException | None) -> None:
        """Record the outcome and wake every waiter, whatever thread or loop it is in."""
        self.error = error
        with self._lock:
            self._done.set()
            waiters, self._waiters = self._waiters, []
        for loop, future in waiters:
            try:
                loop.call_soon_threadsafe(_wake, future)
            except RuntimeError:  # that event loop was closed meanwhile: nobody to wake
                pass

    def wait(self, timeout: float) -> bool:
        """Block this thread until the refresh ends; ``False`` after ``timeout`` seconds."""
        return self._done.wait(timeout)

    async def wait_async(self, timeout: float) -> bool:
        """Await the end of the refresh without blocking the event loop; ``False`` after
        ``timeout`` seconds."""
        import asyncio  # lazily: sync-only users do not pay asyncio's import time

        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if self._done.is_set():
                return True
            self._waiters.append((loop, future))
        try:
            async with asyncio.timeout(timeout):
                await future
        except TimeoutError:
            pass
        finally:
            with self._lock:
                if (loop, future) in self._waiters:
                    self._waiters.remove((loop, future))
        return self._done.is_set()


def basic_credential(client_id: str, client_secret: str) -> str:
    """The ``Authorization`` header value of HTTP Basic client authentication."""
    pair = f"{client_id}:{client_secret}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


class TokenKeeper:
    """The tokens of one ``OAuth2`` and the logic that refreshes them (sans-IO).

    Every field below ``_lock`` is guarded by it; the lock is never held across I/O.
    """

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        access_token: str | None,
        expires_at: float | None,
        token_url: str,
        on_token_refresh: Callable[[OAuth2Token], None] | None,
        leeway: float,
        clock: Callable[[], float],
    ) -> None:
        self.token_url = token_url
        self._basic = basic_credential(client_id, client_secret)
        self._client_secret = client_secret  # only to redact it from error messages
        self._on_token_refresh = on_token_refresh
        self._leeway = leeway
        self._clock = clock
        self._lock = threading.Lock()
        self._refresh_token = refresh_token
        self._access_token = access_token
        self._expires_at = expires_at
        self._effective_leeway = leeway
        self._generation = 0
        self._inflight: InFlight | None = None  # the refresh being performed, if any
        self.refresh_count = 0

    def secrets(self) -> tuple[str | None, ...]:
        """What errors and logs must never show (the transport redacts it)."""
        with self._lock:
            basic = self._basic.removeprefix("Basic ")
            return (self._access_token, self._refresh_token, self._client_secret, basic)

    # -- state (call with the lock held) -------------------------------------------------------

    def _due(self) -> bool:
        """Whether there is no access token, or it expires within the leeway."""
        expires_at = self._expires_at
        return self._access_token is None or (
            expires_at is not None and expires_at - self._effective_leeway <= self._clock()
        )

    def _store(self, answer: TokenAnswer) -> tuple[str, int]:
        """Keep a refreshed token set; call ``on_token_refresh``; the token and generation."""
        lifetime = answer.lifetime
        with self._lock:
            self._access_token = answer.access_token
            if answer.refresh_token is not None:
                self._refresh_token = answer.refresh_token
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
                answer.access_token, self._refresh_token, self._expires_at, answer.scope
            )
        logger.debug("oauth2: access token refreshed (generation %d)", generation)
        if self._on_token_refresh is not None:
            try:
                self._on_token_refresh(token)
            except Exception:  # a failing persistence hook must not fail the API call
                logger.exception("oauth2: on_token_refresh callback failed")
        return answer.access_token, generation

    def refresh_request(self) -> httpx.Request:
        """The token request: ``grant_type=refresh_token``, form-encoded, HTTP Basic."""
        with self._lock:
            refresh_token = self._refresh_token
        return httpx.Request(
            "POST",
            self.token_url,
            data={"grant_type": "refresh_token", "refresh_token": refresh_token},
            headers={"Authorization": self._basic, "Accept": "application/json"},
        )

    def parse(self, response: httpx.Response) -> tuple[str, int]:
        """Read a refresh's answer (``parse_token_response``) and keep the new tokens."""
        with self._lock:
            refresh_token = self._refresh_token
        answer = parse_token_response(
            response, action=REFRESH_FAILED, secrets=(refresh_token, self._client_secret)
        )
        return self._store(answer)

    # -- the flows -------------------------------------------------------------------------------

    def flow(self, request: httpx.Request, refresh_wait: float) -> Generator[Step, Any, None]:
        """The auth flow of one API request: a proactive refresh when the token is due, the
        request, and -- when it is rejected (401, 403 ``InvalidToken``) -- one refresh (unless
        another request already got a newer token) and one repetition."""
        with self._lock:
            token, generation, due = self._access_token, self._generation, self._due()
        if due:
            token, generation = yield from self._fresh_token(None, request, refresh_wait)
            _clip_to_deadline(request)
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code not in MAYBE_REJECTED:  # its body is the transport's to read
            return
        yield ReadBody(response)
        if not is_token_rejected(response):
            return
        token, _ = yield from self._fresh_token(generation, request, refresh_wait)
        _clip_to_deadline(request)
        logger.debug(
            "oauth2: token rejected with %d; retrying once with a fresh token", response.status_code
        )
        request.headers["Authorization"] = f"Bearer {token}"
        yield request

    def _fresh_token(
        self, stale: int | None, request: httpx.Request, refresh_wait: float
    ) -> Generator[Step, Any, tuple[str, int]]:
        """A usable token, refreshing it at most once across all users of this keeper.

        ``stale``: ``None`` for the proactive check (refresh if due), else the generation a
        rejected request was sent with (refresh only if it is still current). Returns
        ``(token, generation)``.
        """
        abandoned = False  # has a refresh we waited for died without an answer?
        while True:
            with self._lock:
                token, generation = self._access_token, self._generation
                needed = self._due() if stale is None else generation == stale
                inflight = self._inflight
                lead = needed and inflight is None
                if lead:
                    inflight = self._inflight = InFlight()
            if not needed and token is not None:
                return token, generation
            assert inflight is not None
            if lead:
                error: BaseException | None = None
                try:
                    response = yield _for_attempt(self.refresh_request(), request)
                    yield ReadBody(response)
                    _token_answered()
                    return self.parse(response)
                except BaseException as exc:  # incl. GeneratorExit: the request was abandoned
                    error = exc
                    raise
                finally:
                    with self._lock:
                        self._inflight = None
                    inflight.finish(error)
            limit, by_deadline = _wait_limit(refresh_wait)
            if not (yield AwaitRefresh(inflight, limit)):
                raise self._wait_timeout(by_deadline, refresh_wait)
            failed = inflight.error
            if failed is None:
                with self._lock:
                    token, generation = self._access_token, self._generation
                if token is not None:
                    return token, generation
            elif isinstance(failed, APIError | TokenResponseError):
                # answered (refused, busy, garbled): do not ask again; the same error, copied
                err = copy_error(failed)
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

    def _wait_timeout(self, by_deadline: bool, refresh_wait: float) -> APITimeoutError:
        what = (
            "the call's timeout ran out" if by_deadline else f"timed out after {refresh_wait:g} s"
        )
        return APITimeoutError(
            f"{what} waiting for a token refresh by a concurrent request; the request was not sent",
            method="POST",
            url=scrub_url(self.token_url),
            maybe_sent=False,
        )


def _wait_limit(refresh_wait: float) -> tuple[float, bool]:
    """How long to wait for a concurrent refresh, and whether the call's deadline (rather
    than ``refresh_wait``) sets that."""
    attempt = _attempt.current()
    left = attempt.remaining() if attempt is not None else None
    if left is not None and left < refresh_wait:
        return max(left, 0.0), True
    return refresh_wait, False


def _for_attempt(token_request: httpx.Request, request: httpx.Request) -> httpx.Request:
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


def code_exchange(
    code: str,
    *,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    token_url: str,
    timeout: float,
) -> Generator[httpx.Request | ReadBody, httpx.Response | None, OAuth2Token]:
    """The login's token request (``grant_type=authorization_code``, form-encoded, HTTP Basic)
    and the parsing of its answer: yields the request (resume with the response), then
    ``ReadBody``; returns the token set. The arguments are checked by the caller."""
    request = httpx.Request(
        "POST",
        token_url,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
        headers={
            "Authorization": basic_credential(client_id, client_secret),
            "Accept": "application/json",
        },
        extensions={"timeout": httpx.Timeout(timeout).as_dict()},
    )
    response = yield request
    assert response is not None
    yield ReadBody(response)
    answer = parse_token_response(
        response,
        action=EXCHANGE_FAILED,
        secrets=(code, client_secret),
        require_refresh_token=True,
    )
    assert answer.refresh_token is not None  # require_refresh_token
    lifetime = answer.lifetime
    return OAuth2Token(
        answer.access_token,
        answer.refresh_token,
        time.time() + lifetime if lifetime is not None else None,
        answer.scope,
        answer.organizer_key,
    )
