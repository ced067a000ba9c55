"""A client-side rate limiter: usable from threads and asyncio tasks alike, fair between the
clients that share it, and adaptive (a 429 lowers its rate, which then recovers).

Sans-IO: ``acquire(party)`` returns a ``Ticket``; ``ticket.wait()`` returns how many seconds
to sleep before calling it again, ``0.0`` once the request may go. The caller sleeps
(``time.sleep`` or ``asyncio.sleep``); the lock is held only for the bookkeeping, never while
sleeping, so one limiter can be shared by ``GoToTraining`` and ``AsyncGoToTraining`` clients in
any number of threads and event loops.

**Fairness.** Waiting tickets are served round-robin between *parties* (each client is one
party), first come first served within a party. Only the head of the queue is promised a slot
(the next one); the others sleep until their estimated turn and ask again, so a newer ticket of
a party with fewer waiting can be put ahead of them meanwhile. A sync client in one thread
sharing the limiter with 32 async workers of another client thus gets every other slot, not
one in 33.

**Adaptivity** (``adaptive=True``, the default). After a 429 (``throttled()``) the rate drops to
70% of what was being sent and then grows back along a cubic curve (TCP CUBIC, as botocore's
adaptive retry mode does): quickly to about the rate that was throttled, slowly past it, faster
again later, up to the configured ``rate``. A ``Retry-After`` pauses every waiting request of the
limiter until it has passed. Several processes on one account (each with its own limiter) thus
settle at about their share instead of each retrying at the full rate.
"""

from __future__ import annotations

import math
import threading
import time
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Hashable

from ._errors import ValidationError

__all__ = ["RateLimiter", "Ticket"]

#: The lowest configurable rate (one request per 1,000 s); lower rates overflow sleeps.
MIN_RATE = 0.001
#: The adaptive rate never drops below ``rate * MIN_FRACTION``.
MIN_FRACTION = 1 / 64
#: After a 429 the rate is ``BETA`` x the rate that was throttled (CUBIC's beta).
BETA = 0.7
#: CUBIC's scale, relative to the throttled rate: W(t) = W_max * (1 + SCALE * (t - K)**3).
#: 0.004 gives K = 4.2 s back to W_max, +10% 2.9 s later.
SCALE = 0.004
_K: float = ((1 - BETA) / SCALE) ** (1 / 3)
#: A ticket whose predecessors have not taken their slots this long after its own estimated
#: turn takes the slot itself (a predecessor whose thread or event loop is stuck must not stall
#: everybody behind it).
STALL = 0.1
#: How many recent grants estimate the rate actually sent (for the decrease after a 429).
_RECENT = 10


class Ticket:
    """One request's place in a ``RateLimiter``: ``wait()`` until it returns ``0.0``.

    A ticket that will not be used any more must be ``cancel()``-ed (the transport does this in
    a ``finally``), or it blocks its party's later tickets for ``STALL`` seconds.
    """

    __slots__ = ("epoch", "granted", "limiter", "party", "queued", "seq")

    def __init__(self, limiter: RateLimiter, party: Hashable, seq: int) -> None:
        self.limiter = limiter
        self.party = party
        self.seq = seq
        self.granted = False  # given a slot (the caller may still be sleeping until it)
        self.queued = False
        #: The limiter's decrease epoch when the slot was granted (a 429 answering a request
        #: sent before the last decrease does not decrease the rate again).
        self.epoch = -1

    def wait(self) -> float:
        """Seconds to sleep before calling ``wait()`` again; ``0.0``: send the request now.

        Once the ticket has been given a slot, the next call returns ``0.0`` (whatever the
        clock says: the sleep was until that slot).
        """
        return self.limiter._poll(self)

    def cancel(self) -> None:
        """Give up the place (no-op once granted)."""
        self.limiter._cancel(self)

    def __repr__(self) -> str:
        state = "granted" if self.granted else ("waiting" if self.queued else "new")
        return f"<Ticket {self.seq} {state}>"


class RateLimiter:
    """At most ``rate`` requests per second on average, bursts of ``burst``; fair between the
    parties (clients) sharing it; adaptive after 429s (see the module docstring).

    The default burst of 1 spaces requests ``1/rate`` seconds apart (a request that wakes a few
    milliseconds late does not push the ones after it back: up to 10% of an interval is
    forgiven), which is what GoTo's documented limit ("10 requests per second") needs. A larger
    burst trades that spacing for latency.
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: float = 1.0,
        adaptive: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        for name, value, low in (("rate", rate, MIN_RATE), ("burst", burst, 1.0)):
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or not value >= low
            ):
                want = f">= {low:g} requests/second" if name == "rate" else ">= 1"
                raise ValidationError(name, f"expected a finite number {want}, got {value!r}")
        if not isinstance(adaptive, bool):
            raise ValidationError("adaptive", f"expected True or False, got {adaptive!r}")
        self.rate = float(rate)
        self.burst = float(burst)
        self.adaptive = adaptive
        self._clock = clock
        self._lock = threading.Lock()
        # GCRA "theoretical arrival time": when the bucket would be full again.
        self._tat = clock()
        self._pause_until = -math.inf
        self._queues: dict[Hashable, list[Ticket]] = {}  # waiting tickets per party, by seq
        self._seq = 0
        # adaptive state: the rate that was throttled (CUBIC's W_max) and when
        self._epoch = 0
        self._throttled_rate = self.rate
        self._throttled_at: float | None = None
        self._recent: deque[float] = deque(maxlen=_RECENT)  # times of the latest grants
        #: 429s reported with ``throttled()`` (useful in tests and metrics).
        self.throttle_count = 0

    def __repr__(self) -> str:
        adaptive = "" if self.adaptive else ", adaptive=False"
        return f"RateLimiter(rate={self.rate:g}, burst={self.burst:g}{adaptive})"

    # -- the rate ------------------------------------------------------------------------------

    @property
    def current_rate(self) -> float:
        """The rate in force now (below ``rate`` for a while after a 429)."""
        with self._lock:
            return self._rate_at(self._clock())

    def _rate_at(self, now: float) -> float:
        if self._throttled_at is None:
            return self.rate
        elapsed = now - self._throttled_at
        rate = self._throttled_rate * (1.0 + SCALE * (elapsed - _K) ** 3)
        if rate >= self.rate:
            self._throttled_at = None  # recovered
            return self.rate
        return max(rate, self.rate * MIN_FRACTION, MIN_RATE)

    def _sent_rate(self) -> float | None:
        """Requests per second over the latest grants (``None`` if too few)."""
        recent = self._recent
        if len(recent) < 3:
            return None
        span = recent[-1] - recent[0]
        return (len(recent) - 1) / span if span > 0 else None

    def throttled(self, ticket: Ticket | None = None, retry_after: float | None = None) -> None:
        """Report a 429: pause until ``retry_after`` seconds from now (if given) and, when
        adaptive, lower the rate -- unless ``ticket`` was granted before the last decrease (the
        429 answers a request sent at the old rate, which was already lowered for)."""
        with self._lock:
            now = self._clock()
            self.throttle_count += 1
            if retry_after is not None and retry_after > 0:
                self._pause_until = max(self._pause_until, now + retry_after)
            if not self.adaptive or (ticket is not None and ticket.epoch != self._epoch):
                return
            rate = self._rate_at(now)
            sent = self._sent_rate()
            if sent is not None:  # limited by latency, not by us: what was sent got the 429
                rate = min(rate, sent)
            self._throttled_rate = max(rate, self.rate * MIN_FRACTION, MIN_RATE)
            self._throttled_at = now
            self._epoch += 1
            self._recent.clear()

    # -- slots -------------------------------------------------------------------------------

    def acquire(self, party: Hashable = None) -> Ticket:
        """A ticket for one request of ``party`` (any hashable; the clients use themselves)."""
        with self._lock:
            self._seq += 1
            return Ticket(self, party, self._seq)

    def reserve(self) -> float:
        """Take the next free slot at once and return how many seconds to wait before using it.

        Low-level and not fair (it goes ahead of every waiting ticket); the clients use
        ``acquire()``.
        """
        with self._lock:
            now = self._clock()
            interval = 1.0 / self._rate_at(now)
            tat = max(self._tat, now)
            allowed_at = max(tat - (self.burst - 1.0) * interval, self._pause_until)
            self._tat = max(tat, allowed_at) + interval
            return max(0.0, allowed_at - now)

    def _grant(self, ticket: Ticket, at: float, now: float, interval: float) -> float:
        """Give ``ticket`` the slot at ``at`` (>= ``now``); return how long to sleep until then."""
        # A slot taken late by up to 10% of an interval (a sleeper woken a little late) keeps
        # the schedule, so such delays do not add up; later than that (the limiter was idle),
        # the schedule restarts from then.
        tat = self._tat
        self._tat = (tat if tat <= at <= tat + 0.1 * interval else max(tat, at)) + interval
        ticket.granted = True
        ticket.epoch = self._epoch
        self._recent.append(at)
        return at - now

    def _poll(self, ticket: Ticket) -> float:
        with self._lock:
            if ticket.granted:
                return 0.0
            now = self._clock()
            interval = 1.0 / self._rate_at(now)
            start = max(self._tat - (self.burst - 1.0) * interval, self._pause_until)
            if not ticket.queued:
                if not self._queues:  # nobody waiting: the next slot is this ticket's
                    return self._grant(ticket, max(start, now), now, interval)
                self._queues.setdefault(ticket.party, []).append(ticket)
                ticket.queued = True
            rank = self._rank(ticket)
            due = start + rank * interval
            # The head of the queue is promised the next slot (it sleeps until then and goes,
            # without asking again); a ticket whose predecessors let their slots pass by
            # ``STALL`` takes the slot itself.
            if rank == 0 or now >= due + STALL:
                self._dequeue(ticket)
                return self._grant(ticket, max(start, now), now, interval)
            # Not the head: sleep until the estimated turn and ask again (another party's
            # ticket may have been put ahead meanwhile); soon, if the turn is already due.
            return max(due - now, min(interval / 4, 0.01))

    def _rank(self, ticket: Ticket) -> int:
        """How many waiting tickets go before ``ticket``: round-robin between parties (the
        i-th waiting ticket of every party before the (i+1)-th of any), by age within a
        round."""
        own = self._queues[ticket.party]
        index = bisect_left(own, ticket.seq, key=_seq)
        rank = index
        for queue in self._queues.values():
            if queue is own:
                continue
            size = len(queue)
            rank += min(size, index)
            if size > index and queue[index].seq < ticket.seq:
                rank += 1
        return rank

    def _dequeue(self, ticket: Ticket) -> None:
        queue = self._queues[ticket.party]
        del queue[bisect_left(queue, ticket.seq, key=_seq)]
        if not queue:
            del self._queues[ticket.party]
        ticket.queued = False

    def _cancel(self, ticket: Ticket) -> None:
        with self._lock:
            if ticket.queued:
                self._dequeue(ticket)


def _seq(ticket: Ticket) -> int:
    return ticket.seq
