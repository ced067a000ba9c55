"""Attendance of a completed training: its sessions, and who attended each for how long.

Built on ``client.reports.sessions_for_training`` and ``client.reports.attendance``; the
view models here carry whole minutes, which is what the tables and ``--json`` show.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    import gototraining as models
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


def _minutes(value: timedelta) -> int:
    return int(value.total_seconds() // 60)


def _attendee(a: models.Attendee) -> Attendee:
    parts = tuple(
        Part(p.join_time, p.leave_time, _minutes(p.time_in_part)) for p in a.in_session_times
    )
    return Attendee(a.given_name, a.surname, a.email, _minutes(a.time_in_session), parts)


def _session(s: models.Session, attendees: Sequence[models.Attendee]) -> SessionReport:
    return SessionReport(
        session_key=s.session_key,
        start=s.start,
        end=s.end,
        duration=_minutes(s.duration),
        attendance_count=s.attendance_count,
        attendees=tuple(_attendee(a) for a in attendees),
    )


def attendance(client: GoToTraining, training_key: str) -> list[SessionReport]:
    """Sessions of a completed training with their attendance, in start order.

    An empty list means the training has no completed session yet.
    """
    reports = client.reports
    result = [
        _session(s, reports.attendance(s.session_key))
        for s in reports.sessions_for_training(training_key)
    ]
    return sorted(result, key=lambda r: r.start)
