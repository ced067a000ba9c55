"""The one request pipeline, shared by the sync and the async client.

``pipeline()`` is a generator that holds all the policy -- rate limiting, building the request
from the operation's ``ApiRequest`` and the call's options, retries with backoff and ``Retry-After``, logging, status ->
exception mapping, decoding. It never does I/O itself: it *yields* ``Send`` and ``Sleep``
actions and is resumed with the outcome. ``SyncTransport`` and ``AsyncTransport`` are the only
code that differs between sync and async: they perform those two actions with ``httpx.Client``
+ ``time.sleep`` or ``httpx.AsyncClient`` + ``asyncio.sleep``. The same trick runs multi-step
operations (``register(if_exists="return")``): see ``Plan`` in ``resources/_base.py``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Generator
from typing import Any, Generic, TypeVar

import attrs
import httpx

from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    DecodeError,
    RateLimitError,
    TransportError,
    credential,
    error_from_response,
    redact,
    safe_url,
)
from ._options import DEFAULT_OPTIONS, CallOptions
from ._ratelimit import RateLimiter
from ._retry import MAYBE_APPLIED_STATUSES, RetryPolicy, parse_retry_after
from ._types import NotGiven, TimeoutTypes

__all__ = ["ApiRequest", "AsyncTransport", "Call", "SyncTransport", "decode_json", "no_content"]

logger = logging.getLogger("gototraining")
T = TypeVar("T")


class ApiRequest:
    """One spec operation's request, built by ``_requests`` (generated from the spec).

    ``path`` is below the base URL, with its parameters filled in; ``json`` the body, if any.
    """

    __slots__ = ("json", "method", "operation", "path")

    def __init__(self, operation: str, method: str, path: str, json: Any = None) -> None:
        self.operation = operation
        self.method = method
        self.path = path
        self.json = json

    def __repr__(self) -> str:
        return f"ApiRequest({self.operation!r}, {self.method!r}, {self.path!r})"


@attrs.frozen
class Call(Generic[T]):
    """One API operation, ready to send.

    Attributes:
        request: the operation's method, path and body (``_requests``: the spec defines the
            wire format).
        decode: turns the successful ``httpx.Response`` into the facade's result.
        replay_safe: whether the request may be repeated after an attempt that may have been
            applied (lost response, read timeout, 502/503/504, 429). ``None`` (default):
            decided by the method (GET/PUT/DELETE yes, POST no). ``True``: although the method
            is not idempotent, the API answers a replay in a way the caller handles
            (registration with ``if_exists="return"``: 409 -> the existing registrant).
            ``False``: although the method is idempotent, a replay has a side effect (a PUT
            that emails people would email them twice): retried only when nothing was sent.
        replay_404_is_success: a 404 answering a *replay* of an attempt that may have been
            applied (``TransportError.maybe_sent``, or 502/504) means the first attempt did it:
            success (DELETE: "already deleted"), decoded from the 404 response (use with
            ``no_content``). A 404 without such a replay is still ``NotFoundError``.
        redirect_is_result: the operation's documented success is a redirect
            (getRecordingDownloadById's 302): 3xx answers go to ``decode``. Otherwise only 2xx
            is success and any 3xx raises ``UnexpectedRedirectError`` (redirects are never followed).

    Per-call options (``timeout``, ...) travel beside the call (``CallOptions``).
    """

    request: ApiRequest
    decode: Callable[[httpx.Response], T]
    replay_safe: bool | None = None
    redirect_is_result: bool = False
    replay_404_is_success: bool = False

    @property
    def operation(self) -> str:
        """The spec's operationId (for logs)."""
        return self.request.operation


def decode_json(decoder: Callable[[Any], T]) -> Callable[[httpx.Response], T]:
    """Wrap a JSON decoder from ``_models`` into a response decoder."""

    def decode(response: httpx.Response) -> T:
        try:
            data = json.loads(response.content)
        except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
            content_type = response.headers.get("content-type", "none")
            raise DecodeError(
                f"response is not JSON (content-type {content_type}; {type(exc).__name__}: "
                f"{str(exc)[:200]})",
                response=response,
            ) from None
        try:
            return decoder(data)
        except DecodeError as exc:
            exc.response = response
            raise

    return decode


def no_content(response: httpx.Response) -> None:
    """Decoder for 204 operations: the body is ignored."""
    return


# Send, Sleep and _Settings are internal and plain slotted classes, not attrs classes: each
# attrs class costs ~0.3 ms of ``import gototraining`` (issue 8 budget), and these need none of
# attrs' generated methods beyond what is written out here.


class Send:
    """Action: send this request and resume the pipeline with the response."""

    __slots__ = ("request",)

    def __init__(self, request: httpx.Request) -> None:
        self.request = request

    def __repr__(self) -> str:
        return f"Send(request={self.request!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is Send and other.request == self.request

    __hash__ = None  # type: ignore[assignment]


class Sleep:
    """Action: sleep this many seconds, then resume the pipeline."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __repr__(self) -> str:
        return f"Sleep(seconds={self.seconds!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is Sleep and other.seconds == self.seconds

    __hash__ = None  # type: ignore[assignment]


Action = Send | Sleep


class _Settings:
    """What a pipeline needs from its client (built once per client)."""

    __slots__ = ("auth", "base_url", "build_request", "headers", "limiter", "retry", "timeout")

    def __init__(
        self,
        *,
        base_url: str,
        auth: httpx.Auth,
        retry: RetryPolicy,
        limiter: RateLimiter | None,
        headers: dict[str, str],
        timeout: TimeoutTypes | NotGiven,
        build_request: Callable[..., httpx.Request],
    ) -> None:
        self.base_url = base_url
        self.auth = auth
        self.retry = retry
        self.limiter = limiter
        self.headers = headers
        self.timeout = timeout
        self.build_request = build_request

    def __repr__(self) -> str:
        return (
            f"_Settings(base_url={self.base_url!r}, auth={self.auth!r}, retry={self.retry!r}, "
            f"limiter={self.limiter!r}, headers={self.headers!r}, timeout={self.timeout!r})"
        )


#: httpx failures that prove the request never left this machine.
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
)


def _transport_error(
    exc: httpx.RequestError, method: str, url: str, secret: str | None = None
) -> TransportError:
    """The typed error for an httpx failure, with a message that says what happened.

    The text of ``httpx`` protocol errors is never copied: a ``LocalProtocolError`` quotes the
    offending header value (e.g. ``Bearer <token>``). Other texts (``[Errno 111] Connection
    refused``) are kept, with the request's credential redacted all the same.
    """
    name = type(exc).__name__
    if isinstance(exc, httpx.ProtocolError):
        what = name
    else:
        detail = " ".join(redact(str(exc), secret).split())[:200]
        what = f"{name}: {detail}" if detail else name
    not_sent = isinstance(exc, _NOT_SENT)
    tail = (
        "the request was not sent"
        if not_sent
        else "the request may have reached the API and been processed"
    )
    cls: type[TransportError] = APIConnectionError
    if isinstance(exc, httpx.ConnectTimeout):
        cls, message = APITimeoutError, f"timed out connecting ({what})"
    elif isinstance(exc, httpx.PoolTimeout):
        cls, message = APITimeoutError, f"timed out waiting for a pooled connection ({what})"
    elif isinstance(exc, httpx.WriteTimeout):
        cls, message = APITimeoutError, f"timed out sending the request ({what})"
    elif isinstance(exc, httpx.TimeoutException):
        cls, message = APITimeoutError, f"timed out waiting for the response ({what})"
    elif isinstance(exc, httpx.LocalProtocolError):
        message = f"httpx refused to send an invalid request, e.g. a bad header value ({what})"
    elif not_sent:
        message = f"could not connect ({what})"
    elif isinstance(exc, httpx.WriteError):
        message = f"the connection broke while sending the request ({what})"
    elif isinstance(exc, httpx.TransportError):
        message = f"the connection broke before the response was complete ({what})"
    else:  # DecodingError & co.: a response arrived but could not be read
        cls, message = TransportError, f"the response could not be read ({what})"
    return cls(f"{message}; {tail}", method=method, url=url, maybe_sent=not not_sent)


def pipeline(
    settings: _Settings, call: Call[T], options: CallOptions = DEFAULT_OPTIONS
) -> Generator[Action, Any, T]:
    """The request pipeline as a generator of I/O actions (see the module docstring)."""
    method = call.request.method
    path = call.request.path
    headers = dict(settings.headers)
    timeout = settings.timeout if isinstance(options.timeout, NotGiven) else options.timeout
    request = settings.build_request(
        method,
        settings.base_url + path,
        json=call.request.json,
        headers=headers,
        # NotGiven -> the httpx client's own default timeout
        **({} if isinstance(timeout, NotGiven) else {"timeout": timeout}),
    )
    retry = settings.retry
    # None: the retry policy decides by the method; True/False: the Call knows better.
    idempotent = call.replay_safe
    attempt = 0
    # An earlier attempt may have been applied although we got no (good) answer to it.
    maybe_applied = False
    while True:
        if settings.limiter is not None:
            wait = settings.limiter.reserve()
            if wait > 0:
                yield Sleep(wait)
        started = time.perf_counter()
        try:
            response: httpx.Response = yield Send(request)
        except httpx.RequestError as exc:
            elapsed_ms = (time.perf_counter() - started) * 1000
            error = _transport_error(exc, method, safe_url(request.url), credential(request))
            if attempt < retry.max_retries and retry.should_retry_exception(
                method, exc, idempotent=idempotent
            ):
                maybe_applied = maybe_applied or error.maybe_sent
                delay = retry.backoff(attempt)
                logger.info(
                    "%s %s failed after %.0f ms (%s, attempt %d); retrying in %.2f s",
                    method, path, elapsed_ms, type(exc).__name__, attempt + 1, delay,
                )  # fmt: skip
                attempt += 1
                yield Sleep(delay)
                continue
            raise error from exc
        elapsed_ms = (time.perf_counter() - started) * 1000
        status = response.status_code
        logger.debug(
            "%s %s -> %d in %.1f ms (attempt %d, %s)",
            method,
            path,
            status,
            elapsed_ms,
            attempt + 1,
            call.operation,
        )
        if 200 <= status < 300 or (call.redirect_is_result and 300 <= status < 400):
            return call.decode(response)
        if status == 404 and maybe_applied and call.replay_404_is_success:
            logger.info(
                "%s %s -> 404 on a replay after a lost response: the earlier attempt was "
                "applied (%s); treating as success",
                method,
                path,
                call.operation,
            )
            return call.decode(response)
        err: APIError = error_from_response(response)
        if attempt < retry.max_retries and retry.should_retry_status(
            method, status, idempotent=idempotent
        ):
            maybe_applied = maybe_applied or status in MAYBE_APPLIED_STATUSES
            retry_after = err.retry_after if isinstance(err, RateLimitError) else None
            if retry_after is None:  # 503s may carry Retry-After too
                retry_after = parse_retry_after(response.headers.get("retry-after"))
            delay = retry.backoff(attempt, retry_after)
            logger.info(
                "%s %s -> %d (attempt %d); retrying in %.2f s",
                method,
                path,
                status,
                attempt + 1,
                delay,
            )
            attempt += 1
            yield Sleep(delay)
            continue
        raise err


def _make_settings(
    http_client: httpx.Client | httpx.AsyncClient,
    *,
    base_url: str,
    auth: httpx.Auth,
    retry: RetryPolicy,
    limiter: RateLimiter | None,
    headers: dict[str, str],
    timeout: TimeoutTypes | NotGiven,
) -> _Settings:
    return _Settings(
        base_url=base_url.rstrip("/"),
        auth=auth,
        retry=retry,
        limiter=limiter,
        headers=headers,
        timeout=timeout,
        build_request=http_client.build_request,
    )


class SyncTransport:
    """Runs pipelines with an ``httpx.Client`` and ``time.sleep``.

    Redirects are never followed, whatever the ``httpx`` client's default: the only redirect
    the API sends (getRecordingDownloadById's 302) is the operation's result.
    """

    def __init__(self, http_client: httpx.Client, **settings: Any) -> None:
        self.http_client = http_client
        self.settings = _make_settings(http_client, **settings)
        self.sleep: Callable[[float], None] = time.sleep  # replaceable in tests

    def run(self, gen: Generator[Action, Any, T]) -> T:
        """Drive an action generator to completion (pipelines and multi-step plans alike)."""
        try:
            action = next(gen)
            while True:
                if isinstance(action, Sleep):
                    self.sleep(action.seconds)
                    action = gen.send(None)
                    continue
                try:
                    response = self.http_client.send(
                        action.request, auth=self.settings.auth, follow_redirects=False
                    )
                except httpx.RequestError as exc:
                    action = gen.throw(exc)
                else:
                    action = gen.send(response)
        except StopIteration as stop:
            result: T = stop.value
            return result
        finally:
            gen.close()

    def request(self, call: Call[T], options: CallOptions = DEFAULT_OPTIONS) -> T:
        """Send one call through the pipeline."""
        return self.run(pipeline(self.settings, call, options))


class AsyncTransport:
    """Runs pipelines with an ``httpx.AsyncClient`` and ``asyncio.sleep``."""

    def __init__(self, http_client: httpx.AsyncClient, **settings: Any) -> None:
        self.http_client = http_client
        self.settings = _make_settings(http_client, **settings)
        import asyncio  # lazily: sync-only users do not pay asyncio's import time

        self.sleep: Callable[[float], Any] = asyncio.sleep  # replaceable in tests

    async def run(self, gen: Generator[Action, Any, T]) -> T:
        """Drive an action generator to completion (pipelines and multi-step plans alike)."""
        try:
            action = next(gen)
            while True:
                if isinstance(action, Sleep):
                    await self.sleep(action.seconds)
                    action = gen.send(None)
                    continue
                try:
                    response = await self.http_client.send(
                        action.request, auth=self.settings.auth, follow_redirects=False
                    )
                except httpx.RequestError as exc:
                    action = gen.throw(exc)
                else:
                    action = gen.send(response)
        except StopIteration as stop:
            result: T = stop.value
            return result
        finally:
            gen.close()

    async def request(self, call: Call[T], options: CallOptions = DEFAULT_OPTIONS) -> T:
        """Send one call through the pipeline."""
        return await self.run(pipeline(self.settings, call, options))
