"""One account's quota shared by processes: ``RateLimiter.shared`` / ``SharedRateLimiter`` over a
real ``redis-server`` and an SQLite file, turned on by a URL (``rate_limit=``,
``GOTO_RATE_LIMIT_URL``), keyed by account, checked before any request, falling back to a
process-local limiter when the store goes away and sharing again when it is back.

Two limiter objects on one store stand for two processes where the point is the shared state
(they share nothing else); ``test_shared_quota_processes.py`` runs real processes. Where a test
needs time to pass it uses the SQLite store with a fake clock (``FakeClock``, the store's and the
limiters' alike); with the real clocks, rates are low (an interval of 10 s) so that no figure
depends on how fast the machine runs the test.
"""

from __future__ import annotations

import itertools
import logging
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from gototraining import (
    AsyncGoToTraining,
    GoToTraining,
    RateLimiter,
    RateLimitStoreError,
    SharedRateLimiter,
    ValidationError,
)
from gototraining import _ratelimit as ratelimit
from gototraining._quota_store import KEY_PREFIX, SqliteStore
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.redis_server import RedisServer

from .conftest import SOAK

#: A slow quota: one request per 10 s, so that a machine pausing the test for seconds changes
#: no figure the test reads.
SLOW = 0.1
INTERVAL = 1 / SLOW


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "redis"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite://{tmp_path / 'quota.sqlite3'}"
    url: str = request.getfixturevalue("redis_url")
    return url


def shared_pair(url: str, rate: float = SLOW) -> tuple[RateLimiter, RateLimiter]:
    """Two limiters on one store and account: two processes, as far as the store knows."""
    return (
        RateLimiter.shared(url, account="100", rate=rate),
        RateLimiter.shared(url, account="100", rate=rate),
    )


def fake_pair(tmp_path: Path, clock: FakeClock, count: int = 2) -> list[SharedRateLimiter]:
    """``count`` limiters on one SQLite store whose clock and theirs is ``clock``."""
    url = f"sqlite://{tmp_path / 'fake.sqlite3'}"
    return [
        SharedRateLimiter(
            SqliteStore.open(url, param="url", clock=clock),
            account="100",
            rate=10,
            clock=clock,
        )
        for _ in range(count)
    ]


def no_requests(sb: Any) -> None:
    assert sb.requests == [], "a request was sent"


# -- turning it on, and what is refused before any request ------------------------------------------


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://host/quota", "unknown store"),
        ("sqlite://host/quota.db", "three slashes"),
        ("sqlite:relative.db", "absolute"),
        ("sqlite:///tmp/quota.db?mode=ro", "takes no query"),
        ("redis://localhost:notaport/0", "not a usable Redis URL"),
        ("memory://somewhere", "takes nothing"),
        ("   ", "expected a store URL"),
    ],
)
def test_a_bad_store_url_is_refused_before_anything_is_sent(
    sb: Any, monkeypatch: pytest.MonkeyPatch, url: str, says: str
) -> None:
    credentials = {"access_token": sb.token, "organizer_key": sb.organizer_key, "base_url": sb.url}
    with pytest.raises(ValidationError) as given_:
        GoToTraining(**credentials, rate_limit=url)
    assert given_.value.param == "rate_limit" and says in str(given_.value)
    monkeypatch.setenv("GOTO_RATE_LIMIT_URL", url)
    with pytest.raises(ValidationError) as from_env:
        AsyncGoToTraining(**credentials)
    assert from_env.value.param == "GOTO_RATE_LIMIT_URL" and says in str(from_env.value)
    with pytest.raises(ValidationError) as explicit:
        RateLimiter.shared(url)
    assert explicit.value.param == "url"
    no_requests(sb)


def test_an_unreachable_redis_is_refused_at_start(sb: Any, tmp_path: Path) -> None:
    nobody = RedisServer(tmp_path)  # a free port, no server started on it
    with pytest.raises(RateLimitStoreError, match="cannot reach the Redis server") as refused:
        GoToTraining(
            access_token=sb.token, organizer_key=sb.organizer_key, base_url=sb.url,
            rate_limit=nobody.url,
        )  # fmt: skip
    assert refused.value.url == nobody.url
    no_requests(sb)


def test_redis_credentials_are_checked_at_start_and_never_shown(
    sb: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = RedisServer(tmp_path, password="right-pass-8f3c").start()
    try:
        wrong = server.url.replace("right-pass-8f3c", "wrong-pass-51d7")
        with pytest.raises(RateLimitStoreError, match="refused the credentials") as refused:
            RateLimiter.shared(wrong, account="1")
        none = server.url.replace(":right-pass-8f3c@", "")
        with pytest.raises(RateLimitStoreError, match="asks for a password"):
            RateLimiter.shared(none, account="1")
        caplog.set_level(logging.DEBUG, logger="gototraining")
        limiter = GoToTraining(
            access_token=sb.token, organizer_key=sb.organizer_key, base_url=sb.url,
            rate_limit=server.url,
        ).options.rate_limiter  # fmt: skip
        assert isinstance(limiter, SharedRateLimiter)
        server.stop()  # the store goes away: the warning names it, without the password
        ticket = limiter.acquire()
        assert ticket.wait() >= 0
        assert limiter.sharing is False
    finally:
        server.stop()
    shown = [
        str(refused.value), repr(refused.value), refused.value.url, repr(limiter), limiter.url,
        caplog.text,
    ]  # fmt: skip
    assert "cannot be used" in caplog.text
    for text in shown:
        assert "wrong-pass-51d7" not in text and "right-pass-8f3c" not in text, text
    assert "***@127.0.0.1" in limiter.url
    no_requests(sb)


def test_the_default_quota_file_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config"
    monkeypatch.setenv("GOTO_CONFIG_DIR", str(config))
    limiter = RateLimiter.shared("sqlite://", account="1")
    assert isinstance(limiter, SharedRateLimiter)
    quota = config / "ratelimit.sqlite3"
    assert limiter.url == "sqlite://"
    assert oct(config.stat().st_mode & 0o777) == oct(0o700)
    assert oct(quota.stat().st_mode & 0o777) == oct(0o600)
    ticket = limiter.acquire()
    assert ticket.wait() == 0.0
    for companion in config.iterdir():  # SQLite's -wal and -shm files take the file's mode
        assert companion.stat().st_mode & 0o077 == 0, companion


@pytest.mark.parametrize("problem", ["open directory", "world-writable", "symlink", "readable"])
def test_a_quota_file_others_could_change_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, problem: str
) -> None:
    config = tmp_path / "config"
    config.mkdir(mode=0o700)
    monkeypatch.setenv("GOTO_CONFIG_DIR", str(config))
    url, says = "sqlite://", ""
    if problem == "open directory":
        config.chmod(0o755 | 0o020)  # group-writable
        says = "can be written by other users"
    elif problem == "world-writable":
        shared = tmp_path / "shared"
        shared.mkdir()
        shared.chmod(0o1777)  # like /tmp
        url, says = f"sqlite://{shared / 'quota.sqlite3'}", "can be written by other users"
    elif problem == "symlink":
        (config / "ratelimit.sqlite3").symlink_to(tmp_path / "elsewhere")
        says = "is a symlink"
    else:
        (config / "ratelimit.sqlite3").touch(mode=0o644)
        (config / "ratelimit.sqlite3").chmod(0o644)
        says = "or read by other users"
    with pytest.raises(RateLimitStoreError, match=says):
        RateLimiter.shared(url, account="1")
    assert not (tmp_path / "elsewhere").exists()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs chown")
def test_a_quota_file_of_another_user_is_refused(tmp_path: Path) -> None:
    quota = tmp_path / "quota.sqlite3"
    quota.touch(mode=0o600)
    os.chown(quota, 65534, 65534)
    with pytest.raises(RateLimitStoreError, match="belongs to another user"):
        RateLimiter.shared(f"sqlite://{quota}", account="1")


def test_without_the_redis_package_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)  # import redis -> ImportError
    with pytest.raises(RateLimitStoreError, match=r"pip install 'gototraining\[redis\]'"):
        RateLimiter.shared("redis://127.0.0.1:1/0", account="1")


def test_a_valkey_url_speaks_the_redis_protocol(redis_url: str) -> None:
    """``valkey://`` is read as ``redis://`` (Valkey speaks the same protocol); the server
    here is Debian's redis-server."""
    valkey = RateLimiter.shared(redis_url.replace("redis://", "valkey://"), account="100")
    redis_ = RateLimiter.shared(redis_url, account="100", rate=SLOW)
    assert isinstance(valkey, SharedRateLimiter) and valkey.url.startswith("valkey://")
    assert valkey.acquire().wait() == 0.0
    booked = redis_.acquire()
    assert booked.wait() > 0  # the slot valkey:// took is the one redis:// sees taken
    booked.cancel()


def test_the_environment_variable_shares_one_limiter_per_quota(
    sb: Any, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOTO_RATE_LIMIT_URL", store_url)
    credentials = {"access_token": sb.token, "base_url": sb.url}
    sync = GoToTraining(**credentials, organizer_key=sb.organizer_key, rate_limit=5)
    other = AsyncGoToTraining(**credentials, organizer_key=sb.organizer_key, rate_limit=5)
    limiter = sync.options.rate_limiter
    assert isinstance(limiter, SharedRateLimiter)
    assert other.options.rate_limiter is limiter  # one quota, one limiter per process
    assert (limiter.rate, limiter.account) == (5.0, sb.organizer_key)
    assert GoToTraining(
        **credentials, organizer_key="7", rate_limit=5
    ).options.rate_limiter not in (
        limiter,
        None,
    )
    assert (
        GoToTraining(
            **credentials, organizer_key=sb.organizer_key, rate_limit=None
        ).options.rate_limiter
        is None
    )
    switched = sync.with_options(organizer_key="7")  # another organizer: its own quota
    assert isinstance(switched.options.rate_limiter, SharedRateLimiter)
    assert switched.options.rate_limiter.account == "7"
    assert sync.with_options(timeout=5).options.rate_limiter is limiter
    monkeypatch.setenv("GOTO_RATE_LIMIT_URL", "memory://")
    local = GoToTraining(**credentials, organizer_key=sb.organizer_key).options.rate_limiter
    assert type(local) is RateLimiter
    explicit = GoToTraining(**credentials, organizer_key=sb.organizer_key, rate_limit=store_url)
    assert isinstance(explicit.options.rate_limiter, SharedRateLimiter)
    no_requests(sb)


def test_two_organizers_never_share_a_budget(sb: Any, store_url: str) -> None:
    credentials = {"access_token": sb.token, "base_url": sb.url}
    limiter = RateLimiter.shared(store_url, rate=SLOW)
    assert isinstance(limiter, SharedRateLimiter) and limiter.account is None
    first = GoToTraining(**credentials, organizer_key="111", rate_limit=limiter)
    assert limiter.account == "111"  # bound by its first client
    with pytest.raises(ValidationError, match="keeps the quota of organizer 111") as refused:
        GoToTraining(**credentials, organizer_key="222", rate_limit=limiter)
    assert refused.value.param == "rate_limit"
    with pytest.raises(ValidationError, match="keeps the quota of organizer 111"):
        first.with_options(organizer_key="222")
    # On purpose: one quota for two organizers (GoTo counts custom limits per OAuth client).
    deliberate = RateLimiter.shared(store_url, account="client-abc", rate=SLOW)
    GoToTraining(**credentials, organizer_key="111", rate_limit=deliberate)
    GoToTraining(**credentials, organizer_key="222", rate_limit=deliberate)
    # A quota used to its end does not delay another account's.
    for _ in range(5):
        limiter.reserve()
    busy = limiter.acquire()
    assert busy.wait() > 3 * INTERVAL
    other = RateLimiter.shared(store_url, account="222", rate=SLOW).acquire()
    assert other.wait() == 0.0
    busy.cancel()
    no_requests(sb)


# -- what the processes share ------------------------------------------------------------------


def test_processes_take_turns_in_one_schedule(store_url: str) -> None:
    processes = [RateLimiter.shared(store_url, account="100", rate=SLOW) for _ in range(5)]
    first = processes[0].acquire()
    assert first.wait() == 0.0
    second = processes[1].acquire()
    assert INTERVAL / 2 < second.wait() <= INTERVAL  # booked: the slot after the first
    third = processes[2].acquire()
    assert INTERVAL * 1.5 < third.wait() <= 2 * INTERVAL  # after the second
    third.cancel()  # the latest booking: given back
    fourth = processes[3].acquire()
    assert INTERVAL * 1.5 < fourth.wait() <= 2 * INTERVAL  # the slot third gave back
    second.cancel()  # not the latest: that slot is lost, nothing else moves
    fifth = processes[4].acquire()
    assert INTERVAL * 2.5 < fifth.wait() <= 3 * INTERVAL
    fourth.cancel()
    fifth.cancel()


def test_a_429_seen_by_one_process_slows_and_pauses_every_process(store_url: str) -> None:
    a, b = shared_pair(store_url, rate=10)
    granted = a.acquire()
    assert granted.wait() == 0.0
    a.throttled(granted, retry_after=60)
    assert b.throttle_count == 1
    assert b.current_rate == pytest.approx(5.0)  # halved, for every process
    waiting = b.acquire()
    assert 0 < waiting.wait() <= ratelimit.NAP  # asks again later: a long pause books nothing
    assert 50 < waiting.earliest <= 61  # the pause is the store's
    b.throttled(granted, retry_after=None)  # a 429 to a request sent before the decrease ...
    assert a.current_rate == pytest.approx(5.0)  # ... does not decrease again
    assert a.throttle_count == 2
    waiting.cancel()


def test_a_slot_booked_before_another_process_meets_a_429_waits_for_the_pause(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    a, b = fake_pair(tmp_path, clock)
    assert a.acquire().wait() == 0.0
    booked = b.acquire()
    assert booked.wait() == pytest.approx(0.1)  # b sleeps until its slot ...
    a.throttled(None, retry_after=60)  # ... and meanwhile a meets a 429 with Retry-After
    clock.now += 0.1
    assert 0 < booked.wait() <= ratelimit.NAP  # the booking is void: not sent into the pause
    assert 59 < booked.earliest <= 61
    clock.now += 61
    while (wait := booked.wait()) > 0:
        clock.now += wait
    assert clock.now >= 1_000_000.0 + 60


def test_a_stuck_request_does_not_hold_up_the_requests_behind_it(tmp_path: Path) -> None:
    """The head of a process's queue books its slot and then never comes back (its thread is
    stuck): ``STALL`` seconds after it should have, the next request goes in its place."""
    clock = FakeClock()
    (limiter,) = fake_pair(tmp_path, clock, count=1)
    assert limiter.acquire().wait() == 0.0
    stuck = limiter.acquire()
    assert stuck.wait() == pytest.approx(0.1)
    behind = limiter.acquire()
    assert behind.wait() > 0
    clock.now += 0.1 + ratelimit.STALL + 0.01  # the stuck one does not ask again
    assert behind.wait() == 0.0
    assert stuck.wait() == 0.0  # when it comes back, its booked slot is still its own


def test_shared_pacing_is_the_in_process_pacing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same requests and 429s through one in-process limiter and through two processes
    sharing a store (asking in turn) get the same slots, to the microsecond: the shared
    limiter runs the same decisions."""
    monkeypatch.setattr(random, "random", lambda: 0.5)  # the Retry-After jitter
    clock = FakeClock()
    shared = fake_pair(tmp_path, clock)
    local = RateLimiter(10, clock=clock)
    script = [(0.0, None)] * 30 + [(0.0, 2.0)] + [(0.0, None)] * 40 + [(7.0, None)] * 3
    script += [(0.02, None)] * 20 + [(0.0, 0.5)] + [(0.0, None)] * 10

    def grants(limiters: list[RateLimiter]) -> list[float]:
        clock.now = 1_000_000.0
        out = []
        for step, (gap, retry_after) in enumerate(script):
            clock.now += gap
            limiter = limiters[step % len(limiters)]
            ticket = limiter.acquire()
            while (wait := ticket.wait()) > 0:
                clock.now += wait
            out.append(clock.now)
            if retry_after is not None:
                limiter.throttled(ticket, retry_after=retry_after)
        return out

    expected = grants([local])
    assert grants(list(shared)) == pytest.approx(expected, abs=1e-6)
    assert shared[0].current_rate == pytest.approx(local.current_rate)
    assert shared[1].throttle_count == local.throttle_count == 2


@pytest.mark.fuzz  # 60 examples in `make test`, 1,000 exploring ones under `make soak`
@settings(max_examples=1000 if SOAK else 60, deadline=None, derandomize=not SOAK)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from([0.0, 0.0, 0.01, 0.05, 0.3, 2.0, 30.0]),
            st.sampled_from([None] * 8 + [0.0, 1.0, 3.0]),
            st.integers(min_value=0, max_value=2),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_any_sequence_of_requests_and_429s_is_paced_as_in_process(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[float, float | None, int]]
) -> None:
    clock = FakeClock()
    shared = fake_pair(tmp_path_factory.mktemp("q"), clock, count=3)
    local = RateLimiter(10, clock=clock)
    with mock.patch("random.random", lambda: 0.5):  # the Retry-After jitter

        def grants(pick: Any) -> list[float]:
            clock.now = 1_000_000.0
            out = []
            # The first request when both start (a store's state begins with its first use,
            # an in-process limiter's when it is made).
            for gap, retry_after, who in [(0.0, None, 0), *steps]:
                clock.now += gap
                limiter = pick(who)
                ticket = limiter.acquire()
                while (wait := ticket.wait()) > 0:
                    clock.now += wait
                out.append(clock.now)
                if retry_after is not None:
                    limiter.throttled(ticket, retry_after=retry_after or None)
            return out

        assert grants(lambda who: shared[who]) == pytest.approx(grants(lambda who: local), abs=1e-6)


def test_busy_processes_get_equal_shares_whatever_their_concurrency(tmp_path: Path) -> None:
    """One process with 6 requests waiting at a time, one with 1 (it sends its next when the
    last is granted): the slots alternate between them, never closer than the interval."""
    clock = FakeClock()
    crowded, single = fake_pair(tmp_path, clock)
    wakes: list[tuple[float, int, Any, str]] = []
    seq = 0

    def submit(limiter: RateLimiter, who: str) -> None:
        nonlocal seq
        seq += 1
        wakes.append((clock.now, seq, limiter.acquire(), who))

    for _ in range(6):
        submit(crowded, "crowded")
    submit(single, "single")
    granted: list[tuple[float, str]] = []
    while len(granted) < 40:
        wakes.sort(key=lambda w: (w[0], w[1]))
        at, _, ticket, who = wakes.pop(0)
        clock.now = max(clock.now, at)
        wait = ticket.wait()
        if wait > 0:
            seq += 1
            wakes.append((clock.now + wait, seq, ticket, who))
            continue
        granted.append((clock.now, who))
        submit(crowded if who == "crowded" else single, who)
    shares = [who for _, who in granted]
    assert 19 <= shares.count("single") <= 21, shares
    gaps = [b - a for (a, _), (b, _) in itertools.pairwise(granted)]
    assert min(gaps) >= 0.1 - 1e-9


def test_clocks_of_the_processes_do_not_matter(redis_url: str) -> None:
    """Two machines an hour apart share Redis's clock: the schedule holds."""
    ahead = RateLimiter.shared(redis_url, account="100", rate=SLOW)
    behind = RateLimiter.shared(redis_url, account="100", rate=SLOW)
    assert isinstance(ahead, SharedRateLimiter) and isinstance(behind, SharedRateLimiter)
    ahead._clock = lambda: time.monotonic() + 3600
    behind._clock = lambda: time.monotonic() - 3600
    assert ahead.acquire().wait() == 0.0
    booked = behind.acquire()
    assert INTERVAL / 2 < booked.wait() <= INTERVAL
    booked.cancel()
    ahead.throttled(None, retry_after=60)
    waiting = behind.acquire()
    waiting.wait()
    # Redis's 60 s (and up to an interval of the halved rate: the jitter), not an hour off.
    assert 50 < waiting.earliest <= 60 + 2 * INTERVAL
    waiting.cancel()


def test_a_store_clock_set_back_keeps_the_state_meaning(tmp_path: Path) -> None:
    clock = FakeClock()
    a, b = fake_pair(tmp_path, clock)
    assert a.acquire().wait() == 0.0
    a.throttled(None, retry_after=30)
    clock.now -= 3600  # the machine's wall clock is set back an hour
    waiting = b.acquire()
    waiting.wait()
    assert 29 < waiting.earliest <= 31  # not 3,630 s
    clock.now += 31
    assert waiting.wait() == 0.0


# -- faults --------------------------------------------------------------------------------------

KILLED_HOLDER = """
import sys, sqlite3, time
from gototraining import RateLimiter
url, path = sys.argv[1], sys.argv[2]
limiter = RateLimiter.shared(url, account="100", rate={rate})
assert limiter.acquire().wait() == 0.0
booked = limiter.acquire()
assert booked.wait() > 0  # holds the next slot
if path:  # and the SQLite file's write lock
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
print("ready", flush=True)
time.sleep(600)
"""


def test_a_process_killed_while_holding_slots_leaks_no_budget(
    store_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = store_url.removeprefix("sqlite://") if store_url.startswith("sqlite") else ""
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_HOLDER.format(rate=SLOW), store_url, path],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    caplog.set_level(logging.WARNING, logger="gototraining")
    survivor = RateLimiter.shared(store_url, account="100", rate=SLOW)
    ticket = survivor.acquire()
    # The killed process's booked slot passes unused; the next is the survivor's: nothing else
    # was held (a lock the process held went with it: no 2 s wait, no fallback).
    assert INTERVAL < ticket.wait() <= 2 * INTERVAL
    assert isinstance(survivor, SharedRateLimiter) and survivor.sharing
    assert caplog.text == ""
    ticket.cancel()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis").start()
    try:
        yield server
    finally:
        server.stop()


def _until(condition: Any, within: float = 30.0) -> None:
    """Wait for ``condition()`` (an event), failing after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.02)


def test_redis_going_away_falls_back_with_one_warning_and_shares_again_when_back(
    own_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gototraining")
    limiter = RateLimiter.shared(own_redis.url, account="100", rate=10)
    assert isinstance(limiter, SharedRateLimiter)
    assert limiter.acquire().wait() == 0.0
    own_redis.stop()
    for granted in range(30):  # keeps working: an adaptive limiter of its own, from where it was
        ticket = limiter.acquire()
        while (wait := ticket.wait()) > 0:
            time.sleep(wait)
        if granted == 10:
            limiter.throttled(None)
    assert limiter.current_rate < 10  # the local limiter adapts
    assert not limiter.sharing
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "cannot be used" in warnings[0].getMessage()
    own_redis.start()  # back, empty, on the same port
    _until(lambda: limiter.sharing)
    ticket = limiter.acquire()
    assert ticket.wait() == 0.0
    client = own_redis.client()
    try:
        assert client.get(KEY_PREFIX + "100") is not None  # the decisions are shared again
    finally:
        client.close()
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(messages) == 2 and "is back" in messages[1]


def test_a_stuck_sqlite_writer_makes_the_others_pace_alone_until_it_lets_go(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import sqlite3

    caplog.set_level(logging.WARNING, logger="gototraining")
    path = tmp_path / "quota.sqlite3"
    limiter = RateLimiter.shared(f"sqlite://{path}", account="100", rate=10)
    assert isinstance(limiter, SharedRateLimiter)
    stuck = sqlite3.connect(path, isolation_level=None)
    stuck.execute("BEGIN IMMEDIATE")  # a process stopped inside a transaction
    ticket = limiter.acquire()
    assert ticket.wait() == 0.0  # after the busy timeout: alone, but not stuck
    assert not limiter.sharing and "cannot be used" in caplog.text
    stuck.execute("ROLLBACK")
    _until(lambda: limiter.sharing)
    stuck.close()
