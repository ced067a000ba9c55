"""The ``pytest11`` plugin is cheap for projects that never use it, and the sandbox says which
extra to install when it is missing.

Each check runs in a fresh interpreter (or a fresh pytest run of a throw-away project): what a
module import costs only shows in a process that has not imported it yet.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

import pytest

HINT = "pip install 'gototraining[sandbox]'"


def _python(code: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        check=False,
    )


def _pytest(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_entry_point_is_the_top_level_plugin_module() -> None:
    [entry] = [
        e for e in importlib.metadata.entry_points(group="pytest11") if e.name == "gototraining"
    ]
    assert entry.value == "_gototraining_pytest_plugin"


def test_loading_the_plugin_imports_nothing_of_gototraining() -> None:
    """What pytest does at start-up: look the entry point up and load it."""
    code = (
        "import importlib.metadata, json, sys\n"
        "import pytest\n"
        "[ep] = [e for e in importlib.metadata.entry_points(group='pytest11')"
        " if e.name == 'gototraining']\n"
        "before = set(sys.modules)\n"
        "ep.load()\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    result = _python(code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["_gototraining_pytest_plugin"]


def test_a_project_that_never_uses_the_fixture_does_not_import_gototraining(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_other.py").write_text(
        "import sys\n\n"
        "def test_nothing_of_gototraining_is_loaded():\n"
        "    loaded = [m for m in sys.modules if m.startswith('gototraining')]\n"
        "    assert loaded == []\n"
    )
    result = _pytest(tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "1 passed" in result.stdout


def test_the_fixture_serves_a_project_and_the_plugin_can_be_disabled(tmp_path: Path) -> None:
    (tmp_path / "test_uses_sandbox.py").write_text(
        "from gototraining import GoToTraining\n\n"
        "def test_sandbox(gototraining_sandbox):\n"
        "    sb = gototraining_sandbox\n"
        "    with GoToTraining(access_token=sb.token, organizer_key=sb.organizer_key,\n"
        "                      base_url=sb.url) as client:\n"
        "        assert isinstance(client.trainings.list(), list)\n"
    )
    assert "1 passed" in _pytest(tmp_path).stdout
    disabled = _pytest(tmp_path, "-p", "no:gototraining")
    assert disabled.returncode == 1
    assert "fixture 'gototraining_sandbox' not found" in disabled.stdout


def test_the_fixture_without_the_extra_says_what_to_install(tmp_path: Path) -> None:
    # A conftest makes the extra's server look uninstalled (None in sys.modules blocks an import).
    (tmp_path / "conftest.py").write_text("import sys\nsys.modules['uvicorn'] = None\n")
    (tmp_path / "test_needs_it.py").write_text(
        "def test_sandbox(gototraining_sandbox):\n    pass\n"
    )
    result = _pytest(tmp_path)
    assert result.returncode == 1
    assert HINT in result.stdout
    assert "Traceback" not in result.stdout


@pytest.mark.parametrize("missing", ["uvicorn", "starlette", "fastjsonschema", "yaml"])
def test_importing_sandbox_without_the_extra_says_what_to_install(missing: str) -> None:
    result = _python(
        f"import sys\nsys.modules[{missing!r}] = None\nfrom gototraining.sandbox import Sandbox\n"
    )
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ModuleNotFoundError: gototraining.sandbox needs the 'sandbox' extra")
    assert f"({missing} is not installed)" in last and last.endswith(HINT)


def test_other_import_errors_are_not_disguised() -> None:
    result = _python(
        "import sys\nsys.modules['gototraining.sandbox.app'] = None\n"
        "from gototraining.sandbox import Sandbox\n"
    )
    assert result.returncode == 1
    assert "sandbox' extra" not in result.stderr
    assert "gototraining.sandbox.app" in result.stderr


def test_the_historical_module_name_still_offers_the_fixtures() -> None:
    import _gototraining_pytest_plugin
    from gototraining.sandbox import pytest_plugin

    assert pytest_plugin.gototraining_sandbox is _gototraining_pytest_plugin.gototraining_sandbox


CONFIGURED_PROJECT = """
import pytest
from gototraining import AuthenticationError, RateLimitError, RetryPolicy
from gototraining.sandbox import Sandbox

SHARED = {}


def test_the_ini_options_configure_the_session_server(gototraining_sandbox: Sandbox) -> None:
    assert gototraining_sandbox.seed == 7
    assert gototraining_sandbox.strict is True
    SHARED["default"] = gototraining_sandbox


@pytest.mark.gototraining_sandbox(rate_limit=0.001, strict=False)
def test_the_marker_configures_its_own_server(gototraining_sandbox: Sandbox) -> None:
    sb = gototraining_sandbox
    assert sb is not SHARED["default"] and sb.seed == 7 and sb.strict is False
    with sb.client(retry_policy=RetryPolicy(max_retries=0, rate_limit_retries=0)) as client:
        client.trainings.list()  # the bucket's one token; the next arrives in 1000 s
        with pytest.raises(RateLimitError):
            client.trainings.list()


@pytest.mark.gototraining_sandbox(expired_token_status=401)
def test_the_marker_sets_the_expired_token_status(gototraining_sandbox: Sandbox) -> None:
    gototraining_sandbox.expire_tokens()
    with gototraining_sandbox.client(retry_policy=RetryPolicy(max_retries=0, rate_limit_retries=0)) as client:
        with pytest.raises(AuthenticationError) as caught:
            client.trainings.list()
    assert caught.value.status == 401


@pytest.mark.gototraining_sandbox(seed=7, strict=True)
def test_the_same_configuration_shares_the_server(gototraining_sandbox: Sandbox) -> None:
    assert gototraining_sandbox is SHARED["default"]


def test_the_ready_made_client_is_unthrottled(gototraining_client, gototraining_sandbox) -> None:
    assert gototraining_client.base_url == gototraining_sandbox.url
    assert gototraining_client.options.rate_limiter is None
    assert gototraining_client.trainings.list() == []


@pytest.mark.gototraining_sandbox(rate_limt=2)
def test_a_misspelt_setting_is_an_error(gototraining_sandbox: Sandbox) -> None:
    pass


@pytest.mark.gototraining_sandbox(expired_token_status=500)
def test_a_bad_value_is_an_error(gototraining_sandbox: Sandbox) -> None:
    pass
"""


def test_the_fixture_is_configured_by_ini_options_and_markers(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\ngototraining_sandbox_seed = 7\ngototraining_sandbox_strict = true\n"
    )
    (tmp_path / "test_configured.py").write_text(CONFIGURED_PROJECT)
    result = _pytest(tmp_path, "-p", "no:randomly", "--strict-markers")
    assert "5 passed, 2 errors" in result.stdout, result.stdout[-3000:]
    assert (
        "unknown rate_limt (known: rate_limit, seed, expired_token_status, strict, drift, "
        "rotate_refresh_tokens)" in result.stdout
    )
    assert "expired_token_status=500 is not valid" in result.stdout
