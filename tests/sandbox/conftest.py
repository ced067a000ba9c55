"""Shared helpers: a plain httpx client against the plugin's ``gototraining_sandbox``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from gototraining.sandbox import Sandbox

TIMES = [{"startDate": "2030-03-01T09:00:00Z", "endDate": "2030-03-01T11:00:00Z"}]


@pytest.fixture
def sb(gototraining_sandbox: Sandbox) -> Sandbox:
    return gototraining_sandbox


@pytest.fixture
def api(sb: Sandbox) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {sb.token}"}
    with httpx.Client(base_url=sb.url, headers=headers, timeout=60) as client:
        yield client


@pytest.fixture
def org(sb: Sandbox) -> str:
    return f"/organizers/{sb.organizer_key}"


@pytest.fixture
def make_training(api: httpx.Client, org: str) -> Callable[..., str]:
    def make(**overrides: Any) -> str:
        body = {"name": "Python 101", "timeZone": "Europe/Berlin", "times": TIMES, **overrides}
        response = api.post(f"{org}/trainings", json=body)
        assert response.status_code == 201, response.text
        key = response.json()
        assert isinstance(key, str)
        return key

    return make


@pytest.fixture
def register(api: httpx.Client, org: str) -> Callable[..., dict[str, Any]]:
    def reg(
        training_key: str, email: str, given: str = "Ada", surname: str = "L"
    ) -> dict[str, Any]:
        body = {"email": email, "givenName": given, "surname": surname}
        response = api.post(f"{org}/trainings/{training_key}/registrants", json=body)
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()
        return data

    return reg
