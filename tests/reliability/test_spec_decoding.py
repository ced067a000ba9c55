"""Decoding accepts exactly what the spec allows, for every operation's success response.

The cases come from the spec (``openapi/openapi3.yaml``) and the facade's ``@operation`` markers
(``operations.py``), so a new operation is covered without an edit here. Each body is answered to
the real facade method of its operation -- client, transport, pipeline, decoder -- through an
``httpx.MockTransport``:

- schema-valid bodies (``from_schema``: hypothesis strategies drawn from the success schema,
  ``int32``/``int64`` as their ranges, every RFC 3339 spelling) plus boundary bodies (format extremes, -1 where no minimum is declared, empty strings
  and arrays, optional fields absent, unusual RFC 3339 spellings, unknown fields) decode, with no
  ``DecodeError``; unknown fields land in ``extra``; the fast decoders agree with the checked ones;
- one schema-breaking mutation (a required field removed, a value of the wrong JSON type) is a
  ``DecodeError``; ``jsonschema`` confirms each mutation breaks the schema;
- arbitrary JSON decodes exactly when ``jsonschema`` finds it valid.

The facade's one deliberate leniency: ``Registrant.status`` takes values the spec's enum does not
list (``RegistrantStatus.UNKNOWN``, raw value in ``raw_status``), so the oracle drops that enum.
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import cache
from typing import Any

import attrs
import httpx
import jsonschema
import pytest
import yaml
from gototraining import DecodeError, GoToTraining, RegistrationSettings
from gototraining._generated import models as m
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scripts.contract._common import ROOT
from scripts.facade_codegen.spec import snake

from .conftest import FUZZ, SOAK
from .operations import FacadeMethod, SpecOperation, facade_methods, resolve, spec_operations

pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.filterwarnings("ignore:organizers.list_for_account:DeprecationWarning"),
]

EXAMPLES: Counter[str] = Counter()
#: Per operation and property: half of ``FUZZ`` in ``make test`` (a quarter for arbitrary JSON),
#: all of it under ``make soak``.
HALF = FUZZ if SOAK else settings(FUZZ, max_examples=max(1, FUZZ.max_examples // 2))
QUARTER = FUZZ if SOAK else settings(FUZZ, max_examples=max(1, FUZZ.max_examples // 4))
START = datetime(2031, 3, 1, 9, tzinfo=UTC)
END = datetime(2031, 3, 1, 11, tzinfo=UTC)
#: Valid arguments by parameter name, for calling any facade method.
VALUES: dict[str, Any] = {
    "training_key": "1",
    "registrant_key": "2",
    "account_key": "3",
    "session_key": "4",
    "recording_id": "5",
    "name": "Name",
    "times": [(START, END)],
    "time_zone": "Europe/Berlin",
    "settings": RegistrationSettings(),
    "organizer_keys": ["6"],
    "start": START,
    "end": END,
    "email": "ada@example.com",
    "given_name": "Ada",
    "surname": "Lovelace",
}
#: Schemas whose enum the facade widens (an unknown value decodes to ``UNKNOWN``).
WIDENED_ENUMS = {("Registrant", "status")}
RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    total = sum(EXAMPLES.values())
    print(f"\n[spec decoding] {total} bodies: {dict(sorted(EXAMPLES.items()))}")


# -- the cases: one facade method per operation with a JSON success body ----------------------------


def _cases() -> dict[str, tuple[SpecOperation, FacadeMethod]]:
    """Per operation with a JSON body, a method callable with ``VALUES`` (an operation with
    several methods, e.g. ``update_times`` and the multi-step ``move_session``, needs one; with
    none, ``check`` says which argument is missing)."""
    methods: dict[str, list[FacadeMethod]] = {}
    for method in facade_methods():
        methods.setdefault(method.operation_id, []).append(method)
    out: dict[str, tuple[SpecOperation, FacadeMethod]] = {}
    for operation_id, candidates in methods.items():
        op = spec_operations()[operation_id]
        if op.schema is None:
            continue
        usable = [m for m in candidates if all(p in VALUES for p in m.required)]
        chosen = usable[0] if usable else candidates[0]
        chosen.check(VALUES)
        out[operation_id] = (op, chosen)
    return out


CASES = _cases()


def test_every_success_schema_is_covered() -> None:
    with_body = {op_id for op_id, op in spec_operations().items() if op.schema is not None}
    assert with_body and set(CASES) == with_body


# -- schemas: $refs inlined, formats as bounds (what the spec allows, as JSON Schema) ---------------


def _inline(node: Any, *, schema_name: str | None = None, oracle: bool = False) -> Any:
    if isinstance(node, dict) and "$ref" in node:
        name = str(node["$ref"]).rsplit("/", 1)[-1]
        return _inline(resolve(node), schema_name=name, oracle=oracle)
    if isinstance(node, list):
        return [_inline(item, oracle=oracle) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {
                prop: _inline(sub, oracle=oracle)
                | ({} if (schema_name, prop) not in WIDENED_ENUMS or not oracle else {"enum": None})
                for prop, sub in value.items()
            }
            for prop in list(out[key]):
                if out[key][prop].get("enum", 0) is None:
                    del out[key][prop]["enum"]
        else:
            out[key] = _inline(value, oracle=oracle)
    if out.get("type") == "integer" and out.get("format") in RANGES:
        low, high = RANGES[out["format"]]
        out["minimum"] = max(low, out.get("minimum", low))
        out["maximum"] = min(high, out.get("maximum", high))
    if out.get("type") == "object":
        out.setdefault("additionalProperties", True)
    return out


@cache
def json_schema(operation_id: str, *, oracle: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = _inline(spec_operations()[operation_id].schema, oracle=oracle)
    return schema


# RFC 3339 date-time, the meaning of the spec's `format: date-time` (jsonschema's own check
# needs an extra package).
_RFC3339 = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt]([01]\d|2[0-3]):([0-5]\d):([0-5]\d|60)(\.\d+)?"
    r"([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)",
    re.ASCII,
)
FORMATS = jsonschema.FormatChecker(formats=())


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    found = _RFC3339.fullmatch(value)
    if found is None:
        return False
    try:
        datetime(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return False
    return True


FORMATS.checks("date-time")(_is_date_time)


def valid(operation_id: str, body: Any) -> bool:
    validator = jsonschema.Draft4Validator(
        json_schema(operation_id, oracle=True), format_checker=FORMATS
    )
    return bool(validator.is_valid(body))


# -- schema -> hypothesis strategy (the subset of JSON Schema the spec uses) ----------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
texts = st.text(max_size=20) | st.sampled_from(["", " ", "\u0000", "\U0001f600", "x" * 5000])


@st.composite
def date_times(draw: st.DrawFn) -> str:
    """Any RFC 3339 date-time: both letter cases, 0-9 fraction digits, offsets, leap seconds."""
    moment = draw(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)))
    text = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}{draw(st.sampled_from('Tt'))}"
    text += f"{moment.hour:02d}:{moment.minute:02d}:"
    text += "60" if draw(st.integers(0, 20)) == 0 else f"{moment.second:02d}"
    digits = draw(st.integers(0, 9))
    if digits:
        text += "." + draw(st.text("0123456789", min_size=digits, max_size=digits))
    minutes = draw(st.integers(-(23 * 60 + 59), 23 * 60 + 59))
    zone = draw(st.sampled_from("Zz")) if draw(st.booleans()) else ""
    if not zone:
        sign = "-" if minutes < 0 else "+"
        zone = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return text + zone


def from_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid against ``schema`` (an inlined schema, see ``json_schema``)."""
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        known = st.fixed_dictionaries(
            {p: from_schema(s) for p, s in props.items() if p in required},
            optional={p: from_schema(s) for p, s in props.items() if p not in required},
        )
        if schema.get("additionalProperties") is False:
            return known
        unknown = st.dictionaries(
            st.text(max_size=10).filter(lambda k: k not in props), json_values, max_size=2
        )
        return st.builds(lambda extra, fields: {**extra, **fields}, unknown, known)
    if kind == "array":
        return st.lists(
            from_schema(schema["items"]),
            min_size=schema.get("minItems", 0),
            max_size=schema.get("maxItems", 3),
        )
    if kind == "integer":
        low, high = schema["minimum"], schema["maximum"]
        edges = [v for v in (low, high, 0, -1, 1) if low <= v <= high]
        return st.integers(low, high) | st.sampled_from(edges)
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        if schema.get("format") == "date-time":
            return date_times()
        return texts
    raise AssertionError(f"no strategy for {schema}")


# -- boundary bodies ---------------------------------------------------------------------------------

DATE_TIMES = {
    "low": "0001-01-01T00:00:00Z",
    "high": "9999-12-31T23:59:60.999999999-23:59",
    "odd": "2030-06-01t10:00:00.5+05:45",
    "plain": "2030-06-01T10:00:00Z",
}


def boundary(schema: dict[str, Any], mode: str) -> Any:
    """One body at the edge of ``schema``: every value at ``mode``'s extreme."""
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        out = {
            prop: boundary(sub, mode)
            for prop, sub in props.items()
            if prop in required or mode != "sparse"
        }
        if mode == "high":
            out["fieldTheSpecDoesNotKnow"] = {"nested": [1, None, "x"]}
        return out
    if kind == "array":
        return [] if mode == "sparse" else [boundary(schema["items"], mode)]
    if kind == "integer":
        low, high = schema.get("minimum", -(2**63)), schema.get("maximum", 2**63 - 1)
        return {"low": low, "high": high, "odd": -1 if low < 0 else low, "plain": 0}.get(mode, 0)
    if kind == "boolean":
        return mode == "high"
    if kind == "string":
        if "enum" in schema:
            return schema["enum"][-1 if mode == "high" else 0]
        if schema.get("format") == "date-time":
            return DATE_TIMES.get(mode, DATE_TIMES["plain"])
        return {"low": "", "high": "ü\u0000\U0001f600" * 50, "odd": " "}.get(mode, "x")
    raise AssertionError(f"no boundary for {schema}")


MODES = ("low", "high", "odd", "plain", "sparse")


# -- answering a facade call --------------------------------------------------------------------------


class Answer:
    """A sync client whose every request is answered with ``self.body`` (JSON, ``self.status``)."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.body = b""
        self.client = GoToTraining(
            access_token="t",
            organizer_key="9",
            max_retries=0,
            rate_limit=None,
            http_client=httpx.Client(transport=httpx.MockTransport(self._handle)),
        )

    def _handle(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            self.status, content=self.body, headers={"content-type": "application/json"}
        )


@cache
def answer(operation_id: str) -> Answer:
    return Answer(spec_operations()[operation_id].status)


def call(operation_id: str, body: Any) -> Any:
    """Run the operation's facade method with ``body`` as the API's answer."""
    _, method = CASES[operation_id]
    reply = answer(operation_id)
    reply.body = json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return method.invoke(reply.client, VALUES)


def _checked(model: Any) -> Callable[[Any], Any]:
    return getattr(m, f"_{snake(type(model).__name__)}_checked")  # type: ignore[no-any-return]


@cache
def unwrapped(operation_id: str) -> str | None:
    """The property an operation's answer is unwrapped to (``openapi/facade.yaml``), if any."""
    schema = spec_operations()[operation_id].schema
    if not isinstance(schema, dict) or "$ref" not in schema:
        return None
    with (ROOT / "openapi" / "facade.yaml").open(encoding="utf-8") as f:
        models = yaml.safe_load(f)["models"]
    conf = models.get(str(schema["$ref"]).rsplit("/", 1)[-1]) or {}
    return conf.get("unwrap")


def check_decoded(operation_id: str, body: Any, result: Any) -> None:
    """What decoded is faithful: unknown fields are kept, the fast path equals the checked one."""
    field = unwrapped(operation_id)
    if field is not None:
        body = body[field]
    if isinstance(result, list):
        assert isinstance(body, list) and len(result) == len(body)
    pairs = zip(body, result, strict=True) if isinstance(result, list) else [(body, result)]
    for item, model in pairs:
        if not attrs.has(type(model)):
            continue
        assert _checked(model)(item) == model
        known = getattr(m, f"_{snake(type(model).__name__)}_KNOWN".upper().replace("__", "_", 1))
        assert dict(model.extra) == {k: v for k, v in item.items() if k not in known}


# -- the properties ---------------------------------------------------------------------------------


def _examples(operation_id: str) -> Callable[[Any], Any]:
    """Decorate with one ``@example`` per boundary mode."""
    schema = json_schema(operation_id)

    def decorate(test: Any) -> Any:
        for mode in MODES:
            test = example(body=boundary(schema, mode))(test)
        return test

    return decorate


@pytest.mark.parametrize("operation_id", sorted(CASES))
def test_schema_valid_bodies_decode(operation_id: str) -> None:
    @HALF
    @_examples(operation_id)
    @given(body=from_schema(json_schema(operation_id)))
    def run(body: Any) -> None:
        EXAMPLES[f"valid/{operation_id}"] += 1
        assert valid(operation_id, body), body  # the generator and the oracle agree
        check_decoded(operation_id, body, call(operation_id, body))

    run()


def _sites(
    body: Any, schema: dict[str, Any], path: tuple[Any, ...] = ()
) -> Iterator[tuple[Any, ...]]:
    """Every place a mutation can break: (path, kind, schema) of each value in the body."""
    yield (path, schema)
    if schema.get("type") == "object" and isinstance(body, dict):
        for prop, sub in schema.get("properties", {}).items():
            if prop in body:
                yield from _sites(body[prop], sub, (*path, prop))
    elif schema.get("type") == "array" and isinstance(body, list):
        for i, item in enumerate(body):
            yield from _sites(item, schema["items"], (*path, i))


WRONG: dict[str, list[Any]] = {
    "object": [[], "x", 1, None],
    "array": [{}, "x", 1, None],
    "string": [1, 1.5, True, None, [], {}],
    "integer": ["1", 1.5, True, None, []],
    "boolean": [0, "true", None],
}


@st.composite
def mutated(draw: st.DrawFn, operation_id: str) -> tuple[Any, str]:
    schema = json_schema(operation_id)
    body = copy.deepcopy(draw(from_schema(schema)))
    sites: list[tuple[tuple[Any, ...], dict[str, Any]]] = list(_sites(body, schema))
    path, site = draw(st.sampled_from(sites))
    required: list[str] = list(site.get("required", []))
    holder: Any = body
    for step in path[:-1]:
        holder = holder[step]
    remove: bool = draw(st.booleans())
    if required and remove:
        target = holder[path[-1]] if path else body
        key: str = draw(st.sampled_from(required))
        del target[key]
        return body, f"removed {key!r} at {path}"
    wrong: Any = draw(st.sampled_from(WRONG[site["type"]]))
    if not path:
        return wrong, f"the body as {wrong!r}"
    holder[path[-1]] = wrong
    return body, f"{path} = {wrong!r}"


@pytest.mark.parametrize("operation_id", sorted(CASES))
def test_schema_breaking_mutations_are_a_decode_error(operation_id: str) -> None:
    @HALF
    @given(case=mutated(operation_id))
    def run(case: tuple[Any, str]) -> None:
        EXAMPLES[f"broken/{operation_id}"] += 1
        body, what = case
        assert not valid(operation_id, body), what  # the mutation does break the schema
        with pytest.raises(DecodeError) as info:
            call(operation_id, body)
        assert info.value.response is not None, what

    run()


@pytest.mark.parametrize("operation_id", sorted(CASES))
def test_any_json_decodes_exactly_when_the_spec_allows_it(operation_id: str) -> None:
    @QUARTER
    @given(body=json_values | from_schema(json_schema(operation_id)))
    def run(body: Any) -> None:
        EXAMPLES[f"any/{operation_id}"] += 1
        try:
            call(operation_id, body)
        except DecodeError:
            assert not valid(operation_id, body), body
        else:
            assert valid(operation_id, body), body

    run()
