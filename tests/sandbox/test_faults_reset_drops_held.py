"""``reset()`` between tests drops the requests a ``hold=True`` fault still holds: they fail
like a lost connection and are never applied to the fresh store (no state crosses tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
from gototraining.sandbox import Sandbox

TIMES = [{"startDate": "2030-03-01T09:00:00Z", "endDate": "2030-03-01T11:00:00Z"}]


def test_a_held_request_is_dropped_by_reset_not_applied_to_the_fresh_store(
    sb: Sandbox, org: str
) -> None:
    fault = sb.faults.add("scheduleTraining", hold=True)
    outcome: list[object] = []

    def schedule() -> None:
        headers = {"Authorization": f"Bearer {sb.token}"}
        body = {"name": "Left over", "timeZone": "Europe/Berlin", "times": TIMES}
        try:
            outcome.append(httpx.post(f"{sb.url}{org}/trainings", json=body, headers=headers))
        except httpx.HTTPError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=schedule)
    worker.start()
    assert fault.wait_held(1, timeout=60)  # the previous test's request, held
    sb.reset()  # the next test begins
    worker.join(60)
    assert not worker.is_alive()
    assert fault.wait_idle(timeout=60)
    (answer,) = outcome
    assert isinstance(answer, httpx.RemoteProtocolError | httpx.ReadError), answer
    assert sb.trainings() == []  # nothing of the old test reached the fresh store
    assert sb.requests == []  # and the fresh log is empty


def test_clear_still_releases_held_requests(
    sb: Sandbox, api: httpx.Client, org: str, make_training: Callable[..., str]
) -> None:
    """Within a test, ``faults.clear()`` lets the held requests go on, as documented."""
    key = make_training()
    fault = sb.faults.add("getTraining", hold=True)
    answers: list[int] = []
    worker = threading.Thread(
        target=lambda: answers.append(api.get(f"{org}/trainings/{key}").status_code)
    )
    worker.start()
    assert fault.wait_held(1, timeout=60)
    sb.faults.clear()
    worker.join(60)
    assert answers == [200]
