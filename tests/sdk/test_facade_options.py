"""``ClientOptions`` and ``with_options``; the per-call escape hatches (``max_retries``,
``extra_headers``, ``extra_query``, ``extra_body``), ``with_raw_response`` and
``client.request``: all through the one pipeline, on both flavors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from gototraining import (
    AsyncGoToTraining,
    ClientClosedError,
    ClientOptions,
    ConflictError,
    GoToTraining,
    NotFoundError,
    RateLimiter,
    RawResponse,
    RetryPolicy,
    ServerError,
    Training,
    ValidationError,
    WrongEventLoopError,
)
from gototraining._transport import ApiRequest, Call, no_content

from .conftest import Flavor
from .payloads import REGISTRANT, TRAINING


class Recorder:
    """A MockTransport handler: ``answer(request)`` per request; every request is kept."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response]) -> None:
        self.answer = answer
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        return self.answer(request)


def training_ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=TRAINING, headers={"X-Request-Id": "req-1"})


def never(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"nothing may be sent: {request.method} {request.url}")


# -- ClientOptions -----------------------------------------------------------------------------


def test_options_hold_the_resolved_configuration(flavor: Flavor) -> None:
    limiter = RateLimiter(5)
    client = flavor.client(
        training_ok, base_url="https://api.example/G2T/rest///", rate_limit=limiter
    )
    options: ClientOptions = client.options
    assert options.base_url == "https://api.example/G2T/rest"  # one trailing-slash rule
    assert options.organizer_key == "1000000000000000001"
    assert options.rate_limiter is limiter
    assert options.retry_policy == RetryPolicy()
    assert options.credentials == "access_token argument"
    assert options.timeout.__class__.__name__ == "NotGiven"  # the given http_client's own
    with pytest.raises(AttributeError):
        options.base_url = "https://elsewhere"
    assert "test-token" not in repr(options) and "ClientOptions(organizer_key=" in repr(options)


def test_an_sdk_made_client_records_its_default_timeout() -> None:
    with GoToTraining(access_token="t" * 12, organizer_key=1) as client:
        assert client.options.timeout == httpx.Timeout(30.0, connect=10.0)
        assert client.http_client.timeout == client.options.timeout


def test_max_retries_and_retry_policy_together_are_refused(flavor: Flavor) -> None:
    with pytest.raises(ValidationError) as info:
        flavor.client(never, max_retries=3, retry_policy=RetryPolicy(max_retries=1))
    assert info.value.param == "max_retries"


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"default_headers": {"Authorization": "Bearer x"}}, "default_headers"),
        ({"default_headers": {"X-Bad": "a\r\nb"}}, "default_headers"),
        ({"default_headers": {"bad name": "x"}}, "default_headers"),
        ({"max_retries": -1}, "max_retries"),
        ({"rate_limit": "10"}, "rate_limit"),
    ],
    ids=str,
)
def test_bad_constructor_arguments(flavor: Flavor, kwargs: dict[str, Any], param: str) -> None:
    with pytest.raises(ValidationError) as info:
        flavor.client(never, **kwargs)
    assert info.value.param == param
    assert "a\r\nb" not in str(info.value)


def test_default_headers_go_with_every_request(flavor: Flavor) -> None:
    handler = Recorder(training_ok)
    flavor.client(handler, default_headers={"X-Team": "ops"})
    flavor.run(lambda c: c.trainings.get(2))
    assert handler.seen[0].headers["x-team"] == "ops"
    assert handler.seen[0].headers["authorization"] == "Bearer test-token"


def test_a_header_given_again_replaces_it_whatever_its_case(flavor: Flavor) -> None:
    """Header names ignore case: a replacement spelled differently must not send both values."""
    handler = Recorder(training_ok)
    client = flavor.client(
        handler, default_headers={"X-Team": "ops", "accept": "application/vnd.x+json"}
    )
    derived = client.with_options(default_headers={"x-team": "derived"})
    flavor.run(lambda c: c.trainings.get(2, extra_headers={"user-agent": "mine/1"}), client=client)
    flavor.run(lambda c: c.trainings.get(2), client=derived)
    flavor.run(lambda c: c.trainings.get(2, extra_headers={"X-TEAM": "call"}), client=derived)
    first, second, third = (request.headers for request in handler.seen)
    assert first.get_list("accept") == ["application/vnd.x+json"]
    assert first.get_list("user-agent") == ["mine/1"]
    assert first.get_list("x-team") == ["ops"]
    assert second.get_list("x-team") == ["derived"]
    assert third.get_list("x-team") == ["call"]


def test_a_header_named_twice_in_one_mapping_is_refused(flavor: Flavor) -> None:
    with pytest.raises(ValidationError) as info:
        flavor.client(never, default_headers={"X-Team": "a", "x-team": "b"})
    assert info.value.param == "default_headers" and "twice" in str(info.value)


# -- with_options --------------------------------------------------------------------------------


def test_with_options_shares_pool_auth_and_limiter(flavor: Flavor) -> None:
    handler = Recorder(training_ok)
    limiter = RateLimiter(1000)
    client = flavor.client(handler, rate_limit=limiter, default_headers={"X-A": "1"})
    derived = client.with_options(
        timeout=7, max_retries=5, default_headers={"X-B": "2"}, user_agent="me/1"
    )
    assert type(derived) is type(client)
    assert derived.http_client is client.http_client
    assert derived.options.auth is client.options.auth
    assert derived.options.rate_limiter is limiter
    assert derived.options.retry_policy == RetryPolicy(max_retries=5)
    assert client.options.retry_policy == RetryPolicy()  # the original is unchanged
    flavor.run(lambda c: c.trainings.get(2), derived)
    flavor.run(lambda c: c.trainings.get(2), client)
    mine, theirs = handler.seen
    assert mine.extensions["timeout"] == httpx.Timeout(7).as_dict()
    assert theirs.extensions["timeout"] != httpx.Timeout(7).as_dict()
    assert mine.headers["x-a"] == "1" and mine.headers["x-b"] == "2"
    assert "x-b" not in theirs.headers
    assert mine.headers["user-agent"] == "me/1"


def test_with_options_keeps_the_rest_of_a_custom_retry_policy(flavor: Flavor) -> None:
    policy = RetryPolicy(max_retries=1, backoff_base=3.0, jitter=0.0)
    client = flavor.client(lambda r: httpx.Response(503), retry_policy=policy, rate_limit=None)
    derived = client.with_options(max_retries=3)
    assert derived.options.retry_policy == RetryPolicy(max_retries=3, backoff_base=3.0, jitter=0.0)
    derived._transport.sleep = client._transport.sleep
    with pytest.raises(ServerError):
        flavor.run(lambda c: c.trainings.get(2), derived)
    assert flavor.sleeps == [3.0, 6.0, 8.0]  # three retries, the policy's own backoff


def test_with_options_rate_limit_replaces_the_limiter(flavor: Flavor) -> None:
    limiter = RateLimiter(10)
    client = flavor.client(never, rate_limit=limiter)
    assert client.with_options(rate_limit=None).options.rate_limiter is None
    other = client.with_options(rate_limit=2.5).options.rate_limiter
    assert isinstance(other, RateLimiter) and other is not limiter and other.rate == 2.5


def test_with_options_organizer_key_changes_the_paths(flavor: Flavor) -> None:
    handler = Recorder(training_ok)
    client = flavor.client(handler)
    flavor.run(lambda c: c.trainings.get(2), client.with_options(organizer_key=42))
    assert handler.seen[0].url.path == "/G2T/rest/organizers/42/trainings/2"


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"timeout": -1}, "timeout"),
        ({"max_retries": 10**6}, "max_retries"),
        ({"rate_limit": 0}, "rate_limit"),
        ({"base_url": "ftp://x"}, "base_url"),
        ({"organizer_key": "12x"}, "organizer_key"),
        ({"max_response_size": 10}, "max_response_size"),
        ({"user_agent": "a\nb"}, "user_agent"),
        ({"default_headers": {"Host": "evil"}}, "default_headers"),
        ({"max_retries": 1, "retry_policy": RetryPolicy()}, "max_retries"),
    ],
    ids=str,
)
def test_with_options_checks_like_the_constructor(
    flavor: Flavor, kwargs: dict[str, Any], param: str
) -> None:
    client = flavor.client(never)
    with pytest.raises(ValidationError) as info:
        client.with_options(**kwargs)
    assert info.value.param == param


def test_closing_a_derived_client_leaves_the_pool_open(tmp_path: Path) -> None:
    client = GoToTraining(access_token="t" * 12, organizer_key=1)
    derived = client.with_options(timeout=5)
    derived.close()
    assert not client.http_client.is_closed  # the original owns the pool
    with pytest.raises(ClientClosedError):
        derived.trainings.get(1)
    client.close()
    assert client.http_client.is_closed
    with pytest.raises(ClientClosedError):
        client.with_options(timeout=6).trainings.get(1)


def test_derived_async_clients_share_the_event_loop_binding() -> None:
    client = AsyncGoToTraining(
        access_token="t" * 12,
        organizer_key=1,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(training_ok)),
    )
    derived = client.with_options(timeout=5)
    asyncio.run(client.trainings.get(2))
    with pytest.raises(WrongEventLoopError):  # the pooled connections belong to that loop
        asyncio.run(derived.trainings.get(2))


# -- per-call options ----------------------------------------------------------------------------


def test_extra_headers_and_query_reach_the_request(flavor: Flavor) -> None:
    handler = Recorder(training_ok)
    flavor.client(handler, default_headers={"X-Team": "ops"})
    flavor.run(
        lambda c: c.trainings.get(
            2,
            extra_headers={"X-Team": "training", "X-Feature": "beta"},
            extra_query={"expand": "organizers", "limit": 5, "all": True},
        )
    )
    sent = handler.seen[0]
    assert sent.headers["x-team"] == "training" and sent.headers["x-feature"] == "beta"
    assert sent.url.params == httpx.QueryParams(
        {"expand": "organizers", "limit": "5", "all": "true"}
    )
    assert sent.url.path == "/G2T/rest/organizers/1000000000000000001/trainings/2"


def test_extra_body_is_merged_into_the_json_body(flavor: Flavor) -> None:
    handler = Recorder(lambda r: httpx.Response(201, json="2000000000000000002"))
    flavor.client(handler)
    from datetime import UTC, datetime

    start, end = datetime(2030, 1, 1, 9, tzinfo=UTC), datetime(2030, 1, 1, 10, tzinfo=UTC)
    key = flavor.run(
        lambda c: c.trainings.create(
            name="Onboarding",
            times=[(start, end)],
            time_zone="Europe/Berlin",
            extra_body={"newFlag": True, "name": "Renamed"},
        )
    )
    assert key == "2000000000000000002"
    body = json.loads(handler.seen[0].content)
    assert body["newFlag"] is True and body["name"] == "Renamed"
    assert body["timeZone"] == "Europe/Berlin"  # the generated fields are all still there


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"extra_body": {"x": 1}}, "extra_body"),  # a GET has no body
        ({"extra_body": {"x": float("nan")}}, "extra_body"),
        ({"extra_body": {"x": object()}}, "extra_body"),
        ({"extra_headers": {"Authorization": "Bearer other"}}, "extra_headers"),
        ({"extra_headers": {"Content-Length": "3"}}, "extra_headers"),
        ({"extra_headers": {"X": "\x00"}}, "extra_headers"),
        ({"extra_headers": ["X"]}, "extra_headers"),
        ({"extra_query": {"": "x"}}, "extra_query"),
        ({"extra_query": {"x": None}}, "extra_query"),
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": True}, "max_retries"),
    ],
    ids=str,
)
def test_bad_per_call_options_are_refused_before_sending(
    flavor: Flavor, kwargs: dict[str, Any], param: str
) -> None:
    flavor.client(never)
    with pytest.raises(ValidationError) as info:
        flavor.run(lambda c: c.trainings.get(2, **kwargs))
    assert info.value.param == param


def test_extra_body_refuses_a_body_that_is_no_object(flavor: Flavor) -> None:
    client = flavor.client(never)
    call = Call(ApiRequest("someOperation", "PUT", "/x", json=["a", "b"]), no_content)
    from gototraining._options import CallOptions

    with pytest.raises(ValidationError, match="JSON list, not an object") as info:
        flavor.run(lambda c: c._transport.request(call, CallOptions(extra_body={"x": 1})), client)
    assert info.value.param == "extra_body"


@pytest.mark.parametrize(("max_retries", "attempts"), [(0, 1), (4, 5)])
def test_per_call_max_retries(flavor: Flavor, max_retries: int, attempts: int) -> None:
    handler = Recorder(lambda r: httpx.Response(503))
    flavor.client(handler, retry_policy=RetryPolicy(max_retries=2, jitter=0.0), rate_limit=None)
    with pytest.raises(ServerError):
        flavor.run(lambda c: c.trainings.get(2, max_retries=max_retries))
    assert len(handler.seen) == attempts
    assert flavor.sleeps == [min(8.0, 0.5 * 2**n) for n in range(attempts - 1)]


def test_extra_body_goes_to_the_plan_steps_that_send_a_body(flavor: Flavor) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(409, json={"errorCode": "Conflict"})
        return httpx.Response(200, json=[REGISTRANT])

    handler = Recorder(answer)
    flavor.client(handler)
    registration = flavor.run(
        lambda c: c.registrants.register(
            2,
            email="ada@example.com",
            given_name="Ada",
            surname="Lovelace",
            if_exists="return",
            extra_body={"source": "import"},
        )
    )
    assert registration.created is False and registration.registrant_key == "7"
    post, get = handler.seen
    assert json.loads(post.content)["source"] == "import"
    assert get.method == "GET" and get.content == b""


# -- with_raw_response ---------------------------------------------------------------------------


def test_raw_response_gives_the_response_beside_the_result(flavor: Flavor) -> None:
    flavor.client(training_ok)
    raw = flavor.run(lambda c: c.with_raw_response.trainings.get(2))
    assert isinstance(raw, RawResponse)
    assert raw.status_code == 200 and raw.headers["x-request-id"] == "req-1"
    assert isinstance(raw.parsed, Training) and raw.parse() is raw.parsed
    assert raw.http_response.json()["name"] == "Onboarding"
    assert raw.parsed.name == "Onboarding"
    # the ordinary namespace is unchanged
    assert isinstance(flavor.run(lambda c: c.trainings.get(2)), Training)


def test_raw_response_errors_are_the_same(flavor: Flavor) -> None:
    flavor.client(lambda r: httpx.Response(404, json={"description": "gone"}))
    with pytest.raises(NotFoundError, match="gone"):
        flavor.run(lambda c: c.with_raw_response.trainings.get(2))


def test_raw_response_of_a_plan_is_its_last_response(flavor: Flavor) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(409, json={"errorCode": "Conflict"})
        return httpx.Response(200, json=[REGISTRANT], headers={"X-Step": "list"})

    flavor.client(answer)
    raw = flavor.run(
        lambda c: c.with_raw_response.registrants.register(
            2, email="ada@example.com", given_name="Ada", surname="Lovelace", if_exists="return"
        )
    )
    assert raw.headers["x-step"] == "list" and raw.parsed.created is False
    with pytest.raises(ConflictError):
        flavor.run(
            lambda c: c.with_raw_response.registrants.register(
                2, email="ada@example.com", given_name="Ada", surname="Lovelace"
            )
        )


def test_raw_response_of_a_download_is_the_file_hosts(flavor: Flavor, tmp_path: Path) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "files.example":
            return httpx.Response(200, content=b"video", headers={"ETag": "v1"})
        return httpx.Response(302, headers={"Location": "https://files.example/r.mp4"})

    flavor.client(answer)
    raw = flavor.run(lambda c: c.with_raw_response.recordings.download(5, 42, tmp_path))
    assert raw.headers["etag"] == "v1"
    assert raw.parsed == tmp_path / "recording-42.mp4" and raw.parsed.read_bytes() == b"video"


def test_raw_namespaces_mirror_the_client() -> None:
    for cls, raw_cls in (
        (GoToTraining, "GoToTrainingWithRawResponse"),
        (AsyncGoToTraining, "AsyncGoToTrainingWithRawResponse"),
    ):
        client = cls(access_token="t" * 12, organizer_key=1)
        raw = client.with_raw_response
        assert type(raw).__name__ == raw_cls and client.with_raw_response is raw
        for name in ("trainings", "registrants", "organizers", "reports", "recordings"):
            methods = {m for m in dir(getattr(client, name)) if not m.startswith("_")}
            methods -= {"register_many"}  # a batch: many responses, none to show
            assert methods == {m for m in vars(getattr(raw, name)) if not m.startswith("_")}


# -- client.request --------------------------------------------------------------------------------


def test_request_goes_through_the_pipeline(flavor: Flavor) -> None:
    handler = Recorder(lambda r: httpx.Response(200, json={"count": 3}))
    client = flavor.client(handler)
    response = flavor.run(
        lambda c: c.request(
            "get",
            f"/organizers/{c.organizer_key}/trainings/2/registrants/count",
            params={"status": "APPROVED"},
            headers={"X-Feature": "beta"},
        )
    )
    assert isinstance(response, httpx.Response) and response.json() == {"count": 3}
    sent = handler.seen[0]
    assert sent.method == "GET" and sent.url.params["status"] == "APPROVED"
    assert str(sent.url).startswith(client.base_url + "/organizers/")
    assert sent.headers["authorization"] == "Bearer test-token"
    assert sent.headers["x-feature"] == "beta" and sent.headers["accept"] == "application/json"


def test_request_maps_errors_and_retries_by_method(flavor: Flavor) -> None:
    handler = Recorder(lambda r: httpx.Response(503))
    flavor.client(handler, max_retries=2)
    with pytest.raises(ServerError):
        flavor.run(lambda c: c.request("GET", "/ping"))
    assert len(handler.seen) == 3  # a GET is retried
    handler.seen.clear()
    with pytest.raises(ServerError):
        flavor.run(lambda c: c.request("POST", "/things", json={"a": 1}))
    assert len(handler.seen) == 1  # a POST is not, after a 503
    handler.seen.clear()
    with pytest.raises(ServerError):
        flavor.run(lambda c: c.request("POST", "/things", json={"a": 1}, replay_safe=True))
    assert len(handler.seen) == 3
    assert json.loads(handler.seen[0].content) == {"a": 1}
    handler.answer = lambda r: httpx.Response(404, json={"description": "no such path"})
    with pytest.raises(NotFoundError, match="no such path"):
        flavor.run(lambda c: c.request("DELETE", "/things/1", max_retries=0))


@pytest.mark.parametrize(
    ("args", "kwargs", "param"),
    [
        (("FETCH", "/x"), {}, "method"),
        (("GET", "x"), {}, "path"),
        (("GET", "https://evil.example/x"), {}, "path"),
        (("GET", "/x?token=1"), {}, "path"),
        (("GET", "/a b"), {}, "path"),
        (("GET", "/../../_sandbox/state"), {}, "path"),
        (("GET", "/organizers/../../../oauth/token"), {}, "path"),
        (("GET", "/organizers/%2e%2E/%2E%2e/x"), {}, "path"),
        (("GET", "/./x"), {}, "path"),
        (("GET", "/.."), {}, "path"),
        (("POST", "/x"), {"json": {"a": float("inf")}}, "json"),
        (("POST", "/x"), {"json": {1, 2}}, "json"),
        (("GET", "/x"), {"params": {"a": [object()]}}, "extra_query"),
        (("GET", "/x"), {"headers": {"Authorization": "Bearer x"}}, "extra_headers"),
        (("GET", "/x"), {"replay_safe": "yes"}, "replay_safe"),
        (("GET", "/x"), {"timeout": -2}, "timeout"),
    ],
    ids=str,
)
def test_request_checks_before_sending(
    flavor: Flavor, args: tuple[str, str], kwargs: dict[str, Any], param: str
) -> None:
    flavor.client(never)
    with pytest.raises(ValidationError) as info:
        flavor.run(lambda c: c.request(*args, **kwargs))
    assert info.value.param == param
