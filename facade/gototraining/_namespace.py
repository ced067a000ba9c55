"""The base the generated resource namespaces (``client.trainings`` etc.) extend: one-line
methods hand it a ``Call``, a ``Plan``, a ``Download`` or a ``Batch`` (see ``_resource.py``)
with the call's ``CallOptions``, and it runs them with the client's transport.

This is the async original (``AsyncResource``, for ``AsyncGoToTraining``);
``_generated/namespace.py`` (``SyncResource``, for ``GoToTraining``) is generated from it
(``scripts/facade_codegen/unasync.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from ._download import async_download
from ._options import CallOptions
from ._resource import Batch, Context, Download, Plan, RawResponse, raw_call, run_batch_async
from ._transport import Call

if TYPE_CHECKING:
    from ._gototraining import AsyncGoToTraining

__all__ = ["AsyncResource"]

T = TypeVar("T")


class AsyncResource:
    """Base of the resource namespaces of an ``AsyncGoToTraining`` (``client.trainings`` etc.).

    ``raw=True`` (``client.with_raw_response``): every method returns a ``RawResponse``.
    """

    def __init__(self, client: AsyncGoToTraining, *, raw: bool = False) -> None:
        self._client = client
        self._raw = raw

    @property
    def _organizer_key(self) -> str:
        return self._client.organizer_key

    async def _request(self, call: Call[T], options: CallOptions) -> T:
        transport = self._client._transport
        if self._raw:
            return cast(T, await transport.request(raw_call(call), options))
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

    async def _batch(self, batch: Batch[T], options: CallOptions) -> list[T]:
        transport = self._client._transport
        return await run_batch_async(transport, batch, Context(transport.settings, options))
