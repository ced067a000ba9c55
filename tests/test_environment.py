"""GOTO_* variables in the developer's shell never reach a test (tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOTO_ENV = (
    "GOTO_ACCESS_TOKEN", "GOTO_ORGANIZER_KEY", "GOTO_BASE_URL",
    "GOTO_CLIENT_ID", "GOTO_CLIENT_SECRET", "GOTO_REFRESH_TOKEN", "GOTO_TOKEN_URL",
)  # fmt: skip


def test_goto_variables_are_cleared_for_every_test() -> None:
    assert not [name for name in GOTO_ENV if name in os.environ]
    # no stored login either: the token store is an empty directory of the test session
    config = Path(os.environ["GOTO_CONFIG_DIR"])
    assert not (config / "tokens.json").exists() and config != ROOT / "nonexistent-goto-config"


def test_suite_passes_with_goto_variables_exported() -> None:
    """The sandbox guide's `export GOTO_BASE_URL=...` (and friends) must not break the tests."""
    env = {
        **os.environ,
        "GOTO_BASE_URL": "http://127.0.0.1:9/G2T/rest",
        "GOTO_ACCESS_TOKEN": "shell-token",
        "GOTO_ORGANIZER_KEY": "42",
        "GOTO_CLIENT_ID": "shell-client",
        "GOTO_CLIENT_SECRET": "shell-secret",
        "GOTO_REFRESH_TOKEN": "shell-refresh",
        "GOTO_CONFIG_DIR": str(ROOT / "nonexistent-goto-config"),
    }
    env.pop("GOTO_RECORD", None)
    result = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
            "tests/sdk/test_facade_download.py::test_relative_location_is_made_absolute",
            "tests/sdk/test_facade_transport.py",
            "tests/test_environment.py::test_goto_variables_are_cleared_for_every_test",
        ],
        check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_the_generator_is_not_in_the_venv_under_test() -> None:
    """openapi-python-client pins typer (< 0.28) and more: in the venv the tests run in it
    would hold back what users get. It lives in .venv-gen (scripts/regenerate.sh)."""
    import importlib.util

    assert importlib.util.find_spec("openapi_python_client") is None
