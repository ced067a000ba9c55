"""Load the shipped OpenAPI 3 spec and compile it into fast per-operation validators.

Why not validate with openapi-core on every request: it re-walks the spec for each
call and costs far more per request than the rest of the sandbox put together (see
docs/sandbox.md). Instead the spec is read once, every ``$ref`` is inlined, OpenAPI
specifics are mapped to plain JSON Schema (int32/int64 become numeric bounds) and each
schema is compiled to Python code with fastjsonschema. The checks are the same ones
openapi-core makes for this spec: path parameters, the request body, the response
status, the response body and its content type.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import fastjsonschema
import yaml

#: Environment variable that points the sandbox at another OpenAPI 3 file (development only).
SPEC_ENV = "GOTOTRAINING_SANDBOX_SPEC"

_INT_BOUNDS = {
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
}
# Keys that document a schema but do not constrain it; dropped so the compiled code is lean.
_DOC_KEYS = {"description", "example", "examples", "deprecated", "title", "externalDocs", "xml"}

Validator = Callable[[Any], Any]


class SpecViolation(Exception):
    """A request or response does not match the OpenAPI spec."""


@dataclass(frozen=True)
class ResponseSpec:
    """What the spec allows for one status code of one operation."""

    status: int
    json_body: bool
    validate_body: Validator | None
    headers: frozenset[str]


@dataclass(frozen=True)
class Operation:
    """One spec operation with its compiled validators."""

    operation_id: str
    method: str
    path: str  # spec path template, relative to /G2T/rest
    path_params: dict[str, Validator]
    body_required: bool
    validate_body: Validator | None
    responses: dict[int, ResponseSpec] = field(default_factory=dict)

    @property
    def success_status(self) -> int:
        """The operation's documented success (2xx or 3xx) status."""
        return min(s for s in self.responses if 200 <= s < 400)


def load_spec_text() -> str:
    """Return the OpenAPI 3 spec shipped in ``gototraining_api`` (or ``$GOTOTRAINING_SANDBOX_SPEC``)."""
    override = os.environ.get(SPEC_ENV)
    if override:
        with open(override, encoding="utf-8") as fh:
            return fh.read()
    return (resources.files("gototraining_api") / "openapi.yaml").read_text(encoding="utf-8")


def _resolve(node: Any, root: dict[str, Any]) -> Any:
    """Inline every local ``$ref`` (the spec has no recursive schemas)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            target: Any = root
            for part in ref.lstrip("#/").split("/"):
                target = target[part]
            return _resolve(copy.deepcopy(target), root)
        return {k: _resolve(v, root) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, root) for v in node]
    return node


def to_json_schema(schema: Any) -> Any:
    """Map an (already resolved) OpenAPI 3.0 schema object to JSON Schema draft 4."""
    if isinstance(schema, list):
        return [to_json_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _DOC_KEYS:
            continue
        if key == "properties":
            out[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            out[key] = to_json_schema(value)
        else:
            out[key] = value
    if out.get("nullable") is True:
        out.pop("nullable")
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
    else:
        out.pop("nullable", None)
    fmt = out.get("format")
    if out.get("type") == "integer" and fmt in _INT_BOUNDS:
        low, high = _INT_BOUNDS[fmt]
        out.setdefault("minimum", low)
        out.setdefault("maximum", high)
        out.pop("format")
    return out


_VALID_BODIES_MAX = 1024


def _compile(schema: Any) -> Validator:
    compiled: Validator = fastjsonschema.compile(to_json_schema(schema), use_default=False)
    return compiled


@dataclass(frozen=True)
class Spec:
    """The compiled spec: operations by id, plus the server base path."""

    base_path: str
    operations: dict[str, Operation]
    #: (operationId, status, body) of response bodies that passed validation (bounded).
    _valid_bodies: dict[tuple[str, int, bytes | None], None] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def from_text(cls, text: str) -> Spec:
        """Compile a spec from its YAML text."""
        raw = yaml.safe_load(text)
        root = _resolve(raw, raw)
        base_path = "/G2T/rest"
        for server in root.get("servers", []):
            match = re.match(r"^[a-z]+://[^/]+(/.*)$", server.get("url", ""))
            if match:
                base_path = match.group(1).rstrip("/")
                break
        operations: dict[str, Operation] = {}
        for path, item in root["paths"].items():
            shared_params = item.get("parameters", [])
            for method in ("get", "put", "post", "delete", "patch", "head", "options"):
                op = item.get(method)
                if op is None:
                    continue
                params = shared_params + op.get("parameters", [])
                path_params = {
                    p["name"]: _compile(p.get("schema", {}))
                    for p in params
                    if p.get("in") == "path"
                }
                body = op.get("requestBody")
                body_validator = None
                if body is not None:
                    body_schema = body.get("content", {}).get("application/json", {}).get("schema")
                    if body_schema is not None:
                        body_validator = _compile(body_schema)
                responses: dict[int, ResponseSpec] = {}
                for status_text, resp in op.get("responses", {}).items():
                    if not str(status_text).isdigit():
                        continue  # "default" is not used by this spec
                    content = resp.get("content") or {}
                    json_content = content.get("application/json")
                    responses[int(status_text)] = ResponseSpec(
                        status=int(status_text),
                        json_body=json_content is not None,
                        validate_body=(
                            _compile(json_content["schema"])
                            if json_content and "schema" in json_content
                            else None
                        ),
                        headers=frozenset(h.lower() for h in resp.get("headers", {})),
                    )
                operations[op["operationId"]] = Operation(
                    operation_id=op["operationId"],
                    method=method.upper(),
                    path=path,
                    path_params=path_params,
                    body_required=bool(body and body.get("required")),
                    validate_body=body_validator,
                    responses=responses,
                )
        return cls(base_path=base_path, operations=operations)

    def check_response(
        self,
        operation_id: str,
        status: int,
        content_type: str | None,
        body: bytes | None,
        data: Any,
    ) -> None:
        """Raise ``SpecViolation`` unless (status, body) is allowed for the operation.

        ``data`` is the decoded JSON body (only looked at when the spec declares one).
        """
        op = self.operations[operation_id]
        resp = op.responses.get(status)
        if resp is None:
            raise SpecViolation(
                f"{operation_id}: status {status} is not documented (allowed: {sorted(op.responses)})"
            )
        if not resp.json_body:
            if body:
                raise SpecViolation(f"{operation_id}: status {status} must have an empty body")
            return
        if content_type is None or not content_type.startswith("application/json"):
            raise SpecViolation(
                f"{operation_id}: status {status} must be application/json, got {content_type!r}"
            )
        if resp.validate_body is not None:
            # Validation is a pure function of the body: an identical body that passed before
            # (the common case: the same GET answered again) is not checked again.
            key = (operation_id, status, body)
            if key in self._valid_bodies:
                return
            try:
                resp.validate_body(data)
            except fastjsonschema.JsonSchemaException as exc:
                raise SpecViolation(
                    f"{operation_id}: {status} response body does not match the spec: {exc}"
                ) from exc
            if len(self._valid_bodies) >= _VALID_BODIES_MAX:
                self._valid_bodies.clear()
            self._valid_bodies[key] = None


@lru_cache(maxsize=1)
def default_spec() -> Spec:
    """The spec shipped with the package, compiled once per process."""
    return Spec.from_text(load_spec_text())
