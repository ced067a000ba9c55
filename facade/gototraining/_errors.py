"""The exception hierarchy and the single status -> exception mapping table.

```text
GoToTrainingError
├── ValidationError (also ValueError)   bad input, raised before any request is sent
├── ClientClosedError (also RuntimeError)  a call on a closed client
├── WrongEventLoopError (also RuntimeError)  an async client used from a second event loop
├── TokenSaveError                      ``on_token_refresh`` could not save refreshed tokens
├── RateLimitStoreError                 a shared quota's store cannot be used (at start)
├── DecodeError                         a 2xx body without a usable meaning (strict: any
│   │                                   deviation from the documented shape)
│   ├── ResponseTooLargeError           a body larger than the client reads
│   └── TokenResponseError              a token endpoint's 200 answer that is no token set
├── MissingFieldError (also AttributeError)  reading a field the API's answer lacked
├── TransportError                      no complete HTTP response (``maybe_sent``)
│   ├── APIConnectionError              could not connect, or the connection broke
│   └── APITimeoutError                 connect/read/write/pool timeout
│       └── QueueTimeoutError           no turn within ``max_queue_wait``: not sent
└── APIError                            the API answered with an error status
    ├── UnexpectedRedirectError         3xx where the operation does not document one
    ├── BadRequestError                 400 (and any other unmapped 4xx)
    ├── AuthenticationError             401, and 403 whose body says the token is invalid
    ├── PermissionDeniedError           403
    ├── NotFoundError                   404
    ├── ConflictError                   409
    ├── RateLimitError                  429 (``retry_after`` in seconds, if the API said)
    └── ServerError                     >= 500
```

``DriftWarning`` (a ``UserWarning``, not an exception of this tree) reports an answer that strays
from the spec but keeps its meaning: it reaches the caller as data.

This module is a leaf: it imports nothing else of the package, and it owns every translation
of what went wrong into these classes -- an error response (``error_from_response``, also for
the token endpoint), an ``httpx`` failure (``transport_error``) -- so the pipeline, the auth
flows and the downloads all report the same thing the same way. An error that is passed on
(to requests waiting for a shared token refresh) is copied with ``copy_error``, keeping every
field, never rebuilt by hand.
"""

from __future__ import annotations

import email.utils
import json
import math
import re
import time
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, TypeVar

import httpx

__all__ = [
    "STATUS_TO_ERROR",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConflictError",
    "DecodeError",
    "DriftWarning",
    "GoToTrainingError",
    "MissingFieldError",
    "NotFoundError",
    "PermissionDeniedError",
    "QueueTimeoutError",
    "RateLimitError",
    "RateLimitStoreError",
    "ResponseTooLargeError",
    "ServerError",
    "TokenResponseError",
    "TokenSaveError",
    "TransportError",
    "UnexpectedRedirectError",
    "ValidationError",
    "WrongEventLoopError",
    "copy_error",
    "error_from_response",
    "is_bad_location",
    "parse_retry_after",
    "request_of",
    "safe_url",
    "transport_error",
]


class GoToTrainingError(Exception):
    """Base class of every exception this package raises on purpose.

    Attributes:
        operation: the spec's operationId of the API call that failed (``registerForTraining``),
            or ``None`` for an error that is no call's (bad input to a helper, a download's
            file host, a token refresh on its own).
        attempts: how many times that call sent its request, retries included (0: never,
            e.g. refused before sending, or no turn in the rate limiter).
    """

    operation: str | None = None
    attempts: int = 0


class ValidationError(GoToTrainingError, ValueError):
    """An argument was rejected before any request was sent.

    ``param`` names the offending parameter.
    """

    def __init__(self, param: str, message: str) -> None:
        self.param = param
        super().__init__(f"{param}: {message}")


class DecodeError(GoToTrainingError):
    """A successful response whose body does not have the documented shape.

    Raised instead of ``KeyError``/``TypeError`` from the decoders; ``path`` is where in the
    body the problem is (e.g. ``$[3].registrationDate``).
    """

    def __init__(self, message: str, *, path: str = "$", response: httpx.Response | None = None):
        self.path = path
        self.response = response
        super().__init__(f"cannot decode response at {path}: {message}")


class ResponseTooLargeError(DecodeError):
    """A response body larger than the client reads: ``max_response_size`` (a client option,
    default 64 MiB) for successful answers. Counted after decompression, so a small compressed
    body that inflates to gigabytes (a "zip bomb") stops here, having used about ``limit``
    bytes of memory. ``limit`` is that size in bytes. A successful answer to a request that
    changes something means the change was made.
    """

    def __init__(self, limit: int, *, response: httpx.Response | None = None) -> None:
        self.limit = limit
        super().__init__(
            f"the body is larger than {limit:,} bytes (max_response_size); not read further",
            response=response,
        )


class TokenResponseError(DecodeError):
    """The token endpoint answered 200 with something that is no usable token set: not JSON,
    no ``access_token``, a token with characters that cannot be sent, no ``refresh_token``
    where one is required (a login), or an answer larger than 64 KiB. Nothing about the
    credentials is known from it; the API request it was for was not sent.

    ``url`` is the token endpoint without query string or user info. The message never
    contains a token.
    """

    def __init__(self, message: str, *, url: str, response: httpx.Response | None = None):
        self.path = "$"
        self.url = url
        self.response = response
        GoToTrainingError.__init__(self, f"{message} (POST {url})")


class TokenSaveError(GoToTrainingError):
    """``OAuth2``'s ``on_token_refresh`` failed (raised, or an ``async def`` hook was given to
    the sync client): the refreshed tokens were not saved, and the API request that needed
    them was not sent. Its exception is the ``__cause__``.

    The refreshed tokens are valid and kept in memory: the client's next calls use them (and
    the next refresh calls the hook again). The refresh token saved before may no longer be
    valid (GoTo replaces it at every refresh), so save ``token`` (an ``OAuth2Token``; its
    repr hides the secrets) yourself if the next refresh may be far away.
    """

    def __init__(self, message: str, *, token: Any) -> None:
        self.token = token
        super().__init__(message)


class ClientClosedError(GoToTrainingError, RuntimeError):
    """A call on a client after ``close()`` / ``aclose()`` (or whose ``http_client`` was
    closed). Nothing was sent. Create a new client."""


class MissingFieldError(GoToTrainingError, AttributeError):
    """Reading a field that the API's answer did not carry in a usable form: it was missing,
    ``null``, or of a type that cannot be converted without losing its meaning.

    Tolerant decoding (the default) hands such an answer over as a model; only reading the
    lost field raises. An ``AttributeError``, so ``getattr(model, name, None)`` and
    ``hasattr`` work. The model's ``drift`` lists every deviation.

    Attributes:
        model: the model's class name, e.g. ``"Training"``.
        field: the attribute that was read, e.g. ``"name"``.
        operation: the spec's operationId of the call that answered, e.g. ``"getAllTrainings"``.
        path: where in the answer the value was expected, e.g. ``$[3].name``.
        kind: what was wrong with it (``"missing"``, ``"null"``, ``"wrong type"``, ``"empty"``).
    """

    def __init__(
        self, *, model: str, field: str, operation: str, path: str, kind: str, obj: object = None
    ) -> None:
        self.model = model
        self.field = field
        self.operation = operation
        self.path = path
        self.kind = kind
        super().__init__(
            f"{model}.{field} is not available: the answer to {operation} had no usable value "
            f"at {path} ({kind}); see the model's .drift",
            name=field,
            obj=obj,
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _missing_field_error,
            (self.model, self.field, self.operation, self.path, self.kind),
        )


def _missing_field_error(
    model: str, field: str, operation: str, path: str, kind: str
) -> MissingFieldError:
    return MissingFieldError(model=model, field=field, operation=operation, path=path, kind=kind)


class DriftWarning(UserWarning):
    """An answer strayed from the spec but kept its meaning, and reached the caller as data.

    Emitted once per process for each operation, JSON path (indices as ``[*]``) and kind of
    deviation; the models carry the details in ``drift``. ``strict=True`` (a client option)
    turns every deviation into a ``DecodeError`` instead. Filter it like any warning:

    ```python
    warnings.filterwarnings("ignore", category=gototraining.DriftWarning)
    ```
    """


class WrongEventLoopError(GoToTrainingError, RuntimeError):
    """An ``AsyncGoToTraining`` used from an event loop other than the one it was first used
    in: its pooled connections belong to that loop. Nothing was sent. Create one client per
    event loop (e.g. inside the coroutine passed to ``asyncio.run``)."""


class RateLimitStoreError(GoToTrainingError):
    """The store that keeps a shared quota (``RateLimiter.shared``, ``GOTO_RATE_LIMIT_URL``)
    cannot be used: unreachable, refusing the credentials, a file that is not private, or the
    ``redis`` package missing. Raised when the limiter is made -- before any API request.
    (A store that fails *later* raises nothing: each process paces itself until it is back.)

    ``url`` is the store's URL with any password hidden.
    """

    def __init__(self, message: str, *, url: str) -> None:
        self.url = url
        super().__init__(f"{message} ({url})")


class TransportError(GoToTrainingError):
    """No (complete) HTTP response was received; the ``httpx`` exception is the ``__cause__``.

    Attributes:
        method: the HTTP method.
        url: the request URL without query string or user info.
        maybe_sent: ``False`` when the request provably never left this machine (could not
            connect, connect or pool timeout, a request httpx refused to send): nothing
            happened, repeating it is safe. ``True`` when it may have reached the API (the
            connection broke or timed out while sending or waiting for the response): the
            API may have applied it, so check before repeating a non-idempotent request.
            The message says which it was; the raw ``httpx`` text of protocol errors is never
            copied into it (it can contain header values such as the access token).
    """

    def __init__(self, message: str, *, method: str, url: str, maybe_sent: bool = True) -> None:
        self.method = method
        self.url = url
        self.maybe_sent = maybe_sent
        super().__init__(f"{message} ({method} {url})")


class APIConnectionError(TransportError):
    """The connection failed: it could not be established (DNS, refused, TLS, proxy;
    ``maybe_sent=False``), or it broke before the response was complete (reset, truncated
    body; ``maybe_sent=True``)."""


class APITimeoutError(TransportError):
    """A connect or pool timeout (``maybe_sent=False``), or a write or read timeout
    (``maybe_sent=True``) expired."""


class QueueTimeoutError(APITimeoutError):
    """The call could not get its turn within ``max_queue_wait``: the wait for the quota -- its
    turn in the client's rate limiter, and the pauses a 429 or a ``Retry-After`` asks for --
    would have been longer. Raised as soon as that is certain (a ``Retry-After`` longer than
    what is left, a turn that cannot come in time even at the limiter's full rate), else when
    the budget runs out. The request was not sent (again): a service can shed the load and
    tell its own caller to come back later.

    Attributes (besides ``TransportError``'s):
        waited: seconds the call had waited for the quota when it gave up.
        max_queue_wait: the budget, in seconds.
        retry_after: seconds until a request could go, as far as the client knows (the API's
            ``Retry-After``, or the soonest turn in the limiter); ``None`` if unknown.

    ``maybe_sent`` is ``False`` unless an earlier attempt of the call may have been applied
    (its response lost); the ``RateLimitError`` whose wait was too long is the ``__cause__``.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        url: str,
        waited: float,
        max_queue_wait: float,
        retry_after: float | None = None,
        maybe_sent: bool = False,
    ) -> None:
        self.waited = waited
        self.max_queue_wait = max_queue_wait
        self.retry_after = retry_after
        super().__init__(message, method=method, url=url, maybe_sent=maybe_sent)


class APIError(GoToTrainingError):
    """The API answered with an error status.

    Attributes:
        status: the HTTP status code.
        error_code: ``errorCode`` or ``int_err_code`` from the body, if any.
        message: ``description``/``msg`` from the body, else the raw body text (truncated).
        method: the HTTP method.
        url: the request URL without query string or user info.
        incident: the ``incident`` id from the body, if any (quote it to GoTo support).
        request_id: an ``X-Request-Id``-style response header, if any.
        body: the parsed JSON body, or the raw text if it was not JSON.
        response: the ``httpx.Response``.
        hint: what the client can tell about the likely cause and what to do (a refused
            token, a ``base_url`` without ``/G2T/rest``), or ``None``; it ends the message.
        replayed: ``True`` when this answer came to a repeat of an attempt whose answer was
            lost (a reset, a timeout, 502/503/504): that attempt may have been applied. A 409
            ``ConflictError`` that is ``replayed`` may be the call's own earlier success.
        operation, attempts: the call's (see ``GoToTrainingError``).

    ``str(error)`` ends with the request id when the API sent one (``[request 3f2c...]``):
    quote it to GoTo support with the incident id.
    """

    hint: str | None = None
    replayed: bool = False

    def __init__(
        self,
        status: int,
        message: str,
        *,
        error_code: str | None = None,
        method: str = "",
        url: str = "",
        incident: str | None = None,
        request_id: str | None = None,
        body: Any = None,
        response: httpx.Response | None = None,
    ) -> None:
        self.status = status
        self.error_code = error_code
        self.message = message
        self.method = method
        self.url = url
        self.incident = incident
        self.request_id = request_id
        self.body = body
        self.response = response
        super().__init__(status, message)

    def __str__(self) -> str:
        code = f" {self.error_code}" if self.error_code else ""
        where = f" ({self.method} {self.url})" if self.method else ""
        incident = f" [incident {self.incident}]" if self.incident else ""
        request = f" [request {self.request_id}]" if self.request_id else ""
        msg = " ".join(self.message.split())  # one line, whatever the body looked like
        hint = f" -- {self.hint}" if self.hint else ""
        return f"{self.status}{code}: {msg}{where}{incident}{request}{hint}"


class UnexpectedRedirectError(APIError):
    """3xx from an operation whose documented success is not a redirect (redirects are never
    followed). Typically ``base_url`` is ``http://`` and the server redirects to ``https://``,
    or a proxy redirects to its login page. The request may or may not have been applied.

    ``location`` is the redirect target without query string, fragment or user info (``None``
    if the response had no usable ``Location``). ``status`` is ``0`` when httpx rejected the
    ``Location`` (e.g. ``mailto:``, ``javascript:``, ``data:``) before the response reached the
    SDK, so the exact 3xx is unknown.
    """

    location: str | None = None


class BadRequestError(APIError):
    """400: the API rejected the request's content."""


class AuthenticationError(APIError):
    """401, or 403 with an invalid/expired-token body: the credentials are not accepted.

    ``hint`` says what to do about it; it depends on the client's ``auth``.
    """


class PermissionDeniedError(APIError):
    """403: authenticated, but not allowed to do this."""


class NotFoundError(APIError):
    """404: the organizer, training or registrant does not exist."""


class ConflictError(APIError):
    """409: e.g. the email address is already registered for the training."""


class RateLimitError(APIError):
    """429: too many requests. ``retry_after`` is the server's hint in seconds, if it gave one."""

    retry_after: float | None = None


class ServerError(APIError):
    """5xx: the API failed."""


#: THE mapping table. Statuses not listed map to ``ServerError`` (>= 500), ``BadRequestError`` (4xx),
#: ``UnexpectedRedirectError`` (3xx) or ``APIError`` (anything else).
STATUS_TO_ERROR: Mapping[int, type[APIError]] = MappingProxyType(
    {
        300: UnexpectedRedirectError,
        301: UnexpectedRedirectError,
        302: UnexpectedRedirectError,
        303: UnexpectedRedirectError,
        307: UnexpectedRedirectError,
        308: UnexpectedRedirectError,
        400: BadRequestError,
        401: AuthenticationError,
        403: PermissionDeniedError,
        404: NotFoundError,
        409: ConflictError,
        429: RateLimitError,
        500: ServerError,
        502: ServerError,
        503: ServerError,
        504: ServerError,
    }
)

#: Error codes (``int_err_code``/``errorCode``) meaning "your token is not valid", compared
#: case-insensitively. GoTo's gateway answers 403 (not 401) for these.
INVALID_TOKEN_CODES = frozenset({"invalidtoken", "expiredtoken", "invalid_token", "tokenexpired"})

_REQUEST_ID_HEADERS = ("x-request-id", "x-correlation-id", "x-amzn-requestid")
_MAX_MESSAGE = 500


def safe_url(url: httpx.URL) -> str:
    """The URL without user info, query string or fragment (where secrets could hide)."""
    return str(url.copy_with(query=None, fragment=None, username=None, password=None))


_USERINFO = re.compile(r"(?<=//)[^/?#@\s]*@")


def mask_userinfo(text: str) -> str:
    """``text`` with the user info of any ``scheme://user:password@host`` in it masked."""
    return _USERINFO.sub("***@", text)


def scrub_url(value: str) -> str:
    """A URL string fit for reprs and messages: ``safe_url`` if it parses, else masked."""
    try:
        return safe_url(httpx.URL(value))
    except (httpx.InvalidURL, TypeError, ValueError):
        return mask_userinfo(str(value))


def parse_error_body(response: httpx.Response) -> tuple[Any, str | None, str | None, str | None]:
    """Best-effort ``(body, error_code, message, incident)`` from an error response.

    Both shapes seen in practice are understood: ``{errorCode, description, incident}`` and
    ``{int_err_code, msg}``. Anything else (HTML, plain text, empty) is kept as raw text.
    """
    text = response.text
    try:
        body: Any = json.loads(text) if text.strip() else None
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        return text, None, None, None
    if not isinstance(body, dict):
        return body, None, None, None
    code = body.get("errorCode") or body.get("int_err_code") or body.get("error")
    message = body.get("description") or body.get("msg") or body.get("message")
    message = message or body.get("error_description")
    incident = body.get("incident")
    return (
        body,
        str(code) if code is not None else None,
        str(message) if message is not None else None,
        str(incident) if incident is not None else None,
    )


def is_invalid_token(error_code: str | None) -> bool:
    """Whether an error code says the access token is invalid or expired."""
    return error_code is not None and error_code.lower() in INVALID_TOKEN_CODES


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Parse a ``Retry-After`` header: delta-seconds or an HTTP-date. ``None`` if unusable.

    Negative values and dates in the past give ``0.0``.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
            if when.tzinfo is None:  # an HTTP-date is always GMT; be lenient with sloppy servers
                return None
            seconds = when.timestamp() - (time.time() if now is None else now)
        except (TypeError, ValueError, IndexError, OverflowError):  # a year past 9999, ...
            return None
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def parse_retry_after_header(response: httpx.Response) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or HTTP-date); ``None`` if absent/garbled."""
    return parse_retry_after(response.headers.get("retry-after"))


#: Secrets shorter than this are not redacted (they would match ordinary text), and every
#: substring of a secret this long or longer is: an echo cut anywhere shows no piece of it.
MIN_SECRET_PIECE = 8


def redact(text: str, *secrets: str | None) -> str:
    """``text`` with every piece of 8 or more characters of any of the ``secrets`` replaced
    by ``***`` (a secret that is cut off, e.g. by a server truncating its echo, still leaks
    nothing). Secrets shorter than 8 characters are ignored."""
    size = MIN_SECRET_PIECE
    spans: list[tuple[int, int]] = []
    for secret in secrets:
        if not secret or len(secret) < size or len(text) < size:
            continue
        pieces = {secret[i : i + size] for i in range(len(secret) - size + 1)}
        if len(pieces) <= 64 and not any(piece in text for piece in pieces):
            continue  # the usual case (a short token, no echo), searched in C
        # One pass over the text's 8-character windows: a run of windows that are all pieces
        # of the secret is masked whole (linear in the text, whatever the secret's length).
        start, last = 0, len(text) - size
        while start <= last:
            if text[start : start + size] not in pieces:
                start += 1
                continue
            following = start + 1
            while following <= last and text[following : following + size] in pieces:
                following += 1
            spans.append((start, following - 1 + size))
            start = following
    if not spans:
        return text
    merged: list[tuple[int, int]] = []
    for start, stop in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    out: list[str] = []
    position = 0
    for start, stop in merged:
        out += (text[position:start], "***")
        position = stop
    out.append(text[position:])
    return "".join(out)


def redact_json(value: Any, *secrets: str | None) -> Any:
    """A JSON value with ``redact`` applied to every string in it (keys included)."""
    if isinstance(value, str):
        return redact(value, *secrets)
    if isinstance(value, list):
        return [redact_json(item, *secrets) for item in value]
    if isinstance(value, dict):
        return {redact(str(k), *secrets): redact_json(v, *secrets) for k, v in value.items()}
    return value


def request_of(source: httpx.Response | httpx.RequestError) -> httpx.Request | None:
    """The request a response answers, or a failure is of; ``None`` when httpx knows none (a
    response made by hand, an error raised without one: httpx raises then)."""
    try:
        return source.request
    except RuntimeError:
        return None


def credential(request: httpx.Request) -> str | None:
    """The credential of the request's ``Authorization`` header (after the scheme), if any."""
    value = request.headers.get("authorization")
    return value.partition(" ")[2].strip() or None if value else None


def _dumps(body: Any) -> str:
    try:
        return json.dumps(body)
    except (ValueError, RecursionError):  # deeply nested: re-encoding can exceed the stack
        return f"<unprintable {type(body).__name__}>"


def error_from_response(
    response: httpx.Response, *secrets: str | None, token_endpoint: str | None = None
) -> APIError:
    """Build the right ``APIError`` subclass for an error response (never raises itself).

    Every field that is rendered (message, error code, incident, request id, redirect
    location) and the kept ``body`` have every piece of the request's own credential and of
    ``secrets`` redacted (``redact``) before the message is cut to 500 characters.

    ``token_endpoint``: the response is a token endpoint's, and this is what failed (e.g.
    ``"token refresh failed"``, the start of the message). Its refusals say the credentials
    are not accepted, whatever the status: ``AuthenticationError``, except for what says
    nothing about them -- 429 (``RateLimitError``, with ``retry_after``), 5xx (``ServerError``)
    and redirects (a proxy or login page in the way). The body is not kept (it may echo
    credentials).
    """
    status = response.status_code
    body, code, message, incident = parse_error_body(response)
    cls = STATUS_TO_ERROR.get(status)
    if cls is None:
        if status >= 500:
            cls = ServerError
        elif status >= 400:
            cls = BadRequestError
        elif status >= 300:
            cls = UnexpectedRedirectError
        else:
            cls = APIError
    if status == 403 and is_invalid_token(code):
        cls = AuthenticationError
    if token_endpoint is not None and cls not in (
        RateLimitError,
        ServerError,
        UnexpectedRedirectError,
    ):
        cls = AuthenticationError
    request = request_of(response)
    if request is not None:  # a server echoing our credential must not put it in a message
        secrets = (credential(request), *secrets)
    if not message:
        raw = body if isinstance(body, str) else (_dumps(body) if body is not None else "")
        # redact before cutting: a secret across the cut would otherwise leak its first part
        message = raw or response.reason_phrase or f"HTTP {status}"
    message = _clip(message, secrets)
    if token_endpoint is not None:  # after redaction: the words of the action are no secret
        message = f"{token_endpoint}: {message}"
    code = _clip(code, secrets) if code is not None else None
    incident = _clip(incident, secrets) if incident is not None else None
    body = None if token_endpoint is not None else redact_json(body, *secrets)
    method = request.method if request is not None else ""
    url = safe_url(request.url) if request is not None else ""
    location: str | None = None
    if cls is UnexpectedRedirectError:
        location = _location(response, request)
        if location is not None:
            location = redact(location, *secrets)
        if token_endpoint is not None:
            message = (
                f"{token_endpoint}: the token endpoint redirected to "
                f"{location or 'an unknown location'} (not followed; is a proxy in the way?)"
            )
        else:
            message = (
                f"unexpected redirect to {location or 'an unknown location'} (not followed; "
                "is base_url right, e.g. https:// rather than http://, or is a proxy in the way?)"
            )
    request_id = next(
        (response.headers[h] for h in _REQUEST_ID_HEADERS if h in response.headers), None
    )
    if request_id is not None:
        request_id = _clip(request_id, secrets)
    err = cls(
        status,
        message,
        error_code=code,
        method=method,
        url=url,
        incident=incident,
        request_id=request_id,
        body=body,
        response=response,
    )
    if isinstance(err, RateLimitError):
        err.retry_after = parse_retry_after_header(response)
    if isinstance(err, UnexpectedRedirectError):
        err.location = location
    return err


_E = TypeVar("_E", bound=BaseException)


def copy_error(error: _E) -> _E:
    """A copy of ``error`` with every field (``retry_after``, ``incident``, ``location``,
    notes, ...), to raise again elsewhere -- e.g. in each request that waited for a token
    refresh that failed -- without sharing one exception object (its traceback and notes)
    between threads. Its ``__cause__`` is the original."""
    cls = type(error)
    clone = cls.__new__(cls)
    clone.args = error.args
    clone.__dict__.update(vars(error))
    notes = getattr(error, "__notes__", None)
    if notes is not None:
        clone.__notes__ = list(notes)
    clone.__cause__ = error
    return clone


#: httpx failures that prove the request never left this machine.
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
)


def transport_error(
    exc: httpx.RequestError,
    method: str,
    url: str,
    *secrets: str | None,
    token_request: bool = False,
) -> TransportError:
    """The typed error for an httpx failure, with a message that says what happened.

    The text of ``httpx`` protocol errors is never copied: a ``LocalProtocolError`` quotes the
    offending header value (e.g. ``Bearer <token>``). Other texts (``[Errno 111] Connection
    refused``) are kept, with the ``secrets`` redacted all the same. ``token_request``: the
    failed request is the token request sent before the API request, which was not sent.
    """
    name = type(exc).__name__
    if isinstance(exc, httpx.ProtocolError):
        what = name
    else:
        detail = redact(" ".join(str(exc).split()), *secrets)[:200]
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
    if token_request:
        message = f"refreshing the access token failed: {message}"
        tail, not_sent = "the API request was not sent", True
    return cls(f"{message}; {tail}", method=method, url=url, maybe_sent=not not_sent)


def is_bad_location(exc: Exception) -> bool:
    """Whether httpx raised ``exc`` because a redirect's ``Location`` is no URL it can follow
    (``mailto:``, ``javascript:``, ``data:``, control characters): it then discards the
    response, even with ``follow_redirects=False``."""
    return isinstance(exc, httpx.InvalidURL) or (
        isinstance(exc, httpx.RemoteProtocolError)
        and str(exc).startswith("Invalid URL in location header")
    )


#: The path below the host where GoToTraining's REST API lives (``DEFAULT_BASE_URL`` ends in it).
API_ROOT_PATH = "/G2T/rest"


def missing_api_root(base_url: str) -> str | None:
    """The hint for a 404 from a ``base_url`` without ``/G2T/rest`` (then every path is
    wrong, and the 404 says nothing about the keys); ``None`` for a base URL that has it."""
    if base_url.rstrip("/").endswith(API_ROOT_PATH):
        return None
    return (
        f"base_url {scrub_url(base_url)!r} does not end in {API_ROOT_PATH}; the API's root is "
        f"e.g. https://api.getgo.com{API_ROOT_PATH}. If the base URL is incomplete, every "
        "request gets 404 whatever the keys"
    )


def _clip(text: str, secrets: tuple[str | None, ...]) -> str:
    """``text`` redacted, then cut to 500 characters (in that order: a secret across the cut
    would otherwise leak its first part)."""
    return redact(text, *secrets)[:_MAX_MESSAGE]


def _location(response: httpx.Response, request: httpx.Request | None) -> str | None:
    """The absolute ``Location`` of a redirect, scrubbed by ``safe_url`` (``None`` if unusable)."""
    target = response.headers.get("location")
    if not target:
        return None
    try:
        url = request.url.join(target) if request is not None else httpx.URL(target)
        return safe_url(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        return None
