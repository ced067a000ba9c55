"""Rate limits: 429 is retried for every method, the client-side limiter adapts to 429s (so
several processes sharing one account converge), and one limiter shared by several clients
serves them fairly.

The shared-account test runs in *virtual time* (``VirtualTime``): four clients in one event
loop, the sandbox's limiter and the clients' limiters all read one clock that only moves when
every worker is asleep (backoff, Retry-After, limiter waits, simulated network latency). The
requests are real HTTP to the sandbox; only time is simulated. So the figures do not depend on
how loaded the machine is, and a 20-second scenario takes about a second. ``make soak`` repeats
it at 1,000 registrations, in virtual time and in real time (four threads, ~2 minutes).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from typing import Any

import httpx
import pytest
from gototraining import (
    DEFAULT_TIMEOUT,
    AsyncGoToTraining,
    GoToTraining,
    GoToTrainingError,
    QueueTimeoutError,
    RateLimiter,
    RateLimitError,
    RetryPolicy,
)
from gototraining._options import CallOptions
from gototraining._transport import ApiRequest, Call, Sleep, pipeline
from gototraining.sandbox.core import RateLimiter as ServerRateLimiter
from hypothesis import given, settings
from hypothesis import strategies as st
from sdk.conftest import Flavor

from .conftest import SOAK
from .helpers import END, START, assert_registered_exactly_once, client_kwargs
from .pipeline_run import PipelineRun, _status, max_in_window, one_429

# -- virtual time -------------------------------------------------------------------------------


class VirtualTime:
    """Discrete-event time for asyncio workers: ``now`` jumps to the earliest wake-up once every
    worker is sleeping (``sleep``), never while one is running or waiting for a response."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._running = 0
        self._seq = 0

    def clock(self) -> float:
        return self.now

    def started(self) -> None:
        self._running += 1

    def finished(self) -> None:
        self._running -= 1
        self._advance()

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._seq += 1
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), self._seq, future))
        self._running -= 1
        self._advance()
        await future

    def _advance(self) -> None:
        if self._running or not self._sleepers:
            return
        self.now = max(self.now, self._sleepers[0][0])
        while self._sleepers and self._sleepers[0][0] <= self.now:
            _, _, future = heapq.heappop(self._sleepers)
            self._running += 1
            future.set_result(None)


class Latency(httpx.AsyncBaseTransport):
    """Network latency in virtual time (2-30 ms, seeded: requests do not arrive in lock-step;
    or ``fixed`` seconds)."""

    def __init__(self, time: VirtualTime, seed: int = 0, fixed: float | None = None) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._time = time
        self._rng = random.Random(seed)
        self._fixed = fixed

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        latency = self._rng.uniform(0.002, 0.03) if self._fixed is None else self._fixed
        await self._time.sleep(latency)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@pytest.fixture
def seeded() -> Iterator[None]:
    """The limiter's Retry-After jitter and the retry jitter use ``random``: fix it."""
    state = random.getstate()
    random.seed(20311)
    try:
        yield
    finally:
        random.setstate(state)


def share_one_account(
    sb: Any, *, clients: int, per_client: int, workers: int = 2
) -> dict[str, Any]:
    """``clients`` AsyncGoToTraining clients (default settings: their own adaptive limiter
    at 10/s, default retries) register ``per_client`` people each, ``workers`` at a time,
    against the sandbox's limit of 10 requests/s, in virtual time."""
    kwargs = client_kwargs(sb)
    with kwargs["http_client"], GoToTraining(**kwargs) as setup:
        training = setup.trainings.create(name="Shared", times=[(START, END)], time_zone="UTC")
    time_ = VirtualTime()
    sb.core.limiter = ServerRateLimiter(10, clock=time_.clock)
    sb.core.clear_logs()
    limiters = [RateLimiter(10, clock=time_.clock) for _ in range(clients)]
    failures: list[BaseException] = []
    emails = [[f"c{c}p{p:04d}@example.com" for p in range(per_client)] for c in range(clients)]

    async def main() -> float:
        pool = []
        for index, limiter in enumerate(limiters):
            client = AsyncGoToTraining(
                access_token=sb.token, organizer_key=sb.organizer_key, base_url=sb.url,
                rate_limit=limiter,
                # the timeout of the SDK's own clients (it bounds the wait for the quota too)
                http_client=httpx.AsyncClient(
                    transport=Latency(time_, seed=index), timeout=DEFAULT_TIMEOUT
                ),
            )  # fmt: skip
            client._transport.sleep = time_.sleep
            pool.append(client)

        async def worker(client: AsyncGoToTraining, people: list[str]) -> None:
            time_.started()
            try:
                for email in people:
                    try:
                        await client.registrants.register(
                            training, email=email, given_name="Shared", surname="Account"
                        )
                    except Exception as exc:  # noqa: BLE001 - counted and reported
                        failures.append(exc)
            finally:
                time_.finished()

        began = time_.now
        await asyncio.gather(*(
            worker(client, people[w::workers])
            for client, people in zip(pool, emails, strict=True) for w in range(workers)
        ))  # fmt: skip
        for client in pool:
            await client.aclose()
            await client.http_client.aclose()
        return time_.now - began

    try:
        elapsed = asyncio.run(main())
    finally:
        sb.core.limiter = None
    statuses = Counter(record.status for record in sb.requests)
    requests = sum(statuses.values())
    stats = {
        "registrations": clients * per_client,
        "requests": requests,
        "429": statuses[429],
        "429_share": round(statuses[429] / requests, 4),
        "failures": len(failures),
        "virtual_seconds": round(elapsed, 1),
        "per_second": round(clients * per_client / elapsed, 2),
        "throttles_per_client": [limiter.throttle_count for limiter in limiters],
    }
    print(f"\n[shared account] {stats}")
    assert not failures, f"{len(failures)} registrations failed, e.g. {failures[:3]!r}"
    assert_registered_exactly_once(sb, training, [e for group in emails for e in group])
    return stats


def test_four_clients_share_one_account(sb: Any, seeded: None) -> None:
    """4 clients x 50 registrations, each with its own limiter (as four processes would be),
    against ``Sandbox(rate_limit=10)``: no failure, no duplicate, 429s under 10% of requests.

    Deterministic for a given seed (this one: 15 of 215 requests, 7.0%); across 40 seeds the
    share of 429s ranged 5.7-8.7% (at most 19 of ~219 requests), so the 10% line has a margin
    of 2+ requests whatever the seed. (A 429 while requests queue in a limiter halves the rate
    in force, not the lower rate the latest grants may show: a little more probing here, and
    no collapse after an idle gap.)
    """
    stats = share_one_account(sb, clients=4, per_client=50)
    assert stats["429"] > 0  # the clients did contend: the limit was hit and adapted to
    assert stats["429_share"] < 0.10


@pytest.mark.soak
def test_four_clients_share_one_account_1000(sb: Any, seeded: None) -> None:
    stats = share_one_account(sb, clients=4, per_client=250)
    assert stats["429_share"] < 0.10


@pytest.mark.soak
def test_four_processes_share_one_account_real_time(sb: Any) -> None:
    """The same with real time and threads (one sync client each): what a user would see."""
    kwargs = client_kwargs(sb)
    with kwargs["http_client"], GoToTraining(**kwargs) as setup:
        training = setup.trainings.create(name="Shared", times=[(START, END)], time_zone="UTC")
    sb.core.limiter = ServerRateLimiter(10)
    sb.core.clear_logs()
    failures: list[BaseException] = []
    emails = [[f"c{c}p{p:04d}@example.com" for p in range(250)] for c in range(4)]

    def process(people: list[str]) -> None:
        with GoToTraining(
            access_token=sb.token, organizer_key=sb.organizer_key, base_url=sb.url
        ) as c:
            for email in people:
                try:
                    c.registrants.register(training, email=email, given_name="R", surname="T")
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    failures.append(exc)

    began = time.perf_counter()
    threads = [threading.Thread(target=process, args=(people,)) for people in emails]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sb.core.limiter = None
    elapsed = time.perf_counter() - began
    statuses = Counter(record.status for record in sb.requests)
    requests = sum(statuses.values())
    print(
        f"\n[shared account, real time] 1000 registrations, {requests} requests, "
        f"{statuses[429]} x 429 ({statuses[429] / requests:.1%}), {len(failures)} failures, "
        f"{elapsed:.1f} s ({1000 / elapsed:.2f}/s)"
    )
    assert not failures
    assert_registered_exactly_once(sb, training, [e for group in emails for e in group])
    assert statuses[429] / requests < 0.10


# -- 429 for every method -----------------------------------------------------------------------


def test_429_on_a_post_is_retried_after_retry_after(flavor: Flavor) -> None:
    """A 429 says "not processed": even a registration (POST) is repeated, after Retry-After."""
    answers = iter([
        httpx.Response(429, headers={"Retry-After": "3"}, json={"errorCode": "TooManyRequests"}),
        httpx.Response(429, headers={"Retry-After": "1"}, json={"errorCode": "TooManyRequests"}),
        httpx.Response(201, json={"registrantKey": "5", "joinUrl": "https://j.test/5",
                                  "confirmationUrl": "https://c.test/5"}),
    ])  # fmt: skip
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return next(answers)

    flavor.client(handler, rate_limit=None)
    result = flavor.run(
        lambda c: c.registrants.register(1, email="a@example.com", given_name="A", surname="B")
    )
    assert result.registrant_key == "5"
    assert [r.method for r in sent] == ["POST"] * 3
    assert flavor.sleeps == [3.0, 1.0]


def test_429s_have_their_own_budget(flavor: Flavor) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, json={"errorCode": "TooManyRequests"})

    # rate_limit_retries=6: the backoffs add up to 23.5 s: no max_queue_wait
    policy = RetryPolicy(max_retries=0, rate_limit_retries=6)
    flavor.client(handler, rate_limit=None, retry_policy=policy, max_queue_wait=None)
    with pytest.raises(RateLimitError):
        flavor.run(lambda c: c.trainings.list())
    assert len(flavor.sleeps) == 6


# -- the adaptive limiter -------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def take(limiter: RateLimiter, clock: Clock, party: object = None) -> float:
    """Take one slot, sleeping (on the fake clock) as told; return when it was granted."""
    ticket = limiter.acquire(party)
    while (wait := ticket.wait()) > 0:
        clock.now += wait
    return clock.now


def test_a_429_halves_the_rate_and_it_recovers() -> None:
    clock = Clock()
    limiter = RateLimiter(10, clock=clock)
    for _ in range(10):
        take(limiter, clock)  # sending at 10/s
    limiter.throttled(None, retry_after=2.0)
    assert limiter.current_rate == pytest.approx(5.0)
    paused_until = clock.now + 2.0
    assert take(limiter, clock) >= paused_until  # Retry-After pauses the limiter
    clock.now = paused_until + 4.0  # the gap to 90% halves every second
    assert 8.5 < limiter.current_rate < 9.5
    clock.now += 30.0  # then it creeps up, faster and faster, back to the configured rate
    assert limiter.current_rate == 10.0


def test_a_429_lowers_the_rate_to_half_of_what_was_sent() -> None:
    """A client sending at 2/s (its latency, not its limiter, holds it back) drops to 1/s."""
    clock = Clock()
    limiter = RateLimiter(10, clock=clock)
    for _ in range(10):
        take(limiter, clock)
        clock.now += 0.5
    limiter.throttled()
    assert limiter.current_rate == pytest.approx(1.0)


def test_429s_to_requests_sent_before_a_decrease_do_not_decrease_again() -> None:
    clock = Clock()
    limiter = RateLimiter(10, clock=clock)
    in_flight = [limiter.acquire() for _ in range(3)]
    for ticket in in_flight:
        while (wait := ticket.wait()) > 0:
            clock.now += wait
    for ticket in in_flight:  # all three answered 429
        limiter.throttled(ticket)
    assert limiter.current_rate == pytest.approx(5.0)
    assert limiter.throttle_count == 3


def test_a_429_voids_the_slot_promised_to_a_sleeping_request() -> None:
    clock = Clock()
    limiter = RateLimiter(10, clock=clock)
    take(limiter, clock)
    ticket = limiter.acquire()
    assert ticket.wait() == pytest.approx(0.1)  # promised the next slot; sleeps
    limiter.throttled(None, retry_after=5.0)  # meanwhile another request got a 429
    clock.now += 0.1
    assert ticket.wait() >= 4.9  # woke up: the slot is gone, the pause applies


def test_a_429_after_an_idle_gap_halves_the_rate_in_force() -> None:
    """The sent rate is measured over the current busy spell: 10 requests at 10/s, 5 s idle,
    one more answered 429 -> 5/s (across the gap the grants looked like 1.5/s, and the rate
    dropped to 0.76/s)."""
    clock = Clock()
    limiter = RateLimiter(10, clock=clock)
    for _ in range(10):
        take(limiter, clock)
    clock.now += 5.0
    take(limiter, clock)
    limiter.throttled()
    assert limiter.current_rate == pytest.approx(5.0)


def test_a_429_while_requests_queue_halves_the_rate_in_force() -> None:
    """With requests waiting in the limiter, the limiter was what held them back: the rate in
    force was being sent, whatever the latest grants looked like (here 2/s, latency-bound,
    until a burst arrived)."""
    clock = Clock()
    limiter = RateLimiter(10, clock=clock)
    for _ in range(10):
        take(limiter, clock)
        clock.now += 0.5
    take(limiter, clock)
    waiting = limiter.acquire()
    assert waiting.wait() > 0
    limiter.throttled()
    assert limiter.current_rate == pytest.approx(5.0)


def test_waiting_requests_follow_the_recovering_rate() -> None:
    """40 requests queue while a 429 halves the rate and pauses the limiter for 2 s: once the
    pause is over they go one interval apart at the rate as it recovers (no slot left unused
    because a request slept for a turn estimated at the lower rate), and never faster."""
    clock = Clock()
    limiter = RateLimiter(10, clock=clock)
    for _ in range(10):
        take(limiter, clock)
    tickets = [limiter.acquire() for _ in range(40)]
    for ticket in tickets:
        assert ticket.wait() > 0
    limiter.throttled(None, retry_after=2.0)
    paused_until = clock.now + 2.0
    granted: list[tuple[float, float]] = []  # when, and the rate in force then
    pending = [(clock.now, index) for index in range(len(tickets))]
    while pending:
        clock.now, index = heapq.heappop(pending)
        rate = limiter.current_rate
        wait = tickets[index].wait()
        if wait > 0:
            heapq.heappush(pending, (clock.now + wait, index))
        else:
            granted.append((clock.now, rate))
    assert len(granted) == 40 and granted[0][0] >= paused_until
    for (before, rate), (after, _) in itertools.pairwise(granted):
        assert after - before == pytest.approx(1 / rate, rel=0.02)


def test_non_adaptive_limiter_keeps_its_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(10, adaptive=False, clock=clock)
    limiter.throttled()
    assert limiter.current_rate == 10.0


# -- fairness ------------------------------------------------------------------------------------

Worker = Callable[[], Generator[float, None, None]]


def simulate(limiter: RateLimiter, clock: Clock, workers: list[Worker], until: float) -> None:
    """Run worker generators (each yields seconds to sleep) in virtual time until ``until``."""
    queue: list[tuple[float, int, Generator[float, None, None]]] = []
    for index, make in enumerate(workers):
        heapq.heappush(queue, (clock.now, index, make()))
    while queue:
        at, index, gen = heapq.heappop(queue)
        if at > until:
            break
        clock.now = at
        try:
            heapq.heappush(queue, (clock.now + next(gen), index, gen))
        except StopIteration:
            pass


def caller(limiter: RateLimiter, party: str, granted: list[str], *, fair: bool = True) -> Worker:
    """A worker calling the API in a loop: a slot, then 20 ms for the request itself."""

    def run() -> Generator[float, None, None]:
        while True:
            if fair:
                ticket = limiter.acquire(party)
                while (wait := ticket.wait()) > 0:
                    yield wait
            else:  # what the limiter did before: a slot reserved at once, first come first served
                yield limiter.reserve()
            granted.append(party)
            yield 0.02

    return run


@pytest.mark.parametrize("fair", [True, False], ids=["fair", "reserve-negative-control"])
def test_a_sync_caller_is_not_starved_by_32_async_workers(fair: bool) -> None:
    """One limiter shared by a sync client (one thread) and an async client (32 tasks): the
    sync caller gets every other slot, not one in 33."""
    clock = Clock()
    limiter = RateLimiter(10, clock=clock)
    granted: list[str] = []
    workers = [caller(limiter, "async", granted, fair=fair) for _ in range(32)]
    workers.append(caller(limiter, "sync", granted, fair=fair))
    simulate(limiter, clock, workers, until=clock.now + 10.75)
    calls = Counter(granted)
    assert calls["sync"] + calls["async"] == pytest.approx(108, abs=2)  # 10/s, shared
    if fair:
        assert calls["sync"] >= 50  # about half of the slots
    else:
        assert calls["sync"] <= 5  # the starvation that was reported: 5 calls in 10.75 s


def test_each_client_is_one_party_of_a_shared_limiter() -> None:
    parties: list[object] = []

    class Recording(RateLimiter):
        def acquire(self, party: Any = None) -> Any:
            parties.append(party)
            return super().acquire(party)

    limiter = Recording(1000)
    mock = httpx.MockTransport(lambda request: httpx.Response(200, json=[]))
    sync = GoToTraining(access_token="t" * 10, organizer_key=1, rate_limit=limiter,
                        http_client=httpx.Client(transport=mock))  # fmt: skip
    aio = AsyncGoToTraining(access_token="t" * 10, organizer_key=1, rate_limit=limiter,
                            http_client=httpx.AsyncClient(transport=mock))  # fmt: skip

    async def tasks() -> None:
        await asyncio.gather(*(aio.trainings.list() for _ in range(3)))

    sync.trainings.list()
    asyncio.run(tasks())
    sync.trainings.list()
    assert parties[0] is parties[4] is not parties[1]
    assert parties[1] is parties[2] is parties[3]


# -- an idle client, a burst, one 429 -------------------------------------------------------------
#
# The workload of a multi-tenant service: a client makes a few calls, is idle, then a burst of
# concurrent calls starts and the first one (or another) meets a 429 with Retry-After. The calls
# must all be done within the time the burst takes without the 429, plus the Retry-After, plus
# the slots the halved rate costs while it recovers (about 1.2 s at 10/s: the deficit of the
# recovery curve, integrated) -- not minutes. Virtual time throughout.


#: What the halved rate costs while it recovers, plus a margin (see the section's comment).
RECOVERY_SLACK = 2.5


def idle_burst(
    *, calls: int, idle: float, warmup: int, at: int | None, retry_after: int | None,
    latency: float,
) -> PipelineRun:  # fmt: skip
    run = PipelineRun(one_429(-1 if at is None else at, retry_after), latency=latency)
    run.warm_up(warmup)
    run.now += idle
    run.burst(calls)
    return run


@pytest.mark.parametrize("latency", [0.0, 0.1])
def test_an_idle_burst_meeting_one_429_is_done_within_the_retry_after(
    latency: float, seeded: None
) -> None:
    """The reported case: idle 5 s, then 50 concurrent calls, the first answered 429 with
    ``Retry-After: 3``. It took minutes (67 s in this setting, with or without latency): the
    rate dropped to a small fraction (the sent rate was measured across the idle gap) and the
    queued calls slept for turns computed at that rate while it recovered."""
    common: dict[str, Any] = {"calls": 50, "idle": 5.0, "warmup": 10, "latency": latency}
    base = idle_burst(at=None, retry_after=None, **common)
    hit = idle_burst(at=0, retry_after=3, **common)
    baseline = max(base.done) - min(base.sent)
    elapsed = max(hit.done) - min(hit.sent)
    assert not base.failed and not hit.failed
    assert len(hit.done) == 50 and len(hit.sent) == 51
    assert hit.limiter.throttle_count == 1
    assert baseline == pytest.approx(4.9 + latency, abs=0.01)
    assert elapsed <= baseline + 3 + RECOVERY_SLACK, (baseline, elapsed)
    # halved, not cut to a small fraction: 3 s after the pause the rate is back near 90%
    hit.now = max(hit.sent[0] + 3.2, hit.now)
    assert hit.limiter.current_rate > 8.0


@pytest.mark.fuzz  # 200 examples in `make test`, 2,000 (exploring) under `make soak`
@given(
    calls=st.integers(1, 120),
    idle=st.floats(0.0, 60.0),
    warmup=st.integers(0, 15),
    position=st.floats(0.0, 1.0, exclude_max=True),
    retry_after=st.one_of(st.none(), st.integers(0, 20)),
    latency=st.sampled_from([0.0, 0.02, 0.1, 0.3]),
)
@settings(max_examples=200 if not SOAK else 2000, deadline=None, database=None,
          derandomize=not SOAK)  # fmt: skip
def test_one_429_in_any_idle_burst_costs_only_its_retry_after(
    calls: int, idle: float, warmup: int, position: float, retry_after: int | None,
    latency: float,
) -> None:  # fmt: skip
    """Any idle gap, any request of the burst answered 429, any Retry-After (or none: the
    backoff): every call is done within the burst's time without the 429 plus the wait, plus
    what the recovery costs; and the requests never go faster than the limit, in any window."""
    at = int(position * calls)
    common: dict[str, Any] = {"calls": calls, "idle": idle, "warmup": warmup, "latency": latency}
    state = random.getstate()
    random.seed(calls)
    try:
        base = idle_burst(at=None, retry_after=None, **common)
        hit = idle_burst(at=at, retry_after=retry_after, **common)
    finally:
        random.setstate(state)
    assert not base.failed and not hit.failed
    assert len(hit.done) == calls and len(hit.sent) == calls + 1
    baseline = max(base.done) - min(base.sent)
    wait = RetryPolicy().backoff_base if retry_after is None else retry_after  # no jitter: longest
    elapsed = max(hit.done) - min(hit.sent)
    assert elapsed <= baseline + wait + RECOVERY_SLACK, (baseline, elapsed)
    for window in (0.5, 1.0, 5.0):
        assert max_in_window(hit.sent, window) <= 10 * window + 1


def async_idle_burst(sb: Any, *, latency: float, retry_after: int | None) -> float:
    """The reported workload end to end: an ``AsyncGoToTraining`` (its own default limiter)
    makes 10 calls, is idle 5 s, then 50 concurrent ``trainings.list()`` calls go to the
    sandbox (10 requests/s, real HTTP) in virtual time; with ``retry_after`` the first of them
    is answered 429 with that ``Retry-After``. Returns the seconds the 50 calls took."""
    time_ = VirtualTime()
    sb.core.limiter = ServerRateLimiter(10, clock=time_.clock)
    sb.faults.clear()
    sb.core.clear_logs()

    async def main() -> float:
        client = AsyncGoToTraining(
            access_token=sb.token, organizer_key=sb.organizer_key, base_url=sb.url,
            rate_limit=RateLimiter(10, clock=time_.clock),
            http_client=httpx.AsyncClient(
                transport=Latency(time_, fixed=latency), timeout=DEFAULT_TIMEOUT
            ),
        )  # fmt: skip
        client._transport.sleep = time_.sleep

        async def counted(work: Callable[[], Any]) -> None:
            time_.started()
            try:
                await work()
            finally:
                time_.finished()

        async def warm_up() -> None:
            for _ in range(10):
                await client.trainings.list()
            await time_.sleep(5.0)

        await counted(warm_up)
        if retry_after is not None:
            sb.faults.add("getAllTrainings", statuses=[429], retry_after=retry_after, times=1)
        began = time_.now
        await asyncio.gather(*(counted(client.trainings.list) for _ in range(50)))
        elapsed = time_.now - began
        await client.aclose()
        await client.http_client.aclose()
        return elapsed

    try:
        return asyncio.run(main())
    finally:
        sb.core.limiter = None


@pytest.mark.parametrize("latency", [0.0, 0.1])
def test_an_async_client_idle_then_a_burst_meets_one_429(
    sb: Any, seeded: None, latency: float
) -> None:
    """The same end to end: the async client, real HTTP to the sandbox, virtual time."""
    baseline = async_idle_burst(sb, latency=latency, retry_after=None)
    elapsed = async_idle_burst(sb, latency=latency, retry_after=3)
    statuses = Counter(record.status for record in sb.requests)
    assert statuses == {200: 60, 429: 1}
    assert baseline == pytest.approx(4.9 + latency, abs=0.05)
    print(f"\n[idle burst, latency {latency:g} s] {baseline:.2f} s -> {elapsed:.2f} s with one 429")
    assert elapsed <= baseline + 3 + RECOVERY_SLACK, (baseline, elapsed)


# -- one client holds the whole quota -------------------------------------------------------------
#
# Several processes on one account, each pacing itself (no shared store, or while it is down):
# the client that did not meet a 429 goes on at exactly the server's rate, so the server's bucket
# stays empty, and the others' retries get in only when one lands in the few milliseconds it
# leaves. That lasts until it meets a 429 itself -- often 10-25 s. A request must not be given up
# meanwhile after a count of 429s, nor its client's rate halved at every retry.


def test_lone_retries_answered_429_do_not_lower_the_rate_again() -> None:
    """Halve once; a retry sent alone after the pause and answered 429 says the account is busy,
    not that this client sends too fast: the rate stays. Requests sent at the lowered rate and
    answered 429 do lower it again."""
    clock = Clock()
    limiter = RateLimiter(10, clock=clock)
    for _ in range(10):
        take(limiter, clock)
    ticket = limiter.acquire()
    assert ticket.wait() > 0
    clock.now += 0.1
    assert ticket.wait() == 0.0
    limiter.throttled(ticket, retry_after=1.0)
    assert limiter.current_rate == pytest.approx(5.0)
    for _ in range(8):
        clock.now += 1.0  # the caller sleeps the Retry-After, then asks for a slot again
        ticket = limiter.acquire()
        while (wait := ticket.wait()) > 0:
            clock.now += wait
        limiter.throttled(ticket, retry_after=1.0)
        assert limiter.current_rate == pytest.approx(5.0)
    clock.now += 1.0
    for _ in range(3):  # sending again, at the lowered rate ...
        take(limiter, clock)
    before = limiter.current_rate
    ticket = limiter.acquire()
    while (wait := ticket.wait()) > 0:
        clock.now += wait
    limiter.throttled(ticket)  # ... and that is answered 429: halve
    assert limiter.current_rate <= 0.6 * before


def test_a_request_meeting_429s_is_retried_as_long_as_its_max_queue_wait_lasts() -> None:
    """12 x 429 (``Retry-After: 1``) in a row, then 200: done, its retries about a second
    apart (the Retry-After plus at most an interval of jitter at the halved rate); with 429s
    without end, ``QueueTimeoutError`` once the 30 s are spent, not ``RateLimitError`` after a
    count."""

    def busy(until: int) -> Callable[[int], httpx.Response]:
        def answer(n: int) -> httpx.Response:
            if n < until:
                return httpx.Response(
                    429, headers={"Retry-After": "1"}, json={"errorCode": "TooManyRequests"}
                )
            return httpx.Response(200, json=[])

        return answer

    run = PipelineRun(busy(12), latency=0.002, max_queue_wait=30)
    run.burst(1)
    assert not run.failed and len(run.done) == 1 and len(run.sent) == 13
    gaps = [b - a for a, b in itertools.pairwise(run.sent)]
    assert all(1.0 <= gap <= 1.0 + 1 / 5 + 0.01 for gap in gaps), gaps

    endless = PipelineRun(busy(10**9), latency=0.002, max_queue_wait=30)
    endless.burst(1)
    [(when, error)] = endless.failed
    assert isinstance(error, QueueTimeoutError) and error.max_queue_wait == 30
    assert 25 <= len(endless.sent) <= 31 and when - endless.sent[0] <= 30.01


def four_processes(
    seed: int, latency: tuple[float, float], per_client: int = 250
) -> dict[str, Any]:
    """Four clients, one request at a time each, each with its own default limiter and retry
    policy (four processes on one account, no shared store), against a server limiting the
    account to 10 requests/s (the sandbox's token bucket and its ``Retry-After``), through the
    real pipeline in virtual time. One-way latency uniform in ``latency``."""
    random.seed(seed)
    rng = random.Random(seed)
    run = PipelineRun(lambda n: httpx.Response(500))
    server = ServerRateLimiter(10, clock=run.clock)
    limiters = [RateLimiter(10, clock=run.clock) for _ in range(4)]
    clients = [
        GoToTraining(
            access_token="t" * 10, organizer_key=1, rate_limit=limiter,
            http_client=httpx.Client(
                timeout=DEFAULT_TIMEOUT,
                transport=httpx.MockTransport(lambda request: httpx.Response(500)),
            ),
        )
        for limiter in limiters
    ]  # fmt: skip
    events: list[tuple[float, int, Any]] = []
    order = itertools.count()
    statuses: Counter[int] = Counter()
    failures: list[BaseException] = []
    longest = 0.0

    def at(when: float, step: Callable[[], None]) -> None:
        heapq.heappush(events, (when, next(order), step))

    def process(client: GoToTraining) -> Generator[Any, Any, None]:
        nonlocal longest
        settings_ = client._transport.settings
        for _ in range(per_client):
            began = run.now
            request = ApiRequest("getAllTrainings", "GET", "/organizers/1/trainings")
            try:
                yield from pipeline(settings_, Call(request, _status), CallOptions())
            except GoToTrainingError as exc:
                failures.append(exc)
            longest = max(longest, run.now - began)

    def step(gen: Generator[Any, Any, None], value: Any) -> None:
        try:
            action = gen.send(value)
        except StopIteration:
            return
        if isinstance(action, Sleep):
            at(run.now + action.seconds, lambda: step(gen, None))
            return
        there, back = rng.uniform(*latency), rng.uniform(*latency)

        def arrive() -> None:
            wait = server.acquire()
            if wait:
                headers = {"Retry-After": str(max(1, math.ceil(wait)))}
                response = httpx.Response(429, headers=headers, json={"errorCode": "x"})
            else:
                response = httpx.Response(200, json=[])
            response.request = action.request
            statuses[response.status_code] += 1
            at(run.now + back, lambda: step(gen, response))

        at(run.now + there, arrive)

    for client in clients:
        gen = process(client)
        at(run.now, lambda gen=gen: step(gen, None))  # type: ignore[misc]
    began = run.now
    while events:
        run.now, _, action = heapq.heappop(events)
        action()
    requests = sum(statuses.values())
    return {
        "requests": requests,
        "429": statuses[429],
        "failures": failures,
        "longest_call": round(longest, 1),
        "per_second": round(4 * per_client / (run.now - began), 2),
    }


#: Seeds whose runs (latency 0.25-2 ms one way: a quiet loopback) lose 3 registrations each
#: when six 429s in a row give a request up and each halves the rate (3 of the first 60 seeds).
STARVED_SEEDS = [6, 9, 36]


@pytest.mark.parametrize("seed", STARVED_SEEDS)
def test_four_processes_on_one_account_lose_no_request_to_a_client_holding_the_quota(
    seed: int,
) -> None:
    state = random.getstate()
    try:
        stats = four_processes(seed, (0.00025, 0.002))
    finally:
        random.setstate(state)
    print(f"\n[four processes, seed {seed}] {stats | {'failures': len(stats['failures'])}}")
    assert not stats["failures"], stats["failures"][:3]
    assert stats["longest_call"] < 30
    assert stats["429"] / stats["requests"] < 0.10
