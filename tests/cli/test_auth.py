"""Login (OAuth2 authorization code against the sandbox), the token store, credentials,
redaction of secrets."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path

import httpx
import pytest
from gototraining.sandbox import Sandbox
from gototraining.token_store import StoredTokens, TokenStore, config_dir
from typer.testing import Result

from .conftest import Run

#: ``--timeout`` of logins expected to succeed: an upper bound, never reached when all is well.
LOGIN_TIMEOUT = "120"
#: Bound of waits that only end late when something hangs.
HANG = 120.0


class Browser:
    """Plays the user's browser: follows the authorize URL to the CLI's redirect listener.

    ``forge_first``: first visit the redirect URI with a forged ``state`` (as another local
    process could), wait for its answer, then do the real login."""

    def __init__(self, forge_first: bool = False) -> None:
        self.forge_first = forge_first
        self.responses: list[httpx.Response] = []
        self.threads: list[threading.Thread] = []

    def open(self, url: str) -> bool:
        def visit() -> None:
            if self.forge_first:
                query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
                forged = f"{query['redirect_uri']}?code=forged-code&state=forged-state"
                self.responses.append(httpx.get(forged, timeout=HANG))
            self.responses.append(httpx.get(url, follow_redirects=True, timeout=HANG))

        # Like a real browser, this runs while the CLI waits for the redirect.
        thread = threading.Thread(target=visit)
        thread.start()
        self.threads.append(thread)
        return True


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _login(run: Run, sb: Sandbox, *extra: str) -> Result:
    return run(
        "--base-url",
        sb.url,
        "login",
        "--client-id",
        sb.client_id,
        "--client-secret",
        sb.client_secret,
        "--authorize-url",
        sb.authorize_url,
        "--token-url",
        sb.token_url,
        *extra,
    )


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_login_stores_tokens_0600_and_commands_use_and_refresh_them(
    sb: Sandbox, config_dir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = Browser()
    monkeypatch.setattr("webbrowser.open", browser.open)
    result = _login(run, sb, "--organizer-key", sb.organizer_key, "--timeout", LOGIN_TIMEOUT)
    assert result.exit_code == 0, result.output
    assert browser.responses[0].status_code == 200
    assert "You can close this window" in browser.responses[0].text
    assert sb.authorize_url in result.stderr  # the URL is always shown too
    token_file = config_dir / "tokens.json"
    assert _mode(token_file) == 0o600
    assert _mode(config_dir) == 0o700
    stored = json.loads(token_file.read_text())
    assert stored["organizer_key"] == sb.organizer_key
    assert stored["base_url"] == sb.url
    assert stored["client_id"] == sb.client_id and stored["token_url"] == sb.token_url
    assert stored["expires_at"] > 0
    # No secret is ever printed.
    for secret in (stored["access_token"], stored["refresh_token"], sb.client_secret):
        assert secret not in result.output

    # Later commands: no environment at all, the stored login (and its base URL) is used.
    listed = run("trainings", "list", "--json")
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.stdout) == []

    # Access token rejected -> refreshed once -> persisted atomically, still 0600.
    sb.expire_tokens()
    listed = run("trainings", "list", "--json")
    assert listed.exit_code == 0, listed.output
    refreshed = json.loads(token_file.read_text())
    assert refreshed["access_token"] != stored["access_token"]
    assert _mode(token_file) == 0o600
    assert sb.request_count("getAllTrainings") == 3  # 1 + rejected + retried

    who = run("whoami")
    assert who.exit_code == 0 and sb.organizer_key in who.stdout and sb.url in who.stdout
    assert refreshed["access_token"] not in who.stdout

    assert run("logout").exit_code == 0
    assert not token_file.exists()
    assert run("trainings", "list").exit_code == 2


def test_login_subprocess_no_browser(sb: Sandbox, config_dir: Path) -> None:
    """End to end as a user runs it: the printed URL is opened "by hand"."""
    env = {**os.environ, "GOTO_CLIENT_ID": sb.client_id, "GOTO_CLIENT_SECRET": sb.client_secret}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gototraining.cli",
            "login",
            "--no-browser",
            "--authorize-url",
            sb.authorize_url,
            "--token-url",
            sb.token_url,
            "--organizer-key",
            sb.organizer_key,
            "--timeout",
            LOGIN_TIMEOUT,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    assert proc.stderr.readline().startswith("Open this URL in your browser")
    url = proc.stderr.readline().strip()
    assert url.startswith(sb.authorize_url + "?") and "redirect_uri=http%3A%2F%2F127.0.0.1" in url
    page = httpx.get(url, follow_redirects=True, timeout=HANG)
    assert page.status_code == 200
    out, err = proc.communicate(timeout=HANG)
    assert proc.returncode == 0, err
    assert "Logged in" in err and out == ""  # messages on stderr, stdout for data
    stored = TokenStore(config_dir).load()
    assert stored is not None and stored.organizer_key == sb.organizer_key
    assert stored.base_url is None  # no --base-url given: commands use the default/env
    assert sb.client_secret not in out + err


def test_a_forged_redirect_is_ignored_and_the_login_goes_on(
    sb: Sandbox, config_dir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A local process that knows the port sends a ``/callback`` with a wrong state first: it
    is answered 400 and the login keeps waiting for the real redirect."""
    browser = Browser(forge_first=True)
    monkeypatch.setattr("webbrowser.open", browser.open)
    result = _login(run, sb, "--organizer-key", sb.organizer_key, "--timeout", LOGIN_TIMEOUT)
    assert result.exit_code == 0, result.output
    forged, real = browser.responses
    assert forged.status_code == 400 and "was ignored" in forged.text
    assert real.status_code == 200 and "You can close this window" in real.text
    assert (config_dir / "tokens.json").exists()


def test_login_wrong_client_secret(
    sb: Sandbox, config_dir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("webbrowser.open", Browser().open)
    result = run(
        "login",
        "--client-id",
        sb.client_id,
        "--client-secret",
        "wrong-secret-value",
        "--authorize-url",
        sb.authorize_url,
        "--token-url",
        sb.token_url,
        "--timeout",
        LOGIN_TIMEOUT,
    )
    assert result.exit_code == 1
    assert "token request failed: 401 invalid_client" in result.stderr
    assert "wrong-secret-value" not in result.output
    assert not (config_dir / "tokens.json").exists()


def test_login_takes_organizer_key_from_token_response(
    sb: Sandbox, config_dir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sandbox's token response names the organizer (``organizer_key``), as older GoTo
    token responses did: no --organizer-key needed."""
    monkeypatch.setattr("webbrowser.open", Browser().open)
    result = _login(run, sb, "--timeout", LOGIN_TIMEOUT)
    assert result.exit_code == 0, result.output
    assert f"Organizer key: {sb.organizer_key}" in result.stderr
    assert result.stdout == ""  # messages only: stdout is for data
    assert "named no organizer" not in result.stderr
    stored = json.loads((config_dir / "tokens.json").read_text())
    assert stored["organizer_key"] == sb.organizer_key
    assert run("trainings", "list").exit_code == 0


def test_login_without_organizer_key_warns(
    sb: Sandbox, config_dir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token response without ``organizer_key`` (the current GoTo flow) and no option."""
    grant = sb.core.auth.grant

    def current_grant(form: dict[str, str]) -> dict[str, object]:
        data = grant(form)
        return {k: v for k, v in data.items() if k not in ("organizer_key", "account_key")}

    monkeypatch.setattr(sb.core.auth, "grant", current_grant)
    monkeypatch.setattr("webbrowser.open", Browser().open)
    result = _login(run, sb, "--timeout", LOGIN_TIMEOUT)
    assert result.exit_code == 0
    assert "named no organizer" in result.stderr
    listed = run("trainings", "list")
    assert listed.exit_code == 2 and "no organizer key" in listed.stderr
    monkeypatch.setenv("GOTO_ORGANIZER_KEY", sb.organizer_key)  # the env fills the gap
    assert run("trainings", "list").exit_code == 0


def test_login_needs_client_credentials(config_dir: Path, run: Run) -> None:
    result = run("login", "--client-id", "x")
    assert result.exit_code == 2 and "--client-secret" in result.stderr


def test_environment_wins_over_stored_login(
    sb: Sandbox, config_dir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    TokenStore(config_dir).save(
        StoredTokens(
            client_id="c",
            client_secret="stale-secret",
            token_url=sb.token_url,
            access_token="stale-access-token",
            refresh_token="stale-refresh-token",
            organizer_key="1",
            base_url="http://127.0.0.1:9/G2T/rest",
        )
    )
    monkeypatch.setenv("GOTO_BASE_URL", sb.url)
    monkeypatch.setenv("GOTO_ACCESS_TOKEN", sb.token)
    monkeypatch.setenv("GOTO_ORGANIZER_KEY", sb.organizer_key)
    assert run("trainings", "list").exit_code == 0
    who = run("whoami")
    assert "GOTO_ACCESS_TOKEN (environment)" in who.stdout and sb.token not in who.stdout


def test_missing_credentials_are_usage_errors(
    config_dir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run("trainings", "list")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: not logged in: run 'gototraining login', or set GOTO_ACCESS_TOKEN and "
        "GOTO_ORGANIZER_KEY\n"
    )
    monkeypatch.setenv("GOTO_ACCESS_TOKEN", "some-token-value")
    result = run("trainings", "list")
    assert result.exit_code == 2 and "GOTO_ORGANIZER_KEY is not" in result.stderr
    monkeypatch.delenv("GOTO_ACCESS_TOKEN")
    config_dir.mkdir()
    (config_dir / "tokens.json").write_text("{not json")
    result = run("trainings", "list")
    assert result.exit_code == 2 and "not a valid token file" in result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_token_store_atomic_0600(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "cfg")
    assert store.load() is None
    tokens = StoredTokens("id", "secret", "https://t", "at", "rt", 1.5, "42", None)
    store.path.parent.mkdir()
    store.path.write_text("{}")
    os.chmod(store.path, 0o644)  # an old, too-open file is replaced, not rewritten in place
    store.save(tokens)
    assert _mode(store.path) == 0o600
    assert store.load() == tokens
    assert "secret" not in repr(tokens) and "'at'" not in repr(tokens)
    assert sorted(p.name for p in store.path.parent.iterdir()) == [
        "tokens.json",
        "tokens.json.lock",  # shared by the processes using the store; empty, 0600
    ]
    assert _lock_mode(store) == 0o600  # no temp left
    assert store.delete() and not store.delete()


def test_config_dir_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GOTO_CONFIG_DIR", str(tmp_path / "x"))
    assert config_dir() == tmp_path / "x"
    monkeypatch.delenv("GOTO_CONFIG_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    if sys.platform != "win32":
        assert config_dir() == tmp_path / "xdg" / "gototraining"
        monkeypatch.delenv("XDG_CONFIG_HOME")
        assert config_dir() == Path.home() / ".config" / "gototraining"


def test_debug_trace_redacts_the_token(
    config_dir: Path, sb: Sandbox, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sbxat_not_a_valid_token_0123456789abcdef"
    monkeypatch.setenv("GOTO_BASE_URL", sb.url)
    monkeypatch.setenv("GOTO_ACCESS_TOKEN", secret)
    monkeypatch.setenv("GOTO_ORGANIZER_KEY", sb.organizer_key)
    plain = run("trainings", "list")
    assert plain.exit_code == 1
    assert plain.stderr.startswith("error: 403 Forbidden: Invalid token passed")
    assert len(plain.stderr.splitlines()) == 1
    debug = run("--debug", "trainings", "list")
    assert debug.exit_code == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert "AuthenticationError" in debug.stderr
    assert secret not in debug.output


def test_debug_trace_redacts_secrets_in_unexpected_errors(
    env: Sandbox, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even an exception that carries a credential (here: a bug that puts the header into
    its message) is shown redacted, with and without --debug."""

    def boom() -> None:
        raise RuntimeError(
            f"bad header Authorization: Bearer {env.token} client_secret=s3cr3tvalue"
        )

    monkeypatch.setattr("gototraining.cli.commands.trainings.console", boom)
    plain = run("trainings", "list")
    assert plain.exit_code == 1
    assert plain.stderr.splitlines()[0].startswith("error: RuntimeError: bad header")
    debug = run("--debug", "trainings", "list")
    assert debug.exit_code == 1 and "Traceback" in debug.stderr
    for out in (plain.output, debug.output):
        assert env.token not in out and "s3cr3tvalue" not in out
        assert "Bearer ***" in out


def _lock_mode(store: TokenStore) -> int:
    return stat.S_IMODE(store.lock_path.stat().st_mode)
