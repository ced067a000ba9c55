"""The facade generator refuses what it cannot decode exactly, and keeps the public shape.

The committed output equals a fresh generation (``tests/test_spec_and_generation.py`` runs
``regenerate.sh --check``); these tests cover the decisions: field order, names, defaults, and
the refusals (a schema keyword the decoders do not implement, an enum nobody mapped, a mapping
entry that matches nothing) that keep "accepts exactly what the spec allows" true.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from scripts.contract._common import OPENAPI3, ROOT, load_yaml
from scripts.facade_codegen.spec import CodegenError, build, snake

MAPPING = ROOT / "openapi" / "facade.yaml"


def spec_and_mapping() -> tuple[dict[str, Any], dict[str, Any]]:
    return copy.deepcopy(load_yaml(OPENAPI3)), copy.deepcopy(load_yaml(MAPPING))


def test_public_field_order_and_defaults() -> None:
    api = build(*spec_and_mapping())
    models = {m.cls: m for m in api.models}
    training = [(f.name, f.default) for f in models["Training"].fields]
    assert training == [
        ("training_key", None), ("training_id", None), ("name", None),
        ("description", None),  # optional, pinned before required fields: no default
        ("time_zone", None), ("times", None), ("organizers", None),
        ("registration_settings", None),
    ]  # fmt: skip
    recording = [(f.name, f.default) for f in models["Recording"].fields]
    assert recording[-3:] == [
        ("description", "None"),
        ("registration_url", "None"),
        ("download_url", "None"),
    ]
    registration = [(f.name, f.default) for f in models["Registration"].fields]
    assert registration == [
        ("registrant_key", None), ("join_url", None), ("confirmation_url", None),
        ("created", "True"), ("registrant", "None"),
    ]  # fmt: skip
    registrant = [(f.name, f.default) for f in models["Registrant"].fields]
    assert registrant[4] == ("status", None)  # optional, pinned in place: no default
    assert [p.name for p in models["Registrant"].properties] == ["raw_status"]
    assert {f.name: f.annotation for f in models["Session"].fields}["duration"] == "timedelta"


def test_a_new_optional_property_is_appended() -> None:
    spec, mapping = spec_and_mapping()
    properties = spec["components"]["schemas"]["RegistrantCreated"]["properties"]
    properties["qrCode"] = {"type": "string"}
    [model] = [m for m in build(spec, mapping).models if m.cls == "Registration"]
    assert [f.name for f in model.fields][-1] == "qr_code"
    assert model.fields[-1].default == "None"  # positional construction keeps working


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda s, m: s["components"]["schemas"]["Session"]["properties"]["trainingName"].update(
                maxLength=10
            ),
            "not implemented by the decoders",
        ),
        (
            lambda s, m: s["components"]["schemas"]["Session"]["properties"].update(
                kind={"type": "string", "enum": ["LIVE", "RECORDED"]}
            ),
            "enum without a mapping entry",
        ),
        (lambda s, m: m["models"].update(NoSuchSchema={}), "answered by no operation"),
        (
            lambda s, m: m["models"]["Session"].update(minutes=["trainingName"]),
            "must be an integer",
        ),
        (lambda s, m: m["models"]["Session"].update(names={"nope": "x"}), "no property"),
        (lambda s, m: m["operations"].pop("getTraining"), "no entry for getTraining"),
        (
            lambda s, m: m["operations"].update(getTraining="trainings.list"),
            "trainings.list is mapped twice",
        ),
        (
            lambda s, m: s["components"]["schemas"]["Organizer"]["properties"].update(
                extra={"type": "string"}
            ),
            "field name 'extra' is taken",
        ),
    ],
)
def test_refusals(change: Any, message: str) -> None:
    spec, mapping = spec_and_mapping()
    change(spec, mapping)
    with pytest.raises(CodegenError, match=message):
        build(spec, mapping)


@pytest.mark.parametrize(
    ("wire", "python"),
    [
        ("hostURL", "host_url"),
        ("timeInPartOfSession", "time_in_part_of_session"),
        ("int_err_code", "int_err_code"),
        ("class", "class_"),
        ("URLPath", "url_path"),
    ],
)
def test_snake_case(wire: str, python: str) -> None:
    assert snake(wire) == python
