"""``gototraining login`` against a hostile neighbour: another local process connects to the
redirect listener and sends nothing, or sends a forged ``/callback``. The login is neither
stalled nor aborted, and the whole of it ends within ``--timeout``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from gototraining.cli import login
from gototraining.sandbox import Sandbox
from gototraining.token_store import TokenStore

#: Bound of waits that only end late when something hangs (the old listener hung for good).
HANG = 120.0


@contextmanager
def _login_process(sb: Sandbox, timeout: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``gototraining login --no-browser`` in a subprocess; yields it and its redirect URI."""
    env = {**os.environ, "GOTO_CLIENT_ID": sb.client_id, "GOTO_CLIENT_SECRET": sb.client_secret}
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "gototraining.cli", "login", "--no-browser",
            "--authorize-url", sb.authorize_url, "--token-url", sb.token_url,
            "--organizer-key", sb.organizer_key, "--timeout", timeout,
        ],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        assert proc.stderr.readline().startswith("Open this URL in your browser")
        url = proc.stderr.readline().strip()
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert query["redirect_uri"].startswith("http://127.0.0.1:")


def _redirect_uri(url: str) -> str:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))["redirect_uri"]


def _silent_connection(redirect_uri: str) -> socket.socket | None:
    """Connect to the listener and send nothing (``None`` if it is already gone)."""
    parts = urllib.parse.urlsplit(redirect_uri)
    try:
        return socket.create_connection((parts.hostname, parts.port), timeout=HANG)
    except OSError:
        return None


def test_silent_connection_and_forged_redirect_do_not_stop_the_login(
    sb: Sandbox, config_dir: Path
) -> None:
    with _login_process(sb, timeout=str(int(HANG))) as (proc, url):
        redirect = _redirect_uri(url)
        silent = _silent_connection(redirect)  # holds a connection open, sends nothing
        assert silent is not None
        forged = httpx.get(f"{redirect}?code=evil&state=guessed", timeout=HANG)
        assert forged.status_code == 400  # ignored, and the listener is still there ...
        page = httpx.get(url, follow_redirects=True, timeout=HANG)
        assert page.status_code == 200  # ... for the real redirect
        out, err = proc.communicate(timeout=HANG)
        silent.close()
    assert proc.returncode == 0, err
    assert "Logged in" in err and out == ""  # messages on stderr, stdout for data
    assert TokenStore(config_dir).load() is not None


def test_a_silent_connection_does_not_outlast_the_timeout(sb: Sandbox, config_dir: Path) -> None:
    """Nothing but a connection that never speaks: the login gives up after --timeout."""
    with _login_process(sb, timeout="1") as (proc, url):
        silent = _silent_connection(_redirect_uri(url))
        _, err = proc.communicate(timeout=HANG)  # the old listener never returned
        if silent is not None:
            silent.close()
    assert proc.returncode == 1
    assert err == "error: login failed: no redirect from the browser within 1 s; try again\n"
    assert TokenStore(config_dir).load() is None


def test_the_token_request_gets_what_is_left_of_the_timeout(
    sb: Sandbox, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[float] = []
    real = login._exchange

    def exchange(*args: object) -> object:
        seen.append(float(args[-1]))  # type: ignore[arg-type]
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(login, "_exchange", exchange)

    def browser(url: str) -> None:
        httpx.get(url, follow_redirects=True, timeout=HANG)

    token = login.authorize(
        client_id=sb.client_id,
        client_secret=sb.client_secret,
        authorize_url=sb.authorize_url,
        token_url=sb.token_url,
        announce=lambda url: None,
        open_browser=browser,
        timeout=HANG,
    )
    assert token.refresh_token
    (budget,) = seen
    assert 0 < budget < HANG  # what was left of the login's time, not a fresh allowance


def test_within_gives_up_at_the_deadline_without_waiting_for_the_call() -> None:
    stuck = threading.Event()
    with pytest.raises(login.LoginError, match="no answer"):
        login._within(time.monotonic(), "no answer", lambda: stuck.wait(HANG))
    stuck.set()  # lets the abandoned daemon thread end
    assert login._within(time.monotonic() + HANG, "x", lambda: 42) == 42
    with pytest.raises(ValueError, match="boom"):
        login._within(time.monotonic() + HANG, "x", lambda: int("boom"))
