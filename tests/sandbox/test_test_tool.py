"""The sandbox as a test tool: controls that refuse what does not exist, timestamped request
records, refusals per the API reference (and, when ``strict``, the undocumented ones), and the
ready-made unthrottled clients."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from gototraining import BadRequestError
from gototraining.sandbox import Sandbox, SandboxError

from .conftest import TIMES


def test_an_unknown_operation_id_is_an_error_not_zero(sb: Sandbox) -> None:
    with pytest.raises(SandboxError) as caught:
        sb.request_count("getTrainings")
    assert "unknown operation 'getTrainings'" in str(caught.value)
    assert "'getTraining'" in str(caught.value) and "'getAllTrainings'" in str(caught.value)
    assert isinstance(caught.value, ValueError)  # like faults.add's unknown operation
    assert sb.request_count("getAllTrainings") == 0


@pytest.mark.parametrize(
    "control",
    [
        lambda sb: sb.complete_training("1234567890123456789"),
        lambda sb: sb.set_require_approval(1234567890123456789),
    ],
    ids=["complete_training", "set_require_approval"],
)
def test_an_unknown_training_key_is_a_clear_sandbox_error(
    sb: Sandbox, control: Callable[[Sandbox], object], make_training: Callable[..., str]
) -> None:
    key = make_training()
    with pytest.raises(SandboxError) as caught:
        control(sb)
    message = str(caught.value)
    assert "no training '1234567890123456789'" in message or "no training 1234567890" in message
    assert key in message  # names the trainings it does have


def test_request_records_carry_their_arrival_time(sb: Sandbox, api: httpx.Client, org: str) -> None:
    before = time.monotonic()
    api.get(f"{org}/trainings")
    api.get(f"{org}/trainings/1234567890123456789")
    after = time.monotonic()
    first, second = sb.requests
    assert before <= first.received_at <= second.received_at <= after
    assert second[:3] == ("GET", f"/G2T/rest{org}/trainings/1234567890123456789", 404)
    logged = httpx.get(f"{sb.root_url}/_sandbox/requests").json()
    assert [entry["received_at"] for entry in logged] == [first.received_at, second.received_at]


def test_the_arrival_time_is_taken_before_injected_latency(
    sb: Sandbox, api: httpx.Client, org: str
) -> None:
    sb.faults.add("getAllTrainings", latency=0.2, times=1)
    api.get(f"{org}/trainings")
    [record] = sb.requests
    # The handler slept 0.2 s after taking the arrival time (only a lower bound: no race).
    assert time.monotonic() - record.received_at >= 0.2


# -- refusals -------------------------------------------------------------------------------------


def _completed(sb: Sandbox, make_training: Callable[..., str], register: Any) -> tuple[str, str]:
    key = make_training()
    registrant = register(key, "ada@example.com")["registrantKey"]
    sb.complete_training(key)
    return key, registrant


def test_per_the_reference_a_completed_training_cannot_be_renamed_or_lose_registrants(
    sb: Sandbox,
    api: httpx.Client,
    org: str,
    make_training: Callable[..., str],
    register: Any,
) -> None:
    key, registrant = _completed(sb, make_training, register)
    renamed = api.put(f"{org}/trainings/{key}/nameDescription", json={"name": "New"})
    cancelled = api.delete(f"{org}/trainings/{key}/registrants/{registrant}")
    moved = api.put(f"{org}/trainings/{key}/times", json={"timeZone": "UTC", "times": TIMES})
    for response in (renamed, cancelled, moved):
        assert response.status_code == 400, response.text
        assert "already taken place" in response.json()["description"]
    assert [r.registrant_key for r in sb.registrants(key)] == [registrant]


def _past(days: int = 1) -> list[dict[str, str]]:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=days)
    end = start + timedelta(hours=1)
    return [{"startDate": f"{start:%Y-%m-%dT%H:%M:%SZ}", "endDate": f"{end:%Y-%m-%dT%H:%M:%SZ}"}]


def test_what_the_reference_does_not_say_is_accepted_by_default(
    sb: Sandbox,
    api: httpx.Client,
    org: str,
    make_training: Callable[..., str],
    register: Any,
) -> None:
    assert sb.strict is False
    make_training(times=_past())
    key, _ = _completed(sb, make_training, register)
    register(key, "late@example.com")


def test_strict_refuses_past_sessions_and_late_registrations(
    sb: Sandbox,
    api: httpx.Client,
    org: str,
    make_training: Callable[..., str],
    register: Any,
) -> None:
    key, _ = _completed(sb, make_training, register)
    ongoing = make_training(times=[*_past(), *TIMES])  # allowed before strict is switched on
    sb.strict = True
    body = {"name": "Past", "timeZone": "UTC", "times": _past()}
    scheduled = api.post(f"{org}/trainings", json=body)
    assert scheduled.status_code == 400 and "starts in the past" in scheduled.json()["description"]
    late = api.post(
        f"{org}/trainings/{key}/registrants",
        json={"email": "late@example.com", "givenName": "L", "surname": "Ate"},
    )
    assert late.status_code == 400 and "registration is closed" in late.json()["description"]
    # Moving one session of an ongoing training keeps its past one: that is not refused ...
    [past, *_] = sb.trainings()[-1].times
    assert sb.trainings()[-1].training_key == ongoing
    kept_past = {
        "startDate": past.start.isoformat().replace("+00:00", "Z"),
        "endDate": past.end.isoformat().replace("+00:00", "Z"),
    }
    later = [kept_past, {"startDate": "2030-04-01T09:00:00Z", "endDate": "2030-04-01T10:00:00Z"}]
    kept = api.put(f"{org}/trainings/{ongoing}/times", json={"timeZone": "UTC", "times": later})
    assert kept.status_code == 200, kept.text
    # ... moving a session into the past is.
    moved = api.put(f"{org}/trainings/{ongoing}/times", json={"timeZone": "UTC", "times": _past(2)})
    assert moved.status_code == 400
    sb.reset()
    assert sb.strict is False  # as constructed


def test_the_sdk_sees_the_refusal_as_bad_request(sb: Sandbox) -> None:
    sb.strict = True
    start = datetime.now(UTC) - timedelta(days=1)
    with sb.client() as client, pytest.raises(BadRequestError, match="starts in the past"):
        client.trainings.create(
            name="T", times=[(start, start + timedelta(hours=1))], time_zone="UTC"
        )


# -- ready-made clients ---------------------------------------------------------------------------


def test_the_ready_made_clients_are_unthrottled_and_reach_the_sandbox(sb: Sandbox) -> None:
    with sb.client() as client:
        assert client.options.rate_limiter is None and client.base_url == sb.url
        assert client.organizer_key == sb.organizer_key and client.trainings.list() == []
    with sb.client(rate_limit=5.0) as throttled:  # options win
        assert throttled.options.rate_limiter is not None

    async def use() -> list[Any]:
        async with sb.async_client() as client:
            assert client.options.rate_limiter is None
            return await client.trainings.list()

    assert asyncio.run(use()) == []
