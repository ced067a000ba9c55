"""The command as a whole: help, sandbox sub-command, missing extra, import hygiene, demo."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from gototraining import __version__
from gototraining.cli import HINT, main

from .conftest import Run


def test_help_lists_the_commands(run: Run) -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("login", "trainings", "registrants", "reports", "sandbox"):
        assert command in result.stdout
    assert run("--version").stdout == f"gototraining {__version__}\n"
    assert run("registrants", "import", "--help").exit_code == 0


def test_no_arguments_shows_help_with_usage_exit_code(run: Run) -> None:
    result = run()
    assert result.exit_code == 2 and "Usage" in result.output


def test_sandbox_subcommand_help(run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    result = run("sandbox", "--help")  # through the Typer app, like every command
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: gototraining sandbox [OPTIONS] COMMAND [ARGS]...")
    for option in ("--port PORT", "--rate-limit PER_SECOND", "--env", "--json"):
        assert option in result.stdout
    assert "complete" in result.stdout.split("Commands:")[1]
    assert main(["sandbox", "--help"]) == 0  # main() too
    assert capsys.readouterr().out.startswith("Usage: gototraining sandbox [OPTIONS]")


def test_sandbox_without_the_cli_extra_is_the_argparse_command(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "typer", None)  # only the 'sandbox' extra installed
    with pytest.raises(SystemExit) as exc:
        main(["sandbox", "--help"])
    assert exc.value.code == 0
    assert "usage: gototraining sandbox" in capsys.readouterr().out
    assert main(["sandbox", "complete", "1"]) == 2  # a CLI command: needs the extra
    assert capsys.readouterr().err == f"error: {HINT}\n"


def test_main_returns_exit_codes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GOTO_CONFIG_DIR", str(tmp_path))
    monkeypatch.delenv("GOTO_ACCESS_TOKEN", raising=False)
    assert main(["--version"]) == 0
    assert main(["trainings", "list"]) == 2
    assert main(["trainings", "frobnicate"]) == 2
    assert "not logged in" in capsys.readouterr().err


def test_missing_cli_extra_prints_hint(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "typer", None)  # import typer -> ImportError
    assert main(["trainings", "list"]) == 2
    assert capsys.readouterr().err == f"error: {HINT}\n"
    assert "pip install 'gototraining[cli]'" in HINT


def test_import_gototraining_does_not_import_the_cli_stack() -> None:
    # (rich and click are not checked: httpx itself imports its own CLI, and with it click and
    # rich, whenever they are installed.)
    code = (
        "import sys, gototraining; "
        "bad = [m for m in ('typer', 'gototraining.cli', 'gototraining.sandbox') "
        "if m in sys.modules]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_demo_end_to_end(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "gototraining.demo", "--output-dir", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,  # a hang guard only: how long the demo takes is not this test's business
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for expected in (
        "$ gototraining trainings create --name 'Data Analysis with Python'",
        "2030-03-04 09:00-12:30 CET",
        "registered now     │     50",
        "already registered │     50",
        "50 registrant(s)",
        "$ gototraining reports attendance",
        "Session 2: 2030-03-11",
        "Finished in",
    ):
        assert expected in out, expected
    roster = (tmp_path / "out" / "roster.csv").read_text(encoding="utf-8").splitlines()
    assert len(roster) == 1 + 49 and "ada.lovelace@example.org" not in "\n".join(roster)
    results = (tmp_path / "out" / "people.results.csv").read_text(encoding="utf-8")
    assert results.count("already_registered") == 50
    assert proc.stderr.count("Exported 49 registrant(s)") == 1
    assert "Cancelled the registration of Ada Lovelace <ada.lovelace@example.org>" in proc.stderr


#: Facade settings the CLI must import, never restate (one definition, nothing to drift).
FACADE_CONSTANTS = {
    "DEFAULT_BASE_URL",
    "DEFAULT_RATE_LIMIT",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TOKEN_URL",
    "NAME_MAX",
}


def test_the_cli_defines_no_copy_of_a_facade_constant() -> None:
    import ast

    import gototraining.cli

    for path in Path(gototraining.cli.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets = [
            target
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign | ast.AnnAssign)
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        ]
        names = {t.id for t in targets if isinstance(t, ast.Name)}
        assert not names & FACADE_CONSTANTS, f"{path}: {names & FACADE_CONSTANTS}"


def test_cli_defaults_are_the_facades() -> None:
    import inspect

    import gototraining
    from gototraining import _client
    from gototraining.cli.app import root
    from gototraining.cli.commands.auth import login
    from gototraining.cli.context import State

    assert State().rate_limit == _client.DEFAULT_RATE_LIMIT
    assert inspect.signature(root).parameters["rate_limit"].default == _client.DEFAULT_RATE_LIMIT
    token_url = inspect.signature(login).parameters["token_url"].default
    assert token_url is gototraining.DEFAULT_TOKEN_URL
