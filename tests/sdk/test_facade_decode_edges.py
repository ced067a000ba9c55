"""Decoder edge cases of the full-API models: every malformed body is a ``DecodeError``, never a
silent empty value or a stray ``OverflowError`` / ``httpx.InvalidURL``; and what the spec
allows (negative minutes and ids, int32/int64 extremes) decodes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from gototraining import DecodeError
from gototraining._builders.recordings import location
from gototraining._generated import models as m

ORG = {"organizerKey": "1", "email": "e@example.com", "givenName": "G", "surname": "S"}
SESSION = {
    "sessionKey": "1", "trainingName": "T", "sessionStartTime": "2030-01-01T00:00:00Z",
    "sessionEndTime": "2030-01-01T01:00:00Z", "attendanceCount": 1, "duration": 60,
    "organizers": [ORG],
}  # fmt: skip
PART = {
    "joinTime": "2030-01-01T00:00:00Z", "leaveTime": "2030-01-01T00:05:00Z",
    "timeInPartOfSession": 5,
}  # fmt: skip
ATTENDEE = {
    "givenName": "G", "surname": "S", "email": "e@example.com", "timeInSession": 5,
    "inSessionTimes": [PART],
}  # fmt: skip
RECORDING = {
    "recordingId": 1, "name": "R", "startDate": "2030-01-01T00:00:00Z",
    "endDate": "2030-01-01T01:00:00Z",
}  # fmt: skip


@pytest.mark.parametrize("value", [{}, "", {"a": 1}, "abc", 1])
def test_session_organizers_must_be_an_array_of_objects(value: Any) -> None:
    with pytest.raises(DecodeError, match="organizers"):
        m.decode_session_list([{**SESSION, "organizers": value}])


@pytest.mark.parametrize("value", [{}, "", 1, [1]])
def test_attendee_parts_must_be_an_array_of_objects(value: Any) -> None:
    with pytest.raises(DecodeError, match="inSessionTimes"):
        m.decode_attendee_list([{**ATTENDEE, "inSessionTimes": value}])


@pytest.mark.parametrize("minutes", [10**30, 2**64, 10**16])
@pytest.mark.parametrize("field", ["duration", "timeInSession", "timeInPartOfSession"])
def test_minutes_beyond_timedelta_are_a_decode_error(field: str, minutes: int) -> None:
    with pytest.raises(DecodeError, match=f"{field}.*out of range"):
        if field == "duration":
            m.decode_session_list([{**SESSION, field: minutes}])
        elif field == "timeInSession":
            m.decode_attendee_list([{**ATTENDEE, field: minutes}])
        else:
            m.decode_attendee_list([{**ATTENDEE, "inSessionTimes": [{**PART, field: minutes}]}])


@pytest.mark.parametrize("minutes", [2**31 - 1, 0, -1, -(2**31)])
def test_int32_minutes_decode_negative_too(minutes: int) -> None:
    """The spec declares no minimum: a negative duration is valid data, not a DecodeError."""
    [s] = m.decode_session_list([{**SESSION, "duration": minutes}])
    assert s.duration == timedelta(minutes=minutes)
    [a] = m.decode_attendee_list(
        [
            {
                **ATTENDEE,
                "timeInSession": minutes,
                "inSessionTimes": [{**PART, "timeInPartOfSession": minutes}],
            }
        ]
    )
    assert a.time_in_session == a.in_session_times[0].time_in_part == timedelta(minutes=minutes)


def _recordings(rid: Any) -> Any:
    body = {"trainingKey": 1, "recordingList": [{**RECORDING, "recordingId": rid}]}
    return m.decode_recordings_list_for_training(body)


@pytest.mark.parametrize("rid", ["\u00b2", "\uff11", "-1", "8654042048833979961", "", True, 1.0])
def test_recording_id_must_be_an_integer(rid: Any) -> None:
    with pytest.raises(DecodeError, match="recordingId"):
        _recordings(rid)


@pytest.mark.parametrize("rid", [2**63, -(2**63) - 1])
def test_recording_id_beyond_int64_is_a_decode_error(rid: int) -> None:
    with pytest.raises(DecodeError, match="recordingId.*out of range for int64"):
        _recordings(rid)


@pytest.mark.parametrize("rid", [0, -1, 2**63 - 1, -(2**63)])
def test_recording_ids_are_int64_kept_as_str(rid: int) -> None:
    [r] = _recordings(rid)
    assert r.recording_id == str(rid)


def _redirect(value: str | None, status: int = 302) -> httpx.Response:
    request = httpx.Request("GET", "https://api.getgo.com/G2T/rest/trainings/1/recordings/2")
    headers = {} if value is None else {"location": value}
    return httpx.Response(status, headers=headers, request=request)


@pytest.mark.parametrize(
    "value", ["http://[::1", "http://[invalid]/x", "\x00", "http://a\x7f/", " ", "", None]
)
def test_bad_location_is_a_decode_error(value: str | None) -> None:
    with pytest.raises(DecodeError, match="redirect"):
        location(_redirect(value))


@pytest.mark.parametrize(
    "value", ["ftp://files.example/r.mp4", "mailto:x@example.com", "file:///etc/passwd"]
)
def test_non_http_location_is_a_decode_error(value: str) -> None:
    with pytest.raises(DecodeError, match="non-HTTP"):
        location(_redirect(value))


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("https://cdn.example.net/r.mp4?Signature=s", "https://cdn.example.net/r.mp4?Signature=s"),
        ("/_sandbox/files/recording-2.mp4", "https://api.getgo.com/_sandbox/files/recording-2.mp4"),
        ("  //cdn.example.net/r.mp4 ", "https://cdn.example.net/r.mp4"),
    ],
)
def test_good_location_is_made_absolute(value: str, url: str) -> None:
    assert location(_redirect(value)) == url
