"""``gototraining login``: the OAuth2 authorization-code flow with a loopback redirect.

1. Listen once on ``http://127.0.0.1:<free port>/callback`` (loopback only, RFC 8252).
2. Send the user's browser to the authorize URL with ``client_id``, ``redirect_uri`` and a
   random ``state``.
3. The authorization server redirects the browser to the listener with ``code`` and
   ``state``; a ``state`` that does not match is rejected (CSRF).
4. Exchange the code at the token URL: form POST, HTTP Basic client authentication (GoTo's
   requirement), like the facade's ``OAuth2`` does for refreshes.
"""

from __future__ import annotations

import html
import http.server
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

import attrs
import httpx

from gototraining import DEFAULT_TOKEN_URL

from .redact import redactor

__all__ = [
    "DEFAULT_AUTHORIZE_URL",
    "LoginError",
    "TokenResponse",
    "authorize",
]

DEFAULT_AUTHORIZE_URL = "https://authentication.logmeininc.com/oauth/authorize"


class LoginError(Exception):
    """The login did not complete; the message is for the user."""


@attrs.frozen
class TokenResponse:
    """The useful part of a successful token response."""

    access_token: str = attrs.field(repr=False)
    refresh_token: str = attrs.field(repr=False)
    expires_at: float | None
    organizer_key: str | None


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
) -> TokenResponse:
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
) -> TokenResponse:
    try:
        response = httpx.post(
            token_url,
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
            auth=(client_id, client_secret),
            headers={"Accept": "application/json"},
            timeout=30.0,
        )
    except httpx.HTTPError as exc:
        raise LoginError(f"token request to {token_url} failed: {type(exc).__name__}") from exc
    try:
        data: Any = response.json()
    except ValueError:
        data = None
    if response.status_code != 200 or not isinstance(data, dict):
        error = data.get("error", "") if isinstance(data, dict) else ""
        reason = data.get("error_description", "") if isinstance(data, dict) else ""
        raise LoginError(
            f"token request failed: {response.status_code} {error} {reason}".strip()
            + f" (POST {token_url})"
        )
    access, refresh = data.get("access_token"), data.get("refresh_token")
    if not isinstance(access, str) or not access or not isinstance(refresh, str) or not refresh:
        raise LoginError("the token response has no access_token/refresh_token")
    redactor.add(access, refresh)
    expires_in = data.get("expires_in")
    organizer_key = data.get("organizer_key")
    return TokenResponse(
        access_token=access,
        refresh_token=refresh,
        expires_at=time.time() + float(expires_in) if isinstance(expires_in, int | float) else None,
        organizer_key=str(organizer_key) if organizer_key not in (None, "") else None,
    )
