"""What every resource namespace shares: the sync and async bases the generated classes extend,
and the types hand-written builders return.

``gototraining/resources/`` is generated (``scripts/facade_codegen``): per namespace a sync and
an async class whose methods are one line each -- build the operation (a ``Call``, a ``Plan``
or a ``Download``) and hand it, with the call's ``CallOptions``, to one of the runners below.
The builders are generated too where ``openapi/facade.yaml`` describes the operation alone, or
hand-written in ``gototraining/_builders/``. A ``Plan`` is a multi-step operation written as a
generator that composes pipelines with ``yield from context.run(call)``; the sync and async
transports drive it the same way they drive a single call. A ``Batch`` is many independent
plans run concurrently (``registrants.register_many``): worker threads driving the sync
transport, or tasks driving the async one, each result reported the moment it is known.

``client.with_raw_response.<namespace>`` holds the same resource classes made with
``raw=True``: their runners return a ``RawResponse`` (the ``httpx.Response`` and the parsed
result) instead of the result (the generated ``...WithRawResponse`` classes give them their
types; a batch has no one response and is not among them).
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, Generator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeAlias, TypeVar, cast

import httpx

from ._download import Target, async_download, sync_download
from ._options import CallOptions
from ._transport import Action, AsyncTransport, Call, Sleep, SyncTransport, _Settings, pipeline

if TYPE_CHECKING:
    from ._client import AsyncGoToTraining, GoToTraining

__all__ = [
    "AsyncResource",
    "Batch",
    "Context",
    "Download",
    "Key",
    "Pending",
    "Plan",
    "RawResponse",
    "SyncResource",
    "async_raw",
    "raw",
]

T = TypeVar("T")
P = ParamSpec("P")

#: A GoTo key (organizer, training, registrant, ...): an ``int``, or a ``str`` of digits as the
#: API returns them. Keys are validated before they reach a URL.
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


class Pending(Generic[T]):
    """An item of a ``Batch`` that still needs work: the plan that produces its result."""

    __slots__ = ("plan",)

    def __init__(self, plan: Plan[T]) -> None:
        self.plan = plan


class Batch(Generic[T]):
    """Many independent plans, run at most ``concurrency`` at a time.

    ``start`` runs first, alone, and returns one entry per item: its result already (nothing
    left to do) or a ``Pending`` plan. ``on_result`` hears of every result the moment it is
    known -- the ready ones in item order, then the others as they finish -- one call at a
    time. The runner returns all results in item order. A plan that raises stops the batch:
    no new item is started and the exception propagates (with a note saying how far the batch
    got); an exception from ``on_result`` does the same.
    """

    __slots__ = ("concurrency", "on_result", "start")

    def __init__(
        self,
        start: Plan[Sequence[T | Pending[T]]],
        *,
        concurrency: int,
        on_result: Callable[[T], object] | None = None,
    ) -> None:
        self.start = start
        self.concurrency = concurrency
        self.on_result = on_result


class _BatchRun(Generic[T]):
    """The bookkeeping both batch runners share: results in item order, reporting, the note."""

    def __init__(self, batch: Batch[T], items: Sequence[T | Pending[T]]) -> None:
        self.batch = batch
        self.results: list[T | None] = [None] * len(items)
        self.done = 0
        self.pending: list[tuple[int, Plan[T]]] = []
        self.ready: list[tuple[int, T]] = []
        for index, item in enumerate(items):
            if isinstance(item, Pending):
                self.pending.append((index, item.plan))
            else:
                self.ready.append((index, item))

    def settle(self, index: int, result: T) -> None:
        """Record one result and report it."""
        self.results[index] = result
        self.done += 1
        if self.batch.on_result is not None:
            self.batch.on_result(result)

    def stopped(self, exc: BaseException) -> None:
        """Say in ``exc`` how far the batch got."""
        exc.add_note(
            f"the batch stopped: {self.done} of {len(self.results)} items have a result "
            "(each was passed to on_result)"
        )

    def finished(self) -> list[T]:
        assert all(r is not None for r in self.results)  # every item was settled
        return [r for r in self.results if r is not None]


class _Stopped(Exception):
    """A sync batch worker was told to stop before its next request or while it waited."""


#: A stopping sync batch notices it between requests and at least this often while waiting.
_WAIT_SLICE = 0.25


def _interruptible(
    gen: Generator[Action, Any, T], stop: threading.Event
) -> Generator[Action, Any, T]:
    """``gen`` for a sync batch worker: it gives up before a request once ``stop`` is set, and
    its waits (rate limit, backoff, ``Retry-After``) are cut into slices, so a stopping batch
    does not sit out a long wait first. The slices still go to the transport's ``sleep``."""
    try:
        action = next(gen)
        while True:
            if stop.is_set():
                raise _Stopped
            if isinstance(action, Sleep):
                left = action.seconds
                while left > _WAIT_SLICE:
                    yield Sleep(_WAIT_SLICE)
                    left -= _WAIT_SLICE
                    if stop.is_set():
                        raise _Stopped
                yield Sleep(left)
                action = gen.send(None)
                continue
            try:
                response = yield action
            except BaseException as exc:  # noqa: BLE001 - handed to the plan, as the drivers do
                action = gen.throw(exc)
            else:
                action = gen.send(response)
    except StopIteration as stop_iteration:
        result: T = stop_iteration.value
        return result
    finally:
        gen.close()


def run_batch_sync(transport: SyncTransport, batch: Batch[T], context: Context) -> list[T]:
    """Run a batch with ``batch.concurrency`` threads sharing ``transport`` (its HTTP client,
    limiter and auth are thread-safe). In-flight items finish when the batch stops."""
    run = _BatchRun(batch, transport.run(batch.start(context)))
    lock = threading.Lock()  # the work queue, the results and on_result: one thread at a time
    stop = threading.Event()
    failures: list[BaseException] = []
    queue = iter(run.pending)

    def worker() -> None:
        try:
            while not stop.is_set():
                with lock:
                    item = next(queue, None)
                if item is None:
                    return
                index, plan = item
                result = transport.run(_interruptible(plan(context), stop))
                with lock:  # reported even if the batch is stopping: it did happen
                    run.settle(index, result)
        except _Stopped:
            return
        except BaseException as exc:  # noqa: BLE001 - re-raised by the calling thread
            with lock:
                failures.append(exc)
            stop.set()

    threads = [
        threading.Thread(target=worker, name=f"gototraining-batch-{n}", daemon=True)
        for n in range(min(batch.concurrency, len(run.pending)))
    ]
    try:
        with lock:
            for index, result in run.ready:
                run.settle(index, result)
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    except BaseException as exc:  # Ctrl-C while waiting, or on_result failed: stop the workers
        stop.set()
        for thread in threads:
            if thread.ident is not None:
                thread.join()
        run.stopped(exc)
        raise
    if failures:
        run.stopped(failures[0])
        raise failures[0]
    return run.finished()


async def run_batch_async(transport: AsyncTransport, batch: Batch[T], context: Context) -> list[T]:
    """Run a batch with ``batch.concurrency`` tasks sharing ``transport``. As with threads, an
    error stops the batch but the requests in flight finish and are reported (they may have
    been applied: a cancelled one would leave a registration without a result). Cancelling
    the call (Ctrl-C) cancels every task."""
    import asyncio  # lazily, like the async transport

    run = _BatchRun(batch, await transport.run(batch.start(context)))
    queue = iter(run.pending)
    failures: list[Exception] = []

    async def worker() -> None:
        for index, plan in queue:  # one shared iterator: each item goes to one worker
            if failures:
                return
            try:
                run.settle(index, await transport.run(plan(context)))
            except Exception as exc:  # noqa: BLE001 - raised by run_batch_async once all stop
                failures.append(exc)
                return

    try:
        for index, result in run.ready:
            run.settle(index, result)
        async with asyncio.TaskGroup() as group:
            for _ in range(min(batch.concurrency, len(run.pending))):
                group.create_task(worker())
    except BaseExceptionGroup as group_error:
        # TaskGroup wraps the failure; surface the first one as it was raised.
        first = group_error.exceptions[0]
        run.stopped(first)
        raise first from None
    except BaseException as exc:
        run.stopped(exc)
        raise
    if failures:
        run.stopped(failures[0])
        raise failures[0]
    return run.finished()


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

    def _batch(self, batch: Batch[T], options: CallOptions) -> list[T]:
        transport = self._client._transport
        return run_batch_sync(transport, batch, Context(transport.settings, options))


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

    async def _batch(self, batch: Batch[T], options: CallOptions) -> list[T]:
        transport = self._client._transport
        return await run_batch_async(transport, batch, Context(transport.settings, options))


def raw(method: Callable[P, T]) -> Callable[P, RawResponse[T]]:
    """A method of a resource made with ``raw=True``, typed as what it returns."""
    return cast(Callable[P, RawResponse[T]], method)


def async_raw(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[RawResponse[T]]]:
    """Async twin of :func:`raw`."""
    return cast(Callable[P, Awaitable[RawResponse[T]]], method)
