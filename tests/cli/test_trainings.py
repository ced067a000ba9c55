"""``gototraining trainings ...`` against the sandbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from gototraining.cli.commands.trainings import parse_session
from gototraining.cli.context import UsageError
from gototraining.sandbox import Sandbox

from .conftest import Run


def test_create_two_sessions_in_time_zone(env: Sandbox, run: Run) -> None:
    result = run(
        "trainings",
        "create",
        "-n",
        "Pandas",
        "-z",
        "Europe/Berlin",
        "-s",
        "2030-03-01T09:00/12:30",
        "-s",
        "2030-03-08 09:00/2030-03-08 12:30",
        "--description",
        "Two mornings",
    )
    assert result.exit_code == 0, result.output
    (stored,) = env.trainings()
    assert stored.training_key in result.stdout
    assert stored.name == "Pandas" and stored.time_zone == "Europe/Berlin"
    assert [t.start.isoformat() for t in stored.times] == [
        "2030-03-01T08:00:00+00:00",  # 09:00 CET
        "2030-03-08T08:00:00+00:00",
    ]


def test_create_json(env: Sandbox, run: Run) -> None:
    result = run("trainings", "create", "-n", "X", "-s", "2030-01-01T08:00Z/09:00Z", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data == {"training_key": env.trainings()[0].training_key, "name": "X", "sessions": 1}


def test_list_table_and_json(training: str, run: Run) -> None:
    table = run("trainings", "list")
    assert table.exit_code == 0
    assert training in table.stdout and "Python 101" in table.stdout
    assert "2030-03-01 09:00 CET" in table.stdout  # first session in the training's zone
    data = json.loads(run("trainings", "list", "--json").stdout)
    assert [t["training_key"] for t in data] == [training]
    assert data[0]["times"][0] == {"start": "2030-03-01T08:00:00Z", "end": "2030-03-01T10:00:00Z"}


def test_show_table_and_json(training: str, run: Run, sb: Sandbox) -> None:
    result = run("trainings", "show", training)
    assert result.exit_code == 0
    assert "2030-03-08 09:00-11:00 CET" in result.stdout
    assert sb.organizer_key in result.stdout
    data = json.loads(run("trainings", "show", training, "--json").stdout)
    assert data["training_key"] == training and len(data["times"]) == 2
    assert data["registration_settings"] == {
        "disable_confirmation_email": False,
        "disable_web_registration": False,
    }


def test_show_unknown_is_api_error_one_line(env: Sandbox, run: Run) -> None:
    result = run("trainings", "show", "123")
    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: 404 Not Found: ")
    assert f"(GET /organizers/{env.organizer_key}/trainings/123)" in line


@pytest.mark.parametrize(
    "args",
    [
        ["trainings", "show", "abc"],  # not a key
        ["trainings", "show"],  # missing argument
        ["trainings", "list", "--bogus"],  # unknown option
        ["trainings", "create", "-n", "X", "-s", "2030-01-01T10:00/09:00"],  # end before start
        ["trainings", "create", "-n", "X", "-s", "tomorrow"],
        ["trainings", "create", "-n", "X", "-z", "Mars/Olympus", "-s", "2030-01-01T09:00/10:00"],
        ["trainings", "create", "-n", "  ", "-s", "2030-01-01T09:00/10:00"],  # facade rejects
        ["nonsense"],
    ],
)
def test_usage_errors_exit_2_and_send_nothing(env: Sandbox, run: Run, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert env.request_count() == 0


def test_cancel(training: str, run: Run, sb: Sandbox) -> None:
    refused = run("trainings", "cancel", training)  # not a TTY and no --yes
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert len(sb.trainings()) == 1
    result = run("trainings", "cancel", training, "--yes")
    assert result.exit_code == 0 and result.stdout == ""  # a message, not data: stderr
    assert f"Cancelled training {training}" in result.stderr
    assert sb.trainings() == []
    again = run("trainings", "cancel", training, "--yes", "--json")
    assert again.exit_code == 1 and again.stderr.startswith("error: 404 Not Found")


def test_parse_session() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    start, end = parse_session("2030-03-01T09:00/11:30", berlin)
    assert start == datetime(2030, 3, 1, 9, tzinfo=berlin)
    assert end - start == timedelta(hours=2, minutes=30)
    start, end = parse_session("2030-03-01T23:00+01:00/2030-03-02T01:00+01:00", UTC)
    assert start.utcoffset() == timedelta(hours=1) and end.day == 2
    start, end = parse_session("2030-03-01T08:00Z/10:00", berlin)  # bare end inherits offset
    assert end == datetime(2030, 3, 1, 10, tzinfo=UTC)
    for bad in ("2030-03-01T09:00", "2030-03-01T09:00/", "x/y", "2030-03-01T09:00/08:00"):
        with pytest.raises(UsageError):
            parse_session(bad, berlin)
