"""The GitHub workflows lint clean (actionlint) and do what CONTRIBUTING.md says they do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / ".github"
ACTIONLINT = Path(sys.executable).with_name("actionlint")


def _load(name: str) -> dict[str, Any]:
    # BaseLoader: every scalar stays a string (YAML 1.1 would read the `on:` key as True).
    data: dict[str, Any] = yaml.load((GITHUB / name).read_text(), Loader=yaml.BaseLoader)
    return data


def _actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ACTIONLINT), "-color=false", *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_actionlint_passes() -> None:
    workflows = sorted((GITHUB / "workflows").glob("*.yml"))
    assert [p.name for p in workflows] == ["ci.yml", "docs.yml", "release.yml"]
    result = _actionlint(*workflows)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n"
        "    steps:\n      - run: echo ${{ matrix.nope }}\n"
    )
    result = _actionlint(broken)
    assert result.returncode == 1
    assert "matrix" in result.stdout


def test_ci_runs_make_test_on_every_supported_python() -> None:
    ci = _load("workflows/ci.yml")
    test = ci["jobs"]["test"]
    assert test["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13", "3.14"]
    assert any("make test" in step.get("run", "") for step in test["steps"])
    facade = ci["jobs"]["facade"]
    assert set(facade["strategy"]["matrix"]["os"]) == {"macos-latest", "windows-latest"}


def test_ci_tests_the_wheel_as_users_install_it() -> None:
    """A job runs the suite against the built wheel in a clean venv (scripts/matrix.sh), on
    every supported Python; the generator's pins are in neither that venv nor the dev one."""
    wheel = _load("workflows/ci.yml")["jobs"]["wheel"]
    assert wheel["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13", "3.14"]
    steps = wheel["steps"]
    assert any(
        "make matrix" in step.get("run", "")
        and step.get("env", {}).get("MATRIX_VERSIONS") == "${{ matrix.python }}"
        for step in steps
    )
    matrix = (ROOT / "scripts" / "matrix.sh").read_text()
    assert '"$WHEEL[cli,sandbox]"' in matrix  # the wheel with its extras, as pip resolves it
    assert "--group dev -c" in matrix  # the tools constrained to that runtime
    assert "requirements-gen" not in matrix
    makefile = (ROOT / "Makefile").read_text()
    install = makefile[makefile.index("$(VENV)/.installed:") :].split("\n\n", 1)[0]
    assert "requirements-gen" not in install  # the dev venv resolves like a user's
    regenerate = (ROOT / "scripts" / "regenerate.sh").read_text()
    assert 'VENV="$ROOT/.venv-gen"' in regenerate


def test_the_suite_gets_a_real_redis_server_in_make_test_and_in_ci() -> None:
    """The shared-quota tests run a real redis-server: ``make test`` (and so ``.ci/run``)
    makes sure one is installed, and the CI jobs that run the suite install it first."""
    makefile = (ROOT / "Makefile").read_text()
    test_target = next(line for line in makefile.splitlines() if line.startswith("test:"))
    assert "redis" in test_target.split(":", 1)[1].split()
    assert "redis:\n\t@scripts/ensure-redis.sh" in makefile
    script = ROOT / "scripts" / "ensure-redis.sh"
    assert script.stat().st_mode & 0o111, "scripts/ensure-redis.sh is not executable"
    assert "apt-get install" in script.read_text() and "redis-server" in script.read_text()
    jobs = _load("workflows/ci.yml")["jobs"]
    for job, suite in (("test", "make test"), ("wheel", "make matrix")):
        runs = [step.get("run", "") for step in jobs[job]["steps"]]
        ensure = next(i for i, run in enumerate(runs) if "scripts/ensure-redis.sh" in run)
        assert ensure < next(i for i, run in enumerate(runs) if suite in run), job


def test_ci_runs_the_suite_with_the_newest_httpx_and_httpcore_every_week() -> None:
    """The wheel job's install takes the newest httpx and httpcore the package allows, in the
    same resolution as the wheel (one run per Python, not a second one), and runs weekly too."""
    ci = _load("workflows/ci.yml")
    assert ci["on"]["schedule"]
    running_matrix = [
        name
        for name, job in ci["jobs"].items()
        if any("matrix" in step.get("run", "") for step in job["steps"])
    ]
    assert running_matrix == ["wheel"]
    script = (ROOT / "scripts" / "matrix.sh").read_text()
    assert "NEWEST=(httpx httpcore" in script
    assert 'install --quiet --upgrade "$WHEEL[cli,sandbox]" "${NEWEST[@]}"' in script


def test_release_publishes_with_trusted_publishing_on_a_tag() -> None:
    release = _load("workflows/release.yml")
    assert release["on"]["push"]["tags"] == ["v*"]
    publish = release["jobs"]["publish"]
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    uses = [step.get("uses", "") for step in publish["steps"]]
    assert any(u.startswith("pypa/gh-action-pypi-publish@") for u in uses)
    # No long-lived token anywhere: trusted publishing only.
    text = (GITHUB / "workflows" / "release.yml").read_text()
    assert "secrets." not in text and "password" not in text
    build = "\n".join(step.get("run", "") for step in release["jobs"]["build"]["steps"])
    assert "twine check --strict" in build and "check-wheel-contents" in build


def test_dependabot_watches_pip_npm_and_actions() -> None:
    dependabot = _load("dependabot.yml")
    ecosystems = {update["package-ecosystem"] for update in dependabot["updates"]}
    assert ecosystems == {"pip", "npm", "github-actions"}


def test_make_dist_needs_only_the_dist_group() -> None:
    """Building from a checkout installs the `dist` group (build, hatchling, twine,
    check-wheel-contents) into a venv of its own, not the dev toolchain."""
    makefile = (ROOT / "Makefile").read_text()
    rule = next(block for block in makefile.split("\n\n") if block.startswith("dist:"))
    prerequisites = rule.splitlines()[0].removeprefix("dist:").split()
    assert prerequisites == ["$(DIST_VENV)/.installed"]  # not `install` (the dev venv)
    venv = next(b for b in makefile.split("\n\n") if "$(DIST_VENV)/.installed: " in b)
    assert "--group dist" in venv and "--group dev" not in venv and "-e " not in venv
    assert "$(BIN)" not in rule  # nothing from .venv
    import tomllib

    group = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]["dist"]
    names = {spec.split("==")[0] for spec in group}
    assert {"build", "hatchling", "twine", "check-wheel-contents"} <= names
    for command in ("-m build --no-isolation", "twine check --strict", "check-wheel-contents"):
        assert command in rule
