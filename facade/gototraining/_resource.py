"""What every resource namespace shares: the sync and async bases the generated classes extend,
and the types hand-written builders return.

``gototraining/resources/`` is generated (``scripts/facade_codegen``): per namespace a sync and
an async class whose methods are one line each -- build the operation (a ``Call``, a ``Plan``
or a ``Download``) and hand it, with the call's ``CallOptions``, to one of the runners below.
The builders are generated too where ``openapi/facade.yaml`` describes the operation alone, or
hand-written in ``gototraining/_builders/``. A ``Plan`` is a multi-step operation written as a
generator that composes pipelines with ``yield from context.run(call)``; the sync and async
transports drive it the same way they drive a single call.

``client.with_raw_response.<namespace>`` holds the same resource classes made with
``raw=True``: their runners return a ``RawResponse`` (the ``httpx.Response`` and the parsed
result) instead of the result (the generated ``...WithRawResponse`` classes give them their
types).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeAlias, TypeVar, cast

import httpx

from ._download import Target, async_download, sync_download
from ._options import CallOptions
from ._transport import Action, Call, _Settings, pipeline

if TYPE_CHECKING:
    from ._client import AsyncGoToTraining, GoToTraining

__all__ = [
    "AsyncResource",
    "Context",
    "Download",
    "Key",
    "Plan",
    "RawResponse",
    "SyncResource",
    "async_raw",
    "raw",
    "utc_z",
]

T = TypeVar("T")
P = ParamSpec("P")

#: A GoTo key: an int, or a string of digits (as the API returns them).
Key: TypeAlias = int | str


class RawResponse(Generic[T]):
    """A call's ``httpx.Response`` and its parsed result (``client.with_raw_response``).

    The body has been read (``http_response.content``, ``.json()``, ``.headers`` work); for an
    operation of several requests (``registrants.register(if_exists="return")`` after a 409)
    it is the response the result was parsed from, for ``recordings.download`` the file
    host's (its body went to the file).
    """

    __slots__ = ("http_response", "parsed")

    def __init__(self, http_response: httpx.Response, parsed: T) -> None:
        self.http_response = http_response
        self.parsed = parsed

    @property
    def status_code(self) -> int:
        """The HTTP status code."""
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The response headers."""
        return self.http_response.headers

    def parse(self) -> T:
        """The result the method returns without ``with_raw_response``."""
        return self.parsed

    def __repr__(self) -> str:
        return f"<RawResponse [{self.status_code}] {type(self.parsed).__name__}>"


def _raw_call(call: Call[T]) -> Call[RawResponse[T]]:
    """The call, decoded into a ``RawResponse``."""
    decode = call.decode

    def decode_raw(response: httpx.Response) -> RawResponse[T]:
        return RawResponse(response, decode(response))

    return Call(
        call.request,
        decode_raw,
        replay_safe=call.replay_safe,
        redirect_is_result=call.redirect_is_result,
        replay_404_is_success=call.replay_404_is_success,
    )


class Context:
    """What a ``Plan`` runs with: the client's transport settings and the call's options.

    ``raw`` (``with_raw_response``): keep the response of the last call run in ``response``.
    """

    __slots__ = ("options", "raw", "response", "settings")

    def __init__(self, settings: _Settings, options: CallOptions, *, raw: bool = False) -> None:
        self.settings = settings
        self.options = options
        self.raw = raw
        self.response: httpx.Response | None = None

    def run(self, call: Call[T]) -> Generator[Action, Any, T]:
        """One call of the plan: ``result = yield from context.run(call)``.

        ``extra_body`` goes to the plan's calls that send a body only.
        """
        options = self.options
        if options.extra_body is not None and call.request.json is None:
            options = options._replace(extra_body=None)
        if not self.raw:
            return (yield from pipeline(self.settings, call, options))
        raw = yield from pipeline(self.settings, _raw_call(call), options)
        self.response = raw.http_response
        return raw.parsed


#: A multi-step operation: given the context, a generator of I/O actions.
Plan: TypeAlias = Callable[[Context], Generator[Action, Any, T]]


class Download:
    """A recording download: the call answering the file's URL, and where the file goes."""

    __slots__ = ("call", "target")

    def __init__(self, call: Call[str], target: Target) -> None:
        self.call = call
        self.target = target


class _ZuluDatetime(datetime):
    """A UTC datetime whose ``isoformat()`` ends in ``Z`` (GoTo's documented format).

    The generated request models serialise with ``isoformat()``; handing them this subclass
    keeps the spec in charge of the field names while we decide the exact date-time spelling.
    """

    def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
        return super().isoformat(sep, timespec).removesuffix("+00:00") + "Z"


def utc_z(value: datetime) -> datetime:
    """An aware datetime, converted to UTC, that serialises as ``...Z``."""
    utc = value.astimezone(UTC)
    return _ZuluDatetime(
        utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond, tzinfo=UTC
    )


class SyncResource:
    """Base of the sync resource namespaces (``client.trainings`` etc.).

    ``raw=True`` (``client.with_raw_response``): every method returns a ``RawResponse``.
    """

    def __init__(self, client: GoToTraining, *, raw: bool = False) -> None:
        self._client = client
        self._raw = raw

    @property
    def _organizer_key(self) -> str:
        return self._client.organizer_key

    def _request(self, call: Call[T], options: CallOptions) -> T:
        transport = self._client._transport
        if self._raw:
            return cast(T, transport.request(_raw_call(call), options))
        return transport.request(call, options)

    def _run(self, plan: Plan[T], options: CallOptions) -> T:
        transport = self._client._transport
        context = Context(transport.settings, options, raw=self._raw)
        result = transport.run(plan(context))
        if self._raw:
            assert context.response is not None
            return cast(T, RawResponse(context.response, result))
        return result

    def _download(self, download: Download, options: CallOptions) -> Path:
        url = self._client._transport.request(download.call, options)
        path, response = sync_download(
            self._client.http_client, url, download.target, options.timeout
        )
        return cast(Path, RawResponse(response, path)) if self._raw else path


class AsyncResource:
    """Base of the async resource namespaces; same surface as ``SyncResource``, awaited."""

    def __init__(self, client: AsyncGoToTraining, *, raw: bool = False) -> None:
        self._client = client
        self._raw = raw

    @property
    def _organizer_key(self) -> str:
        return self._client.organizer_key

    async def _request(self, call: Call[T], options: CallOptions) -> T:
        transport = self._client._transport
        if self._raw:
            return cast(T, await transport.request(_raw_call(call), options))
        return await transport.request(call, options)

    async def _run(self, plan: Plan[T], options: CallOptions) -> T:
        transport = self._client._transport
        context = Context(transport.settings, options, raw=self._raw)
        result = await transport.run(plan(context))
        if self._raw:
            assert context.response is not None
            return cast(T, RawResponse(context.response, result))
        return result

    async def _download(self, download: Download, options: CallOptions) -> Path:
        url = await self._client._transport.request(download.call, options)
        path, response = await async_download(
            self._client.http_client, url, download.target, options.timeout
        )
        return cast(Path, RawResponse(response, path)) if self._raw else path


def raw(method: Callable[P, T]) -> Callable[P, RawResponse[T]]:
    """A method of a resource made with ``raw=True``, typed as what it returns."""
    return cast(Callable[P, RawResponse[T]], method)


def async_raw(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[RawResponse[T]]]:
    """Async twin of :func:`raw`."""
    return cast(Callable[P, Awaitable[RawResponse[T]]], method)
