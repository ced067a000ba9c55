"""``gototraining login``: the OAuth2 authorization-code flow with a loopback redirect.

1. Listen on ``http://127.0.0.1:<free port>/callback`` (loopback only, RFC 8252).
2. Send the user's browser to the authorize URL (the facade's ``authorization_url``: with
   ``client_id``, ``redirect_uri``, a random ``state`` and the PKCE challenge of a random
   code verifier).
3. The authorization server redirects the browser to the listener with ``code`` and
   ``state``.
4. Exchange the code at the token URL with the facade's ``exchange_authorization_code`` (form
   POST, HTTP Basic client authentication, the code verifier; the answer is parsed by
   ``OAuth2``'s own code).

Other local users can read the browser's command line (``/proc/<pid>/cmdline``), authorize
URL and all: ``state`` and the listener's port are no secret. PKCE (RFC 7636, ``S256``) makes
that harmless: the code verifier never leaves this process (no command line, URL, output or
file holds it), so a code obtained by someone else -- for their own account -- and handed to
the listener with the stolen ``state`` is refused by the token endpoint. The listener takes
one code only: the first redirect with this login's ``state`` ends the wait, and a failed
exchange ends the login (try again) rather than waiting for another code.

Any local process can connect to the listener, so it must not be able to stall or end a
login: every connection is served on its own thread with a socket timeout (a client that
connects and sends nothing ties up nothing), and a ``/callback`` whose ``state`` is not this
login's is answered 400 and ignored. The whole login (the wait for the redirect and the token
request) ends within ``timeout`` seconds.
"""

from __future__ import annotations

import html
import http.server
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from gototraining import (
    DEFAULT_AUTHORIZE_URL,
    DEFAULT_TOKEN_URL,
    APIError,
    DecodeError,
    OAuth2,
    OAuth2Token,
    TransportError,
    ValidationError,
    authorization_url,
    exchange_authorization_code,
)

from .redact import redactor

__all__ = ["LoginError", "authorize"]

#: Seconds a connection to the listener may stay silent before it is dropped.
CONNECTION_TIMEOUT = 10.0

T = TypeVar("T")


class LoginError(Exception):
    """The login did not complete; the message is for the user."""


class _Listener(http.server.ThreadingHTTPServer):
    """A loopback HTTP server that waits for the one ``GET /callback`` carrying ``state``."""

    daemon_threads = True  # a stuck connection never keeps the process (or server_close) waiting
    block_on_close = False

    def __init__(self, state: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state
        self.params: dict[str, str] | None = None
        self.done = threading.Event()
        #: ``/callback`` requests ignored because their ``state`` was not this login's.
        self.ignored = 0
        self._claim = threading.Lock()
        self._claimed = False

    @property
    def redirect_uri(self) -> str:
        """Where the authorization server must send the browser back to."""
        return f"http://127.0.0.1:{self.server_address[1]}/callback"

    def claim(self) -> bool:
        """The first redirect with the right ``state`` gets ``True``; later ones ``False``."""
        with self._claim:
            first, self._claimed = not self._claimed, True
            return first

    def ignore(self) -> None:
        with self._claim:
            self.ignored += 1


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Listener
    timeout = CONNECTION_TIMEOUT  # socket timeout per connection (StreamRequestHandler)

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/callback":
            self.send_error(404)  # favicon requests and the like
            return
        params = dict(urllib.parse.parse_qsl(url.query))
        if not secrets.compare_digest(
            params.get("state", "").encode("utf-8", "replace"), self.server.state.encode()
        ):
            # Not the redirect of this login (forged, or from an older attempt): it must not
            # end the login in progress.
            self.server.ignore()
            self._page(
                400,
                "Not this login",
                "This redirect does not belong to the login in progress and was ignored.",
            )
            return
        if not self.server.claim():
            self.send_error(404)  # a late duplicate of the real redirect
            return
        ok = "code" in params and "error" not in params
        if ok:
            self._page(
                200,
                "Logged in to GoToTraining",
                "You can close this window and return to the terminal.",
            )
        else:
            detail = params.get("error_description") or params.get("error") or "no code"
            self._page(400, "GoToTraining login failed", detail)
        self.server.params = params
        self.server.done.set()

    def _page(self, status: int, title: str, detail: str) -> None:
        body = (
            f"<!doctype html><title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>"
            f"<p>{html.escape(detail)}</p>"
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence: the default logs the request line, which holds the authorization code."""


def _within(deadline: float, what: str, call: Callable[[], T]) -> T:
    """``call()`` on a daemon thread; its result, or ``LoginError`` if ``deadline`` (monotonic)
    passes first. Exceptions of ``call`` are re-raised here."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            failure.append(exc)

    worker = threading.Thread(target=run, name="gototraining-login", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()))
    if worker.is_alive():
        raise LoginError(what)
    if failure:
        raise failure[0]
    return outcome[0]


def authorize(
    *,
    client_id: str,
    client_secret: str,
    authorize_url: str = DEFAULT_AUTHORIZE_URL,
    token_url: str = DEFAULT_TOKEN_URL,
    announce: Callable[[str], None],
    open_browser: Callable[[str], object] | None = None,
    timeout: float = 300.0,
) -> OAuth2Token:
    """Run the whole flow within ``timeout`` seconds and return the tokens.

    ``announce(url)`` tells the user where to log in (always called, so that a browser that
    does not open is no dead end); ``open_browser(url)``, if given, opens it (on its own
    thread: a console browser that takes over the terminal does not stop the clock).
    """
    deadline = time.monotonic() + timeout
    redactor.add(client_secret)
    # Before the browser round trip (the exchange would refuse it only afterwards): OAuth2
    # checks a token URL the way the exchange does (https, unless on this machine or opted in).
    try:
        OAuth2(client_id, client_secret, "none-yet", token_url=token_url)
    except ValidationError as exc:
        raise ValidationError("--token-url", str(exc).removeprefix("token_url: ")) from None
    state = secrets.token_urlsafe(24)
    listener = _Listener(state)
    try:  # a bad --authorize-url fails before the listener serves
        url, _, code_verifier = authorization_url(
            client_id, listener.redirect_uri, state=state, authorize_url=authorize_url
        )
    except ValidationError:
        listener.server_close()
        raise
    thread = threading.Thread(
        target=listener.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
    )
    thread.start()
    try:
        announce(url)
        if open_browser is not None:
            threading.Thread(target=open_browser, args=(url,), daemon=True).start()
        if not listener.done.wait(max(0.0, deadline - time.monotonic())):
            ignored = (
                f" ({listener.ignored} redirect(s) with a state not of this login ignored)"
                if listener.ignored
                else ""
            )
            raise LoginError(
                f"no redirect from the browser within {timeout:g} s{ignored}; try again"
            )
        params = listener.params or {}
    finally:
        listener.shutdown()  # returns at once: no request is served on the loop's thread
        listener.server_close()
        thread.join()
    if "error" in params:
        reason = params.get("error_description") or ""
        raise LoginError(f"authorization refused: {params['error']} {reason}".strip())
    code = params.get("code")
    if not code:
        raise LoginError("the redirect carried no authorization code")
    redactor.add(code, code_verifier)
    remaining = deadline - time.monotonic()
    login = _Login(code, code_verifier, listener.redirect_uri, client_id, client_secret, token_url)
    return _within(
        deadline,
        f"no answer from the token endpoint {token_url} within the login's {timeout:g} s",
        lambda: _exchange(login, remaining),
    )


class _Login(NamedTuple):
    """What the code exchange of one login needs."""

    code: str
    code_verifier: str
    redirect_uri: str
    client_id: str
    client_secret: str
    token_url: str


def _exchange(login: _Login, timeout: float) -> OAuth2Token:
    """The facade's token-endpoint call; its errors become a ``LoginError`` for the user."""
    token_url = login.token_url
    try:
        token = exchange_authorization_code(
            login.code,
            client_id=login.client_id,
            client_secret=login.client_secret,
            redirect_uri=login.redirect_uri,
            token_url=token_url,
            timeout=max(timeout, 0.001),
            code_verifier=login.code_verifier,
        )
    except TransportError as exc:
        raise LoginError(f"token request to {token_url} failed: {exc}") from exc
    except (APIError, DecodeError) as exc:  # refused, or an answer that is no token set
        raise LoginError(f"token request failed: {exc}") from exc
    redactor.add(token.access_token, token.refresh_token)
    return token
