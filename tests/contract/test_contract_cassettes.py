"""Check 3 (cassettes against the spec): the real cassettes pass; broken ones fail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.contract import cassettes
from scripts.contract._common import CASSETTES
from scripts.contract.cassettes import OAUTH_TOKEN_URL, dump_interactions, interaction

BASE = "https://api.getgo.com/G2T/rest"
TRAINING_URL = f"{BASE}/organizers/7001/trainings/8001"
ORGANIZER = {
    "organizerKey": "7001",
    "email": "ada@example.com",
    "givenName": "Ada",
    "surname": "Lovelace",
}
TRAINING: dict[str, Any] = {
    "trainingKey": "8001",
    "trainingId": "123456789",
    "name": "Onboarding",
    "timeZone": "Europe/Berlin",
    "times": [{"startDate": "2026-12-01T09:00:00Z", "endDate": "2026-12-01T11:00:00Z"}],
    "organizers": [ORGANIZER],
    "registrationSettings": {"disableConfirmationEmail": False, "disableWebRegistration": True},
}


def _good() -> list[dict[str, Any]]:
    return [
        interaction("POST", OAUTH_TOKEN_URL, 200, {"access_token": "x", "expires_in": 3600}),
        interaction("GET", TRAINING_URL, 200, TRAINING),
        interaction(
            "POST",
            f"{BASE}/organizers/7001/trainings",
            201,
            "8001",
            request_body={
                "name": "Onboarding",
                "timeZone": "Europe/Berlin",
                "times": TRAINING["times"],
            },
        ),
        interaction("DELETE", TRAINING_URL, 204),
        interaction("GET", TRAINING_URL, 404, {"errorCode": "NotFound", "description": "gone"}),
        interaction(
            "GET",
            f"{BASE}/trainings/8001/recordings/42",
            302,
            response_headers={"location": "https://cdn.example.com/rec/42.mp4"},
        ),
        interaction("GET", "https://cdn.example.com/rec/42.mp4", 200, raw_body="binary"),
    ]


def _write(directory: Path, name: str, interactions: list[dict[str, Any]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(dump_interactions(interactions), encoding="utf-8")
    return path


def test_real_cassettes_match_the_spec() -> None:
    result = cassettes.analyse(CASSETTES)
    assert result.report.ok, result.report.render()


def test_fixture_cassette_passes(tmp_path: Path) -> None:
    _write(tmp_path / "sub", "good.yaml", _good())
    result = cassettes.analyse(tmp_path)
    assert result.report.ok, result.report.render()
    assert result.by_operation["getTraining"] == ["sub/good.yaml"]
    assert result.by_operation["scheduleTraining"] == ["sub/good.yaml"]
    assert result.by_operation["getRecordingDownloadById"] == ["sub/good.yaml"]
    assert result.by_operation["getRegistrants"] == []
    assert cassettes.main([str(tmp_path)]) == 0


def _training_with(**changes: Any) -> dict[str, Any]:
    body = dict(TRAINING)
    for key, value in changes.items():
        if value is None:
            body.pop(key)
        else:
            body[key] = value
    return body


BROKEN: dict[str, tuple[dict[str, Any], str]] = {
    "wrong field type in response": (
        interaction("GET", TRAINING_URL, 200, _training_with(trainingKey=8001)),
        "8001 is not of type 'string'",
    ),
    "missing required field in response": (
        interaction("GET", TRAINING_URL, 200, _training_with(registrationSettings=None)),
        "'registrationSettings' is a required property",
    ),
    "wrong enum value in nested response": (
        interaction(
            "GET",
            f"{TRAINING_URL}/registrants/9001",
            200,
            {
                "registrantKey": "9001",
                "email": "a@example.com",
                "givenName": "A",
                "surname": "B",
                "status": "MAYBE",
                "registrationDate": "2026-01-01T00:00:00Z",
                "joinUrl": "https://j",
                "confirmationUrl": "https://c",
            },
        ),
        "'MAYBE' is not one of",
    ),
    "invalid request body": (
        interaction(
            "POST",
            f"{TRAINING_URL}/registrants",
            201,
            {"joinUrl": "j", "confirmationUrl": "c", "registrantKey": "1"},
            request_body={"email": "a@example.com"},
        ),
        "request:",
    ),
    "non-integer path parameter": (
        interaction("GET", f"{BASE}/organizers/me/trainings/8001", 200, TRAINING),
        "Path parameter error: organizerKey",
    ),
    "unknown path": (
        interaction("GET", f"{BASE}/organizers/7001/webinars", 200, []),
        "no spec path matches",
    ),
    "unknown method": (
        interaction("PATCH", TRAINING_URL, 200, TRAINING),
        "has no PATCH operation",
    ),
    "undocumented status": (
        interaction("DELETE", TRAINING_URL, 200, TRAINING),
        "response:",
    ),
    "body on a bodiless response": (
        interaction("DELETE", TRAINING_URL, 204, {"ok": True}),
        "documents 204 without a body",
    ),
    "wrong content type": (
        interaction(
            "GET",
            TRAINING_URL,
            200,
            TRAINING,
            response_headers={"content-type": "text/html"},
        ),
        "response:",
    ),
    "other host": (
        interaction("GET", "https://api.getgo.com/G2W/rest/organizers/1/webinars", 200, []),
        "not an API URL",
    ),
    "plain http": (
        interaction("GET", TRAINING_URL.replace("https", "http"), 200, TRAINING),
        "not an API URL",
    ),
    "download URL no redirect pointed to": (
        interaction("GET", "https://cdn.example.com/rec/43.mp4", 200, raw_body="binary"),
        "not an API URL",
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_interaction_fails(tmp_path: Path, name: str) -> None:
    bad, expected = BROKEN[name]
    _write(tmp_path, "broken.yaml", [*_good(), bad])
    report = cassettes.check(tmp_path)
    assert not report.ok
    assert len(report.errors) == 1, report.render()
    assert expected in report.errors[0], report.render()
    assert report.errors[0].startswith(f"broken.yaml#{len(_good())} "), report.render()
    assert cassettes.main([str(tmp_path)]) == 1


def test_undocumented_status_names_the_status(tmp_path: Path) -> None:
    _write(tmp_path, "c.yaml", [interaction("GET", TRAINING_URL, 418, {"msg": "teapot"})])
    report = cassettes.check(tmp_path)
    assert not report.ok
    assert "418" in report.errors[0], report.render()


def test_no_cassettes_fails(tmp_path: Path) -> None:
    assert not cassettes.check(tmp_path).ok


def test_empty_or_garbage_cassette_fails(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("interactions: []\nversion: 1\n", encoding="utf-8")
    (tmp_path / "garbage.yaml").write_text("interactions:\n- request: {}\n", encoding="utf-8")
    report = cassettes.check(tmp_path)
    assert len(report.errors) == 2, report.render()


def _first_object_response(data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Index and parsed body of the first interaction answering 200 with a JSON object."""
    for i, item in enumerate(data["interactions"]):
        resp = item["response"]
        if resp["status"]["code"] != 200 or not item["request"]["uri"].startswith(BASE):
            continue
        body = resp["body"]["string"]
        try:
            parsed = json.loads(body)
        except ValueError:
            continue
        if isinstance(parsed, list) and parsed and isinstance(parsed[0], dict):
            parsed = parsed[0]
        if isinstance(parsed, dict) and parsed:
            return i, parsed
    raise LookupError


@pytest.mark.parametrize("breakage", ["wrong type", "missing field"])
def test_corrupted_real_cassette_fails(tmp_path: Path, breakage: str) -> None:
    # Take a real recorded cassette, corrupt one response field, and the check must fail on it.
    for path in sorted(CASSETTES.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        try:
            index, body = _first_object_response(data)
        except LookupError:
            continue
        break
    else:
        pytest.fail(f"no cassette under {CASSETTES} has a 200 JSON object response")
    key = next(iter(body))
    if breakage == "wrong type":
        body[key] = {"unexpected": ["structure"]}
    else:
        del body[key]
    original = json.loads(data["interactions"][index]["response"]["body"]["string"])
    corrupted: Any = [body, *original[1:]] if isinstance(original, list) else body
    data["interactions"][index]["response"]["body"]["string"] = json.dumps(corrupted)
    (tmp_path / path.name).write_text(yaml.safe_dump(data), encoding="utf-8")
    report = cassettes.check(tmp_path)
    assert not report.ok, f"{path.name}#{index}: {breakage} of {key!r} went unnoticed"
    assert report.errors[0].startswith(f"{path.name}#{index} "), report.render()
    assert key in report.errors[0], report.render()
