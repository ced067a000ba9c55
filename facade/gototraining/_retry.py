"""Retry policy: which failures are retried, and how long to wait in between.

Pure functions and a frozen value object; the transport asks it questions and does the sleeping.
"""

from __future__ import annotations

import math
import random
from typing import Any, Final

import attrs
import httpx

from ._errors import ValidationError, parse_retry_after

__all__ = ["RetryPolicy", "parse_retry_after"]

#: Methods that are safe to repeat: GoTo's GET/PUT/DELETE are idempotent (PUT replaces state).
IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
#: Statuses worth another attempt for idempotent requests.
RETRY_STATUSES: Final = frozenset({429, 502, 503, 504})
#: Statuses that say the request was not processed, so any method may be repeated: 429 (the
#: API refuses requests over its rate limit before handling them).
NOT_PROCESSED_STATUSES: Final = frozenset({429})
#: Retryable statuses after which the request may nevertheless have been applied (a gateway
#: lost the backend's answer). 429 and 503 mean "not processed".
MAYBE_APPLIED_STATUSES: Final = frozenset({502, 504})
#: The longest wait (seconds) any setting may ask for: larger values overflow ``time.sleep``
#: and the event loop's timers, and nobody means them.
MAX_SECONDS: Final = 1_000_000.0
#: Exponents past this give the same capped delay (and 2.0 ** 1024 overflows).
_MAX_EXPONENT = 64


#: The most retries any setting may ask for.
MAX_RETRIES: Final = 1000


def check_number(
    value: object, name: str, *, integer: bool = False, maximum: float | None = None
) -> None:
    """A finite number >= 0 (an ``int`` if ``integer``), at most ``maximum``; else
    ``ValidationError(name)``. The one check of ``RetryPolicy``'s fields and a call's
    ``max_retries``."""
    kind = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind):
        want = "an int" if integer else "a number"
        raise ValidationError(name, f"expected {want}, got {value!r}")
    if not (math.isfinite(value) and value >= 0):
        raise ValidationError(name, f"expected a finite value >= 0, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValidationError(name, f"expected at most {maximum:g}, got {value!r}")


def _number(*, integer: bool = False, maximum: float | None = None) -> Any:  # an attrs validator
    """attrs validator: ``check_number`` naming the field."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        check_number(value, attribute.name, integer=integer, maximum=maximum)

    return check


@attrs.frozen
class RetryPolicy:
    """Bounded retries with exponential backoff and jitter.

    Attempt ``n`` (0-based) waits ``min(backoff_max, backoff_base * 2**n)``, reduced by up to
    ``jitter`` (a fraction) at random so that many clients do not retry in lock-step. A
    ``Retry-After`` header, when present, replaces the computed delay but is capped at
    ``retry_after_cap`` seconds.

    What is retried: every method on 429 (the API refuses requests over its rate limit without
    processing them); GET/PUT/DELETE on connection errors, timeouts and 502/503/504; POST
    only when the request provably never reached the server (connect error, connect or pool
    timeout), because GoTo's POSTs (schedule a training, register someone) are not idempotent.
    A POST the caller made safe to replay (``registrants.register(if_exists="return")``: the
    API answers a replay with 409, which is turned into the existing registrant) is passed
    ``idempotent=True`` and then retried like a PUT; a PUT whose replay would have a side
    effect (``trainings.set_organizers(notify=True)`` and ``trainings.update_times`` with
    notifications: emails sent twice) is passed ``idempotent=False`` and retried like a POST.
    500 is never retried. Waits are at most ``MAX_SECONDS`` (1,000,000 s), ``max_retries`` at
    most 1,000.

    429s have their own budget, on top of ``max_retries``: a 429 says "not processed, come back
    later", so repeating it costs only time. By default (``rate_limit_retries=None``) that budget
    is time, not attempts: a 429 is retried as long as the call's wait for the quota fits its
    ``max_queue_wait`` (default: the call's timeout; ``None``: as long as it takes). Clients
    sharing one account without a shared limiter may see many 429s in a row while another
    client holds the whole quota -- each a second's wait, no sign that the account is down --
    and a count would give up on a request long before the time it may wait is up.
    ``rate_limit_retries=N`` caps the retries at ``N`` as well; ``RetryPolicy(rate_limit_retries=0)``
    raises ``RateLimitError`` at the first 429.
    """

    max_retries: int = attrs.field(default=2, validator=_number(integer=True, maximum=MAX_RETRIES))
    rate_limit_retries: int | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(_number(integer=True, maximum=MAX_RETRIES)),
        kw_only=True,
    )
    backoff_base: float = attrs.field(default=0.5, validator=_number(maximum=MAX_SECONDS))
    backoff_max: float = attrs.field(default=8.0, validator=_number(maximum=MAX_SECONDS))
    retry_after_cap: float = attrs.field(default=60.0, validator=_number(maximum=MAX_SECONDS))
    jitter: float = attrs.field(default=0.25, validator=_number(maximum=1.0))

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``attempt + 1`` (``attempt`` counts from 0)."""
        if retry_after is not None:
            return min(retry_after, self.retry_after_cap)
        delay = min(self.backoff_max, self.backoff_base * (2.0 ** min(attempt, _MAX_EXPONENT)))
        return delay * (1.0 - self.jitter * random.random())

    def retries_rate_limit(self, throttled: int) -> bool:
        """Whether a 429 may be retried after ``throttled`` earlier 429s of the same call, as far
        as the count goes (the call's ``max_queue_wait`` bounds the time on its own)."""
        return self.rate_limit_retries is None or throttled < self.rate_limit_retries

    def should_retry_status(
        self, method: str, status: int, *, idempotent: bool | None = None
    ) -> bool:
        """Whether an HTTP error status is retryable for this method.

        ``idempotent`` overrides the method's own answer (``None``: decided by the method).
        A 429 is retried for every method: the API refused the request without processing it.
        """
        if status in NOT_PROCESSED_STATUSES:
            return True
        if idempotent is None:
            idempotent = method.upper() in IDEMPOTENT_METHODS
        return idempotent and status in RETRY_STATUSES

    def should_retry_exception(
        self, method: str, exc: httpx.RequestError, *, idempotent: bool | None = None
    ) -> bool:
        """Whether a transport failure is retryable for this method.

        ``ConnectError``/``ConnectTimeout``/``PoolTimeout`` mean no byte of the request left this
        machine, so even a POST is safe to repeat. Read/write errors and read timeouts may
        happen after the server acted, so only idempotent requests are retried then
        (``idempotent`` overrides the method's own answer; ``None``: decided by the method).
        """
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
            return True
        if idempotent is None:
            idempotent = method.upper() in IDEMPOTENT_METHODS
        if not idempotent:
            return False
        return isinstance(
            exc, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError
        )
