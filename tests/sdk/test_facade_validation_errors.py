"""Pure edge logic of the facade: validation, error mapping, retry math, rate limiter."""

from __future__ import annotations

import email.utils
import logging
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from gototraining import (
    STATUS_TO_ERROR,
    APIError,
    AsyncGoToTraining,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    DecodeError,
    GoToTraining,
    NotFoundError,
    PermissionDeniedError,
    RateLimiter,
    RateLimitError,
    RegistrantStatus,
    RetryPolicy,
    ServerError,
    ValidationError,
)
from gototraining import _validation as v
from gototraining._errors import error_from_response
from gototraining._generated import models as m
from gototraining._retry import parse_retry_after

from .payloads import REGISTRANT

# -- keys ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (7, "7"),
        ("8178251407424893697", "8178251407424893697"),
        (2**63 - 1, str(2**63 - 1)),
        ("007", "7"),
    ],
)
def test_key_accepts_ints_and_digit_strings(value: object, expected: str) -> None:
    assert v.key(value, "training_key") == expected


@pytest.mark.parametrize(
    "value",
    [
        True,
        False,
        -1,
        2**63,
        "",
        " 1",
        "1 ",
        "+1",
        "-1",
        "1/../2",
        "12a",
        "١٢",
        "1" * 20,
        "0x10",
        1.0,
        None,
        b"1",
    ],
)
def test_key_rejects_everything_else(value: object) -> None:
    with pytest.raises(ValidationError, match="training_key"):
        v.key(value, "training_key")


def test_keys_rejects_a_bare_string() -> None:
    with pytest.raises(ValidationError, match="organizer_keys"):
        v.keys("123", "organizer_keys")
    assert v.keys([1, "2"], "organizer_keys") == ["1", "2"]


# -- datetimes, time zones, text ------------------------------------------------------------------

START = datetime(2026, 12, 1, 10, 0, tzinfo=timezone(timedelta(hours=1)))


def test_times_are_converted_to_utc() -> None:
    [(s, e)] = v.times([(START, START + timedelta(hours=1))])
    assert s == datetime(2026, 12, 1, 9, 0, tzinfo=UTC) and s.utcoffset() == timedelta(0)
    assert e - s == timedelta(hours=1)


def test_times_accept_time_range_objects() -> None:
    assert v.times([m.TimeRange(START, START + timedelta(minutes=1))])


@pytest.mark.parametrize(
    ("pairs", "match"),
    [
        ([], "at least one"),
        ([(datetime(2026, 1, 1, 9), datetime(2026, 1, 1, 10))], "naive"),
        ([(START, START)], "not after"),
        ([(START, START - timedelta(hours=1))], "not after"),
        ([(START,)], "pair"),
        ("2026-01-01", "list"),
        ([("2026-01-01T09:00Z", "2026-01-01T10:00Z")], "expected a datetime"),
    ],
)
def test_times_rejects(pairs: object, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        v.times(pairs)  # type: ignore[arg-type]


def test_time_zone() -> None:
    assert v.time_zone("Europe/Berlin") == "Europe/Berlin"
    for bad in ("Mars/Olympus", "", "europe/berlin", None, "../../etc/passwd"):
        with pytest.raises(ValidationError, match="time_zone"):
            v.time_zone(bad)


@pytest.mark.parametrize(
    "bad", ["", "ada", "ada@", "@example.com", "a b@example.com", "ada@example.com\r\nBcc: x"]
)
def test_email_rejects(bad: str) -> None:
    with pytest.raises(ValidationError, match="email"):
        v.email(bad)


def test_text_rules() -> None:
    assert v.text("Ada", "given_name") == "Ada"
    assert v.text("line 1\nline 2", "description", single_line=False) == "line 1\nline 2"
    for bad in ("", "   ", "Ada\nLovelace", "A\x00", "x" * 11):
        with pytest.raises(ValidationError, match="given_name"):
            v.text(bad, "given_name", max_len=10)
    with pytest.raises(ValidationError):
        v.text("a\x07", "description", single_line=False)


# -- errors -------------------------------------------------------------------------------------


def _response(
    status: int, body: bytes | str = b"", headers: dict[str, str] | None = None
) -> httpx.Response:
    request = httpx.Request(
        "GET", "https://user:pw@api.getgo.com/G2T/rest/organizers/1/trainings?token=s3cret"
    )
    content = body.encode() if isinstance(body, str) else body
    return httpx.Response(status, content=content, headers=headers, request=request)


@pytest.mark.parametrize(
    ("status", "cls"),
    [(400, BadRequestError), (401, AuthenticationError), (403, PermissionDeniedError),
     (404, NotFoundError), (409, ConflictError), (429, RateLimitError), (500, ServerError),
     (503, ServerError), (599, ServerError), (418, BadRequestError)],
)  # fmt: skip
def test_status_mapping(status: int, cls: type[APIError]) -> None:
    err = error_from_response(_response(status))
    assert type(err) is cls and err.status == status
    assert set(STATUS_TO_ERROR) >= {400, 401, 403, 404, 409, 429}


def test_service_style_body() -> None:
    err = error_from_response(
        _response(
            404, '{"errorCode":"NotFound","description":"Training not\\nfound","incident":"inc-1"}'
        )
    )
    assert (err.error_code, err.message, err.incident) == (
        "NotFound",
        "Training not\nfound",
        "inc-1",
    )
    assert err.method == "GET"
    assert (
        err.url == "https://api.getgo.com/G2T/rest/organizers/1/trainings"
    )  # no user info, no query
    assert str(err) == (
        "404 NotFound: Training not found (GET https://api.getgo.com/G2T/rest/organizers/1/trainings) [incident inc-1]"
    )


@pytest.mark.parametrize("code", ["InvalidToken", "ExpiredToken", "invalidtoken"])
def test_gateway_invalid_token_403_is_authentication_error(code: str) -> None:
    err = error_from_response(
        _response(403, f'{{"int_err_code":"{code}","msg":"Invalid token passed"}}')
    )
    assert isinstance(err, AuthenticationError)
    assert (err.error_code, err.message) == (code, "Invalid token passed")


def test_other_403_is_permission_denied() -> None:
    err = error_from_response(_response(403, '{"int_err_code":"NoPermission","msg":"nope"}'))
    assert type(err) is PermissionDeniedError


@pytest.mark.parametrize(
    "body", ["<html>Bad Gateway</html>", "", "[1,2]", "{not json", '"just a string"']
)
def test_non_json_or_odd_bodies_keep_raw_text(body: str) -> None:
    err = error_from_response(_response(502, body))
    assert isinstance(err, ServerError)
    assert err.message  # never empty
    assert "\n" not in str(err)
    if body.startswith("<html>"):
        assert err.message == body and err.body == body


def test_rate_limited_carries_retry_after() -> None:
    err = error_from_response(_response(429, "", {"Retry-After": "7"}))
    assert isinstance(err, RateLimitError) and err.retry_after == 7.0
    assert error_from_response(_response(429)).retry_after is None  # type: ignore[attr-defined]


# -- retry policy -------------------------------------------------------------------------------


def test_parse_retry_after() -> None:
    now = 1_000_000.0
    assert parse_retry_after("3", now=now) == 3.0
    assert parse_retry_after(" 1.5 ", now=now) == 1.5
    assert parse_retry_after("-4", now=now) == 0.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(date, now=now) == pytest.approx(30.0)
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now=now) == 0.0
    for bad in (None, "", "soon", "nan", "inf"):
        assert parse_retry_after(bad, now=now) is None


def test_backoff_is_exponential_bounded_and_jittered() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_max=3.0, jitter=0.25)
    for attempt, full in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 3.0), (10, 3.0)]:
        delays = [policy.backoff(attempt) for _ in range(200)]
        assert all(0.75 * full <= d <= full for d in delays)
        assert len(set(delays)) > 1  # jitter actually varies
    assert RetryPolicy(jitter=0).backoff(1) == 1.0


def test_retry_after_replaces_backoff_but_is_capped() -> None:
    policy = RetryPolicy(retry_after_cap=10.0)
    assert policy.backoff(0, retry_after=4.0) == 4.0
    assert policy.backoff(0, retry_after=3600.0) == 10.0


def test_what_is_retried() -> None:
    p = RetryPolicy()
    for method in ("GET", "PUT", "DELETE"):
        assert all(p.should_retry_status(method, s) for s in (429, 502, 503, 504))
        assert not any(
            p.should_retry_status(method, s) for s in (400, 401, 403, 404, 409, 500, 501)
        )
        assert p.should_retry_exception(method, httpx.ReadTimeout("t"))
        assert p.should_retry_exception(method, httpx.ReadError("t"))
    assert not any(p.should_retry_status("POST", s) for s in (500, 502, 503, 504))
    # 429: the API refused without processing, so every method is repeated (the notifying PUTs
    # and POSTs that pass idempotent=False too)
    assert p.should_retry_status("POST", 429)
    assert p.should_retry_status("PUT", 429, idempotent=False)
    assert p.should_retry_exception("POST", httpx.ConnectError("refused"))
    assert p.should_retry_exception("POST", httpx.ConnectTimeout("t"))
    assert p.should_retry_exception("POST", httpx.PoolTimeout("t"))
    assert not p.should_retry_exception("POST", httpx.ReadTimeout("t"))
    assert not p.should_retry_exception("POST", httpx.ReadError("t"))
    assert not p.should_retry_exception("POST", httpx.RemoteProtocolError("t"))


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": 1.5}, "max_retries"),
        ({"max_retries": True}, "max_retries"),
        ({"backoff_base": -0.1}, "backoff_base"),
        ({"backoff_max": float("nan")}, "backoff_max"),
        ({"retry_after_cap": "60"}, "retry_after_cap"),
        ({"jitter": 1.5}, "jitter"),
    ],
)
def test_retry_policy_validates(kwargs: dict[str, object], param: str) -> None:
    with pytest.raises(ValidationError) as info:
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
    assert info.value.param == param


# -- rate limiter -------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_spaces_requests() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock)
    waits = [limiter.reserve() for _ in range(5)]
    assert waits == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])
    clock.now += 10  # idle time does not bank more than the burst
    assert limiter.reserve() == 0.0
    assert limiter.reserve() == pytest.approx(0.1)


def test_rate_limiter_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2, burst=3, clock=clock)
    assert [limiter.reserve() for _ in range(5)] == pytest.approx([0, 0, 0, 0.5, 1.0])


def test_rate_limiter_rejects_nonsense() -> None:
    for rate in (0, -1, float("nan"), "10", True):
        with pytest.raises(ValidationError) as info:
            RateLimiter(rate)  # type: ignore[arg-type]
        assert info.value.param == "rate"
    with pytest.raises(ValidationError) as info:
        RateLimiter(1, burst=0.5)
    assert info.value.param == "burst"


# -- decoders -----------------------------------------------------------------------------------


def test_registrant_decoding_and_unknown_status() -> None:
    [r, u] = m.decode_registrant_list(
        [REGISTRANT, {**REGISTRANT, "status": "PENDING_PAYMENT", "extra": 1}]
    )
    assert r.status is RegistrantStatus.APPROVED and r.raw_status == "APPROVED"
    assert r.registration_date == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
    assert u.status is RegistrantStatus.UNKNOWN and u.raw_status == "PENDING_PAYMENT"


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (
            [REGISTRANT, {k: x for k, x in REGISTRANT.items() if k != "email"}],
            r"\$\[1\].*missing field 'email'",
        ),
        ([{**REGISTRANT, "registrantKey": 1}], r"\$\[0\]\.registrantKey: expected string"),
        ([{**REGISTRANT, "registrationDate": "yesterday"}], "expected an RFC 3339 date-time"),
        # RFC 3339 requires an offset: a naive date-time is not what the spec allows
        ([{**REGISTRANT, "registrationDate": "2026-11-01T08:30:00"}], "RFC 3339"),
        ([None], "expected an object"),
        ({"a": 1}, "expected an array"),
    ],
)
def test_decode_errors_are_typed(data: object, match: str) -> None:
    with pytest.raises(DecodeError, match=match):
        m.decode_registrant_list(data)


def test_response_datetimes_keep_their_offset() -> None:
    r = m.decode_registrant({**REGISTRANT, "registrationDate": "2026-11-01T09:30:00+01:00"})
    assert r.registration_date == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
    assert r.registration_date.utcoffset() == timedelta(hours=1)


def test_models_are_frozen() -> None:
    r = m.decode_registrant(REGISTRANT)
    with pytest.raises(AttributeError):
        r.email = "x"  # type: ignore[misc]


# -- full-API decoders --------------------------------------------------------------------------

ORGANIZER = {"organizerKey": "7", "email": "o@example.com", "givenName": "O", "surname": "Rg"}
SESSION = {
    "sessionKey": "11",
    "trainingName": "Onboarding",
    "sessionStartTime": "2026-12-01T09:02:00Z",
    "sessionEndTime": "2026-12-01T10:58:00Z",
    "attendanceCount": 1,
    "duration": 116,
    "organizers": [ORGANIZER],
}
ATTENDEE = {
    "givenName": "Ada",
    "surname": "Lovelace",
    "email": "ada@example.com",
    "timeInSession": 30,
    "inSessionTimes": [
        {
            "joinTime": "2026-12-01T09:05:00Z",
            "leaveTime": "2026-12-01T09:25:00Z",
            "timeInPartOfSession": 20,
        },
        {
            "joinTime": "2026-12-01T10:00:00Z",
            "leaveTime": "2026-12-01T10:10:00Z",
            "timeInPartOfSession": 10,
        },
    ],
}
RECORDING = {
    "recordingId": 6380749594200711087,
    "name": "Onboarding - session 1",
    "startDate": "2026-12-01T09:02:00Z",
    "endDate": "2026-12-01T10:58:00Z",
}


def test_full_api_decoders() -> None:
    [s] = m.decode_session_list([SESSION])
    assert s.duration == timedelta(minutes=116) and s.start.tzinfo is not None
    assert s.organizers[0].organizer_key == "7" and s.attendance_count == 1
    [a, absent] = m.decode_attendee_list(
        [ATTENDEE, {**ATTENDEE, "timeInSession": 0, "inSessionTimes": []}]
    )
    assert a.time_in_session == timedelta(minutes=30) and a.attended
    assert [p.time_in_part for p in a.in_session_times] == [
        timedelta(minutes=20),
        timedelta(minutes=10),
    ]
    assert not absent.attended and absent.in_session_times == ()
    [r] = m.decode_recordings_list_for_training({"trainingKey": 1, "recordingList": [RECORDING]})
    assert r.recording_id == "6380749594200711087" and r.download_url is None
    assert m.decode_recordings_list_for_training({"trainingKey": 1, "recordingList": []}) == []
    assert m.decode_notified_parties({"notifiedRegistrants": 3, "notifiedTrainers": 0}) == (
        m.NotifiedParties(registrants=3, trainers=0)
    )
    assert m.decode_host_url({"hostURL": "https://h"}) == "https://h"


@pytest.mark.parametrize(
    ("decoder", "data", "match"),
    [
        (m.decode_session_list, [{**SESSION, "duration": "116"}], r"\$\[0\]\.duration"),
        (m.decode_session_list, [{**SESSION, "duration": 2**31}], "out of range for int32"),
        (m.decode_session_list, [{**SESSION, "attendanceCount": True}], "attendanceCount"),
        (
            m.decode_attendee_list,
            [{**ATTENDEE, "inSessionTimes": [{"joinTime": "x"}]}],
            "RFC 3339 date-time",
        ),
        (m.decode_recordings_list_for_training, [RECORDING], "expected an object"),
        (m.decode_recordings_list_for_training, {"trainingKey": 1}, "recordingList"),
        (m.decode_recordings_list_for_training, {"recordingList": []}, "trainingKey"),
        (
            m.decode_recordings_list_for_training,
            {"trainingKey": 1, "recordingList": [RECORDING, {**RECORDING, "recordingId": "1"}]},
            r"\$\.recordingList\[1\]\.recordingId",
        ),
        (m.decode_notified_parties, {"notifiedRegistrants": 1}, "notifiedTrainers"),
        (m.decode_host_url, {"hostUrl": "https://h"}, "hostURL"),
    ],
)
def test_full_api_decode_errors_are_typed(decoder: Any, data: object, match: str) -> None:
    with pytest.raises(DecodeError, match=match):
        decoder(data)


def test_date_range_validation() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert v.date_range(start, start + timedelta(days=1)) == (start, start + timedelta(days=1))
    with pytest.raises(ValidationError, match="^start: naive"):
        v.date_range(datetime(2026, 1, 1), start)
    with pytest.raises(ValidationError, match="^end: end .* is not after start"):
        v.date_range(start, start)


# -- the constructors' timeout (GoToTraining(timeout="x") must fail at once, not at send time) -


@pytest.mark.parametrize("bad", ["x", "5", -1, 0, float("nan"), float("inf"), True, [1]])
@pytest.mark.parametrize("cls", [GoToTraining, AsyncGoToTraining])
def test_constructor_timeout_is_validated(cls: type, bad: object) -> None:
    with pytest.raises(ValidationError) as info:
        cls(access_token="t", organizer_key=1, timeout=bad)
    assert info.value.param == "timeout"


@pytest.mark.parametrize("good", [None, 5, 2.5, httpx.Timeout(3.0)])
def test_constructor_timeout_accepts_good_values(good: object) -> None:
    with GoToTraining(access_token="t", organizer_key=1, timeout=good) as client:  # type: ignore[arg-type]
        assert client.http_client.timeout == httpx.Timeout(good)  # type: ignore[arg-type]


# -- time zones without a tz database --------------------------------------------------------------


@pytest.fixture
def no_tz_database(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A system without any tz database (Windows without ``tzdata``)."""
    import zoneinfo

    monkeypatch.setattr(zoneinfo, "available_timezones", set)
    v._zones.cache_clear()
    yield
    v._zones.cache_clear()


def test_time_zone_without_tz_database_is_left_to_the_api(
    no_tz_database: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="gototraining"):
        assert v.time_zone("Europe/Berlin") == "Europe/Berlin"
        assert v.time_zone("America/Argentina/Buenos_Aires") == "America/Argentina/Buenos_Aires"
        for bad in ("", "Europe/Berlin\n", "Euro pe", 5):
            with pytest.raises(ValidationError):
                v.time_zone(bad)
    warnings = [r for r in caplog.records if "time zone database" in r.getMessage()]
    assert len(warnings) == 1 and "pip install tzdata" in warnings[0].getMessage()


def test_time_zone_is_strict_with_a_tz_database() -> None:
    v._zones.cache_clear()
    assert v.time_zone("Europe/Berlin") == "Europe/Berlin"
    with pytest.raises(ValidationError):
        v.time_zone("Mars/Olympus_Mons")
