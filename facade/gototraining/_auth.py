"""Authentication: ``BearerToken`` and ``OAuth2`` (``httpx.Auth``), and the library half of a login.

Both auths work with any ``httpx.Client``/``httpx.AsyncClient``, including one the user brings.
``OAuth2``'s logic lives in ``_auth_flow`` (sans-IO); the two flows here only perform its steps.
The login: ``authorization_url`` (where to send the user's browser) and
``exchange_authorization_code`` / ``async_exchange_authorization_code`` (the code it brings
back -> a token set).
"""

from __future__ import annotations

import contextlib
import inspect
import math
import re
import time
from collections.abc import AsyncGenerator, Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

import httpx

from . import _attempt
from ._body import ERROR_BODY_LIMIT
from ._errors import (
    UnexpectedRedirectError,
    ValidationError,
    is_bad_location,
    safe_url,
    scrub_url,
    transport_error,
)
from ._tokens import OAuth2Token, check_credential, check_seconds
from ._validation import insecure_http_from_environment, secure_url

if TYPE_CHECKING:
    from ._auth_flow import ReadBody, Step, TokenSource

# ``_auth_flow`` is imported where it is used: a client with a static token never needs it.

__all__ = [
    "DEFAULT_AUTHORIZE_URL",
    "DEFAULT_TOKEN_URL",
    "AuthorizationURL",
    "BearerToken",
    "OAuth2",
    "OAuth2Token",
    "async_exchange_authorization_code",
    "authorization_url",
    "check_credential",
    "exchange_authorization_code",
    "pkce_challenge",
]

#: GoTo's token endpoint (refreshes and logins).
DEFAULT_TOKEN_URL = "https://authentication.logmeininc.com/oauth/token"
#: GoTo's authorize page, where a login starts in the user's browser.
DEFAULT_AUTHORIZE_URL = "https://authentication.logmeininc.com/oauth/authorize"


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


class OAuth2(httpx.Auth):
    """OAuth2 access token that refreshes itself with a refresh token.

    - Proactively: before a request, when the token expires within ``leeway`` seconds (or there
      is no access token yet).
    - Reactively: once, when a request is answered 401, or 403 with an ``InvalidToken`` /
      ``ExpiredToken`` body (GoTo's gateway does that); the request is then repeated once.
    - Exactly once under concurrency, across threads, sync and async clients and event loops
      sharing this object: the first request that needs a refresh registers it as *in flight*
      (under a ``threading.Lock``, never held across I/O) and sends the token request; every
      other request that needs one meanwhile waits for that refresh to finish (threads on a
      ``threading.Event``; async tasks on a future of their own event loop, woken when the
      refresh ends, so no loop is blocked or kept busy) and then uses the new token. If the
      token endpoint answers with an error, the waiters raise a copy of the same error (no
      second token request): ``AuthenticationError`` when the grant is refused,
      ``RateLimitError`` / ``ServerError`` for 429 / 5xx, ``TokenResponseError`` for an answer
      that is no token set; if the refresh is abandoned without an answer (connection error,
      cancellation), one waiter refreshes instead, once -- after a second such failure the
      waiters give up with ``APIConnectionError``. A token is refreshed ``leeway`` seconds
      before it expires, but never earlier than half-way through its lifetime. Waiting gives up
      after ``refresh_wait`` seconds (or at the call's deadline) with ``APITimeoutError``.
      Every request remembers the token *generation* it was sent with; a request rejected with
      generation ``g`` only refreshes if the current generation is still ``g``, otherwise it
      retries with the token someone else already fetched.

    The token request is ``POST token_url`` with ``grant_type=refresh_token`` (form-encoded) and
    HTTP Basic client authentication, as GoTo requires. It is sent through the same HTTP client
    (so proxies/mTLS apply), with the API request's timeouts cut to what is left of the call's
    deadline (the refresh is part of the attempt), and its answer is read up to 64 KiB. A
    rotated refresh token replaces the old one. An ``expires_in`` of zero or less is treated
    as unknown (the token is refreshed when rejected) rather than as "refresh before every
    request".
    ``on_token_refresh(token)`` is called after every refresh, e.g. to persist the new tokens
    (GoTo replaces the refresh token at every refresh: the old one stops working). An
    ``async def`` hook is awaited (it needs the async client; the sync client raises
    ``TokenSaveError``); a plain function is called in the thread of the sync client's
    request, and on a worker thread by the async client, so that a blocking database write
    does not stall the event loop. Concurrent requests wait until it returns. If it raises,
    the request that needed the refresh raises ``TokenSaveError`` (the hook's exception as
    ``__cause__``, the tokens in ``.token``) and is not sent; the new tokens stay in use.

    A refresh the token endpoint refuses (``AuthenticationError``, e.g. ``400 invalid_grant``:
    the grant was revoked or has expired) is remembered: later requests that need a refresh
    raise the same error at once, without asking again and without waiting for a turn in
    the client's rate limiter (the ``hint`` names the organizer and says to sign in again). ``token_url`` must be ``https://`` unless it is on this machine
    or ``allow_insecure_http=True`` (or ``GOTO_ALLOW_INSECURE_HTTP=1``) says otherwise: the
    client secret and refresh token would cross the network in clear text.
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
        on_token_refresh: Callable[[OAuth2Token], object] | None = None,
        leeway: float = 60.0,
        clock: Callable[[], float] = time.time,
        allow_insecure_http: bool = False,
    ) -> None:
        check_credential(client_id, "client_id")
        secure_url(
            token_url,
            "token_url",
            allow_insecure_http=allow_insecure_http or insecure_http_from_environment(),
        )
        if on_token_refresh is not None and not callable(on_token_refresh):
            raise ValidationError(
                "on_token_refresh", f"expected a callable, got {type(on_token_refresh).__name__}"
            )
        check_credential(client_secret, "client_secret")
        check_credential(refresh_token, "refresh_token", token=True)
        if access_token is not None:
            check_credential(access_token, "access_token", token=True)
        check_seconds(leeway, "leeway")
        if expires_at is not None:
            check_seconds(expires_at, "expires_at", maximum=math.inf)
        from ._auth_flow import TokenKeeper

        self.client_id = client_id
        #: The API root a stored login was made for (``TokenStore.auth``): a client with
        #: another host is refused. ``None``: no such restriction.
        self._issued_for: str | None = None
        self.token_url = token_url
        self._keeper = TokenKeeper(
            client_id=client_id,
            client_secret=client_secret,
            refresh_token=refresh_token,
            access_token=access_token,
            expires_at=expires_at,
            token_url=token_url,
            on_token_refresh=on_token_refresh,
            leeway=leeway,
            clock=clock,
        )

    def _share(self, source: TokenSource) -> None:
        """Keep the tokens in ``source`` too (the token store's ``auth``)."""
        self._keeper.share(source)

    def _name_organizer(self, organizer_key: str) -> None:
        """The organizer these tokens are for, named in errors (the first client's)."""
        if self._keeper.organizer_key is None:
            self._keeper.organizer_key = organizer_key

    @property
    def refresh_count(self) -> int:
        """How many refreshes this object has performed (useful in tests and metrics)."""
        return self._keeper.refresh_count

    def __repr__(self) -> str:
        return (
            f"OAuth2(client_id={self.client_id!r}, token_url={scrub_url(self.token_url)!r}, "
            "client_secret='***')"
        )

    def _secrets(self) -> tuple[str | None, ...]:
        """What errors and logs must never show (the transport redacts it)."""
        return self._keeper.secrets()

    def _refused_at_once(self) -> BaseException | None:
        """The error a request fails with before it waits for the rate limiter: a refused
        grant or a logout, latched (``TokenKeeper.refused_at_once``); ``None``: go on."""
        return self._keeper.refused_at_once()

    def _rejected_hint(self) -> str:
        """Ends the message of ``AuthenticationError`` when the API refuses the token: the
        client refreshes once on such an answer, so a refusal now outlived a refresh."""
        return (
            "the API refused the token even after refreshing it: sign in again "
            "(`gototraining login`) and check that the grant is for this GoTo account"
        )

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        flow = self._keeper.flow(request, self.refresh_wait)
        try:
            step: Step = next(flow)
            while True:
                if isinstance(step, httpx.Request):
                    step = flow.send((yield step))
                    continue
                try:
                    outcome = _perform_sync(step)
                except Exception as exc:  # noqa: BLE001 - the flow decides what it means
                    step = flow.throw(exc)
                else:
                    step = flow.send(outcome)
        except StopIteration:
            return
        finally:  # also on failure: a refresh this request leads is then marked abandoned
            flow.close()

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        flow = self._keeper.flow(request, self.refresh_wait)
        try:
            step: Step = next(flow)
            while True:
                if isinstance(step, httpx.Request):
                    step = flow.send((yield step))
                    continue
                try:
                    outcome = await _perform_async(step)
                except Exception as exc:  # noqa: BLE001 - the flow decides what it means
                    step = flow.throw(exc)
                else:
                    step = flow.send(outcome)
        except StopIteration:
            return
        finally:  # also on failure: a refresh this request leads is then marked abandoned
            flow.close()


def _perform_sync(step: Step) -> Any:
    """Do one step of the auth flow (other than sending) in this thread."""
    from ._auth_flow import AcquireLock, Blocking, Notify, ReadBody
    from ._generated.driver import read_sync  # (it imports this module's importers)

    if isinstance(step, ReadBody):
        read_sync(step.response, ERROR_BODY_LIMIT, _attempt.current())
        return None
    if isinstance(step, AcquireLock):
        return step.lock.acquire(step.timeout)
    if isinstance(step, Blocking):
        return step.function()
    if isinstance(step, Notify):
        result = step.hook(step.token)
        if inspect.isawaitable(result):
            if inspect.iscoroutine(result):
                result.close()  # never awaited: no "never awaited" warning either
            raise TypeError(
                "on_token_refresh is async (it returned an awaitable): use it with "
                "AsyncGoToTraining, or pass a plain function to the sync client"
            )
        return None
    assert not isinstance(step, httpx.Request)
    return step.inflight.wait(step.timeout)


async def _perform_async(step: Step) -> Any:
    """Do one step of the auth flow (other than sending) without blocking the event loop."""
    import asyncio  # lazily: sync-only users do not pay asyncio's import time

    from ._auth_flow import AcquireLock, Blocking, Notify, ReadBody
    from ._driver import read_async  # (it imports this module's importers)
    from ._filelock import pauses

    if isinstance(step, ReadBody):
        await read_async(step.response, ERROR_BODY_LIMIT)
        return None
    if isinstance(step, AcquireLock):
        deadline = time.monotonic() + step.timeout
        schedule = iter(pauses())
        while not step.lock.try_acquire():  # never blocks: a flock with LOCK_NB
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            await asyncio.sleep(min(next(schedule, pauses()[-1]), left))
        return True
    if isinstance(step, Blocking):
        return await _in_worker_thread(step.function)
    if isinstance(step, Notify):
        hook, token = step.hook, step.token
        if inspect.iscoroutinefunction(hook):
            await hook(token)
            return None
        result = await _in_worker_thread(lambda: hook(token))
        if inspect.isawaitable(result):  # e.g. a partial of an async function
            await result
        return None
    assert not isinstance(step, httpx.Request)
    return await step.inflight.wait_async(step.timeout)


async def _in_worker_thread(function: Callable[[], Any]) -> Any:
    """``function()`` on a worker thread. If the caller is cancelled meanwhile, the function
    is let finish before the cancellation goes on: it may be writing the token file under a
    lock the flow lets go of next."""
    import asyncio

    future = asyncio.get_running_loop().run_in_executor(None, function)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        await asyncio.wait([future])
        raise


def issued_for(auth: object) -> str | None:
    """The API root a stored login's ``OAuth2`` was issued for (``TokenStore.auth``): its
    tokens go to no other host. ``None`` for any other auth."""
    return auth._issued_for if isinstance(auth, OAuth2) else None


# -- the login ------------------------------------------------------------------------------------


class AuthorizationURL(NamedTuple):
    """Where to send the user's browser to log in, the ``state`` it must bring back, and the
    PKCE ``code_verifier`` the code exchange must send (keep both in the user's session,
    never in a URL)."""

    url: str
    state: str
    code_verifier: str


#: RFC 7636 section 4.1: 43 to 128 of these characters.
_CODE_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def _check_verifier(value: object) -> str:
    if not isinstance(value, str) or not _CODE_VERIFIER.fullmatch(value):
        raise ValidationError(
            "code_verifier",
            "expected 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_' and '~' (RFC 7636)",
        )
    return value


def pkce_challenge(code_verifier: str) -> str:
    """The PKCE ``S256`` challenge of ``code_verifier``: BASE64URL(SHA-256), unpadded."""
    import base64
    import hashlib

    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _http_url(value: object, name: str) -> httpx.URL:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(name, "expected a non-empty http(s) URL")
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise ValidationError(name, "expected an http(s) URL") from None
    if url.scheme not in ("http", "https") or not url.host or url.fragment:
        raise ValidationError(name, "expected an http(s) URL without a fragment")
    return url


def authorization_url(
    client_id: str,
    redirect_uri: str,
    *,
    state: str | None = None,
    scope: str | None = None,
    authorize_url: str = DEFAULT_AUTHORIZE_URL,
    code_verifier: str | None = None,
) -> AuthorizationURL:
    """The URL that starts a login (OAuth2 authorization code flow with PKCE) in the user's
    browser.

    GoTo's authorize page asks the user to log in and sends the browser back to
    ``redirect_uri`` with ``code`` and ``state`` in the query. Check that ``state`` is the one
    returned here (it ties the answer to this login: keep it in the user's session), then
    exchange the code with [`exchange_authorization_code`][gototraining.exchange_authorization_code] (or
    [`async_exchange_authorization_code`][gototraining.async_exchange_authorization_code]), passing
    ``code_verifier``.

    PKCE (RFC 7636, method ``S256``): the URL carries only the SHA-256 challenge of a random
    ``code_verifier``; the exchange sends the verifier itself, so a code that someone else
    obtained (for their own account, say) and slipped into this login's redirect is refused
    by the token endpoint. Keep the verifier out of URLs, logs and command lines.

    Args:
        client_id: your OAuth2 client's id.
        redirect_uri: where the browser comes back to; must be registered with the client.
        state: an unguessable value of your own; default: 32 random bytes, URL-safe.
        scope: the scopes to ask for, space-separated; default: the client's.
        authorize_url: the authorize page (the sandbox's ``authorize_url`` in tests).
        code_verifier: a PKCE verifier of your own (43-128 characters of ``A-Z a-z 0-9 - .
            _ ~``); default: 64 random bytes, URL-safe (86 characters).

    Returns:
        ``(url, state, code_verifier)``, a named tuple.

    Raises:
        ValidationError: an argument is empty or not an http(s) URL, or the verifier is not
            one (nothing is built).
    """
    import secrets  # lazily: only logins need it

    check_credential(client_id, "client_id")
    _http_url(redirect_uri, "redirect_uri")
    base = _http_url(authorize_url, "authorize_url")
    if state is None:
        state = secrets.token_urlsafe(32)
    else:
        check_credential(state, "state", token=True)
    verifier = (
        secrets.token_urlsafe(64) if code_verifier is None else _check_verifier(code_verifier)
    )
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "code_challenge": pkce_challenge(verifier),
        "code_challenge_method": "S256",
    }
    if scope is not None:
        check_credential(scope, "scope")
        params["scope"] = scope
    return AuthorizationURL(str(base.copy_merge_params(params)), state, verifier)


_Exchange = Generator["httpx.Request | ReadBody", "httpx.Response | None", OAuth2Token]


class _ExchangeArguments(NamedTuple):
    code: str
    client_id: str
    client_secret: str
    redirect_uri: str
    token_url: str
    timeout: float
    code_verifier: str | None
    allow_insecure_http: bool


def _start_exchange(
    arguments: _ExchangeArguments,
    http_client: object,
    client_class: type[httpx.Client | httpx.AsyncClient],
) -> tuple[_Exchange, httpx.Request]:
    """Everything the code exchange checks before anything is sent; its steps and request."""
    code, client_id, client_secret, redirect_uri, token_url, timeout, verifier, insecure = arguments
    checked: tuple[tuple[str, object], ...] = (
        ("code", code),
        ("client_id", client_id),
        ("client_secret", client_secret),
        ("redirect_uri", redirect_uri),
    )
    for name, value in checked:
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(name, "expected a non-empty string")  # never echo the value
    if verifier is not None:
        _check_verifier(verifier)
    secure_url(
        token_url, "token_url", allow_insecure_http=insecure or insecure_http_from_environment()
    )
    check_seconds(timeout, "timeout")
    if not timeout:
        raise ValidationError("timeout", "expected a positive number of seconds, got 0")
    if http_client is not None and not isinstance(http_client, client_class):
        raise ValidationError(
            "http_client",
            f"expected an httpx.{client_class.__name__}, got {type(http_client).__name__}",
        )
    from ._auth_flow import code_exchange

    steps = code_exchange(
        code,
        client_id=client_id,
        client_secret=client_secret,
        redirect_uri=redirect_uri,
        token_url=token_url,
        timeout=timeout,
        code_verifier=verifier,
    )
    request = next(steps)
    assert isinstance(request, httpx.Request)
    return steps, request


@contextlib.contextmanager
def _exchange_errors(request: httpx.Request) -> Iterator[None]:
    """httpx failures of the code exchange -> the SDK's errors (both drivers)."""
    where = safe_url(request.url)
    try:
        yield
    except (httpx.InvalidURL, httpx.RemoteProtocolError) as exc:
        if isinstance(exc, httpx.RemoteProtocolError) and not is_bad_location(exc):
            raise transport_error(exc, "POST", where) from exc
        raise UnexpectedRedirectError(
            0,
            "authorization code exchange failed: the token endpoint redirected to a Location "
            "that is not an http(s) URL (not followed)",
            method="POST",
            url=where,
        ) from None
    except httpx.RequestError as exc:
        raise transport_error(exc, "POST", where) from exc


def exchange_authorization_code(
    code: str,
    *,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    token_url: str = DEFAULT_TOKEN_URL,
    http_client: httpx.Client | None = None,
    timeout: float = 30.0,
    code_verifier: str | None = None,
    allow_insecure_http: bool = False,
) -> OAuth2Token:
    """Exchange an OAuth2 authorization code for a token set (the end of a login flow).

    ``POST token_url`` with ``grant_type=authorization_code``, form-encoded, with HTTP Basic
    client authentication; the answer is read by the same parser as [`OAuth2`][gototraining.OAuth2]'s
    refreshes. Build an [`OAuth2`][gototraining.OAuth2] from the result (``refresh_token``, ``access_token``,
    ``expires_at``) to call the API with it.

    ``code_verifier``: the PKCE verifier of the login (``authorization_url(...).code_verifier``);
    the token endpoint refuses a code issued for its challenge without it. ``token_url`` must
    be ``https://`` unless it is on this machine or ``allow_insecure_http=True`` (or
    ``GOTO_ALLOW_INSECURE_HTTP=1``).

    ``http_client`` (optional) sends the request, so proxies/mTLS apply; without one a
    short-lived client is used. Either way ``timeout`` seconds bound the whole exchange (with a
    given ``http_client``: see docs/reliability.md), and the answer is read up to 64 KiB.

    Raises:
        AuthenticationError: the endpoint refused (status and ``error`` code as sent; the code
            and client secret are redacted from the message).
        TokenResponseError: its answer is not a usable token set (not JSON, no
            ``access_token`` or no ``refresh_token``, larger than 64 KiB).
        UnexpectedRedirectError: the endpoint answered with a redirect.
        RateLimitError, ServerError: the endpoint was busy (429, ``retry_after`` and
            ``incident`` kept) or failed (5xx).
        TransportError: no response (``APIConnectionError``, ``APITimeoutError``).
        ValidationError: an argument is not a non-empty string, ``timeout`` is not a
            positive number of seconds, ``code_verifier`` is no PKCE verifier, or
            ``token_url`` is plain http to another host (nothing is sent).
    """
    arguments = _ExchangeArguments(
        code,
        client_id,
        client_secret,
        redirect_uri,
        token_url,
        timeout,
        code_verifier,
        allow_insecure_http,
    )
    steps, request = _start_exchange(arguments, http_client, httpx.Client)
    from ._generated.default_client import DefaultHttpxClient
    from ._generated.driver import read_sync

    client = http_client or DefaultHttpxClient(timeout=timeout)
    attempt, context = _attempt.start(timeout)
    try:
        with _exchange_errors(request):
            response = client.send(request, auth=None, follow_redirects=False, stream=True)
            read_sync(response, ERROR_BODY_LIMIT, attempt)
    finally:
        _attempt.finish(context)
        if http_client is None:
            client.close()
    return _finish_exchange(steps, response)


async def async_exchange_authorization_code(
    code: str,
    *,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    token_url: str = DEFAULT_TOKEN_URL,
    http_client: httpx.AsyncClient | None = None,
    timeout: float = 30.0,
    code_verifier: str | None = None,
    allow_insecure_http: bool = False,
) -> OAuth2Token:
    """Exchange an OAuth2 authorization code for a token set, awaited: the request
    (``code_verifier`` included), checks, errors and bounds of
    [`exchange_authorization_code`][gototraining.exchange_authorization_code]; ``http_client``
    is an ``httpx.AsyncClient``.

    Raises:
        AuthenticationError: the endpoint refused.
        TokenResponseError: its answer is not a usable token set.
        UnexpectedRedirectError: the endpoint answered with a redirect.
        RateLimitError, ServerError: the endpoint was busy (429) or failed (5xx).
        TransportError: no response (``APIConnectionError``, ``APITimeoutError``).
        ValidationError: a bad argument (nothing is sent).
    """
    import asyncio  # lazily: sync-only users do not pay asyncio's import time

    arguments = _ExchangeArguments(
        code,
        client_id,
        client_secret,
        redirect_uri,
        token_url,
        timeout,
        code_verifier,
        allow_insecure_http,
    )
    steps, request = _start_exchange(arguments, http_client, httpx.AsyncClient)
    from ._default_client import DefaultAsyncHttpxClient
    from ._driver import read_async

    client = http_client or DefaultAsyncHttpxClient(timeout=timeout)
    try:
        with _exchange_errors(request):
            scope = asyncio.timeout(timeout)
            try:
                async with scope:
                    response = await client.send(
                        request, auth=None, follow_redirects=False, stream=True
                    )
                    await read_async(response, ERROR_BODY_LIMIT)
            except TimeoutError:
                if not scope.expired():
                    raise
                raise httpx.ReadTimeout("the exchange's timeout ran out", request=request) from None
    finally:
        if http_client is None:
            await client.aclose()
    return _finish_exchange(steps, response)


def _finish_exchange(steps: _Exchange, response: httpx.Response) -> OAuth2Token:
    """Resume the exchange's steps with the response (its body already read): the tokens."""
    from ._auth_flow import ReadBody

    try:
        step = steps.send(response)
        assert isinstance(step, ReadBody)  # read already, by the driver
        steps.send(None)
    except StopIteration as stop:
        token: OAuth2Token = stop.value
        return token
    raise AssertionError("the code exchange has no further step")
