"""Read the spec and the mapping into what the emitters need: models, enums, operations.

Every decision the generated code embodies is made here (names, types, field order, which
schemas become models); the emitters only print. Anything the generator does not know how to
decode exactly -- a validation keyword, a schema shape -- stops it with an error naming the
schema, rather than being accepted more loosely than the spec says.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HTTP_METHODS = ("get", "put", "post", "delete", "patch")
#: JSON Schema keywords the decoders implement (anything else in a response schema is an error).
KNOWN_KEYWORDS = frozenset(
    {
        "type",
        "format",
        "description",
        "properties",
        "required",
        "items",
        "enum",
        "nullable",
        "minimum",
        "maximum",
        "additionalProperties",
        "$ref",
        "title",
        "example",
        "deprecated",
        "readOnly",
        "minLength",
        # allOf with a single $ref: a reference that may be null (nullable beside it)
        "allOf",
        # What the API is known to send besides the property's type (see _decoding.Field).
        "x-also-sent-as",
    }
)
#: ``x-also-sent-as`` values the decoders know (the ``got`` of their drift).
ALSO_SENT_AS = frozenset(
    {"integer", "number", "string", "boolean", "empty string", "padded string"}
)
FORMAT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
#: The per-model attributes holding unknown fields and drift; no spec property may take them.
RESERVED = frozenset({"extra", "drift"})


class CodegenError(Exception):
    """The spec or the mapping asks for something the generator cannot do faithfully."""


def load_yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        data = yaml.safe_load(f)
    if not isinstance(data, dict):
        raise CodegenError(f"{path} is not a YAML mapping")
    return data


def snake(name: str) -> str:
    """``hostURL`` -> ``host_url``, ``timeInPartOfSession`` -> ``time_in_part_of_session``."""
    out = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()
    out = re.sub(r"\W+", "_", out).strip("_")
    if not out or out[0].isdigit():
        out = "x_" + out
    return out + "_" if keyword.iskeyword(out) else out


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def sentence(text: str) -> str:
    """``text`` as a sentence (a full stop added where it has none)."""
    text = one_line(text)
    return text if not text or text[-1] in ".!?)" else text + "."


# -- types ----------------------------------------------------------------------------------------


@dataclass
class EnumSpec:
    cls: str
    values: list[str]
    doc: str

    def member(self, value: str) -> str:
        """The member's name for a value (values need not be identifiers)."""
        name = re.sub(r"\W+", "_", value).strip("_").upper() or "EMPTY"
        return "_" + name if name[0].isdigit() else name


@dataclass
class TypeSpec:
    """How one JSON value is checked and converted.

    kind: string | boolean | integer | number | datetime | enum | object | array
    convert (integers): "" | "minutes" | "key"
    """

    kind: str
    fmt: str = ""
    low: int | None = None
    high: int | None = None
    convert: str = ""
    enum: EnumSpec | None = None
    model: str | None = None  # schema name of an object
    items: TypeSpec | None = None
    nullable: bool = False
    non_empty: bool = False  # minLength 1: "" strays
    strip: bool = False  # surrounding whitespace strays (facade.yaml ``strip``)
    accepts: tuple[str, ...] = ()  # x-also-sent-as


@dataclass
class FieldSpec:
    name: str
    annotation: str
    doc: str
    wire: str | None = None  # None: a facade-only field (``fields``), never on the wire
    type: TypeSpec | None = None
    required: bool = True  # on the wire
    default: str | None = None  # Python expression; None: no default
    essential: bool = False  # without it the answer is of no use (facade.yaml ``essential``)


@dataclass
class PropertySpec:
    name: str
    annotation: str
    doc: str
    returns: str


@dataclass
class ModelSpec:
    schema: str
    cls: str  # public class name ("" for an unwrap schema)
    doc: str
    fields: list[FieldSpec]
    properties: list[PropertySpec]
    additional: bool  # unknown fields allowed (kept in ``extra``)
    unwrap: str | None = None  # property returned by operations answering this schema

    @property
    def func(self) -> str:
        """Name stem of the decoders (``_training``, ``decode_training``)."""
        return snake(self.cls or self.schema)

    @property
    def wire_fields(self) -> list[FieldSpec]:
        return [f for f in self.fields if f.wire is not None]


# -- operations ------------------------------------------------------------------------------------


@dataclass
class Param:
    wire: str
    name: str
    type: TypeSpec


@dataclass
class OperationSpec:
    operation_id: str
    method: str  # upper case
    path: str
    tag: str
    summary: str
    description: str
    deprecated: bool
    path_params: list[Param]
    query_params: list[Param]
    body_schema: str | None  # component schema name of the JSON request body
    success_status: int
    response: TypeSpec | None  # None: no body
    func: str  # snake_case request-builder name


@dataclass
class Result:
    """What a generated method returns for an operation's success response."""

    annotation: str  # with ``m.`` for models (``builtins.list[m.Training]``)
    decoder: str  # ``no_content`` or ``decode_json(m.decode_x)``


@dataclass
class MethodSpec:
    namespace: str
    name: str
    operation: OperationSpec
    doc: str | None = None
    builder: str | None = None
    deprecation: str | None = None


@dataclass
class Namespace:
    attr: str
    cls: str
    doc: str
    module_doc: str
    methods: list[MethodSpec] = field(default_factory=list)


@dataclass
class Api:
    models: list[ModelSpec]
    enums: list[EnumSpec]
    operations: list[OperationSpec]
    namespaces: list[Namespace]
    schemas: dict[str, ModelSpec]  # every generated schema (models and unwraps) by schema name

    def result(self, op: OperationSpec) -> Result:
        return result_of(op.response, self.schemas, op.func)

    @property
    def bare_strings(self) -> list[OperationSpec]:
        """Operations answering a bare JSON string: each gets a ``decode_<operation>``."""
        return [
            op
            for op in self.operations
            if op.response is not None and op.response.kind == "string" and not op.response.nullable
        ]


def result_of(t: TypeSpec | None, schemas: dict[str, ModelSpec], func: str = "") -> Result:
    if t is None:
        return Result("None", "no_content")
    if t.kind == "string" and not t.nullable:
        if set(t.accepts) - {"integer"}:
            raise CodegenError(f"{func}: a bare answer may only also be sent as an integer")
        return Result("str", f"decode_json(m.decode_{func})")
    if t.kind == "object" and t.model is not None:
        model = schemas[t.model]
        if model.unwrap is not None:
            return Result(unwrapped_annotation(model), f"decode_json(m.decode_{model.func})")
        return Result(f"m.{model.cls}", f"decode_json(m.decode_{model.func})")
    if t.kind == "array" and t.items is not None and t.items.model is not None:
        model = schemas[t.items.model]
        if model.unwrap is None and not t.items.nullable:
            return Result(f"list[m.{model.cls}]", f"decode_json(m.decode_{model.func}_list)")
    raise CodegenError(f"unsupported success response shape {t!r}: write a builder")


def unwrapped_annotation(model: ModelSpec) -> str:
    [target] = [f for f in model.fields if f.wire == model.unwrap]
    ann = target.annotation
    match = re.fullmatch(r"tuple\[(\w+), \.\.\.\]", ann)
    if match:  # an unwrapped array is returned as a list, like every other array answer
        return f"list[m.{match.group(1)}]"
    return ann


# -- building --------------------------------------------------------------------------------------


class _Builder:
    def __init__(self, spec: dict[str, Any], mapping: dict[str, Any]) -> None:
        self.spec = spec
        self.mapping = mapping
        self.components: dict[str, Any] = spec.get("components", {}).get("schemas", {})
        self.model_maps: dict[str, Any] = dict(mapping.get("models") or {})
        self.models: dict[str, ModelSpec] = {}
        self.enums: dict[str, EnumSpec] = {}
        self._building: set[str] = set()

    # refs

    def deref(self, node: Any, kind: str = "schemas") -> Any:
        while isinstance(node, dict) and "$ref" in node:
            ref = str(node["$ref"])
            prefix = f"#/components/{kind}/"
            if not ref.startswith(prefix):
                raise CodegenError(f"unsupported $ref {ref!r}")
            node = self.spec["components"][kind][ref[len(prefix) :]]
        return node

    # types

    def type_of(self, schema: Any, where: str) -> TypeSpec:
        if not isinstance(schema, dict):
            raise CodegenError(f"{where}: schema is not a mapping")
        if "$ref" in schema:
            name = str(schema["$ref"]).rsplit("/", 1)[-1]
            target = self.components.get(name)
            if target is None:
                raise CodegenError(f"{where}: unknown schema {name!r}")
            if target.get("type", "object") == "object" and "properties" in target:
                self.model(name)
                return TypeSpec("object", model=name)
            return self.type_of(target, f"{where} -> {name}")
        unknown = set(schema) - KNOWN_KEYWORDS
        if unknown:
            raise CodegenError(
                f"{where}: keyword(s) {sorted(unknown)} are not implemented by the decoders "
                "(scripts/facade_codegen); teach them first"
            )
        nullable = bool(schema.get("nullable", False))
        if "allOf" in schema:
            parts = schema["allOf"]
            if not isinstance(parts, list) or len(parts) != 1 or "$ref" not in parts[0]:
                raise CodegenError(f"{where}: allOf is implemented for one $ref only")
            referenced = self.type_of(parts[0], where)
            referenced.nullable = referenced.nullable or nullable
            return referenced
        kind = schema.get("type")
        fmt = str(schema.get("format", ""))
        accepts = tuple(str(a) for a in schema.get("x-also-sent-as") or ())
        if set(accepts) - ALSO_SENT_AS:
            raise CodegenError(
                f"{where}: x-also-sent-as {sorted(set(accepts) - ALSO_SENT_AS)} is not one of "
                f"{sorted(ALSO_SENT_AS)}"
            )
        if "minLength" in schema and (kind != "string" or schema["minLength"] not in (0, 1)):
            raise CodegenError(f"{where}: only minLength 0 or 1 on strings is implemented")
        if kind == "string":
            if "enum" in schema:
                raise CodegenError(f"{where}: enum without a mapping entry (models.*.enums)")
            if fmt == "date-time":
                return TypeSpec("datetime", fmt=fmt, nullable=nullable, accepts=accepts)
            if fmt not in ("", "email", "uri", "url", "uuid", "hostname"):
                raise CodegenError(f"{where}: string format {fmt!r} is not implemented")
            return TypeSpec(
                "string",
                fmt=fmt,
                nullable=nullable,
                non_empty=schema.get("minLength") == 1,
                accepts=accepts,
            )
        if kind == "integer":
            low, high = FORMAT_RANGES.get(fmt, (None, None))
            if "minimum" in schema:
                low = (
                    max(int(schema["minimum"]), low) if low is not None else int(schema["minimum"])
                )
            if "maximum" in schema:
                high = (
                    min(int(schema["maximum"]), high)
                    if high is not None
                    else int(schema["maximum"])
                )
            return TypeSpec(
                "integer", fmt=fmt, low=low, high=high, nullable=nullable, accepts=accepts
            )
        if kind == "number":
            if "minimum" in schema or "maximum" in schema:
                raise CodegenError(f"{where}: number bounds are not implemented")
            return TypeSpec("number", fmt=fmt, nullable=nullable, accepts=accepts)
        if kind == "boolean":
            return TypeSpec("boolean", nullable=nullable, accepts=accepts)
        if kind == "array":
            items = self.type_of(schema.get("items", {}), f"{where}[]")
            return TypeSpec("array", items=items, nullable=nullable)
        if kind == "object" or "properties" in schema:
            raise CodegenError(f"{where}: inline object schemas need a components/schemas entry")
        raise CodegenError(f"{where}: unsupported schema {schema!r}")

    # models

    def model(self, name: str) -> ModelSpec:
        if name in self.models:
            return self.models[name]
        if name in self._building:  # recursion: fine, the model is being built
            return ModelSpec(name, "", "", [], [], True)
        self._building.add(name)
        schema = self.components[name]
        conf = dict(self.model_maps.get(name) or {})
        allowed = {
            "class", "doc", "names", "order", "minutes", "keys", "enums", "defaults", "notes",
            "fields", "properties", "unwrap", "essential", "strip",
        }  # fmt: skip
        if set(conf) - allowed:
            raise CodegenError(
                f"facade.yaml models.{name}: unknown keys {sorted(set(conf) - allowed)}"
            )
        unknown = set(schema) - KNOWN_KEYWORDS
        if unknown:
            raise CodegenError(f"schema {name}: keyword(s) {sorted(unknown)} are not implemented")
        props: dict[str, Any] = dict(schema.get("properties") or {})
        required = [str(r) for r in schema.get("required") or []]
        names = dict(conf.get("names") or {})
        minutes = set(conf.get("minutes") or [])
        keys = set(conf.get("keys") or [])
        enums = dict(conf.get("enums") or {})
        defaults = dict(conf.get("defaults") or {})
        notes = dict(conf.get("notes") or {})
        essential = set(conf.get("essential") or [])
        strip = set(conf.get("strip") or [])
        for option, wires in (
            ("names", names), ("minutes", minutes), ("keys", keys), ("enums", enums),
            ("defaults", defaults), ("notes", notes), ("order", conf.get("order") or []),
            ("essential", essential), ("strip", strip),
        ):  # fmt: skip
            stray = set(wires) - set(props)
            if stray:
                raise CodegenError(
                    f"facade.yaml models.{name}.{option}: no property {sorted(stray)}"
                )

        fields: dict[str, FieldSpec] = {}
        for wire, prop in props.items():
            where = f"{name}.{wire}"
            pyname = names.get(wire) or snake(wire)
            prop = dict(prop)
            described = prop.get("description")
            if described is None and "$ref" in prop:  # OpenAPI 3.0 ignores siblings of $ref
                described = self.deref(prop).get("description", "")
            doc = sentence(described or "")
            if wire in enums:
                spec_enum = self.enum(enums[wire], prop, where)
                prop.pop("enum")
                t = self.type_of(prop, where)
                t = TypeSpec("enum", enum=spec_enum, nullable=t.nullable, accepts=t.accepts)
                annotation = f"{spec_enum.cls} | UnknownValue"
                doc += (
                    " A value this SDK does not know is kept as it was sent, as an"
                    " ``UnknownValue``."
                )
            else:
                t = self.type_of(prop, where)
                annotation = self.annotation(t, where)
            if wire in strip:
                if t.kind != "string":
                    raise CodegenError(f"{where}: strip applies to string properties")
                t.strip = True
            if wire in minutes:
                if t.kind != "integer":
                    raise CodegenError(f"{where}: minutes must be an integer property")
                t.convert, annotation = "minutes", "timedelta"
                doc += " Whole minutes, as a ``timedelta``."
            if wire in keys:
                if t.kind != "integer":
                    raise CodegenError(f"{where}: keys must be an integer property")
                t.convert, annotation = "key", "str"
                doc += " A decimal string, like every GoTo key."
            if t.nullable or ("empty string" in t.accepts and t.kind in ("datetime", "enum")):
                annotation += " | None"
            if pyname != snake(wire):
                doc += f" The API's ``{wire}``."
            if wire in notes:
                doc += " " + one_line(notes[wire])
            is_required = wire in required
            if not is_required:
                doc += " ``None`` when the API omits it."
                if not t.nullable:
                    annotation += " | None"
            if wire in essential and not is_required:
                raise CodegenError(f"{where}: an essential property must be required")
            fields[wire] = FieldSpec(
                pyname, annotation, doc.strip(), wire=wire, type=t, required=is_required,
                default=defaults.get(wire), essential=wire in essential,
            )  # fmt: skip
        for wire in required:
            if wire not in props:
                raise CodegenError(f"schema {name}: required {wire!r} is not a property")

        extra_fields = [
            FieldSpec(
                fname, str(f["type"]), one_line(f.get("doc", "")), default=str(f["default"])
                if "default" in f else None,
            )
            for fname, f in (conf.get("fields") or {}).items()
        ]  # fmt: skip
        ordered = self.order(name, conf, fields, required, extra_fields)
        taken: set[str] = set()
        for f in ordered:
            if f.name in taken or f.name in RESERVED:
                raise CodegenError(f"{name}: field name {f.name!r} is taken (rename it: names)")
            taken.add(f.name)
        properties = [
            PropertySpec(pname, str(p["type"]), one_line(p.get("doc", "")), str(p["returns"]))
            for pname, p in (conf.get("properties") or {}).items()
        ]
        additional = schema.get("additionalProperties", True) is not False
        unwrap = conf.get("unwrap")
        if unwrap is not None and unwrap not in props:
            raise CodegenError(f"facade.yaml models.{name}.unwrap: no property {unwrap!r}")
        if unwrap is not None:  # the answer is that property: nothing without it
            fields[unwrap].essential = True
        model = ModelSpec(
            schema=name,
            cls="" if unwrap else str(conf.get("class", name)),
            doc=one_line(conf.get("doc") or schema.get("description") or name),
            fields=ordered,
            properties=properties,
            additional=additional,
            unwrap=unwrap,
        )
        self.models[name] = model
        self._building.discard(name)
        return model

    def order(
        self,
        name: str,
        conf: dict[str, Any],
        fields: dict[str, FieldSpec],
        required: list[str],
        extra_fields: list[FieldSpec],
    ) -> list[FieldSpec]:
        pinned = [str(w) for w in conf.get("order") or []]
        rest_required = [w for w in fields if w in required and w not in pinned]
        rest_optional = [w for w in fields if w not in required and w not in pinned]
        wires = [*pinned, *rest_required]
        out = [fields[w] for w in wires]
        out += extra_fields + [fields[w] for w in rest_optional]
        # Defaults: an optional property gets None unless a field after it has no default
        # (attrs needs the defaults last); then it stays `T | None` without one.
        has_default_after = True
        for f in reversed(out):
            if f.default is None and f.wire is not None and not f.required and has_default_after:
                f.default = "None"
            if f.default is None:
                has_default_after = False
        seen_default = False
        for f in out:
            if f.default is not None:
                seen_default = True
            elif seen_default:
                raise CodegenError(
                    f"{name}: field {f.name!r} has no default after one with a default; "
                    "fix models.{name}.order or defaults in facade.yaml"
                )
        return out

    def enum(self, conf: Any, prop: dict[str, Any], where: str) -> EnumSpec:
        if not isinstance(conf, dict) or "class" not in conf:
            raise CodegenError(f"facade.yaml enums for {where}: needs at least `class`")
        values = [str(v) for v in prop.get("enum") or []]
        if not values:
            raise CodegenError(f"{where}: mapped as an enum but the spec lists no values")
        cls = str(conf["class"])
        if cls in self.enums:
            return self.enums[cls]
        stray = set(conf) - {"class", "doc"}
        if stray:
            raise CodegenError(
                f"facade.yaml enums for {where}: unknown keys {sorted(stray)} (a value the spec "
                "does not list is always kept, as an UnknownValue)"
            )
        spec_enum = EnumSpec(
            cls=cls,
            values=values,
            doc=one_line(conf.get("doc") or prop.get("description") or cls),
        )
        members = [spec_enum.member(v) for v in values]
        if len(set(members)) != len(members):
            raise CodegenError(f"{where}: enum values {values} give clashing member names")
        self.enums[cls] = spec_enum
        return spec_enum

    def annotation(self, t: TypeSpec, where: str) -> str:
        if t.kind == "string":
            return "str"
        if t.kind == "boolean":
            return "bool"
        if t.kind == "integer":
            return "int"
        if t.kind == "number":
            return "float"
        if t.kind == "datetime":
            return "datetime"
        if t.kind == "object" and t.model is not None:
            target = self.models.get(t.model)
            if target is not None and target.unwrap:
                raise CodegenError(f"{where}: an unwrap schema cannot be nested")
            conf = self.model_maps.get(t.model) or {}
            return str(conf.get("class", t.model))
        if t.kind == "array" and t.items is not None:
            inner = self.annotation(t.items, where)
            if t.items.nullable:
                inner = f"{inner} | None"
            return f"tuple[{inner}, ...]"
        raise CodegenError(f"{where}: cannot annotate {t!r}")

    # operations

    def operations(self) -> list[OperationSpec]:
        ops: list[OperationSpec] = []
        for path, item in (self.spec.get("paths") or {}).items():
            shared = list(item.get("parameters") or [])
            for method in HTTP_METHODS:
                op = item.get(method)
                if not isinstance(op, dict):
                    continue
                ops.append(self.operation(str(path), method, op, shared))
        return ops

    def operation(
        self, path: str, method: str, op: dict[str, Any], shared: list[Any]
    ) -> OperationSpec:
        op_id = str(op["operationId"])
        params = [self.deref(p, "parameters") for p in [*shared, *(op.get("parameters") or [])]]
        path_params = [
            Param(str(p["name"]), snake(str(p["name"])), self.type_of(p["schema"], op_id))
            for p in params
            if p.get("in") == "path"
        ]
        order = re.findall(r"\{([^}]+)\}", path)
        path_params.sort(key=lambda p: order.index(p.wire))
        query = [
            Param(str(p["name"]), snake(str(p["name"])), self.type_of(p["schema"], op_id))
            for p in params
            if p.get("in") == "query"
        ]
        body_schema = None
        body = self.deref(op.get("requestBody"), "requestBodies")
        if isinstance(body, dict):
            schema = (body.get("content") or {}).get("application/json", {}).get("schema", {})
            ref = schema.get("$ref") if isinstance(schema, dict) else None
            if ref is None:
                raise CodegenError(f"{op_id}: a request body must be a components/schemas $ref")
            body_schema = str(ref).rsplit("/", 1)[-1]
        status, response = self.success(op_id, op)
        return OperationSpec(
            operation_id=op_id,
            method=method.upper(),
            path=path,
            tag=str((op.get("tags") or [""])[0]),
            summary=one_line(op.get("summary", "")),
            description=str(op.get("description", "")).strip(),
            deprecated=bool(op.get("deprecated", False)),
            path_params=path_params,
            query_params=query,
            body_schema=body_schema,
            success_status=status,
            response=response,
            func=snake(op_id),
        )

    def success(self, op_id: str, op: dict[str, Any]) -> tuple[int, TypeSpec | None]:
        for code, response in (op.get("responses") or {}).items():
            if not str(code).isdigit() or not 200 <= int(code) < 400:
                continue
            response = self.deref(response, "responses")
            content = response.get("content") or {}
            if not content:
                return int(code), None
            media = content.get("application/json")
            if media is None:
                raise CodegenError(f"{op_id}: a success body must be application/json")
            return int(code), self.type_of(media.get("schema", {}), f"{op_id} {code}")
        raise CodegenError(f"{op_id}: no success response")


def build(spec: dict[str, Any], mapping: dict[str, Any]) -> Api:
    """Everything the emitters need, checked against each other."""
    unknown_top = set(mapping) - {"models", "namespaces", "operations"}
    if unknown_top:
        raise CodegenError(f"facade.yaml: unknown sections {sorted(unknown_top)}")
    builder = _Builder(spec, mapping)
    operations = builder.operations()
    by_id = {op.operation_id: op for op in operations}
    stray = set(builder.model_maps) - set(builder.models)
    if stray:
        raise CodegenError(
            f"facade.yaml models: {sorted(stray)} are answered by no operation (remove them)"
        )
    models_in_order = [
        builder.models[name] for name in builder.components if name in builder.models
    ]
    namespaces: dict[str, Namespace] = {}
    for attr, conf in (mapping.get("namespaces") or {}).items():
        namespaces[attr] = Namespace(
            attr=str(attr),
            cls=str(conf["class"]),
            doc=str(conf.get("doc", "")).strip(),
            module_doc=one_line(conf.get("module_doc", f"``client.{attr}``.")),
        )
    mapped = mapping.get("operations") or {}
    for op_id in by_id:
        if op_id not in mapped:
            raise CodegenError(
                f"facade.yaml operations: no entry for {op_id} (see the file's header)"
            )
    for op_id, entries in mapped.items():
        if op_id not in by_id:
            raise CodegenError(f"facade.yaml operations: {op_id} is not in the spec")
        for entry in entries if isinstance(entries, list) else [entries]:
            conf = {"method": entry} if isinstance(entry, str) else dict(entry)
            stray_keys = set(conf) - {"method", "doc", "builder", "deprecation"}
            if stray_keys:
                raise CodegenError(
                    f"facade.yaml operations.{op_id}: unknown keys {sorted(stray_keys)}"
                )
            attr, _, name = str(conf["method"]).partition(".")
            if attr not in namespaces:
                raise CodegenError(f"facade.yaml operations.{op_id}: unknown namespace {attr!r}")
            namespaces[attr].methods.append(
                MethodSpec(
                    namespace=attr,
                    name=name,
                    operation=by_id[op_id],
                    doc=None if conf.get("doc") is None else str(conf["doc"]).strip(),
                    builder=conf.get("builder"),
                    deprecation=None
                    if conf.get("deprecation") is None
                    else one_line(conf["deprecation"]),
                )
            )
    for ns in namespaces.values():
        seen: set[str] = set()
        for method in ns.methods:
            if method.name in seen:
                raise CodegenError(f"{ns.attr}.{method.name} is mapped twice")
            seen.add(method.name)
    return Api(
        models=[m for m in models_in_order if not m.unwrap],
        enums=list(builder.enums.values()),
        operations=operations,
        namespaces=list(namespaces.values()),
        schemas=dict(builder.models),
    )
