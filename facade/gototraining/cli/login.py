"""``gototraining login``: the OAuth2 authorization-code flow with a loopback redirect.

1. Listen once on ``http://127.0.0.1:<free port>/callback`` (loopback only, RFC 8252).
2. Send the user's browser to the authorize URL with ``client_id``, ``redirect_uri`` and a
   random ``state``.
3. The authorization server redirects the browser to the listener with ``code`` and
   ``state``; a ``state`` that does not match is rejected (CSRF).
4. Exchange the code at the token URL with the facade's ``exchange_authorization_code`` (form
   POST, HTTP Basic client authentication; the answer is parsed by ``OAuth2``'s own code).
"""

from __future__ import annotations

import html
import http.server
import secrets
import threading
import urllib.parse
from collections.abc import Callable
from typing import Any

from gototraining import (
    DEFAULT_TOKEN_URL,
    APIError,
    OAuth2Token,
    TransportError,
    exchange_authorization_code,
)

from .redact import redactor

__all__ = [
    "DEFAULT_AUTHORIZE_URL",
    "LoginError",
    "authorize",
]

DEFAULT_AUTHORIZE_URL = "https://authentication.logmeininc.com/oauth/authorize"


class LoginError(Exception):
    """The login did not complete; the message is for the user."""


class _Listener(http.server.HTTPServer):
    """A loopback HTTP server that waits for exactly one ``GET /callback``."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.params: dict[str, str] | None = None
        self.done = threading.Event()

    @property
    def redirect_uri(self) -> str:
        """Where the authorization server must send the browser back to."""
        return f"http://127.0.0.1:{self.server_address[1]}/callback"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Listener

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/callback" or self.server.done.is_set():
            self.send_error(404)  # favicon requests, late duplicates
            return
        params = dict(urllib.parse.parse_qsl(url.query))
        ok = "code" in params and "error" not in params
        title = "Logged in to GoToTraining" if ok else "GoToTraining login failed"
        detail = (
            "You can close this window and return to the terminal."
            if ok
            else html.escape(params.get("error_description") or params.get("error") or "no code")
        )
        body = f"<!doctype html><title>{title}</title><h1>{title}</h1><p>{detail}</p>".encode()
        self.send_response(200 if ok else 400)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)
        self.server.params = params
        self.server.done.set()

    def log_message(self, format: str, *args: Any) -> None:
        """Silence: the default logs the request line, which holds the authorization code."""


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
    """Run the whole flow and return the tokens.

    ``announce(url)`` tells the user where to log in (always called, so that a browser that
    does not open is no dead end); ``open_browser(url)``, if given, opens it.
    """
    redactor.add(client_secret)
    state = secrets.token_urlsafe(24)
    listener = _Listener()
    thread = threading.Thread(target=listener.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    try:
        query = urllib.parse.urlencode(
            {
                "response_type": "code",
                "client_id": client_id,
                "redirect_uri": listener.redirect_uri,
                "state": state,
            }
        )
        sep = "&" if "?" in authorize_url else "?"
        url = f"{authorize_url}{sep}{query}"
        announce(url)
        if open_browser is not None:
            open_browser(url)
        if not listener.done.wait(timeout):
            raise LoginError(f"no redirect from the browser within {timeout:g} s; try again")
        params = listener.params or {}
    finally:
        listener.shutdown()
        listener.server_close()
        thread.join(5)
    if "error" in params:
        reason = params.get("error_description") or ""
        raise LoginError(f"authorization refused: {params['error']} {reason}".strip())
    if params.get("state") != state:
        raise LoginError("the redirect's state does not match this login (CSRF?); try again")
    code = params.get("code")
    if not code:
        raise LoginError("the redirect carried no authorization code")
    redactor.add(code)
    return _exchange(code, listener.redirect_uri, client_id, client_secret, token_url)


def _exchange(
    code: str, redirect_uri: str, client_id: str, client_secret: str, token_url: str
) -> OAuth2Token:
    """The facade's token-endpoint call; its errors become a ``LoginError`` for the user."""
    try:
        token = exchange_authorization_code(
            code,
            client_id=client_id,
            client_secret=client_secret,
            redirect_uri=redirect_uri,
            token_url=token_url,
        )
    except TransportError as exc:
        raise LoginError(f"token request to {token_url} failed: {exc}") from exc
    except APIError as exc:
        raise LoginError(f"token request failed: {exc}") from exc
    redactor.add(token.access_token, token.refresh_token)
    return token
