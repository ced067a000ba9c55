"""The spec is valid, the committed generated client matches it, and the client imports."""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from openapi_spec_validator import OpenAPIV2SpecValidator, OpenAPIV30SpecValidator, validate

from scripts import openapi_templates

ROOT = Path(__file__).resolve().parents[1]
SWAGGER = ROOT / "openapi" / "swagger.yaml"
OPENAPI3 = ROOT / "openapi" / "openapi3.yaml"
REGENERATE = ROOT / "scripts" / "regenerate.sh"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _load(path: Path) -> dict[str, Any]:
    # safe_load refuses a file holding more than one YAML document (e.g. a stray trailing `---`).
    with path.open(encoding="utf-8") as f:
        data = yaml.safe_load(f)
    assert isinstance(data, dict), f"{path} is not a YAML mapping"
    return data


def _operation_ids(spec: dict[str, Any]) -> list[str]:
    return [
        op["operationId"]
        for item in spec.get("paths", {}).values()
        for method, op in item.items()
        if method in HTTP_METHODS
    ]


def test_swagger_is_valid_swagger_2_0() -> None:
    spec = _load(SWAGGER)
    assert spec.get("swagger") == "2.0"
    validate(spec, base_uri=SWAGGER.as_uri(), cls=OpenAPIV2SpecValidator)


def test_operation_ids_are_unique() -> None:
    ids = _operation_ids(_load(SWAGGER))
    assert ids, "spec has no operations"
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_converted_spec_is_valid_openapi_3_0() -> None:
    spec = _load(OPENAPI3)
    assert str(spec.get("openapi", "")).startswith("3.0.")
    validate(spec, base_uri=OPENAPI3.as_uri(), cls=OpenAPIV30SpecValidator)


def test_generated_files_are_up_to_date() -> None:
    # Deliberately not skipped when npm is missing: CI must run this check.
    proc = subprocess.run(
        [str(REGENERATE), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, (
        "scripts/regenerate.sh --check failed; run `make regenerate` and commit the result.\n"
        f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
    )


def _api_modules() -> list[str]:
    api = importlib.import_module("gototraining_api.api")
    return [m.name for m in pkgutil.walk_packages(api.__path__, prefix=f"{api.__name__}.")]


def test_every_generated_api_module_imports() -> None:
    names = _api_modules()
    assert names, "gototraining_api.api contains no modules"
    for name in names:
        importlib.import_module(name)


def test_one_endpoint_module_per_operation() -> None:
    # The generator silently drops endpoints it cannot handle unless --fail-on-warning is set;
    # this cross-checks that every operation in the spec produced a module.
    endpoints = [n for n in _api_modules() if hasattr(importlib.import_module(n), "sync_detailed")]
    assert len(endpoints) == len(_operation_ids(_load(SWAGGER)))


@pytest.mark.parametrize("pkg", ["gototraining", "gototraining_api"])
def test_packages_are_typed(pkg: str) -> None:
    module = importlib.import_module(pkg)
    assert module.__file__ is not None
    assert (Path(module.__file__).parent / "py.typed").is_file()


def _template(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_stale_templates_are_reported(tmp_path: Path) -> None:
    """``scripts/regenerate.sh`` runs this check with the pinned generator (the committed
    templates pass it there); here against a generator directory made up for the test."""
    upstream, ours = tmp_path / "upstream", tmp_path / "ours"
    original = _template(upstream, "property_templates/x.py.jinja", "{{ upstream }}\n")
    digest = hashlib.sha256(original.read_bytes()).hexdigest()
    header = f"{{#- upstream: openapi-python-client 1.0 templates/property_templates/x.py.jinja sha256 {digest} -#}}\n"
    _template(ours, "property_templates/x.py.jinja", header + "{{ ours }}\n")
    assert openapi_templates.stale(ours, upstream, "1.0") == []
    assert (
        "copied from 1.0, the generator is 1.1" in openapi_templates.stale(ours, upstream, "1.1")[0]
    )
    original.write_text("{{ upstream, changed }}\n", encoding="utf-8")
    assert "changed upstream" in openapi_templates.stale(ours, upstream, "1.0")[0]
    _template(ours, "client.py.jinja", "no header\n")
    assert any(
        "no 'upstream: ...' line" in p for p in openapi_templates.stale(ours, upstream, "1.0")
    )


def test_the_generated_client_sends_date_times_in_utc_with_z() -> None:
    from gototraining_api.models import DateTimeRange

    berlin = datetime(2031, 3, 1, 10, 30, 15, 250000, tzinfo=ZoneInfo("Europe/Berlin"))
    body = DateTimeRange(start_date=berlin, end_date=berlin.astimezone(UTC)).to_dict()
    assert body == {
        "startDate": "2031-03-01T09:30:15.250000Z",
        "endDate": "2031-03-01T09:30:15.250000Z",
    }
