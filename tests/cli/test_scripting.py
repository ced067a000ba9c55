"""The CLI in shell scripts, as ``gh`` and ``kubectl`` behave: data on stdout, messages on
stderr; a command that creates something prints only its key when stdout is not a terminal
(or with ``--quiet``); ``--json`` unchanged; ``eval "$(gototraining sandbox --env)"``.

Every test runs the installed ``gototraining`` command in a subprocess: stdout is a pipe (as
in ``KEY=$(...)``) or, where a test says so, a pseudo-terminal.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from gototraining.sandbox import Sandbox

from .conftest import GOTOTRAINING, Cli

#: A generous bound for waits that only end early when something is broken (a hang).
HANG = 120.0

SESSION = "2031-04-01T09:00/11:00"


def on_a_terminal(*args: str) -> tuple[int, str, str]:
    """Run ``gototraining ARGS`` with stdout a 200-column pseudo-terminal (stderr a pipe);
    returns the exit code, what the terminal showed (CRLF as LF, styles dropped) and stderr."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    try:
        proc = subprocess.Popen(
            [str(GOTOTRAINING), *args],
            stdin=subprocess.DEVNULL,
            stdout=terminal,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "200"},
        )
        os.close(terminal)
        terminal = -1
        shown = bytearray()
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the command closed the terminal's last writer
                break
            if not chunk:
                break
            shown += chunk
        _, stderr = proc.communicate(timeout=HANG)
    finally:
        os.close(controller)
        if terminal >= 0:
            os.close(terminal)
    text = re.sub(r"\x1b\[[0-9;]*m", "", shown.decode().replace("\r\n", "\n"))
    return proc.returncode, text, stderr


def test_created_training_key_alone_in_a_pipe(cli: Cli, sb: Sandbox) -> None:
    result = cli("trainings", "create", "-n", "Scripted", "-s", SESSION)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"\d+\n", result.stdout), result.stdout
    assert result.stderr == ""
    assert [t.training_key for t in sb.trainings()] == [result.stdout.strip()]


def test_created_training_sentence_on_a_terminal_key_with_quiet(env: Sandbox) -> None:
    code, shown, stderr = on_a_terminal("trainings", "create", "-n", "Human", "-s", SESSION)
    assert code == 0, stderr
    [key] = [t.training_key for t in env.trainings()]
    assert shown == f"Created training {key} ('Human', 1 session(s))\n"
    code, shown, _ = on_a_terminal("trainings", "create", "-n", "Quiet", "-s", SESSION, "-q")
    assert code == 0 and re.fullmatch(r"\d+\n", shown) and shown.strip() != key


def test_json_is_unchanged(cli: Cli) -> None:
    result = cli("trainings", "create", "-n", "J", "-s", SESSION, "-s", SESSION, "--json")
    document = json.loads(result.stdout)
    assert document == {"training_key": document["training_key"], "name": "J", "sessions": 2}
    assert result.stderr == ""


def test_added_registrant_key_alone_in_a_pipe(cli: Cli, training: str, sb: Sandbox) -> None:
    args = ("registrants", "add", training, "-e", " ann@example.com ", "-g", "Ann", "-s", "Lee")
    result = cli(*args)
    assert result.returncode == 0, result.stderr
    [registrant] = sb.registrants(training)
    assert result.stdout == f"{registrant.registrant_key}\n" and result.stderr == ""
    assert registrant.email == "ann@example.com"  # the spaces went
    shown = cli(*args, "--if-exists", "show")
    assert shown.returncode == 0 and shown.stdout == result.stdout


def test_added_registrant_sentence_on_a_terminal(env: Sandbox, training: str) -> None:
    code, shown, stderr = on_a_terminal(
        "registrants", "add", training, "-e", "bo@example.com", "-g", "Bo", "-s", "Ek"
    )
    assert code == 0, stderr
    [registrant] = env.registrants(training)
    assert shown.startswith(
        f"Registered Bo Ek <bo@example.com> for training {training}: registrant key "
        f"{registrant.registrant_key}\nJoin URL: "
    )


def test_changes_are_confirmed_on_stderr_and_stdout_stays_empty(
    cli: Cli, training: str, sb: Sandbox
) -> None:
    cli("registrants", "add", training, "-e", "c@example.com", "-g", "C", "-s", "D")
    for args, message in (
        (("trainings", "rename", training, "-n", "New name"), "Renamed training"),
        (("trainings", "reschedule", training, "-s", SESSION), "Rescheduled training"),
        (("registrants", "cancel", training, "--email", "c@example.com"), "Cancelled the"),
        (("trainings", "cancel", training, "--yes"), "Cancelled training"),
    ):
        result = cli(*args)
        assert result.returncode == 0, result.stderr
        assert result.stdout == "" and result.stderr.startswith(message), (args, result)
    assert sb.trainings() == []


def test_a_shell_script_uses_the_keys(cli: Cli, sb: Sandbox, tmp_path: Path) -> None:
    script = tmp_path / "enroll.sh"
    script.write_text(
        "set -euo pipefail\n"
        f'KEY=$("{GOTOTRAINING}" trainings create -n "Shell 101" -s {SESSION})\n'
        "for who in ann bob; do\n"
        f'  "{GOTOTRAINING}" registrants add "$KEY" -e "$who@example.com" -g "$who" -s X\n'
        "done\n"
        f'"{GOTOTRAINING}" registrants list "$KEY" --json > roster.json\n'
        'echo "training=$KEY"\n'
    )
    result = subprocess.run(
        ["bash", str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=HANG,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    [training] = sb.trainings()
    lines = result.stdout.splitlines()
    assert lines[-1] == f"training={training.training_key}"
    keys = {r.registrant_key for r in sb.registrants(training.training_key)}
    assert set(lines[:-1]) == keys and len(keys) == 2  # each add printed its key
    roster = json.loads((tmp_path / "roster.json").read_text())
    assert sorted(r["email"] for r in roster) == ["ann@example.com", "bob@example.com"]


# -- the sandbox, for eval ---------------------------------------------------------------------


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _wait_gone(pid: int) -> bool:
    """Wait until process ``pid`` no longer exists (bounded by ``HANG``: a hang guard)."""
    deadline = time.monotonic() + HANG
    while not _gone(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture
def stopper() -> Iterator[list[int]]:
    """Pids of background sandboxes: killed after the test whatever happened."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        if not _gone(pid):
            os.kill(pid, signal.SIGKILL)


def test_sandbox_env_for_eval_in_a_script(
    config_dir: Path, tmp_path: Path, stopper: list[int]
) -> None:
    script = tmp_path / "demo.sh"
    script.write_text(
        "set -euo pipefail\n"
        f'eval "$("{GOTOTRAINING}" sandbox --env --port 0)"\n'
        'echo "pid=$GOTO_SANDBOX_PID"\n'
        f'KEY=$("{GOTOTRAINING}" trainings create -n "Eval" -s {SESSION})\n'
        'echo "key=$KEY"\n'
        f'"{GOTOTRAINING}" trainings show "$KEY" --json\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOTO_")}
    env["GOTO_CONFIG_DIR"] = str(config_dir)
    result = subprocess.run(
        ["bash", str(script)], capture_output=True, text=True, timeout=HANG, env=env, check=False
    )
    pid_line, key_line, *shown = result.stdout.splitlines()
    pid = int(pid_line.removeprefix("pid="))
    stopper.append(pid)
    assert result.returncode == 0, result.stderr
    key = key_line.removeprefix("key=")
    assert key.isdigit() and json.loads("\n".join(shown))["training_key"] == key
    # It outlived the script; `kill $GOTO_SANDBOX_PID` stops it.
    assert not _gone(pid)
    os.kill(pid, signal.SIGTERM)
    assert _wait_gone(pid)


def test_sandbox_env_prints_only_export_lines(
    cli: Cli, stopper: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = cli("sandbox", "--env", "--port", "0", "--seed", "4")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(line.startswith("export GOTO_") for line in lines), lines
    values = dict(line.removeprefix("export ").split("=", 1) for line in lines)
    stopper.append(int(values["GOTO_SANDBOX_PID"]))
    assert set(values) == {
        "GOTO_BASE_URL",
        "GOTO_ACCESS_TOKEN",
        "GOTO_ORGANIZER_KEY",
        "GOTO_SANDBOX_PID",
    }
    monkeypatch.setenv("GOTO_BASE_URL", values["GOTO_BASE_URL"])
    monkeypatch.setenv("GOTO_ACCESS_TOKEN", values["GOTO_ACCESS_TOKEN"])
    monkeypatch.setenv("GOTO_ORGANIZER_KEY", values["GOTO_ORGANIZER_KEY"])
    listed = cli("trainings", "list", "--json")
    assert listed.returncode == 0 and json.loads(listed.stdout) == []


def test_sandbox_env_that_cannot_start_says_why(cli: Cli) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("sandbox", "--env", "--port", str(port))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("error: the sandbox did not start: ")
    assert "in use" in result.stderr
