"""What every resource namespace shares: the sync and async bases the generated classes extend,
and the types hand-written builders return.

``gototraining/resources/`` is generated (``scripts/facade_codegen``): per namespace a sync and
an async class whose methods are one line each -- build the operation (a ``Call``, a ``Plan``
or a ``Download``) and hand it, with the call's ``CallOptions``, to one of the runners below.
The builders are generated too where ``openapi/facade.yaml`` describes the operation alone, or
hand-written in ``gototraining/_builders/``. A ``Plan`` is a multi-step operation written as a
generator that composes pipelines with ``yield from``; the sync and async transports drive it
the same way they drive a single call.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

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
    "SyncResource",
    "run_call",
    "utc_z",
]

T = TypeVar("T")

#: A GoTo key: an int, or a string of digits (as the API returns them).
Key: TypeAlias = int | str


class Context:
    """What a ``Plan`` runs with: the client's transport settings and the call's options."""

    __slots__ = ("options", "settings")

    def __init__(self, settings: _Settings, options: CallOptions) -> None:
        self.settings = settings
        self.options = options


#: A multi-step operation: given the context, a generator of I/O actions.
Plan: TypeAlias = Callable[[Context], Generator[Action, Any, T]]


def run_call(context: Context, call: Call[T]) -> Generator[Action, Any, T]:
    """Use inside a ``Plan``: ``result = yield from run_call(context, call)``."""
    return pipeline(context.settings, call, context.options)


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
    """Base of the sync resource namespaces (``client.trainings`` etc.)."""

    def __init__(self, client: GoToTraining) -> None:
        self._client = client

    @property
    def _organizer_key(self) -> str:
        return self._client.organizer_key

    def _request(self, call: Call[T], options: CallOptions) -> T:
        return self._client._transport.request(call, options)

    def _run(self, plan: Plan[T], options: CallOptions) -> T:
        transport = self._client._transport
        return transport.run(plan(Context(transport.settings, options)))

    def _download(self, download: Download, options: CallOptions) -> Path:
        url = self._request(download.call, options)
        return sync_download(self._client.http_client, url, download.target, options.timeout)


class AsyncResource:
    """Base of the async resource namespaces; same surface as ``SyncResource``, awaited."""

    def __init__(self, client: AsyncGoToTraining) -> None:
        self._client = client

    @property
    def _organizer_key(self) -> str:
        return self._client.organizer_key

    async def _request(self, call: Call[T], options: CallOptions) -> T:
        return await self._client._transport.request(call, options)

    async def _run(self, plan: Plan[T], options: CallOptions) -> T:
        transport = self._client._transport
        return await transport.run(plan(Context(transport.settings, options)))

    async def _download(self, download: Download, options: CallOptions) -> Path:
        url = await self._request(download.call, options)
        return await async_download(self._client.http_client, url, download.target, options.timeout)
