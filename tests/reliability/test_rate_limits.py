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
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from typing import Any

import httpx
import pytest
from gototraining import AsyncGoToTraining, GoToTraining, RateLimiter, RateLimitError
from gototraining.sandbox.core import RateLimiter as ServerRateLimiter
from sdk.conftest import Flavor

from .helpers import END, START, assert_registered_exactly_once, client_kwargs

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
    """Network latency in virtual time (2-30 ms, seeded): requests do not arrive in lock-step."""

    def __init__(self, time: VirtualTime, seed: int) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._time = time
        self._rng = random.Random(seed)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self._time.sleep(self._rng.uniform(0.002, 0.03))
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
                http_client=httpx.AsyncClient(transport=Latency(time_, seed=index)),
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

    Deterministic for a given seed (this one: 14 of 214 requests, 6.5%); across 40 seeds the
    share of 429s ranged 5.2-7.8% (at most 17 of ~215 requests), so the 10% line has a margin
    of 4+ requests whatever the seed.
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

    flavor.client(handler, rate_limit=None, max_retries=0)  # rate_limit_retries: default 6
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
