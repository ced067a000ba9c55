"""The request pipeline on both flavors, against httpx.MockTransport (edge logic only;
behaviour against the API shape is covered by the cassette tests)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from gototraining import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    DecodeError,
    GoToTraining,
    NotFoundError,
    RateLimiter,
    RateLimitError,
    RegistrationSettings,
    RetryPolicy,
    ServerError,
    ValidationError,
    __version__,
)

from .conftest import Flavor
from .payloads import TRAINING

START = datetime(2026, 12, 1, 9, tzinfo=UTC)
END = datetime(2026, 12, 1, 11, tzinfo=UTC)


def scripted(
    *steps: httpx.Response | Exception,
) -> tuple[Callable[[httpx.Request], httpx.Response], list[httpx.Request]]:
    """A handler answering with ``steps`` in order (exceptions are raised), recording requests."""
    seen: list[httpx.Request] = []
    queue = list(steps)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        step = queue.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    return handler, seen


def ok_training() -> httpx.Response:
    return httpx.Response(200, json=TRAINING)


def test_request_shape(flavor: Flavor) -> None:
    handler, seen = scripted(ok_training())
    flavor.client(handler, base_url="https://proxy.example/G2T/rest/")
    training = flavor.run(lambda c: c.trainings.get(2000000000000000002))
    assert training.training_key == "2000000000000000002" and training.description is None
    [req] = seen
    assert (
        str(req.url)
        == "https://proxy.example/G2T/rest/organizers/1000000000000000001/trainings/2000000000000000002"
    )
    assert req.headers["authorization"] == "Bearer test-token"
    assert req.headers["user-agent"] == f"gototraining/{__version__}"
    assert req.headers["accept"] == "application/json"


def test_create_body_sends_utc_with_z_and_spec_field_names(flavor: Flavor) -> None:
    handler, seen = scripted(httpx.Response(201, json="2000000000000000002"))
    flavor.client(handler)
    from zoneinfo import ZoneInfo

    berlin = datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Europe/Berlin"))
    key = flavor.run(
        lambda c: c.trainings.create(
            name="Onboarding",
            times=[(berlin, END)],
            time_zone="Europe/Berlin",
            co_organizers=[3, "4"],
        )
    )
    assert key == "2000000000000000002"
    assert json.loads(seen[0].content) == {
        "name": "Onboarding",
        "timeZone": "Europe/Berlin",
        "times": [{"startDate": "2026-12-01T09:00:00Z", "endDate": "2026-12-01T11:00:00Z"}],
        "organizers": [3, 4],
    }


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.trainings.get("1/../2"),
        lambda c: c.trainings.get(True),
        lambda c: c.trainings.create(
            name="x", times=[(datetime(2026, 1, 1), END)], time_zone="Europe/Berlin"
        ),
        lambda c: c.trainings.create(name="x", times=[(END, START)], time_zone="Europe/Berlin"),
        lambda c: c.trainings.create(name="x", times=[(START, END)], time_zone="Nowhere/Land"),
        lambda c: c.trainings.create(name="", times=[(START, END)], time_zone="Europe/Berlin"),
        lambda c: c.trainings.set_organizers(1, "12"),
        lambda c: c.registrants.register(1, email="nope", given_name="A", surname="B"),
        lambda c: c.registrants.register(1, email="a@example.com", given_name="A\r\n", surname="B"),
        lambda c: c.registrants.register(
            1, email="a@example.com", given_name="A", surname="B", if_exists="ignore"
        ),
        lambda c: c.registrants.cancel(1, "x"),
        # full API
        lambda c: c.registrants.get(1, "1/2"),
        lambda c: c.trainings.update_times("x", [(START, END)], "Europe/Berlin"),
        lambda c: c.trainings.update_times(1, [], "Europe/Berlin"),
        lambda c: c.trainings.update_times(1, [(END, START)], "Europe/Berlin"),
        lambda c: c.trainings.update_times(1, [(START, START)], "Europe/Berlin"),
        lambda c: c.trainings.update_times(1, [(datetime(2026, 1, 1), END)], "Europe/Berlin"),
        lambda c: c.trainings.update_times(1, [(START, END)], "CEST"),
        lambda c: c.trainings.update_times(
            1, [(START, END)], "Europe/Berlin", notify_registrants="no"
        ),
        lambda c: c.trainings.update_registration_settings(1, {"disable_web_registration": True}),
        lambda c: c.trainings.update_registration_settings(
            1,
            RegistrationSettings(disable_confirmation_email="yes"),  # type: ignore[arg-type]
        ),
        lambda c: c.trainings.start_url("-1"),
        lambda c: c.trainings.start(" 1"),
        lambda c: c.reports.sessions(datetime(2026, 1, 1), END),
        lambda c: c.reports.sessions(START, datetime(2026, 12, 2)),
        lambda c: c.reports.sessions(END, START),
        lambda c: c.reports.sessions(START, START),
        lambda c: c.reports.sessions("2026-01-01", END),
        lambda c: c.reports.sessions_for_training("abc"),
        lambda c: c.reports.attendance(1.5),
        lambda c: c.recordings.list("1;2"),
        lambda c: c.recordings.download_url(1, "x"),
        lambda c: c.recordings.download(1, 2, "/nonexistent-dir/sub/file.mp4"),
        lambda c: c.recordings.download(1, "x", "."),
        lambda c: c.recordings.download("x", 2, "."),
        lambda c: c.recordings.download(1, 2, ".", chunk_size=0),
        lambda c: c.recordings.download(1, 2, ".", progress="yes"),
        lambda c: c.recordings.download(1, 2, None),
    ],
)
def test_bad_input_fails_before_any_request(flavor: Flavor, call: Callable[..., object]) -> None:
    handler, seen = scripted()
    flavor.client(handler)
    with pytest.raises(ValidationError):
        flavor.run(call)
    assert seen == []


def test_get_retries_503_then_succeeds_honouring_retry_after(flavor: Flavor) -> None:
    handler, seen = scripted(
        httpx.Response(503, headers={"Retry-After": "2"}, text="busy"),
        httpx.Response(502),
        ok_training(),
    )
    flavor.client(handler, rate_limit=None, max_queue_wait=None)  # the 60 s cap, not a budget
    assert flavor.run(lambda c: c.trainings.get(2)).name == "Onboarding"
    assert len(seen) == 3
    assert flavor.sleeps[0] == 2.0  # Retry-After honoured
    assert 0.75 <= flavor.sleeps[1] <= 1.0  # then exponential backoff (attempt 1: 0.5 * 2)


def test_retry_after_is_capped(flavor: Flavor) -> None:
    handler, _ = scripted(httpx.Response(429, headers={"Retry-After": "86400"}), ok_training())
    flavor.client(handler, rate_limit=None, max_queue_wait=None)  # a patient call: no budget
    flavor.run(lambda c: c.trainings.get(2))
    assert flavor.sleeps == [60.0]


@pytest.mark.parametrize(
    "retry_after",
    ["31 Dec 99999999999999999999 23:59:59 GMT", "Fri, 31 Dec 9999 23:59:59 +2359", "1e999", "-5"],
)
def test_an_absurd_retry_after_is_no_crash(flavor: Flavor, retry_after: str) -> None:
    """A date past what datetime can hold (OverflowError in the stdlib), infinity, the past:
    the call still retries and ends in a result, never in a non-SDK exception."""
    handler, seen = scripted(
        httpx.Response(429, headers={"Retry-After": retry_after}),
        httpx.Response(503, headers={"Retry-After": retry_after}),
        ok_training(),
    )
    flavor.client(handler, rate_limit=None, max_queue_wait=None)  # the 60 s cap, not a budget
    assert flavor.run(lambda c: c.trainings.get(2)).name == "Onboarding"
    assert len(seen) == 3 and all(0 <= s <= 60 for s in flavor.sleeps)


SECRET = "access-token-SECRET-1234567890"
REGISTRANT_ECHOING = {
    "registrantKey": "7",
    "email": "ada@example.com",
    "givenName": "Ada",
    "surname": "Lovelace",
    "status": "APPROVED",
    "registrationDate": SECRET,
    "joinUrl": "https://j",
    "confirmationUrl": "https://c",
}


@pytest.mark.parametrize(
    ("answer", "call"),
    [
        (
            lambda: httpx.Response(200, headers={"Content-Type": f"text/{SECRET}"}, text="<html>"),
            lambda c: c.trainings.get(2),
        ),
        (
            lambda: httpx.Response(200, headers={"Content-Type": f"text/{SECRET}"}, text="<html>"),
            lambda c: c.trainings.cancel(2),
        ),
        (lambda: httpx.Response(200, json=REGISTRANT_ECHOING), lambda c: c.registrants.get(2, 7)),
    ],
    ids=["content-type", "no-content-operation", "field-value"],
)
def test_a_decode_error_never_shows_the_credential_it_echoes(
    flavor: Flavor, answer: Callable[[], httpx.Response], call: Callable[[Any], Any]
) -> None:
    handler, _ = scripted(answer())
    flavor.client(handler, access_token=SECRET, rate_limit=None)
    with pytest.raises(DecodeError) as info:
        flavor.run(call)
    shown = [str(info.value), repr(info.value), *map(str, info.value.args), info.value.path]
    assert "***" in " ".join(shown)
    for text in shown:
        assert "SECRET-1234" not in text and "token-SECRET" not in text


def test_retries_are_bounded(flavor: Flavor) -> None:
    handler, seen = scripted(*(httpx.Response(429, headers={"Retry-After": "1"}) for _ in range(3)))
    # 429s have their own budget (rate_limit_retries, default 6)
    flavor.client(handler, rate_limit=None, retry_policy=RetryPolicy(rate_limit_retries=2))
    with pytest.raises(RateLimitError) as info:
        flavor.run(lambda c: c.trainings.list())
    assert len(seen) == 3 and info.value.retry_after == 1.0


def test_post_is_not_retried_on_5xx_or_read_errors(flavor: Flavor) -> None:
    handler, seen = scripted(httpx.Response(503))
    flavor.client(handler, rate_limit=None)
    with pytest.raises(ServerError):
        flavor.run(
            lambda c: c.registrants.register(1, email="a@example.com", given_name="A", surname="B")
        )
    assert len(seen) == 1
    handler, seen = scripted(httpx.ReadTimeout("slow"))
    flavor.client(handler, rate_limit=None)
    with pytest.raises(APITimeoutError):
        flavor.run(lambda c: c.trainings.create(name="x", times=[(START, END)], time_zone="UTC"))
    assert len(seen) == 1


def test_post_is_retried_when_it_never_left(flavor: Flavor) -> None:
    handler, seen = scripted(httpx.ConnectError("refused"), httpx.Response(201, json="5"))
    flavor.client(handler, rate_limit=None)
    assert (
        flavor.run(lambda c: c.trainings.create(name="x", times=[(START, END)], time_zone="UTC"))
        == "5"
    )
    assert len(seen) == 2


def test_transport_errors_are_wrapped(flavor: Flavor) -> None:
    handler, seen = scripted(*(httpx.ConnectError("refused") for _ in range(3)))
    flavor.client(handler, rate_limit=None)
    with pytest.raises(APIConnectionError) as info:
        flavor.run(lambda c: c.trainings.list())
    assert isinstance(info.value.__cause__, httpx.ConnectError) and len(seen) == 3
    handler, _ = scripted(httpx.ReadTimeout("slow"), httpx.ReadTimeout("slow"))
    flavor.client(handler, rate_limit=None, max_retries=1)
    with pytest.raises(APITimeoutError):
        flavor.run(lambda c: c.trainings.list())


def test_decode_error_on_malformed_success_body(flavor: Flavor) -> None:
    handler, _ = scripted(
        httpx.Response(200, text="{oops"), httpx.Response(200, json={"trainingKey": "1"})
    )
    flavor.client(handler)
    with pytest.raises(DecodeError, match="not JSON"):
        flavor.run(lambda c: c.trainings.get(1))
    with pytest.raises(DecodeError, match="missing field") as info:
        flavor.run(lambda c: c.trainings.get(1))
    assert info.value.response is not None


def test_per_call_timeout_reaches_the_request(flavor: Flavor) -> None:
    handler, seen = scripted(ok_training(), ok_training())
    flavor.client(handler, timeout=5.0)
    flavor.run(lambda c: c.trainings.get(1))
    flavor.run(lambda c: c.trainings.get(1, timeout=httpx.Timeout(1.5)))
    assert seen[0].extensions["timeout"]["read"] == 5.0
    assert seen[1].extensions["timeout"]["read"] == 1.5


def test_rate_limiter_sleeps_between_requests(flavor: Flavor) -> None:
    handler, _ = scripted(*(ok_training() for _ in range(3)))
    # A clock that stands still (as the faked sleeps do): the waits are exact, however long
    # the machine takes between the requests.
    flavor.client(handler, rate_limit=RateLimiter(4, clock=lambda: 1000.0))
    for _ in range(3):
        flavor.run(lambda c: c.trainings.get(1))
    # no time passes, so the second wait is two slots out
    assert flavor.sleeps == [0.25, 0.5]


def test_deprecated_operation_warns(flavor: Flavor) -> None:
    handler, _ = scripted(httpx.Response(200, json=[]))
    flavor.client(handler)
    with pytest.warns(DeprecationWarning, match="Admin API"):
        assert flavor.run(lambda c: c.organizers.list_for_account(5)) == []


def test_static_token_rejected_is_authentication_error(flavor: Flavor) -> None:
    handler, _ = scripted(
        httpx.Response(403, json={"int_err_code": "InvalidToken", "msg": "Invalid token"})
    )
    flavor.client(handler)
    with pytest.raises(AuthenticationError, match="InvalidToken"):
        flavor.run(lambda c: c.trainings.list())


def test_logging_has_no_secrets(flavor: Flavor, caplog: pytest.LogCaptureFixture) -> None:
    handler, _ = scripted(
        httpx.Response(503), ok_training(), httpx.Response(404, json={"description": "gone"})
    )
    client = flavor.client(handler, access_token="SECRET-TOKEN", rate_limit=None)
    with caplog.at_level(logging.DEBUG, logger="gototraining"):
        flavor.run(lambda c: c.trainings.get(1))
        with pytest.raises(NotFoundError):
            flavor.run(lambda c: c.trainings.get(1))
    text = caplog.text
    assert "GET /organizers/1000000000000000001/trainings/1 -> 503" in text
    assert "retrying" in text and "-> 200" in text
    assert "SECRET-TOKEN" not in text and "SECRET-TOKEN" not in repr(client)


def test_construction_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOTO_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("GOTO_ORGANIZER_KEY", raising=False)
    monkeypatch.delenv("GOTO_BASE_URL", raising=False)
    with pytest.raises(ValidationError, match="GOTO_ACCESS_TOKEN"):
        GoToTraining(organizer_key=1)
    with pytest.raises(ValidationError, match="GOTO_ORGANIZER_KEY"):
        GoToTraining("t")
    with pytest.raises(ValidationError, match="organizer_key"):
        GoToTraining("t", organizer_key="abc")
    with pytest.raises(ValidationError) as info:
        GoToTraining(access_token=123, organizer_key=1)  # type: ignore[arg-type]
    assert info.value.param == "access_token"
    with pytest.raises(ValidationError, match="base_url"):
        GoToTraining("t", organizer_key=1, base_url="ftp://x")
    with pytest.raises(ValidationError, match="http_client"):
        GoToTraining("t", organizer_key=1, http_client=httpx.AsyncClient())  # type: ignore[arg-type]
    monkeypatch.setenv("GOTO_ACCESS_TOKEN", "env-token")
    monkeypatch.setenv("GOTO_ORGANIZER_KEY", "42")
    monkeypatch.setenv("GOTO_BASE_URL", "http://127.0.0.1:9/G2T/rest")
    with GoToTraining() as client:
        assert (client.organizer_key, client.base_url) == ("42", "http://127.0.0.1:9/G2T/rest")
        assert "env-token" not in repr(client)


def test_context_manager_closes_only_what_it_opened() -> None:
    mine = httpx.Client()
    with GoToTraining("t", organizer_key=1, http_client=mine) as client:
        pass
    assert not mine.is_closed
    mine.close()
    with GoToTraining("t", organizer_key=1) as client:
        own = client.http_client
    assert own.is_closed
