"""The sandbox's moving parts bundled for the app: state, faults, auth, limiter, logs."""

from __future__ import annotations

import difflib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from .auth import Auth
from .faults import FaultSet
from .spec import Spec
from .store import Store


class RequestRecord(NamedTuple):
    """One API request as the sandbox answered it (status 0: connection reset).

    ``received_at`` is ``time.monotonic()`` when the request arrived (before any injected
    latency): the server's view of the request rate, e.g. ``(len(records) - 1) /
    (records[-1].received_at - records[0].received_at)`` requests per second.
    """

    method: str
    path: str
    status: int
    received_at: float


def unknown_operation(operation_id: str, known: Iterable[str]) -> str:
    """The message for an operation id the spec does not have, naming the closest ones."""
    close = difflib.get_close_matches(operation_id, list(known), n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
    return f"unknown operation {operation_id!r}{hint}"


class RateLimiter:
    """Token bucket: ``rate`` requests per second, bursts of up to ``max(1, rate)``.

    ``clock`` (default ``time.monotonic``) can be replaced by a test's virtual clock, so that
    which requests are refused depends on the requests, not on the machine's speed.
    """

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate_limit must be > 0")
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._clock = clock
        self._tokens = self.capacity
        self._stamp = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token; return 0 if allowed, else the seconds until one is available."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return 0.0
            return (1.0 - self._tokens) / self.rate

    def reset(self) -> None:
        """Refill the bucket."""
        with self._lock:
            self._tokens = self.capacity
            self._stamp = self._clock()


@dataclass
class Core:
    """Everything the ASGI app needs; owned by ``Sandbox``."""

    spec: Spec
    store: Store
    faults: FaultSet
    auth: Auth
    validate: bool = True
    limiter: RateLimiter | None = None
    requests: list[RequestRecord] = field(default_factory=list)
    operation_counts: Counter[str] = field(default_factory=Counter)
    violations: list[str] = field(default_factory=list)
    log_lock: threading.Lock = field(default_factory=threading.Lock)

    def record(
        self, method: str, path: str, status: int, operation_id: str, received_at: float
    ) -> None:
        """Log one API request (``received_at``: ``time.monotonic()`` when it arrived)."""
        with self.log_lock:
            self.requests.append(RequestRecord(method, path, status, received_at))
            self.operation_counts[operation_id] += 1

    def violation(self, message: str) -> None:
        """Remember a spec violation (the pytest fixture fails the test on any)."""
        with self.log_lock:
            self.violations.append(message)

    def clear_logs(self) -> None:
        """Forget requests and violations."""
        with self.log_lock:
            self.requests.clear()
            self.operation_counts.clear()
            self.violations.clear()
