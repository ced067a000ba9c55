"""Values the API may send that are not text or numbers a printer expects: a name holding a
lone surrogate (JSON allows ``"\\ud800"``; it is no character), and non-finite numbers
(``1e999``, ``NaN``) in fields the spec does not know. Every command shows them and keeps
going; one bad row never hides the others; ``--json`` stays strict JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from gototraining.sandbox import Sandbox
from gototraining.sandbox.store import Registrant

from .conftest import Run

EVE = "Eve\ud800"  # a lone high surrogate
MALLORY = "\udfffMallory"  # a lone low surrogate


@pytest.fixture
def training_with_odd_names(env: Sandbox) -> str:
    """A training whose registrants registered with lone surrogates in their names (raw JSON,
    as GoTo's public registration page would pass them on), among ordinary ones."""
    headers = {"Authorization": f"Bearer {env.token}", "Content-Type": "application/json"}
    org = f"{env.url}/organizers/{env.organizer_key}"
    times = [{"startDate": "2030-03-01T08:00:00Z", "endDate": "2030-03-01T10:00:00Z"}]
    created = httpx.post(
        f"{org}/trainings",
        json={"name": "Odd names", "timeZone": "Europe/Berlin", "times": times},
        headers=headers,
    )
    key: str = created.json()
    people = [
        ("ann@example.com", "Ann", "Able"),
        ("eve@example.com", EVE, "Surrogate"),
        ("mallory@example.com", "Mal", MALLORY),
        ("zed@example.com", "Zed", "Zulu"),
    ]
    for email, given, surname in people:
        # json.dumps writes the lone surrogates as \\ud800 escapes: valid JSON
        body = json.dumps({"email": email, "givenName": given, "surname": surname})
        answer = httpx.post(f"{org}/trainings/{key}/registrants", content=body, headers=headers)
        assert answer.status_code == 201, answer.text
    return key


def _ok(result: Any) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    out: str = result.stdout
    return out


def test_registrants_list_shows_a_lone_surrogate_escaped(
    training_with_odd_names: str, run: Run
) -> None:
    out = _ok(run("registrants", "list", training_with_odd_names))
    assert "Eve\\ud800" in out and "\\udfffMallory" in out  # visible, as escapes
    assert "Ann" in out and "Zulu" in out  # and nobody is hidden


def test_registrants_export_writes_the_documented_replacement(
    training_with_odd_names: str, run: Run, tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    _ok(run("registrants", "export", training_with_odd_names, "--csv", str(roster)))
    rows = list(csv.DictReader(io.StringIO(roster.read_text(encoding="utf-8"))))
    by_email = {row["email"]: row for row in rows}
    assert len(rows) == 4  # one bad row never hides the others
    assert by_email["eve@example.com"]["given_name"] == "Eve\ufffd"  # U+FFFD REPLACEMENT
    assert by_email["mallory@example.com"]["surname"] == "\ufffdMallory"
    piped = _ok(run("registrants", "export", training_with_odd_names))  # to stdout (a pipe)
    assert "Eve\ufffd" in piped and "Zulu" in piped


def test_json_keeps_the_surrogate_as_a_json_escape(training_with_odd_names: str, run: Run) -> None:
    document = json.loads(_ok(run("registrants", "list", training_with_odd_names, "--json")))
    assert {r["given_name"] for r in document} >= {EVE, "Ann", "Zed"}


def _refuse_constant(name: str) -> Any:
    raise AssertionError(f"not strict JSON: {name}")


def test_json_output_is_strict_for_non_finite_numbers(
    training_with_odd_names: str, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fields the spec does not know, holding 1e999 (infinite once read) and NaN."""
    real = Registrant.to_json

    def with_unknown_numbers(self: Registrant) -> dict[str, Any]:
        return {**real(self), "score": float("inf"), "ratio": float("nan"), "low": -1e999}

    monkeypatch.setattr(Registrant, "to_json", with_unknown_numbers)
    # Fields the spec does not know are drift: decoded (and reported) only when tolerant.
    result = run("--tolerant", "registrants", "list", training_with_odd_names, "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout, parse_constant=_refuse_constant)
    extra = document[0]["extra"]
    assert (extra["score"], extra["ratio"], extra["low"]) == ("Infinity", "NaN", "-Infinity")
