"""Where tokens may go.

- An ``http://`` base URL or token URL to a host that is not this machine would send tokens
  (and the client secret) in clear text: refused unless ``allow_insecure_http=True`` (or
  ``GOTO_ALLOW_INSECURE_HTTP=1``) says so. Loopback (the sandbox) is always fine.
- A stored login is sent only to the API it was issued for: ``GOTO_BASE_URL`` or
  ``base_url=`` pointing the stored tokens at another host is refused, before anything is
  sent, saying which host they are for."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gototraining import (
    GoToTraining,
    OAuth2,
    ValidationError,
    exchange_authorization_code,
    resolve_credentials,
)
from gototraining.sandbox import Sandbox
from gototraining.token_store import StoredTokens, TokenStore

REMOTE_HTTP = "http://api.example.com/G2T/rest"


def test_an_http_base_url_to_a_remote_host_is_refused_unless_opted_in() -> None:
    with pytest.raises(ValidationError, match="allow_insecure_http") as caught:
        GoToTraining(access_token="t", organizer_key="1", base_url=REMOTE_HTTP)
    assert caught.value.param == "base_url" and "clear text" in str(caught.value)
    with GoToTraining(
        access_token="t", organizer_key="1", base_url=REMOTE_HTTP, allow_insecure_http=True
    ) as client:
        assert client.options.allow_insecure_http is True
        with pytest.raises(ValidationError, match="allow_insecure_http"):
            client.with_options(allow_insecure_http=False)
    secure = GoToTraining(access_token="t", organizer_key="1", base_url="https://x.test/G2T/rest")
    with secure, pytest.raises(ValidationError, match="allow_insecure_http"):
        secure.with_options(base_url=REMOTE_HTTP)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8089/G2T/rest", "http://localhost:1/x", "http://[::1]:8089/x"]
)
def test_loopback_http_is_fine(url: str) -> None:
    with GoToTraining(access_token="t", organizer_key="1", base_url=url) as client:
        assert client.options.allow_insecure_http is False


def test_the_environment_can_opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOTO_BASE_URL", REMOTE_HTTP)
    with pytest.raises(ValidationError, match="GOTO_ALLOW_INSECURE_HTTP"):
        GoToTraining(access_token="t", organizer_key="1")
    monkeypatch.setenv("GOTO_ALLOW_INSECURE_HTTP", "1")
    with GoToTraining(access_token="t", organizer_key="1") as client:
        assert client.options.base_url == REMOTE_HTTP


def test_an_http_token_url_to_a_remote_host_is_refused_unless_opted_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    remote = "http://auth.example.com/oauth/token"
    with pytest.raises(ValidationError, match="allow_insecure_http") as caught:
        OAuth2("id", "secret", "rt", token_url=remote)
    assert caught.value.param == "token_url"
    OAuth2("id", "secret", "rt", token_url=remote, allow_insecure_http=True)
    OAuth2("id", "secret", "rt", token_url="http://127.0.0.1:1/oauth/token")
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    recorder = httpx.Client(transport=httpx.MockTransport(record))
    with pytest.raises(ValidationError, match="token_url"):
        exchange_authorization_code(
            "code", client_id="id", client_secret="s", redirect_uri="http://127.0.0.1:1/cb",
            token_url=remote, http_client=recorder,
        )  # fmt: skip
    assert sent == []
    for name, value in (("GOTO_CLIENT_ID", "id"), ("GOTO_CLIENT_SECRET", "s")):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GOTO_REFRESH_TOKEN", "rt")
    monkeypatch.setenv("GOTO_TOKEN_URL", remote)
    with pytest.raises(ValidationError, match="GOTO_TOKEN_URL"):
        resolve_credentials()


# -- the stored login goes only to its own API --------------------------------------------------


@pytest.fixture
def sb(gototraining_sandbox: Sandbox) -> Sandbox:
    return gototraining_sandbox


@pytest.fixture
def rogue() -> Iterator[Sandbox]:
    """Another API on this machine (any local user may listen on a port)."""
    with Sandbox(seed=3) as other:
        yield other


@pytest.fixture
def store(sb: Sandbox, tmp_path: Path) -> TokenStore:
    store = TokenStore(tmp_path / "config")
    store.save(
        StoredTokens(
            client_id=sb.client_id,
            client_secret=sb.client_secret,
            token_url=sb.token_url,
            access_token=sb.token,
            refresh_token=sb.refresh_token,
            organizer_key=sb.organizer_key,
            base_url=sb.url,
        )
    )
    return store


def test_the_stored_login_is_not_sent_to_another_host(
    sb: Sandbox, rogue: Sandbox, store: TokenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOTO_BASE_URL", rogue.url)
    with pytest.raises(ValidationError, match="issued for") as caught:
        GoToTraining(token_store=store)
    message = str(caught.value)
    assert sb.url in message and rogue.url in message and "login" in message
    monkeypatch.delenv("GOTO_BASE_URL")
    with pytest.raises(ValidationError, match="issued for"):
        GoToTraining(token_store=store, base_url=rogue.url)
    assert rogue.request_count() == 0
    with GoToTraining(token_store=store, base_url=sb.url + "/", rate_limit=None) as client:
        assert client.trainings.list() == []  # the same API, spelt differently


def test_a_login_stored_without_a_base_url_is_for_goto_s_api(
    sb: Sandbox, rogue: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = TokenStore(tmp_path / "config")
    store.save(
        StoredTokens(
            client_id="id", client_secret="s", token_url="https://auth.example/oauth/token",
            access_token="at", refresh_token="rt", organizer_key="1",
        )
    )  # fmt: skip
    monkeypatch.setenv("GOTO_BASE_URL", rogue.url)
    with pytest.raises(ValidationError, match="https://api.getgo.com"):
        GoToTraining(token_store=store)
    assert rogue.request_count() == 0
