"""Every facade method, found from its ``@operation`` marker, with what the spec says of it.

Tests that must cover every operation (the fault matrix, the spec-driven decoding property test)
derive their cases from here instead of a hand-kept list, so an operation added to the spec and
``openapi/facade.yaml`` is covered without another edit: its method is called with arguments
picked by parameter name, its retry class follows from the HTTP method, and its success body
from the spec.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml
from gototraining import GoToTraining
from gototraining._operation import OPERATION_ATTR

from scripts.contract._common import OPENAPI3


@dataclass(frozen=True)
class SpecOperation:
    """What the spec says of one operation's success answer."""

    operation_id: str
    method: str  # upper case
    status: int
    schema: Any  # the JSON schema of the body, $refs unresolved; None: no body


@dataclass(frozen=True)
class FacadeMethod:
    """A public method of the sync client: ``client.<namespace>.<name>``."""

    operation_id: str
    namespace: str
    name: str
    required: tuple[str, ...]  # parameters without a default

    @property
    def label(self) -> str:
        return f"{self.namespace}.{self.name}"

    def check(self, names: Iterable[str]) -> None:
        """Raise ``LookupError`` unless every required parameter is one of ``names``."""
        missing = [p for p in self.required if p not in set(names)]
        if missing:
            raise LookupError(f"{self.label}: no value for {missing}: add an explicit case")

    def invoke(self, client: Any, values: Mapping[str, Any], **options: Any) -> Any:
        """Call the method on ``client``, each required argument taken from ``values``."""
        args = {p: values[p] for p in self.required}
        return getattr(getattr(client, self.namespace), self.name)(**args, **options)


@cache
def spec() -> dict[str, Any]:
    with OPENAPI3.open(encoding="utf-8") as f:
        data: dict[str, Any] = yaml.safe_load(f)
    return data


def resolve(node: Any) -> Any:
    """``node`` with its top-level ``$ref`` (``#/components/<kind>/<name>``) followed."""
    while isinstance(node, dict) and "$ref" in node:
        _, _, kind, name = str(node["$ref"]).split("/")
        node = spec()["components"][kind][name]
    return node


@cache
def spec_operations() -> dict[str, SpecOperation]:
    out: dict[str, SpecOperation] = {}
    for item in spec()["paths"].values():
        for method, op in item.items():
            if method not in ("get", "put", "post", "delete", "patch"):
                continue
            for code, response in op["responses"].items():
                if str(code).isdigit() and 200 <= int(code) < 400:
                    content = resolve(response).get("content") or {}
                    schema = content.get("application/json", {}).get("schema")
                    out[op["operationId"]] = SpecOperation(
                        op["operationId"], method.upper(), int(code), schema
                    )
                    break
    return out


@cache
def facade_methods() -> tuple[FacadeMethod, ...]:
    """Every public method of the sync client that carries an ``@operation`` marker."""
    found: list[FacadeMethod] = []
    for namespace, cls in inspect.get_annotations(GoToTraining, eval_str=True).items():
        if not isinstance(cls, type):
            continue
        for name, func in inspect.getmembers(cls, inspect.isfunction):
            operation_id = getattr(func, OPERATION_ATTR, None)
            if name.startswith("_") or operation_id is None:
                continue
            params = inspect.signature(func).parameters.values()
            required = tuple(
                p.name for p in params if p.name != "self" and p.default is inspect.Parameter.empty
            )
            found.append(FacadeMethod(operation_id, namespace, name, required))
    return tuple(sorted(found, key=lambda m: (m.operation_id, m.name)))
