"""Check 4 (coverage): the table is built from facade markers and cassettes; gaps fail."""

from __future__ import annotations

import importlib
import itertools
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from source_edits import remove_method

from scripts.contract import coverage
from scripts.contract._common import FACADE, OPENAPI3, ROOT, load_yaml, spec_operations
from scripts.contract.cassettes import dump_interactions, interaction

OPERATIONS = spec_operations(load_yaml(OPENAPI3))
_counter = itertools.count()


# Operations whose facade methods/cassettes are still being written by another engineer (the
# full-API resources). A gap outside this list fails; the list must only shrink. Empty it when the
# work lands and this test passes outright.
KNOWN_GAPS: frozenset[str] = frozenset()


def test_real_facade_covers_every_operation() -> None:
    report, rows = coverage.build()
    print(report.render())
    gaps = {r.operation_id for r in rows if r.gaps()}
    other_errors = len(report.errors) - len(gaps)
    assert other_errors == 0 and gaps <= KNOWN_GAPS, report.render()
    if gaps:
        pytest.xfail(f"known coverage gaps (other work in progress): {', '.join(sorted(gaps))}")


def _fake_facade(
    root: Path,
    skip: frozenset[tuple[str, bool]] | set[tuple[str, bool]] = frozenset(),
    extra: str = "",
) -> str:
    """A package with one sync and one async method per operation, marked like the facade's."""
    name = f"fake_facade_{next(_counter)}"
    pkg = root / name
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "_operation.py").write_text(
        "def operation(op_id):\n"
        "    def mark(fn):\n"
        "        fn.__gototraining_operation__ = op_id\n"
        "        return fn\n"
        "    return mark\n",
        encoding="utf-8",
    )
    lines = ["import functools", "from ._operation import operation", "", "class Api:"]
    async_lines = ["class AsyncApi:"]
    for op in OPERATIONS:
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", op.operation_id).lower()
        if (op.operation_id, False) not in skip:
            lines += [f"    @operation({op.operation_id!r})", f"    def {snake}(self): ..."]
        if (op.operation_id, True) not in skip:
            async_lines += [
                f"    @operation({op.operation_id!r})",
                f"    async def {snake}(self): ...",
            ]
    (pkg / "resources.py").write_text(
        "\n".join([*lines, "    pass", "", *async_lines, "    pass", "", extra, ""]),
        encoding="utf-8",
    )
    return name


def _cassettes(directory: Path, skip: frozenset[str] | set[str] = frozenset()) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for op in OPERATIONS:
        if op.operation_id in skip:
            continue
        url = "https://api.getgo.com/G2T/rest" + re.sub(r"\{[^}]+\}", "1", op.path)
        (directory / f"{op.operation_id}.yaml").write_text(
            dump_interactions([interaction(op.method, url, 500, {"msg": "x"})]),
            encoding="utf-8",
        )
    return directory


@pytest.fixture
def on_path(tmp_path: Path) -> Iterator[Path]:
    sys.path.insert(0, str(tmp_path))
    importlib.invalidate_caches()
    yield tmp_path
    sys.path.remove(str(tmp_path))


def test_complete_fake_facade_passes(on_path: Path) -> None:
    pkg = _fake_facade(on_path)
    report, rows = coverage.build(pkg, _cassettes(on_path / "cassettes"))
    assert report.ok, report.render()
    assert len(rows) == len(OPERATIONS)
    row = next(r for r in rows if r.operation_id == "getTraining")
    assert row.sync == ["resources.Api.get_training"]
    assert row.async_ == ["resources.AsyncApi.get_training"]
    assert row.cassettes == ["getTraining.yaml"]
    text = report.render()
    assert "getTraining" in text and " AsyncApi.get_training " in text


def test_removed_sync_method_fails(on_path: Path) -> None:
    pkg = _fake_facade(on_path, skip={("getTraining", False)})
    report = coverage.check(pkg, _cassettes(on_path / "cassettes"))
    assert report.errors == ["getTraining: no sync method"], report.render()
    assert "-- MISSING --" in report.render()


def test_removed_async_method_fails(on_path: Path) -> None:
    pkg = _fake_facade(on_path, skip={("cancelRegistration", True)})
    report = coverage.check(pkg, _cassettes(on_path / "cassettes"))
    assert report.errors == ["cancelRegistration: no async method"], report.render()


def test_operation_without_cassette_fails(on_path: Path) -> None:
    pkg = _fake_facade(on_path)
    report = coverage.check(pkg, _cassettes(on_path / "cassettes", skip={"startTraining"}))
    assert report.errors == ["startTraining: no cassette"], report.render()


def test_unknown_operation_marker_fails(on_path: Path) -> None:
    extra = "@operation('getWebinar')\ndef get_webinar(): ...\n"
    pkg = _fake_facade(on_path, extra=extra)
    report = coverage.check(pkg, _cassettes(on_path / "cassettes"))
    assert len(report.errors) == 1 and "unknown operationId 'getWebinar'" in report.errors[0]


def test_wrapped_methods_are_found(on_path: Path) -> None:
    # A decorator applied on top of the marker (functools.wraps copies __dict__) still counts.
    extra = (
        "def logged(fn):\n"
        "    @functools.wraps(fn)\n"
        "    async def inner(*a, **k):\n"
        "        return await fn(*a, **k)\n"
        "    return inner\n"
        "class More:\n"
        "    @logged\n"
        "    @operation('getTraining')\n"
        "    async def get(self): ...\n"
    )
    pkg = _fake_facade(on_path, skip={("getTraining", True)}, extra=extra)
    report, rows = coverage.build(pkg, _cassettes(on_path / "cassettes"))
    assert report.ok, report.render()
    row = next(r for r in rows if r.operation_id == "getTraining")
    assert row.async_ == ["resources.More.get"]


def test_main_prints_table_and_exits_nonzero(
    on_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = _fake_facade(on_path, skip={("getTraining", False)})
    cassettes = _cassettes(on_path / "cassettes")
    code = coverage.main(["--package", pkg, "--path", str(on_path), "--cassettes", str(cassettes)])
    out = capsys.readouterr().out
    assert code == 1
    header = next(line for line in out.splitlines() if line.startswith("operation "))
    assert header.split() == ["operation", "sync", "method", "async", "method", "cassettes"]
    assert "ERROR getTraining: no sync method" in out


def test_marker_attribute_matches_the_facade() -> None:
    from gototraining._operation import OPERATION_ATTR, operation

    assert OPERATION_ATTR == coverage.OPERATION_ATTR

    @operation("getTraining")
    def f() -> None: ...

    assert coverage._marked(f) == "getTraining"


def test_method_removed_from_real_facade_copy_fails(tmp_path: Path) -> None:
    # A copy of the real package with Trainings.get deleted: getTraining loses its sync method.
    shutil.copytree(FACADE / "gototraining", tmp_path / "gototraining")
    remove_method(tmp_path / "gototraining" / "resources" / "trainings.py", "Trainings", "get")
    proc = subprocess.run(
        [sys.executable, "-m", "scripts.contract.coverage", "--path", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "ERROR getTraining: no sync method\n" in proc.stdout, proc.stdout
    assert str(tmp_path) in proc.stdout  # the copy was checked, not the installed package
