"""``register_many`` reports every registration it sent, whatever stops the call, on both
flavors: the people the sandbox registered are exactly the people reported as registered (or,
when an interruption cut the call short, as ``UNKNOWN``: sent, the outcome not known).

The case that lost one: person A's registration is applied but answered 502, and while A waits
for its retry the call stops -- ``on_result`` raises on B's result, B hits an error that would
hit everyone, or the user presses Ctrl-C (the task is cancelled). Each wait below is gated on
an event (the other worker having ended, the interruption having been delivered), never on
time."""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from gototraining import (
    NotFoundError,
    Person,
    RegistrationOutcome,
    RegistrationResult,
    RetryPolicy,
)
from gototraining.sandbox import Sandbox

from .conftest import Flavor

START = datetime(2031, 5, 5, 9, tzinfo=UTC)
#: One retry by the client itself, after a backoff the test's own sleep stands in for.
RETRY = RetryPolicy(max_retries=1, backoff_base=1.0, backoff_max=1.0, jitter=0.0)
HANG = 60.0
PEOPLE = [Person("a@example.com", "Ann", "A"), Person("b@example.com", "Bob", "B")]
NOT_FAILED = (
    RegistrationOutcome.REGISTERED,
    RegistrationOutcome.ALREADY_REGISTERED,
    RegistrationOutcome.UNKNOWN,
)


@pytest.fixture
def sb(gototraining_sandbox: Sandbox) -> Sandbox:
    return gototraining_sandbox


def _training(sb: Sandbox) -> str:
    with sb.client() as setup:
        return setup.trainings.create(
            name="Reporting", times=[(START, START.replace(hour=11))], time_zone="UTC"
        )


def _client(flavor: Flavor, sb: Sandbox, sleep: Callable[..., Any]) -> Any:
    client = flavor.client(
        access_token=sb.token,
        organizer_key=sb.organizer_key,
        base_url=sb.url,
        rate_limit=None,
        retry_policy=RETRY,
    )
    client._transport.sleep = sleep
    return client


class Gate:
    """A threading event, waited for from a sync worker or an async task alike."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.thread: threading.Thread | None = None

    def set(self) -> None:
        self.thread = threading.current_thread()
        self.event.set()

    def wait_sync(self) -> None:
        """Until set, and the thread that set it (a batch worker) has ended: the call has
        then stopped, for certain."""
        assert self.event.wait(HANG)
        thread = self.thread
        if (
            thread is not None
            and thread is not threading.current_thread()
            and thread.name.startswith("gototraining-batch-")
        ):
            thread.join(HANG)
            assert not thread.is_alive()

    async def wait_async(self) -> None:
        assert await asyncio.get_running_loop().run_in_executor(None, self.event.wait, HANG)


def _when_404_is_answered(sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Gate:
    """A gate set once the sandbox answered a registration with 404, on the thread of the
    request's client... not known here: the gate's thread is the server's (not joined)."""
    gate = Gate()
    record = sb.core.record

    def recorded(
        method: str, path: str, status: int, operation_id: str, received_at: float
    ) -> None:
        record(method, path, status, operation_id, received_at)
        if operation_id == "registerForTraining" and status == 404:
            gate.event.set()

    monkeypatch.setattr(sb.core, "record", recorded)
    return gate


def _other_workers_ended() -> None:
    """Until every started batch worker but this one has ended (sync flavor)."""
    me = threading.current_thread()
    for thread in threading.enumerate():
        if thread is not me and thread.name.startswith("gototraining-batch-"):
            thread.join(HANG)
            assert not thread.is_alive()


def _check(sb: Sandbox, key: str, heard: list[RegistrationResult]) -> None:
    applied = {registrant.email for registrant in sb.registrants(key)}
    reported = {r.person.email for r in heard if r.outcome in NOT_FAILED}
    assert applied == reported, (applied, heard)
    assert len({r.person.email for r in heard}) == len(heard)  # each reported once


def test_on_result_raising_while_a_registration_waits_for_its_retry(
    flavor: Flavor, sb: Sandbox
) -> None:
    key = _training(sb)
    sb.faults.add("registerForTraining", statuses=[502], apply=True, times=1)
    heard: list[RegistrationResult] = []
    raised = Gate()

    def sleep(seconds: float) -> None:  # the one waiting for its retry ...
        raised.wait_sync()  # ... until on_result has stopped the call

    async def async_sleep(seconds: float) -> None:
        await raised.wait_async()

    _client(flavor, sb, async_sleep if flavor.is_async else sleep)

    def on_result(result: RegistrationResult) -> None:
        heard.append(result)
        if len(heard) == 1:
            raised.set()
            raise OSError("results file: disk full")

    with pytest.raises(OSError, match="disk full"):
        flavor.run(
            lambda c: c.registrants.register_many(key, PEOPLE, concurrency=2, on_result=on_result)
        )
    _check(sb, key, heard)
    assert len(heard) == 2  # the one that waited was reported too, once it knew
    assert heard[1].outcome is RegistrationOutcome.REGISTERED  # by its own lost send


def test_an_error_that_hits_everyone_while_a_registration_waits_for_its_retry(
    flavor: Flavor, sb: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = _training(sb)
    sb.faults.add("registerForTraining", statuses=[502], apply=True, times=1)
    sb.faults.add("registerForTraining", statuses=[404], times=1)  # the training is gone
    heard: list[RegistrationResult] = []
    gone = _when_404_is_answered(sb, monkeypatch)

    def sleep(seconds: float) -> None:  # the one waiting for its retry ...
        gone.wait_sync()
        _other_workers_ended()  # ... until the 404 has stopped the call

    async def async_sleep(seconds: float) -> None:
        await gone.wait_async()

    _client(flavor, sb, async_sleep if flavor.is_async else sleep)
    with pytest.raises(NotFoundError):
        flavor.run(
            lambda c: c.registrants.register_many(
                key, PEOPLE, concurrency=2, on_result=heard.append
            )
        )
    _check(sb, key, heard)
    assert [r.outcome for r in heard] == [RegistrationOutcome.REGISTERED]


@pytest.fixture
def sync_flavor() -> Iterator[Flavor]:
    made = Flavor("sync")
    yield made
    made.close()


@pytest.fixture
def async_flavor() -> Iterator[Flavor]:
    made = Flavor("async")
    yield made
    made.close()


def test_ctrl_c_while_a_registration_waits_for_its_retry_sync(
    sync_flavor: Flavor, sb: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sync twin of the cancellation below (Ctrl-C reaches the calling thread)."""
    flavor = sync_flavor
    key = _training(sb)
    sb.faults.add("registerForTraining", statuses=[502, 502], apply=True)
    heard: list[RegistrationResult] = []
    pressed = threading.Event()

    def ctrl_c(signum: int, frame: object) -> None:
        pressed.set()
        raise KeyboardInterrupt

    monkeypatch.setattr(signal, "SIGINT", signal.SIGINT)  # restored handler below
    previous = signal.signal(signal.SIGINT, ctrl_c)

    def sleep(seconds: float) -> None:  # a slice of the wait for the retry
        if not pressed.is_set():
            signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
            assert pressed.wait(HANG)  # delivered: the call is being interrupted
        threading.Event().wait(0.01)

    _client(flavor, sb, sleep)
    try:
        with pytest.raises(KeyboardInterrupt):
            flavor.run(
                lambda c: c.registrants.register_many(
                    key, PEOPLE, concurrency=1, on_result=heard.append
                )
            )
    finally:
        signal.signal(signal.SIGINT, previous)
    _check(sb, key, heard)
    first = heard[0]
    assert first.person == PEOPLE[0]
    if first.outcome is RegistrationOutcome.UNKNOWN:  # cut short while it waited
        assert not first.ok and first.error is not None
        assert "may have been applied" in str(first.error)
        assert getattr(first.error, "maybe_sent", None) is True


def test_cancelling_while_a_registration_waits_for_its_retry_async(
    async_flavor: Flavor, sb: Sandbox
) -> None:
    """The async twin of Ctrl-C above: the app cancels the task of the call."""
    flavor = async_flavor
    key = _training(sb)
    sb.faults.add("registerForTraining", statuses=[502], apply=True)
    heard: list[RegistrationResult] = []
    outer: list[asyncio.Task[Any]] = []

    async def sleep(seconds: float) -> None:
        outer[0].cancel()  # the app cancels the call while this registration waits
        await asyncio.sleep(HANG)

    client = _client(flavor, sb, sleep)

    async def call() -> Any:
        task = asyncio.current_task()
        assert task is not None
        outer.append(task)
        return await client.registrants.register_many(
            key, PEOPLE, concurrency=1, on_result=heard.append
        )

    assert flavor.loop is not None
    with pytest.raises(asyncio.CancelledError):
        flavor.loop.run_until_complete(call())
    _check(sb, key, heard)
    (result,) = heard
    assert result.outcome is RegistrationOutcome.UNKNOWN
