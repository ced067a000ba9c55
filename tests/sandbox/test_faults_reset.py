"""The reset fault loses the response of every operation, including 204 ones.

Before, a reset of a 204 operation sent the ``204`` status line and closed: a 204 has no body,
so the client read a complete, successful response and the "lost response" never happened.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from gototraining.sandbox import Sandbox


@pytest.mark.parametrize("apply", [True, False], ids=["applied", "not_applied"])
def test_reset_of_a_204_operation_is_a_transport_error(
    sb: Sandbox, api: httpx.Client, org: str, make_training: Callable[..., str], apply: bool
) -> None:
    key = make_training()
    sb.faults.add("cancelTraining", reset=True, apply=apply, times=1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.delete(f"{org}/trainings/{key}")
    assert sb.requests[-1].status == 0
    # applied: the training is gone (the replay meets 404); not applied: still there
    assert api.get(f"{org}/trainings/{key}").status_code == (404 if apply else 200)


def test_reset_of_a_204_put_is_a_transport_error(
    sb: Sandbox, api: httpx.Client, org: str, make_training: Callable[..., str]
) -> None:
    key = make_training()
    sb.faults.add("updateTrainingNameDescription", reset=True, apply=True, times=1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.put(f"{org}/trainings/{key}/nameDescription", json={"name": "Renamed"})
    assert api.get(f"{org}/trainings/{key}").json()["name"] == "Renamed"
