"""complete_training: sessions, attendance, recordings and the download redirect."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from gototraining.sandbox import Sandbox

TWO_SESSIONS = [
    {"startDate": "2030-03-01T09:00:00Z", "endDate": "2030-03-01T11:00:00Z"},
    {"startDate": "2030-03-08T09:00:00Z", "endDate": "2030-03-08T10:30:00Z"},
]


def _dt(value: str) -> datetime:
    assert value.endswith("Z")
    return datetime.fromisoformat(value)


def _setup(
    sb: Sandbox, make_training: Callable[..., str], register: Callable[..., dict[str, Any]]
) -> str:
    key = make_training(times=TWO_SESSIONS)
    for i in range(10):
        register(key, f"person{i}@example.com", f"Given{i}", f"Sur{i}")
    return key


def test_sessions_and_attendance_are_consistent(
    sb: Sandbox,
    api: httpx.Client,
    org: str,
    make_training: Callable[..., str],
    register: Callable[..., dict[str, Any]],
) -> None:
    key = _setup(sb, make_training, register)
    summary = sb.complete_training(key, attendance_rate=0.7)
    sessions = api.get(f"/reports{org}/trainings/{key}").json()
    assert sessions == summary["sessions"] and len(sessions) == 2
    for session, scheduled in zip(sessions, TWO_SESSIONS, strict=True):
        start, end = _dt(session["sessionStartTime"]), _dt(session["sessionEndTime"])
        assert _dt(scheduled["startDate"]) <= start < end <= _dt(scheduled["endDate"])
        assert session["duration"] == (end - start) // timedelta(minutes=1)
        assert len(session["sessionKey"]) == 19
        attendees = api.get(f"/reports{org}/sessions/{session['sessionKey']}/attendees").json()
        assert len(attendees) == 10
        present = [a for a in attendees if a["timeInSession"] > 0]
        assert session["attendanceCount"] == len(present) == 7
        assert attendees[len(present) :] == [a for a in attendees if a["timeInSession"] == 0]
        for attendee in present:
            parts = attendee["inSessionTimes"]
            assert attendee["timeInSession"] == sum(p["timeInPartOfSession"] for p in parts)
            for part in parts:
                join, leave = _dt(part["joinTime"]), _dt(part["leaveTime"])
                assert start <= join < leave <= end
                assert part["timeInPartOfSession"] == (leave - join) // timedelta(minutes=1)
        assert all(a["inSessionTimes"] == [] for a in attendees[len(present) :])
    # Completed trainings leave the scheduled list but stay readable.
    assert api.get(f"{org}/trainings").json() == []
    assert api.get(f"{org}/trainings/{key}").status_code == 200
    # Date-range report.
    in_range = api.post(
        f"/reports{org}/sessions",
        json={"startDate": "2030-03-01T00:00:00Z", "endDate": "2030-03-02T00:00:00Z"},
    )
    assert [s["sessionKey"] for s in in_range.json()] == [sessions[0]["sessionKey"]]
    backwards = {"startDate": "2030-03-02T00:00:00Z", "endDate": "2030-03-01T00:00:00Z"}
    assert api.post(f"/reports{org}/sessions", json=backwards).status_code == 400
    assert api.get(f"/reports{org}/sessions/1234567890123456789/attendees").status_code == 404


def test_complete_is_deterministic(
    sb: Sandbox, make_training: Callable[..., str], register: Callable[..., dict[str, Any]]
) -> None:
    first = sb.complete_training(_setup(sb, make_training, register))
    sb.reset()
    second = sb.complete_training(_setup(sb, make_training, register))
    strip = [{k: v for k, v in s.items()} for s in first["sessions"]]
    assert strip == second["sessions"]


def test_recordings_and_download(
    sb: Sandbox,
    api: httpx.Client,
    make_training: Callable[..., str],
    register: Callable[..., dict[str, Any]],
) -> None:
    key = _setup(sb, make_training, register)
    empty = api.get(f"/trainings/{key}/recordings").json()
    assert empty == {"trainingKey": int(key), "recordingList": []}
    sb.complete_training(key)
    listing = api.get(f"/trainings/{key}/recordings").json()
    assert listing["trainingKey"] == int(key) and len(listing["recordingList"]) == 2
    recording = listing["recordingList"][0]
    assert isinstance(recording["recordingId"], int)
    redirect = api.get(f"/trainings/{key}/recordings/{recording['recordingId']}")
    assert redirect.status_code == 302 and redirect.content == b""
    location = redirect.headers["location"]
    assert location == recording["downloadUrl"] and "/_sandbox/files/" in location
    file = httpx.get(location)
    assert file.status_code == 200
    assert 1_000_000 <= len(file.content) <= 5_000_000
    assert int(file.headers["content-length"]) == len(file.content)
    assert httpx.get(location).content == file.content  # deterministic bytes
    assert api.get(f"/trainings/{key}/recordings/1234567890123456789").status_code == 404
    assert api.get("/trainings/1234567890123456789/recordings").status_code == 404


def test_complete_over_admin_http(
    sb: Sandbox, api: httpx.Client, org: str, make_training: Callable[..., str]
) -> None:
    key = make_training()
    r = httpx.post(f"{sb.root_url}/_sandbox/trainings/{key}/complete", json={"attendance_rate": 1})
    assert r.status_code == 200 and len(r.json()["sessions"]) == 1
    assert len(api.get(f"/reports{org}/trainings/{key}").json()) == 1
    missing = httpx.post(f"{sb.root_url}/_sandbox/trainings/1/complete")
    assert missing.status_code == 404
    state = httpx.get(f"{sb.root_url}/_sandbox/state").json()
    assert state["trainings"][0]["completed"] is True
    assert httpx.post(f"{sb.root_url}/_sandbox/reset").status_code == 204
    assert sb.trainings() == []


def _check_invariants(store: Any, training_key: str, registrants: int) -> int:
    """Every consistency rule the Reports data must satisfy; returns the number of sessions."""
    from gototraining.sandbox.store import parse_dt

    org = store.organizer_key
    training = store.get_training(org, training_key)
    scheduled = [(_dt(t["startDate"]), _dt(t["endDate"])) for t in training["times"]]
    sessions = store.sessions_for_training(org, training_key)
    assert len(sessions) == len(scheduled)
    recordings = store.recordings_for_training(org, training_key)["recordingList"]
    assert len(recordings) == len(sessions)
    for session, (slot_start, slot_end), rec in zip(sessions, scheduled, recordings, strict=True):
        start, end = parse_dt(session["sessionStartTime"]), parse_dt(session["sessionEndTime"])
        # sessions fall inside the training's times, and the duration is their length
        assert slot_start <= start < end <= slot_end
        assert session["duration"] == (end - start) // timedelta(minutes=1)
        assert session["trainingName"] == training["name"]
        assert (rec["startDate"], rec["endDate"]) == (
            session["sessionStartTime"],
            session["sessionEndTime"],
        )
        attendees = store.attendance(org, session["sessionKey"])
        assert len(attendees) == registrants  # every registrant is listed
        present = [a for a in attendees if a["timeInSession"] > 0]
        assert session["attendanceCount"] == len(present)
        # non-attendees last, with 0 and no parts
        assert attendees[len(present) :] == [a for a in attendees if a["timeInSession"] == 0]
        assert all(a["inSessionTimes"] == [] for a in attendees[len(present) :])
        for attendee in present:
            parts = attendee["inSessionTimes"]
            assert parts and attendee["timeInSession"] == sum(
                p["timeInPartOfSession"] for p in parts
            )
            previous_leave = start
            for part in parts:
                join, leave = parse_dt(part["joinTime"]), parse_dt(part["leaveTime"])
                # each part lies inside the session, after the previous one (no overlap)
                assert previous_leave <= join < leave <= end
                assert part["timeInPartOfSession"] == (leave - join) / timedelta(minutes=1)
                previous_leave = leave
    return len(sessions)


RANGES = {
    "two sessions": TWO_SESSIONS,
    "one minute": [{"startDate": "2030-01-01T09:00:00Z", "endDate": "2030-01-01T09:01:00Z"}],
    "ninety seconds, odd start": [
        {"startDate": "2030-01-01T09:00:30Z", "endDate": "2030-01-01T09:02:00Z"}
    ],
    "three, long": [
        {"startDate": f"2030-01-0{d}T08:00:00Z", "endDate": f"2030-01-0{d}T16:45:00Z"}
        for d in (1, 2, 3)
    ],
}


@pytest.mark.parametrize("times", sorted(RANGES))
@pytest.mark.parametrize("registrants", [0, 1, 7])
@pytest.mark.parametrize("rate", [0.0, 0.34, 1.0])
def test_completed_sessions_are_consistent_for_any_shape(
    times: str, registrants: int, rate: float
) -> None:
    # The store directly (no HTTP): many shapes, every invariant, several seeds.
    from gototraining.sandbox.store import Store

    for seed in (0, 1, 2):
        store = Store(seed)
        org = store.organizer_key
        key = store.schedule_training(
            org, {"name": "T", "timeZone": "Europe/Berlin", "times": RANGES[times]}
        )
        for i in range(registrants):
            store.register(
                org, key, {"email": f"p{i}@example.com", "givenName": "G", "surname": "S"}
            )
        store.complete_training(key, rate)
        assert _check_invariants(store, key, registrants) == len(RANGES[times])
        sessions = store.sessions_for_training(org, key)
        if all(s["duration"] >= 1 for s in sessions):
            expected = round(rate * registrants)
            assert [s["attendanceCount"] for s in sessions] == [expected] * len(sessions)
        # the date-range report over the whole span finds exactly these sessions
        span = {"startDate": "2029-12-31T00:00:00Z", "endDate": "2030-12-31T00:00:00Z"}
        assert store.sessions_for_range(org, span) == sessions


def test_completed_training_times_cannot_change(
    sb: Sandbox, api: httpx.Client, org: str, make_training: Callable[..., str]
) -> None:
    # Otherwise its sessions would no longer fall inside the training's times.
    key = make_training(times=TWO_SESSIONS)
    sb.complete_training(key)
    body = {"timeZone": "Europe/Berlin", "times": TWO_SESSIONS[:1]}
    response = api.put(f"{org}/trainings/{key}/times", json=body)
    assert response.status_code == 400 and "already taken place" in response.text
    assert len(api.get(f"{org}/trainings/{key}").json()["times"]) == 2


def test_complete_one_session_at_a_time(
    sb: Sandbox,
    api: httpx.Client,
    org: str,
    make_training: Callable[..., str],
    register: Callable[..., dict[str, Any]],
) -> None:
    key = _setup(sb, make_training, register)
    first = sb.complete_training(key, sessions=1)
    assert len(first["sessions"]) == 1 and len(first["recordings"]) == 1
    held = api.get(f"/reports{org}/trainings/{key}").json()
    assert [s["sessionKey"] for s in held] == [first["sessions"][0]["sessionKey"]]
    assert _dt(held[0]["sessionStartTime"]) < _dt(TWO_SESSIONS[1]["startDate"])  # the first one
    # Still scheduled (its second session is ahead), still taking registrations.
    assert [t["trainingKey"] for t in api.get(f"{org}/trainings").json()] == [key]
    register(key, "late@example.com", "Late", "Comer")
    second = sb.complete_training(key, sessions=1)
    assert [s["sessionKey"] for s in second["sessions"]][:1] == [held[0]["sessionKey"]]
    assert len(second["sessions"]) == 2 and len(second["recordings"]) == 2
    assert api.get(f"{org}/trainings").json() == []  # completed now
    assert sb.complete_training(key, sessions=1) == second  # nothing left: the same data
    for bad in (0, -1, True, 1.5):
        with pytest.raises(ValueError, match="sessions"):
            sb.complete_training(key, sessions=bad)  # type: ignore[arg-type]


def test_complete_sessions_over_admin_http(sb: Sandbox, make_training: Callable[..., str]) -> None:
    key = make_training(times=TWO_SESSIONS)
    url = f"{sb.root_url}/_sandbox/trainings/{key}/complete"
    assert len(httpx.post(url, json={"sessions": 1}).json()["sessions"]) == 1
    assert httpx.post(url, json={"sessions": 0}).status_code == 400
    assert len(httpx.post(url, json={}).json()["sessions"]) == 2


def test_introspection_returns_the_sdks_models(
    sb: Sandbox, make_training: Callable[..., str], register: Callable[..., dict[str, Any]]
) -> None:
    from gototraining import Registrant, Training

    key = _setup(sb, make_training, register)
    with sb.client() as client:
        assert sb.trainings() == [client.trainings.get(key)]
        assert sb.registrants(key) == client.registrants.list(key)
    [training] = sb.trainings()
    assert isinstance(training, Training) and training.training_key == key
    assert all(isinstance(r, Registrant) for r in sb.registrants(key))
    assert sb.registrants(key)[0].given_name == "Given0"
    assert sb.registrants("1234567890123456789") == []
