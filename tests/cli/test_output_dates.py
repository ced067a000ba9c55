"""Dates at the edges of what ``datetime`` holds, valid RFC 3339 from the API: shown, never
an ``OverflowError`` from converting them to another zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from gototraining.cli.output import fmt_dt, fmt_iso, fmt_range

LATEST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-14)))
EARLIEST = datetime(1, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=1)))


@pytest.mark.parametrize("tz", [UTC, ZoneInfo("Europe/Berlin"), ZoneInfo("Pacific/Kiritimati")])
def test_dates_at_the_edges_are_shown_as_they_came(tz: ZoneInfo) -> None:
    assert fmt_iso(LATEST) == "9999-12-31T23:59:59-14:00"
    assert fmt_iso(EARLIEST) == "0001-01-01T00:00:00+01:00"
    assert fmt_dt(LATEST, tz).startswith("9999-12-31 23:59")
    shown = fmt_range(EARLIEST, LATEST, tz)  # strftime may print year 1 as "1"
    assert "1-01-01 00:00-9999-12-31 23:59" in shown


def test_ordinary_dates_are_still_converted() -> None:
    start = datetime(2030, 3, 1, 9, tzinfo=UTC)
    assert fmt_iso(start.astimezone(ZoneInfo("Europe/Berlin"))) == "2030-03-01T09:00:00Z"
    assert fmt_range(start, start + timedelta(hours=2), ZoneInfo("Europe/Berlin")) == (
        "2030-03-01 10:00-12:00 CET"
    )
