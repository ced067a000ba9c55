"""Check 5: the facade's public API equals the committed snapshot; breaking changes need a CHANGELOG.

Run: ``python -m scripts.contract.api_snapshot``            compare, print the differences
     ``python -m scripts.contract.api_snapshot --update``   rewrite api/gototraining.api.json

The snapshot is built with griffe (static analysis, nothing is imported) and holds one entry per
public object, keyed by its dotted path: kind; for functions and methods ``async``, every parameter
(name, kind, annotation, default) and the return annotation; for classes their bases, and for
attrs classes (``@define``/``@frozen``/``@attr.s`` ...) their fields (annotation, default,
required); for attributes and properties their annotation.

Public means: the modules listed in ``PUBLIC_MODULES``; in each, the names in ``__all__`` (or, with
no ``__all__``, the names not starting with ``_``); in each public class, members not starting with
``_`` plus ``__init__``/``__call__``/``__enter__``/... (``SPECIAL_MEMBERS``). Every submodule must be
classified in ``PUBLIC_MODULES`` or ``PRIVATE_MODULES`` (or start with ``_``), so a new module is a
decision, not an accident.

Any difference from the committed snapshot fails until ``--update`` is run on purpose. A
*breaking* difference additionally needs a CHANGELOG entry: ``--update`` refuses to write, and the
check reports it, unless the ``## Unreleased`` section of CHANGELOG.md (from that heading to the
next ``## `` heading) mentions the changed object's path, either in full (``gototraining.X.y``) or
without the package prefix (``X.y``), as a whole word; naming a class (``X``) covers its
members. Breaking is:

- a public name removed (any snapshot key that is gone), or its kind changed;
- a function that turned sync <-> async;
- a parameter removed or renamed (old name gone), or whose kind changed, or that moved position
  while callable positionally;
- a parameter that lost its default (became required), or a new parameter without a default
  (other than ``*args``/``**kwargs``);
- an attrs field removed, a field that became required, or a new required field.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import griffe

from scripts.contract._common import API_SNAPSHOT, CHANGELOG, FACADE, ROOT, Report, finish

PACKAGE = "gototraining"
GENERATED = ROOT / "generated"
# Modules whose public names are the SDK's API. Paths are relative to the package ("" is the
# package itself); "x.*" means every submodule of x (at any depth).
PUBLIC_MODULES: tuple[str, ...] = (
    "",
    "sandbox",
    "resources",
    "resources.*",
    "testing",
    "token_store",
)
# Modules that are deliberately not API (implementation detail, entry points). A name here
# covers its submodules.
PRIVATE_MODULES: tuple[str, ...] = (
    "cli",
    "demo",
    "sandbox.app",
    "sandbox.auth",
    "sandbox.command",
    "sandbox.core",
    "sandbox.faults",
    "sandbox.pytest_plugin",
    "sandbox.server",
    "sandbox.spec",
    "sandbox.store",
)
SPECIAL_MEMBERS = (
    "__init__",
    "__call__",
    "__enter__",
    "__exit__",
    "__aenter__",
    "__aexit__",
    "__iter__",
    "__aiter__",
)
ATTRS_DECORATORS = re.compile(r"^attrs?\.(define|frozen|mutable|s|attrs|dataclass)$")

Entry = dict[str, Any]
Snapshot = dict[str, Entry]


# --- building ---------------------------------------------------------------------------------


def _expr(value: Any) -> str | None:
    return None if value is None else str(value)


def _function(fn: griffe.Function) -> Entry:
    params = []
    for p in fn.parameters:
        params.append(
            {
                "name": p.name,
                "kind": p.kind.value if p.kind is not None else None,
                "annotation": _expr(p.annotation),
                "default": _expr(p.default),
            }
        )
    labels = fn.labels
    kind = "function"
    if "property" in labels:
        return {"kind": "property", "annotation": _expr(fn.returns)}
    if "classmethod" in labels:
        kind = "classmethod"
    elif "staticmethod" in labels:
        kind = "staticmethod"
    if params and params[0]["name"] in ("self", "cls") and fn.parent and fn.parent.is_class:
        params = params[1:]
    return {
        "kind": kind,
        "async": "async" in labels,
        "parameters": params,
        "returns": _expr(fn.returns),
    }


def _is_attrs(cls: griffe.Class) -> bool:
    for dec in cls.decorators:
        path = dec.callable_path
        if ATTRS_DECORATORS.match(path) or path in ("attr.s", "attr.attrs"):
            return True
    return False


def _field_required(value: str | None) -> bool:
    if value is None:
        return True
    m = re.match(r"^(?:attrs?\.)?(?:field|ib|attrib)\((.*)\)$", value, re.DOTALL)
    if m:
        return not re.search(r"\b(default|factory)\s*=", m.group(1))
    return False


def _class(cls: griffe.Class) -> Entry:
    entry: Entry = {"kind": "class", "bases": [str(b) for b in cls.bases]}
    if _is_attrs(cls):
        fields: dict[str, Entry] = {}
        # Fields are the annotated names in the class body (not ``self.x`` set in methods).
        method_lines = [
            (m.lineno or 0, m.endlineno or 0)
            for m in cls.members.values()
            if isinstance(m, griffe.Function)
        ]
        for name, member in cls.members.items():
            if not isinstance(member, griffe.Attribute):
                continue
            attr = member
            if any(lo <= (attr.lineno or 0) <= hi for lo, hi in method_lines):
                continue
            if attr.annotation is None or str(attr.annotation).startswith("ClassVar"):
                continue
            value = _expr(attr.value)
            fields[name] = {
                "annotation": _expr(attr.annotation),
                "default": value,
                "required": _field_required(value),
            }
        entry["attrs_fields"] = fields
    return entry


def _describe(obj: griffe.Object | griffe.Alias) -> Entry | None:
    target = obj.final_target if isinstance(obj, griffe.Alias) else obj
    if isinstance(target, griffe.Function):
        return _function(target)
    if isinstance(target, griffe.Class):
        return _class(target)
    if isinstance(target, griffe.Attribute):
        if "property" in target.labels:
            entry: Entry = {"kind": "property", "annotation": _expr(target.annotation)}
            if "writable" in target.labels:
                entry["writable"] = True
            return entry
        return {"kind": "attribute", "annotation": _expr(target.annotation)}
    if isinstance(target, griffe.Module):
        return {"kind": "module"}
    return None


def _public_names(module: griffe.Module) -> list[str]:
    if module.exports is not None:
        return sorted(str(e) for e in module.exports)
    return sorted(
        n
        for n, m in module.members.items()
        if not n.startswith("_") and not (m.is_alias and not m.is_exported) and not m.is_module
    )


def _class_members(cls: griffe.Class) -> Iterable[tuple[str, griffe.Object | griffe.Alias]]:
    # Declared and inherited members of the class (inherited from public bases in the package).
    members: dict[str, griffe.Object | griffe.Alias] = dict(cls.inherited_members)
    members.update(cls.members)
    for name in sorted(members):
        if name.startswith("_") and name not in SPECIAL_MEMBERS:
            continue
        yield name, members[name]


def _walk_modules(module: griffe.Module, rel: str = "") -> Iterable[tuple[str, griffe.Module]]:
    yield rel, module
    for name, member in sorted(module.modules.items()):
        if member.is_alias:
            continue  # `from .._generated import models as m` is not a submodule
        child = f"{rel}.{name}" if rel else name
        yield from _walk_modules(member, child)


def _listed(rel: str, patterns: tuple[str, ...]) -> bool:
    for pattern in patterns:
        if pattern.endswith(".*"):
            if rel.startswith(pattern[:-1]):
                return True
        elif rel == pattern:
            return True
    return False


def build(
    search_paths: Iterable[Path] = (FACADE, GENERATED),
    public_modules: tuple[str, ...] = PUBLIC_MODULES,
    private_modules: tuple[str, ...] = PRIVATE_MODULES,
) -> tuple[Snapshot, list[str]]:
    """(snapshot, classification errors) for the package found on ``search_paths``."""
    loader_paths = [str(p) for p in search_paths]
    package = griffe.load(
        PACKAGE, search_paths=loader_paths, allow_inspection=False, resolve_aliases=False
    )
    assert isinstance(package, griffe.Module)
    snapshot: Snapshot = {}
    errors: list[str] = []
    for rel, module in _walk_modules(package):
        if any(part.startswith("_") for part in rel.split(".")):
            continue
        if _listed(rel, public_modules):
            pass
        elif _listed(rel, private_modules) or any(
            rel.startswith(p + ".") for p in private_modules if not p.endswith(".*")
        ):
            continue
        else:
            errors.append(
                f"module {PACKAGE}.{rel} is neither in PUBLIC_MODULES nor PRIVATE_MODULES "
                "(scripts/contract/api_snapshot.py): decide whether it is API"
            )
            continue
        mod_path = f"{PACKAGE}.{rel}" if rel else PACKAGE
        for name in _public_names(module):
            path = f"{mod_path}.{name}"
            member = module.members.get(name)
            if member is None:
                errors.append(f"{mod_path}.__all__ lists {name!r}, which the module lacks")
                continue
            try:
                entry = _describe(member)
            except griffe.AliasResolutionError as exc:
                errors.append(f"{path}: cannot resolve {exc}")
                continue
            if entry is None:
                continue
            snapshot[path] = entry
            target = member.final_target if isinstance(member, griffe.Alias) else member
            if isinstance(target, griffe.Class):
                for mname, m in _class_members(target):
                    try:
                        sub = _describe(m)
                    except griffe.AliasResolutionError:
                        continue
                    if sub is not None and sub["kind"] not in ("class", "module"):
                        snapshot[f"{path}.{mname}"] = sub
    return dict(sorted(snapshot.items())), errors


def dumps(snapshot: Snapshot) -> str:
    return json.dumps(snapshot, indent=2, sort_keys=True) + "\n"


# --- comparing --------------------------------------------------------------------------------


@dataclass
class Change:
    path: str
    kind: str  # "added" | "removed" | "changed"
    breaking: list[str] = field(default_factory=list)


def _positional(p: Entry) -> bool:
    return p["kind"] in ("positional-only", "positional or keyword")


def _function_breaks(old: Entry, new: Entry) -> list[str]:
    out: list[str] = []
    if old.get("async") != new.get("async"):
        out.append(f"changed from {'async' if old.get('async') else 'sync'} to the other")
    old_params = {p["name"]: (i, p) for i, p in enumerate(old.get("parameters", []))}
    new_params = {p["name"]: (i, p) for i, p in enumerate(new.get("parameters", []))}
    for name, (i, p) in old_params.items():
        if name not in new_params:
            out.append(f"parameter {name!r} removed or renamed")
            continue
        j, q = new_params[name]
        if p["kind"] != q["kind"]:
            out.append(f"parameter {name!r} changed kind {p['kind']} -> {q['kind']}")
        elif _positional(p) and i != j:
            out.append(f"parameter {name!r} moved from position {i} to {j}")
        if p["default"] is not None and q["default"] is None and not q["kind"].startswith("var"):
            out.append(f"parameter {name!r} became required")
    for name, (_, q) in new_params.items():
        if name not in old_params and q["default"] is None and not q["kind"].startswith("var"):
            out.append(f"new required parameter {name!r}")
    return out


def _class_breaks(old: Entry, new: Entry) -> list[str]:
    out: list[str] = []
    old_fields: dict[str, Entry] = old.get("attrs_fields") or {}
    new_fields: dict[str, Entry] = new.get("attrs_fields") or {}
    for name, f in old_fields.items():
        if name not in new_fields:
            out.append(f"field {name!r} removed")
        elif new_fields[name]["required"] and not f["required"]:
            out.append(f"field {name!r} became required")
    for name, f in new_fields.items():
        if name not in old_fields and f["required"]:
            out.append(f"new required field {name!r}")
    return out


def compare(old: Snapshot, new: Snapshot) -> list[Change]:
    changes: list[Change] = []
    for path in sorted(set(old) | set(new)):
        if path not in new:
            changes.append(Change(path, "removed", ["removed"]))
        elif path not in old:
            changes.append(Change(path, "added"))
        elif old[path] != new[path]:
            o, n = old[path], new[path]
            breaking: list[str] = []
            if o["kind"] != n["kind"]:
                breaking.append(f"kind changed {o['kind']} -> {n['kind']}")
            elif "parameters" in o:
                breaking = _function_breaks(o, n)
            elif o["kind"] == "class":
                breaking = _class_breaks(o, n)
            changes.append(Change(path, "changed", breaking))
    return changes


def unreleased_section(changelog: Path) -> str:
    """The text of CHANGELOG.md between ``## Unreleased`` and the next ``## `` heading."""
    if not changelog.is_file():
        return ""
    text = changelog.read_text(encoding="utf-8")
    m = re.search(
        r"^## \[?Unreleased\]?[^\n]*\n(.*?)(?=^## |\Z)",
        text,
        re.MULTILINE | re.DOTALL | re.IGNORECASE,
    )
    return m.group(1) if m else ""


def mentioned(path: str, section: str) -> bool:
    """Whether the section names ``path`` or an object that contains it (a removed or renamed
    class covers its members)."""
    short = path[len(PACKAGE) + 1 :] if path.startswith(PACKAGE + ".") else path
    parts = short.split(".")
    for end in range(len(parts), 0, -1):
        name = ".".join(parts[:end])
        pattern = rf"(?<![\w.])(?:{re.escape(PACKAGE)}\.)?{re.escape(name)}(?!\w|\.\w)"
        if re.search(pattern, section) is not None:
            return True
    return False


def _entry_diff(path: str, old: Entry | None, new: Entry | None) -> list[str]:
    a = json.dumps(old, indent=2, sort_keys=True).splitlines() if old is not None else []
    b = json.dumps(new, indent=2, sort_keys=True).splitlines() if new is not None else []
    return [
        "    " + line
        for line in difflib.unified_diff(a, b, "snapshot", "current", n=1, lineterm="")
    ]


def check(
    search_paths: Iterable[Path] = (FACADE, GENERATED),
    snapshot_path: Path = API_SNAPSHOT,
    changelog: Path = CHANGELOG,
    update: bool = False,
    public_modules: tuple[str, ...] = PUBLIC_MODULES,
    private_modules: tuple[str, ...] = PRIVATE_MODULES,
) -> Report:
    report = Report("public API snapshot")
    current, errors = build(search_paths, public_modules, private_modules)
    report.extend(errors)
    report.lines.append(f"{len(current)} public objects; snapshot: {snapshot_path}")
    old: Snapshot = {}
    if snapshot_path.is_file():
        old = json.loads(snapshot_path.read_text(encoding="utf-8"))
    elif not update:
        report.errors.append(
            f"{snapshot_path} is missing: run python -m scripts.contract.api_snapshot --update"
        )
        return report
    changes = compare(old, current)
    section = unreleased_section(changelog)
    unacknowledged: list[str] = []
    for ch in changes:
        mark = {"added": "+", "removed": "-", "changed": "~"}[ch.kind]
        report.lines.append(f"{mark} {ch.kind} {ch.path}")
        for why in ch.breaking:
            ok = mentioned(ch.path, section)
            report.lines.append(
                f"    BREAKING: {why} ({'in CHANGELOG' if ok else 'not in CHANGELOG Unreleased'})"
            )
            if not ok:
                unacknowledged.append(f"{ch.path}: {why}")
        report.lines.extend(_entry_diff(ch.path, old.get(ch.path), current.get(ch.path)))
    for item in unacknowledged:
        report.errors.append(
            f"breaking change without a CHANGELOG entry: {item}; add a line mentioning "
            f"`{item.split(':')[0]}` under '## Unreleased' in {changelog.name}"
        )
    if update:
        if report.errors:
            report.errors.append(f"{snapshot_path.name} not updated")
        else:
            snapshot_path.parent.mkdir(parents=True, exist_ok=True)
            snapshot_path.write_text(dumps(current), encoding="utf-8")
            report.lines.append(f"wrote {snapshot_path} ({len(changes)} change(s))")
    elif changes:
        report.errors.append(
            f"public API differs from {snapshot_path.name} ({len(changes)} change(s)); if "
            "intended, run `python -m scripts.contract.api_snapshot --update` and commit it"
        )
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--update", action="store_true", help="rewrite the snapshot")
    parser.add_argument("--snapshot", type=Path, default=API_SNAPSHOT)
    parser.add_argument("--changelog", type=Path, default=CHANGELOG)
    parser.add_argument(
        "--search-path", type=Path, action="append", help="where to find the package"
    )
    args = parser.parse_args(argv)
    paths = args.search_path or [FACADE, GENERATED]
    return finish(check(paths, args.snapshot, args.changelog, update=args.update))


if __name__ == "__main__":
    sys.exit(main())
