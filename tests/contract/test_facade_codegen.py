"""The facade generator refuses what it cannot decode exactly, and keeps the public shape.

The committed output equals a fresh generation (``tests/test_spec_and_generation.py`` runs
``regenerate.sh --check``); these tests cover the decisions: field order, names, defaults, and
the refusals (a schema keyword the decoders do not implement, an enum nobody mapped, a mapping
entry that matches nothing) that keep "accepts exactly what the spec allows" true.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest

from scripts.contract._common import FACADE, OPENAPI3, ROOT, load_yaml
from scripts.facade_codegen import unasync
from scripts.facade_codegen.emit_resources import emit_namespace
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


def _docs_by_method(mapping: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The mapping entries with a builder, by ``namespace.method``."""
    entries: dict[str, dict[str, Any]] = {}
    for conf in mapping["operations"].values():
        for entry in conf if isinstance(conf, list) else [conf]:
            if isinstance(entry, dict) and entry.get("builder"):
                entries[entry["method"]] = entry
    return entries


def _emit_trainings(mapping: dict[str, Any]) -> str:
    spec, _ = spec_and_mapping()
    api = build(spec, mapping)
    [trainings] = [ns for ns in api.namespaces if ns.attr == "trainings"]
    return emit_namespace(api, trainings, FACADE / "gototraining")


def test_a_builder_method_is_documented_by_the_mapping() -> None:
    """The public docstring comes from facade.yaml, not from the private builder."""
    _, mapping = spec_and_mapping()
    _docs_by_method(mapping)["trainings.create"]["doc"] = "Schedule it.\n\nArgs:\n" + "".join(
        f"    {name}: x.\n"
        for name in (
            "name",
            "times",
            "time_zone",
            "description",
            "registration_settings",
            "co_organizers",
        )
    )
    source = _emit_trainings(mapping)
    assert source.count('"""Schedule it.') == 2  # the sync and the async method


ARGS_OF_UPDATE_NAME_DESCRIPTION = (
    "Change it.\n\nArgs:\n    training_key: k.\n    name: n.\n    description: d.\n"
)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (None, "needs its `doc`"),
        (
            "Change it.\n\nArgs:\n    training_key: k.\n    name: n.\n",
            "undocumented: .'description'",
        ),
        (
            ARGS_OF_UPDATE_NAME_DESCRIPTION + "    colour: c.\n",
            "not parameters: .'colour'",
        ),
    ],
)
def test_a_builder_method_doc_must_match_its_parameters(doc: str | None, message: str) -> None:
    _, mapping = spec_and_mapping()
    entry = _docs_by_method(mapping)["trainings.update_name_description"]
    if doc is None:
        del entry["doc"]
    else:
        entry["doc"] = doc
    with pytest.raises(CodegenError, match=message):
        _emit_trainings(mapping)


def test_a_doc_may_name_the_per_call_options_too() -> None:
    _, mapping = spec_and_mapping()
    entry = _docs_by_method(mapping)["trainings.update_name_description"]
    entry["doc"] = ARGS_OF_UPDATE_NAME_DESCRIPTION + "    timeout: t.\n"
    assert "    timeout: t." in _emit_trainings(mapping)


# -- unasync: sync twins of hand-written async modules ----------------------------------------

ASYNC_ORIGINAL = '''"""A module written for the async flavor.

More about it.
"""

from ._deadline import AsyncDeadlineTransport
from ._http_client import mapped_errors


class _AsyncStream(httpx.AsyncByteStream):
    async def __aiter__(self) -> typing.AsyncIterator[bytes]:
        async for chunk in self.parts:
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


class DefaultAsyncThing(httpx.AsyncClient):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        async with self.lock:
            return await AsyncDeadlineTransport(None).handle_async_request(request)
'''


def test_unasync_writes_the_sync_twin() -> None:
    twin = unasync.unasync(ASYNC_ORIGINAL, "_thing.py", "_generated/thing.py")
    assert twin.startswith("# DO NOT EDIT")
    assert '"""A module written for the async flavor.\n\nThe sync twin of' in twin
    assert "More about it" not in twin
    # imports follow the twin into _generated/, and a twinned module's import its twin
    assert "from .deadline import DeadlineTransport\n" in twin
    assert "from .._http_client import mapped_errors\n" in twin
    assert "class _Stream(httpx.SyncByteStream):" in twin
    assert "def __iter__(self) -> typing.Iterator[bytes]:\n        for chunk in self.parts:" in twin
    assert "def close(self) -> None:\n        self.inner.close()" in twin
    assert "class DefaultThing(httpx.Client):" in twin
    assert (
        "with self.lock:\n            return DeadlineTransport(None).handle_request(request)"
        in twin
    )
    code = twin[twin.index('"""', twin.index('"""') + 3) + 3 :]  # after the module docstring
    assert "async" not in code.lower() and "await" not in code


def test_a_stale_sync_twin_is_reported(tmp_path: Path) -> None:
    package = tmp_path / "gototraining"
    shutil.copytree(FACADE / "gototraining", package, ignore=shutil.ignore_patterns("__pycache__"))
    assert unasync.main(["--check", "--facade", str(package)]) == 0
    original = package / "_deadline.py"
    original.write_text(
        original.read_text(encoding="utf-8").replace("await self._backend.sleep(seconds)", "pass"),
        encoding="utf-8",
    )
    assert unasync.main(["--check", "--facade", str(package)]) == 1
    assert unasync.main(["--facade", str(package)]) == 0  # rewrites the twin
    assert "    def sleep(self, seconds: float) -> None:\n        pass\n" in (
        package / "_generated" / "deadline.py"
    ).read_text(encoding="utf-8")
    assert unasync.main(["--check", "--facade", str(package)]) == 0


def test_a_hand_edited_sync_twin_is_reported_and_rewritten(tmp_path: Path) -> None:
    package = tmp_path / "gototraining"
    shutil.copytree(FACADE / "gototraining", package, ignore=shutil.ignore_patterns("__pycache__"))
    twin = package / "_generated" / "driver.py"
    committed = twin.read_text(encoding="utf-8")
    twin.write_text(committed.replace("time.sleep", "print"), encoding="utf-8")
    assert unasync.main(["--check", "--facade", str(package)]) == 1
    assert unasync.main(["--facade", str(package)]) == 0
    assert twin.read_text(encoding="utf-8") == committed


STEERED_ORIGINAL = '''"""A module with lines only one flavor has."""

import asyncio  # unasync: sync: import time


class AsyncRunner:
    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()  # unasync: drop
        self.sleep = asyncio.sleep

    async def run(self) -> None:
        self._check_loop()  # unasync: drop
        if self.bounded:  # unasync: drop
            async with asyncio.timeout(1):
                return await self.step()

        return await self.step()

    def _check_loop(  # unasync: drop
        self, strict: bool = True
    ) -> None:
        assert self.loop is asyncio.get_running_loop()

    async def step(self) -> None:
        await self.sleep(0)
'''


def test_unasync_comments_drop_lines_and_blocks_or_give_the_sync_code() -> None:
    twin = unasync.unasync(STEERED_ORIGINAL, "_runner.py", "_generated/runner.py")
    code = twin[twin.index('"""', twin.index('"""') + 3) + 3 :]
    assert "\nimport time\n" in code
    assert "asyncio" not in code and "unasync:" not in code and "_check_loop" not in code
    assert "def __init__(self) -> None:\n        self.sleep = time.sleep\n" in code
    assert "def run(self) -> None:\n        return self.step()\n" in code
    assert "def step(self) -> None:\n        self.sleep(0)\n" in code
