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


def http_client(
    is_async: bool = False, *, answers_lost: int | None = 0
) -> httpx.Client | httpx.AsyncClient:
    """An httpx client like the facade's own (10 s timeout, no redirects), sharing ``TLS``.

    ``answers_lost``: that many answers (``None``: every one) are lost to a read timeout (see
    ``LostToTimeout``).
    """
    if is_async:
        async_transport: httpx.AsyncBaseTransport = httpx.AsyncHTTPTransport(verify=TLS)
        if answers_lost != 0:
            async_transport = AsyncLostToTimeout(async_transport, answers_lost)
        return httpx.AsyncClient(transport=async_transport, timeout=10.0, follow_redirects=False)
    transport: httpx.BaseTransport = httpx.HTTPTransport(verify=TLS)
    if answers_lost != 0:
        transport = LostToTimeout(transport, answers_lost)
    return httpx.Client(transport=transport, timeout=10.0, follow_redirects=False)


class LostToTimeout(httpx.BaseTransport):
    """A call slower than its timeout, made deterministic: the request goes to the server and
    is handled (applied) there, its whole answer arrives, and then the client reports a read
    timeout instead, as if the answer had come too late. A real short timeout would race the
    server on a loaded machine (did the request even arrive before the client hung up?); this
    way every attempt is known to have reached the server. That real timeouts end calls is
    tested on its own (``test_hostile``, ``test_limits``)."""

    def __init__(self, inner: httpx.BaseTransport, times: int | None) -> None:
        self.inner, self.left = inner, times

    def _lose(self) -> bool:
        if self.left is None:
            return True
        if self.left > 0:
            self.left -= 1
            return True
        return False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if not self._lose():
            return response
        response.read()
        response.close()
        raise httpx.ReadTimeout("the answer came after the call's timeout", request=request)

    def close(self) -> None:
        self.inner.close()


class AsyncLostToTimeout(httpx.AsyncBaseTransport):
    """``LostToTimeout`` for async clients."""

    def __init__(self, inner: httpx.AsyncBaseTransport, times: int | None) -> None:
        self.inner, self.lost = inner, LostToTimeout(httpx.BaseTransport(), times)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if not self.lost._lose():
            return response
        await response.aread()
        await response.aclose()
        raise httpx.ReadTimeout("the answer came after the call's timeout", request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def client_kwargs(sb: Any, *, is_async: bool = False, **overrides: Any) -> dict[str, Any]:
    """Arguments for a facade client talking to the sandbox, without rate limiting.

    The ``http_client`` is made here (see ``TLS``); whoever closes the facade client closes it
    too (the ``flavor`` fixture does).
    """
    kwargs: dict[str, Any] = {
        "http_client": overrides.pop("http_client", None) or http_client(is_async),
        "access_token": sb.token,
        "organizer_key": sb.organizer_key,
        "base_url": sb.url,
        "rate_limit": None,
        "retry_policy": FAST_RETRY,
    }
    kwargs.update(overrides)
    return kwargs


def bounded_http_client(is_async: bool = False) -> httpx.Client | httpx.AsyncClient:
    """The HTTP client a facade client makes when given none -- every socket operation bounded
    by the call's deadline -- with the facade's test settings (10 s timeout, ``TLS``)."""
    from gototraining import DefaultAsyncHttpxClient, DefaultHttpxClient

    if is_async:
        return DefaultAsyncHttpxClient(verify=TLS, timeout=10.0)
    return DefaultHttpxClient(verify=TLS, timeout=10.0)


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


def wait_for_count(sb: Any, operation: str, expected: int, timeout: float = 60.0) -> int:
    """``sb.request_count(operation)`` once it reaches ``expected`` (a request is counted when
    the server has finished it, which may be a moment after its client gave up), or whatever
    it is after ``timeout`` seconds -- a guard against hanging, never reached when the count is
    right."""
    deadline = time.monotonic() + timeout
    while True:
        count: int = sb.request_count(operation)
        if count >= expected or time.monotonic() > deadline:
            return count
        time.sleep(0.005)
