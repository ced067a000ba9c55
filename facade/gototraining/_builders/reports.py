"""Builders of ``client.reports`` (see ``gototraining/_builders/__init__.py``)."""

from __future__ import annotations

from datetime import datetime

from .. import _models as m
from .. import _requests as rq
from .. import _validation as v
from .._resource import utc_z
from .._transport import Call, decode_json


def sessions(organizer_key: str, start: datetime, end: datetime) -> Call[list[m.Session]]:
    """All completed sessions of the organizer in a date range.

    ``start`` and ``end`` must be timezone-aware with ``start < end`` (checked before any
    request; sent as UTC). The API sends the range as a POST body; it is still a read, so
    it is retried like a GET.
    """
    from gototraining_api.models import DateTimeRange

    first, last = v.date_range(start, end)
    body = DateTimeRange(start_date=utc_z(first), end_date=utc_z(last))
    # A read sent as POST: replaying it after a lost response is harmless.
    return Call(
        rq.get_session_details_for_date_range(organizer_key, body),
        decode_json(m.decode_session_list),
        replay_safe=True,
    )
