"""Queue time is part of the call: ``max_queue_wait`` (per client, ``with_options``, per call;
by default the call's timeout) bounds the time a call waits for the quota -- its turns in the
rate limiter and the pauses 429s and ``Retry-After`` ask for, summed over its attempts -- and a
call that cannot get its turn in time raises ``QueueTimeoutError`` (nothing sent), at once when
that is certain. Logs report the time in the queue apart from the request's own.

Single calls run on both flavors with a fake clock that moves only when the client sleeps;
bursts of concurrent calls run the pipeline both flavors share in virtual time
(``PipelineRun``). No test sleeps for real.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

import httpx
import pytest
from gototraining import (
    APITimeoutError,
    NotGiven,
    QueueTimeoutError,
    RateLimiter,
    RateLimitError,
    TransportError,
    ValidationError,
)
from sdk.conftest import Flavor
from sdk.payloads import TRAINING

from .pipeline_run import PipelineRun, one_429


class Clock:
    """Monotonic time that moves only when a client sleeps (``on``)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def on(self, flavor: Flavor, client: Any) -> Any:
        """Make ``client``'s sleeps move this clock (and still be recorded in ``flavor.sleeps``)."""

        def sleep(seconds: float) -> None:
            flavor.sleeps.append(seconds)
            self.now += seconds

        async def async_sleep(seconds: float) -> None:
            sleep(seconds)

        client._transport.sleep = async_sleep if flavor.is_async else sleep
        return client


def answers(*statuses: tuple[int, str | None]) -> tuple[Any, list[httpx.Request]]:
    """A handler answering ``(status, Retry-After)`` in order, then 200s; and what it saw."""
    seen: list[httpx.Request] = []
    queue = list(statuses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if not queue:
            return httpx.Response(200, json=TRAINING)
        status, retry_after = queue.pop(0)
        headers = {} if retry_after is None else {"Retry-After": retry_after}
        return httpx.Response(status, headers=headers, json={"errorCode": "TooManyRequests"})

    return handler, seen


def get(client: Any, **options: Any) -> Any:
    return client.trainings.get(2, **options)


# -- Retry-After and 429 pauses ------------------------------------------------------------------


def test_a_retry_after_longer_than_what_is_left_raises_at_once(flavor: Flavor) -> None:
    """Nobody sleeps 60 s to find out afterwards that the call had 10: the 429's wait does not
    fit, so the call raises before sleeping. Nothing was applied (a 429), nothing else sent."""
    handler, seen = answers((429, "60"))
    flavor.client(handler, rate_limit=None, max_queue_wait=10)
    with pytest.raises(QueueTimeoutError) as info:
        flavor.run(get)
    error = info.value
    assert flavor.sleeps == [] and len(seen) == 1
    assert isinstance(error, APITimeoutError) and isinstance(error, TransportError)
    assert (error.waited, error.max_queue_wait, error.retry_after) == (0.0, 10, 60.0)
    assert error.maybe_sent is False and error.method == "GET"
    assert isinstance(error.__cause__, RateLimitError) and error.__cause__.retry_after == 60.0
    assert "Retry-After" in str(error) and "max_queue_wait" in str(error)


def test_retry_after_pauses_add_up_against_the_budget(flavor: Flavor) -> None:
    """Six 429s asking for 4 s each: with ``max_queue_wait=10`` the call sleeps twice (8 s) and
    raises at the third, instead of waiting 24 s -- "retrying in 60.00 s" six times is no
    longer possible past the budget. Without a budget it waits them all out."""
    handler, seen = answers(*[(429, "4")] * 6)
    flavor.client(handler, rate_limit=None, max_queue_wait=10)
    with pytest.raises(QueueTimeoutError) as info:
        flavor.run(get)
    assert flavor.sleeps == [4.0, 4.0] and len(seen) == 3
    assert info.value.waited == 8.0 and info.value.retry_after == 4.0

    flavor.sleeps.clear()
    handler, seen = answers(*[(429, "4")] * 6)
    flavor.client(handler, rate_limit=None, max_queue_wait=None)
    assert flavor.run(get).name == "Onboarding"
    assert flavor.sleeps == [4.0] * 6 and len(seen) == 7


def test_429_backoffs_count_but_other_backoffs_do_not(flavor: Flavor) -> None:
    """A 429 without ``Retry-After`` waits the backoff, which is a wait for the quota too; a 502
    is a failure of the API (bounded by ``max_retries``), not the quota: its backoff is free."""
    handler, seen = answers((502, None), (502, None), (429, None), (429, None), (429, None))
    flavor.client(handler, rate_limit=None, max_queue_wait=2.5)
    with pytest.raises(QueueTimeoutError) as info:
        flavor.run(get)
    # 502, 502: backoffs of ~0.5 s and ~1 s (free); 429s: ~2 s, then ~4 s > what is left
    assert len(seen) == 4 and len(flavor.sleeps) == 3
    assert info.value.waited == pytest.approx(flavor.sleeps[2])
    assert info.value.waited + info.value.retry_after > 2.5  # type: ignore[operator]


def test_the_budget_defaults_to_the_call_timeout(flavor: Flavor) -> None:
    """Queue time is part of the call: a client with ``timeout=10`` waits at most 10 s for the
    quota; ``timeout=`` on the call moves the budget with it (``None``: no bound);
    ``max_queue_wait`` overrides it (per client, ``with_options``, per call)."""
    steps = ((429, "6"), (429, "6"))
    handler, _ = answers(*steps)
    client = flavor.client(handler, rate_limit=None, timeout=10)
    assert isinstance(client.options.max_queue_wait, NotGiven)  # the timeout decides
    with pytest.raises(QueueTimeoutError) as info:
        flavor.run(get)
    assert info.value.max_queue_wait == 10 and flavor.sleeps == [6.0]

    patient: list[dict[str, Any]] = [
        {"timeout": 20}, {"timeout": None}, {"max_queue_wait": 12.5}, {"max_queue_wait": None}
    ]  # fmt: skip
    for options in patient:
        flavor.sleeps.clear()
        handler, seen = answers(*steps)
        flavor.client(handler, rate_limit=None, timeout=10)
        assert flavor.run(functools.partial(get, **options)).name == "Onboarding", options
        assert flavor.sleeps == [6.0, 6.0] and len(seen) == 3

    flavor.sleeps.clear()
    handler, _ = answers(*steps)
    base = flavor.client(handler, rate_limit=None, timeout=60, max_queue_wait=None)
    shedding = base.with_options(max_queue_wait=5)
    assert shedding.options.max_queue_wait == 5 and base.options.max_queue_wait is None
    with pytest.raises(QueueTimeoutError):
        flavor.run(get, shedding)
    assert flavor.sleeps == []
    with pytest.raises(QueueTimeoutError):  # a call of the patient client may set one too
        flavor.run(lambda c: get(c, max_queue_wait=0), base)


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), "5", True, 2_000_000])
def test_a_bad_max_queue_wait_is_refused_before_anything_is_sent(
    flavor: Flavor, bad: object
) -> None:
    handler, seen = answers()
    client = flavor.client(handler, rate_limit=None)
    with pytest.raises(ValidationError) as info:
        flavor.run(lambda c: get(c, max_queue_wait=bad))
    assert info.value.param == "max_queue_wait" and not seen
    with pytest.raises(ValidationError):
        client.with_options(max_queue_wait=bad)
    with pytest.raises(ValidationError):
        flavor.client(handler, rate_limit=None, max_queue_wait=bad)


# -- the rate limiter's queue --------------------------------------------------------------------


def test_a_turn_past_the_budget_raises_at_once_and_one_within_it_is_waited_for(
    flavor: Flavor,
) -> None:
    """One request per 10 s: the second call's turn is 10 s away. With 4 s to wait it raises
    at once (nothing sent, its place given up: the next call is not held up by it); with 15 s
    it waits the 10 s and goes."""
    clock = Clock()
    limiter = RateLimiter(0.1, clock=clock)
    handler, seen = answers()
    client = clock.on(flavor, flavor.client(handler, rate_limit=limiter))
    flavor.run(get)
    with pytest.raises(QueueTimeoutError) as info:
        flavor.run(lambda c: get(c, max_queue_wait=4))
    assert len(seen) == 1 and flavor.sleeps == []
    assert info.value.waited == 0.0 and info.value.retry_after == pytest.approx(10.0)
    assert "rate limiter" in str(info.value)
    flavor.run(lambda c: get(c, max_queue_wait=15), client)
    assert len(seen) == 2 and flavor.sleeps == [pytest.approx(10.0)]


def test_a_paused_limiter_sheds_calls_that_cannot_wait_for_the_pause(flavor: Flavor) -> None:
    """After a 429 with ``Retry-After: 30`` seen by any client sharing the limiter, a call that
    may wait 5 s is refused at once rather than queued for the pause."""
    clock = Clock()
    limiter = RateLimiter(10, clock=clock)
    limiter.throttled(None, retry_after=30.0)
    handler, seen = answers()
    clock.on(flavor, flavor.client(handler, rate_limit=limiter, max_queue_wait=5))
    with pytest.raises(QueueTimeoutError) as info:
        flavor.run(get)
    assert not seen and flavor.sleeps == []
    assert info.value.retry_after is not None and info.value.retry_after >= 30.0


def test_a_burst_beyond_what_the_budget_lets_through_is_shed_at_once() -> None:
    """50 concurrent calls at 10/s with 2.05 s to wait: the first 21 go (the 21st after 2 s),
    the other 29 raise ``QueueTimeoutError`` at once -- a service sheds them instead of letting
    them time out later -- and never reach the server."""
    run = PipelineRun(one_429(-1, None), max_queue_wait=2.05)
    began = run.now
    run.burst(50)
    assert len(run.done) == len(run.sent) == 21
    assert max(run.done) - began == pytest.approx(2.0)
    assert len(run.failed) == 29
    assert all(at == began and isinstance(e, QueueTimeoutError) for at, e in run.failed)


def test_a_call_whose_turn_slips_past_the_budget_gives_up_when_it_runs_out() -> None:
    """A 429 (``Retry-After: 3``) halves the rate while 30 calls queue with 6 s each to wait:
    at the full rate all would fit, at the recovering rate the last ones do not. They wait,
    and give up when their 6 s are used up -- never later, never having sent anything."""
    run = PipelineRun(one_429(0, 3), max_queue_wait=6)
    began = run.now
    run.burst(30)
    assert run.failed and run.done
    assert len(run.done) + len(run.failed) == 30 and len(run.sent) == len(run.done) + 1
    for at, error in run.failed:
        assert isinstance(error, QueueTimeoutError)
        assert at - began <= 6.0 + 1e-9 and error.waited <= 6.0 + 1e-9
    assert any(at - began > 3.0 for at, _ in run.failed)  # waited for a turn that slipped
    assert max(run.sent) - began <= 6.0 + 1e-9


# -- logs --------------------------------------------------------------------------------------


def test_the_log_line_reports_queue_time_apart_from_the_request(
    flavor: Flavor, caplog: pytest.LogCaptureFixture
) -> None:
    """A call that waited 40 s for its turn does not log "in 2.5 ms" alone."""
    clock = Clock()
    limiter = RateLimiter(1 / 40, clock=clock)
    handler, _ = answers()
    clock.on(flavor, flavor.client(handler, rate_limit=limiter, max_queue_wait=None))
    flavor.run(get)
    with caplog.at_level(logging.DEBUG, logger="gototraining"):
        flavor.run(get)
    [line] = [r.getMessage() for r in caplog.records if "-> 200" in r.getMessage()]
    assert re.search(r"-> 200 in \d+\.\d ms, queued 40\.00 s \(attempt 1, getTraining\)", line)


def test_retry_lines_report_the_wait_for_the_quota(
    flavor: Flavor, caplog: pytest.LogCaptureFixture
) -> None:
    handler, _ = answers((429, "3"), (429, "60"))
    flavor.client(handler, rate_limit=None, max_queue_wait=30)
    with caplog.at_level(logging.INFO, logger="gototraining"), pytest.raises(QueueTimeoutError):
        flavor.run(get)
    lines = [r.getMessage() for r in caplog.records]
    assert any("retrying in 3.00 s (waiting for the quota: 3.00 s of 30 s)" in x for x in lines)
    assert any("-> 429 (attempt 2); not sent again" in x for x in lines)
