"""Check 5 (public API snapshot): the real facade matches the snapshot; API edits fail."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from source_edits import remove_method

from scripts.contract import api_snapshot
from scripts.contract._common import API_SNAPSHOT, CHANGELOG, FACADE, Report
from scripts.contract.api_snapshot import GENERATED

INIT = '''"""Fake facade."""
from ._version import __version__
from .client import AsyncClient, Client
from .models import Training

__all__ = ["AsyncClient", "Client", "Training", "__version__"]
'''
CLIENT = """from __future__ import annotations

from .models import Training


class Client:
    def __init__(self, token: str, *, base_url: str = "https://api.getgo.com/G2T/rest") -> None:
        self.token = token

    def get_training(self, organizer_key: int, training_key: int) -> Training:
        raise NotImplementedError

    def cancel_training(self, organizer_key: int, training_key: int) -> None:
        raise NotImplementedError

    def _private(self) -> None: ...


class AsyncClient:
    async def get_training(self, organizer_key: int, training_key: int) -> Training:
        raise NotImplementedError
"""
MODELS = """import attrs


@attrs.define
class Training:
    training_key: str
    name: str
    description: str | None = None
    tags: list[str] = attrs.field(factory=list)
"""
SANDBOX = """__all__ = ["Sandbox"]


class Sandbox:
    def __init__(self, seed: int = 0) -> None: ...
"""


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    root = tmp_path / "facade" / "gototraining"
    (root / "sandbox").mkdir(parents=True)
    (root / "__init__.py").write_text(INIT, encoding="utf-8")
    (root / "_version.py").write_text('__version__ = "0.1.0"\n', encoding="utf-8")
    (root / "client.py").write_text(CLIENT, encoding="utf-8")
    (root / "models.py").write_text(MODELS, encoding="utf-8")
    (root / "sandbox" / "__init__.py").write_text(SANDBOX, encoding="utf-8")
    return root


class Repo:
    def __init__(self, pkg: Path) -> None:
        self.pkg = pkg
        self.snapshot = pkg.parent.parent / "api" / "gototraining.api.json"
        self.changelog = pkg.parent.parent / "CHANGELOG.md"
        self.changelog.write_text("# Changelog\n\n## Unreleased\n\n## 0.1.0\n", encoding="utf-8")

    def check(self, update: bool = False) -> Report:
        return api_snapshot.check(
            [self.pkg.parent],
            self.snapshot,
            self.changelog,
            update=update,
            public_modules=("", "sandbox"),
            private_modules=("client", "models"),
        )

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.pkg / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")

    def changelog_entry(self, line: str) -> None:
        text = self.changelog.read_text(encoding="utf-8")
        self.changelog.write_text(
            text.replace("## Unreleased\n", f"## Unreleased\n\n- {line}\n"), encoding="utf-8"
        )


@pytest.fixture
def repo(pkg: Path) -> Repo:
    r = Repo(pkg)
    report = r.check(update=True)
    assert report.ok, report.render()
    assert r.check().ok
    return r


def test_real_facade_matches_committed_snapshot() -> None:
    report = api_snapshot.check()
    assert report.ok, report.render()


def test_real_snapshot_is_deterministic_and_complete() -> None:
    snapshot, errors = api_snapshot.build()
    assert not errors
    assert api_snapshot.dumps(snapshot) == API_SNAPSHOT.read_text(encoding="utf-8")
    assert "gototraining.sandbox.Sandbox" in snapshot
    assert "## Unreleased" in CHANGELOG.read_text(encoding="utf-8")


def test_real_facade_removed_public_name_is_breaking(tmp_path: Path) -> None:
    # Equivalent to deleting a method from the real package: the snapshot has a name the
    # package no longer has.
    snapshot = json.loads(API_SNAPSHOT.read_text(encoding="utf-8"))
    snapshot["gototraining.sandbox.Sandbox.removed_method"] = {
        "async": False,
        "kind": "function",
        "parameters": [],
        "returns": "None",
    }
    old = tmp_path / "api.json"
    old.write_text(json.dumps(snapshot), encoding="utf-8")
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text("## Unreleased\n", encoding="utf-8")
    report = api_snapshot.check(snapshot_path=old, changelog=changelog)
    assert any(
        "without a CHANGELOG entry: gototraining.sandbox.Sandbox.removed_method" in e
        for e in report.errors
    ), report.render()


def test_fake_snapshot_content(repo: Repo) -> None:
    snap = json.loads(repo.snapshot.read_text(encoding="utf-8"))
    assert snap["gototraining.Training"]["attrs_fields"] == {
        "training_key": {"annotation": "str", "default": None, "required": True},
        "name": {"annotation": "str", "default": None, "required": True},
        "description": {"annotation": "str | None", "default": "None", "required": False},
        "tags": {
            "annotation": "list[str]",
            "default": "attrs.field(factory=list)",
            "required": False,
        },
    }
    assert snap["gototraining.AsyncClient.get_training"]["async"] is True
    assert [p["name"] for p in snap["gototraining.Client.get_training"]["parameters"]] == [
        "organizer_key",
        "training_key",
    ]
    assert "gototraining.Client._private" not in snap
    assert "gototraining.sandbox.Sandbox.__init__" in snap


def test_removed_method_fails_as_breaking(repo: Repo) -> None:
    repo.edit(
        "client.py",
        "    def cancel_training(self, organizer_key: int, training_key: int) -> None:\n"
        "        raise NotImplementedError\n",
        "",
    )
    report = repo.check()
    text = report.render()
    assert "- removed gototraining.Client.cancel_training" in text
    assert any(
        e.startswith(
            "breaking change without a CHANGELOG entry: gototraining.Client.cancel_training"
        )
        for e in report.errors
    ), text
    # --update refuses while the CHANGELOG does not mention it.
    assert not repo.check(update=True).ok
    assert "gototraining.Client.cancel_training" in repo.snapshot.read_text(encoding="utf-8")


def test_changelog_naming_a_renamed_class_covers_its_members(repo: Repo) -> None:
    for name in ("models.py", "__init__.py"):
        repo.edit(name, "Training", "TrainingModel")
    repo.changelog_entry("`Training.name` is now `TrainingModel.name`")
    errors = repo.check(update=True).errors
    assert any("gototraining.Training.training_key" in e for e in errors), errors
    assert not any("gototraining.Training.name:" in e for e in errors), errors
    repo.changelog_entry("`Training` renamed to `TrainingModel`.")
    report = repo.check(update=True)
    assert report.ok, report.render()


def test_breaking_change_with_changelog_still_needs_update(repo: Repo) -> None:
    repo.edit(
        "client.py", "training_key: int) -> None:", "training_key: int, force: bool) -> None:"
    )
    report = repo.check()
    assert any("new required parameter 'force'" in e for e in report.errors), report.render()

    repo.changelog_entry("`Client.cancel_training` now requires `force`.")
    report = repo.check()
    assert not any("CHANGELOG" in e for e in report.errors), report.render()
    assert any("public API differs" in e for e in report.errors), report.render()
    assert "BREAKING: new required parameter 'force' (in CHANGELOG)" in report.render()

    assert repo.check(update=True).ok
    assert repo.check().ok


def test_changelog_entry_outside_unreleased_does_not_count(repo: Repo) -> None:
    repo.edit(
        "client.py", "training_key: int) -> None:", "training_key: int, force: bool) -> None:"
    )
    repo.changelog.write_text(
        "## Unreleased\n\n- nothing\n\n## 0.1.0\n\n- Client.cancel_training\n", encoding="utf-8"
    )
    assert not repo.check(update=True).ok
    # A longer name that merely starts with the changed one does not count either.
    repo.changelog.write_text("## Unreleased\n\n- Client.cancel_training_v2\n", encoding="utf-8")
    assert not repo.check(update=True).ok
    repo.changelog.write_text(
        "## Unreleased\n\n- gototraining.Client.cancel_training: new `force`\n", encoding="utf-8"
    )
    assert repo.check(update=True).ok


@pytest.mark.parametrize(
    ("file", "old", "new", "why"),
    [
        (
            "client.py",
            "organizer_key: int, training_key: int) -> Training:\n        raise",
            "org_key: int, training_key: int) -> Training:\n        raise",
            "parameter 'organizer_key' removed or renamed",
        ),
        (
            "client.py",
            '*, base_url: str = "https://api.getgo.com/G2T/rest"',
            "*, base_url: str",
            "parameter 'base_url' became required",
        ),
        (
            "client.py",
            "self, token: str, *, base_url",
            "self, token: str, base_url",
            "parameter 'base_url' changed kind",
        ),
        ("client.py", "    async def get_training", "    def get_training", "changed from async"),
        ("models.py", "    name: str\n", "", "field 'name' removed"),
        (
            "models.py",
            "description: str | None = None",
            "description: str | None",
            "field 'description' became required",
        ),
        (
            "models.py",
            "    tags: list[str]",
            "    owner: str\n    tags: list[str]",
            "new required field 'owner'",
        ),
        ("__init__.py", '"Training", ', "", "removed"),
    ],
)
def test_breaking_edits_fail(repo: Repo, file: str, old: str, new: str, why: str) -> None:
    repo.edit(file, old, new)
    report = repo.check()
    assert any(
        "breaking change without a CHANGELOG entry" in e and why in e for e in report.errors
    ), report.render()


def test_non_breaking_addition_fails_until_update(repo: Repo) -> None:
    repo.edit(
        "client.py", "    def _private", "    def ping(self) -> bool: ...\n\n    def _private"
    )
    repo.edit(
        "client.py", "token: str, *, base_url", "token: str, timeout: float = 5.0, *, base_url"
    )
    report = repo.check()
    assert report.errors and not any("breaking" in e for e in report.errors), report.render()
    assert "+ added gototraining.Client.ping" in report.render()
    assert "~ changed gototraining.Client.__init__" in report.render()
    assert repo.check(update=True).ok


def test_unclassified_module_fails(repo: Repo) -> None:
    (repo.pkg / "webinars.py").write_text("def f() -> None: ...\n", encoding="utf-8")
    report = repo.check()
    assert any("gototraining.webinars is neither" in e for e in report.errors), report.render()


def test_missing_snapshot_fails(pkg: Path) -> None:
    r = Repo(pkg)
    assert any("is missing" in e for e in r.check().errors)


def test_main_exit_codes(tmp_path: Path) -> None:
    # The CLI on the real package: equal to the committed snapshot -> 0; a snapshot with a name
    # the package lacks -> 1.
    snapshot = tmp_path / "api.json"
    shutil.copy(API_SNAPSHOT, snapshot)
    args = ["--snapshot", str(snapshot), "--changelog", str(CHANGELOG)]
    assert api_snapshot.main(args) == 0
    data = json.loads(snapshot.read_text(encoding="utf-8"))
    data["gototraining.gone"] = {"kind": "attribute", "annotation": None}
    snapshot.write_text(json.dumps(data), encoding="utf-8")
    assert api_snapshot.main(args) == 1


def test_real_package_is_not_picked_up_by_fake_loads(repo: Repo) -> None:
    # The fake loads must see only the fake package (griffe search paths), not FACADE.
    snap = json.loads(repo.snapshot.read_text(encoding="utf-8"))
    assert "gototraining.Client" in snap
    assert str(FACADE) not in repo.snapshot.read_text(encoding="utf-8")


def test_module_patterns(pkg: Path) -> None:
    (pkg / "resources").mkdir()
    (pkg / "resources" / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "resources" / "_base.py").write_text("class Base: ...\n", encoding="utf-8")
    (pkg / "resources" / "things.py").write_text(
        '__all__ = ["Things"]\n\n\nclass Things:\n    def get(self, key: int) -> None: ...\n',
        encoding="utf-8",
    )
    snapshot, errors = api_snapshot.build(
        [pkg.parent],
        public_modules=("", "sandbox", "resources", "resources.*"),
        private_modules=("client", "models"),
    )
    assert not errors
    assert "gototraining.resources.things.Things.get" in snapshot
    assert not any("_base" in path or "Base" in path for path in snapshot)
    _, errors = api_snapshot.build(
        [pkg.parent], public_modules=("", "sandbox"), private_modules=("client", "models")
    )
    assert any("gototraining.resources is neither" in e for e in errors)


def test_method_removed_from_real_facade_copy_is_breaking(tmp_path: Path) -> None:
    copy = tmp_path / "facade"
    shutil.copytree(FACADE / "gototraining", copy / "gototraining")
    remove_method(copy / "gototraining" / "resources" / "trainings.py", "Trainings", "cancel")
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text("## Unreleased\n", encoding="utf-8")
    search = [copy, GENERATED]
    report = api_snapshot.check(search, API_SNAPSHOT, changelog)
    text = report.render()
    assert "- removed gototraining.resources.trainings.Trainings.cancel" in text
    assert "- removed gototraining.resources.Trainings.cancel" in text
    assert any(
        e.startswith("breaking change without a CHANGELOG entry: gototraining.resources")
        for e in report.errors
    ), text
    # With CHANGELOG entries the breaking check passes, the snapshot diff still fails.
    changelog.write_text(
        "## Unreleased\n\n- Removed `resources.Trainings.cancel` and "
        "`resources.trainings.Trainings.cancel`.\n",
        encoding="utf-8",
    )
    report = api_snapshot.check(search, API_SNAPSHOT, changelog)
    assert [e for e in report.errors if "CHANGELOG" in e] == [], report.render()
    assert any("public API differs" in e for e in report.errors), report.render()


def test_parameter_added_to_real_facade_copy_is_breaking(tmp_path: Path) -> None:
    copy = tmp_path / "facade"
    shutil.copytree(FACADE / "gototraining", copy / "gototraining")
    client = copy / "gototraining" / "_generated" / "gototraining.py"
    text = client.read_text(encoding="utf-8")
    assert text.count("    def close(self) -> None:") == 1
    client.write_text(
        text.replace("    def close(self) -> None:", "    def close(self, force: bool) -> None:"),
        encoding="utf-8",
    )
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text("## Unreleased\n", encoding="utf-8")
    report = api_snapshot.check([copy, GENERATED], API_SNAPSHOT, changelog)
    assert any(
        "gototraining.GoToTraining.close: new required parameter 'force'" in e
        for e in report.errors
    ), report.render()
