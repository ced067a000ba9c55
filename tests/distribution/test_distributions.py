"""The sdist and wheel, built fresh from this tree, pass PyPI's checks and hold what they must.

Builds once per session without build isolation (hatchling comes from the dev group), so the
checks cost about two seconds and need no network.
"""

from __future__ import annotations

import email.parser
import subprocess
import sys
import tarfile
import zipfile
from email.message import Message
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PYTHONS = ("3.11", "3.12", "3.13", "3.14")


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    # Without arguments `build` makes the sdist, then the wheel *from the sdist*: the sdist
    # must be complete enough to build.
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    [sdist] = out.glob("*.tar.gz")
    [wheel] = out.glob("*.whl")
    return {"sdist": sdist, "wheel": wheel}


def _metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return email.parser.Parser().parsestr(archive.read(name).decode())


def test_twine_check_strict(dist: dict[str, Path]) -> None:
    result = subprocess.run(
        [str(BIN / "twine"), "check", "--strict", str(dist["sdist"]), str(dist["wheel"])],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2


def test_check_wheel_contents(dist: dict[str, Path]) -> None:
    result = subprocess.run(
        [str(BIN / "check-wheel-contents"), str(dist["wheel"])],
        capture_output=True,
        text=True,
        cwd=ROOT,  # reads [tool.check-wheel-contents] from pyproject.toml
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith(": OK")


def test_metadata(dist: dict[str, Path]) -> None:
    meta = _metadata(dist["wheel"])
    assert meta["License-Expression"] == "MIT"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert meta["Description-Content-Type"] == "text/markdown"
    description = meta.get_payload()  # the README is the PyPI page
    assert isinstance(description, str) and description.startswith("# gototraining")
    classifiers = meta.get_all("Classifier") or []
    for version in PYTHONS:
        assert f"Programming Language :: Python :: {version}" in classifiers
    for classifier in ("Framework :: Pytest", "Typing :: Typed"):
        assert classifier in classifiers
    assert any(c.startswith("Development Status ::") for c in classifiers)
    assert not any(c.startswith("License ::") for c in classifiers)  # the SPDX field says it
    assert meta["Keywords"]
    # Users see only the three extras; the tool pins are dependency groups.
    assert sorted(meta.get_all("Provides-Extra") or []) == ["cli", "redis", "sandbox"]
    requirements = " ".join(meta.get_all("Requires-Dist") or [])
    assert "redis>=5; extra == 'redis'" in (meta.get_all("Requires-Dist") or [])
    for tool in ("pytest", "ruff", "mypy", "pyperf", "mkdocs"):
        assert tool not in requirements


def test_wheel_contents(dist: dict[str, Path]) -> None:
    with zipfile.ZipFile(dist["wheel"]) as archive:
        names = set(archive.namelist())
        entry_points = next(
            archive.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt")
        )
    assert {"gototraining/py.typed", "gototraining_api/py.typed"} <= names
    assert "_gototraining_pytest_plugin.py" in names
    assert "gototraining_api/openapi.yaml" in names  # what the sandbox validates against
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "gototraining = _gototraining_pytest_plugin" in entry_points
    assert not any(n.startswith(("tests/", "docs/", "benchmarks/")) for n in names)


def test_sdist_holds_every_tracked_file(dist: dict[str, Path]) -> None:
    """An unpacked sdist has everything its own `make test` uses: the whole tracked tree."""
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if tracked.returncode != 0:
        pytest.skip("not a git checkout (e.g. an unpacked sdist): nothing to compare with")
    files = {f for f in tracked.stdout.split("\0") if f and (ROOT / f).is_file()}
    with tarfile.open(dist["sdist"]) as archive:
        members = {m.name.split("/", 1)[1] for m in archive.getmembers() if m.isfile()}
    assert sorted(files - members) == []
    assert {"README.md", "LICENSE", "Makefile", "mkdocs.yml", ".ci/run"} <= members
    assert not any(m.startswith((".venv", "site/", "dist/", "node_modules/")) for m in members)


def test_readme_is_short_and_user_first() -> None:
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) < 300
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings[:2] == ["## Installation", "## Quickstart"]
    assert "python -m gototraining.demo" in text
    assert "pip install gototraining" in text
