"""``client.reports``: completed sessions and who attended them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from .. import _models as m
from .. import _validation as v
from .._lazy import LazyModule
from .._operation import operation
from .._transport import Call, decode_json
from .._types import NOT_GIVEN, NotGiven, TimeoutTypes
from ._base import AsyncResource, Key, SyncResource, mirror_docs, path_key, utc_z

if TYPE_CHECKING:  # the generated client loads on first use (see .._lazy)
    from gototraining_api.api.reports import (
        get_attendance_details,
        get_session_details_for_date_range,
        get_session_details_for_training,
    )
else:  # wire models are imported inside the builders that use them
    get_attendance_details = LazyModule("gototraining_api.api.reports.get_attendance_details")
    get_session_details_for_date_range = LazyModule(
        "gototraining_api.api.reports.get_session_details_for_date_range"
    )
    get_session_details_for_training = LazyModule(
        "gototraining_api.api.reports.get_session_details_for_training"
    )

__all__ = ["AsyncReports", "Reports"]


def _sessions(
    org: str, start: datetime, end: datetime, timeout: TimeoutTypes | NotGiven
) -> Call[list[m.Session]]:
    from gototraining_api.models import DateTimeRange

    s, e = v.date_range(start, end)
    body = DateTimeRange(start_date=utc_z(s), end_date=utc_z(e))
    kwargs = get_session_details_for_date_range._get_kwargs(int(org), body=body)
    # A read sent as POST: replaying it after a lost response is harmless.
    return Call(
        "getSessionDetailsForDateRange",
        kwargs,
        decode_json(m.decode_sessions),
        timeout,
        replay_safe=True,
    )


def _sessions_for_training(
    org: str, training_key: Key, timeout: TimeoutTypes | NotGiven
) -> Call[list[m.Session]]:
    kwargs = get_session_details_for_training._get_kwargs(
        int(org), path_key(training_key, "training_key")
    )
    return Call("getSessionDetailsForTraining", kwargs, decode_json(m.decode_sessions), timeout)


def _attendance(
    org: str, session_key: Key, timeout: TimeoutTypes | NotGiven
) -> Call[list[m.Attendee]]:
    kwargs = get_attendance_details._get_kwargs(int(org), path_key(session_key, "session_key"))
    return Call("getAttendanceDetails", kwargs, decode_json(m.decode_attendees), timeout)


class Reports(SyncResource):
    """Reports on completed sessions of the client's organizer (``client.reports``).

    A *session* is one completed occurrence of a training (one per scheduled time range that
    took place). Durations and times in session are whole minutes, returned as ``timedelta``.
    """

    @operation("getSessionDetailsForDateRange")
    def sessions(
        self,
        start: datetime,
        end: datetime,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> list[m.Session]:
        """All completed sessions of the organizer in a date range.

        ``start`` and ``end`` must be timezone-aware with ``start < end`` (checked before any
        request; sent as UTC). The API sends the range as a POST body; it is still a read, so
        it is retried like a GET.
        """
        return self._request(_sessions(self._organizer_key, start, end, timeout))

    @operation("getSessionDetailsForTraining")
    def sessions_for_training(
        self, training_key: Key, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN
    ) -> list[m.Session]:
        """The completed sessions of one training (empty until a session has taken place)."""
        return self._request(_sessions_for_training(self._organizer_key, training_key, timeout))

    @operation("getAttendanceDetails")
    def attendance(
        self, session_key: Key, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN
    ) -> list[m.Attendee]:
        """Who attended a completed session, with join/leave times.

        Every registrant is listed; those who did not attend come last with
        ``time_in_session == timedelta(0)`` (``Attendee.attended`` is ``False``).
        """
        return self._request(_attendance(self._organizer_key, session_key, timeout))


@mirror_docs(Reports)
class AsyncReports(AsyncResource):
    @operation("getSessionDetailsForDateRange")
    async def sessions(
        self,
        start: datetime,
        end: datetime,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> list[m.Session]:
        return await self._request(_sessions(self._organizer_key, start, end, timeout))

    @operation("getSessionDetailsForTraining")
    async def sessions_for_training(
        self, training_key: Key, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN
    ) -> list[m.Session]:
        return await self._request(
            _sessions_for_training(self._organizer_key, training_key, timeout)
        )

    @operation("getAttendanceDetails")
    async def attendance(
        self, session_key: Key, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN
    ) -> list[m.Attendee]:
        return await self._request(_attendance(self._organizer_key, session_key, timeout))
