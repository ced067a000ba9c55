"""Answers that stray from the spec: tolerant by default (models, drift reported), strict on
request (``DecodeError``), through the real client -- sync and async -- and an
``httpx.MockTransport``.

The first cases are example answers GoTo published (kept by other client libraries as test
fixtures: ``fixtures/goto_examples/README.md`` names each source), then one case per way an
answer can stray, then what still has no usable meaning, then how drift is reported.
"""

from __future__ import annotations

import json
import logging
import pathlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from gototraining import (
    ClientOptions,
    DecodeError,
    Deviation,
    DriftKind,
    DriftWarning,
    GoToTraining,
    MissingFieldError,
    Person,
    RegistrantStatus,
    UnknownValue,
    ValidationError,
)

from .conftest import Flavor

EXAMPLES = pathlib.Path(__file__).parent / "fixtures" / "goto_examples"


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def answer(flavor: Flavor, body: Any, *, status: int = 200, **options: Any) -> None:
    """A client of ``flavor`` whose every request is answered with ``body`` (JSON)."""
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    flavor.client(
        lambda request: httpx.Response(
            status, content=content, headers={"content-type": "application/json"}
        ),
        max_retries=0,
        **options,
    )


def tolerant(flavor: Flavor, body: Any, call: Callable[[Any], Any], **options: Any) -> Any:
    answer(flavor, body, strict=False, **options)
    return flavor.run(call)


def strict_error(flavor: Flavor, body: Any, call: Callable[[Any], Any]) -> DecodeError:
    answer(flavor, body, strict=True)
    with pytest.raises(DecodeError) as info:
        flavor.run(call)
    return info.value


def kinds(model: Any) -> set[tuple[str, str]]:
    return {(d.path, str(d.kind)) for d in model.drift}


pytestmark = pytest.mark.filterwarnings("ignore::gototraining.DriftWarning")

# -- GoTo's own example answers ----------------------------------------------------------------


def test_the_example_trainings_list_is_decoded(flavor: Flavor) -> None:
    body = example("trainings.json")
    [training] = tolerant(flavor, body, lambda c: c.trainings.list())
    assert training.training_key == "8178251407424893697" and training.training_id is None
    assert training.time_zone == "" and training.organizers[0].organizer_key.isdigit()
    assert kinds(training) == {("$[0].timeZone", "empty")}
    error = strict_error(flavor, body, lambda c: c.trainings.list())
    assert error.path == "$[0].timeZone" and "non-empty string" in str(error)


def test_the_example_training_is_exactly_what_the_spec_allows(flavor: Flavor) -> None:
    """Without ``trainingId``: the spec makes it optional (``str | None``), strict agrees."""
    answer(flavor, example("training.json"), strict=True)
    training = flavor.run(lambda c: c.trainings.get(8178251407424893697))
    assert training.training_id is None and training.time_zone == "America/New_York"
    assert training.drift == ()


def test_one_odd_registrant_does_not_hide_the_others(flavor: Flavor) -> None:
    body = example("registrants.json")
    padded, unregistered, without = tolerant(flavor, body, lambda c: c.registrants.list(1))
    assert padded.email == "c.waters@test.com" and padded.status is RegistrantStatus.APPROVED
    assert kinds(padded) == {("$[0].email", "padded")}
    assert unregistered.status == "UNREGISTERED" and type(unregistered.status) is UnknownValue
    assert unregistered.raw_status == "UNREGISTERED"
    assert kinds(unregistered) == {("$[1].status", "unknown enum")}
    assert without.status is None and without.raw_status is None and without.drift == ()
    assert strict_error(flavor, body, lambda c: c.registrants.list(1)).path == "$[0].email"


def test_a_registration_answered_with_a_numeric_key_is_a_registration(flavor: Flavor) -> None:
    body = example("register.json")
    call = lambda c: c.registrants.register(
        1, email="john.smith@example.com", given_name="John", surname="Smith"
    )
    registration = tolerant(flavor, body, call)
    assert registration.registrant_key == "2121396992126760705"  # exactly, no float on the way
    assert kinds(registration) == {("$.registrantKey", "wrong type")}
    assert strict_error(flavor, body, call).path == "$.registrantKey"


# -- each way an answer strays ------------------------------------------------------------------

TRAINING = {
    "trainingKey": "8178251407424893697",
    "trainingId": "107445004",
    "name": "Onboarding",
    "description": "First week",
    "timeZone": "Europe/Berlin",
    "times": [{"startDate": "2030-01-01T09:00:00Z", "endDate": "2030-01-01T10:00:00Z"}],
    "organizers": [
        {"organizerKey": "7", "email": "o@example.com", "givenName": "O", "surname": "Rg"}
    ],
    "registrationSettings": {"disableConfirmationEmail": False, "disableWebRegistration": True},
}
RECORDINGS = {
    "trainingKey": 8178251407424893697,
    "recordingList": [
        {
            "recordingId": 5000000000000000001,
            "name": "Session 1",
            "startDate": "2030-01-01T09:00:00Z",
            "endDate": "2030-01-01T10:00:00Z",
        }
    ],
}


def _training(**changes: Any) -> dict[str, Any]:
    out = {**TRAINING, **changes}
    return {k: v for k, v in out.items() if v is not ...}


def test_a_key_as_a_number_or_a_string_is_the_same_str(flavor: Flavor) -> None:
    [as_number] = tolerant(
        flavor, [_training(trainingKey=8178251407424893697)], lambda c: c.trainings.list()
    )
    assert as_number.training_key == "8178251407424893697"
    recordings = {
        **RECORDINGS,
        "recordingList": [{**RECORDINGS["recordingList"][0], "recordingId": "5000000000000000001"}],  # type: ignore[index]
    }
    [recording] = tolerant(flavor, recordings, lambda c: c.recordings.list(1))
    assert recording.recording_id == "5000000000000000001"
    assert kinds(recording) == {("$.recordingList[0].recordingId", "wrong type")}
    assert strict_error(flavor, recordings, lambda c: c.recordings.list(1)).path == (
        "$.recordingList[0].recordingId"
    )


def test_a_number_sent_as_a_numeric_string(flavor: Flavor) -> None:
    body = {"notifiedRegistrants": "12", "notifiedTrainers": 1}
    call = lambda c: c.trainings.update_times(
        1,
        times=[(datetime(2031, 1, 1, 9, tzinfo=UTC), datetime(2031, 1, 1, 10, tzinfo=UTC))],
        time_zone="Europe/Berlin",
    )
    notified = tolerant(flavor, body, call)
    assert notified.registrants == 12 and notified.trainers == 1
    assert strict_error(flavor, body, call).path == "$.notifiedRegistrants"
    session = {
        "sessionKey": "1",
        "trainingName": "T",
        "sessionStartTime": "2030-01-01T09:00:00Z",
        "sessionEndTime": "2030-01-01T10:00:00Z",
        "attendanceCount": 3.0,
        "duration": "60",
        "organizers": [],
    }
    [read] = tolerant(flavor, [session], lambda c: c.reports.sessions_for_training(1))
    assert read.attendance_count == 3 and read.duration == timedelta(minutes=60)


@pytest.mark.parametrize("sent", [..., None], ids=["missing", "null"])
def test_a_required_field_lost_raises_only_when_read(flavor: Flavor, sent: Any) -> None:
    [training] = tolerant(flavor, [_training(name=sent)], lambda c: c.trainings.list())
    assert training.training_key == "8178251407424893697"  # the rest is there
    with pytest.raises(MissingFieldError) as info:
        _ = training.name
    error = info.value
    assert isinstance(error, AttributeError)
    assert (error.model, error.field, error.operation) == ("Training", "name", "getAllTrainings")
    assert error.path == "$[0].name" and error.kind == ("missing" if sent is ... else "null")
    assert "Training.name" in str(error) and "getAllTrainings" in str(error)
    assert getattr(training, "name", "default") == "default" and not hasattr(training, "name")
    assert "name=<missing>" in repr(training) and [training] == [training] and hash(training)
    [deviation] = training.drift
    assert deviation.lost and deviation.property == "name" and deviation.schema == "Training"


def test_empty_strings_for_an_optional_enum_and_a_time_zone(flavor: Flavor) -> None:
    registrant = {**example("registrants.json")[2], "status": ""}
    [read] = tolerant(flavor, [registrant], lambda c: c.registrants.list(1))
    assert read.status is None and kinds(read) == {("$[0].status", "empty")}
    [training] = tolerant(flavor, [_training(timeZone="")], lambda c: c.trainings.list())
    assert training.time_zone == ""  # kept as sent: a str, honestly


def test_an_unknown_enum_value_is_kept_not_coerced(flavor: Flavor) -> None:
    registrant = {**example("registrants.json")[2], "status": "PENDING_PAYMENT"}
    [read] = tolerant(flavor, [registrant], lambda c: c.registrants.list(1))
    assert read.status == "PENDING_PAYMENT" and read.status not in set(RegistrantStatus)
    assert repr(read.status) == "UnknownValue('PENDING_PAYMENT')"


def test_unknown_fields_are_kept_and_reported(flavor: Flavor) -> None:
    [training] = tolerant(flavor, [_training(locale="de-DE")], lambda c: c.trainings.list())
    assert training.extra == {"locale": "de-DE"} and kinds(training) == {
        ("$[0].locale", "unknown field")
    }
    error = strict_error(flavor, [_training(locale="de-DE")], lambda c: c.trainings.list())
    assert "unexpected field 'locale'" in str(error)


def test_nested_drift_has_its_path_and_stays_on_its_model(flavor: Flavor) -> None:
    organizer = {"organizerKey": 7, "email": " o@example.com", "givenName": "O", "surname": "R"}
    times = [{"startDate": "2030-01-01T09:00:00Z"}]
    body = [TRAINING, _training(organizers=[organizer], times=times)]
    plain, training = tolerant(flavor, body, lambda c: c.trainings.list())
    assert plain.drift == ()
    assert kinds(training.organizers[0]) == {
        ("$[1].organizers[0].organizerKey", "wrong type"),
        ("$[1].organizers[0].email", "padded"),
    }
    assert training.organizers[0].organizer_key == "7"
    assert kinds(training.times[0]) == {("$[1].times[0].endDate", "missing")}
    assert len(training.drift) == 3  # a model's drift includes the drift inside it
    with pytest.raises(MissingFieldError, match=r"TimeRange\.end .*\$\[1\]\.times\[0\]\.endDate"):
        _ = training.times[0].end


# -- what has no usable meaning -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "call", "where"),
    [
        (b"<html>login</html>", lambda c: c.trainings.list(), "not JSON"),
        ({"trainings": []}, lambda c: c.trainings.list(), "expected an array"),
        ([_training(trainingKey=...)], lambda c: c.trainings.list(), "trainingKey"),
        ([_training(trainingKey=None)], lambda c: c.trainings.list(), "trainingKey"),
        (["a training"], lambda c: c.trainings.list(), "expected an object"),
        (
            {"recordingList": None, "trainingKey": 1},
            lambda c: c.recordings.list(1),
            "recordingList",
        ),
        (
            {"joinUrl": "j", "confirmationUrl": "c", "registrantKey": 1.5},
            lambda c: c.registrants.register(1, email="a@example.com", given_name="A", surname="B"),
            "registrantKey",
        ),
    ],
    ids=["html", "object-not-list", "key-missing", "key-null", "item", "unwrap", "key-float"],
)
def test_answers_without_usable_meaning_are_a_decode_error(
    flavor: Flavor, body: Any, call: Callable[[Any], Any], where: str
) -> None:
    answer(flavor, body, strict=False)
    with pytest.raises(DecodeError, match=where) as info:
        flavor.run(call)
    assert info.value.response is not None


# -- reporting -------------------------------------------------------------------------------------


def test_a_drift_warning_once_per_operation_path_and_kind(flavor: Flavor) -> None:
    body = [_training(trainingKey=str(n), timeZone="") for n in range(3)]
    answer(flavor, body, strict=False)

    def twice(client: Any) -> Any:
        flavor.run(lambda c: c.trainings.list(), client)
        return flavor.run(lambda c: c.trainings.list(), client)

    with pytest.warns(DriftWarning) as caught:
        twice(flavor._clients[-1])
    messages = [str(w.message) for w in caught if issubclass(w.category, DriftWarning)]
    assert messages == [
        (
            "getAllTrainings: $[*].timeZone: empty (expected non-empty string, got empty "
            "string) -- decoded anyway; strict=True makes this a DecodeError"
        )
    ]
    assert issubclass(DriftWarning, UserWarning)
    if not flavor.is_async:  # async: the awaiting coroutine's (here asyncio's own)
        assert caught[0].filename == __file__  # points at the caller, not into the SDK


def test_drift_is_logged_and_recorded(
    flavor: Flavor, tmp_path: pathlib.Path, caplog: pytest.LogCaptureFixture
) -> None:
    record = tmp_path / "drift.jsonl"
    caplog.set_level(logging.INFO, logger="gototraining")
    body = example("registrants.json")
    tolerant(flavor, body, lambda c: c.registrants.list(1), record_drift=record)
    tolerant(flavor, body, lambda c: c.registrants.list(1), record_drift=record)
    logged = [r.getMessage() for r in caplog.records if "strays from the spec" in r.message]
    assert len(logged) == 2 and all("getRegistrants" in m for m in logged)
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert lines == [  # one line per distinct deviation and client, no personal data
        {"expected": "a string without surrounding whitespace", "got": "padded string",
         "kind": "padded", "operation": "getRegistrants", "path": "$[*].email",
         "property": "email", "schema": "Registrant"},
        {"expected": "one of APPROVED, DENIED, WAITING", "got": "UNREGISTERED",
         "kind": "unknown enum", "operation": "getRegistrants", "path": "$[*].status",
         "property": "status", "schema": "Registrant"},
    ] * 2  # fmt: skip
    assert "c.waters" not in record.read_text()


def test_strict_is_an_option_of_every_kind(flavor: Flavor, monkeypatch: pytest.MonkeyPatch) -> None:
    body = example("register.json")
    call = lambda c: c.registrants.register(
        1, email="john.smith@example.com", given_name="John", surname="Smith"
    )
    answer(flavor, body, strict=False)
    client = flavor._clients[-1]
    assert client.options.strict is False
    exact = client.with_options(strict=True)
    assert exact.options.strict is True
    with pytest.raises(DecodeError):
        flavor.run(call, exact)
    assert flavor.run(call, exact.with_options(strict=False)).registrant_key.isdigit()
    monkeypatch.setenv("GOTO_STRICT", "0")
    assert GoToTraining(access_token="t", organizer_key="1").options.strict is False
    monkeypatch.setenv("GOTO_STRICT", "yes")
    assert GoToTraining(access_token="t", organizer_key="1").options.strict is True
    monkeypatch.setenv("GOTO_STRICT", "maybe")
    with pytest.raises(ValidationError, match="GOTO_STRICT"):
        GoToTraining(access_token="t", organizer_key="1")
    with pytest.raises(ValidationError, match="strict"):
        ClientOptions(
            organizer_key=1,
            base_url="https://x.example",
            auth=httpx.Auth(),
            credentials="test",
            strict="yes",  # type: ignore[arg-type]
        )


def test_deviation_reads_well() -> None:
    deviation = Deviation(
        operation="getRegistrants",
        path="$[12].status",
        kind=DriftKind.UNKNOWN_ENUM,
        schema="Registrant",
        property="status",
        expected="one of APPROVED, DENIED, WAITING",
        got="UNREGISTERED",
        lost=False,
    )
    assert deviation.pattern == "$[*].status"
    assert deviation.describe() == (
        "$[*].status: unknown enum (expected one of APPROVED, DENIED, WAITING, got 'UNREGISTERED')"
    )
    with pytest.raises(AttributeError):
        deviation.kind = DriftKind.MISSING


def test_a_roster_entry_without_email_matches_nobody(flavor: Flavor) -> None:
    """The multi-step registrations read the roster's emails: one the API sent without an email
    is skipped, not a crash."""
    roster = example("registrants.json")
    del roster[1]["email"]
    created = example("register.json") | {"registrantKey": "7"}

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json=roster)
        return httpx.Response(201, json=created)

    flavor.client(handle, strict=False, max_retries=0)
    people = [
        Person("john.smith@test.com", "John", "Smith"),
        Person("jane.jones@test.com", "Jane", "Jones"),
    ]
    results = flavor.run(lambda c: c.registrants.register_many(1, people))
    assert [r.outcome.value for r in results] == ["registered", "already_registered"]


def test_a_decode_error_names_the_operation_and_its_path_template(flavor: Flavor) -> None:
    error = strict_error(flavor, example("trainings.json"), lambda c: c.trainings.list())
    message = str(error)
    assert message.endswith("(getAllTrainings: GET /organizers/{organizerKey}/trainings)")
    assert error.operation == "getAllTrainings"
    assert "1000000000000000001" not in message  # the organizer key stays out of it
    answer(flavor, b"<html>login</html>")  # not JSON: the same, tolerant or not
    with pytest.raises(DecodeError, match=r"\(getTraining: GET /organizers/\{organizerKey\}"):
        flavor.run(lambda c: c.trainings.get(8178251407424893697))
