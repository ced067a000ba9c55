"""Check 3: every recorded VCR interaction matches a spec operation and validates against the spec.

Run: ``python -m scripts.contract.cassettes [CASSETTE_DIR] [--spec OPENAPI3]``

For every ``**/*.yaml`` cassette (vcrpy format) below ``tests/cassettes``:

- an interaction on ``https://api.getgo.com/G2T/rest/...`` must match exactly one spec operation
  (path template + method). A path the spec lacks, or a method the path does not have, fails.
- its request must validate (path parameters, query/header parameters, body and its content type)
  and its response must validate (status documented for that operation, body against the schema,
  content type, documented headers) with openapi-core against ``openapi/openapi3.yaml``. A
  response the spec documents without a body must have an empty body. Authentication is not
  checked (recorded tokens are redacted).
- an interaction on any other URL must be on the allowlist of non-API endpoints: ``POST`` to the
  OAuth token endpoint, or ``GET`` of a URL that an earlier ``getRecordingDownloadById`` 302 in the
  same cassette pointed to (its ``Location`` header). Anything else fails.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_core.validation.request.validators import (
    V30RequestBodyValidator,
    V30RequestParametersValidator,
)
from openapi_core.validation.response.validators import V30ResponseValidator

from scripts.contract._common import (
    API_BASE_URL,
    CASSETTES,
    OPENAPI3,
    Operation,
    OperationMatcher,
    Report,
    finish,
    load_yaml,
    spec_operations,
)

OAUTH_TOKEN_URL = "https://authentication.logmeininc.com/oauth/token"
REDIRECTING_OPERATION = "getRecordingDownloadById"


@dataclass
class CassetteResult:
    """The printed report plus which cassettes exercise which operation (used by coverage)."""

    report: Report
    by_operation: dict[str, list[str]] = field(default_factory=dict)
    interactions: int = 0


def _body_bytes(body: Any) -> bytes:
    """A vcrpy body (``{'string': ...}`` for responses, plain for requests) as bytes."""
    if isinstance(body, Mapping):
        body = body.get("string")
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    return str(body).encode("utf-8")


def _headers(raw: Any) -> dict[str, str]:
    """vcrpy headers (name -> list of values) as a case-insensitive-by-lowercasing dict."""
    out: dict[str, str] = {}
    if isinstance(raw, Mapping):
        for name, value in raw.items():
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            out[str(name).lower()] = str(value)
    return out


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe(exc: BaseException) -> str:
    """The openapi-core error and its causes; JSON-schema errors as ``at <path>: <message>``."""
    chain: list[BaseException] = []
    node: BaseException | None = exc
    while node is not None and len(chain) < 5:
        chain.append(node)
        node = node.__cause__ or node.__context__
    for link in chain:
        schema_errors = getattr(link, "schema_errors", None)
        if schema_errors:
            lines = [type(exc).__name__]
            for err in schema_errors:
                where = "/".join(str(p) for p in getattr(err, "absolute_path", ())) or "(root)"
                lines.append(f"at {where}: {_short(str(getattr(err, 'message', err)))}")
            return " | ".join(lines)
    parts: list[str] = []
    for link in chain:
        text = _short(str(link))
        if text.startswith(type(link).__name__):
            label = text
        else:
            label = type(link).__name__ + (f": {text}" if text else "")
        if label not in parts:
            parts.append(label)
    return " | ".join(parts)


class CassetteChecker:
    def __init__(self, spec_path: Path = OPENAPI3) -> None:
        self.spec_path = spec_path
        spec_dict = load_yaml(spec_path)
        self.operations = spec_operations(spec_dict)
        self.matcher = OperationMatcher(self.operations)
        self.api = OpenAPI.from_dict(spec_dict, base_uri=spec_path.as_uri())
        self.raw = spec_dict
        base = urlsplit(API_BASE_URL)
        self.host_url = f"{base.scheme}://{base.netloc}"
        self.base_path = base.path.rstrip("/")

    def _documented_bodiless(self, op: Operation, status: int) -> bool:
        op_spec = self.raw["paths"][op.path][op.method.lower()]
        resp = (op_spec.get("responses") or {}).get(str(status))
        if isinstance(resp, dict) and "$ref" in resp:
            name = str(resp["$ref"]).rsplit("/", 1)[-1]
            resp = self.raw.get("components", {}).get("responses", {}).get(name)
        return isinstance(resp, dict) and not resp.get("content")

    def check_file(self, path: Path, label: str) -> tuple[list[str], list[str]]:
        """(errors, operationIds exercised) for one cassette file."""
        errors: list[str] = []
        ops: list[str] = []
        try:
            with path.open(encoding="utf-8") as f:
                data = yaml.safe_load(f)
        except (OSError, yaml.YAMLError) as exc:
            return [f"{label}: cannot load: {exc}"], ops
        interactions = data.get("interactions") if isinstance(data, dict) else None
        if not isinstance(interactions, list) or not interactions:
            return [f"{label}: no interactions (not a vcrpy cassette?)"], ops
        redirects: set[str] = set()
        for i, interaction in enumerate(interactions):
            where = f"{label}#{i}"
            try:
                op_id, errs, location = self._check_interaction(interaction, where, redirects)
            except Exception as exc:  # noqa: BLE001 - a malformed interaction is a finding
                errors.append(f"{where}: cannot check interaction: {type(exc).__name__}: {exc}")
                continue
            errors.extend(errs)
            if op_id:
                ops.append(op_id)
            if location:
                redirects.add(location)
        return errors, ops

    def _check_interaction(
        self, interaction: Any, where: str, redirects: set[str]
    ) -> tuple[str | None, list[str], str | None]:
        request = interaction["request"]
        response = interaction["response"]
        method = str(request["method"]).upper()
        uri = str(request["uri"])
        status = int(response["status"]["code"])
        where = f"{where} {method} {uri} -> {status}"

        if not uri.startswith(API_BASE_URL + "/"):
            if method == "POST" and uri.split("?", 1)[0] == OAUTH_TOKEN_URL:
                return None, [], None
            if method == "GET" and uri in redirects:
                return None, [], None
            message = (
                f"{where}: not an API URL ({API_BASE_URL}/...) and not an allowed non-API "
                f"endpoint (POST {OAUTH_TOKEN_URL}, or GET of a {REDIRECTING_OPERATION} "
                "redirect target)"
            )
            return None, [message], None

        parts = urlsplit(uri)
        sub_path = parts.path[len(self.base_path) :]
        on_path = self.matcher.path_matches(sub_path)
        if not on_path:
            return None, [f"{where}: no spec path matches {sub_path!r}"], None
        matches = [op for op in on_path if op.method == method]
        if not matches:
            allowed = ", ".join(sorted(op.method for op in on_path))
            return (
                None,
                [f"{where}: {on_path[0].path} has no {method} operation (spec: {allowed})"],
                None,
            )
        if len(matches) > 1:
            names = ", ".join(op.operation_id for op in matches)
            return None, [f"{where}: ambiguous, matches {names}"], None
        op = matches[0]
        where = f"{where} [{op.operation_id}]"
        errors: list[str] = []

        req_headers = _headers(request.get("headers"))
        req_body = _body_bytes(request.get("body"))
        args = {k: v[0] for k, v in parse_qs(parts.query).items()}
        mock_req = MockRequest(
            self.host_url,
            method.lower(),
            parts.path,
            args=args,
            headers=req_headers,
            data=req_body or None,
            content_type=req_headers.get("content-type", "") if req_body else "",
        )
        for cls in (V30RequestParametersValidator, V30RequestBodyValidator):
            for exc in cls(self.api.spec).iter_errors(mock_req):
                errors.append(f"{where}: request: {_describe(exc)}")

        resp_headers = _headers(response.get("headers"))
        resp_body = _body_bytes(response.get("body"))
        mock_resp = MockResponse(
            resp_body,
            status,
            headers=resp_headers,
            content_type=resp_headers.get("content-type", ""),
        )
        for exc in V30ResponseValidator(self.api.spec).iter_errors(mock_req, mock_resp):
            errors.append(f"{where}: response: {_describe(exc)}")
        if resp_body and self._documented_bodiless(op, status):
            errors.append(f"{where}: response: the spec documents {status} without a body")

        location = None
        if op.operation_id == REDIRECTING_OPERATION and 300 <= status < 400:
            location = resp_headers.get("location")
        return op.operation_id, errors, location


_CHECKERS: dict[tuple[Path, int], CassetteChecker] = {}


def _checker(spec_path: Path) -> CassetteChecker:
    """One CassetteChecker per spec file version (building openapi-core's spec takes ~0.1 s)."""
    key = (spec_path.resolve(), spec_path.stat().st_mtime_ns)
    if key not in _CHECKERS:
        _CHECKERS[key] = CassetteChecker(spec_path)
    return _CHECKERS[key]


def analyse(cassette_dir: Path = CASSETTES, spec_path: Path = OPENAPI3) -> CassetteResult:
    report = Report("cassettes against the spec")
    result = CassetteResult(report)
    checker = _checker(spec_path)
    for op in checker.operations:
        result.by_operation[op.operation_id] = []
    files = sorted(cassette_dir.rglob("*.yaml")) if cassette_dir.is_dir() else []
    if not files:
        report.errors.append(f"no cassettes found under {cassette_dir}")
        return result
    for path in files:
        label = path.relative_to(cassette_dir).as_posix()
        errors, ops = checker.check_file(path, label)
        report.extend(errors)
        result.interactions += len(ops)
        for op_id in dict.fromkeys(ops):
            result.by_operation.setdefault(op_id, []).append(label)
        status = "ok" if not errors else f"{len(errors)} error(s)"
        report.lines.append(f"{label}: {len(ops)} API interaction(s), {status}")
    report.lines.append(
        f"{len(files)} cassette(s), {result.interactions} API interaction(s) checked against "
        f"{spec_path.name}"
    )
    return result


def check(cassette_dir: Path = CASSETTES, spec_path: Path = OPENAPI3) -> Report:
    return analyse(cassette_dir, spec_path).report


def dump_interactions(interactions: Iterable[dict[str, Any]]) -> str:
    """A vcrpy-format cassette document (used by tests to build fixtures)."""
    return yaml.safe_dump({"interactions": list(interactions), "version": 1}, sort_keys=False)


def interaction(
    method: str,
    uri: str,
    status: int,
    body: Any = None,
    request_body: Any = None,
    response_headers: dict[str, str] | None = None,
    raw_body: str | None = None,
) -> dict[str, Any]:
    """Build one vcrpy interaction; ``body``/``request_body`` are JSON-encoded unless ``None``."""

    def enc(value: Any) -> str:
        return "" if value is None else json.dumps(value)

    req_headers: dict[str, list[str]] = {"accept": ["*/*"]}
    if request_body is not None:
        req_headers["content-type"] = ["application/json"]
    headers = {"content-type": "application/json"} if body is not None else {}
    headers.update(response_headers or {})
    response_body = raw_body if raw_body is not None else enc(body)
    return {
        "request": {
            "body": enc(request_body),
            "headers": req_headers,
            "method": method,
            "uri": uri,
        },
        "response": {
            "body": {"string": response_body},
            "headers": {k: [v] for k, v in headers.items()},
            "status": {"code": status, "message": ""},
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("cassettes", nargs="?", type=Path, default=CASSETTES)
    parser.add_argument("--spec", type=Path, default=OPENAPI3)
    args = parser.parse_args(argv)
    return finish(check(args.cassettes, args.spec))


if __name__ == "__main__":
    sys.exit(main())
