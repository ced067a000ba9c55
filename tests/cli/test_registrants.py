"""``gototraining registrants list|export|cancel`` and ``reports attendance``."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC
from pathlib import Path
from types import SimpleNamespace

import pytest
from gototraining.sandbox import Sandbox

from .conftest import Run, write_people


def _import(run: Run, training: str, tmp_path: Path, n: int) -> list[str]:
    people = tmp_path / "people.csv"
    emails = write_people(people, n)
    result = run("--rate-limit", "0", "registrants", "import", training, str(people))
    assert result.exit_code == 0, result.output
    return emails


def test_list_table_and_json(training: str, run: Run, tmp_path: Path, sb: Sandbox) -> None:
    emails = _import(run, training, tmp_path, 5)
    table = run("registrants", "list", training)
    assert table.exit_code == 0
    assert "5 registrant(s)" in table.stdout
    assert all(e in table.stdout for e in emails)
    data = json.loads(run("registrants", "list", training, "--json").stdout)
    assert sorted(r["email"] for r in data) == emails
    assert {r["registrant_key"] for r in data} == {
        r.registrant_key for r in sb.registrants(training)
    }
    assert data[0]["status"] == "APPROVED" and data[0]["join_url"].startswith("https://")


def test_export_file_and_stdout(training: str, run: Run, tmp_path: Path, sb: Sandbox) -> None:
    emails = _import(run, training, tmp_path, 4)
    out = tmp_path / "roster.csv"
    result = run("registrants", "export", training, "--csv", str(out))
    assert result.exit_code == 0 and "Exported 4 registrant(s)" in result.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert sorted(r["email"] for r in rows) == emails
    joins = {r.registrant_key: r.join_url for r in sb.registrants(training)}
    assert {r["registrant_key"]: r["join_url"] for r in rows} == joins
    assert rows[0]["registration_date"].endswith("Z")
    stdout = run("registrants", "export", training)  # default: stdout
    assert list(csv.DictReader(io.StringIO(stdout.stdout))) == rows


def test_cancel_by_email_and_key(training: str, run: Run, tmp_path: Path, sb: Sandbox) -> None:
    emails = _import(run, training, tmp_path, 3)
    result = run("registrants", "cancel", training, "--email", emails[0].upper())
    assert result.exit_code == 0 and emails[0] in result.stderr and result.stdout == ""
    key = next(r.registrant_key for r in sb.registrants(training) if r.email == emails[1])
    assert run("registrants", "cancel", training, key, "--json").exit_code == 0
    assert [r.email for r in sb.registrants(training)] == [emails[2]]
    unknown = run("registrants", "cancel", training, "--email", "nobody@example.com")
    assert unknown.exit_code == 2 and "not registered" in unknown.stderr
    both = run("registrants", "cancel", training)
    assert both.exit_code == 2
    gone = run("registrants", "cancel", training, key)
    assert gone.exit_code == 1 and gone.stderr.startswith("error: 404 Not Found")


def test_list_unknown_training(env: Sandbox, run: Run) -> None:
    result = run("registrants", "list", "42")
    assert result.exit_code == 1 and result.stderr.startswith("error: 404")


def test_attendance(training: str, run: Run, tmp_path: Path, sb: Sandbox) -> None:
    _import(run, training, tmp_path, 10)
    before = run("reports", "attendance", training)
    assert before.exit_code == 0 and "no completed sessions" in before.stdout
    sb.complete_training(training, attendance_rate=0.8)
    table = run("reports", "attendance", training)
    assert table.exit_code == 0, table.output
    assert "8/10" in table.stdout and "absent" in table.stdout
    assert "Session 2: 2030-03-08" in table.stdout
    data = json.loads(run("reports", "attendance", training, "--json").stdout)
    assert data["training_key"] == training
    assert len(data["sessions"]) == 2
    first = data["sessions"][0]
    assert len(first["attendees"]) == 10 and first["attendance_count"] == 8
    present = [a for a in first["attendees"] if a["minutes"] > 0]
    assert all(sum(p["minutes"] for p in a["parts"]) == a["minutes"] for a in present)


def test_attendance_output_turns_facade_models_into_minutes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``reports attendance`` works on the facade's own models (``timedelta`` durations); the
    output code shows whole minutes, with the ``--json`` shape of before."""
    from datetime import datetime, timedelta

    from gototraining import Attendance, Attendee, Session
    from gototraining.cli.output import attendance_json, attendance_tables, console, print_json
    from gototraining.cli.reports import attendance

    t0 = datetime(2030, 3, 1, 8, 3, tzinfo=UTC)
    session = Session("11", "X", t0, t0 + timedelta(minutes=54), 1, timedelta(minutes=54), ())
    part = Attendance(t0, t0 + timedelta(minutes=20), timedelta(minutes=20))
    ada = Attendee("Ada", "L", "ada@example.com", timedelta(minutes=20, seconds=30), (part,))
    bo = Attendee("Bo", "M", "bo@example.com", timedelta(0), ())
    reports = SimpleNamespace(
        sessions_for_training=lambda key: [session],
        attendance=lambda key: [ada, bo] if key == "11" else [],
    )
    sessions = attendance(SimpleNamespace(reports=reports), "5")  # type: ignore[arg-type]
    assert sessions == [(session, [ada, bo])]  # the facade's models, unchanged
    print_json(attendance_json("5", sessions))
    document = json.loads(capsys.readouterr().out)
    start, end = "2030-03-01T08:03:00Z", "2030-03-01T08:57:00Z"
    assert document == {
        "training_key": "5",
        "sessions": [
            {
                "session_key": "11",
                "start": start,
                "end": end,
                "duration": 54,
                "attendance_count": 1,
                "attendees": [
                    {
                        "given_name": "Ada",
                        "surname": "L",
                        "email": "ada@example.com",
                        "minutes": 20,
                        "parts": [{"join": start, "leave": "2030-03-01T08:23:00Z", "minutes": 20}],
                    },
                    {
                        "given_name": "Bo",
                        "surname": "M",
                        "email": "bo@example.com",
                        "minutes": 0,
                        "parts": [],
                    },
                ],
            }
        ],
    }
    out = console()
    with out.capture() as captured:
        for table in attendance_tables(sessions, UTC):
            out.print(table)
    text = captured.get()
    assert "1/2" in text and "54" in text and "absent" in text and "08:03-08:23" in text
