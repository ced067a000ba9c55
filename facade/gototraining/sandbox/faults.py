"""Fault injection: latency, status sequences, 429 + Retry-After, resets, broken bodies, and
requests held until the test releases them.

A fault matches one operation (by operationId) or every API operation (``None``). For
each matching request the fault first rolls its own ``random.Random`` (seeded from the
sandbox seed and the fault's position since the last ``clear()``, so a test gets the
same rolls whatever ran before it), then is consumed once. ``statuses`` is played in
order (and again from the start); once a fault's ``times`` is used up it stops matching and
requests are served normally. ``times`` left out means *once per status* when ``statuses``
are given (``statuses=[429]``: one 429), else every matching request; ``times="unlimited"``
says "every matching request" explicitly, statuses or not.

Two modes decide whether the faulted request changes state:

* default (``apply=False``, a.k.a. ``before=True``): the fault replaces the handling,
  nothing is applied - like a gateway failing before the service saw the request;
* ``apply=True``: the request is handled and applied first, then its response is
  replaced by the fault (or the connection reset) - like a response lost on the way back.

``drift=...`` (kinds of drift, see ``drift.DriftConfig``) serves the request normally and makes
its answer stray from the spec in those ways.

``after=N`` lets the first ``N`` matching requests through untouched. ``hold=True`` stops each
matching request, once its body has been received, until [`Fault.release`][gototraining.sandbox.Fault.release]: a test can
let exactly ten registrations through, see the next ones arrive ([`Fault.wait_held`][gototraining.sandbox.Fault.wait_held]),
interrupt the client, release them and wait until the sandbox has finished them
([`Fault.wait_idle`][gototraining.sandbox.Fault.wait_idle]) -- every step gated on an event, none on a sleep. A held request that
is released is then served as the fault's other settings say (normally, if none), whether
or not its client is still there. ``FaultSet.clear()`` releases every held request;
``Sandbox.reset()`` (and so the pytest fixture, between tests) *drops* them instead
(``FaultSet.drop_all``): they fail like a lost connection and are never applied, so nothing
of one test reaches the fresh state of the next.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

#: ``FaultSet.add(..., times=UNLIMITED)``: every matching request.
UNLIMITED = "unlimited"

from .drift import DriftConfig


class Gate:
    """Holds requests (in the sandbox's event loop) until released from any thread."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._released = False
        self._dropped = False
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        #: Requests waiting at the gate now.
        self.held = 0
        #: Requests that reached the gate and are not finished yet (held or being served).
        self.active = 0

    @property
    def released(self) -> bool:
        """Whether [`release`][gototraining.sandbox.Fault.release] was called (requests pass straight through then)."""
        return self._released

    async def enter(self) -> bool:
        """Wait here until released (at once after ``release``): ``True``; ``False`` if the
        request was dropped (``drop``) instead."""
        loop = asyncio.get_running_loop()
        with self._cond:
            self.active += 1
            if self._dropped:
                return False
            if self._released:
                return True
            future: asyncio.Future[None] = loop.create_future()
            self._waiters.append((loop, future))
            self.held += 1
            self._cond.notify_all()
        try:
            await future
        finally:
            with self._cond:
                self.held -= 1
                self._cond.notify_all()
        return not self._dropped

    def leave(self) -> None:
        """A request that entered is finished (answered, reset or cancelled)."""
        with self._cond:
            self.active -= 1
            self._cond.notify_all()

    def release(self) -> None:
        """Let every held request (and every later one) through."""
        self._open(drop=False)

    def drop(self) -> None:
        """Fail every held request (and every later one) like a lost connection, unapplied."""
        self._open(drop=True)

    def _open(self, *, drop: bool) -> None:
        with self._cond:
            if not self._released:
                self._dropped = drop
            self._released = True
            waiters, self._waiters = self._waiters, []
        for loop, future in waiters:
            try:
                loop.call_soon_threadsafe(_resolve, future)
            except RuntimeError:  # the server's loop is gone: nothing left to wake
                pass

    def wait_held(self, count: int, timeout: float | None = None) -> bool:
        """Block until ``count`` requests are held; ``False`` if ``timeout`` passed first."""
        with self._cond:
            return self._cond.wait_for(lambda: self.held >= count, timeout)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every request that reached the gate is finished (its answer logged in
        ``Sandbox.requests``); ``False`` if ``timeout`` passed first."""
        with self._cond:
            return self._cond.wait_for(lambda: self.active == 0, timeout)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


@dataclass
class Fault:
    """One configured fault; returned by [`FaultSet.add`][gototraining.sandbox.FaultSet.add] as a handle."""

    id: int
    operation: str | None
    statuses: list[int]
    latency: float
    retry_after: int | None
    reset: bool
    malformed_json: bool
    wrong_content_type: bool
    empty_body: bool
    times: int | None
    probability: float
    apply: bool
    rng: random.Random = field(repr=False)
    after: int = 0  # matching requests let through untouched before the fault applies
    gate: Gate | None = field(default=None, repr=False)  # set for hold=True
    hits: int = 0  # how many requests this fault was applied to
    passed: int = 0  # how many of the first ``after`` matching requests went through
    drift: DriftConfig | None = None  # the answer strays from the spec (drift.py)

    @property
    def hold(self) -> bool:
        """Whether matching requests are held until [`release`][gototraining.sandbox.Fault.release]."""
        return self.gate is not None

    @property
    def held(self) -> int:
        """Requests held right now."""
        return self.gate.held if self.gate is not None else 0

    def release(self) -> None:
        """Let the held requests (and every later one) go on (``hold=True`` faults)."""
        self._hold_gate().release()

    def wait_held(self, count: int, timeout: float | None = None) -> bool:
        """Block until ``count`` requests are held; ``False`` if ``timeout`` passed first."""
        return self._hold_gate().wait_held(count, timeout)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every request this fault held has been answered (and logged)."""
        return self._hold_gate().wait_idle(timeout)

    def _hold_gate(self) -> Gate:
        if self.gate is None:
            raise ValueError(f"fault {self.id} does not hold requests (add it with hold=True)")
        return self.gate

    @property
    def exhausted(self) -> bool:
        """True once the fault has been applied ``times`` times."""
        return self.times is not None and self.hits >= self.times

    def to_json(self) -> dict[str, Any]:
        """The fault's settings and counters (admin endpoint)."""
        return {
            "id": self.id,
            "operation": self.operation,
            "statuses": self.statuses,
            "latency": self.latency,
            "retry_after": self.retry_after,
            "reset": self.reset,
            "malformed_json": self.malformed_json,
            "wrong_content_type": self.wrong_content_type,
            "empty_body": self.empty_body,
            "times": self.times,
            "probability": self.probability,
            "apply": self.apply,
            "after": self.after,
            "hold": self.hold,
            "drift": None if self.drift is None else self.drift.to_json(),
            "held": self.held,
            "released": self.gate.released if self.gate is not None else False,
            "hits": self.hits,
        }


@dataclass(frozen=True)
class Hit:
    """What to do to one request: produced by ``FaultSet.match``."""

    fault: Fault
    status: int | None  # the status to answer with (None: keep the handler's)
    latency: float
    retry_after: int | None
    reset: bool
    malformed_json: bool
    wrong_content_type: bool
    empty_body: bool
    apply: bool
    gate: Gate | None = None
    drift: DriftConfig | None = None

    @property
    def changes_response(self) -> bool:
        """False for a pure latency fault."""
        return (
            self.status is not None
            or self.reset
            or self.malformed_json
            or self.wrong_content_type
            or self.empty_body
        )


class FaultSet:
    """The sandbox's faults; thread-safe (tests add faults while the server runs)."""

    def __init__(self, seed: int = 0, operations: Sequence[str] | None = None) -> None:
        self._seed = seed
        self._operations = frozenset(operations) if operations is not None else None
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._next = 0

    def add(
        self,
        operation: str | None = None,
        *,
        statuses: Sequence[int] | None = None,
        latency: float = 0.0,
        retry_after: int | None = None,
        reset: bool = False,
        malformed_json: bool = False,
        wrong_content_type: bool = False,
        empty_body: bool = False,
        times: int | Literal["unlimited"] | None = None,
        probability: float = 1.0,
        apply: bool = False,
        before: bool | None = None,
        after: int = 0,
        hold: bool = False,
        drift: object = None,
    ) -> Fault:
        """Add a fault for ``operation`` (an operationId) or, with ``None``, for every operation.

        ``times``: how many matching requests the fault applies to. Left out (``None``), it
        is **once per status** when ``statuses`` are given -- ``statuses=[429]`` is one 429,
        ``statuses=[503, 503]`` two 503s -- and every matching request otherwise.
        ``times="unlimited"``: every matching request, statuses or not (the statuses
        repeat in order). An ``int``: that many (statuses repeat in order). With
        ``probability`` below 1 only the requests the roll picks count.

        ``before=False`` is a synonym for ``apply=True``. ``drift`` (``True``, kinds, or a
        mapping: see ``drift.DriftConfig.parse``) makes the answers stray from the spec. ``after=N`` lets the first ``N``
        matching requests through; ``hold=True`` holds each request it applies to until
        ``release()`` (see the module docstring). Returns a handle whose ``hits`` counts the
        requests it was applied to; pass it to [`remove`][gototraining.sandbox.FaultSet.remove] to drop it.
        """
        if before is not None:
            if before and apply:
                raise ValueError("before=True and apply=True contradict each other")
            apply = not before
        if (
            self._operations is not None
            and operation is not None
            and operation not in self._operations
        ):
            raise ValueError(f"unknown operation {operation!r}")
        if not 0.0 <= probability <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        if latency < 0:
            raise ValueError("latency must be >= 0")
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            raise ValueError("after must be an int >= 0")
        status_list = [int(s) for s in statuses or []]
        if any(not 100 <= s <= 599 for s in status_list):
            raise ValueError(f"invalid HTTP status in {status_list}")
        if times == UNLIMITED:
            times = None
        elif times is None:
            times = len(status_list) if status_list else None
        elif isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError(f"times must be an int >= 1, 'unlimited' or None, got {times!r}")
        drift_config = DriftConfig.parse(drift)
        with self._lock:
            fault = Fault(
                id=self._next,
                operation=operation,
                statuses=status_list,
                latency=float(latency),
                retry_after=retry_after,
                reset=reset,
                malformed_json=malformed_json,
                wrong_content_type=wrong_content_type,
                empty_body=empty_body,
                times=times,
                probability=probability,
                apply=apply,
                rng=random.Random(f"faults/{self._seed}/{self._next}"),
                after=after,
                gate=Gate() if hold else None,
                drift=drift_config,
            )
            self._next += 1
            self._faults.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        """Drop one fault (releasing the requests it holds)."""
        with self._lock:
            self._faults = [f for f in self._faults if f.id != fault.id]
        if fault.gate is not None:
            fault.gate.release()

    def clear(self) -> None:
        """Drop all faults (releasing held requests) and restart the per-fault random streams."""
        with self._lock:
            dropped, self._faults = self._faults, []
            self._next = 0
        for fault in dropped:
            if fault.gate is not None:
                fault.gate.release()

    def drop_all(self, timeout: float | None = None) -> bool:
        """Drop all faults like ``clear``, but *drop* the requests they hold (they fail
        like a lost connection, unapplied), then wait up to ``timeout`` seconds until every
        request that reached one of their gates has finished; ``False`` if some had not.
        Not from the sandbox's own event loop (the requests need it to finish)."""
        with self._lock:
            dropped, self._faults = self._faults, []
            self._next = 0
        gates = [fault.gate for fault in dropped if fault.gate is not None]
        for gate in gates:
            gate.drop()
        return all(gate.wait_idle(timeout) for gate in gates)

    def list(self) -> list[Fault]:
        """The active faults."""
        with self._lock:
            return list(self._faults)

    def match(self, operation: str) -> Hit | None:
        """Consume the first live fault that matches ``operation`` and rolls a hit."""
        if not self._faults:  # hot path: no faults configured, skip the lock
            return None
        with self._lock:
            for fault in self._faults:
                if fault.exhausted or fault.operation not in (None, operation):
                    continue
                if fault.passed < fault.after:
                    fault.passed += 1
                    continue
                # Roll even when probability is 1.0 so streams stay aligned if it changes.
                if fault.rng.random() >= fault.probability:
                    continue
                status = None
                if fault.statuses:
                    status = fault.statuses[fault.hits % len(fault.statuses)]
                fault.hits += 1
                return Hit(
                    fault=fault,
                    status=status,
                    latency=fault.latency,
                    retry_after=fault.retry_after,
                    reset=fault.reset,
                    malformed_json=fault.malformed_json,
                    wrong_content_type=fault.wrong_content_type,
                    empty_body=fault.empty_body,
                    apply=fault.apply,
                    gate=fault.gate,
                    drift=fault.drift,
                )
            return None
