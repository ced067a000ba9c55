"""``registrants.register_many``: one result per person, idempotent, validated first, paced by
the client's limiter, stopped by errors that would hit everyone -- on both flavors, against the
sandbox (faults injected where a case needs them)."""

from __future__ import annotations

import threading
from collections.abc import Generator, Hashable
from datetime import UTC, datetime
from typing import Any

import pytest
from gototraining import (
    AuthenticationError,
    BadRequestError,
    DriftWarning,
    InvalidPeopleError,
    MissingFieldError,
    NotFoundError,
    Person,
    RateLimiter,
    RegistrationOutcome,
    RegistrationResult,
    RetryPolicy,
    ServerError,
    ValidationError,
)
from gototraining._ratelimit import Ticket
from gototraining._resource import _WAIT_SLICE, Progress, _Stopped, _watched
from gototraining._transport import Action, Sleep
from gototraining.sandbox import Sandbox

from .conftest import Flavor

START = datetime(2031, 5, 5, 9, tzinfo=UTC)
FAST = RetryPolicy(max_retries=1, backoff_base=0.01, backoff_max=0.02)
REGISTERED, ALREADY, FAILED, INVALID = (
    RegistrationOutcome.REGISTERED,
    RegistrationOutcome.ALREADY_REGISTERED,
    RegistrationOutcome.FAILED,
    RegistrationOutcome.INVALID,
)


def people(n: int, prefix: str = "p") -> list[Person]:
    return [Person(f"{prefix}{i}@example.com", f"Given{i}", f"Surname{i}") for i in range(n)]


def client(flavor: Flavor, sb: Sandbox, **overrides: Any) -> Any:
    options: dict[str, Any] = {
        "access_token": sb.token,
        "organizer_key": sb.organizer_key,
        "base_url": sb.url,
        "rate_limit": None,
        "retry_policy": FAST,
    }
    return flavor.client(**{**options, **overrides})


def training(sb: Sandbox) -> str:
    with sb.client() as setup:
        return setup.trainings.create(
            name="Bulk", times=[(START, START.replace(hour=11))], time_zone="UTC"
        )


def test_registers_everyone_once_and_reports_each_result(
    flavor: Flavor, gototraining_sandbox: Sandbox
) -> None:
    sb = gototraining_sandbox
    key = training(sb)
    with sb.client() as setup:  # one person is registered already
        setup.registrants.register(key, email="P3@example.com", given_name="P", surname="Three")
    c = client(flavor, sb)
    heard: list[RegistrationResult] = []
    results = flavor.run(
        lambda c: c.registrants.register_many(
            key, people(12), concurrency=4, on_result=heard.append
        )
    )
    assert [r.index for r in results] == list(range(12))
    assert [r.person.email for r in results] == [p.email for p in people(12)]
    assert [r.outcome for r in results] == [REGISTERED] * 3 + [ALREADY] + [REGISTERED] * 8
    assert heard[0] == results[3] and heard[0].attempts == 0  # the listed one comes first
    assert sorted(heard, key=lambda r: r.index) == results
    assert all(r.ok and r.error is None and r.registrant_key and r.join_url for r in results)
    assert results[3].registration is not None and results[3].registration.created is False
    assert sb.request_count("getRegistrants") == 1
    assert sb.request_count("registerForTraining") == 1 + 11
    assert len(sb.registrants(key)) == 12

    again = flavor.run(lambda c: c.registrants.register_many(key, people(12)), c)
    assert [r.outcome for r in again] == [ALREADY] * 12
    assert [r.registrant_key for r in again] == [r.registrant_key for r in results]
    assert sb.request_count("registerForTraining") == 12  # nothing sent twice


def test_nothing_to_do_sends_nothing(flavor: Flavor, gototraining_sandbox: Sandbox) -> None:
    client(flavor, gototraining_sandbox)
    assert flavor.run(lambda c: c.registrants.register_many(1, [])) == []
    assert gototraining_sandbox.request_count() == 0


@pytest.mark.parametrize(
    ("people_arg", "param"),
    [
        ([Person("a@example.com", "A", "B"), Person("not-an-email", "C", "D")], "people[1].email"),
        ([Person("a@example.com", "  ", "B")], "people[0].given_name"),
        ([Person("a@example.com", "A", "B"), Person("A@Example.com", "C", "D")], "people[1].email"),
        ([{"email": "a@example.com", "first_name": "A", "surname": "B"}], "people[0]"),
        ([("a@example.com", "A", "B")], "people[0]"),
        ("a@example.com", "people"),
        ({"email": "a@example.com", "given_name": "A", "surname": "B"}, "people"),
    ],
    ids=["bad-email", "blank-name", "same-email-twice", "mapping-keys", "tuple", "str", "mapping"],
)
def test_bad_people_are_refused_before_anything_is_sent(
    flavor: Flavor, gototraining_sandbox: Sandbox, people_arg: Any, param: str
) -> None:
    client(flavor, gototraining_sandbox)
    with pytest.raises(ValidationError) as caught:
        flavor.run(lambda c: c.registrants.register_many(1, people_arg))
    assert caught.value.param == param
    assert gototraining_sandbox.request_count() == 0


def _with_invalid(n: int) -> list[Any]:
    """``n`` people, four of them invalid in different ways."""
    mixed: list[Any] = list(people(n))
    mixed[2] = Person("p2", "Given2", "Surname2")  # not an email
    mixed[5] = {"email": "P1@example.com", "given_name": "Again", "surname": "One"}  # twice
    mixed[7] = Person("p7@example.com", " ", "x\ny")  # two fields at once
    mixed[9] = {"email": "p9@example.com", "first_name": "Nine"}  # wrong keys
    return mixed


def test_raise_lists_every_invalid_person_and_sends_nothing(
    flavor: Flavor, gototraining_sandbox: Sandbox
) -> None:
    client(flavor, gototraining_sandbox)
    with pytest.raises(InvalidPeopleError) as caught:
        flavor.run(lambda c: c.registrants.register_many(1, _with_invalid(12)))
    error = caught.value
    assert isinstance(error, ValidationError)  # existing handlers still catch it
    assert [r.index for r in error.invalid] == [2, 5, 7, 9]
    assert all(r.outcome is INVALID and not r.ok and r.attempts == 0 for r in error.invalid)
    assert [r.error.param for r in error.invalid if isinstance(r.error, ValidationError)] == [
        "people[2].email",
        "people[5].email",
        "people[7]",
        "people[9]",
    ]
    assert error.param == "people[2].email"  # the first, as before
    text = str(error)
    assert text.startswith("people: 4 invalid people, nothing was sent: people[2].email: ")
    assert "people[5].email: 'P1@example.com' is already people[1]'s email" in text
    assert "people[7]: given_name: must not be empty; surname: control character" in text
    assert "people[9]: expected the keys email, given_name and surname; missing" in text
    assert error.invalid[3].person == Person("p9@example.com", "", "")  # as given
    assert gototraining_sandbox.request_count() == 0


def test_raise_shows_the_first_ten_and_counts_the_rest() -> None:
    from gototraining._builders.registrants import register_many

    bad = [Person(f"bad{i}", "A", "B") for i in range(13)]
    with pytest.raises(InvalidPeopleError) as caught:
        register_many("1", 1, bad)
    assert len(caught.value.invalid) == 13
    assert str(caught.value).count("expected an email address") == 10
    assert str(caught.value).endswith("; and 3 more")


def test_report_registers_the_valid_and_reports_each_invalid(
    flavor: Flavor, gototraining_sandbox: Sandbox
) -> None:
    sb = gototraining_sandbox
    key = training(sb)
    client(flavor, sb)
    heard: list[RegistrationResult] = []
    mixed = _with_invalid(12)
    results = flavor.run(
        lambda c: c.registrants.register_many(key, mixed, invalid="report", on_result=heard.append)
    )
    assert [r.index for r in results] == list(range(12))
    outcomes = [r.outcome for r in results]
    assert [i for i, o in enumerate(outcomes) if o is INVALID] == [2, 5, 7, 9]
    assert outcomes.count(REGISTERED) == 8
    assert [r.index for r in heard[:4]] == [2, 5, 7, 9]  # known before anything was sent
    assert sorted(heard, key=lambda r: r.index) == results
    for r in results:
        if r.outcome is INVALID:
            assert isinstance(r.error, ValidationError) and r.registration is None
            assert r.attempts == 0 and not r.ok
    assert results[5].person == Person("P1@example.com", "Again", "One")
    assert sb.request_count("registerForTraining") == 8
    assert {r.email for r in sb.registrants(key)} == {
        p.email for i, p in enumerate(people(12)) if i not in (2, 5, 7, 9)
    }


def test_report_with_nobody_valid_sends_nothing(
    flavor: Flavor, gototraining_sandbox: Sandbox
) -> None:
    client(flavor, gototraining_sandbox)
    results = flavor.run(
        lambda c: c.registrants.register_many(1, [Person("x", "A", "B")], invalid="report")
    )
    assert [r.outcome for r in results] == [INVALID]
    assert gototraining_sandbox.request_count() == 0


def test_emails_lose_their_surrounding_spaces_everywhere(
    flavor: Flavor, gototraining_sandbox: Sandbox
) -> None:
    sb = gototraining_sandbox
    key = training(sb)
    client(flavor, sb)
    one = flavor.run(
        lambda c: c.registrants.register(
            key, email="  ann@example.com\u00a0", given_name=" Ann ", surname="Lee"
        )
    )
    results = flavor.run(
        lambda c: c.registrants.register_many(
            key, [Person(" bob@example.com ", "Bob", "Ray"), Person("ann@example.com ", "A", "L")]
        )
    )
    assert [r.person.email for r in results] == ["bob@example.com", "ann@example.com"]
    assert [r.outcome for r in results] == [REGISTERED, ALREADY]
    assert results[1].registrant_key == one.registrant_key
    assert sorted(r.email for r in sb.registrants(key)) == ["ann@example.com", "bob@example.com"]

    def register(email: str) -> Any:
        return lambda c: c.registrants.register(key, email=email, given_name="A", surname="B")

    for spaced_inside in ("ann @example.com", "ann@example.com\t", "\nann@example.com"):
        with pytest.raises(ValidationError):
            flavor.run(register(spaced_inside))


@pytest.mark.parametrize(
    ("options", "param"),
    [
        ({"concurrency": 0}, "concurrency"),
        ({"concurrency": 101}, "concurrency"),
        ({"concurrency": True}, "concurrency"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"on_result": "print"}, "on_result"),
        ({"invalid": "skip"}, "invalid"),
    ],
)
def test_bad_options_are_refused_before_anything_is_sent(
    flavor: Flavor, gototraining_sandbox: Sandbox, options: dict[str, Any], param: str
) -> None:
    client(flavor, gototraining_sandbox)
    with pytest.raises(ValidationError) as caught:
        flavor.run(lambda c: c.registrants.register_many(1, people(2), **options))
    assert caught.value.param == param
    assert gototraining_sandbox.request_count() == 0


def test_names_are_sent_stripped_and_mappings_accepted(
    flavor: Flavor, gototraining_sandbox: Sandbox
) -> None:
    sb = gototraining_sandbox
    key = training(sb)
    client(flavor, sb)
    given = [{"email": "m@example.com", "given_name": "  Ada ", "surname": " Lovelace  "}]
    [result] = flavor.run(lambda c: c.registrants.register_many(key, given))
    assert result.person == Person("m@example.com", "Ada", "Lovelace")
    [stored] = sb.registrants(key)
    assert (stored.given_name, stored.surname) == ("Ada", "Lovelace")


@pytest.mark.parametrize("status", [429, 503])
def test_temporary_failures_are_repeated_after_retry_after(
    flavor: Flavor, gototraining_sandbox: Sandbox, status: int
) -> None:
    """Two answers with Retry-After: 7 use up the client's one retry; the person is sent again
    after waiting what the server asked, and is registered exactly once."""
    sb = gototraining_sandbox
    key = training(sb)
    policy = RetryPolicy(max_retries=1, rate_limit_retries=1, retry_after_cap=60)
    client(flavor, sb, retry_policy=policy)
    sb.faults.add("registerForTraining", statuses=[status, status], retry_after=7)
    [result] = flavor.run(lambda c: c.registrants.register_many(key, people(1)))
    assert (result.outcome, result.attempts) == (REGISTERED, 2)
    # One wait inside the client's retry, one before the second attempt: 7 s each.
    assert sum(flavor.sleeps) == pytest.approx(14)
    assert len(sb.registrants(key)) == 1


def test_a_registration_that_cannot_wait_for_the_quota_is_sent_again_after_it(
    flavor: Flavor, gototraining_sandbox: Sandbox
) -> None:
    """With ``max_queue_wait=5`` a 429 asking for 20 s is a ``QueueTimeoutError`` in the client,
    at once; the batch waits the 20 s itself (not its short backoff, which would meet the same
    wall) and sends the person again."""
    sb = gototraining_sandbox
    key = training(sb)
    client(flavor, sb, max_queue_wait=5)
    sb.faults.add("registerForTraining", statuses=[429], retry_after=20)
    [result] = flavor.run(lambda c: c.registrants.register_many(key, people(1)))
    assert (result.outcome, result.attempts) == (REGISTERED, 2)
    assert sum(flavor.sleeps) == pytest.approx(20)
    assert len(sb.registrants(key)) == 1


def test_a_lost_answer_is_not_a_duplicate(flavor: Flavor, gototraining_sandbox: Sandbox) -> None:
    """Every attempt's registration is applied and its answer cut off: the repeats meet 409,
    which turns into the existing registrant."""
    sb = gototraining_sandbox
    key = training(sb)
    client(flavor, sb)
    sb.faults.add("registerForTraining", reset=True, apply=True, times=3)
    results = flavor.run(lambda c: c.registrants.register_many(key, people(3), concurrency=1))
    # The first person's three faulted attempts are applied: the first created them, the
    # repeats met 409 and found them on the list -- registered by this call, and said so.
    assert [r.outcome for r in results] == [REGISTERED] * 3
    assert all(r.registration is not None and r.registration.created for r in results)
    assert results[0].attempts == 2 and all(r.registrant_key for r in results)
    assert sorted(r.email for r in sb.registrants(key)) == [p.email for p in people(3)]


def test_persistent_and_permanent_failures_fail_that_person_only(
    flavor: Flavor, gototraining_sandbox: Sandbox
) -> None:
    sb = gototraining_sandbox
    key = training(sb)
    client(flavor, sb)
    sb.faults.add("registerForTraining", statuses=[400])  # the first person's one attempt
    sb.faults.add("registerForTraining", statuses=[503] * 6)  # the second: 3 x (1 + 1 retry)
    results = flavor.run(
        lambda c: c.registrants.register_many(key, people(3), concurrency=1, max_attempts=3)
    )
    assert [r.outcome for r in results] == [FAILED, FAILED, REGISTERED]
    assert isinstance(results[0].error, BadRequestError) and results[0].attempts == 1
    assert isinstance(results[1].error, ServerError) and results[1].attempts == 3
    assert results[0].registration is None and not results[0].ok
    assert [r.email for r in sb.registrants(key)] == ["p2@example.com"]


def test_a_conflict_missing_from_the_list_counts_as_registered(
    flavor: Flavor, gototraining_sandbox: Sandbox
) -> None:
    """409 although the (cached) registrant list does not show the person."""
    sb = gototraining_sandbox
    key = training(sb)
    client(flavor, sb)
    sb.faults.add("registerForTraining", statuses=[409])
    [result] = flavor.run(lambda c: c.registrants.register_many(key, people(1)))
    assert (result.outcome, result.registration, result.error) == (ALREADY, None, None)


def test_an_error_that_hits_everyone_stops_the_call(
    flavor: Flavor, gototraining_sandbox: Sandbox
) -> None:
    """After two results the training disappears (404): the call stops and raises, saying how
    far it got; the people after it were never sent."""
    sb = gototraining_sandbox
    key = training(sb)
    client(flavor, sb)
    heard: list[RegistrationResult] = []

    def on_result(result: RegistrationResult) -> None:
        heard.append(result)
        if len(heard) == 2:
            sb.faults.add("registerForTraining", statuses=[404])

    with pytest.raises(NotFoundError) as caught:
        flavor.run(
            lambda c: c.registrants.register_many(
                key, people(6), concurrency=1, on_result=on_result
            )
        )
    assert [r.index for r in heard] == [0, 1]
    assert "2 of 6 items have a result" in "".join(caught.value.__notes__)
    assert sb.request_count("registerForTraining") == 3


def test_an_invalid_token_stops_before_registering(
    flavor: Flavor, gototraining_sandbox: Sandbox
) -> None:
    sb = gototraining_sandbox
    key = training(sb)
    client(flavor, sb)
    sb.expire_tokens()
    with pytest.raises(AuthenticationError):
        flavor.run(lambda c: c.registrants.register_many(key, people(3)))
    assert sb.request_count("registerForTraining") == 0


def test_an_exception_from_on_result_stops_the_call(
    flavor: Flavor, gototraining_sandbox: Sandbox
) -> None:
    sb = gototraining_sandbox
    key = training(sb)
    client(flavor, sb)

    def on_result(result: RegistrationResult) -> None:
        raise OSError("results file: disk full")

    with pytest.raises(OSError, match="disk full"):
        flavor.run(
            lambda c: c.registrants.register_many(
                key, people(5), concurrency=1, on_result=on_result
            )
        )
    assert sb.request_count("registerForTraining") == 1


def test_a_stopping_call_reports_every_registration_it_sent(
    flavor: Flavor, gototraining_sandbox: Sandbox
) -> None:
    """When the batch stops, requests already sent finish and are reported, on both flavors:
    none is applied by the API without a result. (Four requests are in flight together in the
    sandbox's latency when the first result stops the call; a cancelled one used to be
    registered with nobody told.)"""
    sb = gototraining_sandbox
    key = training(sb)
    client(flavor, sb)
    sb.faults.add("registerForTraining", latency=0.3, apply=True)
    heard: list[str] = []

    def on_result(result: RegistrationResult) -> None:
        heard.append(result.person.email)
        if len(heard) == 1:
            raise OSError("results file: disk full")

    with pytest.raises(OSError, match="disk full"):
        flavor.run(
            lambda c: c.registrants.register_many(
                key, people(4), concurrency=4, on_result=on_result
            )
        )
    registered = [r.email for r in sb.registrants(key)]
    assert sb.request_count("registerForTraining") == len(registered) >= 1
    assert sorted(heard) == sorted(registered)


def test_every_request_goes_through_the_clients_limiter(
    flavor: Flavor, gototraining_sandbox: Sandbox
) -> None:
    """The workers share the client's limiter: one reservation per request sent."""
    sb = gototraining_sandbox
    key = training(sb)
    reservations = 0
    lock = threading.Lock()

    class Counting(RateLimiter):
        def acquire(self, party: Hashable = None) -> Ticket:
            nonlocal reservations
            with lock:
                reservations += 1
            return super().acquire(party)

    client(flavor, sb, rate_limit=Counting(1000.0))
    before = sb.request_count()
    flavor.run(lambda c: c.registrants.register_many(key, people(9), concurrency=3))
    assert reservations == sb.request_count() - before == 1 + 9


def test_an_interrupted_sync_worker_gives_up_a_long_wait_at_its_next_slice() -> None:
    """Sync workers wait in slices: once the batch is interrupted (Ctrl-C), a worker in a
    60 s ``Retry-After`` wait gives up at the next slice instead of sitting it out."""
    stop = threading.Event()

    def plan() -> Generator[Action, Any, str]:
        yield Sleep(60.0)
        return "finished"

    worker = _watched(plan(), Progress(), stop)
    for action in (next(worker), worker.send(None)):
        assert isinstance(action, Sleep) and action.seconds == _WAIT_SLICE
    stop.set()
    with pytest.raises(_Stopped):
        worker.send(None)

    calm = _watched(plan(), Progress(), threading.Event())
    first = next(calm)
    assert isinstance(first, Sleep)
    waited = [first.seconds]
    with pytest.raises(StopIteration) as done:
        while True:
            action = calm.send(None)
            assert isinstance(action, Sleep)
            waited.append(action.seconds)
    assert sum(waited) == pytest.approx(60.0) and done.value.value == "finished"


def test_someone_registered_before_the_call_stays_already_registered(
    flavor: Flavor, gototraining_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 409 to a first send (the list did not show them: GoTo's list is a cache) is someone
    else's registration; only a 409 after the call's own lost answer is the call's."""
    sb = gototraining_sandbox
    key = training(sb)
    with sb.client() as setup:
        setup.registrants.register(key, email="p0@example.com", given_name="A", surname="B")
    client(flavor, sb)
    from gototraining._generated import models as _models

    real = _models.decode_registrant_list
    reads: list[int] = []

    def stale_first(data: object) -> list[Any]:  # the call's own first read is stale
        reads.append(1)
        return [] if len(reads) == 1 else real(data)

    monkeypatch.setattr(_models, "decode_registrant_list", stale_first)
    results = flavor.run(lambda c: c.registrants.register_many(key, people(2)))
    assert [r.outcome for r in results] == [ALREADY, REGISTERED]
    assert results[0].registration is not None and results[0].registration.created is False
    assert sb.request_count("registerForTraining") == 1 + 2  # setup, then both were sent


def test_the_registered_are_found_when_their_roster_entries_lack_urls(
    flavor: Flavor, gototraining_sandbox: Sandbox
) -> None:
    """The roster is read tolerantly: an entry without its join or confirmation URL is still
    the person's registration (the URL it lacked stays lacking), not a failure."""
    sb = gototraining_sandbox
    key = training(sb)
    with sb.client() as setup:
        first = setup.registrants.register_many(key, people(12))
    sb.faults.add("getRegistrants", drift=["missing", "null"])
    client(flavor, sb, strict=False)
    with pytest.warns(DriftWarning):
        again = flavor.run(lambda c: c.registrants.register_many(key, people(14)))
    lacking = {d.path.split(".")[-1] for d in sb.drifted if d.operation == "getRegistrants"} & {
        "joinUrl",
        "confirmationUrl",
    }
    assert lacking  # the roster did lack URLs
    assert [r.outcome for r in again] == [ALREADY] * 12 + [REGISTERED] * 2, again
    assert [r.registrant_key for r in again[:12]] == [r.registrant_key for r in first]
    for result in again[:12]:
        registration = result.registration
        assert registration is not None and registration.created is False
        for name in ("join_url", "confirmation_url"):
            try:
                assert getattr(registration, name) == getattr(registration.registrant, name)
            except MissingFieldError as missing:  # as lacking as in the roster entry
                assert missing.field == name and registration.drift
    assert len(sb.registrants(key)) == 14
