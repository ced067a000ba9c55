"""Inputs users naturally pass: the ``ZoneInfo`` their times were built with, times as dicts, a
local time in a daylight-saving gap, names with spaces around them; the public aliases of the
signatures; and the hint on a 404 from a ``base_url`` without ``/G2T/rest``."""

from __future__ import annotations

import json
import zoneinfo
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from gototraining import (
    IfExists,
    Key,
    NotFoundError,
    Progress,
    TimePair,
    TimeRange,
    ValidationError,
)
from gototraining import _validation as v
from gototraining.sandbox import Sandbox

from .conftest import Flavor

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def recording(sent: list[dict[str, Any]]) -> Any:
    """A MockTransport handler keeping every JSON body and answering like the API."""

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content) if request.content else {})
        if request.method == "POST" and request.url.path.endswith("/trainings"):
            return httpx.Response(201, json="8178251407424893697")
        if request.method == "POST":
            return httpx.Response(
                201,
                json={"registrantKey": "1", "joinUrl": "https://j", "confirmationUrl": "https://c"},
            )
        if request.url.path.endswith("/times"):
            return httpx.Response(200, json={"notifiedRegistrants": 0, "notifiedTrainers": 0})
        return httpx.Response(204)

    return handle


def test_the_zoneinfo_the_times_were_built_with_is_sent_by_name(flavor: Flavor) -> None:
    sent: list[dict[str, Any]] = []
    c = flavor.client(recording(sent))
    start = datetime(2030, 6, 3, 9, tzinfo=NEW_YORK)
    flavor.run(
        lambda c: c.trainings.create(
            name="T", times=[(start, start + timedelta(hours=1))], time_zone=NEW_YORK
        )
    )
    flavor.run(lambda c: c.trainings.update_times(1, [(start, start + timedelta(hours=2))], UTC), c)
    assert sent[0]["timeZone"] == "America/New_York"
    assert sent[0]["times"] == [
        {"startDate": "2030-06-03T13:00:00Z", "endDate": "2030-06-03T14:00:00Z"}
    ]
    assert sent[1]["timeZone"] == "UTC"


def _zone_from_a_file() -> ZoneInfo:
    """A ``ZoneInfo`` read from a file: it has no ``key``."""
    for base in zoneinfo.TZPATH:
        path = Path(base, "UTC")
        if path.is_file():
            with path.open("rb") as file:
                return ZoneInfo.from_file(file)
    pytest.skip("no system tz database to read a zone file from")


@pytest.mark.parametrize(
    ("zone", "match"),
    [
        (lambda: timezone(timedelta(hours=2)), "has no IANA time zone name"),
        (_zone_from_a_file, "has no IANA time zone name"),
        (lambda: ZoneInfo("UTC").utcoffset, "expected an IANA time zone"),
    ],
    ids=["fixed-offset", "zoneinfo-from-a-file", "not-a-zone"],
)
def test_a_zone_without_an_iana_name_is_refused(zone: Callable[[], object], match: str) -> None:
    with pytest.raises(ValidationError, match=match) as caught:
        v.time_zone(zone())
    assert caught.value.param == "time_zone"


@pytest.mark.parametrize(
    ("pair", "got"),
    [
        (
            {"start": datetime(2030, 1, 1, tzinfo=UTC), "end": datetime(2030, 1, 2, tzinfo=UTC)},
            "dict",
        ),
        ("ab", "str"),
        ((datetime(2030, 1, 1, tzinfo=UTC),) * 3, "tuple of 3"),
    ],
    ids=["dict", "str", "triple"],
)
def test_times_that_are_not_pairs_say_what_they_are(pair: object, got: str) -> None:
    with pytest.raises(ValidationError) as caught:
        v.times([pair])
    assert str(caught.value) == f"times[0]: expected a (start, end) pair or TimeRange, got {got}"


def test_pairs_as_lists_and_time_ranges_are_accepted() -> None:
    start, end = datetime(2030, 1, 1, 9, tzinfo=UTC), datetime(2030, 1, 1, 10, tzinfo=UTC)
    assert v.times([[start, end], TimeRange(start, end)]) == [(start, end), (start, end)]


def test_a_local_time_in_a_daylight_saving_gap_is_reported_as_such() -> None:
    """02:30 does not exist in Berlin on 2030-03-31; Python would read it as 01:30 UTC, before
    an end of 03:00 (01:00 UTC): it used to be reported as "end is not after start"."""
    start = datetime(2030, 3, 31, 2, 30, tzinfo=BERLIN)
    end = datetime(2030, 3, 31, 3, 0, tzinfo=BERLIN)
    with pytest.raises(ValidationError) as caught:
        v.times([(start, end)])
    assert caught.value.param == "times[0].start"
    assert "2030-03-31 02:30 does not exist in Europe/Berlin" in str(caught.value)
    assert "daylight-saving gap" in str(caught.value)
    with pytest.raises(ValidationError, match="does not exist in Europe/Berlin"):
        v.date_range(start, end)


def test_a_repeated_local_time_is_fine_either_way() -> None:
    """01:30-02:59 happens twice when Berlin leaves daylight saving time: both exist."""
    first = datetime(2030, 10, 27, 2, 30, tzinfo=BERLIN)
    second = first.replace(fold=1)
    [(start, end)] = v.times([(first, second)])
    assert end - start == timedelta(hours=1)


def test_names_are_sent_as_validated_without_surrounding_spaces(flavor: Flavor) -> None:
    sent: list[dict[str, Any]] = []
    c = flavor.client(recording(sent))
    start = datetime(2030, 6, 3, 9, tzinfo=UTC)
    flavor.run(
        lambda c: c.trainings.create(
            name="  Onboarding ",
            times=[(start, start + timedelta(hours=1))],
            time_zone="UTC",
            description="  keeps\nits layout  ",
        )
    )
    flavor.run(lambda c: c.trainings.update_name_description(1, name=" Renamed\u00a0"), c)
    flavor.run(
        lambda c: c.registrants.register(
            1, email="ada@example.com", given_name=" Ada ", surname="\u3000Lovelace"
        ),
        c,
    )
    assert (sent[0]["name"], sent[0]["description"]) == ("Onboarding", "  keeps\nits layout  ")
    assert sent[1]["name"] == "Renamed"
    assert (sent[2]["givenName"], sent[2]["surname"]) == ("Ada", "Lovelace")


def test_the_length_limit_applies_to_what_is_sent() -> None:
    assert v.text(" " + "x" * 128 + " ", "given_name", max_len=128) == "x" * 128
    with pytest.raises(ValidationError, match="at most 128"):
        v.text("x" * 129, "given_name", max_len=128)


def test_a_line_break_around_a_name_is_still_refused() -> None:
    with pytest.raises(ValidationError, match="control character"):
        v.text("Ada\n", "given_name")


def test_the_aliases_of_the_signatures_are_public() -> None:
    import gototraining
    from gototraining._builders.registrants import IfExists as BuilderIfExists
    from gototraining._builders.trainings import TimePair as BuilderTimePair
    from gototraining._download import Progress as DownloadProgress
    from gototraining._resource import Key as ResourceKey

    assert (Key, TimePair, IfExists, Progress) == (
        ResourceKey,
        BuilderTimePair,
        BuilderIfExists,
        DownloadProgress,
    )
    assert {"Key", "TimePair", "IfExists", "Progress"} <= set(gototraining.__all__)


# -- base_url without /G2T/rest -------------------------------------------------------------------


def test_a_404_from_a_base_url_without_the_api_root_says_so(gototraining_sandbox: Sandbox) -> None:
    sb = gototraining_sandbox
    with sb.client(base_url=sb.root_url) as client, pytest.raises(NotFoundError) as caught:
        client.trainings.list()
    assert caught.value.hint is not None
    assert f"base_url '{sb.root_url}' does not end in /G2T/rest" in caught.value.hint
    assert str(caught.value).endswith(caught.value.hint)


def test_a_404_from_the_right_base_url_has_no_such_hint(gototraining_sandbox: Sandbox) -> None:
    with gototraining_sandbox.client() as client, pytest.raises(NotFoundError) as caught:
        client.trainings.get(1234567890123456789)
    assert caught.value.hint is None and "base_url" not in str(caught.value)


def test_the_hint_reaches_async_and_multi_step_calls(flavor: Flavor) -> None:
    c = flavor.client(lambda request: httpx.Response(404), base_url="https://api.getgo.com")
    with pytest.raises(NotFoundError, match="does not end in /G2T/rest"):
        flavor.run(
            lambda c: c.registrants.register(
                1, email="a@example.com", given_name="A", surname="B", if_exists="return"
            )
        )
    one = [{"email": "a@example.com", "given_name": "A", "surname": "B"}]
    with pytest.raises(NotFoundError, match="does not end in /G2T/rest"):
        flavor.run(lambda c: c.registrants.register_many(1, one), c)


# -- moving one session ---------------------------------------------------------------------------


def test_move_session_keeps_the_other_sessions_and_the_time_zone(
    flavor: Flavor, gototraining_sandbox: Sandbox
) -> None:
    sb = gototraining_sandbox
    first = datetime(2031, 3, 3, 9, tzinfo=BERLIN)
    days = [first + timedelta(days=7 * n) for n in range(3)]
    with sb.client() as setup:
        key = setup.trainings.create(
            name="Weekly", times=[(d, d + timedelta(hours=2)) for d in days], time_zone=BERLIN
        )
    flavor.client(
        access_token=sb.token, organizer_key=sb.organizer_key, base_url=sb.url, rate_limit=None
    )
    later = days[1] + timedelta(days=1, hours=3)
    notified = flavor.run(
        lambda c: c.trainings.move_session(key, days[1], later, later + timedelta(hours=1))
    )
    assert notified.registrants == 0
    [training] = [t for t in sb.trainings() if t.training_key == key]
    assert training.time_zone == "Europe/Berlin"
    assert [(t.start.isoformat(), t.end.isoformat()) for t in training.times] == [
        ("2031-03-03T08:00:00+00:00", "2031-03-03T10:00:00+00:00"),
        ("2031-03-11T11:00:00+00:00", "2031-03-11T12:00:00+00:00"),
        ("2031-03-17T08:00:00+00:00", "2031-03-17T10:00:00+00:00"),
    ]
    flavor.run(
        lambda c: c.trainings.move_session(
            key, -1, later + timedelta(days=9), later + timedelta(days=9, hours=1)
        )
    )
    [training] = [t for t in sb.trainings() if t.training_key == key]
    assert (training.times[2].start.isoformat(), training.times[2].end.isoformat()) == (
        "2031-03-20T11:00:00+00:00",
        "2031-03-20T12:00:00+00:00",
    )


@pytest.mark.parametrize(
    ("session", "match"),
    [
        (3, "has 3 session\\(s\\), no index 3"),
        (datetime(2031, 1, 1, tzinfo=UTC), "no session starting at"),
    ],
)
def test_move_session_of_a_session_that_is_not_there_changes_nothing(
    gototraining_sandbox: Sandbox, session: int | datetime, match: str
) -> None:
    sb = gototraining_sandbox
    start = datetime(2031, 3, 3, 9, tzinfo=UTC)
    with sb.client() as client:
        key = client.trainings.create(
            name="T",
            times=[
                (start + timedelta(days=n), start + timedelta(days=n, hours=1)) for n in range(3)
            ],
            time_zone="UTC",
        )
        with pytest.raises(ValidationError, match=match) as caught:
            client.trainings.move_session(key, session, start, start + timedelta(hours=2))
    assert caught.value.param == "session" and "nothing was changed" in str(caught.value)
    assert sb.request_count("updateTrainingTimes") == 0


def test_move_session_checks_its_input_before_sending(gototraining_sandbox: Sandbox) -> None:
    start = datetime(2031, 3, 3, 9, tzinfo=UTC)
    with gototraining_sandbox.client() as client:
        for args, param in (
            (("1", 0, start, start), "end"),
            (("1", True, start, start + timedelta(hours=1)), "session"),
            (("1", datetime(2031, 3, 3), start, start + timedelta(hours=1)), "session"),
        ):
            with pytest.raises(ValidationError) as caught:
                client.trainings.move_session(*args)
            assert caught.value.param == param
    assert gototraining_sandbox.request_count() == 0
