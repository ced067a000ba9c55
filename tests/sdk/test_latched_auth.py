"""A client whose login is known to be dead -- the grant refused at a refresh, or the stored
login removed by ``gototraining logout`` -- fails before it waits for a turn in the rate
limiter: the wait would cost the caller time and every other client of a shared quota a slot.
It still picks a new login up from the token store by itself.

The limiter runs on a clock of the test's: a turn that is not free is 1000 s away, so a call
that waits for one fails with ``QueueTimeoutError`` instead of the auth's error, and every
sleep the pipeline asks for is recorded (``flavor.sleeps``)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from gototraining import (
    AuthenticationError,
    GoToTrainingError,
    OAuth2,
    QueueTimeoutError,
    RateLimiter,
)
from gototraining._client import DEFAULT_BASE_URL
from gototraining.token_store import StoredTokens, TokenStore, TokenStoreError

from .conftest import Flavor

TOKEN_URL = "https://auth.example/oauth/token"
ORG = "1000000000000000001"


class Api:
    """The token endpoint, refusing the grant while ``revoked``, and an API that accepts
    only the newest access token (``at-<generation>``)."""

    def __init__(self) -> None:
        self.revoked = False
        self.generation = 1
        self.token_requests = 0
        self.api_requests = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            self.token_requests += 1
            if self.revoked:
                return httpx.Response(
                    400, json={"error": "invalid_grant", "error_description": "grant revoked"}
                )
            self.generation += 1
            n = self.generation
            return httpx.Response(
                200,
                json={"access_token": f"at-{n}", "refresh_token": f"rt-{n}", "expires_in": 3600},
            )
        self.api_requests += 1
        if request.headers.get("authorization") != f"Bearer at-{self.generation}":
            return httpx.Response(401, json={"msg": "unauthorized"})
        return httpx.Response(200, json=[])


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def slow_limiter(clock: Clock) -> RateLimiter:
    """One turn per 1000 s of ``clock``: the first is free, the next one is not."""
    return RateLimiter(0.001, clock=clock)


def login(generation: int, *, expires_in: float = -1.0) -> StoredTokens:
    """What ``gototraining login`` stores, tokens of ``generation`` (the access token expired,
    unless ``expires_in`` says otherwise)."""
    return StoredTokens(
        client_id="my-client",
        client_secret="my-secret",
        token_url=TOKEN_URL,
        access_token=f"at-{generation}",
        refresh_token=f"rt-{generation}",
        expires_at=time.time() + expires_in,
        organizer_key=ORG,
        base_url=DEFAULT_BASE_URL,
    )


def test_a_refused_grant_fails_the_next_call_before_the_rate_limiter(flavor: Flavor) -> None:
    api = Api()
    api.revoked = True
    auth = OAuth2("my-client", "my-secret", "rt-1", token_url=TOKEN_URL)
    flavor.client(api.handler, access_token=None, auth=auth, rate_limit=slow_limiter(Clock()))
    with pytest.raises(AuthenticationError):
        flavor.run(lambda c: c.trainings.list())  # the refresh is refused: latched
    assert api.token_requests == 1

    with pytest.raises(AuthenticationError) as doomed:  # not QueueTimeoutError
        flavor.run(lambda c: c.trainings.list())
    assert doomed.value.error_code == "invalid_grant"
    assert doomed.value.attempts == 0 and doomed.value.operation is not None
    assert flavor.sleeps == []  # no wait for a turn
    assert (api.token_requests, api.api_requests) == (1, 0)


@pytest.mark.parametrize("ended_by", ["logout", "revoked grant"])
def test_a_dead_stored_login_fails_before_the_rate_limiter_until_a_new_login(
    flavor: Flavor, tmp_path: Path, ended_by: str
) -> None:
    api = Api()
    store = TokenStore(tmp_path / "config")
    store.save(login(1))
    stored = store.load()
    assert stored is not None
    clock = Clock()
    flavor.client(
        api.handler, access_token=None, auth=store.auth(stored), rate_limit=slow_limiter(clock)
    )
    expected: type[GoToTrainingError] = (
        TokenStoreError if ended_by == "logout" else AuthenticationError
    )
    if ended_by == "logout":
        store.delete()
    else:
        api.revoked = True
    with pytest.raises(expected):
        flavor.run(lambda c: c.trainings.list())  # the refresh finds it out: latched

    with pytest.raises(expected) as doomed:  # at once, not QueueTimeoutError
        flavor.run(lambda c: c.trainings.list())
    assert doomed.value.attempts == 0
    assert flavor.sleeps == [] and api.api_requests == 0
    if ended_by == "logout":
        message = str(doomed.value)
        assert "gototraining login" in message and "no restart needed" in message
        assert "restart it" not in message

    # `gototraining login` again: the same client goes on, as the message says
    api.revoked = False
    api.generation = 7
    store.save(login(7, expires_in=3600.0))
    clock.now += 1000.0  # the next turn of the limiter is due
    assert flavor.run(lambda c: c.trainings.list()) == []
    assert api.api_requests == 1


def test_a_call_during_a_refused_grant_still_waits_for_a_changed_store_to_be_read(
    flavor: Flavor, tmp_path: Path
) -> None:
    """A store that changed since the refusal may hold a new login: the call is not refused
    at once but goes through the auth flow (here: the same login written again, unchanged
    tokens, so the flow refuses it)."""
    api = Api()
    api.revoked = True
    store = TokenStore(tmp_path / "config")
    store.save(login(1))
    stored = store.load()
    assert stored is not None
    clock = Clock()
    flavor.client(
        api.handler, access_token=None, auth=store.auth(stored), rate_limit=slow_limiter(clock)
    )
    with pytest.raises(AuthenticationError):
        flavor.run(lambda c: c.trainings.list())
    store.save(login(1))  # rewritten: another inode and times, the same tokens
    with pytest.raises(QueueTimeoutError):  # it waited for the limiter: the store was read
        flavor.run(lambda c: c.trainings.list())
    clock.now += 1000.0
    with pytest.raises(AuthenticationError):  # read: nothing new, refused (latched again)
        flavor.run(lambda c: c.trainings.list())
    with pytest.raises(AuthenticationError) as doomed:  # ... and now at once
        flavor.run(lambda c: c.trainings.list())
    assert doomed.value.attempts == 0 and flavor.sleeps == []
