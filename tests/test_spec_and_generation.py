"""The spec is valid, the committed generated client matches it, and the client imports."""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
import re
import subprocess
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from openapi_spec_validator import OpenAPIV2SpecValidator, OpenAPIV30SpecValidator, validate

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


TEMPLATES = ROOT / "openapi" / "templates"
_UPSTREAM = re.compile(
    r"upstream: openapi-python-client (?P<version>\S+) templates/(?P<path>\S+) "
    r"sha256 (?P<sha256>[0-9a-f]{64})"
)


def test_our_templates_follow_the_pinned_generators() -> None:
    """Each template in openapi/templates/ is an upstream one with a change of ours: when the
    pinned generator's copy changes, re-copy it and re-apply the change (the header says what)."""
    import openapi_python_client

    installed = version("openapi-python-client")
    upstream_root = Path(openapi_python_client.__file__).parent / "templates"
    ours = sorted(TEMPLATES.rglob("*.jinja"))
    assert ours
    for template in ours:
        header = _UPSTREAM.search(template.read_text(encoding="utf-8"))
        assert header, f"{template.relative_to(ROOT)}: no 'upstream: ...' line"
        assert header["path"] == str(template.relative_to(TEMPLATES))
        assert header["version"] == installed, f"{template.name}: copied from {header['version']}"
        upstream = (upstream_root / header["path"]).read_bytes()
        assert hashlib.sha256(upstream).hexdigest() == header["sha256"], (
            f"{header['path']} changed upstream: re-copy it into openapi/templates/"
        )


def test_the_generated_client_sends_date_times_in_utc_with_z() -> None:
    from gototraining_api.models import DateTimeRange

    berlin = datetime(2031, 3, 1, 10, 30, 15, 250000, tzinfo=ZoneInfo("Europe/Berlin"))
    body = DateTimeRange(start_date=berlin, end_date=berlin.astimezone(UTC)).to_dict()
    assert body == {
        "startDate": "2031-03-01T09:30:15.250000Z",
        "endDate": "2031-03-01T09:30:15.250000Z",
    }
