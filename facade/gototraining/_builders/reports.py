"""Builders of ``client.reports`` (see ``gototraining/_builders/__init__.py``)."""

from __future__ import annotations

from datetime import datetime

from .. import _validation as v
from .._generated import models as m
from .._generated import requests as rq
from .._transport import Call, decode_json


def sessions(organizer_key: str, start: datetime, end: datetime) -> Call[list[m.Session]]:
    """The ``DateTimeRange`` POST, retried like a GET (it only reads)."""
    from gototraining_api.models import DateTimeRange

    first, last = v.date_range(start, end)
    body = DateTimeRange(start_date=first, end_date=last)
    # A read sent as POST: replaying it after a lost response is harmless.
    return Call(
        rq.get_session_details_for_date_range(organizer_key, body),
        decode_json(m.decode_session_list),
        replay_safe=True,
    )
