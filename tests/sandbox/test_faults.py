"""Each fault knob, observed through plain httpx."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from gototraining.sandbox import Sandbox


def test_status_sequence_then_success(
    sb: Sandbox, api: httpx.Client, org: str, make_training: Callable[..., str]
) -> None:
    key = make_training()
    handle = sb.faults.add("getTraining", statuses=[503, 503])
    codes = [api.get(f"{org}/trainings/{key}").status_code for _ in range(3)]
    assert codes == [503, 503, 200]
    assert handle.hits == 2
    assert api.get(f"{org}/trainings").status_code == 200  # other operations untouched


def test_global_fault_hits_every_operation(sb: Sandbox, api: httpx.Client, org: str) -> None:
    sb.faults.add(statuses=[502], times=2)
    assert api.get(f"{org}/trainings").status_code == 502
    assert api.get(f"/accounts/{sb.account_key}/organizers").status_code == 502
    assert api.get(f"{org}/trainings").status_code == 200


def test_429_with_retry_after(sb: Sandbox, api: httpx.Client, org: str) -> None:
    sb.faults.add("getAllTrainings", statuses=[429], retry_after=2)
    r = api.get(f"{org}/trainings")
    assert r.status_code == 429 and r.headers["Retry-After"] == "2"
    assert r.json()["errorCode"] == "TooManyRequests"


def test_latency(sb: Sandbox, api: httpx.Client, org: str) -> None:
    handle = sb.faults.add("getAllTrainings", latency=0.3, times=1)
    start = time.perf_counter()
    assert api.get(f"{org}/trainings").status_code == 200
    assert time.perf_counter() - start >= 0.25  # a lower bound: a busy machine only adds to it
    assert api.get(f"{org}/trainings").status_code == 200
    assert handle.hits == 1 and handle.exhausted  # times=1: only the first request was slowed


def test_reset_gives_protocol_error(sb: Sandbox, api: httpx.Client, org: str) -> None:
    sb.faults.add("getAllTrainings", reset=True, times=1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.get(f"{org}/trainings")
    assert sb.requests[-1].status == 0
    assert api.get(f"{org}/trainings").status_code == 200  # the client reconnects


def test_malformed_json(sb: Sandbox, api: httpx.Client, org: str) -> None:
    sb.faults.add("getAllTrainings", malformed_json=True, times=1)
    r = api.get(f"{org}/trainings")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    with pytest.raises(ValueError, match="."):
        r.json()
    assert sb.violations == []  # injected faults are exempt from validation


def test_wrong_content_type(sb: Sandbox, api: httpx.Client, org: str) -> None:
    sb.faults.add("getAllTrainings", wrong_content_type=True, statuses=[503])
    r = api.get(f"{org}/trainings")
    assert r.status_code == 503 and r.headers["content-type"].startswith("text/html")


def test_empty_body(sb: Sandbox, api: httpx.Client, org: str) -> None:
    sb.faults.add("getAllTrainings", empty_body=True, times=1)
    r = api.get(f"{org}/trainings")
    assert r.status_code == 200 and r.content == b""


def _pattern(seed: int) -> list[int]:
    with Sandbox(seed=seed) as sb:
        sb.faults.add("getAllTrainings", statuses=[500], times=None, probability=0.5)
        with httpx.Client(base_url=sb.url, headers={"Authorization": f"Bearer {sb.token}"}) as c:
            return [
                c.get(f"/organizers/{sb.organizer_key}/trainings").status_code for _ in range(24)
            ]


def test_probability_is_reproducible_with_seed() -> None:
    first, again, other = _pattern(7), _pattern(7), _pattern(8)
    assert first == again
    assert set(first) == {200, 500}
    assert first != other


def _register_body() -> dict[str, Any]:
    return {"email": "ada@example.com", "givenName": "Ada", "surname": "Lovelace"}


def test_fault_before_mode_applies_nothing(
    sb: Sandbox, api: httpx.Client, org: str, make_training: Callable[..., str]
) -> None:
    key = make_training()
    sb.faults.add("registerForTraining", statuses=[503])
    r = api.post(f"{org}/trainings/{key}/registrants", json=_register_body())
    assert r.status_code == 503
    assert sb.registrants(key) == []
    assert api.post(f"{org}/trainings/{key}/registrants", json=_register_body()).status_code == 201
    assert len(sb.registrants(key)) == 1


def test_fault_apply_mode_applies_then_fails(
    sb: Sandbox, api: httpx.Client, org: str, make_training: Callable[..., str]
) -> None:
    key = make_training()
    sb.faults.add("registerForTraining", reset=True, apply=True, times=1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.post(f"{org}/trainings/{key}/registrants", json=_register_body())
    assert [r.email for r in sb.registrants(key)] == ["ada@example.com"]
    # A naive retry now meets the duplicate check.
    r = api.post(f"{org}/trainings/{key}/registrants", json=_register_body())
    assert r.status_code == 409
    assert len(sb.registrants(key)) == 1


def test_faults_clear_and_admin_endpoint(sb: Sandbox, api: httpx.Client, org: str) -> None:
    sb.faults.add("getAllTrainings", statuses=[500])
    sb.faults.clear()
    assert api.get(f"{org}/trainings").status_code == 200
    admin = httpx.post(
        f"{sb.root_url}/_sandbox/faults", json={"operation": "getAllTrainings", "statuses": [504]}
    )
    assert admin.status_code == 201
    assert api.get(f"{org}/trainings").status_code == 504
    assert (
        httpx.post(f"{sb.root_url}/_sandbox/faults", json={"operation": "nope"}).status_code == 400
    )
    assert httpx.delete(f"{sb.root_url}/_sandbox/faults").status_code == 204
    assert sb.faults.list() == []


def test_bad_fault_arguments() -> None:
    from gototraining.sandbox import FaultSet

    faults = FaultSet(0, ["getTraining"])
    with pytest.raises(ValueError, match="unknown operation"):
        faults.add("getTrainings")
    with pytest.raises(ValueError, match="probability"):
        faults.add(probability=2)
    with pytest.raises(ValueError, match="contradict"):
        faults.add(before=True, apply=True)
    assert faults.add(before=False).apply is True


# -- hold=True / after=N: requests held until the test releases them ---------------------------

HANG = 120.0


def _in_thread(call: Callable[[], httpx.Response]) -> tuple[threading.Thread, list[httpx.Response]]:
    answers: list[httpx.Response] = []
    thread = threading.Thread(target=lambda: answers.append(call()), daemon=True)
    thread.start()
    return thread, answers


def test_after_lets_requests_through_then_hold_stops_them_until_released(
    sb: Sandbox, api: httpx.Client, org: str
) -> None:
    hold = sb.faults.add("getAllTrainings", hold=True, after=2)
    assert [api.get(f"{org}/trainings").status_code for _ in range(2)] == [200, 200]
    thread, answers = _in_thread(lambda: api.get(f"{org}/trainings"))
    assert hold.wait_held(1, timeout=HANG)
    assert answers == [] and hold.held == 1 and hold.hits == 1
    # Only that request waits: the sandbox goes on serving everything else meanwhile.
    with httpx.Client(base_url=sb.url, headers=api.headers, timeout=HANG) as other:
        assert other.get(f"/accounts/{sb.account_key}/organizers").status_code == 200
    assert len(sb.requests) == 3  # the held one is not answered (nor logged) yet
    hold.release()
    thread.join(HANG)
    assert [a.status_code for a in answers] == [200]
    assert hold.wait_idle(timeout=HANG) and hold.held == 0
    assert api.get(f"{org}/trainings").status_code == 200  # released: later ones pass


def test_a_held_registration_is_applied_after_its_client_left(
    sb: Sandbox, org: str, make_training: Callable[..., str]
) -> None:
    """The request was received in full before it was held: released after the client went
    away, it is applied all the same (the "answer lost" case), whatever the timing."""
    key = make_training()
    hold = sb.faults.add("registerForTraining", hold=True)
    body = json.dumps(_register_body()).encode()
    request = (
        f"POST {sb.url.removeprefix(sb.root_url)}{org}/trainings/{key}/registrants HTTP/1.1\r\n"
        f"Host: {sb.root_url.removeprefix('http://')}\r\nAuthorization: Bearer {sb.token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    host, port = sb.root_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=HANG) as client:
        client.sendall(request)
        assert hold.wait_held(1, timeout=HANG)
    # the client is gone
    hold.release()
    assert hold.wait_idle(timeout=HANG)
    assert [r.email for r in sb.registrants(key)] == ["ada@example.com"]
    assert sb.requests[-1].status == 201


def test_clear_releases_held_requests(sb: Sandbox, api: httpx.Client, org: str) -> None:
    hold = sb.faults.add("getAllTrainings", hold=True)
    thread, answers = _in_thread(lambda: api.get(f"{org}/trainings"))
    assert hold.wait_held(1, timeout=HANG)
    sb.faults.clear()
    thread.join(HANG)
    assert [a.status_code for a in answers] == [200]


def test_hold_through_the_admin_endpoints(sb: Sandbox, api: httpx.Client, org: str) -> None:
    admin = httpx.Client(base_url=f"{sb.root_url}/_sandbox/faults", timeout=HANG)
    faults = f"{sb.root_url}/_sandbox/faults"
    fault = admin.post(faults, json={"operation": "getAllTrainings", "hold": True}).json()
    assert fault["hold"] is True and fault["held"] == 0 and fault["after"] == 0
    thread, answers = _in_thread(lambda: api.get(f"{org}/trainings"))
    waited = admin.post(f"/{fault['id']}/wait", json={"held": 1})
    assert waited.status_code == 200 and waited.json()["held"] == 1
    assert admin.post(f"/{fault['id']}/wait", json={"held": 2, "timeout": 0}).status_code == 408
    assert admin.post(f"/{fault['id']}/release").status_code == 204
    assert admin.post(f"/{fault['id']}/wait", json={"idle": True}).status_code == 200
    thread.join(HANG)
    assert [a.status_code for a in answers] == [200]
    plain = admin.post(faults, json={"operation": "getTraining", "statuses": [503]}).json()
    assert admin.post(f"/{plain['id']}/release").status_code == 404
    assert admin.post("/999/wait", json={"held": 1}).status_code == 404
    admin.close()


def test_bad_hold_arguments() -> None:
    from gototraining.sandbox import FaultSet

    faults = FaultSet(0, ["getTraining"])
    with pytest.raises(ValueError, match="after"):
        faults.add(after=-1)
    with pytest.raises(ValueError, match="hold=True"):
        faults.add(statuses=[503]).release()


def test_times_left_out_is_once_per_status_and_unlimited_says_so(
    sb: Sandbox, api: httpx.Client, org: str
) -> None:
    trainings = f"{org}/trainings"
    once = sb.faults.add("getAllTrainings", statuses=[429])  # not "a 429 forever"
    assert [api.get(trainings).status_code for _ in range(3)] == [429, 200, 200]
    assert once.times == 1 and once.hits == 1
    sb.faults.clear()
    every = sb.faults.add("getAllTrainings", statuses=[429, 503], times="unlimited")
    assert [api.get(trainings).status_code for _ in range(5)] == [429, 503, 429, 503, 429]
    assert every.times is None and every.hits == 5
    sb.faults.clear()
    assert sb.faults.add("getAllTrainings", latency=0.0).times is None  # no statuses: all
    sb.faults.clear()
    for bad in (0, -1, True, "forever", 1.5):
        with pytest.raises(ValueError, match="times"):
            sb.faults.add("getAllTrainings", statuses=[500], times=bad)  # type: ignore[arg-type]
    over_http = httpx.post(
        f"{sb.root_url}/_sandbox/faults",
        json={"operation": "getAllTrainings", "statuses": [502], "times": "unlimited"},
    )
    assert over_http.status_code in (200, 201), over_http.text
    assert [api.get(trainings).status_code for _ in range(3)] == [502, 502, 502]
