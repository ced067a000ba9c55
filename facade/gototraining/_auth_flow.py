"""OAuth2's token logic as generators of I/O steps (sans-IO), shared by the sync and async drivers.

Like the request pipeline (``_transport``), nothing here sends, reads, sleeps or touches a file:
the generators *yield* what must be done and are resumed with the outcome.

- ``httpx.Request``: send it (through the user's HTTP client: the drivers are ``httpx.Auth``
  flows), resume with the response;
- ``ReadBody(response)``: read its body with the 64 KiB bound, resume with ``None``;
- ``AwaitRefresh(inflight, timeout)``: wait for a refresh another request is performing, resume
  with whether it finished in time;
- ``AcquireLock(lock, timeout)``: take a lock shared with other processes (the token store's),
  resume with whether it was taken in time;
- ``Blocking(function)``: call a function that blocks (the token store's file I/O), resume
  with its result -- the async driver runs it on a worker thread;
- ``Notify(hook, token)``: hand refreshed tokens to the user's ``on_token_refresh``, resume
  once it is done -- awaited if it is ``async``, on a worker thread (async client) if not.

A step that fails is thrown into the generator, so the flow decides what a failure means.

``TokenKeeper.flow`` is the whole auth flow of one API request (``OAuth2.sync_auth_flow`` and
``async_auth_flow`` drive it); ``code_exchange`` the login's token request
(``exchange_authorization_code`` and its async twin drive it). Both read the answer with the
one parser, ``_tokens.parse_token_response``.

Refresh exactly once: the first request that needs a refresh registers an ``InFlight`` record
under a ``threading.Lock`` (never held across I/O) and performs it; the others wait for it --
threads on a ``threading.Event``, async tasks on a future of their own event loop, woken by
``call_soon_threadsafe`` when the refresh ends (no polling) -- and use its token.

Tokens shared with other processes (a ``TokenSource``: the token store) are refreshed under
the source's lock: the refresh reads the source first and uses newer tokens someone else
wrote instead of its own (whose refresh token may have been rotated away), and writes its
new tokens only if the source still holds what it started from (compare-and-swap), so a
logout or a newer login by someone else is never undone. A refresh the token endpoint
refuses (``invalid_grant``: revoked, expired, used up) is remembered: later requests fail at
once with the same error instead of asking again, until the source holds newer tokens.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import httpx

from . import _attempt
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    TokenResponseError,
    TokenSaveError,
    copy_error,
    redact,
    scrub_url,
)
from ._tokens import OAuth2Token, TokenAnswer, is_token_rejected, parse_token_response

if TYPE_CHECKING:
    import asyncio

    from ._filelock import FileLock

__all__ = [
    "LOGGED_OUT",
    "OTHER_LOGIN",
    "AcquireLock",
    "AwaitRefresh",
    "Blocking",
    "InFlight",
    "Notify",
    "ReadBody",
    "Step",
    "TokenKeeper",
    "TokenSet",
    "TokenSource",
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


class AcquireLock:
    """Step: take ``lock`` (a ``FileLock``) within ``timeout`` seconds; resume with whether
    it was taken. The drivers try without blocking and pause in between (a thread sleeps, a
    task awaits), so neither an event loop nor a cancellation is ever stuck in a lock."""

    __slots__ = ("lock", "timeout")

    def __init__(self, lock: FileLock, timeout: float) -> None:
        self.lock = lock
        self.timeout = timeout


class Blocking:
    """Step: call ``function()``, which blocks (file I/O), and resume with its result (its
    exception is thrown in). The async driver runs it on a worker thread and, if cancelled
    meanwhile, lets it finish before the cancellation goes on (a file is never left half
    written while the lock around it is let go)."""

    __slots__ = ("function",)

    def __init__(self, function: Callable[[], Any]) -> None:
        self.function = function


class Notify:
    """Step: call the user's ``on_token_refresh`` hook with ``token`` and resume with
    ``None`` once it is done (its exception is thrown in). The sync driver calls it (an
    awaitable from it is an error: an ``async def`` hook needs the async client); the async
    driver awaits an ``async def`` hook and runs a sync one on a worker thread, so a blocking
    database write does not stall the event loop."""

    __slots__ = ("hook", "token")

    def __init__(self, hook: Callable[[OAuth2Token], object], token: OAuth2Token) -> None:
        self.hook = hook
        self.token = token


Step = httpx.Request | ReadBody | AwaitRefresh | AcquireLock | Blocking | Notify


class TokenSet(NamedTuple):
    """One login's tokens as a ``TokenSource`` keeps them."""

    access_token: str | None
    refresh_token: str
    expires_at: float | None


#: What a ``TokenSource`` may hold instead of this login's tokens: nothing (logged out) ...
LOGGED_OUT = "logged out"
#: ... or another login (another account, client or token endpoint).
OTHER_LOGIN = "another login"


class TokenSource(Protocol):
    """Tokens kept outside the keeper too and shared with other processes (the token store).

    Every method but ``warn`` and ``logged_out`` blocks (file I/O): the flow calls them as
    ``Blocking`` steps, holding ``lock``.
    """

    lock: FileLock
    #: Where the tokens are kept, for messages (the token file's path).
    where: str

    def read(self) -> TokenSet | str:
        """This login's tokens as kept now, or ``LOGGED_OUT`` / ``OTHER_LOGIN``."""

    def write(self, expected: TokenSet, tokens: TokenSet) -> TokenSet | str | None:
        """Replace ``expected`` by ``tokens`` if the source still holds ``expected``:
        ``None``; else nothing is written and what it holds is returned (as ``read``)."""

    def not_saved(self, tokens: TokenSet, error: Exception) -> None:
        """``write`` raised ``error``: the refreshed ``tokens`` live only in memory."""

    def warn(self, message: str) -> None:
        """Tell the user something about the source (e.g. it holds another login now)."""

    def logged_out(self) -> Exception:
        """The error for a client whose login was logged out (``LOGGED_OUT``)."""

    def stamp(self) -> object:
        """Something that changes whenever what the source holds may have changed (the token
        file's identity and times), read without the lock and cheap enough to call before
        every request; it never raises (an unknown stamp equals no other)."""

    def lock_error(self, error: OSError) -> Exception:
        """The error for a ``lock`` that cannot be taken (its file cannot be created)."""


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
        on_token_refresh: Callable[[OAuth2Token], object] | None,
        leeway: float,
        clock: Callable[[], float],
    ) -> None:
        self.token_url = token_url
        self._basic = basic_credential(client_id, client_secret)
        self._client_secret = client_secret  # only to redact it from error messages
        self._on_token_refresh = on_token_refresh
        self._leeway = leeway
        self._clock = clock
        #: The organizer the tokens are for (named in errors): the token store's, or that of
        #: the first client using them.
        self.organizer_key: str | None = None
        self._lock = threading.Lock()
        self._refresh_token = refresh_token
        self._access_token = access_token
        self._expires_at = expires_at
        self._effective_leeway = leeway
        self._generation = 0
        self._inflight: InFlight | None = None  # the refresh being performed, if any
        self._source: TokenSource | None = None
        self._basis: TokenSet | None = None  # what the source held when last in agreement
        self._refused: BaseException | None = None  # the grant's last refusal, latched
        # The source's stamp when it was last read: a latched refusal holds until it changes.
        self._seen: object = _UNREAD
        self._adopted = -1  # the generation of the last tokens taken from the source
        self.refresh_count = 0

    def share(self, source: TokenSource) -> None:
        """Keep the tokens in ``source`` too (see the module docstring); it holds this
        keeper's current tokens now."""
        with self._lock:
            self._source = source
            self._basis = self._current()

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

    def _current(self) -> TokenSet:
        return TokenSet(self._access_token, self._refresh_token, self._expires_at)

    def _set(self, tokens: TokenSet, lifetime: float | None) -> int:
        """Use ``tokens`` from now on (``lifetime``: of the access token, if known); the new
        generation."""
        self._access_token = tokens.access_token
        self._refresh_token = tokens.refresh_token
        self._expires_at = tokens.expires_at
        # A token living no longer than the leeway would be "due" at once and refreshed
        # before every request: never refresh earlier than half-way through its life.
        self._effective_leeway = (
            min(self._leeway, lifetime / 2) if lifetime is not None else self._leeway
        )
        self._generation += 1
        return self._generation

    def _keep(self, answer: TokenAnswer) -> tuple[str, int, TokenSet]:
        """Keep a refreshed token set: the token, its generation and the set."""
        lifetime = answer.lifetime
        with self._lock:
            tokens = TokenSet(
                answer.access_token,
                answer.refresh_token or self._refresh_token,
                self._clock() + lifetime if lifetime is not None else None,
            )
            generation = self._set(tokens, lifetime)
            self.refresh_count += 1
            self._refused = None
        logger.debug("oauth2: access token refreshed (generation %d)", generation)
        return answer.access_token, generation, tokens

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

    def _answer(self, response: httpx.Response) -> TokenAnswer:
        """Read a refresh's answer (``parse_token_response``); a refusal of the grant is
        latched (see ``_refusal``)."""
        with self._lock:
            refresh_token = self._refresh_token
        try:
            return parse_token_response(
                response, action=REFRESH_FAILED, secrets=(refresh_token, self._client_secret)
            )
        except AuthenticationError as exc:
            raise self._refusal(exc) from None

    def parse(self, response: httpx.Response) -> tuple[str, int]:
        """Read a refresh's answer and keep the new tokens: ``(token, generation)``."""
        token, generation, _ = self._keep(self._answer(response))
        return token, generation

    def _refusal(self, error: AuthenticationError) -> AuthenticationError:
        """The token endpoint refused the grant (``invalid_grant``: revoked, expired, used
        up; ``invalid_client``): say what to do, and latch it (``_refused``)."""
        with self._lock:
            organizer = self.organizer_key
            shared = self._source
        whose = f"organizer {organizer}'s" if organizer else "this"
        how = (
            f"`gototraining login` (the token store at {shared.where} is read again before "
            "every refresh, so running clients pick the new login up)"
            if shared is not None
            else "get new tokens and make a new OAuth2 with them"
        )
        error.hint = (
            f"the token endpoint refused {whose} refresh token: the grant was revoked or has "
            "expired, or the refresh token was used up elsewhere (GoTo replaces it at every "
            f"refresh); sign in again: {how}. Until then this client fails at once, without "
            "asking the token endpoint again"
        )
        with self._lock:
            self._refused = error
            # Its access token is due or was rejected: nothing is sent with it any more.
            self._access_token = None
        return error

    def refused_at_once(self) -> BaseException | None:
        """The error a request fails with before anything is done for it (a copy), or ``None``.

        A refused grant or a logout is latched: a request that needs a refresh then fails
        without asking the token endpoint again, until the source holds another login. The
        pipeline asks here before it waits for a turn in the rate limiter, so that such a
        request does not wait for (and use up) a slot of a quota other clients share.
        """
        with self._lock:
            refused, source, seen = self._refused, self._source, self._seen
            if refused is None or not self._due():
                return None
        if source is not None and source.stamp() != seen:
            return None  # the source changed since it was read: the flow reads it again
        err = copy_error(refused)
        err.add_note(
            "not sent: this client failed so before and nothing has changed since (the "
            "token endpoint was not asked again, no turn in the rate limiter was taken)"
        )
        return err

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
        token, generation = yield from self._fresh_token(generation, request, refresh_wait)
        _clip_to_deadline(request)
        logger.debug(
            "oauth2: token rejected with %d; retrying once with a fresh token", response.status_code
        )
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        with self._lock:
            adopted = generation == self._adopted
        if not adopted or response.status_code not in MAYBE_REJECTED:
            return
        # The token came from another process (through the token source), not from the
        # token endpoint, and it was rejected too: refresh for real, and repeat once more.
        yield ReadBody(response)
        if not is_token_rejected(response):
            return
        token, _ = yield from self._fresh_token(generation, request, refresh_wait)
        _clip_to_deadline(request)
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
                    return (yield from self._refresh(stale, request, refresh_wait))
                except TokenSaveError:
                    raise  # the new tokens are kept: the waiters use them
                except BaseException as exc:  # incl. GeneratorExit: the request was abandoned
                    error = exc
                    raise
                finally:
                    with self._lock:
                        self._inflight = None
                    inflight.finish(error)
            limit, by_deadline = _wait_limit(refresh_wait)
            if not (yield AwaitRefresh(inflight, limit)):
                raise self._gave_up(
                    "a token refresh by a concurrent request",
                    by_deadline=by_deadline,
                    limit=refresh_wait,
                )
            failed = inflight.error
            if failed is None:
                with self._lock:
                    token, generation = self._access_token, self._generation
                if token is not None:
                    return token, generation
            elif isinstance(failed, APIError | TokenResponseError) or failed is self._latched():
                # answered (refused, busy, garbled), or logged out: do not ask again; the same
                # error, copied
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

    def _latched(self) -> BaseException | None:
        with self._lock:
            return self._refused

    def _refresh(
        self, stale: int | None, request: httpx.Request, refresh_wait: float
    ) -> Generator[Step, Any, tuple[str, int]]:
        """Lead one refresh: with a token source under its lock (reading it first, writing
        to it after), else straight away; then ``on_token_refresh``."""
        with self._lock:
            source = self._source
        if source is None:
            self._raise_refused()
            answer = yield from self._ask(request)
            token, generation, tokens = self._keep(answer)
            yield from self._notify(tokens, answer.scope)
            return token, generation
        limit, by_deadline = _wait_limit(refresh_wait)
        try:
            taken = yield AcquireLock(source.lock, limit)
        except OSError as exc:  # the lock file cannot be created or used
            raise source.lock_error(exc) from None
        if not taken:
            raise self._gave_up(
                f"the lock of {source.where} (another process is refreshing its tokens)",
                by_deadline=by_deadline,
                limit=limit,
            )
        try:
            adopted = yield from self._sync(source, stale)
            if adopted is not None:
                return adopted
            self._raise_refused()
            try:
                answer = yield from self._ask(request)
            except AuthenticationError:
                # A writer that does not take the lock (an older version, a script) may have
                # rotated the refresh token since we looked: look again.
                with self._lock:
                    before = self._current()
                adopted = yield from self._sync(source, stale)
                if adopted is not None:
                    return adopted
                with self._lock:
                    changed = self._current() != before
                if not changed:
                    raise
                answer = yield from self._ask(request)  # with the refresh token found there
            token, generation, tokens = self._keep(answer)
            yield from self._save(source, tokens)
            yield from self._notify(tokens, answer.scope)
            return token, generation
        finally:
            source.lock.release()

    def _ask(self, request: httpx.Request) -> Generator[Step, Any, TokenAnswer]:
        """The token request and its answer."""
        response = yield _for_attempt(self.refresh_request(), request)
        yield ReadBody(response)
        _token_answered()
        return self._answer(response)

    def _raise_refused(self) -> None:
        """Fail at once with the grant's latched refusal, if any (no token request)."""
        with self._lock:
            refused = self._refused
        if refused is not None:
            err = copy_error(refused)
            err.add_note("the grant was refused before; the token endpoint was not asked again")
            raise err

    def _sync(
        self, source: TokenSource, stale: int | None
    ) -> Generator[Step, Any, tuple[str, int] | None]:
        """Read ``source`` (holding its lock) and use newer tokens someone else wrote there.

        Returns ``(token, generation)`` when those tokens make a refresh unnecessary, else
        ``None`` (refresh, with whatever refresh token is current now).

        Raises:
            the source's ``logged_out()`` error: the login was removed (latched).
        """
        # The stamp first: a change after it shows as a changed stamp later.
        stamp, held = yield Blocking(lambda: (source.stamp(), source.read()))
        with self._lock:
            self._seen = stamp
            basis = self._basis
            if isinstance(held, TokenSet) and held != basis:
                rejected = self._access_token
                lifetime = (
                    max(held.expires_at - self._clock(), 0.0)
                    if held.expires_at is not None
                    else None
                )
                generation = self._adopted = self._set(held, lifetime)
                self._basis = held
                self._refused = None  # a newer login: ask again
                logger.debug("oauth2: using the tokens another process saved")
                usable = not self._due() and (stale is None or held.access_token != rejected)
                if usable and held.access_token is not None:
                    return held.access_token, generation
                return None
        if held == LOGGED_OUT:
            error = source.logged_out()
            with self._lock:
                self._refused = error
                self._access_token = None  # logged out: nothing is sent with it any more
            raise error
        if held == OTHER_LOGIN:
            self._detach(source)
        return None

    def _detach(self, source: TokenSource) -> None:
        """The source holds another login now: keep this one in memory, never write."""
        with self._lock:
            if self._source is not source:
                return
            self._source = None
            organizer = self.organizer_key
        whose = f" (organizer {organizer})" if organizer else ""
        source.warn(
            f"{source.where} now holds another login; this client keeps using its own"
            f"{whose} from memory and no longer saves its refreshed tokens there"
        )

    def _save(self, source: TokenSource, tokens: TokenSet) -> Generator[Step, Any, None]:
        """Write the refreshed tokens to ``source`` if it still holds what we started from."""
        with self._lock:
            expected = self._basis
            if self._source is not source or expected is None:
                return  # detached meanwhile: it holds another login
        try:
            held = yield Blocking(lambda: source.write(expected, tokens))
        except Exception as exc:  # noqa: BLE001 - the source says what to do about it
            source.not_saved(tokens, exc)
            return
        if held is None:
            with self._lock:
                self._basis = tokens
        elif held == LOGGED_OUT:
            error = source.logged_out()
            with self._lock:
                self._refused = error
                self._seen = _UNREAD  # read after the stamp: let the next request look again
            raise error
        elif held == OTHER_LOGIN:
            self._detach(source)
        else:  # the same login, written meanwhile by someone who did not take the lock
            with self._lock:
                self._basis = held if isinstance(held, TokenSet) else expected

    def _notify(self, tokens: TokenSet, scope: str | None) -> Generator[Step, Any, None]:
        """Hand the refreshed tokens to ``on_token_refresh``; its failure is the caller's
        ``TokenSaveError`` (the tokens stay in use)."""
        hook = self._on_token_refresh
        if hook is None:
            return
        token = OAuth2Token(
            tokens.access_token or "", tokens.refresh_token, tokens.expires_at, scope
        )
        try:
            yield Notify(hook, token)
        except Exception as exc:
            detail = redact(f"{type(exc).__name__}: {exc}", *token_secrets(token))[:300]
            raise TokenSaveError(
                f"on_token_refresh failed ({detail}); the refreshed tokens were not saved and "
                "the request was not sent. The client keeps using them; save error.token, or "
                "call again to have the next refresh saved",
                token=token,
            ) from exc

    def _gave_up(self, waiting_for: str, *, by_deadline: bool, limit: float) -> APITimeoutError:
        """The error of a request that waited for ``waiting_for`` too long (it was not sent)."""
        what = "the call's timeout ran out" if by_deadline else f"timed out after {limit:g} s"
        return APITimeoutError(
            f"{what} waiting for {waiting_for}; the request was not sent",
            method="POST",
            url=scrub_url(self.token_url),
            maybe_sent=False,
        )


#: The stamp of a source not read yet: equal to no stamp.
_UNREAD = object()


def token_secrets(token: OAuth2Token) -> tuple[str, str]:
    """The secrets of a token set (redacted from messages)."""
    return (token.access_token, token.refresh_token)


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
    code_verifier: str | None = None,
) -> Generator[httpx.Request | ReadBody, httpx.Response | None, OAuth2Token]:
    """The login's token request (``grant_type=authorization_code``, form-encoded, HTTP Basic,
    with the PKCE ``code_verifier`` if given) and the parsing of its answer: yields the
    request (resume with the response), then ``ReadBody``; returns the token set. The
    arguments are checked by the caller."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if code_verifier is not None:
        form["code_verifier"] = code_verifier
    request = httpx.Request(
        "POST",
        token_url,
        data=form,
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
        secrets=(code, client_secret, code_verifier),
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
