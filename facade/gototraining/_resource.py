"""What every resource namespace shares: the types hand-written builders return, and the
runners the namespaces' bases (``AsyncResource`` in ``_driver.py``, and its generated sync
twin) hand them to.

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
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeAlias, TypeVar, cast

import httpx

from ._errors import safe_url
from ._options import CallOptions
from ._retry import MAYBE_APPLIED_STATUSES as MAYBE_APPLIED
from ._transport import Action, Call, Sleep, _Settings, pipeline

if TYPE_CHECKING:
    from ._download import Target
    from ._driver import AsyncTransport
    from ._generated.driver import SyncTransport

__all__ = [
    "Batch",
    "Context",
    "Download",
    "Key",
    "Pending",
    "Plan",
    "RawResponse",
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


def raw_call(call: Call[T]) -> Call[RawResponse[T]]:
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
        raw = yield from pipeline(self.settings, raw_call(call), options)
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


class Progress:
    """What an item's plan has sent so far (kept by ``_watched``): whether a request that
    changes something (not a GET) is in flight, or was answered in a way that leaves open
    whether it was applied (no answer, 502, 504)."""

    __slots__ = ("in_flight", "maybe_applied", "method", "url")

    def __init__(self) -> None:
        self.in_flight = False
        self.maybe_applied = False
        self.method = ""
        self.url = ""

    @property
    def uncertain(self) -> bool:
        """Whether the item may have changed something without its plan saying so."""
        return self.in_flight or self.maybe_applied


class Batch(Generic[T]):
    """Many independent plans, run at most ``concurrency`` at a time.

    ``start`` runs first, alone, and returns one entry per item: its result already (nothing
    left to do) or a ``Pending`` plan. ``on_result`` hears of every result the moment it is
    known -- the ready ones in item order, then the others as they finish -- one call at a
    time. The runner returns all results in item order.

    A plan that raises stops the batch, and so does an exception from ``on_result``: no new
    item is started, the items in progress finish (their waits and retries too) and are
    reported, then the exception propagates (with a note saying how far the batch got). An
    interruption (Ctrl-C, the call's task cancelled) cuts the items in progress short instead.
    Either way, an item whose plan did not finish but may have changed something
    (``Progress.uncertain``: a request in flight, or answered 502/504 or not at all) is
    reported with ``cut_short(index, progress)``, if given, so that nothing is applied
    without a result.
    """

    __slots__ = ("concurrency", "cut_short", "on_result", "start")

    def __init__(
        self,
        start: Plan[Sequence[T | Pending[T]]],
        *,
        concurrency: int,
        on_result: Callable[[T], object] | None = None,
        cut_short: Callable[[int, Progress], T] | None = None,
    ) -> None:
        self.start = start
        self.concurrency = concurrency
        self.on_result = on_result
        self.cut_short = cut_short


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

    def cut_short(self, index: int, progress: Progress) -> None:
        """Item ``index``'s plan did not finish: report it (``Batch.cut_short``) if it may
        have changed something."""
        if progress.uncertain and self.batch.cut_short is not None and self.results[index] is None:
            self.settle(index, self.batch.cut_short(index, progress))

    def stopped(self, exc: BaseException) -> None:
        """Say in ``exc`` how far the batch got."""
        exc.add_note(
            f"the batch stopped: {self.done} of {len(self.results)} items have a result "
            "(each was passed to on_result)"
        )

    def finished(self, failures: Sequence[BaseException]) -> list[T]:
        """The results in item order, once every worker has ended; the first failure of a
        worker raised instead (with the note), if any."""
        if failures:
            self.stopped(failures[0])
            raise failures[0]
        assert all(r is not None for r in self.results)  # every item was settled
        return [r for r in self.results if r is not None]


class _Stopped(Exception):
    """A sync batch worker was interrupted before its next request or while it waited."""


#: An interrupted sync batch notices it between requests and at least this often while waiting.
_WAIT_SLICE = 0.25


def _watched(
    gen: Generator[Action, Any, T], progress: Progress, interrupt: threading.Event | None = None
) -> Generator[Action, Any, T]:
    """``gen`` with ``progress`` kept up to date. With ``interrupt`` (sync workers), it gives
    up before a request once ``interrupt`` is set, and its waits (rate limit, backoff,
    ``Retry-After``) are cut into slices, so an interrupted batch does not sit out a long
    wait first; the slices still go to the transport's ``sleep``."""
    try:
        action = next(gen)
        while True:
            if interrupt is not None and interrupt.is_set():
                raise _Stopped
            if isinstance(action, Sleep):
                left = action.seconds
                while interrupt is not None and left > _WAIT_SLICE:
                    yield Sleep(_WAIT_SLICE)
                    left -= _WAIT_SLICE
                    if interrupt.is_set():
                        raise _Stopped
                yield Sleep(left)
                action = gen.send(None)
                continue
            changes = action.request.method != "GET"
            if changes:
                progress.in_flight = True
                progress.method = action.request.method
                progress.url = safe_url(action.request.url)
            try:
                response = yield action
            except BaseException as exc:
                if isinstance(exc, GeneratorExit):
                    raise  # abandoned (cancelled) with the request in flight: still in flight
                progress.in_flight = False
                progress.maybe_applied |= changes  # no answer: it may have been applied
                action = gen.throw(exc)
            else:
                progress.in_flight = False
                progress.maybe_applied |= changes and response.status_code in MAYBE_APPLIED
                action = gen.send(response)
    except StopIteration as stop_iteration:
        result: T = stop_iteration.value
        return result
    finally:
        gen.close()


def run_batch_sync(transport: SyncTransport, batch: Batch[T], context: Context) -> list[T]:
    """Run a batch with ``batch.concurrency`` threads sharing ``transport`` (its HTTP client,
    limiter and auth are thread-safe). When the batch stops, the items in progress finish and
    are reported; Ctrl-C cuts them short (see ``Batch``)."""
    run = _BatchRun(batch, transport.run(batch.start(context)))
    lock = threading.Lock()  # the work queue, the results and on_result: one thread at a time
    stop = threading.Event()  # no new item is started
    interrupt = threading.Event()  # the items in progress give up too (Ctrl-C)
    failures: list[BaseException] = []
    queue = iter(run.pending)
    # Workers still running. Not Thread.join: a join interrupted by Ctrl-C marks a thread
    # that is still running as stopped (CPython's bpo-45274 handling), so a second join
    # would return at once, before the interrupted workers have reported.
    running = threading.Condition()
    count = min(batch.concurrency, len(run.pending))
    ended = [False] * count

    def worker(number: int) -> None:
        try:
            work()
        finally:
            with running:
                ended[number] = True
                running.notify_all()

    def work() -> None:
        try:
            while not stop.is_set():
                with lock:
                    item = next(queue, None)
                if item is None:
                    return
                index, plan = item
                progress = Progress()
                try:
                    result = transport.run(_watched(plan(context), progress, interrupt))
                except BaseException:
                    with lock:  # reported even if the batch is stopping: it did happen
                        run.cut_short(index, progress)
                    raise
                with lock:
                    run.settle(index, result)
        except _Stopped:
            return
        except BaseException as exc:  # noqa: BLE001 - re-raised by the calling thread
            with lock:
                failures.append(exc)
            stop.set()

    threads = [
        threading.Thread(target=worker, args=(n,), name=f"gototraining-batch-{n}", daemon=True)
        for n in range(count)
    ]

    def all_ended() -> bool:  # (a thread never started has nothing to end)
        return all(ended[n] or threads[n].ident is None for n in range(count))

    try:
        with lock:
            for index, result in run.ready:
                run.settle(index, result)
        for thread in threads:
            thread.start()
        with running:
            running.wait_for(all_ended)
    except BaseException as exc:  # Ctrl-C while waiting, or on_result failed: stop the workers
        stop.set()
        if not isinstance(exc, Exception):  # an interruption: no waiting for retries either
            interrupt.set()
        with running:
            running.wait_for(all_ended)
        run.stopped(exc)
        raise
    return run.finished(failures)


async def run_batch_async(transport: AsyncTransport, batch: Batch[T], context: Context) -> list[T]:
    """Run a batch with ``batch.concurrency`` tasks sharing ``transport``. As with threads, an
    error stops the batch but the items in progress finish and are reported (they may have
    been applied: a cancelled one would leave a registration without a result). Cancelling
    the call (Ctrl-C) cancels every task; an item cut short that may have changed something
    is reported with ``Batch.cut_short``."""
    import asyncio  # lazily, like the async transport

    run = _BatchRun(batch, await transport.run(batch.start(context)))
    queue = iter(run.pending)
    failures: list[Exception] = []

    async def worker() -> None:
        for index, plan in queue:  # one shared iterator: each item goes to one worker
            if failures:
                return
            progress = Progress()
            try:
                result = await transport.run(_watched(plan(context), progress))
            except asyncio.CancelledError:
                run.cut_short(index, progress)
                raise
            except Exception as exc:  # noqa: BLE001 - raised by run_batch_async once all stop
                failures.append(exc)
                run.cut_short(index, progress)
                return
            try:
                run.settle(index, result)
            except Exception as exc:  # noqa: BLE001 - on_result failed: the same
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
    return run.finished(failures)


def raw(method: Callable[P, T]) -> Callable[P, RawResponse[T]]:
    """A method of a resource made with ``raw=True``, typed as what it returns."""
    return cast(Callable[P, RawResponse[T]], method)


def async_raw(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[RawResponse[T]]]:
    """A method of an async resource made with ``raw=True``, typed as what it returns."""
    return cast(Callable[P, Awaitable[RawResponse[T]]], method)
