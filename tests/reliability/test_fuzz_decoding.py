"""Fuzz the decoding layer with hypothesis: every response body either decodes or raises the
library's typed error -- never ``KeyError``/``TypeError``/``AttributeError``/``RecursionError``.

Bodies go through the transport's own decode step: ``pipeline()`` (the sans-IO request
pipeline both clients run) is driven by hand and answered with a hand-made ``httpx.Response``,
so status mapping, JSON parsing and the model decoders are all exercised as in production.

Models: the 7 original ones (training(s), organizers, registrant(s), registration, bare string)
and the full API's (sessions with organizers, attendees with their attendance parts, the
recording list, NotifiedParties, startTraining's HostUrl, the bare start/manage URL strings),
plus getRecordingDownloadById's 302 answer (``location``: Location header, not JSON).

- valid shapes with boundary values (empty and huge strings, unicode, int64 bounds and beyond
  in unknown fields, odd but valid ISO date-times with offsets, optional fields missing or
  null, extra unknown fields) must decode, and to the values sent;
- the same shapes with one required field deleted or of the wrong type must raise
  ``DecodeError``;
- arbitrary JSON and arbitrary bytes must decode or raise ``DecodeError``;
- error statuses with arbitrary bodies must raise the mapped ``APIError`` subclass;
- token-endpoint answers must refresh or raise ``AuthenticationError``.

Examples per test: ``conftest.FUZZ`` (100 in ``make test``, 1,000 under ``make soak``);
the full-API models use ``FUZZ_FULL`` (half of that in ``make test``, the same under soak);
the totals are printed at the end of the module (``-s``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from gototraining import (
    STATUS_TO_ERROR,
    APIError,
    Attendee,
    AuthenticationError,
    BadRequestError,
    DecodeError,
    GoToTrainingError,
    NotifiedParties,
    OAuth2,
    Organizer,
    RateLimitError,
    Recording,
    Registrant,
    Registration,
    RetryPolicy,
    ServerError,
    Session,
    Training,
)
from gototraining import _models as m
from gototraining._errors import INVALID_TOKEN_CODES
from gototraining._transport import Call, Send, _Settings, decode_json, pipeline
from gototraining._types import NOT_GIVEN
from gototraining.resources.recordings import location
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import FUZZ, SOAK

#: The full-API models' tests: half the CI examples (the soak size under ``make soak``).
FUZZ_FULL = FUZZ if SOAK else settings(FUZZ, max_examples=max(1, FUZZ.max_examples // 2))

pytestmark = pytest.mark.fuzz

EXAMPLES: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    total = sum(EXAMPLES.values())
    detail = ", ".join(f"{k} {v}" for k, v in sorted(EXAMPLES.items()))
    print(f"\n[fuzz] {total} examples through the decoding layer ({detail})")


# -- driving the real pipeline -----------------------------------------------------------------

_HTTP = httpx.Client()
SETTINGS = _Settings(
    base_url="https://api.example.test/G2T/rest",
    auth=httpx.Auth(),
    retry=RetryPolicy(max_retries=0, rate_limit_retries=0),
    limiter=None,
    headers={},
    timeout=NOT_GIVEN,
    build_request=_HTTP.build_request,
)


def through_pipeline(
    decoder: Callable[[Any], Any],
    content: bytes,
    *,
    status: int = 200,
    content_type: str = "application/json",
) -> Any:
    """Answer one GET pipeline with this body; return the decoded value or raise."""
    gen = pipeline(SETTINGS, Call("fuzz", {"method": "get", "url": "/fuzz"}, decode_json(decoder)))
    send = next(gen)
    assert isinstance(send, Send)
    response = httpx.Response(
        status, content=content, headers={"content-type": content_type}, request=send.request
    )
    try:
        gen.send(response)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("the pipeline asked for another action")


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


# -- strategies: valid shapes with boundary values ---------------------------------------------

INT64 = (-(2**63), 2**63 - 1)
text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "\u0000", "\ud83d\ude00", "ünïcødé", "x" * 10_000, "null"]),
)
keys = st.one_of(
    st.integers(0, 2**63 - 1).map(str), st.sampled_from(["0", "9223372036854775807", ""]), text
)
tzs = st.one_of(
    st.just(UTC),
    st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda mins: timezone(timedelta(minutes=mins))),
)


@st.composite
def iso_datetimes(draw: st.DrawFn) -> str:
    dt = draw(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
    style = draw(st.sampled_from(["offset", "z", "naive", "seconds", "millis"]))
    if style == "naive":
        return dt.isoformat()  # no offset: read as UTC
    aware = dt.replace(tzinfo=draw(tzs))
    if style == "seconds":
        return aware.isoformat(timespec="seconds")
    if style == "millis":
        return aware.isoformat(timespec="milliseconds")
    s = aware.isoformat()
    return s.replace("+00:00", "Z") if style == "z" else s


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([*INT64, 2**64, -(2**64), 10**30]),
    st.floats(allow_nan=False, allow_infinity=False),
    text,
)
any_json = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
REQUIRED = frozenset(
    {
        "trainingKey", "trainingId", "name", "times", "organizers", "registrationSettings",
        "startDate", "endDate", "organizerKey", "email", "givenName", "surname",
        "disableConfirmationEmail", "disableWebRegistration", "registrantKey", "status",
        "registrationDate", "joinUrl", "confirmationUrl",
        # full API
        "sessionKey", "trainingName", "sessionStartTime", "sessionEndTime", "attendanceCount",
        "duration", "timeInSession", "inSessionTimes", "joinTime", "leaveTime",
        "timeInPartOfSession", "recordingId", "recordingList", "notifiedRegistrants",
        "notifiedTrainers", "hostURL",
    }
)  # fmt: skip
OPTIONAL = frozenset({"description", "timeZone", "registrationUrl", "downloadUrl"})
extra_fields = st.dictionaries(
    st.text(max_size=12).filter(lambda k: k not in REQUIRED | OPTIONAL), any_json, max_size=3
)


def obj(required: dict[str, st.SearchStrategy[Any]], **optional: st.SearchStrategy[Any]) -> Any:
    """An object with the required fields, any subset of the optional ones, and unknown extras."""
    return st.builds(
        lambda req, opt, extra: {**extra, **req, **opt},
        st.fixed_dictionaries(required),
        st.fixed_dictionaries({}, optional=optional),
        extra_fields,
    )


organizer = obj({"organizerKey": keys, "email": text, "givenName": text, "surname": text})
time_range = obj({"startDate": iso_datetimes(), "endDate": iso_datetimes()})
training = obj(
    {
        "trainingKey": keys,
        "trainingId": keys,
        "name": text,
        "times": st.lists(time_range, max_size=2),
        "organizers": st.lists(organizer, max_size=2),
        "registrationSettings": obj(
            {"disableConfirmationEmail": st.booleans(), "disableWebRegistration": st.booleans()}
        ),
    },
    description=st.none() | text,
    timeZone=st.none() | st.just("") | st.sampled_from(["Europe/Berlin", "UTC"]) | text,
)
registrant = obj(
    {
        "registrantKey": keys,
        "email": text,
        "givenName": text,
        "surname": text,
        "status": st.sampled_from(["WAITING", "APPROVED", "DENIED", "", "NEW_STATUS"]) | text,
        "registrationDate": iso_datetimes(),
        "joinUrl": text,
        "confirmationUrl": text,
    }
)
registration = obj({"registrantKey": keys, "joinUrl": text, "confirmationUrl": text})

# -- full API ---------------------------------------------------------------------------------
INT32 = (-(2**31), 2**31 - 1)
int32s = st.one_of(st.integers(*INT32), st.sampled_from([0, *INT32]))
#: Whole minutes (spec: int32 >= 0), boundaries included.
minutes = st.one_of(st.integers(0, INT32[1]), st.sampled_from([0, 1, INT32[1]]))
urls = st.one_of(
    text,
    st.sampled_from(
        [
            "https://global.gototraining.com/hostTraining/425679554?hostToken=5395831007920635271",
            "https://global.gototraining.com/start/training/425679554?organizerKey=1",
            "https://global.gototraining.com/manage/training/8654042048833979961?trainingId=1",
            "https://global.gototraining.com/hostTraining/425679554?hostToken=REDACTED",
            "/relative", "//host/x", "http://[::1", "not a url",
        ]
    ),
)  # fmt: skip
attendance = obj(
    {"joinTime": iso_datetimes(), "leaveTime": iso_datetimes(), "timeInPartOfSession": minutes}
)
session = obj(
    {
        "sessionKey": keys,
        "trainingName": text,
        "sessionStartTime": iso_datetimes(),
        "sessionEndTime": iso_datetimes(),
        "attendanceCount": int32s,
        "duration": minutes,
        "organizers": st.lists(organizer, max_size=2),
    }
)
attendee = obj(
    {
        "givenName": text,
        "surname": text,
        "email": text,
        "timeInSession": minutes,
        "inSessionTimes": st.lists(attendance, max_size=3),
    }
)
recording_ids = st.one_of(
    st.integers(0, INT64[1]), st.integers(0, INT64[1]).map(str), st.sampled_from([0, INT64[1]])
)
recording = obj(
    {
        "recordingId": recording_ids,
        "name": text,
        "startDate": iso_datetimes(),
        "endDate": iso_datetimes(),
    },
    description=st.none() | text,
    registrationUrl=st.none() | urls,
    downloadUrl=st.none() | urls,
)
# trainingKey is int64 here (string elsewhere); the facade does not read it.
recording_list = obj(
    {"trainingKey": st.integers(0, INT64[1]), "recordingList": st.lists(recording, max_size=3)}
)
notified = obj({"notifiedRegistrants": int32s, "notifiedTrainers": int32s})
host_url = obj({"hostURL": urls})

# name -> (decoder, strategy of valid JSON, result check)
MODELS: dict[str, tuple[Callable[[Any], Any], st.SearchStrategy[Any], Callable[[Any, Any], None]]]


def _check_training(data: Any, t: Any) -> None:
    assert isinstance(t, Training) and t.training_key == data["trainingKey"]
    assert len(t.times) == len(data["times"]) and len(t.organizers) == len(data["organizers"])
    assert all(r.start.tzinfo is not None and r.end.tzinfo is not None for r in t.times)
    assert t.description == data.get("description") and isinstance(t.time_zone, str)


def _check_registrant(data: Any, r: Any) -> None:
    assert isinstance(r, Registrant) and r.registrant_key == data["registrantKey"]
    assert r.raw_status == data["status"] and r.registration_date.tzinfo is not None
    assert r.status.value == data["status"] or r.status is m.RegistrantStatus.UNKNOWN


def _each(check: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    def check_all(data: Any, result: Any) -> None:
        assert isinstance(result, list) and len(result) == len(data)
        for d, r in zip(data, result, strict=True):
            check(d, r)

    return check_all


def _check_organizer(data: Any, o: Any) -> None:
    assert isinstance(o, Organizer) and o.organizer_key == data["organizerKey"]


def _check_registration(data: Any, r: Any) -> None:
    assert isinstance(r, Registration) and r.created and r.registrant_key == data["registrantKey"]


def _check_string(data: Any, s: Any) -> None:
    assert s == data


def _check_session(data: Any, s: Any) -> None:
    assert isinstance(s, Session) and s.session_key == data["sessionKey"]
    assert s.training_name == data["trainingName"]
    assert s.start.tzinfo is not None and s.end.tzinfo is not None
    assert s.attendance_count == data["attendanceCount"]
    assert s.duration == timedelta(minutes=data["duration"])
    assert [o.organizer_key for o in s.organizers] == [
        o["organizerKey"] for o in data["organizers"]
    ]


def _check_attendee(data: Any, a: Any) -> None:
    assert isinstance(a, Attendee) and a.email == data["email"]
    assert a.time_in_session == timedelta(minutes=data["timeInSession"])
    assert len(a.in_session_times) == len(data["inSessionTimes"])
    for part, raw in zip(a.in_session_times, data["inSessionTimes"], strict=True):
        assert part.time_in_part == timedelta(minutes=raw["timeInPartOfSession"])
        assert part.join_time.tzinfo is not None and part.leave_time.tzinfo is not None


def _check_recordings(data: Any, recordings: Any) -> None:
    assert isinstance(recordings, list) and len(recordings) == len(data["recordingList"])
    for raw, r in zip(data["recordingList"], recordings, strict=True):
        assert isinstance(r, Recording) and r.recording_id == str(raw["recordingId"])
        assert r.recording_id.isascii() and r.recording_id.isdigit()
        assert (r.name, r.description) == (raw["name"], raw.get("description"))
        assert (r.registration_url, r.download_url) == (
            raw.get("registrationUrl"), raw.get("downloadUrl"),
        )  # fmt: skip
        assert r.start.tzinfo is not None and r.end.tzinfo is not None


def _check_notified(data: Any, n: Any) -> None:
    assert n == NotifiedParties(data["notifiedRegistrants"], data["notifiedTrainers"])


def _check_host_url(data: Any, url: Any) -> None:
    assert url == data["hostURL"]


MODELS = {
    "training": (m.decode_training, training, _check_training),
    "trainings": (m.decode_trainings, st.lists(training, max_size=3), _each(_check_training)),
    "organizers": (m.decode_organizers, st.lists(organizer, max_size=4), _each(_check_organizer)),
    "registrant": (m.decode_registrant, registrant, _check_registrant),
    "registrants": (
        m.decode_registrants,
        st.lists(registrant, max_size=4),
        _each(_check_registrant),
    ),
    "registration": (m.decode_registration, registration, _check_registration),
    "string": (m.decode_string, text, _check_string),
    # full API
    "sessions": (m.decode_sessions, st.lists(session, max_size=3), _each(_check_session)),
    "attendees": (m.decode_attendees, st.lists(attendee, max_size=3), _each(_check_attendee)),
    "recordings": (m.decode_recordings, recording_list, _check_recordings),
    "notified": (m.decode_notified_parties, notified, _check_notified),
    "host_url": (m.decode_host_url, host_url, _check_host_url),
    "url_string": (m.decode_string, urls, _check_string),  # getStartUrl / getManageTrainingURL
}
FULL_API = frozenset({"sessions", "attendees", "recordings", "notified", "host_url", "url_string"})
#: Required by the spec but not read by the facade (so not a DecodeError when broken).
LENIENT = {"recordings": frozenset({"$.trainingKey"})}

# -- invalid variants: one required field deleted or of the wrong type -------------------------

WRONG = {
    "str": st.one_of(st.none(), st.integers(), st.floats(), st.booleans(), st.just([]), st.just({})),
    "bool": st.one_of(st.none(), st.integers(0, 1), st.just("false"), st.just([]), st.just({})),
    "list": st.one_of(st.none(), st.just({}), st.just(""), st.just("abc"), st.integers(), st.just({"a": 1})),
    "object": st.one_of(st.none(), st.just([]), st.just("x"), st.integers(), st.just([{}])),
    "int": st.one_of(
        st.none(), st.just("1"), st.just(1.0), st.just(1.5), st.booleans(), st.just([]), st.just({}),
    ),
    "minutes": st.one_of(
        st.none(), st.just("1"), st.just(1.0), st.booleans(), st.just([]),
        st.integers(max_value=-1), st.sampled_from([10**30, 2**64, -(2**63)]),  # < 0 or no timedelta
    ),
    "recording_id": st.one_of(
        st.none(), st.just(""), st.just("abc"), st.just("-1"), st.just("1.5"), st.just(1.5),
        st.booleans(), st.just([]), st.just({}), st.sampled_from(["\u00b2", "\u0661\u0662", "\uff11"]),
    ),
    "datetime": st.one_of(
        st.none(), st.integers(), st.just(""), st.just("not a date"), st.just("2031-13-01T00:00Z"),
        st.just("2031-03-01T09:00+25:00"), st.just([]),
    ),
}  # fmt: skip
FIELD_TYPE = {
    "times": "list",
    "organizers": "list",
    "registrationSettings": "object",
    "disableConfirmationEmail": "bool",
    "disableWebRegistration": "bool",
    "startDate": "datetime",
    "endDate": "datetime",
    "registrationDate": "datetime",
    "sessionStartTime": "datetime",
    "sessionEndTime": "datetime",
    "joinTime": "datetime",
    "leaveTime": "datetime",
    "inSessionTimes": "list",
    "recordingList": "list",
    "attendanceCount": "int",
    "notifiedRegistrants": "int",
    "notifiedTrainers": "int",
    "duration": "minutes",
    "timeInSession": "minutes",
    "timeInPartOfSession": "minutes",
    "recordingId": "recording_id",
}


def _required_slots(
    value: Any, path: str = "$", lenient: frozenset[str] = frozenset()
) -> list[tuple[Any, str, str]]:
    """(container, key, path) of every required field in a decoded-shape JSON value."""
    slots: list[tuple[Any, str, str]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k in REQUIRED and f"{path}.{k}" not in lenient:
                slots.append((value, k, f"{path}.{k}"))
                slots.extend(_required_slots(v, f"{path}.{k}", lenient))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            slots.extend(_required_slots(v, f"{path}[{i}]", lenient))
    return slots


@st.composite
def broken(
    draw: st.DrawFn, valid: st.SearchStrategy[Any], lenient: frozenset[str] = frozenset()
) -> tuple[Any, str]:
    """A valid value with exactly one required field deleted or given a wrong-typed value
    (or, for a bare string, a non-string)."""
    value = draw(valid)
    slots = _required_slots(value, lenient=lenient)
    if not slots:  # bare string or empty list: break the top level itself
        return draw(
            st.sampled_from([None, 1, {}, True] + ([] if isinstance(value, list) else [[]]))
        ), "$"
    container, key, path = draw(st.sampled_from(slots))
    if draw(st.booleans()):
        del container[key]
        return value, f"{path} deleted"
    container[key] = draw(WRONG[FIELD_TYPE.get(key, "str")])
    return value, f"{path} = {container[key]!r}"


def _non_empty(name: str) -> st.SearchStrategy[Any]:
    valid = MODELS[name][1]
    items = {
        "trainings": training, "organizers": organizer, "registrants": registrant,
        "sessions": session, "attendees": attendee,
    }  # fmt: skip
    if name in items:  # a list with something to break
        return st.lists(items[name], min_size=1, max_size=3)
    return valid


def _fuzz(name: str) -> settings:
    return FUZZ_FULL if name in FULL_API else FUZZ


# -- the properties -------------------------------------------------------------------------------

ESCAPES = (KeyError, TypeError, AttributeError, IndexError, RecursionError, OverflowError)


@pytest.mark.parametrize("name", MODELS)
def test_valid_bodies_decode_to_what_was_sent(name: str) -> None:
    decoder, valid, check = MODELS[name]

    @_fuzz(name)
    @given(data=valid)
    def run(data: Any) -> None:
        EXAMPLES[f"valid/{name}"] += 1
        check(data, through_pipeline(decoder, dumps(data)))

    run()


@pytest.mark.parametrize("name", MODELS)
def test_one_broken_field_is_a_decode_error(name: str) -> None:
    decoder = MODELS[name][0]

    @_fuzz(name)
    @given(case=broken(_non_empty(name), LENIENT.get(name, frozenset())))
    def run(case: tuple[Any, str]) -> None:
        EXAMPLES[f"broken/{name}"] += 1
        data, what = case
        with pytest.raises(DecodeError) as info:
            through_pipeline(decoder, dumps(data))
        assert info.value.response is not None, what
        str(info.value)

    run()


@pytest.mark.parametrize("name", MODELS)
def test_arbitrary_json_decodes_or_is_a_decode_error(name: str) -> None:
    decoder, _, check = MODELS[name]

    @_fuzz(name)
    @given(data=any_json)
    def run(data: Any) -> None:
        EXAMPLES[f"any-json/{name}"] += 1
        try:
            result = through_pipeline(decoder, dumps(data))
        except DecodeError:
            return
        check(data, result)  # what decoded must be the model, faithful to what was sent

    run()


raw_bodies = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [b"", b" ", b"\xff\xfe\x00", b"<html>502 Bad Gateway</html>", b'{"a":', b"NaN",
         b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000, b"1" * 5000, b"\xef\xbb\xbf{}"]
    ),
    any_json.map(dumps).map(lambda b: b[: max(0, len(b) - 1)]),  # truncated mid-body
)  # fmt: skip
content_types = st.sampled_from(
    ["application/json", "text/html; charset=utf-8", "text/plain", "", "application/json; charset=latin-1"]
)  # fmt: skip


@FUZZ
@given(name=st.sampled_from(sorted(MODELS)), body=raw_bodies, content_type=content_types)
def test_arbitrary_bytes_decode_or_are_a_decode_error(
    name: str, body: bytes, content_type: str
) -> None:
    EXAMPLES["bytes"] += 1
    try:
        through_pipeline(MODELS[name][0], body, content_type=content_type)
    except DecodeError:
        pass
    except ESCAPES as exc:  # pragma: no cover - the failure message
        raise AssertionError(f"{type(exc).__name__} escaped") from exc


# -- getRecordingDownloadById: the 302's Location (not JSON) ------------------------------------


def through_redirect(status: int, location_header: bytes | None, body: bytes = b"") -> Any:
    """Answer one getRecordingDownloadById pipeline; return the file URL or raise."""
    call = Call("fuzz", {"method": "get", "url": "/fuzz"}, location, redirect_is_result=True)
    gen = pipeline(SETTINGS, call)
    send = next(gen)
    assert isinstance(send, Send)
    headers = [] if location_header is None else [(b"location", location_header)]
    response = httpx.Response(status, content=body, headers=headers, request=send.request)
    try:
        gen.send(response)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("the pipeline asked for another action")


header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=60
)
location_headers = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "",
            " ",
            "https://cdn.example.net/rec/recording-1.mp4?Signature=x&Expires=1",
            "/_sandbox/files/recording-1.mp4",
            "recording-1.mp4",
            "//cdn.example.net/a",
            "http://[::1",
            "http://[invalid]/x",
            "http://a:99999/",
            "ftp://x/y",
            "?a=b",
            "#f",
            "http://\u00e9.example/",
            "https://" + "a" * 300 + ".example/",
        ]
    ),
    header_text,
).map(lambda v: None if v is None else v.encode("latin-1"))


@FUZZ_FULL
@given(
    status=st.sampled_from([301, 302, 303, 307, 308, 300, 304, 399]),
    header=location_headers,
    body=raw_bodies,
)
def test_redirect_location_is_an_absolute_url_or_a_decode_error(
    status: int, header: bytes | None, body: bytes
) -> None:
    EXAMPLES["redirect"] += 1
    try:
        url = through_redirect(status, header, body)
    except DecodeError as exc:
        assert exc.response is not None and exc.response.status_code == status
        return
    assert header and header.strip()
    parsed = httpx.URL(url)
    assert parsed.is_absolute_url and parsed.scheme, url


@FUZZ_FULL
@given(status=st.sampled_from([200, 201, 204, 206]), header=location_headers, body=raw_bodies)
def test_non_redirect_answer_to_download_url_is_a_decode_error(
    status: int, header: bytes | None, body: bytes
) -> None:
    EXAMPLES["redirect/2xx"] += 1
    with pytest.raises(DecodeError, match="expected a 302"):
        through_redirect(status, header, body)


error_bodies = st.one_of(
    raw_bodies,
    any_json.map(dumps),
    st.fixed_dictionaries(
        {},
        optional={
            "errorCode": any_json | st.sampled_from(sorted(INVALID_TOKEN_CODES)),
            "int_err_code": any_json,
            "description": any_json,
            "msg": any_json,
            "incident": any_json,
        },
    ).map(dumps),
)


@FUZZ
@given(status=st.integers(400, 599), body=error_bodies, content_type=content_types)
def test_error_statuses_raise_the_mapped_api_error(
    status: int, body: bytes, content_type: str
) -> None:
    EXAMPLES["errors"] += 1
    with pytest.raises(APIError) as info:
        through_pipeline(m.decode_string, body, status=status, content_type=content_type)
    err = info.value
    expected = STATUS_TO_ERROR.get(status) or (ServerError if status >= 500 else BadRequestError)
    assert isinstance(err, expected) or (status == 403 and isinstance(err, AuthenticationError))
    assert err.status == status and len(err.message) <= 500
    str(err), repr(err)


token_bodies = st.one_of(
    any_json,
    st.fixed_dictionaries(
        {"access_token": st.one_of(text, any_json)},
        optional={
            "expires_in": st.one_of(
                st.integers(), st.sampled_from([10**400, -1, 0, 1e308]), st.floats(), any_json
            ),
            "refresh_token": any_json,
            "scope": any_json,
        },
    ),
)


@FUZZ
@given(
    body=st.one_of(token_bodies.map(dumps), raw_bodies),
    status=st.sampled_from([200, 400, 401, 429, 500, 503]),
)
def test_token_endpoint_answers_refresh_or_raise_authentication_error(
    body: bytes, status: int
) -> None:
    """A refused grant is an ``AuthenticationError``; a busy endpoint (429/5xx) keeps its own
    class, so it isn't mistaken for bad credentials."""
    EXAMPLES["token"] += 1
    auth = OAuth2("client", "secret", "refresh", token_url="https://auth.example.test/token")
    request = auth._refresh_request()
    response = httpx.Response(status, content=body, request=request)
    expected = {429: RateLimitError, 500: ServerError, 503: ServerError}.get(status)
    try:
        token, generation = auth._apply(response)
    except AuthenticationError as exc:
        assert expected is None, f"{status} should be {expected}, got {exc!r}"
        str(exc)
        return
    except GoToTrainingError as exc:
        assert expected is not None and type(exc) is expected, f"unexpected {exc!r}"
        assert exc.status == status
        str(exc)
        return
    assert status == 200 and isinstance(token, str) and token and generation == 1
