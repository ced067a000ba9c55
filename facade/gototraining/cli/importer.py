"""Bulk registration for ``registrants import``: concurrent, rate-limited, idempotent, resumable.

How a run stays correct when it is interrupted and run again:

* **The API is the source of truth.** A run first lists the training's registrants; everybody
  already on the list is reported as ``already_registered`` (with their join URL) and not
  sent again. Only the rest is registered.
* **Every registration is sent with ``if_exists="return"``.** If a person was registered in
  the meantime -- or by a request whose response was lost when the previous run died -- the
  API answers 409 and the facade returns the existing registrant instead of failing. GoTo may
  serve the registrant list from a cache; a 409 for someone not on the list yet still counts
  as ``already_registered``. Nobody is registered twice.
* **Temporary errors never fail a row early.** The facade retries lost answers and
  429/502/503/504 itself (``max_retries``); if a row's registration still ends in one of
  those, the importer repeats it, up to ``row_attempts`` times in all, waiting
  ``Retry-After`` or a doubling delay in between. That is safe for the same reason: a
  repeat of a registration that did go through is answered 409 and returns the existing
  registrant. Only a row that keeps failing (or fails for another reason) is ``failed``.
* **Every outcome is reported as soon as it is known**, through ``on_result``: the command
  writes it to the results file (``results.ResultsFile``, which keeps the file complete and
  consistent even after ``kill -9``). The importer itself does no file I/O.

Concurrency: ``concurrency`` worker tasks share one ``AsyncGoToTraining``; its rate limiter
(one token bucket for all tasks) keeps the request rate within the API's limit, so more
workers only hide latency, they never exceed the limit.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from gototraining import (
    APIError,
    AuthenticationError,
    ConflictError,
    GoToTrainingError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    Registration,
    TransportError,
)

from .csvio import Person, Result
from .errors import one_line

if TYPE_CHECKING:
    from gototraining import AsyncGoToTraining

__all__ = ["FATAL", "STATUSES", "TRANSIENT_STATUSES", "Importer", "is_transient"]

#: Every status a row can have (``Result.status``).
STATUSES = ("registered", "already_registered", "failed", "pending")

#: Errors that would hit every remaining row the same way: stop instead of failing each.
FATAL: tuple[type[APIError], ...] = (AuthenticationError, PermissionDeniedError, NotFoundError)

#: API answers that say "try again later" (the facade's own retry policy retries these too).
TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})

#: Upper bound for one wait between attempts at a row, whatever ``Retry-After`` says.
MAX_ROW_DELAY = 60.0


def is_transient(exc: GoToTrainingError) -> bool:
    """No answer at all (reset, timeout, connection), or 429/502/503/504."""
    if isinstance(exc, TransportError):
        return True
    return isinstance(exc, APIError) and exc.status in TRANSIENT_STATUSES


class Importer:
    """Registers ``people`` for one training; ``on_result(result)`` hears of every row the
    moment its outcome is known (``results`` holds them all, in input order)."""

    def __init__(
        self,
        client: AsyncGoToTraining,
        training_key: str,
        people: Sequence[Person],
        *,
        concurrency: int = 8,
        on_result: Callable[[Result], None] | None = None,
        row_attempts: int = 3,
        row_retry_delay: float = 1.0,
    ) -> None:
        self.client = client
        self.training_key = training_key
        self.results = [Result(p) for p in people]
        self.concurrency = max(1, concurrency)
        self.on_result = on_result
        #: Calls of ``register`` per row at most (each with the facade's own retries).
        self.row_attempts = max(1, row_attempts)
        #: First wait before repeating a row without ``Retry-After`` (then doubled).
        self.row_retry_delay = row_retry_delay
        self._counts = Counter({status: 0 for status in STATUSES})
        self._counts["pending"] = len(self.results)

    def _settle(self, result: Result, status: str) -> None:
        """Give ``result`` its final ``status`` (kept counted: no rescan per row)."""
        self._counts[result.status] -= 1
        self._counts[status] += 1
        result.status = status

    # -- the run -----------------------------------------------------------------------------

    async def prepare(self) -> list[Result]:
        """Mark everybody already registered; return who still needs registering.

        Raises the API error if the training cannot be read (nothing was registered then).
        """
        existing = await self.client.registrants.list(self.training_key)
        by_email = {r.email.casefold(): r for r in existing}
        todo: list[Result] = []
        for result in self.results:
            found = by_email.get(result.person.email.casefold())
            if found is None:
                todo.append(result)
            else:
                self._settle(result, "already_registered")
                result.registrant_key = found.registrant_key
                result.join_url = found.join_url
        return todo

    async def _send(self, p: Person) -> Registration:
        """``register(if_exists="return")``, repeated on transient errors (see the module
        docstring); the last error is raised when the attempts are used up."""
        attempt = 0
        while True:
            try:
                return await self.client.registrants.register(
                    self.training_key,
                    email=p.email,
                    given_name=p.given_name,
                    surname=p.surname,
                    if_exists="return",
                )
            except GoToTrainingError as exc:
                attempt += 1
                if attempt >= self.row_attempts or not is_transient(exc):
                    raise
                retry_after = exc.retry_after if isinstance(exc, RateLimitError) else None
                if retry_after is None:
                    retry_after = self.row_retry_delay * 2 ** (attempt - 1)
                await asyncio.sleep(min(retry_after, MAX_ROW_DELAY))

    async def _register(self, result: Result) -> None:
        try:
            registration = await self._send(result.person)
        except FATAL:
            raise
        except ConflictError:
            # 409 but not on the (cached) list yet: registered all the same.
            result.error = "registered, but not in the registrant list yet (no join URL)"
            self._settle(result, "already_registered")
        except GoToTrainingError as exc:
            result.error = one_line(exc)
            self._settle(result, "failed")
        else:
            result.registrant_key = registration.registrant_key
            result.join_url = registration.join_url
            self._settle(result, "registered" if registration.created else "already_registered")
        if self.on_result is not None:
            self.on_result(result)

    async def run(self, todo: Sequence[Result]) -> None:
        """Register ``todo`` with ``concurrency`` workers.

        A fatal API error (authentication, permission, training gone) stops all workers and
        is re-raised; so is cancellation (Ctrl-C). Rows not finished stay ``pending``.
        """
        queue: asyncio.Queue[Result] = asyncio.Queue()
        for result in todo:
            queue.put_nowait(result)

        async def worker() -> None:
            while True:
                try:
                    result = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                await self._register(result)

        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(min(self.concurrency, len(todo))):
                    group.create_task(worker())
        except BaseExceptionGroup as eg:
            # TaskGroup wraps the first failure; surface it as the plain exception.
            first = eg.exceptions[0]
            raise first from None

    def counts(self) -> dict[str, int]:
        """How many people have each status (kept up to date, not recounted)."""
        return {status: self._counts[status] for status in STATUSES}
