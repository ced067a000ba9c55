"""The auth split by job: the sans-IO flow driven by hand, async waiters woken (not polling),
errors passed to waiters as copies with every field, and the library half of a login
(``authorization_url``, ``exchange_authorization_code`` and its async twin)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from gototraining import (
    DEFAULT_AUTHORIZE_URL,
    AsyncGoToTraining,
    AuthenticationError,
    DecodeError,
    GoToTraining,
    OAuth2,
    OAuth2Token,
    RateLimitError,
    TokenResponseError,
    ValidationError,
    async_exchange_authorization_code,
    authorization_url,
    exchange_authorization_code,
)
from gototraining._auth import pkce_challenge
from gototraining._auth_flow import AwaitRefresh, InFlight, ReadBody

TOKEN_URL = "https://auth.example/oauth/token"
API = "https://api.example/G2T/rest"
ORG = "1000000000000000001"
CODE = "the-authorization-code-123"
SECRET = "the-client-secret-456"
WAIT = 10.0  # seconds an event may take before the test fails (never reached when passing)


def token_answer(n: int) -> httpx.Response:
    return httpx.Response(
        200, json={"access_token": f"at-{n}", "refresh_token": f"rt-{n}", "expires_in": 3600}
    )


# -- the sans-IO flow, driven by hand --------------------------------------------------------------


def test_the_flow_is_a_generator_of_steps() -> None:
    """What both drivers perform: token request, its body, the API request with the new token;
    on a rejection: the body, one refresh, the request once more."""
    auth = OAuth2("client", SECRET, "rt-1", token_url=TOKEN_URL)
    request = httpx.Request("GET", API + "/organizers/1/trainings")
    flow = auth._keeper.flow(request, auth.refresh_wait)

    token_request = next(flow)  # no access token yet: refresh first
    assert isinstance(token_request, httpx.Request) and str(token_request.url) == TOKEN_URL
    assert parse_qs(token_request.content.decode())["refresh_token"] == ["rt-1"]
    answer = token_answer(2)
    answer.request = token_request
    assert isinstance(flow.send(answer), ReadBody)
    sent = flow.send(None)
    assert sent is request and request.headers["authorization"] == "Bearer at-2"

    rejected = httpx.Response(401, json={"msg": "expired"}, request=request)
    assert isinstance(flow.send(rejected), ReadBody)
    again = flow.send(None)
    assert isinstance(again, httpx.Request) and str(again.url) == TOKEN_URL
    assert parse_qs(again.content.decode())["refresh_token"] == ["rt-2"]  # rotated
    answer = token_answer(3)
    answer.request = again
    assert isinstance(flow.send(answer), ReadBody)
    assert flow.send(None) is request and request.headers["authorization"] == "Bearer at-3"
    with pytest.raises(StopIteration):  # repeated at most once
        flow.send(httpx.Response(401, request=request))
    assert auth.refresh_count == 2


def test_a_second_request_waits_for_the_refresh_in_flight() -> None:
    auth = OAuth2("client", SECRET, "rt-1", token_url=TOKEN_URL)
    first = auth._keeper.flow(httpx.Request("GET", API + "/a"), auth.refresh_wait)
    second = auth._keeper.flow(httpx.Request("GET", API + "/b"), auth.refresh_wait)
    token_request = next(first)
    wait = next(second)
    assert isinstance(wait, AwaitRefresh) and not wait.inflight.done
    assert isinstance(token_request, httpx.Request)
    answer = token_answer(2)
    answer.request = token_request
    first.send(answer)
    first.send(None)  # stored: the refresh is done
    assert wait.inflight.done
    sent = second.send(True)
    assert isinstance(sent, httpx.Request) and sent.headers["authorization"] == "Bearer at-2"
    assert auth.refresh_count == 1


def test_an_abandoned_refresh_is_taken_over_by_a_waiter() -> None:
    auth = OAuth2("client", SECRET, "rt-1", token_url=TOKEN_URL)
    first = auth._keeper.flow(httpx.Request("GET", API + "/a"), auth.refresh_wait)
    second = auth._keeper.flow(httpx.Request("GET", API + "/b"), auth.refresh_wait)
    next(first)
    wait = next(second)
    first.close()  # the leader's request was given up (connection error, cancellation)
    assert isinstance(wait, AwaitRefresh) and wait.inflight.done
    takeover = second.send(True)
    assert isinstance(takeover, httpx.Request) and str(takeover.url) == TOKEN_URL


# -- async waiters are woken, they do not poll ---------------------------------------------------


def test_async_waiters_are_woken_without_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sync thread performs the refresh; an async task of another thread waits for it. The
    task must not spin (``asyncio.sleep`` in a loop keeps its event loop busy): it parks on a
    future that the refresh's end resolves through ``call_soon_threadsafe``."""
    entered, release = threading.Event(), threading.Event()
    token_calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            token_calls.append("token")
            entered.set()
            assert release.wait(WAIT)
            return token_answer(2)
        return httpx.Response(200, json=[])

    auth = OAuth2("client", SECRET, "rt-1", token_url=TOKEN_URL)
    results: list[Any] = []
    leader = threading.Thread(
        target=lambda: results.append(
            GoToTraining(
                auth=auth,
                organizer_key=ORG,
                rate_limit=None,
                http_client=httpx.Client(transport=httpx.MockTransport(handler)),
            ).trainings.list()
        )
    )
    leader.start()
    assert entered.wait(WAIT)

    real_sleep = asyncio.sleep
    polls: list[float] = []
    test_loop: list[asyncio.AbstractEventLoop] = []

    async def counting_sleep(delay: float, *args: Any) -> Any:
        # Only this test's loop: a sandbox server of the session, running in a thread of its
        # own, ticks with asyncio.sleep(0.1) too.
        if asyncio.get_running_loop() in test_loop:
            polls.append(delay)
        return await real_sleep(delay, *args)

    monkeypatch.setattr(asyncio, "sleep", counting_sleep)

    async def waiter() -> None:
        test_loop.append(asyncio.get_running_loop())

        async def api(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json=[])

        http = httpx.AsyncClient(transport=httpx.MockTransport(api))
        client = AsyncGoToTraining(auth=auth, organizer_key=ORG, rate_limit=None, http_client=http)
        task = asyncio.ensure_future(client.trainings.list())
        inflight = auth._keeper._inflight
        assert isinstance(inflight, InFlight)
        for _ in range(100_000):  # let the task run until it waits (or polls)
            if inflight.async_waiters or polls:
                break
            await real_sleep(0)
        assert inflight.async_waiters == 1 and not polls, f"polled: {polls[:5]}"
        release.set()
        results.append(await asyncio.wait_for(task, WAIT))
        await http.aclose()

    try:
        asyncio.run(waiter())
    finally:
        release.set()
        leader.join(WAIT)
    assert results == [[], []] and token_calls == ["token"] and not polls


def test_an_async_waiter_gives_up_at_the_deadline_and_unregisters() -> None:
    inflight = InFlight()

    async def wait() -> bool:
        return await inflight.wait_async(0.01)

    assert asyncio.run(wait()) is False
    assert inflight.async_waiters == 0
    inflight.finish(None)
    assert asyncio.run(wait()) is True  # already done: no waiting at all


def test_finishing_wakes_waiters_of_closed_loops_harmlessly() -> None:
    inflight = InFlight()
    loop = asyncio.new_event_loop()
    future = loop.create_future()
    inflight._waiters.append((loop, future))
    loop.close()
    inflight.finish(None)  # the closed loop cannot be woken: no error
    assert inflight.done and inflight.async_waiters == 0


# -- errors passed to waiters are copies with every field ---------------------------------------


def test_waiters_get_a_copy_of_the_refusal_with_retry_after_and_incident(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entered, release, waiting = threading.Event(), threading.Event(), threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            entered.set()
            assert release.wait(WAIT)
            return httpx.Response(
                429, json={"error": "slow_down", "incident": "inc-7"}, headers={"Retry-After": "7"}
            )
        raise AssertionError("the API request must not be sent")

    real_wait = InFlight.wait

    def signalling_wait(self: InFlight, timeout: float) -> bool:
        waiting.set()
        return real_wait(self, timeout)

    monkeypatch.setattr(InFlight, "wait", signalling_wait)
    auth = OAuth2("client", SECRET, "rt-1", token_url=TOKEN_URL)
    errors: list[BaseException] = []

    def call() -> None:
        http = httpx.Client(transport=httpx.MockTransport(handler))
        client = GoToTraining(auth=auth, organizer_key=ORG, rate_limit=None, http_client=http)
        try:
            client.trainings.list()
        except RateLimitError as exc:
            errors.append(exc)

    leader = threading.Thread(target=call)
    leader.start()
    assert entered.wait(WAIT)
    waiter = threading.Thread(target=call)
    waiter.start()
    assert waiting.wait(WAIT)  # the second request waits for the refresh in flight
    release.set()
    leader.join(WAIT)
    waiter.join(WAIT)
    assert len(errors) == 2
    for err in errors:
        assert isinstance(err, RateLimitError)
        assert err.retry_after == 7 and err.incident == "inc-7" and err.status == 429
        assert err.message.startswith("token refresh failed")
    original, copy = sorted(errors, key=lambda e: bool(getattr(e, "__notes__", None)))
    assert copy is not original and copy.__cause__ is original
    assert "concurrent request" in copy.__notes__[0]
    assert not getattr(original, "__notes__", None)  # the leader's own error is untouched


# -- the login: authorization_url ------------------------------------------------------------------


def test_authorization_url_carries_client_redirect_and_state() -> None:
    url, state, verifier = authorization_url("my-client", "http://127.0.0.1:8000/callback")
    parts = urlsplit(url)
    assert url.startswith(DEFAULT_AUTHORIZE_URL + "?")
    query = parse_qs(parts.query)
    assert query == {
        "response_type": ["code"],
        "client_id": ["my-client"],
        "redirect_uri": ["http://127.0.0.1:8000/callback"],
        "state": [state],
        "code_challenge": [pkce_challenge(verifier)],
        "code_challenge_method": ["S256"],
    }
    assert len(state) >= 40  # 32 random bytes, URL-safe
    assert authorization_url("my-client", "https://app.example/cb").state != state


def test_authorization_url_keeps_a_given_state_scope_and_authorize_url() -> None:
    result = authorization_url(
        "c",
        "https://app.example/cb?next=/home",
        state="s-123",
        scope="collab: identity:",
        authorize_url="http://127.0.0.1:9/oauth/authorize?tenant=1",
    )
    assert result.state == "s-123"
    query = parse_qs(urlsplit(result.url).query)
    assert query["tenant"] == ["1"] and query["scope"] == ["collab: identity:"]
    assert query["redirect_uri"] == ["https://app.example/cb?next=/home"]


@pytest.mark.parametrize(
    ("args", "kwargs", "param"),
    [
        (("", "https://a.example/cb"), {}, "client_id"),
        (("c", "not a url"), {}, "redirect_uri"),
        (("c", "ftp://a.example/cb"), {}, "redirect_uri"),
        (("c", "https://a.example/cb"), {"state": "has space"}, "state"),
        (("c", "https://a.example/cb"), {"state": ""}, "state"),
        (
            ("c", "https://a.example/cb"),
            {"authorize_url": "https://x.example/a#f"},
            "authorize_url",
        ),
    ],
    ids=str,
)
def test_authorization_url_checks_its_arguments(
    args: tuple[str, str], kwargs: dict[str, Any], param: str
) -> None:
    with pytest.raises(ValidationError) as info:
        authorization_url(*args, **kwargs)
    assert info.value.param == param


# -- the login: exchange_authorization_code, sync and async ----------------------------------------

GOOD = {
    "access_token": "at-new",
    "refresh_token": "rt-new",
    "expires_in": 3600,
    "scope": "collab:",
    "organizer_key": 1000000000000000001,
}


def exchange(is_async: bool, answer: Callable[[httpx.Request], httpx.Response]) -> OAuth2Token:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(request)

    kwargs: dict[str, Any] = {
        "client_id": "my-client",
        "client_secret": SECRET,
        "redirect_uri": "http://127.0.0.1:8000/callback",
        "token_url": TOKEN_URL,
    }
    if not is_async:
        http = httpx.Client(transport=httpx.MockTransport(handler))
        with http:
            return exchange_authorization_code(CODE, http_client=http, **kwargs)

    async def main() -> OAuth2Token:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            return await async_exchange_authorization_code(CODE, http_client=http, **kwargs)

    return asyncio.run(main())


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_exchange_returns_the_token_set(is_async: bool) -> None:
    token = exchange(is_async, lambda r: httpx.Response(200, json=GOOD))
    assert token.access_token == "at-new" and token.refresh_token == "rt-new"
    assert token.organizer_key == ORG and token.scope == "collab:"
    assert token.expires_at is not None


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_exchange_keeps_retry_after_and_incident_of_a_429(is_async: bool) -> None:
    busy = httpx.Response(
        429,
        json={"error": "slow_down", "incident": "inc-9", "error_description": f"{CODE} later"},
        headers={"Retry-After": "12"},
    )
    with pytest.raises(RateLimitError) as info:
        exchange(is_async, lambda r: busy)
    err = info.value
    assert err.retry_after == 12 and err.incident == "inc-9" and err.error_code == "slow_down"
    assert err.message.startswith("authorization code exchange failed: ")
    assert CODE not in str(err) and err.body is None


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_exchange_refusal_and_garbage_are_told_apart(is_async: bool) -> None:
    with pytest.raises(AuthenticationError) as refused:
        exchange(is_async, lambda r: httpx.Response(400, json={"error": "invalid_grant"}))
    assert refused.value.error_code == "invalid_grant"
    with pytest.raises(TokenResponseError) as garbled:
        exchange(is_async, lambda r: httpx.Response(200, text="<html>login</html>"))
    assert isinstance(garbled.value, DecodeError)
    assert "not JSON" in str(garbled.value) and garbled.value.url == TOKEN_URL


def test_async_exchange_checks_before_sending() -> None:
    async def main(**kwargs: Any) -> Any:
        return await async_exchange_authorization_code(
            **{
                "code": CODE,
                "client_id": "c",
                "client_secret": "s",
                "redirect_uri": "http://127.0.0.1/cb",
                **kwargs,
            }
        )

    for kwargs, param in (
        ({"code": " "}, "code"),
        ({"timeout": 0}, "timeout"),
        ({"http_client": httpx.Client()}, "http_client"),
    ):
        with pytest.raises(ValidationError) as info:
            asyncio.run(main(**kwargs))
        assert info.value.param == param
