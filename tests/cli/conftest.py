"""Fixtures for the CLI tests: the sandbox, an environment pointing at it, a CLI runner."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from gototraining.cli.app import app
from gototraining.sandbox import Sandbox
from gototraining.token_store import StoredTokens, TokenStore
from typer.testing import CliRunner, Result

Run = Callable[..., Result]
Cli = Callable[..., "subprocess.CompletedProcess[str]"]

#: The installed console script: what users run.
GOTOTRAINING = Path(sys.executable).with_name("gototraining")


@pytest.fixture
def sb(gototraining_sandbox: Sandbox) -> Sandbox:
    return gototraining_sandbox


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty config dir (never the user's real one); no GOTO_* variables leak in."""
    for name in (
        "GOTO_ACCESS_TOKEN",
        "GOTO_ORGANIZER_KEY",
        "GOTO_BASE_URL",
        "GOTO_CLIENT_ID",
        "GOTO_CLIENT_SECRET",
    ):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "config"
    monkeypatch.setenv("GOTO_CONFIG_DIR", str(path))
    return path


@pytest.fixture
def env(sb: Sandbox, config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """Credentials for the sandbox in the environment, as a user would export them."""
    monkeypatch.setenv("GOTO_BASE_URL", sb.url)
    monkeypatch.setenv("GOTO_ACCESS_TOKEN", sb.token)
    monkeypatch.setenv("GOTO_ORGANIZER_KEY", sb.organizer_key)
    return sb


@pytest.fixture
def run() -> Run:
    """``run("trainings", "list")`` -> the CliRunner result (stdout/stderr separate)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def cli(env: Sandbox) -> Cli:
    """``cli("trainings", "create", ...)``: the real ``gototraining`` command in a subprocess,
    stdout and stderr pipes (not terminals, as in ``KEY=$(gototraining ...)``), the sandbox's
    credentials in its environment. ``input`` is its stdin."""

    def invoke(
        *args: str, input: str | None = None, **env: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(GOTOTRAINING), *args],
            env={**os.environ, **env},
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return invoke


@pytest.fixture
def training(env: Sandbox, run: Run) -> str:
    """A two-session training in the sandbox; its key."""
    result = run(
        "trainings",
        "create",
        "--name",
        "Python 101",
        "--time-zone",
        "Europe/Berlin",
        "--session",
        "2030-03-01T09:00/11:00",
        "--session",
        "2030-03-08T09:00/11:00",
        "--json",
    )
    assert result.exit_code == 0, result.output
    key: str = json.loads(result.stdout)["training_key"]
    return key


def write_people(path: Path, n: int, *, start: int = 0) -> list[str]:
    """A people CSV with ``n`` valid rows; returns the emails."""
    emails = [f"person{i:03d}@example.com" for i in range(start, start + n)]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["email", "given_name", "surname"])
        for i, email in enumerate(emails, start):
            writer.writerow([email, f"Given{i}", f"Surname{i}"])
    return emails


def read_results(path: Path) -> list[dict[str, Any]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def save_sandbox_login(sb: Sandbox, directory: Path, **overrides: Any) -> TokenStore:
    """The sandbox's main organizer logged in, as ``gototraining login`` stores it in
    ``directory``; ``overrides`` change fields of the stored ``StoredTokens``."""
    store = TokenStore(directory)
    fields: dict[str, Any] = {
        "client_id": sb.client_id,
        "client_secret": sb.client_secret,
        "token_url": sb.token_url,
        "access_token": sb.token,
        "refresh_token": sb.refresh_token,
        "organizer_key": sb.organizer_key,
        "base_url": sb.url,
    }
    store.save(StoredTokens(**{**fields, **overrides}))
    return store
