"""The attempt in progress: its deadline, and whether a token request is being sent for it.

A call's ``timeout`` is a deadline for each *attempt*: from asking for a connection to the last
byte of the body, token refresh included. httpx's timeouts are per socket operation (each byte
that arrives restarts the read timeout), so the drivers in ``_transport`` start an ``Attempt``
(a context variable: per thread, per asyncio task) and everything that waits during it clips
its own timeout to what is left:

- ``DeadlineBackend`` / ``AsyncDeadlineBackend`` (``_deadline``, imported when the SDK makes an
  HTTP client: httpcore costs ~18 ms of ``import gototraining`` otherwise) are the network
  backend under the transports of ``DefaultHttpxClient`` / ``DefaultAsyncHttpxClient`` (the
  clients the SDK makes, or the user passes): every connect, TLS handshake, read and write
  gets at most the time left, so a server trickling the headers or the body one byte at a
  time is cut off at the deadline (``httpcore.ReadTimeout`` etc., mapped to httpx's).
- ``OAuth2`` gives its token requests the clipped timeouts and waits for a concurrent refresh
  no longer than the deadline.
- With any other ``httpx`` client the sync driver checks the deadline between body chunks
  and the async driver runs the attempt under ``asyncio.timeout`` (see docs/reliability.md for
  what that bounds).
"""

from __future__ import annotations

import time
import typing
from contextvars import ContextVar

import httpx

__all__ = [
    "Attempt",
    "budget",
    "current",
    "left",
]

_PHASES = ("connect", "read", "write", "pool")

#: The clock deadlines are measured with (replaceable in tests, e.g. by a virtual clock).
clock: typing.Callable[[], float] = time.monotonic


class Attempt:
    """One attempt's deadline (``time.monotonic()`` seconds, ``None``: unbounded) and the
    token request being sent on its behalf, if any (set by ``OAuth2``)."""

    __slots__ = ("budget", "deadline", "token_request")

    def __init__(self, budget: float | None) -> None:
        self.budget = budget
        self.deadline = None if budget is None else clock() + budget
        self.token_request: httpx.Request | None = None

    def remaining(self) -> float | None:
        """Seconds left (may be negative), or ``None`` without a deadline."""
        return None if self.deadline is None else self.deadline - clock()

    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return self.deadline is not None and clock() >= self.deadline

    def clip(self, timeouts: dict[str, float | None] | None) -> dict[str, float | None]:
        """httpx timeouts (``request.extensions["timeout"]``) cut to what is left."""
        left = self.remaining()
        base = timeouts or {}
        if left is None:
            return dict(base)
        left = max(left, 0.001)  # 0 would make httpcore's sockets non-blocking, not time out
        clipped: dict[str, float | None] = {}
        for phase in _PHASES:
            value = base.get(phase)
            clipped[phase] = left if value is None else min(value, left)
        return clipped


_current: ContextVar[Attempt | None] = ContextVar("gototraining_attempt", default=None)


def current() -> Attempt | None:
    """The attempt this thread or task is making, if any."""
    return _current.get()


def start(budget: float | None) -> tuple[Attempt, object]:
    """Begin an attempt; pass the second value to :func:`finish`."""
    attempt = Attempt(budget)
    return attempt, _current.set(attempt)


def finish(token: object) -> None:
    """End the attempt begun by :func:`start`."""
    _current.reset(token)  # type: ignore[arg-type]


def budget(timeouts: dict[str, float | None] | None) -> float | None:
    """The attempt's deadline for httpx timeouts: the largest of connect/read/write/pool, or
    ``None`` (no deadline) if any of them is ``None`` (that phase may take forever)."""
    if not timeouts:
        return None
    values = [timeouts.get(phase) for phase in _PHASES]
    if any(value is None for value in values):
        return None
    return max(typing.cast(list[float], values))


_EXPIRED = "the call's timeout ran out"


def left(timeout: float | None, error: type[Exception]) -> float | None:
    """``timeout`` cut to what is left of the attempt's deadline; ``error`` if nothing is."""
    attempt = _current.get()
    if attempt is None or attempt.deadline is None:
        return timeout
    remaining = attempt.deadline - clock()
    if remaining <= 0:
        raise error(_EXPIRED)
    return remaining if timeout is None else min(timeout, remaining)
