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
process's waiting tickets; a store shared by processes can keep the same fields and run the
same methods on them in one transaction.
"""

from __future__ import annotations

import math
import random
import threading
import time
from bisect import bisect_left
from collections.abc import Callable, Hashable

from ._errors import ValidationError

__all__ = ["Pace", "RateLimiter", "Ticket", "check_rate", "limiter_for"]

#: The lowest configurable rate (one request per 1,000 s); lower rates overflow sleeps.
MIN_RATE = 0.001
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
        if self.adaptive and (epoch is None or epoch == self.epoch):
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


def limiter_for(rate_limit: object) -> RateLimiter | None:
    """A client's ``rate_limit`` as a limiter: ``None`` (no limit), a ``RateLimiter`` (shared
    as it is), or requests/second (a new limiter)."""
    if rate_limit is None or isinstance(rate_limit, RateLimiter):
        return rate_limit
    if isinstance(rate_limit, bool) or not isinstance(rate_limit, int | float):
        raise ValidationError(
            "rate_limit",
            f"expected requests/second, a RateLimiter, or None, got {type(rate_limit).__name__}",
        )
    return RateLimiter(check_rate(rate_limit, "rate_limit"))


class RateLimiter:
    """At most ``rate`` requests per second on average, bursts of ``burst``; fair between the
    parties (clients) sharing it; adaptive after 429s (see the module docstring).

    The default burst of 1 spaces requests ``1/rate`` seconds apart (a request that wakes a few
    milliseconds late does not push the ones after it back: up to 10% of an interval is
    forgiven), which is what GoTo's documented limit ("10 requests per second") needs. A larger
    burst trades that spacing for latency.

    One limiter caps every client sharing it *together*: share one between the clients of one
    GoTo account, never between accounts (each has its own quota).
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
                queue = self._queues.setdefault(ticket.party, [])
                ticket.tag = max(self._served_tag, queue[-1].tag if queue else 0) + 1
                queue.append(ticket)
                ticket.queued = True
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
