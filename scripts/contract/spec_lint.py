"""Check 1: the Swagger 2.0 source is valid, its conversion is valid OpenAPI 3, and it lints clean.

Run: ``python -m scripts.contract.spec_lint [SWAGGER] [--openapi3 OPENAPI3]``

Rules (each error line starts with the rule id):

``swagger-valid``     openapi/swagger.yaml validates as Swagger 2.0 (openapi-spec-validator).
``openapi3-valid``    openapi/openapi3.yaml (the converted spec) validates as OpenAPI 3.0.
``server``            ``host`` is api.getgo.com, ``basePath`` is /G2T/rest, ``schemes`` is [https].
``no-extensions``     no ``x-...`` key anywhere (API-aggregator noise such as x-apisguru-categories,
                      x-origin, x-providerName; the generator ignores them and they rot).
``ref``               every ``$ref`` is local (``#/...``) and resolves.
``operation-id``      every operation has an operationId matching ``[a-z][A-Za-z0-9]*``, unique
                      across the spec (the generator derives module and method names from it).
``operation-tag``     every operation has exactly one tag and it is declared in the top-level
                      ``tags`` (the first tag picks the generated module; more are ignored).
``tag-unused``        every declared tag is used by an operation; declared tag names are unique.
``path-params``       every ``{name}`` in a path template is declared ``in: path`` with
                      ``required: true`` at path-item or operation level (operation-level wins by
                      name), and every declared path parameter appears in the template.
``success-response``  every operation documents at least one 2xx or 3xx response.
``response-body``     every response (after resolving ``$ref``) has a ``schema``, or is explicitly
                      bodiless: status 204, 205 or 304, or a redirect (301, 302, 303, 307, 308)
                      that declares a ``Location`` header. Anything else (a 200 without schema, a
                      ``default`` without schema, a 4xx without schema) is an error.
``unused-component``  every entry of ``definitions``, ``parameters`` and ``responses`` is reachable
                      from ``paths`` (directly or through other components).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from openapi_spec_validator import OpenAPIV2SpecValidator, OpenAPIV30SpecValidator, validate

from scripts.contract._common import HTTP_METHODS, OPENAPI3, SWAGGER, Report, finish, load_yaml
from scripts.contract._common import template_params as _template_params

EXPECTED_HOST = "api.getgo.com"
EXPECTED_BASE_PATH = "/G2T/rest"
EXPECTED_SCHEMES = ["https"]
BODILESS_STATUSES = {"204", "205", "304"}
REDIRECT_STATUSES = {"301", "302", "303", "307", "308"}
COMPONENT_SECTIONS = ("definitions", "parameters", "responses")
OPERATION_ID = re.compile(r"[a-z][A-Za-z0-9]*")


def _walk(node: Any, where: str = "#") -> Iterator[tuple[str, str, Any]]:
    """Yield (json-pointer-ish location, key, value) for every mapping entry in ``node``."""
    if isinstance(node, dict):
        for k, v in node.items():
            loc = f"{where}/{k}"
            yield loc, str(k), v
            yield from _walk(v, loc)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, f"{where}/{i}")


def _resolve(spec: dict[str, Any], ref: str) -> Any:
    """Resolve a local ``#/a/b`` reference; ``None`` when it does not resolve."""
    if not ref.startswith("#/"):
        return None
    node: Any = spec
    for raw in ref[2:].split("/"):
        key = raw.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _deref(spec: dict[str, Any], node: Any) -> Any:
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref in seen:
            return None
        seen.add(ref)
        node = _resolve(spec, ref)
    return node


def _refs(node: Any) -> Iterator[str]:
    for _, key, value in _walk(node):
        if key == "$ref" and isinstance(value, str):
            yield value


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    for path, item in (spec.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method, op in item.items():
            if method in HTTP_METHODS and isinstance(op, dict):
                yield str(path), method, item, op


def lint(spec: dict[str, Any]) -> list[str]:
    """All lint errors of a Swagger 2.0 document (without schema validation)."""
    errors: list[str] = []
    err = errors.append

    # server
    if spec.get("host") != EXPECTED_HOST:
        err(f"server: host is {spec.get('host')!r}, expected {EXPECTED_HOST!r}")
    if spec.get("basePath") != EXPECTED_BASE_PATH:
        err(f"server: basePath is {spec.get('basePath')!r}, expected {EXPECTED_BASE_PATH!r}")
    if spec.get("schemes") != EXPECTED_SCHEMES:
        err(f"server: schemes is {spec.get('schemes')!r}, expected {EXPECTED_SCHEMES!r}")

    # no-extensions, ref
    for loc, key, value in _walk(spec):
        if key.startswith("x-"):
            err(f"no-extensions: {loc}: remove vendor extension {key!r}")
        if key == "$ref" and isinstance(value, str) and _resolve(spec, value) is None:
            err(f"ref: {loc}: {value!r} does not resolve (only local #/... refs are allowed)")

    # tags
    declared: list[str] = [
        str(t.get("name")) for t in spec.get("tags") or [] if isinstance(t, dict)
    ]
    for name in sorted({n for n in declared if declared.count(n) > 1}):
        err(f"tag-unused: tag {name!r} is declared more than once")
    used_tags: set[str] = set()

    # operations
    seen_ids: dict[str, str] = {}
    for path, method, item, op in _operations(spec):
        where = f"{method.upper()} {path}"
        op_id = op.get("operationId")
        if not isinstance(op_id, str) or not op_id:
            err(f"operation-id: {where}: missing operationId")
        else:
            if not OPERATION_ID.fullmatch(op_id):
                err(f"operation-id: {where}: {op_id!r} does not match {OPERATION_ID.pattern}")
            if op_id in seen_ids:
                err(f"operation-id: {where}: {op_id!r} already used by {seen_ids[op_id]}")
            else:
                seen_ids[op_id] = where
            where = f"{op_id} ({where})"

        tags = op.get("tags") or []
        if len(tags) != 1:
            err(f"operation-tag: {where}: has {len(tags)} tags {tags!r}, expected exactly one")
        for tag in tags:
            used_tags.add(str(tag))
            if tag not in declared:
                err(f"operation-tag: {where}: tag {tag!r} is not declared in top-level tags")

        errors.extend(_path_param_errors(spec, path, item, op, where))
        errors.extend(_response_errors(spec, op, where))

    for name in declared:
        if name not in used_tags:
            err(f"tag-unused: tag {name!r} is declared but no operation uses it")

    errors.extend(_unused_components(spec))
    return errors


def _path_param_errors(
    spec: dict[str, Any], path: str, item: dict[str, Any], op: dict[str, Any], where: str
) -> list[str]:
    errors: list[str] = []
    effective: dict[tuple[str, str], dict[str, Any]] = {}
    for level in (item.get("parameters") or [], op.get("parameters") or []):
        for raw in level:
            param = _deref(spec, raw)
            if isinstance(param, dict):
                effective[(str(param.get("in")), str(param.get("name")))] = param
    in_template = _template_params(path)
    for name in sorted({n for n in in_template if in_template.count(n) > 1}):
        errors.append(f"path-params: {where}: {{{name}}} appears more than once in the template")
    declared = {name: p for (loc, name), p in effective.items() if loc == "path"}
    for name in in_template:
        if name not in declared:
            errors.append(f"path-params: {where}: {{{name}}} is not declared as an in: path param")
        elif declared[name].get("required") is not True:
            errors.append(f"path-params: {where}: path parameter {name!r} must be required: true")
    for name in declared:
        if name not in in_template:
            errors.append(f"path-params: {where}: path parameter {name!r} is not in the template")
    return errors


def _response_errors(spec: dict[str, Any], op: dict[str, Any], where: str) -> list[str]:
    errors: list[str] = []
    responses = op.get("responses") or {}
    codes = [str(c) for c in responses]
    if not any(c[0] in "23" for c in codes if c != "default"):
        errors.append(f"success-response: {where}: documents no 2xx or 3xx response")
    for code, raw in responses.items():
        status = str(code)
        resp = _deref(spec, raw)
        if not isinstance(resp, dict):
            continue  # reported by `ref`
        if "schema" in resp:
            continue
        if status in BODILESS_STATUSES:
            continue
        headers = {str(h).lower() for h in resp.get("headers") or {}}
        if status in REDIRECT_STATUSES:
            if "location" not in headers:
                errors.append(
                    f"response-body: {where}: redirect {status} must declare a Location header"
                )
            continue
        errors.append(
            f"response-body: {where}: response {status} has no schema; document one, or use "
            "204/205/304 or a redirect with a Location header for a bodiless response"
        )
    return errors


def _unused_components(spec: dict[str, Any]) -> list[str]:
    reached: set[str] = set()
    todo = list(_refs(spec.get("paths") or {}))
    while todo:
        ref = todo.pop()
        if ref in reached:
            continue
        reached.add(ref)
        target = _resolve(spec, ref)
        if target is not None:
            todo.extend(_refs(target))
    errors: list[str] = []
    for section in COMPONENT_SECTIONS:
        for name in spec.get(section) or {}:
            pointer = f"#/{section}/{str(name).replace('~', '~0').replace('/', '~1')}"
            if pointer not in reached:
                errors.append(f"unused-component: {pointer} is not referenced from any path")
    return errors


def check(swagger: Path = SWAGGER, openapi3: Path | None = OPENAPI3) -> Report:
    report = Report("spec lint")
    report.lines.append(f"spec: {swagger}")
    try:
        spec = load_yaml(swagger)
    except (OSError, TypeError, yaml.YAMLError) as exc:
        report.errors.append(f"swagger-valid: cannot load {swagger}: {exc}")
        return report
    if spec.get("swagger") != "2.0":
        report.errors.append(f"swagger-valid: 'swagger' is {spec.get('swagger')!r}, expected '2.0'")
    try:
        validate(spec, base_uri=swagger.as_uri(), cls=OpenAPIV2SpecValidator)
    except Exception as exc:  # noqa: BLE001 - any validator error is a finding
        report.errors.append(f"swagger-valid: {_first_line(exc)}")
    if openapi3 is not None:
        report.lines.append(f"converted: {openapi3}")
        try:
            converted = load_yaml(openapi3)
            if not str(converted.get("openapi", "")).startswith("3.0."):
                report.errors.append("openapi3-valid: 'openapi' is not 3.0.x")
            validate(converted, base_uri=openapi3.as_uri(), cls=OpenAPIV30SpecValidator)
        except Exception as exc:  # noqa: BLE001
            report.errors.append(f"openapi3-valid: {_first_line(exc)}")
    ops = sum(1 for _ in _operations(spec))
    report.lines.append(f"operations: {ops}")
    report.extend(lint(spec))
    return report


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("swagger", nargs="?", type=Path, default=SWAGGER)
    parser.add_argument("--openapi3", type=Path, default=OPENAPI3)
    parser.add_argument("--no-openapi3", action="store_true", help="skip the converted spec")
    args = parser.parse_args(argv)
    return finish(check(args.swagger, None if args.no_openapi3 else args.openapi3))


if __name__ == "__main__":
    sys.exit(main())
