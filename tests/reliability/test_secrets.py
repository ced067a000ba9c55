"""Secrets (access token, refresh token, client secret) never appear in a repr or str, an
exception message, any log record (every logger, DEBUG), or a cassette; the CLI's token file
is created with mode 0600."""

from __future__ import annotations

import base64
import logging
import os
import re
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gototraining import (
    APIError,
    AsyncGoToTraining,
    BearerToken,
    GoToTraining,
    GoToTrainingError,
    OAuth2,
    OAuth2Token,
)
from gototraining.token_store import TokenStore

from .helpers import END, RATE_LIMIT_RETRIES, START, TLS, client_kwargs

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"
#: What the sandbox mints (access/refresh tokens, authorization codes) and its client secret.
SANDBOX_TOKEN = re.compile(r"sbx(?:at|rt|code)_[0-9a-f]{32}|sandbox-secret-[0-9a-f]{16}")
ACCESS = "SENTINEL-access-4c1f0e9b7a"
REFRESH = "SENTINEL-refresh-8d2e6a1f3b"
SECRET = "SENTINEL-secret-5b9c7d2e4f"
SENTINELS = (ACCESS, REFRESH, SECRET)


def leaks(text: str, secrets: tuple[str, ...]) -> list[str]:
    found = [s for s in secrets if s in text]
    found += SANDBOX_TOKEN.findall(text)
    # the Basic client credential carries the secret base64-encoded
    for encoded in re.findall(r"Basic\s+([A-Za-z0-9+/=]{8,})", text):
        decoded = base64.b64decode(encoded + "==", validate=False).decode("utf-8", "replace")
        found += [s for s in secrets if s in decoded]
    return found


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record of every logger at DEBUG (the sandbox's uvicorn included)."""
    caplog.set_level(logging.DEBUG)
    for name in ("gototraining", "httpx", "httpcore", "uvicorn", "uvicorn.error", "hpack"):
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog


def assert_clean_logs(caplog: pytest.LogCaptureFixture, secrets: tuple[str, ...]) -> int:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    for record in caplog.records:
        text = formatter.format(record) + repr(record.args) + repr(record.__dict__)
        assert not leaks(text, secrets), f"secret in log record {record.name}: {text[:300]}"
    return len(caplog.records)


def assert_clean(obj: Any, secrets: tuple[str, ...]) -> None:
    for text in (repr(obj), str(obj)):
        assert not leaks(text, secrets), f"secret in {type(obj).__name__}: {text}"
    if isinstance(obj, BaseException):
        assert not leaks(repr(obj.args), secrets)
        for note in getattr(obj, "__notes__", []):
            assert not leaks(note, secrets)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_full_oauth_flow_and_errors_leak_nothing(
    sb: Any, all_logs: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    secrets = (sb.token, sb.refresh_token, sb.client_secret)
    refreshed: list[OAuth2Token] = []
    auth = OAuth2(
        sb.client_id, sb.client_secret, sb.refresh_token,
        token_url=sb.token_url, on_token_refresh=refreshed.append,
    )  # fmt: skip
    errors: list[GoToTrainingError] = []
    kwargs = client_kwargs(sb, access_token=None, auth=auth)
    with kwargs["http_client"], GoToTraining(**kwargs) as client:
        tk = client.trainings.create(name="Secrets", times=[(START, END)], time_zone="UTC")
        client.registrants.register(tk, email="a@example.com", given_name="A", surname="B")
        sb.expire_tokens()  # reactive refresh
        client.trainings.get(tk)
        sb.faults.add("getTraining", statuses=[429], retry_after=1, times=RATE_LIMIT_RETRIES + 1)
        for call in (
            lambda: client.trainings.get(tk),  # 429 (after retries)
            lambda: client.trainings.get(1),  # 404
            lambda: client.registrants.register(  # 409
                tk, email="a@example.com", given_name="A", surname="B"
            ),
            lambda: client.organizers.list_for_account(1),  # 403/404
        ):
            with pytest.raises(GoToTrainingError) as info:
                call()
            errors.append(info.value)
        for thing in (client, client._options, client._transport.settings, auth, *refreshed):
            assert_clean(thing, secrets)
    assert len(refreshed) == 2  # proactive (no access token yet) + reactive
    secrets += tuple(t.access_token for t in refreshed) + tuple(t.refresh_token for t in refreshed)

    # 401/403 with a rejected static token, and a refresh with a wrong client secret
    bad = client_kwargs(sb, access_token=sb.refresh_token)  # a real secret, but no access token
    with bad["http_client"], GoToTraining(**bad) as client:
        with pytest.raises(GoToTrainingError) as info:
            client.trainings.list()
        errors.append(info.value)
        assert_clean(client, secrets)
    wrong = OAuth2(sb.client_id, SECRET, REFRESH, token_url=sb.token_url)
    bad = client_kwargs(sb, access_token=None, auth=wrong)
    with bad["http_client"], GoToTraining(**bad) as client:
        with pytest.raises(GoToTrainingError) as info:
            client.trainings.list()
        errors.append(info.value)
    # a transport error (nothing listens on the port any more)
    closed = client_kwargs(sb, base_url="http://127.0.0.1:9/G2T/rest", max_retries=0)
    closed.pop("retry_policy")
    with closed["http_client"], GoToTraining(**closed) as client:
        with pytest.raises(GoToTrainingError) as info:
            client.trainings.list()
        errors.append(info.value)

    assert {type(e).__name__ for e in errors} >= {
        "RateLimitError", "NotFoundError", "ConflictError", "AuthenticationError", "APIConnectionError",
    }  # fmt: skip
    for error in errors:
        assert_clean(error, secrets + SENTINELS)
    assert assert_clean_logs(all_logs, secrets + SENTINELS) > 20  # we did capture DEBUG traffic


def _echoing_server(request: httpx.Request) -> httpx.Response:
    """A hostile/buggy server that echoes every credential it receives in its error bodies."""
    echo = f"{request.headers.get('authorization')} {request.content.decode()}"
    if request.url.path == "/token" and REFRESH in request.content.decode():
        return httpx.Response(400, json={"error": "invalid_grant", "error_description": echo})
    return httpx.Response(403, json={"errorCode": "Forbidden", "description": f"denied: {echo}"})


#: Tokens a token endpoint issues in a refresh (not known to the caller beforehand).
ISSUED_ACCESS, ISSUED_REFRESH = "issued-access-5b1f0c9e2d7a", "issued-refresh-8e3a6d1c4b90"


def _issuing_then_echoing_server(request: httpx.Request) -> httpx.Response:
    """The refresh succeeds; the API then echoes the freshly issued access token."""
    if request.url.path == "/token":
        tokens = {"access_token": ISSUED_ACCESS, "refresh_token": ISSUED_REFRESH}
        return httpx.Response(200, json={**tokens, "expires_in": 3600})
    return _echoing_server(request)


@pytest.mark.parametrize("kind", ["bearer", "oauth2", "oauth2-issued"])
def test_echoed_credentials_are_redacted(kind: str, all_logs: pytest.LogCaptureFixture) -> None:
    server = _echoing_server
    if kind == "bearer":
        kwargs: dict[str, Any] = {"access_token": ACCESS}
    else:
        kwargs = {"auth": OAuth2("client", SECRET, REFRESH, token_url="https://auth.test/token")}
        if kind == "oauth2-issued":
            server = _issuing_then_echoing_server
    secrets = (*SENTINELS, ISSUED_ACCESS, ISSUED_REFRESH)
    http = httpx.Client(transport=httpx.MockTransport(server), verify=TLS)
    with http, GoToTraining(organizer_key=1, http_client=http, rate_limit=None, **kwargs) as c:
        with pytest.raises(GoToTrainingError) as info:
            c.trainings.list()
        if kind == "oauth2-issued":  # the API itself answered, echoing the issued token
            assert (
                isinstance(info.value, APIError)
                and info.value.status == 403
                and "denied" in str(info.value)
            )
        assert_clean(info.value, secrets)
        assert_clean(c._options.auth, secrets)
    assert_clean_logs(all_logs, secrets)


def test_reprs_hide_secrets() -> None:
    for obj in (
        BearerToken(ACCESS),
        OAuth2("client", SECRET, REFRESH, access_token=ACCESS),
        OAuth2Token(ACCESS, REFRESH, 1.0, "scope"),
        GoToTraining(access_token=ACCESS, organizer_key=1),
        AsyncGoToTraining(access_token=ACCESS, organizer_key=1),
    ):
        assert_clean(obj, SENTINELS)
        if isinstance(obj, GoToTraining | AsyncGoToTraining):
            assert_clean(obj._options, SENTINELS)
            assert_clean(obj._transport.settings, SENTINELS)


#: Credentials a cassette must not hold (tests/sdk/cassette_scrub.py writes ``REDACTED``).
CASSETTE_CREDENTIAL = re.compile(
    r"""(?ix)
    (?:bearer|basic)\s+(?!REDACTED\b)[A-Za-z0-9._~+/=-]{8,}          # Authorization values
    | (?<![A-Za-z_])(?:access_token|refresh_token|client_secret|id_token|code)
      ["']?\s*[:=]\s*["']?(?!REDACTED\b)[A-Za-z0-9._~+/=-]{8,}        # JSON or form fields
    | [?&;](?:host_?token|token|sig|signature)=(?!REDACTED(?:[&"'\s\\]|$))[^&"'\s\\]+
                                                        # startTraining hostURL, signed URLs
    """
)


def test_cassette_scan_flags_host_tokens_but_not_placeholders() -> None:
    host = "https://global.gototraining.com/hostTraining/425679554?hostToken="
    assert CASSETTE_CREDENTIAL.findall(f'{{"hostURL":"{host}5395831007920635271"}}')
    assert CASSETTE_CREDENTIAL.findall(f"'{host}abc&x=1'")
    assert CASSETTE_CREDENTIAL.findall(f"{host}REDACTEDX")
    assert not CASSETTE_CREDENTIAL.findall(f'{{"hostURL":"{host}REDACTED"}}')
    assert not CASSETTE_CREDENTIAL.findall(f"'{host}REDACTED&x=1'")


def test_no_secret_in_any_cassette() -> None:
    files = [p for p in CASSETTES.rglob("*") if p.is_file()]
    assert files, "no cassettes found"
    credential = CASSETTE_CREDENTIAL
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not credential.findall(text), f"{path}: {credential.findall(text)[:3]}"
        assert not leaks(text, SENTINELS), path
        assert "authorization:" not in text.lower(), f"{path} keeps an Authorization header"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_cli_token_file_is_0600(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gototraining import token_store as config

    monkeypatch.setenv("GOTO_CONFIG_DIR", str(tmp_path / "cfg"))
    old_umask = os.umask(0)  # the most permissive umask must not matter
    try:
        store = config.TokenStore()
        tokens = config.StoredTokens(
            client_id="client", client_secret=SECRET, token_url="https://auth.test/token",
            access_token=ACCESS, refresh_token=REFRESH,
        )  # fmt: skip
        store.save(tokens)
        store.path.chmod(0o644)  # a loosened file is tightened again by the next save
        store.save(tokens)
    finally:
        os.umask(old_umask)
    assert store.path.name == "tokens.json"
    assert store.path.parent == tmp_path / "cfg"
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    assert_clean(tokens, SENTINELS)
    assert sorted(p.name for p in store.path.parent.iterdir()) == [
        "tokens.json",
        "tokens.json.lock",  # shared by the processes using the store; empty, 0600
    ]
    assert _lock_mode(store) == 0o600


def _lock_mode(store: TokenStore) -> int:
    return stat.S_IMODE(store.lock_path.stat().st_mode)
