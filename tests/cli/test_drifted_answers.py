"""Commands that read records the API sent without some of their fields (tolerant decoding):
the rest of the records still reach the output, the lacking cells are empty."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from gototraining.sandbox import Sandbox

from .conftest import Run, write_people

#: The record fields these commands print, as the API spells them.
PRINTED = ("email", "givenName", "surname", "joinUrl", "confirmationUrl", "registrationDate")


def _lacking(sb: Sandbox, operation: str) -> list[str]:
    """Paths of printed fields the sandbox left out of (or nulled in) its answers."""
    return [
        d.path
        for d in sb.drifted
        if d.operation == operation
        and d.kind in ("missing", "null")
        and d.path.rsplit(".", 1)[-1] in PRINTED
    ]


def _register(run: Run, training: str, tmp_path: Path, n: int) -> list[str]:
    people = tmp_path / "people.csv"
    emails = write_people(people, n)
    result = run("--rate-limit", "0", "registrants", "import", training, str(people))
    assert result.exit_code == 0, result.output
    return emails


def test_export_writes_every_registrant_when_some_lack_fields(
    training: str, run: Run, tmp_path: Path, sb: Sandbox
) -> None:
    _register(run, training, tmp_path, 8)
    keys = {r.registrant_key for r in sb.registrants(training)}
    sb.faults.add("getRegistrants", drift=["missing", "null"])
    out = tmp_path / "roster.csv"
    result = run("--tolerant", "registrants", "export", training, "--csv", str(out))
    assert _lacking(sb, "getRegistrants")  # the answer did lack printed fields
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {row["registrant_key"] for row in rows} == keys
    assert any("" in row.values() for row in rows)  # what was lacking is an empty cell


def test_cancel_by_email_when_other_registrants_lack_fields(
    training: str, run: Run, tmp_path: Path, sb: Sandbox
) -> None:
    emails = _register(run, training, tmp_path, 8)
    sb.faults.add("getRegistrants", drift=["missing", "null"])
    kept = set(emails)
    for email in emails:
        result = run("--tolerant", "registrants", "cancel", training, "--email", email)
        if result.exit_code == 0:
            kept.discard(email)
        else:  # this answer lacked that very email: the registrant cannot be found by it
            assert result.exit_code == 2 and "is not registered" in result.stderr, result.stderr
    assert _lacking(sb, "getRegistrants")
    assert kept != set(emails)
    assert {r.email for r in sb.registrants(training)} == kept


def test_show_and_attendance_when_fields_are_lacking(
    training: str, run: Run, tmp_path: Path, sb: Sandbox
) -> None:
    _register(run, training, tmp_path, 8)
    sb.complete_training(training, attendance_rate=0.75)
    key = sb.registrants(training)[0].registrant_key
    sb.faults.add("getRegistrant", drift={"kinds": ["missing"]})
    sb.faults.add("getAttendanceDetails", drift=["missing", "null"])
    show = run("--tolerant", "registrants", "show", training, key)
    assert show.exit_code == 0, show.stderr
    table = run("--tolerant", "reports", "attendance", training)
    assert table.exit_code == 0, table.stderr
    as_json = run("--tolerant", "reports", "attendance", training, "--json")
    assert as_json.exit_code == 0, as_json.stderr
    sessions = json.loads(as_json.stdout)["sessions"]
    assert [len(s["attendees"]) for s in sessions] == [8, 8]
    as_csv = run(
        "--tolerant", "reports", "attendance", training, "--csv", str(tmp_path / "att.csv")
    )
    assert as_csv.exit_code == 0, as_csv.stderr
    assert _lacking(sb, "getRegistrant") and _lacking(sb, "getAttendanceDetails")


def test_sessions_and_recordings_when_fields_are_lacking(
    training: str, run: Run, tmp_path: Path, sb: Sandbox
) -> None:
    _register(run, training, tmp_path, 4)
    sb.complete_training(training, attendance_rate=0.75)
    sb.faults.add("getSessionDetailsForTraining", drift=["missing", "null"])
    sb.faults.add("getRecordingsForTraining", drift=["missing", "null"])
    sb.faults.add("getTraining", drift=["null"])
    sessions = run("--tolerant", "reports", "sessions", "--training", training)
    assert sessions.exit_code == 0, sessions.stderr
    attendance = run("--tolerant", "reports", "attendance", training)
    assert attendance.exit_code == 0, attendance.stderr
    as_json = run("--tolerant", "reports", "attendance", training, "--json")
    assert as_json.exit_code == 0, as_json.stderr
    assert len(json.loads(as_json.stdout)["sessions"]) == 2
    recordings = run("--tolerant", "recordings", "list", training)
    assert recordings.exit_code == 0, recordings.stderr
    lacked = {
        (d.operation, d.path.rsplit(".", 1)[-1])
        for d in sb.drifted
        if d.kind in ("missing", "null")
    }
    shown_fields = {
        "sessionStartTime",
        "sessionEndTime",
        "duration",
        "name",
        "startDate",
        "endDate",
    }
    assert {field for _, field in lacked} & shown_fields, lacked  # the answers lacked them
