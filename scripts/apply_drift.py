"""Turn recorded drift into the spec change that makes it the spec (``make apply-drift``).

::

    python -m scripts.apply_drift DRIFT_FILE [DRIFT_FILE ...] [--spec openapi/swagger.yaml]
                                  [--dry-run]

reads drift record files -- what a client wrote with ``record_drift=FILE`` /
``GOTO_RECORD_DRIFT=FILE`` / ``gototraining --record-drift FILE`` while it talked to the real API
-- and edits ``openapi/swagger.yaml`` so that what the API was seen to send is what the spec
allows. Then ``scripts/regenerate.sh`` (``make apply-drift`` runs it) gives honest types, strict
decoding accepts the same answers, and ``make api-snapshot`` reports what changed for users.

======================  =================================================================
recorded                change to the schema's property
======================  =================================================================
missing                 no longer ``required`` (its type gains ``| None``)
null                    ``x-nullable: true`` (OpenAPI 3 ``nullable``; ``| None``)
wrong type (a JSON      ``x-also-sent-as: [integer]``: decoded losslessly, type unchanged
type)                   (a bare answer: the operation's response schema)
empty                   ``x-also-sent-as: [empty string]``: a string keeps ``""``, an enum
                        value or a date-time becomes ``None`` (``| None``)
padded                  ``x-also-sent-as: [padded string]``
unknown enum            the value added to the ``enum``
unknown field           a property of the JSON type seen (objects and arrays need a schema
                        written by hand: reported, not applied)
======================  =================================================================

The file keeps its layout and comments: each change is a few lines inserted or removed where
the YAML parser (ruamel.yaml) located them. Records are JSON lines (``_drift.Deviation.to_json``);
a record the spec already allows changes nothing, so applying twice is harmless.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
SWAGGER = ROOT / "openapi" / "swagger.yaml"
#: JSON types a new property may be given (``Deviation.got`` of an unknown field).
SCALARS = {"string", "integer", "number", "boolean"}
ALSO = "x-also-sent-as"


@dataclass(frozen=True)
class Record:
    operation: str
    kind: str
    schema: str | None
    property: str | None
    got: str
    path: str

    @classmethod
    def read(cls, line: str) -> Record:
        data = json.loads(line)
        return cls(
            operation=str(data["operation"]),
            kind=str(data["kind"]),
            schema=data.get("schema"),
            property=data.get("property"),
            got=str(data.get("got", "")),
            path=str(data.get("path", "$")),
        )


@dataclass
class Plan:
    """Line edits (applied bottom-up), what they mean, and what was left for a person."""

    #: (line index, lines to delete there, lines to insert there)
    edits: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def insert(self, line: int, text: list[str]) -> None:
        self.edits.setdefault((line, 0), []).extend(text)

    def delete(self, line: int) -> None:
        self.edits.setdefault((line, 1), [])

    def apply(self, lines: list[str]) -> list[str]:
        """The edited lines. Keys are (line, code): code 1 replaces the line, 0 and 2 insert
        before it (2, an ``x-also-sent-as`` line, first)."""
        out = list(lines)
        for (line, code), new in sorted(self.edits.items(), reverse=True):
            out[line : line + (code == 1)] = new
        return out


class Spec:
    """``swagger.yaml`` parsed with line positions (ruamel.yaml round-trip nodes)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines(keepends=True)
        self.doc: Any = YAML().load(text)
        self._also: dict[int, list[str]] = {}  # a schema's key line -> x-also-sent-as planned
        self.added: dict[tuple[str, str], str] = {}  # new properties planned -> their type
        self.planned: set[tuple[Any, ...]] = set()  # (schema, property, kind, got) done

    def schema(self, name: str) -> Any:
        return (self.doc.get("definitions") or {}).get(name)

    def indent_of(self, node: Any, key: str) -> int:
        return int(node.lc.key(key)[1])

    def operation_response(self, operation_id: str) -> Any:
        """The success response (holding ``schema``) of an operation."""
        for item in (self.doc.get("paths") or {}).values():
            for op in item.values():
                if not isinstance(op, dict) or op.get("operationId") != operation_id:
                    continue
                for status, response in (op.get("responses") or {}).items():
                    if str(status).isdigit() and 200 <= int(status) < 300:
                        return response if "schema" in response else None
        return None


def _flow(values: Iterable[str]) -> str:
    return "[" + ", ".join(json.dumps(v) if " " in v else v for v in values) + "]"


def also_sent_as(spec: Spec, plan: Plan, parent: Any, key: Any, got: str, where: str) -> None:
    """Add ``got`` to the ``x-also-sent-as`` of the schema ``parent[key]`` (one line right
    below the schema's key, rewritten as values are added)."""
    node = parent[key]
    key_line = int(parent.lc.key(key)[0])
    planned = spec._also.setdefault(key_line, list(node.get(ALSO) or []))
    if got in planned:
        return
    planned.append(got)
    column = spec.indent_of(node, next(iter(node)))
    line = f"{' ' * column}{ALSO}: {_flow(planned)}\n"
    if ALSO in node:
        plan.edits[(int(node.lc.key(ALSO)[0]), 1)] = [line]
    else:
        plan.edits[(key_line + 1, 2)] = [line]  # inserted (drop 2 - 2: see Plan.apply)
    plan.done.append(f"{where}: also sent as {got}")


def plan_record(spec: Spec, plan: Plan, record: Record) -> None:
    where = f"{record.schema}.{record.property}" if record.schema else record.operation
    change = (record.schema or record.operation, record.property, record.kind, record.got)
    if change in spec.planned:  # seen in another operation's answers too
        return
    spec.planned.add(change)
    if record.schema is None:  # a bare answer (a key as a JSON number)
        response = spec.operation_response(record.operation)
        if response is None or record.kind != "wrong type" or record.got not in SCALARS:
            plan.skipped.append(f"{where}: {record.kind} ({record.got}) at {record.path}")
            return
        also_sent_as(spec, plan, response, "schema", record.got, f"{record.operation} answer")
        return
    schema = spec.schema(record.schema)
    if schema is None or record.property is None:
        plan.skipped.append(f"{where}: no such schema in the spec")
        return
    props = schema.get("properties")
    prop = props.get(record.property) if props is not None else None
    if record.kind == "unknown field":
        if prop is not None:
            return  # added already
        added = spec.added.setdefault((record.schema, record.property), record.got)
        if added != record.got:
            plan.skipped.append(f"{where}: also seen as {record.got} (added as {added})")
            return
        if record.got not in SCALARS:
            plan.skipped.append(
                f"{where}: an unknown {record.got} field (write its schema by hand)"
            )
            return
        column = spec.indent_of(props, next(iter(props)))
        plan.insert(
            props.lc.key(next(iter(props)))[0],
            [
                f"{' ' * column}{record.property}:\n",
                f"{' ' * (column + 2)}type: {record.got}\n",
                (
                    f"{' ' * (column + 2)}description: Sent by the API, not described by its"
                    " reference (recorded drift)\n"
                ),
            ],
        )
        plan.done.append(f"{where}: new optional {record.got} property")
        return
    if prop is None:
        plan.skipped.append(f"{where}: no such property in the spec")
        return
    if record.kind == "missing":
        required: Any = schema.get("required") or []
        if record.property in required:
            index = list(required).index(record.property)
            plan.delete(required.lc.item(index)[0])
            if len(required) == 1:
                plan.delete(schema.lc.key("required")[0])
            plan.done.append(f"{where}: no longer required")
    elif record.kind == "null" and "$ref" in prop:
        # OpenAPI ignores siblings of $ref: a reference that may be null is an allOf of it
        column = spec.indent_of(prop, "$ref")
        ref_line = int(prop.lc.key("$ref")[0])
        plan.edits[(ref_line, 1)] = [
            f"{' ' * column}x-nullable: true\n",
            f"{' ' * column}allOf:\n",
            f"{' ' * (column + 2)}- $ref: '{prop['$ref']}'\n",
        ]
        plan.done.append(f"{where}: nullable")
    elif record.kind == "null":
        if not prop.get("x-nullable"):
            line = f"{' ' * spec.indent_of(prop, next(iter(prop)))}x-nullable: true\n"
            plan.insert(props.lc.key(record.property)[0] + 1, [line])
            plan.done.append(f"{where}: nullable")
    elif record.kind == "unknown enum":
        values = prop.get("enum")
        if values is None:
            plan.skipped.append(f"{where}: no enum to add {record.got!r} to")
        elif record.got not in values:
            last = values.lc.item(len(values) - 1)
            plan.insert(last[0] + 1, [f"{' ' * (last[1] - 2)}- {record.got}\n"])
            plan.done.append(f"{where}: enum value {record.got} added")
    elif record.kind in ("wrong type", "empty", "padded"):
        if record.got in (*SCALARS, "empty string", "padded string"):
            also_sent_as(spec, plan, props, record.property, record.got, where)
        else:
            plan.skipped.append(f"{where}: {record.kind} ({record.got}) cannot be expressed")
    else:
        plan.skipped.append(f"{where}: unknown kind {record.kind!r}")


def read_records(paths: Iterable[Path]) -> list[Record]:
    seen: dict[tuple[Any, ...], Record] = {}
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = Record.read(line)
            except (ValueError, KeyError, TypeError) as exc:
                raise SystemExit(f"{path}:{number}: not a drift record ({exc})") from None
            key = (record.operation, record.kind, record.schema, record.property, record.got)
            seen.setdefault(key, record)
    return list(seen.values())


def apply(spec_path: Path, records: list[Record]) -> tuple[str, Plan]:
    text = spec_path.read_text(encoding="utf-8")
    spec = Spec(text)
    plan = Plan()
    for record in records:
        plan_record(spec, plan, record)
    return "".join(plan.apply(spec.lines)), plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("drift", nargs="+", type=Path, help="drift record files (JSON lines)")
    parser.add_argument("--spec", type=Path, default=SWAGGER)
    parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    args = parser.parse_args(argv)
    records = read_records(args.drift)
    new_text, plan = apply(args.spec, records)
    for line in plan.done:
        print(f"apply-drift: {line}")
    for line in plan.skipped:
        print(f"apply-drift: left for a person: {line}", file=sys.stderr)
    if not plan.done:
        print("apply-drift: the spec already allows everything recorded")
        return 0
    if args.dry_run:
        return 0
    YAML().load(new_text)  # still YAML: never write a broken spec
    args.spec.write_text(new_text, encoding="utf-8")
    print(
        f"apply-drift: {len(plan.done)} change(s) written to {args.spec}; run "
        "scripts/regenerate.sh, then make api-snapshot (CHANGELOG for what breaks)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
