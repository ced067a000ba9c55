"""Replays after an attempt that may have been applied.

- A DELETE whose response was lost (read timeout, reset, 502/504) is retried; the retry's 404
  means the lost attempt deleted it: success, not ``NotFoundError``.
- PUTs that email people (``set_organizers(notify=True)``, ``update_times`` with notifications)
  are never replayed after such an attempt (the emails would go out twice); they are retried
  only when nothing was sent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from gototraining import (
    APIConnectionError,
    APITimeoutError,
    NotFoundError,
    ServerError,
    TransportError,
)

from .conftest import Flavor

START = datetime(2031, 1, 1, 9, tzinfo=UTC)
END = datetime(2031, 1, 1, 11, tzinfo=UTC)

DELETES: dict[str, Callable[[Any], Any]] = {
    "trainings.cancel": lambda c: c.trainings.cancel(2),
    "registrants.cancel": lambda c: c.registrants.cancel(2, 3),
}


class Api:
    """One resource that exists until a DELETE is applied; the first answer can be lost."""

    def __init__(self, lose_first: Exception | int | None) -> None:
        self.exists = True
        self.lose_first = lose_first
        self.calls = 0
        self.applied = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if not self.exists:
            return httpx.Response(404, json={"errorCode": "NotFound", "description": "gone"})
        self.exists = False
        self.applied += 1
        if self.calls == 1 and isinstance(self.lose_first, Exception):
            raise self.lose_first  # applied, then the response was lost
        if self.calls == 1 and isinstance(self.lose_first, int):
            return httpx.Response(self.lose_first)  # a gateway lost the backend's 204
        return httpx.Response(204)


LOST = {
    "read_timeout": httpx.ReadTimeout("slow"),
    "read_error": httpx.ReadError("[Errno 104] Connection reset by peer"),
    "remote_protocol_error": httpx.RemoteProtocolError("peer closed connection"),
    "502": 502,
    "504": 504,
}


@pytest.mark.parametrize("lost", LOST.values(), ids=LOST.keys())
@pytest.mark.parametrize("op", DELETES.values(), ids=DELETES.keys())
def test_retried_delete_after_lost_response_succeeds(
    flavor: Flavor, op: Callable[[Any], Any], lost: Exception | int
) -> None:
    api = Api(lost)
    flavor.client(api.handler, rate_limit=None)
    assert flavor.run(op) is None
    assert api.calls == 2 and api.applied == 1 and len(flavor.sleeps) == 1


@pytest.mark.parametrize("op", DELETES.values(), ids=DELETES.keys())
def test_404_without_a_lost_attempt_is_still_not_found(
    flavor: Flavor, op: Callable[[Any], Any]
) -> None:
    api = Api(None)
    api.exists = False
    flavor.client(api.handler, rate_limit=None)
    with pytest.raises(NotFoundError):
        flavor.run(op)
    assert api.calls == 1


@pytest.mark.parametrize(
    "first",
    [httpx.ConnectError("refused"), httpx.ConnectTimeout("t"), 503, 429],
    ids=["connect_error", "connect_timeout", "503", "429"],
)
@pytest.mark.parametrize("op", DELETES.values(), ids=DELETES.keys())
def test_404_after_a_failure_that_applied_nothing_is_not_found(
    flavor: Flavor, op: Callable[[Any], Any], first: Exception | int
) -> None:
    """Connect errors were never sent; 429/503 are "not processed": the 404 is genuine."""
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            if isinstance(first, Exception):
                raise first
            return httpx.Response(first)
        return httpx.Response(404, json={"errorCode": "NotFound", "description": "no such key"})

    flavor.client(handler, rate_limit=None)
    with pytest.raises(NotFoundError):
        flavor.run(op)
    assert len(calls) == 2


NOTIFYING: dict[str, Callable[[Any], Any]] = {
    "set_organizers(notify=True)": lambda c: c.trainings.set_organizers(2, [3]),
    "update_times(default notify)": lambda c: c.trainings.update_times(2, [(START, END)], "UTC"),
    "update_times(notify_trainers)": lambda c: c.trainings.update_times(
        2, [(START, END)], "UTC", notify_registrants=False
    ),
    "update_times(notify_registrants)": lambda c: c.trainings.update_times(
        2, [(START, END)], "UTC", notify_trainers=False
    ),
}
SILENT: dict[str, Callable[[Any], Any]] = {
    "set_organizers(notify=False)": lambda c: c.trainings.set_organizers(2, [3], notify=False),
    "update_times(no notify)": lambda c: c.trainings.update_times(
        2, [(START, END)], "UTC", notify_registrants=False, notify_trainers=False
    ),
}


def answer(request: httpx.Request) -> httpx.Response:
    if "times" in request.url.path:
        return httpx.Response(200, json={"notifiedRegistrants": 0, "notifiedTrainers": 0})
    return httpx.Response(204)


def scripted(first: Exception | int) -> tuple[Callable[[httpx.Request], httpx.Response], list[int]]:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            if isinstance(first, Exception):
                raise first
            return httpx.Response(first)
        return answer(request)

    return handler, calls


@pytest.mark.parametrize(
    ("first", "exc"),
    [
        (httpx.ReadTimeout("slow"), APITimeoutError),
        (httpx.RemoteProtocolError("peer closed connection"), APIConnectionError),
        (502, ServerError),
        (504, ServerError),
    ],
    ids=["read_timeout", "reset", "502", "504"],
)
@pytest.mark.parametrize("op", NOTIFYING.values(), ids=NOTIFYING.keys())
def test_notifying_put_is_not_replayed_after_it_may_have_been_applied(
    flavor: Flavor, op: Callable[[Any], Any], first: Exception | int, exc: type[Exception]
) -> None:
    handler, calls = scripted(first)
    flavor.client(handler, rate_limit=None)
    with pytest.raises(exc) as info:
        flavor.run(op)
    assert len(calls) == 1 and not flavor.sleeps
    if isinstance(info.value, TransportError):
        assert info.value.maybe_sent


@pytest.mark.parametrize("op", NOTIFYING.values(), ids=NOTIFYING.keys())
def test_notifying_put_is_retried_when_nothing_was_sent(
    flavor: Flavor, op: Callable[[Any], Any]
) -> None:
    handler, calls = scripted(httpx.ConnectError("refused"))
    flavor.client(handler, rate_limit=None)
    flavor.run(op)
    assert len(calls) == 2


@pytest.mark.parametrize("op", SILENT.values(), ids=SILENT.keys())
def test_silent_put_is_still_retried_after_a_lost_response(
    flavor: Flavor, op: Callable[[Any], Any]
) -> None:
    handler, calls = scripted(httpx.ReadTimeout("slow"))
    flavor.client(handler, rate_limit=None)
    flavor.run(op)
    assert len(calls) == 2
