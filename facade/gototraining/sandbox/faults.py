"""Fault injection: latency, status sequences, 429 + Retry-After, resets, broken bodies.

A fault matches one operation (by operationId) or every API operation (``None``). For
each matching request the fault first rolls its own ``random.Random`` (seeded from the
sandbox seed and the fault's position since the last ``clear()``, so a test gets the
same rolls whatever ran before it), then is consumed once. ``statuses`` is played in
order; once a fault's ``times`` (default: ``len(statuses)``, else unlimited) is used up
it stops matching and requests are served normally.

Two modes decide whether the faulted request changes state:

* default (``apply=False``, a.k.a. ``before=True``): the fault replaces the handling,
  nothing is applied - like a gateway failing before the service saw the request;
* ``apply=True``: the request is handled and applied first, then its response is
  replaced by the fault (or the connection reset) - like a response lost on the way back.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Fault:
    """One configured fault; returned by :meth:`FaultSet.add` as a handle."""

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
    hits: int = 0  # how many requests this fault was applied to

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
            "hits": self.hits,
        }


@dataclass(frozen=True)
class Hit:
    """What to do to one request: produced by :meth:`FaultSet.match`."""

    fault: Fault
    status: int | None  # the status to answer with (None: keep the handler's)
    latency: float
    retry_after: int | None
    reset: bool
    malformed_json: bool
    wrong_content_type: bool
    empty_body: bool
    apply: bool

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
        times: int | None = None,
        probability: float = 1.0,
        apply: bool = False,
        before: bool | None = None,
    ) -> Fault:
        """Add a fault for ``operation`` (an operationId) or, with ``None``, for every operation.

        ``before=False`` is a synonym for ``apply=True``. Returns a handle whose ``hits``
        counts the requests it was applied to; pass it to :meth:`remove` to drop it.
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
        status_list = [int(s) for s in statuses or []]
        if any(not 100 <= s <= 599 for s in status_list):
            raise ValueError(f"invalid HTTP status in {status_list}")
        if times is None and status_list:
            times = len(status_list)
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
            )
            self._next += 1
            self._faults.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        """Drop one fault."""
        with self._lock:
            self._faults = [f for f in self._faults if f.id != fault.id]

    def clear(self) -> None:
        """Drop all faults and restart the per-fault random streams."""
        with self._lock:
            self._faults = []
            self._next = 0

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
                )
            return None
