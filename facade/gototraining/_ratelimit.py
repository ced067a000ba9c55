"""A client-side rate limiter usable from threads and asyncio tasks alike.

The bookkeeping (which slot does this request get?) happens under a ``threading.Lock`` and
returns how long the caller must wait; the caller then sleeps with ``time.sleep`` or
``asyncio.sleep``. The lock is never held while sleeping, so one limiter can be shared by a
``GoToTraining`` and an ``AsyncGoToTraining`` and by any number of threads or tasks.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from ._errors import ValidationError

__all__ = ["RateLimiter"]


class RateLimiter:
    """Token bucket: at most ``rate`` requests per second on average, bursts of ``burst``.

    The default burst of 1 spaces requests ``1/rate`` seconds apart, so no one-second window
    ever holds more than ``rate`` requests; that is what GoTo's documented limit
    ("10 requests per second") needs. A larger burst trades that guarantee for latency.
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        for name, value, low in (("rate", rate, 0.0), ("burst", burst, 1.0)):
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or not (value > low if name == "rate" else value >= low)
            ):
                want = "> 0 requests/second" if name == "rate" else ">= 1"
                raise ValidationError(name, f"expected a finite number {want}, got {value!r}")
        self.rate = float(rate)
        self.burst = float(burst)
        self._clock = clock
        self._lock = threading.Lock()
        self._interval = 1.0 / self.rate
        # "Theoretical arrival time" (GCRA): when the bucket would be full again.
        self._tat = clock()

    def __repr__(self) -> str:
        return f"RateLimiter(rate={self.rate:g}, burst={self.burst:g})"

    def reserve(self) -> float:
        """Take one slot and return how many seconds to wait before using it (0 if none)."""
        with self._lock:
            now = self._clock()
            tat = max(self._tat, now)
            # The request may go at tat - (burst - 1) * interval; it uses one interval.
            allowed_at = tat - (self.burst - 1.0) * self._interval
            self._tat = tat + self._interval
            return max(0.0, allowed_at - now)
