"""Spec validation: a wrong response is caught loudly; the fast validator agrees with openapi-core."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gototraining.sandbox import Sandbox
from gototraining.sandbox.store import Store


@pytest.fixture
def own_sandbox() -> Iterator[Sandbox]:
    # Not the plugin fixture: these tests provoke violations on purpose.
    with Sandbox() as sb:
        yield sb


def _client(sb: Sandbox) -> httpx.Client:
    return httpx.Client(base_url=sb.url, headers={"Authorization": f"Bearer {sb.token}"})


def test_response_missing_required_field_is_a_violation(
    own_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = own_sandbox
    original = Store.training_json

    def broken(self: Store, training: Any) -> Any:
        data = original(self, training)
        del data["name"]  # required by the spec's Training schema
        return data

    monkeypatch.setattr(Store, "training_json", broken)
    with _client(sb) as api:
        body = {
            "name": "X",
            "timeZone": "UTC",
            "times": [{"startDate": "2030-01-01T10:00:00Z", "endDate": "2030-01-01T11:00:00Z"}],
        }
        key = api.post(f"/organizers/{sb.organizer_key}/trainings", json=body).json()
        r = api.get(f"/organizers/{sb.organizer_key}/trainings/{key}")
    assert r.status_code == 500
    assert r.json()["errorCode"] == "SandboxSpecViolation"
    assert "name" in r.json()["description"]
    assert len(sb.violations) == 1 and "getTraining" in sb.violations[0]


def test_undocumented_status_is_a_violation(
    own_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = own_sandbox
    from gototraining.sandbox import app

    monkeypatch.setitem(app.HANDLERS, "getAllTrainings", lambda s, c, p, b: (418, {}, {}))
    # HANDLERS is read when the pipeline is built: build a fresh sandbox after patching.
    with Sandbox() as fresh, _client(fresh) as api:
        r = api.get(f"/organizers/{fresh.organizer_key}/trainings")
        assert r.status_code == 500
        assert "418" in fresh.violations[0]
    assert sb.violations == []


def test_validation_off_lets_it_through(
    own_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = own_sandbox
    sb.validate = False
    monkeypatch.setattr(Store, "get_all_trainings", lambda self, org: [{"bogus": 1}])
    with _client(sb) as api:
        assert api.get(f"/organizers/{sb.organizer_key}/trainings").json() == [{"bogus": 1}]
    assert sb.violations == []


def test_fixture_fails_test_on_violation(tmp_path: Path) -> None:
    """The installed pytest plugin's fixture turns a violation into a test error."""
    (tmp_path / "test_user_suite.py").write_text(
        textwrap.dedent(
            """
            import httpx
            from gototraining.sandbox.store import Store

            def test_bad(gototraining_sandbox, monkeypatch):
                sb = gototraining_sandbox
                monkeypatch.setattr(Store, "get_all_trainings", lambda self, org: [{"bogus": 1}])
                r = httpx.get(f"{sb.url}/organizers/{sb.organizer_key}/trainings",
                              headers={"Authorization": f"Bearer {sb.token}"})
                assert r.status_code == 500

            def test_good(gototraining_sandbox):
                assert gototraining_sandbox.violations == []
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "2 passed, 1 error" in result.stdout, result.stdout + result.stderr
    assert "violate the OpenAPI spec" in result.stdout


def test_agrees_with_openapi_core(
    sb: Sandbox, api: httpx.Client, org: str, make_training: Callable[..., str]
) -> None:
    """Responses the sandbox accepts also pass openapi-core (the reference validator)."""
    from importlib import resources

    import yaml
    from openapi_core import OpenAPI
    from openapi_core.testing import MockRequest, MockResponse

    spec = yaml.safe_load((resources.files("gototraining_api") / "openapi.yaml").read_text())
    spec["servers"] = [{"url": sb.url}]
    oa = OpenAPI.from_dict(spec)
    key = make_training()
    reg = api.post(
        f"{org}/trainings/{key}/registrants",
        json={"email": "a@example.com", "givenName": "A", "surname": "B"},
    )
    rk = reg.json()["registrantKey"]
    for path in [
        f"{org}/trainings",
        f"{org}/trainings/{key}",
        f"{org}/trainings/{key}/registrants",
        f"{org}/trainings/{key}/registrants/{rk}",
        f"{org}/trainings/{key}/manageUrl",
        f"/trainings/{key}/start",
        f"/trainings/{key}/recordings",
        f"{org}/trainings/1234567890123456789",
    ]:
        r = api.get(path)
        request = MockRequest(sb.root_url, "get", sb.url.removeprefix(sb.root_url) + path)
        response = MockResponse(
            r.content, status_code=r.status_code, content_type="application/json"
        )
        oa.validate_response(request, response)


def test_identical_valid_bodies_are_validated_once_and_bad_ones_always() -> None:
    """The response-validation cache (sandbox throughput): an identical body that passed is not
    re-checked; any other body still is, and a failing one never enters the cache."""
    import dataclasses
    import json

    from gototraining.sandbox.spec import Spec, SpecViolation, load_spec_text

    spec = Spec.from_text(load_spec_text())
    op = spec.operations["getManageTrainingURL"]
    calls: list[Any] = []
    original = op.responses[200].validate_body
    assert original is not None

    def counting(data: Any) -> Any:
        calls.append(data)
        return original(data)

    op.responses[200] = dataclasses.replace(op.responses[200], validate_body=counting)
    url = "https://global.gototraining.com/manage/training/1"
    for _ in range(3):
        spec.check_response(op.operation_id, 200, "application/json", json.dumps(url).encode(), url)
    assert len(calls) == 1
    other = url + "2"
    spec.check_response(op.operation_id, 200, "application/json", json.dumps(other).encode(), other)
    assert len(calls) == 2
    for _ in range(2):
        with pytest.raises(SpecViolation):
            spec.check_response(op.operation_id, 200, "application/json", b"1", 1)
    assert len(calls) == 4
    with pytest.raises(SpecViolation, match="application/json"):  # media type still checked
        spec.check_response(op.operation_id, 200, "text/plain", json.dumps(url).encode(), url)
