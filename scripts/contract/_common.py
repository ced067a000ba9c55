"""Shared helpers: repo paths, YAML loading, spec operations and path-template matching."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SWAGGER = ROOT / "openapi" / "swagger.yaml"
OPENAPI3 = ROOT / "openapi" / "openapi3.yaml"
CASSETTES = ROOT / "tests" / "cassettes"
FACADE = ROOT / "facade"
API_SNAPSHOT = ROOT / "api" / "gototraining.api.json"
CHANGELOG = ROOT / "CHANGELOG.md"

# The real API's base URL: cassettes are recorded (or rewritten) against it.
API_BASE_URL = "https://api.getgo.com/G2T/rest"

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def load_yaml(path: Path) -> dict[str, Any]:
    """Load a single-document YAML mapping (safe_load refuses multi-document files)."""
    with path.open(encoding="utf-8") as f:
        data = yaml.safe_load(f)
    if not isinstance(data, dict):
        raise TypeError(f"{path} is not a YAML mapping")
    return data


@dataclass(frozen=True, order=True)
class Operation:
    """One spec operation: ``method`` is upper-case, ``path`` the template below the base path."""

    operation_id: str
    method: str
    path: str


def spec_operations(spec: dict[str, Any]) -> list[Operation]:
    """Every operation in a Swagger 2.0 or OpenAPI 3 document, in file order."""
    ops: list[Operation] = []
    for path, item in (spec.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method, op in item.items():
            if method in HTTP_METHODS and isinstance(op, dict):
                ops.append(Operation(str(op.get("operationId", "")), method.upper(), str(path)))
    return ops


_PARAM = re.compile(r"\{([^{}/]+)\}")


def template_params(template: str) -> list[str]:
    """The ``{name}`` placeholders of a path template, in order."""
    return _PARAM.findall(template)


@dataclass
class _Compiled:
    op: Operation
    regex: re.Pattern[str]
    literal_segments: int


@dataclass
class OperationMatcher:
    """Match a concrete ``(method, path)`` to spec operations by path template.

    A ``{param}`` matches one non-empty path segment. When several templates match, the ones with
    the most literal segments win (OpenAPI: concrete paths before templated ones); a tie between
    different operations is reported as ambiguous by the caller.
    """

    operations: Sequence[Operation]
    _compiled: list[_Compiled] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        for op in self.operations:
            parts: list[str] = []
            pos = 0
            for m in _PARAM.finditer(op.path):
                parts.append(re.escape(op.path[pos : m.start()]))
                parts.append(f"(?P<{_group(m.group(1))}>[^/]+)")
                pos = m.end()
            parts.append(re.escape(op.path[pos:]))
            literal = sum(1 for s in op.path.split("/") if s and not _PARAM.fullmatch(s))
            self._compiled.append(_Compiled(op, re.compile("".join(parts) + r"/?"), literal))

    def path_matches(self, path: str) -> list[Operation]:
        """Operations (any method) whose template matches ``path``, most specific first."""
        hits = [c for c in self._compiled if c.regex.fullmatch(path)]
        if not hits:
            return []
        best = max(c.literal_segments for c in hits)
        return [c.op for c in hits if c.literal_segments == best]

    def match(self, method: str, path: str) -> list[Operation]:
        """Operations matching both ``method`` and ``path`` (normally zero or one)."""
        return [op for op in self.path_matches(path) if op.method == method.upper()]

    def path_args(self, op: Operation, path: str) -> dict[str, str]:
        for c in self._compiled:
            if c.op == op:
                m = c.regex.fullmatch(path)
                if m:
                    names = template_params(op.path)
                    return {n: m.group(_group(n)) for n in names}
        return {}


def _group(name: str) -> str:
    return "p_" + re.sub(r"\W", "_", name)


@dataclass
class Report:
    """What a check prints: informational lines, then errors; ``ok`` when there are no errors."""

    title: str
    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def render(self) -> str:
        out = [f"== {self.title}", *self.lines]
        out += [f"ERROR {e}" for e in self.errors]
        verdict = "OK" if self.ok else f"FAILED ({len(self.errors)} error(s))"
        out.append(f"== {self.title}: {verdict}")
        return "\n".join(out)

    def extend(self, errors: Iterable[str]) -> None:
        self.errors.extend(errors)


def finish(report: Report) -> int:
    """Print ``report`` and return the process exit code."""
    print(report.render())
    return 0 if report.ok else 1
