"""Attendance of a completed training: its sessions, and who attended each for how long.

Prefers the facade's ``client.reports.sessions_for_training`` / ``client.reports.attendance``.
Until those exist (the full-API issue adds them), the same two operations are sent through
the facade's own request pipeline (``client._transport`` with the generated operation's
``_get_kwargs``), so auth, retries and the rate limit still apply; only decoding happens
here. The adapter reads either shape (facade models with snake_case attributes, or the raw
camelCase JSON), so the switch-over needs no change in the commands.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from gototraining import GoToTraining

__all__ = ["Attendee", "Part", "SessionReport", "attendance"]


@attrs.frozen
class Part:
    """One continuous stretch of an attendee in a session."""

    join: datetime
    leave: datetime
    minutes: int


@attrs.frozen
class Attendee:
    """A registrant in one session's attendance report (``minutes == 0``: absent)."""

    given_name: str
    surname: str
    email: str
    minutes: int
    parts: tuple[Part, ...]


@attrs.frozen
class SessionReport:
    """One completed session and its attendance."""

    session_key: str
    start: datetime
    end: datetime
    duration: int
    attendance_count: int
    attendees: tuple[Attendee, ...]


def _field(obj: Any, *names: str) -> Any:
    """The first of ``names`` present as an attribute or (for raw JSON) a dict key."""
    for name in names:  # facade models first, then the raw JSON spelling
        if isinstance(obj, dict):
            if name in obj:
                return obj[name]
        elif hasattr(obj, name):
            return getattr(obj, name)
    raise KeyError(f"none of {names} in {type(obj).__name__}")


def _minutes(value: Any) -> int:
    """Whole minutes from the facade's ``timedelta`` or the raw JSON's integer minutes."""
    if isinstance(value, timedelta):
        return int(value.total_seconds() // 60)
    return int(value)


def _dt(value: Any) -> datetime:
    if isinstance(value, datetime):
        dt = value
    else:
        dt = datetime.fromisoformat(str(value))
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def _attendee(a: Any) -> Attendee:
    parts = tuple(
        Part(
            _dt(_field(p, "join_time", "joinTime")),
            _dt(_field(p, "leave_time", "leaveTime")),
            _minutes(_field(p, "time_in_part", "time_in_part_of_session", "timeInPartOfSession")),
        )
        for p in _field(a, "in_session_times", "inSessionTimes", "parts")
    )
    return Attendee(
        str(_field(a, "given_name", "givenName")),
        str(_field(a, "surname")),
        str(_field(a, "email")),
        _minutes(_field(a, "time_in_session", "timeInSession")),
        parts,
    )


def _session(s: Any, attendees: Sequence[Any]) -> SessionReport:
    return SessionReport(
        session_key=str(_field(s, "session_key", "sessionKey")),
        start=_dt(_field(s, "start", "sessionStartTime")),
        end=_dt(_field(s, "end", "sessionEndTime")),
        duration=_minutes(_field(s, "duration")),
        attendance_count=int(_field(s, "attendance_count", "attendanceCount")),
        attendees=tuple(_attendee(a) for a in attendees),
    )


def _raw(client: GoToTraining, operation: str, kwargs: dict[str, Any]) -> Any:
    """Send a generated operation through the facade's pipeline; return the parsed JSON."""
    from gototraining._transport import Call, decode_json

    def identity(data: Any) -> Any:
        return data

    return client._transport.request(Call(operation, kwargs, decode_json(identity)))


def attendance(client: GoToTraining, training_key: str) -> list[SessionReport]:
    """Sessions of a completed training with their attendance, in start order.

    An empty list means the training has no completed session yet.
    """
    reports = getattr(client, "reports", None)
    if reports is not None and hasattr(reports, "sessions_for_training"):
        sessions = list(reports.sessions_for_training(training_key))
        result = [_session(s, list(reports.attendance(_field(s, "session_key")))) for s in sessions]
    else:
        from gototraining_api.api.reports import (
            get_attendance_details,
            get_session_details_for_training,
        )

        org = int(client.organizer_key)
        sessions = _raw(
            client,
            "getSessionDetailsForTraining",
            get_session_details_for_training._get_kwargs(org, int(training_key)),
        )
        result = []
        for s in sessions:
            people = _raw(
                client,
                "getAttendanceDetails",
                get_attendance_details._get_kwargs(org, int(s["sessionKey"])),
            )
            result.append(_session(s, people))
    return sorted(result, key=lambda r: r.start)
