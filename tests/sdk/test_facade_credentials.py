"""The credentials chain of ``GoToTraining()`` / ``AsyncGoToTraining()``: arguments, then
``GOTO_ACCESS_TOKEN``, then ``GOTO_CLIENT_ID``/``GOTO_CLIENT_SECRET``/``GOTO_REFRESH_TOKEN``, then
the token store of ``gototraining login`` (with refreshed tokens written back); the client
says where its credentials came from."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
from gototraining import (
    AsyncGoToTraining,
    BearerToken,
    Credentials,
    GoToTraining,
    OAuth2,
    ValidationError,
    resolve_credentials,
)
from gototraining.sandbox import Sandbox
from gototraining.token_store import (
    StoredTokens,
    TokenStore,
    TokenStoreError,
    TokenStoreWarning,
)


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TokenStore:
    """The default token store of this test: ``GOTO_CONFIG_DIR`` points at an empty dir."""
    monkeypatch.setenv("GOTO_CONFIG_DIR", str(tmp_path / "config"))
    return TokenStore()


def login(sb: Sandbox, store: TokenStore, **changes: Any) -> StoredTokens:
    """What ``gototraining login`` leaves behind, for the sandbox."""
    tokens = StoredTokens(
        client_id=sb.client_id,
        client_secret=sb.client_secret,
        token_url=sb.token_url,
        access_token=sb.token,
        refresh_token=sb.refresh_token,
        expires_at=None,
        organizer_key=sb.organizer_key,
        base_url=sb.url,
    )
    for name, value in changes.items():
        tokens = StoredTokens(**{**tokens.to_json(), name: value})
    store.save(tokens)
    return tokens


def stored(store: TokenStore) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(store.path.read_text(encoding="utf-8"))
    return data


# -- the order ---------------------------------------------------------------------------------


def test_each_source_in_turn(
    gototraining_sandbox: Sandbox, store: TokenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = gototraining_sandbox
    login(sb, store)
    monkeypatch.setenv("GOTO_ACCESS_TOKEN", "env-token-123456")
    monkeypatch.setenv("GOTO_REFRESH_TOKEN", "env-refresh-123456")
    monkeypatch.setenv("GOTO_CLIENT_ID", "env-client")
    monkeypatch.setenv("GOTO_CLIENT_SECRET", "env-secret")
    monkeypatch.setenv("GOTO_TOKEN_URL", "https://auth.example/oauth/token")

    explicit = resolve_credentials("arg-token-123456")
    assert explicit.source == "access_token argument" and isinstance(explicit.auth, BearerToken)
    assert resolve_credentials().source == "GOTO_ACCESS_TOKEN"
    monkeypatch.delenv("GOTO_ACCESS_TOKEN")
    from_env = resolve_credentials()
    assert from_env.source == "GOTO_REFRESH_TOKEN" and isinstance(from_env.auth, OAuth2)
    assert from_env.auth.client_id == "env-client"
    assert from_env.auth.token_url == "https://auth.example/oauth/token"
    monkeypatch.delenv("GOTO_REFRESH_TOKEN")  # client id + secret alone are for `login`
    from_store = resolve_credentials()
    assert from_store.source == f"token store {store.path}"
    assert isinstance(from_store.auth, OAuth2) and from_store.auth.client_id == sb.client_id
    assert from_store.organizer_key == sb.organizer_key and from_store.base_url == sb.url


@pytest.mark.parametrize(
    ("present", "missing"),
    [
        ({"GOTO_REFRESH_TOKEN": "r" * 12}, "GOTO_CLIENT_ID"),
        ({"GOTO_REFRESH_TOKEN": "r" * 12, "GOTO_CLIENT_ID": "c"}, "GOTO_CLIENT_SECRET"),
    ],
)
def test_a_half_configured_source_is_an_error_not_skipped(
    store: TokenStore, monkeypatch: pytest.MonkeyPatch, present: dict[str, str], missing: str
) -> None:
    for name, value in present.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as info:
        GoToTraining(organizer_key=1)
    assert info.value.param == missing and "r" * 12 not in str(info.value)


def test_no_credentials_anywhere(store: TokenStore) -> None:
    with pytest.raises(ValidationError) as info:
        GoToTraining(organizer_key=1)
    message = str(info.value)
    assert info.value.param == "access_token"
    assert "GOTO_REFRESH_TOKEN" in message and "gototraining login" in message
    assert str(store.path) in message


def test_an_unusable_environment_token_is_named(
    store: TokenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOTO_ACCESS_TOKEN", "token-from-a-file\n")
    with pytest.raises(ValidationError) as info:
        GoToTraining(organizer_key=1)
    assert info.value.param == "GOTO_ACCESS_TOKEN" and "token-from-a-file" not in str(info.value)


def test_the_client_says_where_its_credentials_came_from(
    store: TokenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOTO_ACCESS_TOKEN", "env-token-123456")
    with GoToTraining(organizer_key=1) as client:
        assert client.credentials == "GOTO_ACCESS_TOKEN"
        assert "credentials='GOTO_ACCESS_TOKEN'" in repr(client)
        assert "env-token-123456" not in repr(client)
        assert client.with_options(timeout=3).credentials == "GOTO_ACCESS_TOKEN"
    resolved = resolve_credentials()
    with GoToTraining(auth=resolved, organizer_key=1) as client:
        assert client.credentials == "GOTO_ACCESS_TOKEN"  # passed through with its source
        assert client.options.auth is resolved.auth


# -- the token store -------------------------------------------------------------------------------


def test_a_stored_login_is_used_and_refreshed_tokens_are_written_back(
    gototraining_sandbox: Sandbox, store: TokenStore
) -> None:
    sb = gototraining_sandbox
    before = login(sb, store, access_token="expired-access-token")  # the API refuses it
    with GoToTraining() as client:  # organizer key and API root: the login's
        assert client.credentials == f"token store {store.path}"
        assert client.organizer_key == sb.organizer_key and client.base_url == sb.url
        assert client.trainings.list() == []
    after = stored(store)
    assert after["access_token"] != before.access_token  # the refreshed token, saved
    assert after["expires_at"] is not None and after["client_secret"] == sb.client_secret
    if sys.platform != "win32":
        assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600


def test_the_async_client_uses_the_stored_login_too(
    gototraining_sandbox: Sandbox, store: TokenStore
) -> None:
    sb = gototraining_sandbox
    login(sb, store, access_token="expired-access-token")

    async def main() -> list[Any]:
        async with AsyncGoToTraining() as client:
            assert client.credentials == f"token store {store.path}"
            return await client.trainings.list()

    assert asyncio.run(main()) == []
    assert stored(store)["access_token"] != "expired-access-token"


def test_explicit_organizer_and_environment_base_url_win_over_the_stored_ones(
    gototraining_sandbox: Sandbox, store: TokenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """... on the API's own host (another host is refused: test_facade_transport_security)."""
    login(gototraining_sandbox, store)
    elsewhere = f"{gototraining_sandbox.root_url}/v2/G2T/rest"
    monkeypatch.setenv("GOTO_BASE_URL", elsewhere)
    with GoToTraining(organizer_key=42) as client:
        assert client.organizer_key == "42"
        assert client.base_url == elsewhere


def test_a_symlinked_store_is_written_through(
    gototraining_sandbox: Sandbox, store: TokenStore, tmp_path: Path
) -> None:
    if sys.platform == "win32":
        pytest.skip("symlinks need privileges on Windows")
    target_dir = tmp_path / "dotfiles"
    target_dir.mkdir()
    target = target_dir / "goto-tokens.json"
    login(gototraining_sandbox, TokenStore(target_dir), access_token="expired-access-token")
    (target_dir / "tokens.json").rename(target)
    store.directory.mkdir(parents=True, exist_ok=True)
    store.path.symlink_to(target)
    with GoToTraining() as client:
        client.trainings.list()
    assert store.path.is_symlink()  # the link stays; the target has the refreshed tokens
    assert json.loads(target.read_text())["access_token"] != "expired-access-token"


def test_an_unusable_store_fails_before_anything_is_sent(
    gototraining_sandbox: Sandbox, store: TokenStore
) -> None:
    store.path.mkdir(parents=True)  # a directory where tokens.json should be
    with pytest.raises(TokenStoreError, match="is a directory"):
        GoToTraining()
    assert gototraining_sandbox.request_count() == 0


def test_a_refreshed_set_that_cannot_be_saved_is_reported(
    gototraining_sandbox: Sandbox, store: TokenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save that fails (disk full) is a ``TokenStoreWarning``; the call itself succeeds and
    the next refresh saves its set."""
    sb = gototraining_sandbox
    login(sb, store, access_token="expired-access-token")
    failures = [OSError(28, "No space left on device")]
    real_write = TokenStore._write

    def flaky_write(self: TokenStore, tokens: StoredTokens) -> None:
        if failures:
            raise TokenStoreError(f"cannot save tokens: {failures.pop()}")
        real_write(self, tokens)

    monkeypatch.setattr(TokenStore, "_write", flaky_write)
    with GoToTraining() as client:
        with pytest.warns(TokenStoreWarning, match="could not be saved.*No space left"):
            assert client.trainings.list() == []
        assert stored(store)["access_token"] == "expired-access-token"  # not saved
        sb.expire_tokens()
        assert client.trainings.list() == []  # refreshed again: this time it is saved
    assert stored(store)["access_token"] != "expired-access-token"


def test_credentials_repr_hides_secrets(store: TokenStore) -> None:
    credentials = Credentials(BearerToken("very-secret-token"), "access_token argument")
    assert "very-secret-token" not in repr(credentials)
