"""``reports attendance --csv`` and the one rule for times in tables: ``--time-zone``, else the
training's own zone, else (a date range of several trainings) UTC; the zone named beside them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from gototraining.cli.commands.reports import ATTENDANCE_FIELDS
from gototraining.sandbox import Sandbox

from .conftest import Cli, Run

# 09:00 and 10:00 UTC in March are 10:00 and 11:00 CET.
SESSION_UTC = "2030-03-01T09:00Z/2030-03-01T11:00Z"


@pytest.fixture
def held(env: Sandbox, run: Run) -> str:
    """A Berlin training with three registrants, its session held (everyone attended)."""
    created = run(
        "trainings", "create", "-n", "Zones", "-z", "Europe/Berlin", "-s", SESSION_UTC, "--json"
    )
    key: str = json.loads(created.stdout)["training_key"]
    for name in ("ann", "bob", "=cmd"):
        email = f"{name.strip('=')}@example.com"
        assert run("registrants", "add", key, "-e", email, "-g", name, "-s", "X").exit_code == 0
    env.complete_training(key, attendance_rate=1.0)
    return key


def test_attendance_csv_in_a_pipe(held: str, cli: Cli, env: Sandbox) -> None:
    result = cli("reports", "attendance", held, "--csv", "-")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == ATTENDANCE_FIELDS
    assert sorted(r["email"] for r in rows) == [
        "ann@example.com",
        "bob@example.com",
        "cmd@example.com",
    ]
    assert {r["session"] for r in rows} == {"1"}
    for row in rows:
        assert row["session_start"].startswith("2030-03-01T09:") and row["session_start"].endswith(
            "Z"
        )
        assert int(row["minutes"]) > 0 and int(row["parts"]) >= 1
        assert row["session_start"] <= row["first_join"] < row["last_leave"] <= row["session_end"]
    [cmd] = [r for r in rows if r["email"] == "cmd@example.com"]
    assert cmd["given_name"] == "'=cmd"  # a formula is guarded, as in every CSV the CLI writes
    raw = cli("reports", "attendance", held, "--csv", "-", "--raw-csv")
    assert "=cmd" in [r["given_name"] for r in csv.DictReader(io.StringIO(raw.stdout))]


def test_attendance_csv_to_a_file_and_with_json(held: str, run: Run, tmp_path: Path) -> None:
    out = tmp_path / "attendance.csv"
    result = run("reports", "attendance", held, "--csv", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.startswith("Wrote 3 attendance row(s) to ")
    assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == 3
    both = run("reports", "attendance", held, "--csv", str(out), "--json")
    assert both.exit_code == 0 and json.loads(both.stdout)["training_key"] == held
    refused = run("reports", "attendance", held, "--csv", "-", "--json")
    assert refused.exit_code == 2 and "--json" in refused.stderr


def test_times_are_in_the_trainings_zone_unless_one_is_given(held: str, run: Run) -> None:
    attendance = run("reports", "attendance", held).stdout
    by_training = run("reports", "sessions", "--training", held).stdout
    recordings = run("recordings", "list", held).stdout
    for shown in (attendance, by_training, recordings):
        assert "2030-03-01 10:" in shown and "CET" in shown, shown
        assert "UTC" not in shown
    for command in (
        ("reports", "attendance", held),
        ("reports", "sessions", "--training", held),
        ("recordings", "list", held),
    ):
        utc = run(*command, "--time-zone", "UTC").stdout
        assert "2030-03-01 09:" in utc and "UTC" in utc and "CET" not in utc
    # A date range spans trainings: the sessions carry no zone, so UTC (or --time-zone).
    in_range = run("reports", "sessions", "--from", "2030-03-01", "--to", "2030-03-01").stdout
    assert "2030-03-01 09:" in in_range and "UTC" in in_range
    tokyo = ("--from", "2030-03-01", "--to", "2030-03-01", "-z", "Asia/Tokyo")
    assert "2030-03-01 18:" in run("reports", "sessions", *tokyo).stdout


def test_a_bad_zone_is_refused_before_anything_is_sent(held: str, run: Run, env: Sandbox) -> None:
    before = env.request_count()
    for command in (("reports", "attendance", held), ("recordings", "list", held)):
        result = run(*command, "--time-zone", "Mars/Olympus")
        assert result.exit_code == 2 and "unknown time zone" in result.stderr
    assert env.request_count() == before
