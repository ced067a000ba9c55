"""Attendance of a completed training: its sessions, each with its attendance report.

Built on ``client.reports.sessions_for_training`` and ``client.reports.attendance``, and
returns the facade's own models (``Session``, ``Attendee``) unchanged. Showing their
``timedelta`` durations as whole minutes is the output's job (``output.minutes``,
``output.attendance_tables``, ``output.attendance_json``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gototraining import Attendee, GoToTraining, Session

__all__ = ["SessionAttendance", "attendance"]

#: A completed session and its attendance report (non-attendees last, as the API sends it).
SessionAttendance = tuple["Session", list["Attendee"]]


def attendance(client: GoToTraining, training_key: str) -> list[SessionAttendance]:
    """Sessions of a completed training with their attendance, in start order.

    An empty list means the training has no completed session yet.
    """
    reports = client.reports
    result = [
        (s, reports.attendance(s.session_key)) for s in reports.sessions_for_training(training_key)
    ]
    return sorted(result, key=lambda r: _start(r[0]))


def _start(session: Session) -> tuple[bool, datetime]:
    """Start order; a session whose start the API's answer lacked goes last."""
    start = getattr(session, "start", None)
    return start is None, start or datetime.max.replace(tzinfo=UTC)
