"""What every resource module shares: the sync/async shells and the helpers that build calls.

A resource is written once as *builder functions* (validate input, pick the generated
operation, build its kwargs with ``_get_kwargs``, choose the decoder) that return a ``Call``
or a ``Plan``. The public sync and async classes are thin shells with identical signatures
that hand the builder's result to their client's transport. A ``Plan`` is a multi-step
operation written as a generator that composes pipelines with ``yield from``; the sync and
async transports drive it the same way they drive a single call.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from .. import _validation as v
from .._transport import Action, Call, _Settings, pipeline

if TYPE_CHECKING:
    from .._client import AsyncGoToTraining, GoToTraining

__all__ = ["AsyncResource", "Key", "Plan", "SyncResource", "mirror_docs", "path_key", "utc_z"]

T = TypeVar("T")

#: A GoTo key: an int, or a string of digits (as the API returns them).
Key: TypeAlias = int | str

#: A multi-step operation: given the transport settings, a generator of I/O actions.
Plan: TypeAlias = Callable[[_Settings], Generator[Action, Any, T]]


def path_key(value: object, name: str) -> int:
    """Validate a key and return it as the ``int`` the generated ``_get_kwargs`` expects
    (which formats it back as a decimal string in the path)."""
    return int(v.key(value, name))


def run_call(settings: _Settings, call: Call[T]) -> Generator[Action, Any, T]:
    """Use inside a ``Plan``: ``result = yield from run_call(settings, call)``."""
    return pipeline(settings, call)


class _ZuluDatetime(datetime):
    """A UTC datetime whose ``isoformat()`` ends in ``Z`` (GoTo's documented format).

    The generated request models serialise with ``isoformat()``; handing them this subclass
    keeps the spec in charge of the field names while we decide the exact date-time spelling.
    """

    def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
        return super().isoformat(sep, timespec).removesuffix("+00:00") + "Z"


def utc_z(value: datetime) -> datetime:
    """An aware datetime, converted to UTC, that serialises as ``...Z``."""
    v = value.astimezone(UTC)
    return _ZuluDatetime(
        v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond, tzinfo=UTC
    )


class SyncResource:
    """Base of the sync resource namespaces (``client.trainings`` etc.)."""

    def __init__(self, client: GoToTraining) -> None:
        self._client = client

    @property
    def _organizer_key(self) -> str:
        return self._client.organizer_key

    def _request(self, call: Call[T]) -> T:
        return self._client._transport.request(call)

    def _run(self, plan: Plan[T]) -> T:
        transport = self._client._transport
        return transport.run(plan(transport.settings))


class AsyncResource:
    """Base of the async resource namespaces; same surface as ``SyncResource``, awaited."""

    def __init__(self, client: AsyncGoToTraining) -> None:
        self._client = client

    @property
    def _organizer_key(self) -> str:
        return self._client.organizer_key

    async def _request(self, call: Call[T]) -> T:
        return await self._client._transport.request(call)

    async def _run(self, plan: Plan[T]) -> T:
        transport = self._client._transport
        return await transport.run(plan(transport.settings))


C = TypeVar("C", bound=type)


def mirror_docs(sync_cls: type) -> Callable[[C], C]:
    """Class decorator: give the async twin's methods the sync methods' docstrings.

    The docstring is written once (on the sync method); the async one cannot drift.
    """

    def decorate(async_cls: C) -> C:
        if not async_cls.__doc__ or async_cls.__doc__ == AsyncResource.__doc__:
            async_cls.__doc__ = (
                f"Async twin of :class:`{sync_cls.__name__}`; every method is awaited."
            )
        for name, func in vars(async_cls).items():
            twin = getattr(sync_cls, name, None)
            if callable(func) and twin is not None and not func.__doc__:
                func.__doc__ = twin.__doc__
        return async_cls

    return decorate
