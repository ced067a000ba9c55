"""Check 1 (spec lint): clean on the real spec, and each rule fails on a deliberately broken copy."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.contract import spec_lint
from scripts.contract._common import OPENAPI3, SWAGGER, load_yaml

Spec = dict[str, Any]


@pytest.fixture(scope="module")
def real_spec() -> Spec:
    return load_yaml(SWAGGER)


def test_real_spec_passes_lint_and_validation() -> None:
    report = spec_lint.check(SWAGGER, OPENAPI3)
    assert report.ok, report.render()


def _op(spec: Spec, path: str, method: str) -> dict[str, Any]:
    op = spec["paths"][path][method]
    assert isinstance(op, dict)
    return op


TRAINING = "/organizers/{organizerKey}/trainings/{trainingKey}"
RECORDING = "/trainings/{trainingKey}/recordings/{recordingId}"


def _dup_operation_id(s: Spec) -> None:
    _op(s, TRAINING, "delete")["operationId"] = "getTraining"


def _no_tag(s: Spec) -> None:
    del _op(s, TRAINING, "get")["tags"]


def _two_tags(s: Spec) -> None:
    _op(s, TRAINING, "get")["tags"] = ["trainings", "reports"]


def _undeclared_tag(s: Spec) -> None:
    _op(s, TRAINING, "get")["tags"] = ["training"]


def _unused_tag(s: Spec) -> None:
    s["tags"].append({"name": "webinars", "description": "unused"})


def _undeclared_path_param(s: Spec) -> None:
    s["paths"][TRAINING]["parameters"] = [{"$ref": "#/parameters/organizerKey"}]


def _path_param_not_in_template(s: Spec) -> None:
    _op(s, TRAINING, "get")["parameters"] = [{"$ref": "#/parameters/registrantKey"}]


def _optional_path_param(s: Spec) -> None:
    s["paths"][TRAINING]["parameters"][1] = {
        "name": "trainingKey",
        "in": "path",
        "required": False,
        "type": "integer",
    }


def _response_without_schema(s: Spec) -> None:
    del _op(s, TRAINING, "get")["responses"]["200"]["schema"]


def _shared_response_without_schema(s: Spec) -> None:
    del s["responses"]["NotFound"]["schema"]


def _redirect_without_location(s: Spec) -> None:
    del _op(s, RECORDING, "get")["responses"]["302"]["headers"]


def _no_success_response(s: Spec) -> None:
    del _op(s, TRAINING, "delete")["responses"]["204"]


def _unused_definition(s: Spec) -> None:
    s["definitions"]["Orphan"] = {"type": "object"}


def _unused_parameter(s: Spec) -> None:
    s["parameters"]["orphanKey"] = {"name": "orphanKey", "in": "query", "type": "string"}


def _unused_response(s: Spec) -> None:
    s["responses"]["Teapot"] = {"description": "I'm a teapot", "schema": {"type": "string"}}


def _vendor_extension(s: Spec) -> None:
    s["info"]["x-apisguru-categories"] = ["collaboration"]


def _dangling_ref(s: Spec) -> None:
    _op(s, TRAINING, "get")["responses"]["200"]["schema"] = {"$ref": "#/definitions/holder"}


def _wrong_host(s: Spec) -> None:
    s["host"] = "api.citrixonline.com"


def _wrong_base_path(s: Spec) -> None:
    s["basePath"] = "/G2T/rest/v1"


def _http_scheme(s: Spec) -> None:
    s["schemes"] = ["http", "https"]


def _bad_operation_id(s: Spec) -> None:
    _op(s, TRAINING, "get")["operationId"] = "get training"


BREAKAGES: dict[str, tuple[Callable[[Spec], None], str]] = {
    "duplicate operationId": (_dup_operation_id, "operation-id:"),
    "operationId not an identifier": (_bad_operation_id, "operation-id:"),
    "operation without tag": (_no_tag, "operation-tag:"),
    "operation with two tags": (_two_tags, "operation-tag:"),
    "undeclared tag": (_undeclared_tag, "operation-tag:"),
    "unused tag": (_unused_tag, "tag-unused:"),
    "path param not declared": (_undeclared_path_param, "path-params:"),
    "declared path param not in template": (_path_param_not_in_template, "path-params:"),
    "optional path param": (_optional_path_param, "path-params:"),
    "200 without schema": (_response_without_schema, "response-body:"),
    "shared 404 without schema": (_shared_response_without_schema, "response-body:"),
    "302 without Location": (_redirect_without_location, "response-body:"),
    "no success response": (_no_success_response, "success-response:"),
    "unused definition": (_unused_definition, "unused-component: #/definitions/Orphan"),
    "unused parameter": (_unused_parameter, "unused-component: #/parameters/orphanKey"),
    "unused response": (_unused_response, "unused-component: #/responses/Teapot"),
    "x- key": (_vendor_extension, "no-extensions:"),
    "dangling $ref": (_dangling_ref, "ref:"),
    "wrong host": (_wrong_host, "server: host"),
    "wrong basePath": (_wrong_base_path, "server: basePath"),
    "http scheme": (_http_scheme, "server: schemes"),
}


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_each_rule_fails_on_broken_spec(real_spec: Spec, name: str) -> None:
    breakage, expected = BREAKAGES[name]
    spec = copy.deepcopy(real_spec)
    breakage(spec)
    errors = spec_lint.lint(spec)
    assert any(e.startswith(expected) for e in errors), (name, errors)


def test_invalid_swagger_file_fails_and_exits_nonzero(real_spec: Spec, tmp_path: Path) -> None:
    spec = copy.deepcopy(real_spec)
    _op(spec, TRAINING, "get")["responses"]["200"]["schema"] = {"type": "bogus"}
    broken = tmp_path / "swagger.yaml"
    broken.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    report = spec_lint.check(broken, None)
    assert any(e.startswith("swagger-valid:") for e in report.errors), report.render()
    assert spec_lint.main([str(broken), "--no-openapi3"]) == 1


def test_invalid_converted_spec_fails(tmp_path: Path) -> None:
    converted = load_yaml(OPENAPI3)
    converted["paths"]["/organizers/{organizerKey}/trainings"]["get"]["responses"] = "nope"
    broken = tmp_path / "openapi3.yaml"
    broken.write_text(yaml.safe_dump(converted, sort_keys=False), encoding="utf-8")
    report = spec_lint.check(SWAGGER, broken)
    assert any(e.startswith("openapi3-valid:") for e in report.errors), report.render()


def test_two_yaml_documents_fail(tmp_path: Path) -> None:
    broken = tmp_path / "swagger.yaml"
    broken.write_text(SWAGGER.read_text(encoding="utf-8") + "\n---\n", encoding="utf-8")
    report = spec_lint.check(broken, None)
    assert not report.ok
