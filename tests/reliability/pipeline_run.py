"""The request pipeline both clients run, driven in virtual time without I/O (``PipelineRun``),
and what the tests of rate limiting measure with it."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Generator
from typing import Any

import httpx
from gototraining import GoToTraining, GoToTrainingError, RateLimiter
from gototraining._options import CallOptions
from gototraining._transport import ApiRequest, Call, Send, Sleep, pipeline


class PipelineRun:
    """The request pipeline both clients run (``_transport.pipeline``), driven in virtual time
    without I/O: a ``Sleep`` moves the call's clock on, a ``Send`` is answered by ``answer``
    (the n-th request of the burst) after ``latency`` seconds. The client's own limiter, retry
    policy and options (no ``max_queue_wait`` unless given: these runs are about pacing); only
    time and the server are simulated."""

    def __init__(
        self,
        answer: Callable[[int], httpx.Response],
        *,
        latency: float = 0.0,
        rate: float = 10.0,
        **options: Any,
    ) -> None:
        self.now = 1000.0
        self.limiter = RateLimiter(rate, clock=self.clock)
        options.setdefault("max_queue_wait", None)
        self.client = GoToTraining(
            access_token="t" * 10, organizer_key=1, rate_limit=self.limiter,
            http_client=httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(500))),
            **options,
        )  # fmt: skip
        self.answer = answer
        self.latency = latency
        self.sent: list[float] = []  # when each request reached the "server"
        self.done: list[float] = []
        self.failed: list[tuple[float, GoToTrainingError]] = []  # when, what
        self._burst = 0
        self._events: list[tuple[float, int, Generator[Any, Any, Any], Any]] = []
        self._seq = 0

    def clock(self) -> float:
        return self.now

    def call(self, **options: Any) -> Generator[Any, Any, Any]:
        request = ApiRequest("getAllTrainings", "GET", "/organizers/1/trainings")
        settings = self.client._transport.settings
        return pipeline(settings, Call(request, _status), CallOptions(**options))

    def start(self, gen: Generator[Any, Any, Any], at: float | None = None) -> None:
        self._push(self.now if at is None else at, gen, None)

    def warm_up(self, calls: int) -> None:
        """``calls`` calls one after another, answered 200 (not part of the burst)."""

        def sequential() -> Generator[Any, Any, None]:
            for _ in range(calls):
                yield from self.call()

        answer, self.answer = self.answer, lambda n: httpx.Response(200, json=[])
        try:
            self.start(sequential())
            self.run()
        finally:
            self.answer, self.sent, self.done, self._burst = answer, [], [], 0

    def burst(self, calls: int, **options: Any) -> None:
        """``calls`` concurrent calls starting now (with these per-call options)."""
        for _ in range(calls):
            self.start(self.call(**options))
        self.run()

    def run(self) -> None:
        while self._events:
            at, _, gen, value = heapq.heappop(self._events)
            self.now = at
            try:
                action = gen.send(value)
            except StopIteration:
                self.done.append(self.now)
                continue
            except GoToTrainingError as exc:
                self.failed.append((self.now, exc))
                continue
            if isinstance(action, Sleep):
                self._push(self.now + action.seconds, gen, None)
            else:
                assert isinstance(action, Send)
                response = self.answer(self._burst)
                response.request = action.request
                self._burst += 1
                self.sent.append(self.now)
                self._push(self.now + self.latency, gen, response)

    def _push(self, at: float, gen: Generator[Any, Any, Any], value: Any) -> None:
        self._seq += 1
        heapq.heappush(self._events, (at, self._seq, gen, value))


def _status(response: httpx.Response) -> int:
    return response.status_code


def one_429(at: int, retry_after: int | None) -> Callable[[int], httpx.Response]:
    """Answers 200, except the ``at``-th request: 429 (with ``Retry-After``, if given)."""

    def answer(n: int) -> httpx.Response:
        if n != at:
            return httpx.Response(200, json=[])
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        return httpx.Response(429, headers=headers, json={"errorCode": "TooManyRequests"})

    return answer


def max_in_window(times: list[float], window: float) -> int:
    """The most of ``times`` in any half-open window of ``window`` seconds."""
    times = sorted(times)
    most, first = 0, 0
    for last, t in enumerate(times):
        while t - times[first] >= window - 1e-9:
            first += 1
        most = max(most, last - first + 1)
    return most
