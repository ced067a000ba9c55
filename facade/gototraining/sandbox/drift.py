"""Drift mode: answers that stray from the spec the way real APIs do, seeded and reproducible.

``Sandbox(drift=...)``, a fault's ``drift=...`` (``sb.faults.add("getRegistrants",
drift=["missing"])``), ``gototraining sandbox --drift`` and the pytest marker's ``drift=``
all take a ``DriftConfig`` or what ``DriftConfig.parse`` reads: ``True`` (every kind, every
operation, every object), a kind or a comma-separated list of kinds (``"missing,unknown
enum"``), a list of kinds, or a mapping ``{"kinds": [...], "operations": [...], "rate": 0.5}``.

A drifting answer is made from the valid answer (after the spec check: drift is what the spec
does *not* allow): each JSON object in it, with probability ``rate``, strays in one of the
enabled ways that fits it, picked by a ``random.Random`` seeded from the sandbox's seed, the
operation and how many answers of that operation drifted before (so a test that makes the same
calls gets the same answers). Only drift that keeps the answer's meaning is made -- what the
SDK decodes (tolerant) into models and reports: a key is never removed, a number is sent as
the same number in a string, a key as the same number (never with a leading zero). The kinds
are ``gototraining.DriftKind``'s: ``missing``, ``null``, ``wrong type``, ``empty``,
``padded``, ``unknown enum``, ``unknown field``. What the SDK considers a record's key and
which strings the API pads come from the SDK's own decoders (``gototraining._generated.models``).

``Sandbox.drifted`` lists what was done: (operation, JSON path, kind).
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import yaml

from .._decoding import (
    Array,
    Boolean,
    DateTime,
    Enum,
    Field,
    Integer,
    Nested,
    Shape,
    String,
)
from .._drift import DriftKind

__all__ = ["KINDS", "DriftConfig", "Drifted", "Drifter"]

#: Every kind of drift, in ``DriftKind``'s order.
KINDS: tuple[str, ...] = tuple(str(kind) for kind in DriftKind)
#: A value no enum of the spec lists (the reference describes it for registrants elsewhere).
UNKNOWN_VALUES = ("UNREGISTERED",)
#: Properties the spec does not define, with the value the API sends in them.
UNKNOWN_FIELDS: dict[str, Any] = {"locale": "de-DE", "attendeeLimit": 250, "isPaid": False}


@dataclass(frozen=True)
class DriftConfig:
    """Which kinds of drift, for which operations (``None``: all), in how many objects."""

    kinds: tuple[str, ...] = KINDS
    operations: frozenset[str] | None = None
    rate: float = 1.0

    @classmethod
    def parse(cls, value: object) -> DriftConfig | None:
        """A config from ``True``/``False``/``None``, kinds (a string or a list) or a mapping;
        ``ValueError`` naming what is wrong."""
        if value is None or value is False:
            return None
        if isinstance(value, DriftConfig):
            return value
        if value is True:
            return cls()
        if isinstance(value, str):
            text = value.strip()
            if text.lower() in ("", "all", "true", "1", "yes"):
                return cls()
            if text.lower() in ("false", "0", "no", "none", "off"):
                return None
            return cls(kinds=_kinds(text.split(",")))
        if isinstance(value, Mapping):
            unknown = set(value) - {"kinds", "operations", "rate"}
            if unknown:
                raise ValueError(f"drift: unknown settings {sorted(unknown)}")
            kinds = value.get("kinds", KINDS)
            operations = value.get("operations")
            rate = value.get("rate", 1.0)
            if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate <= 1:
                raise ValueError(f"drift: rate must be a number in (0, 1], got {rate!r}")
            return cls(
                kinds=_kinds([kinds] if isinstance(kinds, str) else kinds),
                operations=None if operations is None else frozenset(operations),
                rate=float(rate),
            )
        if isinstance(value, Iterable):
            return cls(kinds=_kinds(value))
        raise ValueError(f"drift: expected True, kinds or a mapping, got {value!r}")

    def covers(self, operation_id: str) -> bool:
        return self.operations is None or operation_id in self.operations

    def to_json(self) -> dict[str, Any]:
        return {
            "kinds": list(self.kinds),
            "operations": None if self.operations is None else sorted(self.operations),
            "rate": self.rate,
        }


def _kinds(values: Iterable[object]) -> tuple[str, ...]:
    kinds = []
    for value in values:
        kind = str(value).strip().replace("_", " ").replace("-", " ").lower()
        if kind not in KINDS:
            raise ValueError(f"drift: unknown kind {value!r} (known: {', '.join(KINDS)})")
        if kind not in kinds:
            kinds.append(kind)
    if not kinds:
        raise ValueError("drift: no kind given")
    return tuple(kinds)


class Drifted(NamedTuple):
    """One deviation the sandbox made."""

    operation: str
    path: str
    kind: str


class _Target(NamedTuple):
    """What an operation answers: a model, a list of models, or a bare string."""

    shape: Shape | None  # None: a bare string
    many: bool
    accepts: frozenset[str] = frozenset()  # a bare string's x-also-sent-as


class Drifter:
    """Makes answers drift (thread-safe); one per sandbox."""

    def __init__(self, spec_text: str, seed: int) -> None:
        self.seed = seed
        self._targets = _targets(spec_text)
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self.log: list[Drifted] = []

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
            self.log.clear()

    def applies(self, operation_id: str, config: DriftConfig) -> bool:
        return config.covers(operation_id) and operation_id in self._targets

    def drift(self, operation_id: str, data: Any, config: DriftConfig) -> Any:
        """``data`` (the valid answer, parsed) strayed; ``self.log`` says how."""
        target = self._targets.get(operation_id)
        if target is None:
            return data
        with self._lock:
            count = self._counts[operation_id]
            self._counts[operation_id] += 1
        rng = random.Random(f"drift/{self.seed}/{operation_id}/{count}")
        made: list[Drifted] = []
        walk = _Walk(operation_id, config, rng, made)
        if target.shape is None:
            data = walk.bare_string(data, target.accepts)
        elif target.many and isinstance(data, list):
            data = [walk.object(item, target.shape, f"$[{i}]") for i, item in enumerate(data)]
        else:
            data = walk.object(data, target.shape, "$")
        with self._lock:
            self.log.extend(made)
        return data


class _Walk:
    def __init__(
        self, operation: str, config: DriftConfig, rng: random.Random, made: list[Drifted]
    ) -> None:
        self.operation = operation
        self.config = config
        self.rng = rng
        self.made = made

    def note(self, path: str, kind: str) -> None:
        self.made.append(Drifted(self.operation, path, kind))

    def bare_string(self, value: Any, accepts: frozenset[str]) -> Any:
        if (
            "wrong type" in self.config.kinds
            and isinstance(value, str)
            and _lossless_int(value)
            and self.rng.random() < self.config.rate
        ):
            if "integer" not in accepts:
                self.note("$", "wrong type")
            return int(value)
        return value

    def object(self, value: Any, shape: Shape, path: str) -> Any:
        if not isinstance(value, dict):
            return value
        out = dict(value)
        changed: str | None = None
        if self.rng.random() < self.config.rate:
            sites = [(kind, key) for kind in self.config.kinds for key in _sites(kind, out, shape)]
            if sites:
                kind, key = self.rng.choice(sites)
                if _apply(kind, key, out, shape):
                    self.note(f"{path}.{key}", kind)
                changed = key
        for field in shape.fields:
            if field.key not in out or field.key == changed:
                continue
            convert = field.convert
            if isinstance(convert, Nested) and isinstance(out[field.key], dict):
                nested = _shape_of(convert)
                if nested is not None:
                    out[field.key] = self.object(out[field.key], nested, f"{path}.{field.key}")
            elif isinstance(convert, Array) and isinstance(out[field.key], list):
                nested = _shape_of(convert)
                if nested is not None:
                    out[field.key] = [
                        self.object(item, nested, f"{path}.{field.key}[{i}]")
                        for i, item in enumerate(out[field.key])
                    ]
        return out


def _lossless_int(text: str) -> bool:
    """A string of digits that a JSON number carries exactly (no sign, no leading zero)."""
    return text.isascii() and text.isdigit() and str(int(text)) == text


def _sites(kind: str, data: dict[str, Any], shape: Shape) -> list[str]:
    """The properties of ``data`` that ``kind`` can change.

    Chosen by what does not change when the spec catches up with the drift (the properties
    sent, their values' JSON types, what the SDK decodes them as, which are keys), so that the
    same seed makes the same answers after ``make apply-drift``; whether a change strays from
    the spec is decided when it is made (``_apply``).
    """
    if kind == "unknown field":
        return [name for name in UNKNOWN_FIELDS if name not in data]
    fields = {field.key: field for field in shape.fields}
    out = []
    for key, value in data.items():
        field = fields.get(key)
        if field is not None and _fits(kind, field, value):
            out.append(key)
    return out


def _fits(kind: str, field: Field, value: Any) -> bool:
    """Whether the property's ``value`` can be changed in ``kind`` keeping the answer's meaning
    (a key is never lost)."""
    convert = field.convert
    if kind in ("missing", "null"):
        return not field.essential and value is not None
    if kind == "wrong type":
        if isinstance(convert, String):
            return isinstance(value, str) and _lossless_int(value)
        return isinstance(convert, Integer | Boolean) and type(value) in (int, bool)
    if kind == "empty":  # only where "" means something else than a string of nothing
        distinct = (
            convert.non_empty
            if isinstance(convert, String)
            else isinstance(convert, Enum | DateTime)
        )
        return distinct and isinstance(value, str) and value != ""
    if kind == "padded":
        return (
            isinstance(convert, String) and convert.strip and isinstance(value, str) and value != ""
        )
    return kind == "unknown enum" and isinstance(convert, Enum) and isinstance(value, str)


def _apply(kind: str, key: str, data: dict[str, Any], shape: Shape) -> bool:
    """Change ``data[key]`` in ``kind``; whether that strays from the spec (the SDK's shape)."""
    if kind == "unknown field":
        data[key] = UNKNOWN_FIELDS[key]
        return key not in shape.known
    field = next(f for f in shape.fields if f.key == key)
    convert = field.convert
    value = data[key]
    if kind == "missing":
        del data[key]
        return field.required
    if kind == "null":
        data[key] = None
        return not field.nullable
    if kind == "wrong type":
        data[key] = int(value) if isinstance(value, str) else _retyped(value)
        return _json_type(data[key]) not in field.accepts
    if kind == "empty":
        data[key] = ""
        empty_strays = convert.non_empty if isinstance(convert, String) else True
        return empty_strays and "empty string" not in field.accepts
    if kind == "padded":
        data[key] = f" {value} "
        return "padded string" not in field.accepts
    assert isinstance(convert, Enum)
    data[key] = UNKNOWN_VALUES[0]
    return UNKNOWN_VALUES[0] not in convert.members


def _json_type(value: Any) -> str:
    return {bool: "boolean", int: "integer", str: "string"}.get(type(value), "number")


def _retyped(value: Any) -> Any:
    if type(value) is bool:
        return "true" if value else "false"
    return str(value)


def _shape_of(convert: Nested | Array) -> Shape | None:
    """The shape a nested decoder's checked path uses (its function's ``_X_SHAPE``)."""
    from .._generated import models as _models

    name = getattr(convert.decode, "__name__", "")
    shape = getattr(_models, f"{name.upper()}_SHAPE", None)
    return shape if isinstance(shape, Shape) else None


def _targets(spec_text: str) -> dict[str, _Target]:
    """Per operation with a JSON success body: what it answers, as the SDK decodes it."""
    from .._generated import models as _models

    spec = yaml.safe_load(spec_text)
    shapes = {shape.schema: shape for shape in vars(_models).values() if isinstance(shape, Shape)}
    out: dict[str, _Target] = {}
    for item in (spec.get("paths") or {}).values():
        for method, op in item.items():
            if method not in ("get", "put", "post", "delete", "patch") or not isinstance(op, dict):
                continue
            for status, response in (op.get("responses") or {}).items():
                if not str(status).isdigit() or not 200 <= int(status) < 300:
                    continue
                schema = (
                    ((response or {}).get("content") or {}).get("application/json") or {}
                ).get("schema")
                if not isinstance(schema, dict):
                    continue
                many = schema.get("type") == "array"
                ref = (schema.get("items") or {}).get("$ref") if many else schema.get("$ref")
                if ref is None and schema.get("type") == "string":
                    also = frozenset(str(a) for a in schema.get("x-also-sent-as") or ())
                    out[op["operationId"]] = _Target(None, False, also)
                elif ref is not None and str(ref).rsplit("/", 1)[-1] in shapes:
                    shape = shapes[str(ref).rsplit("/", 1)[-1]]
                    out[op["operationId"]] = _Target(shape, many)
    return out
