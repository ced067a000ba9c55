"""The CLI covers the whole API, every command has ``--json`` and one help style, and the
commands that change things do what they say (checked in the sandbox's own state)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from gototraining import RegistrationSettings
from gototraining.cli.app import app
from gototraining.sandbox import Sandbox

from .conftest import Run


def _commands() -> dict[str, Any]:
    """Every leaf command of the CLI by its full name (``trainings reschedule``)."""
    found: dict[str, Any] = {}

    def walk(command: Any, prefix: str) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(sub, f"{prefix} {name}".strip())
            if getattr(command, "invoke_without_command", False):  # a command itself too
                found[prefix] = command
        else:
            found[prefix] = command

    walk(typer.main.get_command(app), "")
    return found


TYPER_COMMANDS = _commands()


def test_the_command_list_is_complete() -> None:
    assert set(TYPER_COMMANDS) == {
        "login", "logout", "whoami", "sandbox", "sandbox complete",
        "trainings list", "trainings show", "trainings create", "trainings reschedule",
        "trainings rename", "trainings settings", "trainings organizers",
        "trainings set-organizers", "trainings urls", "trainings start", "trainings cancel",
        "registrants list", "registrants show", "registrants add", "registrants export",
        "registrants import", "registrants cancel",
        "reports sessions", "reports attendance",
        "recordings list", "recordings download",
        "organizers list",
    }  # fmt: skip


@pytest.mark.parametrize("name", sorted(TYPER_COMMANDS))
def test_every_command_has_json_and_one_help_style(name: str, run: Run) -> None:
    command = TYPER_COMMANDS[name]
    options = {opt for param in command.params for opt in param.opts}
    assert "--json" in options, f"{name} has no --json"
    summary = " ".join((command.help or "").strip().split("\n\n")[0].split())
    assert summary.endswith("."), f"{name}: {summary!r}"
    for param in command.params:
        if getattr(param, "is_flag", False) or param.param_type_name == "argument":
            if param.param_type_name == "argument":
                assert param.metavar and param.metavar.isupper(), (name, param.name)
            continue
        assert param.metavar, f"{name} {param.opts}: a value without a metavar"
        assert param.metavar == param.metavar.upper() or "|" in param.metavar, param.metavar
    result = run(*name.split(), "--help")
    assert result.exit_code == 0
    help_text = result.stdout
    assert "Usage:" in help_text and "--json" in help_text
    for noise in ("<bool>", "<str>", "<int", "<float", "<path>", "╭"):
        assert noise not in help_text, f"{name}: {noise!r} in its help"
    usage = help_text.splitlines()[0]
    assert "{" not in usage, f"{name}: {usage!r}"  # TRAINING, not typer 0.27+'s {TRAINING}


def test_python_dash_m_sandbox_has_the_same_outputs() -> None:
    """``python -m gototraining.sandbox`` (the ``sandbox`` extra alone) is argparse."""
    from gototraining.sandbox.command import build_parser

    parser = build_parser("python -m gototraining.sandbox")
    assert parser.parse_args(["--json"]).json is True
    assert parser.parse_args(["--env"]).env is True
    assert "sandbox complete TRAINING" in parser.format_help()
    assert "--detached" not in parser.format_help()  # internal


# -- the whole API --------------------------------------------------------------------------------


def _json(result: Any) -> Any:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_every_api_operation_has_a_command(
    env: Sandbox,
    run: Run,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One session of commands, each with ``--json``; then every operation of the spec has
    been called at least once (the sandbox counts them)."""
    sb = env
    key = _json(
        run(
            "trainings", "create", "-n", "Whole API", "-z", "Europe/Berlin",
            "-s", "2031-03-03T09:00/11:00", "-s", "2031-03-10T09:00/11:00", "--json",
        )
    )["training_key"]  # fmt: skip
    assert [t["training_key"] for t in _json(run("trainings", "list", "--json"))] == [key]
    assert _json(run("trainings", "show", key, "--json"))["name"] == "Whole API"
    renamed = _json(
        run("trainings", "rename", key, "-n", "Renamed", "--description", "D", "--json")
    )
    assert renamed == {"training_key": key, "name": "Renamed", "description": "D"}
    settings = _json(run("trainings", "settings", key, "--no-web-registration", "--json"))
    assert settings["registration_settings"] == {
        "disable_confirmation_email": False,
        "disable_web_registration": True,
    }
    co = sb.co_organizer_keys[0]
    both = _json(run("trainings", "set-organizers", key, "--organizer", co, "--json"))
    assert [o["organizer_key"] for o in both["organizers"]] == [sb.organizer_key, co]
    assert len(_json(run("trainings", "organizers", key, "--json"))) == 2
    urls = _json(run("trainings", "urls", key, "--json"))
    assert urls["manage_url"].startswith("https://") and urls["start_url"].startswith("https://")
    assert "hostToken=" in _json(run("trainings", "start", key, "--json"))["host_url"]

    added = _json(
        run("registrants", "add", key, "-e", "ada@example.com", "-g", "Ada", "-s", "L", "--json")
    )
    assert added["created"] is True and added["training_key"] == key
    shown = _json(run("registrants", "show", key, added["registrant_key"], "--json"))
    assert shown["email"] == "ada@example.com"
    people = tmp_path / "people.csv"
    people.write_text("email,given_name,surname\nbob@example.com,Bob,B\n", encoding="utf-8")
    imported = _json(run("registrants", "import", key, str(people), "--json"))
    assert imported["registered"] == 1
    assert len(_json(run("registrants", "list", key, "--json"))) == 2
    exported = _json(run("registrants", "export", key, "--csv", str(tmp_path / "r.csv"), "--json"))
    assert exported["registrants"] == 2

    moved = _json(
        run("trainings", "reschedule", key, "--move", "2=2031-03-11T14:00/15:30", "--json")
    )
    assert moved["times"][0]["start"] == "2031-03-03T08:00:00Z"  # kept, in UTC
    assert moved["times"][1] == {"start": "2031-03-11T13:00:00Z", "end": "2031-03-11T14:30:00Z"}
    assert moved["notified_registrants"] == 2
    again = _json(
        run(
            "trainings", "reschedule", key, "-s", "2031-03-03T09:00/11:00",
            "-s", "2031-03-04T09:00/11:00", "--no-notify-registrants", "--no-notify-trainers",
            "--json",
        )
    )  # fmt: skip
    assert len(again["times"]) == 2 and again["notified_registrants"] == 0

    cancelled = _json(run("registrants", "cancel", key, "--email", "bob@example.com", "--json"))
    assert cancelled["cancelled"] is True
    done = _json(run("sandbox", "complete", key, "--attendance-rate", "1", "--json"))
    assert len(done["sessions"]) == 2 and len(done["recordings"]) == 2
    sessions = _json(
        run("reports", "sessions", "--from", "2031-03-01", "--to", "2031-03-31", "--json")
    )
    assert [s["session_key"] for s in sessions] == [s["session_key"] for s in done["sessions"]]
    assert all(isinstance(r["recording_id"], str) for r in done["recordings"])
    assert len(_json(run("reports", "sessions", "--training", key, "--json"))) == 2
    report = _json(run("reports", "attendance", key, "--json"))
    assert [len(s["attendees"]) for s in report["sessions"]] == [1, 1]
    recordings = _json(run("recordings", "list", key, "--json"))
    recording = str(recordings[0]["recording_id"])
    sb.set_recording_file_size(3000)
    url = _json(run("recordings", "download", key, recording, "--url", "--json"))["url"]
    assert url.endswith(f"recording-{recording}.mp4")
    fetched = _json(run("recordings", "download", key, recording, "--to", str(tmp_path), "--json"))
    assert Path(fetched["path"]).stat().st_size == fetched["bytes"] == 3000
    mark = len(sb.requests)
    with monkeypatch.context() as scope:
        scope.chdir(tmp_path)
        to_stdout = run("recordings", "download", key, recording, "--to", "-")
        assert to_stdout.exit_code == 2 and "--url" in to_stdout.stderr
        assert not (tmp_path / "-").exists() and sb.requests[mark:] == []

    organizers = _json(run("organizers", "list", sb.account_key, "--json"))
    assert len(organizers) == 3
    cancel = _json(run("trainings", "cancel", key, "--yes", "--json"))
    assert cancel == {"training_key": key, "cancelled": True}

    for operation in sb.core.spec.operations:
        assert sb.request_count(operation) > 0, f"no command called {operation}"


# -- what the changing commands do ----------------------------------------------------------------


def test_reschedule_needs_one_of_session_or_move(training: str, run: Run, sb: Sandbox) -> None:
    mark = len(sb.requests)
    for args in ([], ["-s", "2030-03-01T09:00/10:00", "--move", "1=10:00/11:00"]):
        result = run("trainings", "reschedule", training, *args)
        assert result.exit_code == 2 and "--session" in result.stderr
    bad = run("trainings", "reschedule", training, "--move", "0=2030-03-01T09:00/10:00")
    assert bad.exit_code == 2 and "N >= 1" in bad.stderr
    bad = run("trainings", "reschedule", training, "-s", "2030-03-05T25:00/26:00")
    assert bad.exit_code == 2
    assert sb.requests[mark:] == []  # the spelling is checked before anything is sent


def test_moving_a_session_that_is_not_there_changes_nothing(
    training: str, run: Run, sb: Sandbox
) -> None:
    result = run("trainings", "reschedule", training, "--move", "3=2030-03-20T09:00/10:00")
    assert result.exit_code == 2 and "has 2 session(s), numbered 1 to 2" in result.stderr
    assert sb.request_count("updateTrainingTimes") == 0


def test_settings_change_only_what_is_given(training: str, run: Run, sb: Sandbox) -> None:
    shown = _json(run("trainings", "settings", training, "--json"))  # no flag: shows
    assert sb.request_count("updateRegistrationSettingsForTraining") == 0
    assert shown["registration_settings"]["disable_confirmation_email"] is False
    run("trainings", "settings", training, "--no-confirmation-email")
    run("trainings", "settings", training, "--no-web-registration")
    [current] = [t for t in sb.trainings() if t.training_key == training]
    assert current.registration_settings == RegistrationSettings(
        disable_confirmation_email=True, disable_web_registration=True
    )


def test_set_organizers_asks_for_the_organizers_or_none(
    training: str, run: Run, sb: Sandbox
) -> None:
    result = run("trainings", "set-organizers", training)
    assert result.exit_code == 2 and "--none" in result.stderr
    run("trainings", "set-organizers", training, "--organizer", sb.co_organizer_keys[1])
    assert len(_json(run("trainings", "organizers", training, "--json"))) == 2
    run("trainings", "set-organizers", training, "--none", "--no-notify")
    assert len(_json(run("trainings", "organizers", training, "--json"))) == 1


def test_registrants_add_twice(training: str, run: Run) -> None:
    args = ("registrants", "add", training, "-e", "ada@example.com", "-g", " Ada ", "-s", "L")
    first = run(*args)  # stdout is not a terminal: the registrant key alone
    assert first.exit_code == 0 and first.stdout.strip().isdigit() and first.stderr == ""
    again = run(*args)
    assert again.exit_code == 1 and again.stderr.startswith("error: 409 Conflict")
    shown = _json(run(*args, "--if-exists", "show", "--json"))
    assert shown["created"] is False and shown["registrant"]["given_name"] == "Ada"
    bad = run("registrants", "add", training, "-e", "nope", "-g", "A", "-s", "B")
    assert bad.exit_code == 2 and "email" in bad.stderr


def test_reports_sessions_checks_its_range(env: Sandbox, run: Run) -> None:
    for args in (
        [],
        ["--from", "2030-01-01"],
        ["--from", "2030-01-01", "--to", "2030-01-02", "--training", "1"],
    ):
        result = run("reports", "sessions", *args)
        assert result.exit_code == 2 and "--from DATE and --to DATE" in result.stderr
    backwards = run("reports", "sessions", "--from", "2030-02-01", "--to", "2030-01-01")
    assert backwards.exit_code == 2 and "not after" in backwards.stderr
    empty = run("reports", "sessions", "--from", "2030-01-01", "--to", "2030-01-31")
    assert empty.exit_code == 0 and "0 completed session(s)" in empty.stdout


def test_sandbox_complete_of_an_unknown_training(env: Sandbox, run: Run) -> None:
    result = run("sandbox", "complete", "1234567890123456789")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: sandbox at ") and "404" in result.stderr


def test_sandbox_complete_never_calls_gotos_api(config_dir: Path, run: Run) -> None:
    result = run("--base-url", "https://api.getgo.com/G2T/rest", "sandbox", "complete", "1")
    assert result.exit_code == 2 and "is GoTo's API, not a sandbox" in result.stderr
    missing = run("sandbox", "complete", "1")
    assert missing.exit_code == 2 and "--base-url or GOTO_BASE_URL" in missing.stderr


def test_export_json_needs_a_file(training: str, run: Run) -> None:
    result = run("registrants", "export", training, "--json")
    assert result.exit_code == 2 and "--csv FILE" in result.stderr


def test_whoami_and_logout_json(env: Sandbox, run: Run) -> None:
    who = _json(run("whoami", "--json"))
    assert who == {
        "credentials": "environment",
        "source": "GOTO_ACCESS_TOKEN",
        "organizer_key": env.organizer_key,
        "base_url": env.url,
    }
    gone = _json(run("logout", "--json"))
    assert gone["removed"] is False


def test_errors_say_what_to_do(env: Sandbox, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    env.expire_tokens()
    refused = run("trainings", "list")
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: 403 Forbidden: Invalid token passed")
    assert "-- GOTO_ACCESS_TOKEN was refused" in refused.stderr
    assert "'gototraining login'" in refused.stderr and "auth=OAuth2" not in refused.stderr
    env.reset()
    monkeypatch.setenv("GOTO_ACCESS_TOKEN", env.token)
    monkeypatch.setenv("GOTO_BASE_URL", env.root_url)  # without /G2T/rest
    missing = run("trainings", "show", "123")
    assert missing.exit_code == 1 and "does not end in /G2T/rest" in missing.stderr


def test_sandbox_complete_one_session(training: str, run: Run, sb: Sandbox) -> None:
    first = _json(run("sandbox", "complete", training, "--sessions", "1", "--json"))
    assert len(first["sessions"]) == 1 and len(first["recordings"]) == 1
    assert [t["training_key"] for t in _json(run("trainings", "list", "--json"))] == [training]
    done = run("sandbox", "complete", training, "--sessions", "1")
    assert done.exit_code == 0 and done.stdout == ""
    assert done.stderr.startswith(f"Completed training {training}: 2 session(s), 2 recording")
    assert _json(run("trainings", "list", "--json")) == []
    assert run("sandbox", "complete", training, "--sessions", "0").exit_code == 2
