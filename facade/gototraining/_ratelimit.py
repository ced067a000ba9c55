"""A client-side rate limiter: usable from threads and asyncio tasks alike, fair between the
clients that share it, and adaptive (a 429 lowers its rate, which then recovers).

Sans-IO: ``acquire(party)`` returns a ``Ticket``; ``ticket.wait()`` returns how many seconds
to sleep before calling it again, ``0.0`` once the request may go. The caller sleeps
(``time.sleep`` or ``asyncio.sleep``); the lock is held only for the bookkeeping, never while
sleeping, so one limiter can be shared by ``GoToTraining`` and ``AsyncGoToTraining`` clients in
any number of threads and event loops.

**Fairness.** Waiting tickets are served round-robin between *parties* (each client is one
party), first come first served within a party: start-time fair queueing, where a ticket's tag
is one more than the larger of its party's previous tag and the tag last served, and the
smallest tag goes next. Only the head of the queue is promised a slot (the next one); the others
sleep until their estimated turn -- at most ``NAP`` seconds -- and ask again, so a newer ticket
of a party with fewer waiting can be put ahead of them meanwhile, and a turn that comes sooner
than estimated (tickets ahead given up) is not slept through. A sync client in one thread
sharing the limiter with 32 async workers of another client thus gets every other slot, not
one in 33.

**Adaptivity** (``adaptive=True``, the default). After a 429 (``throttled()``) the rate drops to
half of what was being sent, recovers quickly (exponentially) to 90% of it -- just below where
the server's limit was met -- and then creeps up by 0.5% of ``rate`` per second (the same for
every client, so clients sharing a limit converge to equal shares) until it is back at ``rate``.
"What was being sent" is the rate in force while requests queue in the limiter (it was the
bottleneck), else the rate measured over the latest grants of the current busy spell: an idle
gap is no part of a sending rate, or a burst after a pause would be cut to a small fraction of
it. Tickets waiting while the rate recovers are told their turn on the recovering rate, not on
the rate in force when they asked. A ``Retry-After`` pauses the limiter until it has passed
(plus a fraction of an interval of jitter, so that clients throttled together do not resume
together); slots promised before a 429 are re-examined. Several processes on one account, each
with its own limiter, thus settle at about their share instead of each retrying at the full
rate.

**State and decisions.** Everything the limiter knows about the pace of requests is a ``Pace``:
plain numbers (the next free slot, the pause a ``Retry-After`` asked for, the last decrease, the
latest grants). Every decision about them is a method of ``Pace`` that is given the time and
whatever else it needs -- none reads a clock, takes a lock or draws a random number. A
``RateLimiter`` keeps its ``Pace`` in memory under a lock, beside the fair queue of this
process's waiting tickets. A ``SharedRateLimiter`` (``RateLimiter.shared``) keeps it in a store
shared by processes (``_quota_store``: Redis, SQLite) and runs the same methods on it inside
one store transaction, with the store's clock; its queue stays in the process.
"""

from __future__ import annotations

import logging
import math
import os
import random
import threading
import time
import weakref
from bisect import bisect_left
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

from ._errors import ValidationError

if TYPE_CHECKING:
    from ._quota_store import QuotaStore

__all__ = [
    "RATE_LIMIT_URL_VARIABLE",
    "Pace",
    "RateLimiter",
    "SharedRateLimiter",
    "Ticket",
    "check_rate",
    "limiter_for",
    "rebound",
]

logger = logging.getLogger("gototraining")

#: The environment variable naming the store of a shared quota (read by clients and the CLI).
RATE_LIMIT_URL_VARIABLE = "GOTO_RATE_LIMIT_URL"

#: The lowest configurable rate (one request per 1,000 s); lower rates overflow sleeps.
MIN_RATE = 0.001
#: GoTo's documented limit (requests per second per API), the rate of a shared quota unless
#: given.
DEFAULT_RATE = 10.0
#: The adaptive rate never drops below ``rate * MIN_FRACTION``.
MIN_FRACTION = 1 / 64
#: After a 429 the rate drops to ``DECREASE`` x the rate that was being sent ...
DECREASE = 0.5
#: ... recovers quickly (the gap halves every ``HALF_LIFE`` seconds) towards ``RECOVER`` x that
#: rate (just below where the limit was met, so that several clients sharing it leave the
#: server's own burst allowance room to refill) ...
RECOVER = 0.9
HALF_LIFE = 1.0
_LN2 = math.log(2)
#: ... and creeps beyond by ``PROBE`` x ``rate`` per second, to find capacity freed by others
#: (additive, the same for every client: shares converge to fair ones), up to ``rate``.
PROBE = 0.005
#: ... faster and faster: after ``ACCELERATE`` seconds without a 429 the rate has grown by a
#: further ``rate`` (a cubic term, as in TCP CUBIC), so a client whose co-users have gone
#: is back at full speed within seconds rather than minutes.
ACCELERATE = 20.0
#: A ticket whose predecessors have not taken their slots this long after its own estimated
#: turn takes the slot itself (a predecessor whose thread or event loop is stuck must not stall
#: everybody behind it).
STALL = 0.1
#: The longest a waiting ticket behind the head of the queue sleeps before asking again: its
#: turn comes sooner than estimated when tickets ahead give up their places.
NAP = 1.0
#: How many recent grants estimate the rate actually sent (for the decrease after a 429).
_RECENT = 10
#: While a decrease is in force, a 429 lowers the rate again only once this many requests have
#: been granted since it (fewer: the 429 answers a retry, not a rate).
_EVIDENCE = 3
#: A grant more than ``IDLE_FACTOR`` x the usual gap between the latest grants after the
#: previous one (and at least ``IDLE_GAP`` seconds) starts a new busy spell: the gap was idle
#: time, no part of any sending rate.
IDLE_FACTOR = 4.0
IDLE_GAP = 1.0


class Pace:
    """The state of a limiter's pacing, and every decision about it (see the module docstring).

    Attributes (plain numbers; the times are the limiter's clock):
        rate, burst, adaptive: the configuration.
        tat: the GCRA "theoretical arrival time", when the bucket would be full again.
        pause_until: the end of the pause a ``Retry-After`` asked for.
        epoch: how many decreases so far (a 429 to a request granted before the last one does
            not decrease again).
        throttled_rate, throttled_at: the rate the last decrease started from, and when it
            starts to recover (``None``: recovered, the rate is ``rate``).
        recent: the times of the latest grants of the current busy spell (at most ``_RECENT``).
        throttle_count: 429s reported.
    """

    __slots__ = (
        "adaptive",
        "burst",
        "epoch",
        "pause_until",
        "rate",
        "recent",
        "tat",
        "throttle_count",
        "throttled_at",
        "throttled_rate",
    )

    def __init__(self, rate: float, burst: float, adaptive: bool, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.adaptive = adaptive
        self.tat = now
        self.pause_until = -math.inf
        self.epoch = 0
        self.throttled_rate = rate
        self.throttled_at: float | None = None
        self.recent: list[float] = []
        self.throttle_count = 0

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"Pace({fields})"

    # -- the rate ------------------------------------------------------------------------------

    def rate_at(self, t: float) -> float:
        """The rate in force at ``t`` (no later 429 assumed)."""
        if self.throttled_at is None:
            return self.rate
        elapsed = max(0.0, t - self.throttled_at)
        throttled = self.throttled_rate
        target = RECOVER * throttled
        rate = target - (target - DECREASE * throttled) * math.exp(-_LN2 * elapsed / HALF_LIFE)
        rate += self.rate * (PROBE * elapsed + (elapsed / ACCELERATE) ** 3)
        if rate >= self.rate:
            return self.rate
        return max(rate, self.rate * MIN_FRACTION, MIN_RATE)

    def settle(self, now: float) -> None:
        """Forget the last decrease once the rate has recovered from it."""
        if self.throttled_at is not None and self.rate_at(now) >= self.rate:
            self.throttled_at = None

    def sent_rate(self) -> float | None:
        """Requests per second over the latest grants of this busy spell (``None``: too few)."""
        recent = self.recent
        if len(recent) < 3:
            return None
        span = recent[-1] - recent[0]
        return (len(recent) - 1) / span if span > 0 else None

    def throttle(
        self,
        now: float,
        *,
        epoch: int | None,
        queued: bool,
        retry_after: float | None,
        jitter: float,
    ) -> None:
        """A 429 to a request granted in ``epoch`` (``None``: unknown) arrived at ``now``.

        ``queued``: requests were waiting for the limiter (it was the bottleneck, so the rate
        in force is what was sent). ``jitter`` in [0, 1): the fraction of an interval added to
        the ``Retry-After`` pause.
        """
        self.throttle_count += 1
        self.settle(now)
        # A decrease is in force and too few requests went since it to say the rate is too
        # high: the 429 answers a lone retry after the pause (the account is busy with other
        # clients), and halving again would only space its retries further apart and bring
        # the client back at a crawl once it gets through. The pause below still applies.
        probe = self.throttled_at is not None and not queued and len(self.recent) < _EVIDENCE
        if self.adaptive and (epoch is None or (epoch == self.epoch and not probe)):
            rate = self.rate_at(now)
            sent = None if queued else self.sent_rate()
            if sent is not None:  # limited by latency, not by us: what was sent got the 429
                rate = min(rate, sent)
            self.throttled_rate = max(rate, self.rate * MIN_FRACTION, MIN_RATE)
            self.throttled_at = now
            self.epoch += 1
            self.recent.clear()
        if retry_after is not None and retry_after > 0:
            self.pause_until = max(self.pause_until, now + retry_after + jitter / self.rate_at(now))
        if self.throttled_at is not None:  # recover from the pause's end, not during it
            self.throttled_at = max(self.throttled_at, self.pause_until)

    # -- slots ---------------------------------------------------------------------------------

    def slot_start(self, now: float) -> tuple[float, float]:
        """The next free slot (not before the pause ends) and the interval in force."""
        interval = 1.0 / self.rate_at(now)
        return max(self.tat - (self.burst - 1.0) * interval, self.pause_until), interval

    def turn(self, start: float, rank: int, now: float, horizon: float) -> float:
        """When the slot ``rank`` places after the one at ``start`` comes, on the rate as it
        recovers meanwhile; counted no further than ``now + horizon``."""
        if self.throttled_at is None:
            return start + rank / self.rate
        t, until = start, now + horizon
        for _ in range(rank):
            if t > until:
                break
            t += 1.0 / self.rate_at(t)
        return t

    def earliest(self, start: float, rank: int, now: float) -> float:
        """The soonest (seconds from ``now``) the slot ``rank`` places after ``start`` can
        come: at the configured rate, if every ticket ahead takes its slot."""
        return max(0.0, start + rank / self.rate - now)

    def grant(self, at: float, interval: float) -> int:
        """A request takes the slot at ``at``; returns the epoch it was granted in."""
        # A slot taken late by up to 10% of an interval (a sleeper woken a little late) keeps
        # the schedule, so such delays do not add up; later than that (the limiter was idle),
        # the schedule restarts from then.
        tat = self.tat
        self.tat = (tat if tat <= at <= tat + 0.1 * interval else max(tat, at)) + interval
        recent = self.recent
        if recent:
            usual = (recent[-1] - recent[0]) / (len(recent) - 1) if len(recent) > 1 else 0.0
            if at - recent[-1] > max(IDLE_FACTOR * usual, IDLE_GAP):
                recent.clear()
        recent.append(at)
        if len(recent) > _RECENT:
            del recent[0]
        return self.epoch

    def reserve(self, now: float) -> float:
        """Take the next free slot at once; seconds to wait before using it."""
        interval = 1.0 / self.rate_at(now)
        tat = max(self.tat, now)
        allowed_at = max(tat - (self.burst - 1.0) * interval, self.pause_until)
        self.tat = max(tat, allowed_at) + interval
        return max(0.0, allowed_at - now)

    # -- for stores shared by processes --------------------------------------------------------

    def release(self, at: float, interval: float) -> None:
        """Give back the slot granted at ``at`` and not used (a request that gave up its
        reservation), if no slot has been granted after it; otherwise it is lost."""
        if self.recent and self.recent[-1] == at and abs(self.tat - (at + interval)) < 1e-9:
            self.tat = at
            self.recent.pop()

    def booked(self, now: float) -> bool:
        """Whether slots are promised beyond the next one: requests are waiting for their turn
        (in some process), so the limiter is the bottleneck."""
        return self.tat > now + 1.0 / self.rate_at(now) + 1e-9

    def shift(self, delta: float) -> None:
        """Move every time by ``delta`` seconds: onto another clock, or to follow a clock that
        was set back (a store's wall clock) so that the state keeps its meaning."""
        self.tat += delta
        self.pause_until += delta
        if self.throttled_at is not None:
            self.throttled_at += delta
        self.recent = [t + delta for t in self.recent]

    def copy(self) -> Pace:
        """An independent copy."""
        twin = Pace.__new__(Pace)
        for name in self.__slots__:
            setattr(twin, name, getattr(self, name))
        twin.recent = list(self.recent)
        return twin


class Ticket:
    """One request's place in a ``RateLimiter``: ``wait()`` until it returns ``0.0``.

    A ticket that will not be used any more must be ``cancel()``-ed (the transport does this in
    a ``finally``), or it holds up its party's later tickets for ``STALL`` seconds.

    After each ``wait()``: ``waited`` is how long it has waited since ``acquire()`` (the
    limiter's clock), ``earliest`` the soonest its slot can come, in seconds from then (at the
    configured rate, if every ticket ahead takes its slot; ``0.0`` once granted).
    """

    __slots__ = (
        "acquired_at",
        "earliest",
        "epoch",
        "granted",
        "held",
        "limiter",
        "party",
        "promise",
        "promised_in",
        "queued",
        "seq",
        "tag",
        "waited",
    )

    def __init__(self, limiter: RateLimiter, party: Hashable, seq: int, now: float) -> None:
        self.limiter = limiter
        self.party = party
        self.seq = seq
        self.acquired_at = now
        self.waited = 0.0
        self.earliest = 0.0
        self.granted = False
        self.queued = False
        self.tag = 0  # its place in the fair order (set when it starts waiting)
        #: The slot the head of the queue was told to sleep until, and the limiter's throttle
        #: count then (a 429 meanwhile voids the promise).
        self.promise: float | None = None
        self.promised_in = -1
        #: The limiter's decrease epoch when the slot was granted (a 429 answering a request
        #: sent before the last decrease does not decrease the rate again).
        self.epoch = -1
        #: A slot booked for it in a shared store (``SharedRateLimiter``), not yet used.
        self.held: _Held | None = None

    def wait(self) -> float:
        """Seconds to sleep before calling ``wait()`` again; ``0.0``: send the request now.

        The head of the queue is told to sleep exactly until its slot and gets it when it
        asks again, whatever the clock says (unless a 429 came in meanwhile).
        """
        return self.limiter._poll(self)

    def cancel(self) -> None:
        """Give up the place (no-op once granted)."""
        self.limiter._cancel(self)

    def __repr__(self) -> str:
        state = "granted" if self.granted else ("waiting" if self.queued else "new")
        return f"<Ticket {self.seq} {state}>"


def check_rate(value: object, name: str) -> float:
    """A rate in requests/second: a finite number >= ``MIN_RATE``, else ``ValidationError``."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not value >= MIN_RATE
    ):
        raise ValidationError(
            name, f"expected a finite number >= {MIN_RATE:g} requests/second, got {value!r}"
        )
    return float(value)


def limiter_for(rate_limit: object, account: object = None) -> RateLimiter | None:
    """A client's ``rate_limit`` as a limiter: ``None`` (no limit), a ``RateLimiter`` (shared
    as it is), a store URL (the quota of ``account``, kept there, at the default rate), or
    requests/second: a new limiter -- in the store ``$GOTO_RATE_LIMIT_URL`` names, if set,
    else in this process. Limiters made from a URL are shared by every client of the process
    that names the same store, account and rate."""
    if rate_limit is None:
        return None
    if isinstance(rate_limit, RateLimiter):
        if isinstance(rate_limit, SharedRateLimiter) and account is not None:
            rate_limit._bind(str(account))
        return rate_limit
    if isinstance(rate_limit, str):
        return _implicit(rate_limit, "rate_limit", account, DEFAULT_RATE)
    if isinstance(rate_limit, bool) or not isinstance(rate_limit, int | float):
        raise ValidationError(
            "rate_limit",
            "expected requests/second, a store URL, a RateLimiter, or None, got "
            f"{type(rate_limit).__name__}",
        )
    rate = check_rate(rate_limit, "rate_limit")
    url = os.environ.get(RATE_LIMIT_URL_VARIABLE)
    if url:
        return _implicit(url, RATE_LIMIT_URL_VARIABLE, account, rate)
    return RateLimiter(rate)


#: Limiters made from URLs by clients, so that every client of a process sharing one quota
#: shares one limiter (one connection, one fair queue between them).
_IMPLICIT: weakref.WeakValueDictionary[tuple[str, str | None, float], RateLimiter] = (
    weakref.WeakValueDictionary()
)
_IMPLICIT_LOCK = threading.Lock()


def _implicit(url: str, param: str, account: object, rate: float) -> RateLimiter:
    key = (url, None if account is None else str(account), rate)
    with _IMPLICIT_LOCK:
        limiter = _IMPLICIT.get(key)
        if limiter is None:
            limiter = RateLimiter._shared(url, param=param, account=None, rate=rate)
            if isinstance(limiter, SharedRateLimiter):
                limiter._origin = (url, param)
                if key[1] is not None:
                    limiter._bind(key[1])  # bound, not given: no second organizer on it
            _IMPLICIT[key] = limiter
        return limiter


def rebound(limiter: RateLimiter | None, account: str) -> RateLimiter | None:
    """The limiter a client of ``account`` derived from one using ``limiter`` gets: the same,
    unless it is the quota of another organizer made from a URL (``rate_limit`` URL,
    ``$GOTO_RATE_LIMIT_URL``), whose counterpart for ``account`` it then gets."""
    if not isinstance(limiter, SharedRateLimiter) or limiter._origin is None:
        return limiter
    if limiter.account == account:
        return limiter
    url, param = limiter._origin
    return _implicit(url, param, account, limiter.rate)


class RateLimiter:
    """At most ``rate`` requests per second on average, bursts of ``burst``; fair between the
    parties (clients) sharing it; adaptive after 429s (see the module docstring).

    The default burst of 1 spaces requests ``1/rate`` seconds apart (a request that wakes a few
    milliseconds late does not push the ones after it back: up to 10% of an interval is
    forgiven), which is what GoTo's documented limit ("10 requests per second") needs. A larger
    burst trades that spacing for latency.

    One limiter caps every client sharing it *together*: share one between the clients of one
    GoTo account, never between accounts (each has its own quota). For several processes or
    machines on one account, ``RateLimiter.shared(url)`` keeps the quota in a store.
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: float = 1.0,
        adaptive: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        check_rate(rate, "rate")
        if (
            isinstance(burst, bool)
            or not isinstance(burst, int | float)
            or not math.isfinite(burst)
            or not burst >= 1.0
        ):
            raise ValidationError("burst", f"expected a finite number >= 1, got {burst!r}")
        if not isinstance(adaptive, bool):
            raise ValidationError("adaptive", f"expected True or False, got {adaptive!r}")
        self.rate = float(rate)
        self.burst = float(burst)
        self.adaptive = adaptive
        self._clock = clock
        self._lock = threading.Lock()
        self._pace = Pace(self.rate, self.burst, adaptive, clock())
        self._queues: dict[Hashable, list[Ticket]] = {}  # waiting tickets per party, by tag
        self._served_tag = 0  # the tag of the last ticket served from the queue
        self._seq = 0

    def __repr__(self) -> str:
        adaptive = "" if self.adaptive else ", adaptive=False"
        return f"RateLimiter(rate={self.rate:g}, burst={self.burst:g}{adaptive})"

    @classmethod
    def shared(
        cls,
        url: str,
        *,
        account: str | int | None = None,
        rate: float = DEFAULT_RATE,
        burst: float = 1.0,
        adaptive: bool = True,
    ) -> RateLimiter:
        """A limiter whose pacing is shared by every process that names the same store and
        account: one GoTo account's quota for a fleet (see "Sharing one account's quota").

        ``url``: ``redis://[user:password@]host:6379/0`` (also ``rediss://``, ``unix://``,
        ``valkey://``; needs ``pip install 'gototraining[redis]'``) for processes on many
        machines; ``sqlite:///absolute/path`` for the processes of one machine (``sqlite://``:
        the default file beside the stored login); ``memory://`` for this process only (an
        ordinary ``RateLimiter``). ``account``: whose quota it is -- the organizer key of the
        clients using it, which is what it is bound to by the first client when not given
        (a client of another organizer is then refused); give it to share one quota between
        organizers deliberately. Every process must use the same ``rate``.

        The store is contacted once here: a bad URL is a ``ValidationError``, a store that
        cannot be used (unreachable, credentials refused, ...) a ``RateLimitStoreError`` --
        both before any API request. A store that fails later raises nothing: the process
        paces itself until it is back (a warning is logged).
        """
        return cls._shared(
            url, param="url", account=account, rate=rate, burst=burst, adaptive=adaptive
        )

    @classmethod
    def _shared(
        cls,
        url: str,
        *,
        param: str,
        account: object,
        rate: float,
        burst: float = 1.0,
        adaptive: bool = True,
    ) -> RateLimiter:
        from ._quota_store import open_store

        check_rate(rate, "rate")
        if account is not None:
            account = _check_account(account)
        store = open_store(url, param=param)
        if store is None:
            return RateLimiter(rate, burst=burst, adaptive=adaptive)
        return SharedRateLimiter(store, account=account, rate=rate, burst=burst, adaptive=adaptive)

    @property
    def current_rate(self) -> float:
        """The rate in force now (below ``rate`` for a while after a 429)."""
        with self._lock:
            return self._pace.rate_at(self._clock())

    @property
    def throttle_count(self) -> int:
        """429s reported with ``throttled()`` (useful in tests and metrics)."""
        return self._pace.throttle_count

    def throttled(self, ticket: Ticket | None = None, retry_after: float | None = None) -> None:
        """Report a 429: pause until ``retry_after`` seconds from now (if given) and, when
        adaptive, lower the rate -- unless ``ticket`` was granted before the last decrease (the
        429 answers a request sent at the old rate, which was already lowered for)."""
        jitter = random.random()  # clients told the same Retry-After must not all come back at once
        with self._lock:
            self._throttle_locked(ticket, retry_after, jitter)

    def _throttle_locked(
        self, ticket: Ticket | None, retry_after: float | None, jitter: float
    ) -> None:
        self._pace.throttle(
            self._clock(),
            epoch=None if ticket is None else ticket.epoch,
            queued=bool(self._queues),
            retry_after=retry_after,
            jitter=jitter,
        )

    # -- slots -------------------------------------------------------------------------------

    def acquire(self, party: Hashable = None) -> Ticket:
        """A ticket for one request of ``party`` (any hashable; the clients use themselves)."""
        with self._lock:
            self._seq += 1
            return Ticket(self, party, self._seq, self._clock())

    def reserve(self) -> float:
        """Take the next free slot at once and return how many seconds to wait before using it.

        Low-level and not fair (it goes ahead of every waiting ticket); the clients use
        ``acquire()``.
        """
        with self._lock:
            return self._pace.reserve(self._clock())

    def _grant(self, ticket: Ticket, at: float, interval: float) -> float:
        """Give ``ticket`` the slot at ``at`` (the request goes now)."""
        if ticket.queued:
            self._dequeue(ticket)
            self._served_tag = max(self._served_tag, ticket.tag)
        ticket.granted = True
        ticket.earliest = 0.0
        ticket.epoch = self._pace.grant(at, interval)
        return 0.0

    def _poll(self, ticket: Ticket) -> float:
        with self._lock:
            return self._poll_locked(ticket)

    def _enqueue(self, ticket: Ticket) -> None:
        queue = self._queues.setdefault(ticket.party, [])
        ticket.tag = max(self._served_tag, queue[-1].tag if queue else 0) + 1
        queue.append(ticket)
        ticket.queued = True

    def _poll_locked(self, ticket: Ticket) -> float:
        now = self._clock()
        ticket.waited = now - ticket.acquired_at
        if ticket.granted:
            return 0.0
        pace = self._pace
        pace.settle(now)
        start, interval = pace.slot_start(now)
        if not ticket.queued:
            if not self._queues and now >= start:  # nobody waiting, the slot is free
                return self._grant(ticket, now, interval)
            self._enqueue(ticket)
        rank = self._rank(ticket)
        ticket.earliest = pace.earliest(start, rank, now)
        if rank == 0:
            promise, ticket.promise = ticket.promise, None
            if promise is not None and ticket.promised_in == pace.throttle_count:
                return self._grant(ticket, max(promise, start), interval)  # slept until it
            if now >= start:
                return self._grant(ticket, now, interval)
            ticket.promise, ticket.promised_in = start, pace.throttle_count
            return start - now
        ticket.promise = None
        due = pace.turn(start, rank, now, NAP)
        if now >= due + STALL:  # the tickets ahead let their slots pass: take this one
            return self._grant(ticket, now, interval)
        # Sleep until the estimated turn and ask again (another party's ticket may have
        # been put ahead meanwhile, or tickets ahead given up); soon, if the turn is due but
        # a predecessor has not taken its slot yet.
        return min(max(due - now, min(interval / 4, 0.01)), NAP)

    def _rank(self, ticket: Ticket) -> int:
        """How many waiting tickets go before ``ticket``: those with a smaller tag (by age
        among equal tags)."""
        order = (ticket.tag, ticket.seq)
        return sum(bisect_left(queue, order, key=_order) for queue in self._queues.values())

    def _dequeue(self, ticket: Ticket) -> None:
        queue = self._queues[ticket.party]
        del queue[bisect_left(queue, (ticket.tag, ticket.seq), key=_order)]
        if not queue:
            del self._queues[ticket.party]
        ticket.queued = False

    def _cancel(self, ticket: Ticket) -> None:
        with self._lock:
            if ticket.queued:
                self._dequeue(ticket)


def _order(ticket: Ticket) -> tuple[int, int]:
    return ticket.tag, ticket.seq


# -- shared by processes ---------------------------------------------------------------------------

#: The first and the longest pause between two tries of a store that failed.
PROBE_FIRST, PROBE_LAST = 0.5, 5.0
#: A reservation claimed this much (of an interval) early is honoured: the sleeper woke a
#: little early.
_EARLY = 0.1
_GO, _RESERVED, _WAIT = "go", "reserved", "wait"
_ACCOUNT_MAX = 256


class _Held:
    """A slot booked in a shared store for one ticket: when (store time), the interval then,
    and the store's 429 count and decrease epoch when it was booked."""

    __slots__ = ("at", "count", "epoch", "interval")

    def __init__(self, at: float, interval: float, count: int, epoch: int) -> None:
        self.at = at
        self.interval = interval
        self.count = count
        self.epoch = epoch


def _check_account(account: object) -> str:
    if isinstance(account, bool) or not isinstance(account, str | int):
        raise ValidationError("account", f"expected a string or an integer, got {account!r}")
    text = str(account)
    if not text or len(text) > _ACCOUNT_MAX or not text.isprintable() or text != text.strip():
        raise ValidationError(
            "account", f"expected 1-{_ACCOUNT_MAX} printable characters, got {text[:40]!r}"
        )
    return text


def _state(pace: Pace, now: float) -> dict[str, Any]:
    """What a store keeps of ``pace`` (its configuration stays with each process)."""
    return {
        "seen": now,
        "tat": pace.tat,
        "pause_until": None if pace.pause_until == -math.inf else pace.pause_until,
        "epoch": pace.epoch,
        "throttled_rate": pace.throttled_rate,
        "throttled_at": pace.throttled_at,
        "recent": pace.recent,
        "throttle_count": pace.throttle_count,
    }


def _restore(pace: Pace, state: dict[str, Any] | None, now: float) -> bool:
    """Fill ``pace`` (fresh) from a stored ``state``; whether what is stored must be rewritten
    (nothing usable was there, or the store's clock went back and the times were moved with
    it). An unreadable state counts as none: a quota's state is worth seconds."""
    if state is None:
        return True
    try:
        seen = float(state["seen"])
        tat = float(state["tat"])
        pause = state["pause_until"]
        pause_until = -math.inf if pause is None else float(pause)
        epoch = int(state["epoch"])
        throttled_rate = float(state["throttled_rate"])
        at = state["throttled_at"]
        throttled_at = None if at is None else float(at)
        recent = [float(t) for t in state["recent"]][-_RECENT:]
        count = int(state["throttle_count"])
    except (KeyError, TypeError, ValueError):
        return True
    times = [seen, tat, throttled_rate, *recent]
    times += [] if pause is None else [pause_until]
    times += [] if throttled_at is None else [throttled_at]
    if not all(math.isfinite(t) for t in times) or throttled_rate <= 0:
        return True
    pace.tat, pace.pause_until, pace.epoch = tat, pause_until, epoch
    pace.throttled_rate, pace.throttled_at = throttled_rate, throttled_at
    pace.recent, pace.throttle_count = recent, count
    if now < seen:  # the store's clock was set back: keep the state's meaning
        pace.shift(now - seen)
        return True
    return False


class SharedRateLimiter(RateLimiter):
    """A ``RateLimiter`` whose pacing lives in a store shared by processes (made by
    ``RateLimiter.shared``, a ``rate_limit`` URL, or ``$GOTO_RATE_LIMIT_URL``).

    What is shared: the ``Pace`` -- the next free slot, the pause a ``Retry-After`` asked for,
    the last decrease and its recovery, the latest grants -- under the account's key. Every
    decision is the in-process limiter's, made by ``Pace``'s methods inside one store
    transaction with the store's clock. So a 429 seen by any process slows every process on
    the quota and recovers as one limiter would, and a ``Retry-After`` pauses them all.

    What stays in each process: the fair queue of its waiting tickets. The ticket at its head
    books the next free slot in the store (sleeping until it, then checking that no 429 has
    come meanwhile), so every busy process holds at most one booking at a time and slots go
    round the processes in the order they asked: *across processes*, busy processes get
    equal shares; *within* one, parties (clients) are served round-robin as in a
    ``RateLimiter``. Nothing is held that outlives a process: a process killed with a booking
    loses that one slot (an interval), never budget.

    When the store fails (unreachable, timing out), the limiter logs one warning and paces
    this process alone -- an adaptive limiter of its own, starting from the last state it
    saw -- and tries the store again in the background (every 0.5 s, then up to every 5 s);
    once it answers, it is shared again (logged too). Store operations are short blocking
    calls (a Redis round trip or two, an SQLite transaction: tenths of a millisecond on a
    local network); an async client makes them on its event loop.
    """

    def __init__(
        self,
        store: QuotaStore,
        *,
        account: str | None = None,
        rate: float = DEFAULT_RATE,
        burst: float = 1.0,
        adaptive: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(rate, burst=burst, adaptive=adaptive, clock=clock)
        self._store = store
        self._account = None if account is None else _check_account(account)
        self._explicit = account is not None
        #: The URL and where it came from, for a limiter made from a URL by a client.
        self._origin: tuple[str, str] | None = None
        self._sharing = True
        self._back = threading.Event()
        self._stop = threading.Event()
        self._probe: threading.Thread | None = None

    def __repr__(self) -> str:
        adaptive = "" if self.adaptive else ", adaptive=False"
        return (
            f"SharedRateLimiter({self._store.url!r}, account={self._account!r}, "
            f"rate={self.rate:g}, burst={self.burst:g}{adaptive})"
        )

    @property
    def url(self) -> str:
        """The store's URL, any password hidden."""
        return self._store.url

    @property
    def account(self) -> str | None:
        """Whose quota this is (``None``: not bound yet; the first client binds it)."""
        return self._account

    @property
    def sharing(self) -> bool:
        """Whether decisions go through the store now (``False`` while it is unavailable)."""
        with self._lock:
            return self._resume()

    @property
    def current_rate(self) -> float:
        with self._lock:
            pace = self._read()
            if pace is not None:
                return pace.rate_at(self._clock())
            return self._pace.rate_at(self._clock())

    @property
    def throttle_count(self) -> int:
        with self._lock:
            pace = self._read()
            return (pace if pace is not None else self._pace).throttle_count

    def close(self) -> None:
        """Stop trying a failed store, and let the store's connection go."""
        self._stop.set()
        self._store.close()

    # -- binding --------------------------------------------------------------------------------

    def _bind(self, organizer_key: str) -> None:
        """A client of ``organizer_key`` uses this limiter: bind it, or refuse a second
        organizer when the account was not given explicitly."""
        with self._lock:
            if self._account is None:
                self._account = _check_account(organizer_key)
            elif not self._explicit and self._account != organizer_key:
                raise ValidationError(
                    "rate_limit",
                    f"this shared RateLimiter keeps the quota of organizer {self._account}; a "
                    f"client of organizer {organizer_key} has a quota of its own (give it its "
                    "own limiter, or RateLimiter.shared(url, account=...) to share one quota "
                    "between organizers on purpose)",
                )

    @property
    def _key(self) -> str:
        from ._quota_store import KEY_PREFIX

        if self._account is None:
            raise ValidationError(
                "account",
                "this shared RateLimiter is bound to no account yet: give it to a client, or "
                "make it with RateLimiter.shared(url, account=...)",
            )
        return KEY_PREFIX + self._account

    # -- the store, and when it fails -------------------------------------------------------------

    def _resume(self) -> bool:
        """Whether to use the store now (the lock is held): sharing, or the store is back."""
        if self._sharing:
            return True
        if not self._back.is_set():
            return False
        self._back.clear()
        self._sharing = True
        self._forget_turns()
        logger.warning("shared quota %s is back: pacing with the other processes again", self.url)
        return True

    def _fall_back(self, error: Exception) -> None:
        """The store failed (the lock is held): pace this process alone until it is back."""
        if not self._sharing:
            return
        self._sharing = False
        self._forget_turns()
        logger.warning(
            "shared quota %s (account %s) cannot be used (%s): this process paces itself "
            "until it is back",
            self.url,
            self._account,
            error,
        )
        if self._probe is None or not self._probe.is_alive():
            self._probe = threading.Thread(
                target=self._watch, name="gototraining-quota-probe", daemon=True
            )
            self._probe.start()

    def _forget_turns(self) -> None:
        for queue in self._queues.values():
            for ticket in queue:
                ticket.held = None
                ticket.promise = None

    def _watch(self) -> None:
        """Try the failed store now and then (a thread of its own: never on a caller's time)."""
        from ._quota_store import StoreUnavailable

        pause = PROBE_FIRST
        while not self._stop.wait(pause):
            try:
                self._store.ping()
            except StoreUnavailable:
                pause = min(pause * 2, PROBE_LAST)
                continue
            self._back.set()
            return

    def _mirror(self, pace: Pace, store_now: float) -> None:
        """Keep what the store said, on this process's clock: the estimates of the tickets
        behind the head, and the local limiter's start should the store fail."""
        pace.shift(self._clock() - store_now)
        self._pace = pace

    def _fresh(self, state: dict[str, Any] | None, now: float) -> tuple[Pace, bool]:
        pace = Pace(self.rate, self.burst, self.adaptive, now)
        return pace, _restore(pace, state, now)

    def _read(self) -> Pace | None:
        """The store's pace, on this process's clock (``None``: not sharing now)."""
        from ._quota_store import StoreUnavailable

        if not self._resume():
            return None
        try:
            state, now = self._store.read(self._key)
        except StoreUnavailable as exc:
            self._fall_back(exc)
            return None
        pace, _ = self._fresh(state, now)
        pace.settle(now)
        self._mirror(pace, now)
        return pace.copy()

    # -- decisions (run inside a store transaction; see _quota_store) ----------------------------

    def _take(
        self, state: dict[str, Any] | None, now: float, held: _Held | None
    ) -> tuple[tuple[str, float, Any, Pace, float], dict[str, Any] | None]:
        """The head of this process's queue asks for its slot: go now, a booked slot to sleep
        until, or (in a long pause) a wait without booking."""
        pace, dirty = self._fresh(state, now)
        pace.settle(now)
        if held is not None:
            if held.count == pace.throttle_count:  # no 429 since it was booked: it stands
                wait = held.at - now
                write = _state(pace, now) if dirty else None
                if wait > _EARLY * held.interval:
                    return (_RESERVED, wait, held, pace, now), write
                return (_GO, 0.0, held.epoch, pace, now), write
            pace.release(held.at, held.interval)  # void: booked before a 429; ask afresh
            dirty = True
        start, interval = pace.slot_start(now)
        if start <= now:
            epoch = pace.grant(now, interval)
            return (_GO, 0.0, epoch, pace, now), _state(pace, now)
        if start - now > NAP and start <= pace.pause_until:  # a long pause: book nothing yet
            return (_WAIT, start - now, None, pace, now), _state(pace, now) if dirty else None
        # The interval in force at the slot (the rate may be recovering meanwhile): what the
        # in-process limiter uses for a request that sleeps until its slot.
        interval = 1.0 / pace.rate_at(start)
        epoch = pace.grant(start, interval)
        booked = _Held(start, interval, pace.throttle_count, epoch)
        return (_RESERVED, start - now, booked, pace, now), _state(pace, now)

    def _given_back(
        self, state: dict[str, Any] | None, now: float, held: _Held
    ) -> tuple[tuple[Pace, float], dict[str, Any] | None]:
        pace, _ = self._fresh(state, now)
        pace.release(held.at, held.interval)
        return (pace, now), _state(pace, now)

    # -- the limiter's operations ------------------------------------------------------------------

    def _poll(self, ticket: Ticket) -> float:
        from ._quota_store import StoreUnavailable

        with self._lock:
            if self._resume():
                try:
                    return self._poll_shared(ticket)
                except StoreUnavailable as exc:
                    self._fall_back(exc)
            return self._poll_locked(ticket)

    def _poll_shared(self, ticket: Ticket) -> float:
        now = self._clock()
        ticket.waited = now - ticket.acquired_at
        if ticket.granted:
            return 0.0
        if not ticket.queued:
            self._enqueue(ticket)
        rank = self._rank(ticket)
        if rank > 0 and not (rank == 1 and self._head_stalled(now)):
            # Behind the head: an estimate from what the store said last (other processes
            # take slots too, so the turn comes later, never sooner); asked again then.
            pace = self._pace
            start, interval = pace.slot_start(now)
            ticket.earliest = pace.earliest(start, rank - 1, now)
            due = pace.turn(start, rank - 1, now, NAP)
            pause = min(max(due - now, interval), NAP)
            ticket.promise, ticket.promised_in = now + pause, -1
            return pause
        held = ticket.held
        kind, wait, detail, pace, store_now = self._store.transact(
            self._key, lambda state, t: self._take(state, t, held)
        )
        self._mirror(pace, store_now)
        if kind == _GO:
            ticket.held = None
            if ticket.queued:
                self._dequeue(ticket)
                self._served_tag = max(self._served_tag, ticket.tag)
            ticket.granted = True
            ticket.earliest = 0.0
            ticket.epoch = detail
            ticket.promise = None
            return 0.0
        ticket.held = detail if kind == _RESERVED else None
        ticket.earliest = wait
        pause = wait if kind == _RESERVED else min(wait, NAP)
        ticket.promise, ticket.promised_in = now + pause, -1
        return pause

    def _head_stalled(self, now: float) -> bool:
        """Whether the head of the queue is overdue: it has not asked again ``STALL`` seconds
        after it said it would (its thread or event loop is stuck): the next ticket goes."""
        head = min((queue[0] for queue in self._queues.values()), key=_order, default=None)
        return head is not None and head.promise is not None and now >= head.promise + STALL

    def _cancel(self, ticket: Ticket) -> None:
        from ._quota_store import StoreUnavailable

        with self._lock:
            if ticket.queued:
                self._dequeue(ticket)
            held, ticket.held = ticket.held, None
            if held is None or ticket.granted or not self._sharing:
                return
            try:  # a booked slot nobody will use: given back if nobody booked after it
                pace, store_now = self._store.transact(
                    self._key, lambda state, t: self._given_back(state, t, held)
                )
            except StoreUnavailable as exc:
                self._fall_back(exc)
                return
            self._mirror(pace, store_now)

    def throttled(self, ticket: Ticket | None = None, retry_after: float | None = None) -> None:
        from ._quota_store import StoreUnavailable

        jitter = random.random()
        epoch = None if ticket is None else ticket.epoch
        with self._lock:
            if self._resume():
                queued = bool(self._queues)

                def decide(
                    state: dict[str, Any] | None, now: float
                ) -> tuple[tuple[Pace, float], dict[str, Any]]:
                    pace, _ = self._fresh(state, now)
                    pace.throttle(
                        now,
                        epoch=epoch,
                        queued=queued or pace.booked(now),
                        retry_after=retry_after,
                        jitter=jitter,
                    )
                    return (pace, now), _state(pace, now)

                try:
                    pace, store_now = self._store.transact(self._key, decide)
                except StoreUnavailable as exc:
                    self._fall_back(exc)
                else:
                    self._mirror(pace, store_now)
                    return
            self._throttle_locked(ticket, retry_after, jitter)

    def reserve(self) -> float:
        from ._quota_store import StoreUnavailable

        with self._lock:
            if self._resume():

                def decide(
                    state: dict[str, Any] | None, now: float
                ) -> tuple[tuple[float, Pace, float], dict[str, Any]]:
                    pace, _ = self._fresh(state, now)
                    return (pace.reserve(now), pace, now), _state(pace, now)

                try:
                    wait, pace, store_now = self._store.transact(self._key, decide)
                except StoreUnavailable as exc:
                    self._fall_back(exc)
                else:
                    self._mirror(pace, store_now)
                    return wait
            return self._pace.reserve(self._clock())
