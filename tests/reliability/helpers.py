"""Helpers shared by the reliability tests: sandbox state checks and client settings."""

from __future__ import annotations

import ssl
import time
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import httpx
from gototraining import RetryPolicy

START = datetime(2031, 3, 1, 9, tzinfo=UTC)
END = datetime(2031, 3, 1, 11, tzinfo=UTC)

#: Retries as in production (max_retries=2) but with tiny waits, so the matrix is fast; 429s
#: have their own, smaller than default, budget.
MAX_RETRIES, RATE_LIMIT_RETRIES = 2, 3
FAST_RETRY = RetryPolicy(
    max_retries=MAX_RETRIES,
    backoff_base=0.01,
    backoff_max=0.02,
    retry_after_cap=0.01,
    rate_limit_retries=RATE_LIMIT_RETRIES,
)


#: One TLS context for every test client: building one loads the CA bundle (~30 ms), which
#: would dominate a 250-case matrix (the sandbox is plain HTTP anyway).
TLS = ssl.create_default_context()


def http_client(is_async: bool = False) -> httpx.Client | httpx.AsyncClient:
    """An httpx client like the facade's own (10 s timeout, no redirects), sharing ``TLS``."""
    cls = httpx.AsyncClient if is_async else httpx.Client
    return cls(verify=TLS, timeout=10.0, follow_redirects=False)


def client_kwargs(sb: Any, *, is_async: bool = False, **overrides: Any) -> dict[str, Any]:
    """Arguments for a facade client talking to the sandbox, without rate limiting.

    The ``http_client`` is made here (see ``TLS``); whoever closes the facade client closes it
    too (the ``flavor`` fixture does).
    """
    kwargs: dict[str, Any] = {
        "http_client": http_client(is_async),
        "access_token": sb.token,
        "organizer_key": sb.organizer_key,
        "base_url": sb.url,
        "rate_limit": None,
        "retry_policy": FAST_RETRY,
    }
    kwargs.update(overrides)
    return kwargs


def bounded(client: Any) -> Any:
    """Give a facade client made with ``client_kwargs`` what a client that made its own HTTP
    client has: the deadline network backend (every socket operation bounded by the call's
    deadline). The tests share one TLS context instead of letting each client load its own."""
    from gototraining import _attempt

    assert _attempt.install(client.http_client)
    client._transport.deadline_backend = True
    return client


def assert_registered_exactly_once(
    sb: Any, training_key: str, emails: Iterable[str], *, exact: bool = True
) -> None:
    """Every email in ``emails`` is a registrant of the training exactly once (emails compared
    case-insensitively, as the API does); with ``exact`` nobody else is registered either."""
    counts = Counter(r["email"].casefold() for r in sb.registrants(training_key))
    duplicates = {e: n for e, n in counts.items() if n > 1}
    assert not duplicates, f"duplicate registrants: {sorted(duplicates.items())[:10]}"
    wanted = {e.casefold() for e in emails}
    missing = wanted - counts.keys()
    assert not missing, f"{len(missing)} registrant(s) missing, e.g. {sorted(missing)[:5]}"
    if exact:
        extra = counts.keys() - wanted
        assert not extra, f"{len(extra)} unexpected registrant(s), e.g. {sorted(extra)[:5]}"


def assert_no_duplicates(sb: Any, training_key: str) -> None:
    """No email is registered twice for the training."""
    counts = Counter(r["email"].casefold() for r in sb.registrants(training_key))
    duplicates = {e: n for e, n in counts.items() if n > 1}
    assert not duplicates, f"duplicate registrants: {sorted(duplicates.items())[:10]}"


def wait_for_count(sb: Any, operation: str, expected: int, timeout: float = 5.0) -> int:
    """``sb.request_count(operation)`` once it reaches ``expected`` (requests delayed by a
    latency fault are only counted when the server finishes them), or whatever it is after
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        count: int = sb.request_count(operation)
        if count >= expected or time.monotonic() > deadline:
            return count
        time.sleep(0.005)
