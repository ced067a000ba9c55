"""The one request pipeline, shared by the sync and the async client.

``pipeline()`` is a generator that holds all the policy -- rate limiting, building the request
from the operation's ``ApiRequest`` and the call's options, retries with backoff and ``Retry-After``, logging, status ->
exception mapping, decoding. It never does I/O itself: it *yields* ``Send`` and ``Sleep``
actions and is resumed with the outcome. The transport (``_driver.py``: ``AsyncTransport``,
written once; its sync twin ``SyncTransport`` is generated) performs those two actions with
``httpx.AsyncClient`` + ``asyncio.sleep`` or ``httpx.Client`` + ``time.sleep``. The same trick
runs multi-step operations (``register(if_exists="return")``): see ``Plan`` in ``_resource.py``.

Every client has its own ``_Settings`` (what the pipeline needs from its ``ClientOptions``) and
its own transport; clients made by ``with_options`` share the ``Connection`` (the HTTP client,
and the event loop an async one is bound to).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Generator
from typing import Any, Generic, TypeVar

import attrs
import httpx

from . import _attempt, _drift
from ._body import ERROR_BODY_LIMIT, is_truncated
from ._errors import (
    APIError,
    AuthenticationError,
    ClientClosedError,
    DecodeError,
    GoToTrainingError,
    NotFoundError,
    QueueTimeoutError,
    RateLimitError,
    ResponseTooLargeError,
    UnexpectedRedirectError,
    ValidationError,
    credential,
    error_from_response,
    is_bad_location,
    missing_api_root,
    parse_retry_after,
    redact,
    request_of,
    safe_url,
    transport_error,
)
from ._options import DEFAULT_OPTIONS, CallOptions, ClientOptions, merge_headers
from ._ratelimit import RateLimiter, Ticket
from ._retry import MAYBE_APPLIED_STATUSES
from ._types import NOT_GIVEN, NotGiven, TimeoutTypes

__all__ = [
    "ApiRequest",
    "Call",
    "Connection",
    "decode_json",
    "no_content",
    "pipeline",
]

logger = logging.getLogger("gototraining")
T = TypeVar("T")


class ApiRequest:
    """One spec operation's request, built by ``_generated.requests`` (generated from the spec).

    ``path`` is below the base URL, with its parameters filled in; ``template`` the spec's path
    with its parameters named (``/organizers/{organizerKey}/trainings``: what logs group by);
    ``json`` the body, if any.
    """

    __slots__ = ("json", "method", "operation", "path", "template")

    def __init__(
        self,
        operation: str,
        method: str,
        path: str,
        json: Any = None,
        *,
        template: str | None = None,
    ) -> None:
        self.operation = operation
        self.method = method
        self.path = path
        self.json = json
        self.template = path if template is None else template

    def __repr__(self) -> str:
        return f"ApiRequest({self.operation!r}, {self.method!r}, {self.path!r})"


class Call(Generic[T]):
    """One API operation, ready to send.

    Attributes:
        request: the operation's method, path and body (``_generated.requests``: the spec defines the
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

    # Plain and slotted like Send and Sleep below: an attrs class costs ~0.5 ms of import.
    __slots__ = ("decode", "redirect_is_result", "replay_404_is_success", "replay_safe", "request")

    request: ApiRequest
    decode: Callable[[httpx.Response], T]
    replay_safe: bool | None
    redirect_is_result: bool
    replay_404_is_success: bool

    def __init__(
        self,
        request: ApiRequest,
        decode: Callable[[httpx.Response], T],
        replay_safe: bool | None = None,
        redirect_is_result: bool = False,
        replay_404_is_success: bool = False,
    ) -> None:
        object.__setattr__(self, "request", request)
        object.__setattr__(self, "decode", decode)
        object.__setattr__(self, "replay_safe", replay_safe)
        object.__setattr__(self, "redirect_is_result", redirect_is_result)
        object.__setattr__(self, "replay_404_is_success", replay_404_is_success)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Call is immutable (cannot set {name!r})")

    def __repr__(self) -> str:
        return (
            f"Call({self.request!r}, replay_safe={self.replay_safe!r}, "
            f"redirect_is_result={self.redirect_is_result!r}, "
            f"replay_404_is_success={self.replay_404_is_success!r})"
        )

    @property
    def operation(self) -> str:
        """The spec's operationId (for logs)."""
        return self.request.operation


def decode_json(decoder: Callable[[Any], T]) -> Callable[[httpx.Response], T]:
    """Wrap a JSON decoder from ``_generated.models`` into a response decoder."""

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
    """Decoder for 204 operations: no body, or a JSON one (ignored).

    Anything else on a 2xx -- typically a proxy's or captive portal's HTML login page
    answering 200 -- is a ``DecodeError``: the API did not answer, so nothing says the request
    was applied.
    """
    content = response.content
    if not content or not 200 <= response.status_code < 300:
        return
    content_type = response.headers.get("content-type", "")
    if "json" in content_type.lower():
        try:
            json.loads(content)
        except (ValueError, RecursionError):
            pass
        else:
            return
    raise DecodeError(
        f"expected no content, got {len(content):,} bytes of {content_type or 'unknown type'} "
        f"with {response.status_code} (a proxy or login page answering instead of the API?); "
        "the request may or may not have been applied",
        response=response,
    )


# Send, Sleep and _Settings are internal and plain slotted classes, not attrs classes: each
# attrs class costs ~0.3 ms of ``import gototraining``, and these need none of attrs'
# generated methods.


class Send:
    """Action: send this request and resume the pipeline with the response, its body read
    (at most ``max_response_size`` bytes for a 2xx, 64 KiB otherwise: a longer body is cut
    one byte past the limit). ``timeouts``: the request's httpx timeouts, restored before
    every attempt; the largest of them (``budget``) is the attempt's deadline."""

    __slots__ = ("budget", "request", "timeouts")

    def __init__(
        self, request: httpx.Request, timeouts: dict[str, float | None] | None = None
    ) -> None:
        self.request = request
        self.timeouts = timeouts
        self.budget = _attempt.budget(timeouts)

    def __repr__(self) -> str:
        return f"Send(request={self.request!r})"


class Sleep:
    """Action: sleep this many seconds, then resume the pipeline."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __repr__(self) -> str:
        return f"Sleep(seconds={self.seconds!r})"


Action = Send | Sleep


class _Settings:
    """What a pipeline needs from its client's ``ClientOptions`` (built once per client). Also
    the client's party in a shared ``RateLimiter``.

    ``timeout`` is what every request passes to ``build_request``: ``NOT_GIVEN`` when the HTTP
    client already carries the client's timeout (one the SDK made with it).
    """

    __slots__ = (
        "auth",
        "base_url",
        "build_request",
        "drift_recorder",
        "headers",
        "limiter",
        "max_queue_wait",
        "max_response_size",
        "organizer_key",
        "refused_at_once",
        "retry",
        "strict",
        "timeout",
    )

    def __init__(
        self,
        options: ClientOptions,
        build_request: Callable[..., httpx.Request],
        timeout: TimeoutTypes | NotGiven,
    ) -> None:
        self.base_url = options.base_url
        self.auth = options.auth
        # An auth that knows when it is sure to fail (``OAuth2``: a refused grant, a logout).
        self.refused_at_once: Callable[[], BaseException | None] | None = getattr(
            options.auth, "_refused_at_once", None
        )
        self.retry = options.retry_policy
        self.limiter = options.rate_limiter
        self.max_queue_wait = options.max_queue_wait
        self.organizer_key = options.organizer_key
        self.headers = options.headers()
        self.timeout = timeout
        self.build_request = build_request
        self.max_response_size = options.max_response_size
        self.strict = options.strict
        self.drift_recorder = (
            None if options.record_drift is None else _drift.DriftRecorder(options.record_drift)
        )

    def body_limit(self, status: int) -> int:
        """How many body bytes to read for a response with this status."""
        return self.max_response_size if 200 <= status < 300 else ERROR_BODY_LIMIT

    def secrets(self) -> tuple[str | None, ...]:
        """Secrets the auth knows besides the request's own header (redacted from errors)."""
        known = getattr(self.auth, "_secrets", None)
        return tuple(known()) if callable(known) else ()

    def rejected_hint(self) -> str:
        """What to do when the API refuses the token (the auth knows best; see ``_auth``)."""
        hint = getattr(self.auth, "_rejected_hint", None)
        if callable(hint):
            return str(hint())
        return "the API refused the credentials: check that the access token is current"

    def __repr__(self) -> str:
        return (
            f"_Settings(base_url={self.base_url!r}, auth={self.auth!r}, retry={self.retry!r}, "
            f"limiter={self.limiter!r}, headers={self.headers!r}, timeout={self.timeout!r})"
        )


class UnusableRedirect(Exception):
    """Thrown into a pipeline when httpx rejected a redirect's ``Location`` (``mailto:``,
    ``javascript:``, ``data:``, control characters) and discarded the response: ``request``
    is the request that was answered so (the API request, or a token request)."""

    def __init__(self, request: httpx.Request) -> None:
        self.request = request
        super().__init__("redirect to a Location that is not an http(s) URL")


def _unusable_redirect(
    call: Call[Any], request: httpx.Request, answered: httpx.Request
) -> GoToTrainingError:
    what = "a Location that is not an http(s) URL (e.g. mailto:, javascript:, data:)"
    if answered is not request:
        return UnexpectedRedirectError(
            0,
            f"the token endpoint redirected to {what}; not followed, the API request was not sent",
            method=answered.method,
            url=safe_url(answered.url),
        )
    if call.redirect_is_result:
        return DecodeError(f"the redirect points to {what}")
    return UnexpectedRedirectError(
        0,
        f"unexpected redirect to {what} (not followed; is a proxy or login page in the way?)",
        method=request.method,
        url=safe_url(request.url),
    )


def _with_extra_body(request: ApiRequest, extra: Any) -> dict[str, Any]:
    """The request's JSON object body with ``extra_body``'s fields on top."""
    if request.json is None:
        raise ValidationError("extra_body", f"{request.operation} sends no request body")
    if not isinstance(request.json, dict):
        raise ValidationError(
            "extra_body",
            f"the body of {request.operation} is a JSON {type(request.json).__name__}, "
            "not an object: extra_body adds fields to an object",
        )
    return {**request.json, **extra}


class _NoTurn(Exception):
    """The limiter cannot give the call its turn within what is left of its ``max_queue_wait``
    (``queued``: seconds this attempt waited; ``earliest``: the soonest the turn can come)."""

    def __init__(self, queued: float, earliest: float) -> None:
        self.queued = queued
        self.earliest = earliest


def _take_slot(
    limiter: RateLimiter, party: object, left: float | None
) -> Generator[Action, Any, Ticket]:
    """Wait for a slot of the limiter (fair between its parties; see ``_ratelimit``), at most
    ``left`` seconds (``None``: as long as it takes): ``_NoTurn`` as soon as the slot cannot
    come in time, or when the time is up."""
    ticket = limiter.acquire(party)
    try:
        while (wait := ticket.wait()) > 0:
            if left is not None:
                remaining = left - ticket.waited
                if remaining <= 0 or ticket.earliest > remaining:
                    raise _NoTurn(ticket.waited, ticket.earliest)
                wait = min(wait, remaining)
            yield Sleep(wait)
    except BaseException:  # closed while sleeping (cancelled, interrupted), or no turn in time
        ticket.cancel()
        raise
    return ticket


def _queue_budget(settings: _Settings, options: CallOptions, send: Send) -> float | None:
    """How long the call may wait for the quota: the call's ``max_queue_wait``, else the
    client's, else the call's timeout (its deadline per attempt; ``None``: no bound)."""
    if not isinstance(options.max_queue_wait, NotGiven):
        return options.max_queue_wait
    if not isinstance(settings.max_queue_wait, NotGiven):
        return settings.max_queue_wait
    return send.budget


def _soonest(earliest: float) -> str:
    return f"the soonest turn is {earliest:.2f} s away" if earliest > 0 else "the turn is due"


def _quota_note(quota: bool, waited: float, budget: float | None) -> str:
    """What a retry line says about the call's wait for the quota (nothing for other retries)."""
    if not quota:
        return ""
    of = "no limit" if budget is None else f"of {budget:g} s"
    return f" (waiting for the quota: {waited:.2f} s {of})"


def _duration(seconds: float) -> str:
    """``2.5 ms`` or ``40.01 s``: log lines report waits and round trips alike."""
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _decode(call: Call[T], response: httpx.Response, settings: _Settings) -> T:
    """``call.decode(response)`` as the client decodes (strict or tolerant, see ``_drift``),
    then the drift reported. A ``DecodeError`` ends with the operation and its path template
    (the filled-in path may hold keys; the template never does); it quotes the body or its
    content type, which a hostile server may fill with the credential it was sent: redacted
    like API errors."""
    try:
        with _drift.decoding(
            call.operation, strict=settings.strict, recorder=settings.drift_recorder
        ) as drift:
            result = call.decode(response)
    except DecodeError as exc:
        secrets = (credential(response.request), *settings.secrets())
        message, path = redact(str(exc), *secrets), redact(exc.path, *secrets)
        request = call.request
        exc.args = (f"{message} ({request.operation}: {request.method} {request.template})",)
        exc.path = path
        raise
    _drift.report(drift)
    return result


class _Tally:
    """What the error of a call reports about it: requests sent, and whether the answer that
    failed it came to a replay of an attempt that may have been applied."""

    __slots__ = ("replayed", "sent")

    def __init__(self) -> None:
        self.sent = 0
        self.replayed = False


def pipeline(
    settings: _Settings, call: Call[T], options: CallOptions = DEFAULT_OPTIONS
) -> Generator[Action, Any, T]:
    """The request pipeline as a generator of I/O actions (see the module docstring). Every
    error it raises names the operation and how often the request was sent."""
    tally = _Tally()
    try:
        return (yield from _pipeline(settings, call, options, tally))
    except GoToTrainingError as exc:
        exc.operation = call.operation
        exc.attempts = tally.sent
        if isinstance(exc, APIError):
            exc.replayed = tally.replayed
        raise


def _pipeline(
    settings: _Settings, call: Call[T], options: CallOptions, tally: _Tally
) -> Generator[Action, Any, T]:
    """The steps of a call, in order: build the request once; then per attempt fail at once
    if the auth is sure to fail, wait for a turn in the limiter, send, and either accept the answer or decide whether (and after
    how long) to try again."""
    request = _build_request(settings, call, options)
    send = Send(request, request.extensions.get("timeout"))
    state = _CallState(settings, call, options, send)
    while True:
        _refuse_if_doomed(settings)
        queued = yield from _wait_for_turn(settings, state, request)
        started = time.perf_counter()
        tally.sent += 1
        try:
            response: httpx.Response = yield send
        except UnusableRedirect as bad:
            raise _unusable_redirect(call, request, bad.request) from None
        except httpx.RequestError as exc:
            delay = _retry_after_failure(settings, state, request, exc, started, queued)
            yield Sleep(delay)
            continue
        elapsed = time.perf_counter() - started
        tally.replayed = state.maybe_applied  # the answer is to a replay of a maybe-applied one
        _log_answer(state, response, elapsed, queued)
        if _is_result(call, response, state, elapsed, queued):
            return _accept(settings, call, response)
        delay = _retry_after_status(settings, state, request, response, elapsed, queued)
        yield Sleep(delay)


def _build_request(settings: _Settings, call: Call[Any], options: CallOptions) -> httpx.Request:
    """The call's ``httpx.Request``: the operation's, with the call's extra headers, query
    and body fields, and its timeout (else the client's)."""
    body = call.request.json
    headers = settings.headers
    if options.extra_headers is not None:
        headers = merge_headers(headers, options.extra_headers)
    if options.extra_body is not None:
        body = _with_extra_body(call.request, options.extra_body)
    timeout = settings.timeout if isinstance(options.timeout, NotGiven) else options.timeout
    return settings.build_request(
        call.request.method,
        settings.base_url + call.request.path,
        json=body,
        params=options.extra_query,
        headers=headers,
        # NotGiven -> the httpx client's own default timeout
        **({} if isinstance(timeout, NotGiven) else {"timeout": timeout}),
    )


class _CallState:
    """What a call's attempts have in common and what they have used so far: the retry
    policy (with the call's ``max_retries``), the quota budget and how much of it is spent,
    retry counts, and whether an earlier attempt may have been applied."""

    __slots__ = (
        "attempt",
        "budget",
        "fields",
        "idempotent",
        "maybe_applied",
        "method",
        "path",
        "retry",
        "throttled",
        "ticket",
        "waited",
    )

    def __init__(
        self, settings: _Settings, call: Call[Any], options: CallOptions, send: Send
    ) -> None:
        retry = settings.retry
        if (
            not isinstance(options.max_retries, NotGiven)
            and options.max_retries != retry.max_retries
        ):
            retry = attrs.evolve(retry, max_retries=options.max_retries)
        self.retry = retry
        self.method = call.request.method
        self.path = call.request.path
        self.budget = _queue_budget(settings, options, send)
        # Seconds the call has waited for the quota: its turns in the limiter, and the pauses
        # 429s and Retry-After asked for. Within ``budget``: queue time is part of the call.
        self.waited = 0.0
        # None: the retry policy decides by the method; True/False: the Call knows better.
        self.idempotent = call.replay_safe
        self.attempt = 0  # retries so far (the backoff grows with it)
        self.throttled = (
            0  # ... of which after a 429 (own budget: max_queue_wait, rate_limit_retries)
        )
        # An earlier attempt may have been applied although we got no (good) answer to it.
        self.maybe_applied = False
        self.ticket: Ticket | None = None  # this attempt's turn in the limiter
        # Every log record carries these as attributes (``extra``): JSON logs and per-tenant
        # filters read them, no regex over the message.
        self.fields: dict[str, Any] = {
            "operation": call.operation,
            "method": self.method,
            "path_template": call.request.template,
            "organizer_key": settings.organizer_key,
        }

    def extra(self, **values: Any) -> dict[str, Any]:
        """A log record's attributes for this attempt."""
        return {**self.fields, "attempt": self.attempt + 1, **values}


def _refuse_if_doomed(settings: _Settings) -> None:
    """Fail before the turn in the limiter when the auth is sure to fail (a refused grant, a
    logout): waiting would cost the caller time and others a slot of a shared quota."""
    refused_at_once = settings.refused_at_once
    if refused_at_once is not None and (error := refused_at_once()) is not None:
        raise error


def _wait_for_turn(
    settings: _Settings, state: _CallState, request: httpx.Request
) -> Generator[Action, Any, float]:
    """Take the attempt's turn in the limiter (if any) within what is left of the quota
    budget; the seconds it waited. ``QueueTimeoutError`` (not sent) when no turn comes in
    time."""
    state.ticket = None
    limiter = settings.limiter
    if limiter is None:
        return 0.0
    budget = state.budget
    left = None if budget is None else budget - state.waited
    try:
        ticket = yield from _take_slot(limiter, settings, left)
    except _NoTurn as late:
        state.waited += late.queued
        assert budget is not None
        no_turn = QueueTimeoutError(
            f"not sent: no turn in the rate limiter within max_queue_wait ({budget:g} s; "
            f"waited {state.waited:.2f} s, {_soonest(late.earliest)})",
            method=state.method, url=safe_url(request.url), waited=state.waited,
            max_queue_wait=budget, retry_after=late.earliest, maybe_sent=state.maybe_applied,
        )  # fmt: skip
        logger.info(
            "%s %s %s", state.method, state.path, no_turn,
            extra=state.extra(status=None, elapsed=None, queued=state.waited),
        )  # fmt: skip
        raise no_turn from None
    state.ticket = ticket
    state.waited += ticket.waited
    return ticket.waited


def _retry_after_failure(
    settings: _Settings,
    state: _CallState,
    request: httpx.Request,
    exc: httpx.RequestError,
    started: float,
    queued: float,
) -> float:
    """An attempt got no (complete) answer: the seconds to wait before the next one, or its
    ``TransportError`` raised when it is not retried."""
    elapsed = time.perf_counter() - started
    method, retry = state.method, state.retry
    failed = request_of(exc)
    secrets = (credential(request), *settings.secrets())
    token_failed = failed is not None and failed is not request
    if failed is not None and token_failed:  # the token request failed
        error = transport_error(
            exc, failed.method, safe_url(failed.url), *secrets, token_request=True
        )
        retryable = True  # nothing reached the API
    else:
        error = transport_error(exc, method, safe_url(request.url), *secrets)
        retryable = retry.should_retry_exception(method, exc, idempotent=state.idempotent)
    if not (state.attempt - state.throttled < retry.max_retries and retryable):
        raise error from exc
    state.maybe_applied = state.maybe_applied or error.maybe_sent
    delay = retry.backoff(state.attempt)
    logger.info(
        "%s %s failed after %s, queued %s (%s, attempt %d); retrying in %.2f s",
        method, state.path, _duration(elapsed), _duration(queued), type(exc).__name__,
        state.attempt + 1, delay,
        extra=state.extra(status=None, elapsed=elapsed, queued=queued, retry_in=delay,
                          error=type(exc).__name__),
    )  # fmt: skip
    state.attempt += 1
    return delay


def _log_answer(state: _CallState, response: httpx.Response, elapsed: float, queued: float) -> None:
    logger.debug(
        "%s %s -> %d in %s, queued %s (attempt %d, %s)",
        state.method,
        state.path,
        response.status_code,
        _duration(elapsed),
        _duration(queued),
        state.attempt + 1,
        state.fields["operation"],
        extra=state.extra(status=response.status_code, elapsed=elapsed, queued=queued),
    )


def _is_result(
    call: Call[Any], response: httpx.Response, state: _CallState, elapsed: float, queued: float
) -> bool:
    """Whether the answer is the call's result: a 2xx (a 3xx for a redirect that is the
    result), or a 404 to a replay of a DELETE whose first attempt may have been applied."""
    status = response.status_code
    if 200 <= status < 300 or (call.redirect_is_result and 300 <= status < 400):
        return True
    if status == 404 and state.maybe_applied and call.replay_404_is_success:
        logger.info(
            "%s %s -> 404 on a replay after a lost response: the earlier attempt was "
            "applied (%s); treating as success",
            state.method,
            state.path,
            call.operation,
            extra=state.extra(status=status, elapsed=elapsed, queued=queued),
        )
        return True
    return False


def _accept(settings: _Settings, call: Call[T], response: httpx.Response) -> T:
    """The result decoded from the answer (a body cut at its limit is an error)."""
    status = response.status_code
    success = 200 <= status < 300 or (call.redirect_is_result and 300 <= status < 400)
    if success and is_truncated(response):  # (a 404 taken as success is an error body)
        raise ResponseTooLargeError(settings.body_limit(status), response=response)
    return _decode(call, response, settings)


def _retry_after_status(
    settings: _Settings,
    state: _CallState,
    request: httpx.Request,
    response: httpx.Response,
    elapsed: float,
    queued: float,
) -> float:
    """The API answered with an error: the seconds to wait before the next attempt, or its
    ``APIError`` raised when it is not retried (``QueueTimeoutError`` when the wait it asks
    for would overrun the quota budget)."""
    method, path, retry, budget = state.method, state.path, state.retry, state.budget
    status = response.status_code
    err: APIError = error_from_response(response, *settings.secrets())
    if isinstance(err, AuthenticationError):
        err.hint = settings.rejected_hint()
    elif isinstance(err, NotFoundError):
        err.hint = missing_api_root(settings.base_url)
    retry_after = err.retry_after if isinstance(err, RateLimitError) else None
    if retry_after is None:  # 503s may carry Retry-After too
        retry_after = parse_retry_after(response.headers.get("retry-after"))
    if retry_after is not None:
        retry_after = min(retry_after, retry.retry_after_cap)
    if status == 429 and settings.limiter is not None:
        settings.limiter.throttled(state.ticket, retry_after)
    budget_left = (
        retry.retries_rate_limit(state.throttled)
        if status == 429
        else state.attempt - state.throttled < retry.max_retries
    )
    if not (budget_left and retry.should_retry_status(method, status, idempotent=state.idempotent)):
        raise err
    state.maybe_applied = state.maybe_applied or status in MAYBE_APPLIED_STATUSES
    state.throttled += status == 429
    delay = retry.backoff(state.attempt, retry_after)
    # A pause a 429 or a Retry-After asks for is a wait for the quota: it counts against
    # the budget, and one that would overrun it is not slept through first.
    quota = status == 429 or retry_after is not None
    if quota and budget is not None and state.waited + delay > budget:
        what = "Retry-After" if retry_after is not None else "backoff"
        too_long = QueueTimeoutError(
            f"not sent again: {status} asks to wait {delay:.2f} s ({what}), more than "
            f"is left of max_queue_wait ({max(budget - state.waited, 0.0):.2f} of {budget:g} s)",
            method=method, url=safe_url(request.url), waited=state.waited,
            max_queue_wait=budget, retry_after=delay, maybe_sent=state.maybe_applied,
        )  # fmt: skip
        logger.info(
            "%s %s -> %d (attempt %d); %s", method, path, status, state.attempt + 1, too_long,
            extra=state.extra(status=status, elapsed=elapsed, queued=state.waited),
        )  # fmt: skip
        raise too_long from err
    if quota:
        state.waited += delay
    logger.info(
        "%s %s -> %d (attempt %d); retrying in %.2f s%s",
        method, path, status, state.attempt + 1, delay, _quota_note(quota, state.waited, budget),
        extra=state.extra(status=status, elapsed=elapsed, queued=queued, retry_in=delay),
    )  # fmt: skip
    state.attempt += 1
    return delay


_CLOSED = "this client was closed; create a new one"


def _begin_attempt(send: Send, *, closed: bool) -> tuple[httpx.Request, _attempt.Attempt, Any]:
    """Refuse a closed client; restore the request's timeouts (the auth flow may have cut them
    to the deadline in an earlier attempt); start the attempt (``_attempt.finish`` it)."""
    if closed:
        raise ClientClosedError(_CLOSED)
    request = send.request
    if send.timeouts is not None and request.extensions.get("timeout") is not send.timeouts:
        request.extensions["timeout"] = send.timeouts
    attempt, token = _attempt.start(send.budget)
    return request, attempt, token


def _send_error(
    exc: Exception,
    client: httpx.Client | httpx.AsyncClient,
    request: httpx.Request,
    attempt: _attempt.Attempt,
) -> Exception | None:
    """What to raise instead of an exception from ``send`` that is no transport failure
    (``None``: raise it as it is): a ``Location`` httpx rejected, or the client closed by
    another thread or task meanwhile."""
    if isinstance(exc, httpx.InvalidURL | httpx.RemoteProtocolError):
        if is_bad_location(exc):
            return UnusableRedirect(attempt.token_request or request)
    elif client.is_closed:
        return ClientClosedError(_CLOSED)
    return None


HTTPClient = TypeVar("HTTPClient", httpx.Client, httpx.AsyncClient)


class Connection(Generic[HTTPClient]):
    """An HTTP client, and what every client sending with it shares (``with_options`` copies):
    whether it has the deadline network backend, the timeout it was made with (``NOT_GIVEN``
    for a user's client), and the event loop an async one is bound to."""

    __slots__ = ("deadline_backend", "http_client", "loop", "timeout")

    def __init__(
        self,
        http_client: HTTPClient,
        *,
        deadline_backend: bool = False,
        timeout: TimeoutTypes | NotGiven,
    ) -> None:
        self.http_client: HTTPClient = http_client
        self.deadline_backend = deadline_backend
        self.timeout = timeout
        self.loop: object = None

    def settings(self, options: ClientOptions) -> _Settings:
        """A client's pipeline settings: its options, sent with this HTTP client."""
        timeout = options.timeout
        if timeout == self.timeout:  # the HTTP client carries it already
            timeout = NOT_GIVEN
        return _Settings(options, self.http_client.build_request, timeout)
