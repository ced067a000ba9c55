"""``registrants import`` on top of the library's ``registrants.register_many``.

The engine -- list first, ``if_exists="return"``, temporary failures repeated after
``Retry-After``, errors that would hit everyone stopping the run, the client's limiter pacing
all workers -- is the library's (see ``Registrants.register_many``). What is left here is the
command's bookkeeping: one ``csvio.Result`` per row of the people file (rows with problems
too: the library reports them ``invalid`` and sends nothing for them), counts kept up to
date, and every outcome handed to ``on_result`` the moment it is known (the command writes it
to the results file, ``results.ResultsFile``, which stays complete and consistent even after
``kill -9``). Nothing here does file I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from gototraining import APIError, RegistrationOutcome, RegistrationResult, TransportError

from .csvio import Result
from .errors import one_line

if TYPE_CHECKING:
    from gototraining import AsyncGoToTraining, GoToTrainingError, PersonRow

__all__ = ["MAYBE_REGISTERED", "NOT_LISTED_YET", "STATUSES", "Importer", "after_listing"]

#: Every status a row can have (``Result.status``).
STATUSES = ("registered", "already_registered", "failed", "invalid", "pending")

#: The results file's note for a 409 whose registrant the (cached) list does not show yet.
NOT_LISTED_YET = "registered, but not in the registrant list yet (no join URL)"
#: The note of a ``pending`` row whose registration was sent when the import was interrupted.
MAYBE_REGISTERED = "interrupted while it was sent: it may be registered; re-run to find out"


def after_listing(exc: GoToTrainingError) -> bool:
    """Whether a run that stopped with ``exc`` got past the registrant list: the list is the
    one GET of a run, every later request a registration (POST)."""
    return isinstance(exc, APIError | TransportError) and exc.method == "POST"


class Importer:
    """Registers the people of ``rows`` for one training (rows with problems are reported
    ``invalid``, not sent); ``on_result(result)`` hears of every row the moment its outcome
    is known (``results`` holds them all, in input order)."""

    def __init__(
        self,
        client: AsyncGoToTraining,
        training_key: str,
        rows: Sequence[PersonRow],
        *,
        concurrency: int = 8,
        max_attempts: int = 3,
        on_result: Callable[[Result], None] | None = None,
    ) -> None:
        self.client = client
        self.training_key = training_key
        self.results = [Result(row) for row in rows]
        self.concurrency = concurrency
        #: Registrations sent per person at most (each with the client's own retries).
        self.max_attempts = max_attempts
        self.on_result = on_result
        self._counts = Counter({status: 0 for status in STATUSES})
        self._counts["pending"] = len(self.results)

    async def run(self) -> None:
        """Register everyone; a fatal API error or a cancellation (Ctrl-C) is raised and the
        rows not finished stay ``pending``."""
        await self.client.registrants.register_many(
            self.training_key,
            [r.row.person for r in self.results],
            concurrency=self.concurrency,
            max_attempts=self.max_attempts,
            on_result=self._record,
            invalid="report",
        )

    def _record(self, outcome: RegistrationResult) -> None:
        result = self.results[outcome.index]
        if outcome.outcome is RegistrationOutcome.UNKNOWN:
            # Interrupted while it was sent: still pending, with a word of why.
            result.error = MAYBE_REGISTERED
            if self.on_result is not None:
                self.on_result(result)
            return
        if outcome.registration is not None:
            result.registrant_key = outcome.registration.registrant_key
            result.join_url = outcome.registration.join_url
        if outcome.outcome is RegistrationOutcome.INVALID:
            # The reader's reasons: the same rules, said with line numbers.
            assert outcome.error is not None
            result.error = "; ".join(result.row.problems) or one_line(outcome.error)
        elif outcome.outcome is RegistrationOutcome.FAILED:
            assert outcome.error is not None
            result.error = one_line(outcome.error)
        elif outcome.registration is None:
            result.error = NOT_LISTED_YET
        self._counts[result.status] -= 1
        self._counts[outcome.outcome.value] += 1
        result.status = outcome.outcome.value
        if self.on_result is not None:
            self.on_result(result)

    def counts(self) -> dict[str, int]:
        """How many people have each status (kept up to date, not recounted)."""
        return {status: self._counts[status] for status in STATUSES}
