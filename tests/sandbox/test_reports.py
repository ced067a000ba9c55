"""complete_training: sessions, attendance, recordings and the download redirect."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
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
