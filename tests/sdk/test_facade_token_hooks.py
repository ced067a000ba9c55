"""``on_token_refresh`` as a multi-tenant app uses it (tokens kept in its database), and a
revoked grant: against the sandbox, whose token endpoint rotates refresh tokens.

- an ``async def`` hook is awaited on the async client; a blocking sync hook runs off the
  event loop; a hook that fails reaches the caller as ``TokenSaveError`` (the new tokens
  kept, so the next call works);
- after ``400 invalid_grant`` the client fails fast (no second token request), names the
  organizer and says what to do, until the store holds newer tokens."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gototraining import (
    AsyncGoToTraining,
    AuthenticationError,
    GoToTraining,
    OAuth2,
    OAuth2Token,
    TokenSaveError,
)
from gototraining.sandbox import Sandbox
from gototraining.token_store import StoredTokens, TokenStore

#: Bound of waits that only end late when something is wrong.
HANG = 60.0


@pytest.fixture
def sb(gototraining_sandbox: Sandbox) -> Sandbox:
    return gototraining_sandbox


class TokenRequests:
    """Counts the refresh grants the sandbox's token endpoint answers."""

    def __init__(self, sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
        self.refreshes = 0
        grant = sb.core.auth.grant

        def counted(form: dict[str, str]) -> dict[str, Any]:
            if form.get("grant_type") == "refresh_token":
                self.refreshes += 1
            return grant(form)

        monkeypatch.setattr(sb.core.auth, "grant", counted)


@pytest.fixture
def token_requests(sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> TokenRequests:
    return TokenRequests(sb, monkeypatch)


def _oauth2(sb: Sandbox, **options: Any) -> OAuth2:
    """The sandbox's login (its access token is used until it is rejected)."""
    return OAuth2(
        sb.client_id,
        sb.client_secret,
        sb.refresh_token,
        access_token=sb.token,
        token_url=sb.token_url,
        **options,
    )


class Runner:
    """Runs calls on a sync client, or an async one on one event loop of its own."""

    def __init__(self, sb: Sandbox, flavor: str, auth: OAuth2) -> None:
        self.is_async = flavor == "async"
        self.loop = asyncio.new_event_loop() if self.is_async else None
        options: dict[str, Any] = {
            "auth": auth,
            "base_url": sb.url,
            "organizer_key": sb.organizer_key,
        }
        self.client: Any = (
            AsyncGoToTraining(rate_limit=None, **options)
            if self.is_async
            else GoToTraining(rate_limit=None, **options)
        )

    def trainings(self) -> Any:
        if self.loop is None:
            return self.client.trainings.list()
        return self.loop.run_until_complete(self.client.trainings.list())

    def close(self) -> None:
        if self.loop is None:
            self.client.close()
        else:
            self.loop.run_until_complete(self.client.aclose())
            self.loop.close()


@pytest.fixture(params=["sync", "async"])
def flavor(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def runners() -> Iterator[list[Runner]]:
    made: list[Runner] = []
    yield made
    for runner in made:
        runner.close()


def _runner(sb: Sandbox, flavor: str, auth: OAuth2, runners: list[Runner]) -> Runner:
    runner = Runner(sb, flavor, auth)
    runners.append(runner)
    return runner


def _refresh_works(sb: Sandbox, refresh_token: str) -> bool:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return httpx.post(sb.token_url, data=form, auth=(sb.client_id, sb.client_secret)).is_success


# -- item 12: hooks -----------------------------------------------------------------------------


def test_an_async_hook_is_awaited_on_the_async_client(sb: Sandbox, runners: list[Runner]) -> None:
    saved: list[OAuth2Token] = []

    async def save(token: OAuth2Token) -> None:
        await asyncio.sleep(0)  # a real await, as a database driver's
        saved.append(token)

    runner = _runner(sb, "async", _oauth2(sb, on_token_refresh=save), runners)
    sb.expire_tokens()
    assert runner.trainings() == []
    assert len(saved) == 1 and _refresh_works(sb, saved[0].refresh_token)


def test_a_blocking_sync_hook_does_not_stall_the_event_loop(
    sb: Sandbox, runners: list[Runner]
) -> None:
    """The hook blocks until a task of the client's own event loop lets it go on: on the
    loop itself it would wait for good (here: until ``HANG`` runs out)."""
    started, proceed = threading.Event(), threading.Event()
    outcome: list[bool] = []

    def save(token: OAuth2Token) -> None:  # e.g. a blocking database driver
        started.set()
        outcome.append(proceed.wait(HANG))

    runner = _runner(sb, "async", _oauth2(sb, on_token_refresh=save), runners)
    assert runner.loop is not None

    async def unblock() -> None:
        await asyncio.to_thread(started.wait, HANG)
        proceed.set()  # runs on the event loop: only if the hook does not block it

    async def scenario() -> list[Any]:
        helper = asyncio.create_task(unblock())
        trainings = await runner.client.trainings.list()
        await helper
        return list(trainings)

    sb.expire_tokens()
    assert runner.loop.run_until_complete(scenario()) == []
    assert outcome == [True]


def test_a_failing_save_reaches_the_caller_as_a_typed_error(
    sb: Sandbox, flavor: str, runners: list[Runner], token_requests: TokenRequests
) -> None:
    def save(token: OAuth2Token) -> None:
        raise OSError("the database is down")

    runner = _runner(sb, flavor, _oauth2(sb, on_token_refresh=save), runners)
    sb.expire_tokens()
    with pytest.raises(TokenSaveError) as caught:
        runner.trainings()
    error = caught.value
    assert isinstance(error.__cause__, OSError)
    assert "the request was not sent" in str(error)
    assert error.token.refresh_token not in str(error) and error.token.refresh_token not in repr(
        error
    )
    assert _refresh_works(sb, error.token.refresh_token)  # what to save, handed over
    assert sb.request_count("getAllTrainings") == 1  # the 403; the repetition was not sent


def test_the_new_tokens_are_kept_when_the_save_fails(
    sb: Sandbox, flavor: str, runners: list[Runner], token_requests: TokenRequests
) -> None:
    failures = [OSError("the database is down")]

    def save(token: OAuth2Token) -> None:
        if failures:
            raise failures.pop()

    runner = _runner(sb, flavor, _oauth2(sb, on_token_refresh=save), runners)
    sb.expire_tokens()
    with pytest.raises(TokenSaveError):
        runner.trainings()
    assert runner.trainings() == []  # with the refreshed token, kept in memory
    assert token_requests.refreshes == 1


def test_an_async_hook_on_the_sync_client_is_a_typed_error(
    sb: Sandbox, runners: list[Runner]
) -> None:
    async def save(token: OAuth2Token) -> None:
        raise AssertionError("never awaited")

    runner = _runner(sb, "sync", _oauth2(sb, on_token_refresh=save), runners)
    sb.expire_tokens()
    with pytest.raises(TokenSaveError, match="AsyncGoToTraining"):
        runner.trainings()


# -- item 13: a revoked grant is latched ----------------------------------------------------------


def test_a_revoked_grant_fails_fast_names_the_organizer_and_says_what_to_do(
    sb: Sandbox, flavor: str, runners: list[Runner], token_requests: TokenRequests
) -> None:
    runner = _runner(sb, flavor, _oauth2(sb), runners)
    assert runner.trainings() == []
    sb.revoke_refresh_token()
    sb.expire_tokens()
    with pytest.raises(AuthenticationError) as first:
        runner.trainings()
    message = str(first.value)
    assert "invalid_grant" in message and sb.organizer_key in message
    assert first.value.hint is not None and "sign in again" in first.value.hint
    with pytest.raises(AuthenticationError) as second:
        runner.trainings()
    assert str(second.value) == message
    assert token_requests.refreshes == 1  # the second call did not ask again
    assert sb.request_count("getAllTrainings") == 2  # the first 403 and the first success


def test_a_revoked_stored_login_fails_fast_until_the_store_holds_newer_tokens(
    sb: Sandbox, tmp_path: Path, token_requests: TokenRequests
) -> None:
    def login() -> StoredTokens:
        """A fresh grant of the main organizer, as ``gototraining login`` stores it."""
        redirect = "http://127.0.0.1:9/callback"
        page = httpx.get(
            sb.authorize_url, params={"client_id": sb.client_id, "redirect_uri": redirect}
        )
        code = httpx.URL(page.headers["location"]).params["code"]
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect}
        answer = httpx.post(sb.token_url, data=form, auth=(sb.client_id, sb.client_secret))
        tokens = answer.json()
        return StoredTokens(
            client_id=sb.client_id,
            client_secret=sb.client_secret,
            token_url=sb.token_url,
            access_token=tokens["access_token"],
            refresh_token=tokens["refresh_token"],
            organizer_key=sb.organizer_key,
            base_url=sb.url,
        )

    store = TokenStore(tmp_path / "config")
    store.save(login())
    with GoToTraining(rate_limit=None, token_store=store) as client:
        sb.revoke_refresh_token()
        sb.expire_tokens()
        with pytest.raises(AuthenticationError, match=sb.organizer_key):
            client.trainings.list()
        with pytest.raises(AuthenticationError):
            client.trainings.list()
        assert token_requests.refreshes == 1
        store.save(login())  # the user logged in again meanwhile
        assert client.trainings.list() == []  # the running client uses the newer login
        assert token_requests.refreshes == 1  # its access token was fresh: no refresh
