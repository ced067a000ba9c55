"""Check 4: every spec operation has a sync and an async facade method and at least one cassette.

Run: ``python -m scripts.contract.coverage [--package gototraining] [--cassettes DIR]``

Facade methods declare the operation they call with ``@operation("<operationId>")`` from
``gototraining._operation``, which sets ``__gototraining_operation__`` on the function. This check
imports the package, walks its modules (except ``sandbox`` and ``cli``, which call no operations),
collects every marked function and method, tells sync from async by ``inspect``, and matches
cassettes to operations with check 3's path-template matching. It always prints the table
(operation, sync method(s), async method(s), cassettes) and fails on a gap: an operation without a
sync method, without an async method or without a cassette, or a method marked with an
operationId the spec does not have.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from scripts.contract._common import CASSETTES, FACADE, OPENAPI3, Report, finish
from scripts.contract.cassettes import analyse

OPERATION_ATTR = "__gototraining_operation__"
SKIP_SUBPACKAGES = ("sandbox", "cli")


@dataclass
class Row:
    operation_id: str
    sync: list[str] = field(default_factory=list)
    async_: list[str] = field(default_factory=list)
    cassettes: list[str] = field(default_factory=list)

    def gaps(self) -> list[str]:
        missing = []
        if not self.sync:
            missing.append("sync method")
        if not self.async_:
            missing.append("async method")
        if not self.cassettes:
            missing.append("cassette")
        return missing


def _modules(package: ModuleType) -> Iterator[ModuleType]:
    yield package
    path = getattr(package, "__path__", None)
    if path is None:
        return
    for info in pkgutil.walk_packages(path, prefix=f"{package.__name__}."):
        rel = info.name[len(package.__name__) + 1 :]
        if rel.split(".")[0] in SKIP_SUBPACKAGES or rel.split(".")[-1] == "__main__":
            continue
        yield importlib.import_module(info.name)


def _marked(obj: Any) -> str | None:
    target = inspect.unwrap(obj) if callable(obj) else obj
    for candidate in (obj, target):
        value = getattr(candidate, OPERATION_ATTR, None)
        if isinstance(value, str):
            return value
    return None


def facade_methods(package_name: str) -> dict[str, tuple[list[str], list[str]]]:
    """operationId -> (sync qualified names, async qualified names) for a facade package."""
    package = importlib.import_module(package_name)
    found: dict[str, tuple[set[str], set[str]]] = {}

    def add(op_id: str, name: str, fn: Any) -> None:
        sync, async_ = found.setdefault(op_id, (set(), set()))
        is_async = inspect.iscoroutinefunction(inspect.unwrap(fn)) or inspect.isasyncgenfunction(
            inspect.unwrap(fn)
        )
        (async_ if is_async else sync).add(name)

    for module in _modules(package):
        for name, obj in vars(module).items():
            if getattr(obj, "__module__", None) != module.__name__:
                continue  # imported from elsewhere; counted where it is defined
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    fn = (
                        member.__func__
                        if isinstance(member, staticmethod | classmethod)
                        else member
                    )
                    op_id = _marked(fn)
                    if op_id is not None:
                        add(op_id, f"{module.__name__}.{obj.__qualname__}.{attr}", fn)
            elif callable(obj):
                op_id = _marked(obj)
                if op_id is not None:
                    add(op_id, f"{module.__name__}.{name}", obj)
    return {k: (sorted(s), sorted(a)) for k, (s, a) in found.items()}


def _short(name: str, package: str) -> str:
    return name[len(package) + 1 :] if name.startswith(package + ".") else name


def _cell(items: list[str], limit: int = 1, methods: bool = False) -> str:
    if not items:
        return "-- MISSING --"
    if methods:  # "resources.trainings.Trainings.get" -> "Trainings.get"
        items = [".".join(i.split(".")[-2:]) for i in items]
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown} (+{len(items) - limit})"


def build(
    package_name: str = "gototraining",
    cassette_dir: Path = CASSETTES,
    spec_path: Path = OPENAPI3,
) -> tuple[Report, list[Row]]:
    report = Report("coverage: operation -> facade methods -> cassettes")
    cassettes = analyse(cassette_dir, spec_path)
    rows = {op_id: Row(op_id) for op_id in cassettes.by_operation}
    for op_id, names in cassettes.by_operation.items():
        rows[op_id].cassettes = list(names)
    try:
        methods = facade_methods(package_name)
        location = Path(importlib.import_module(package_name).__file__ or "?").parent
        report.lines.append(f"facade: {location}; cassettes: {cassette_dir}")
    except ImportError as exc:
        report.errors.append(f"cannot import facade package {package_name!r}: {exc}")
        methods = {}
    for op_id, (sync, async_) in sorted(methods.items()):
        if op_id not in rows:
            every = ", ".join(sync + async_)
            report.errors.append(f"{every}: marked with unknown operationId {op_id!r}")
            continue
        rows[op_id].sync = [_short(n, package_name) for n in sync]
        rows[op_id].async_ = [_short(n, package_name) for n in async_]

    table = [("operation", "sync method", "async method", "cassettes")]
    for row in rows.values():
        count = f"{len(row.cassettes)}: " if row.cassettes else ""
        table.append(
            (
                row.operation_id,
                _cell(row.sync, methods=True),
                _cell(row.async_, methods=True),
                count + _cell(row.cassettes),
            )
        )
    widths = [max(len(r[i]) for r in table) for i in range(3)]
    for r in table:
        report.lines.append(
            "  ".join(c.ljust(widths[i]) for i, c in enumerate(r[:3])) + "  " + r[3]
        )
    covered = sum(1 for r in rows.values() if not r.gaps())
    report.lines.append(f"{covered}/{len(rows)} operations fully covered")
    for row in rows.values():
        if row.gaps():
            report.errors.append(f"{row.operation_id}: no {', no '.join(row.gaps())}")
    return report, list(rows.values())


def check(
    package_name: str = "gototraining",
    cassette_dir: Path = CASSETTES,
    spec_path: Path = OPENAPI3,
) -> Report:
    return build(package_name, cassette_dir, spec_path)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--package", default="gototraining")
    parser.add_argument("--path", type=Path, default=FACADE, help="prepended to sys.path")
    parser.add_argument("--cassettes", type=Path, default=CASSETTES)
    parser.add_argument("--spec", type=Path, default=OPENAPI3)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.path))
    return finish(check(args.package, args.cassettes, args.spec))


if __name__ == "__main__":
    sys.exit(main())
