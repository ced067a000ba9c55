"""Read hand-written builders and the per-call options from the facade's source (``ast``).

A builder's signature becomes the public method's (minus a leading ``organizer_key``, which
the client supplies); the method's docstring is the mapping's ``doc`` (``openapi/facade.yaml``),
whose ``Args:`` section, if any, must name exactly the builder's parameters (per-call options
may be added). The keyword-only parameters of ``CallOptions.__init__`` in
``gototraining/_options.py`` become every method's trailing keyword-only parameters. Nothing is
imported: the generator runs before the package it writes can be imported.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from .spec import CodegenError

PACKAGE = "gototraining"
ORGANIZER = "organizer_key"
#: Builder return annotations -> the resource's runner method. ``Call[T]``, ``Plan[T]``: the
#: method returns ``T``; ``Download``: a ``Path``; ``Batch[T]`` (many plans run concurrently):
#: ``list[T]``, one result per item.
RUNNERS = {"Call": "_request", "Plan": "_run", "Download": "_download", "Batch": "_batch"}
DOWNLOAD_RESULT = "Path"
_RETURNS = "return Call[T], Plan[T], Batch[T] or Download"


@dataclass
class Parameter:
    name: str
    annotation: str
    default: str | None
    keyword_only: bool


@dataclass
class Signature:
    parameters: list[Parameter]
    takes_organizer: bool
    returns: str  # the public method's return annotation
    runner: str  # "_request" | "_run" | "_download" | "_batch"
    doc: str = ""
    imports: dict[str, str] = field(default_factory=dict)  # name -> import line


class Module:
    """One facade source module: its top-level definitions and imports, by name."""

    def __init__(self, path: Path, dotted: str) -> None:
        self.path = path
        self.dotted = dotted  # e.g. gototraining._builders.trainings
        self.tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        self.functions = {
            n.name: n
            for n in self.tree.body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        self.classes = {n.name: n for n in self.tree.body if isinstance(n, ast.ClassDef)}
        self.defined: set[str] = set(self.functions) | set(self.classes)
        self.imported: dict[str, str] = {}
        for node in self.tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                self.defined |= {t.id for t in targets if isinstance(t, ast.Name)}
            elif isinstance(node, ast.ImportFrom):
                base = self._absolute(node)
                for alias in node.names:
                    local = alias.asname or alias.name
                    as_part = f" as {alias.asname}" if alias.asname else ""
                    self.imported[local] = _from(base, f"{alias.name}{as_part}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    local = alias.asname or alias.name.split(".")[0]
                    as_part = f" as {alias.asname}" if alias.asname else ""
                    self.imported[local] = f"import {alias.name}{as_part}"

    def _absolute(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        parts = self.dotted.split(".")[: -node.level]
        return ".".join([*parts, *([node.module] if node.module else [])])

    def import_for(self, name: str) -> str:
        """An import line that brings ``name`` (as this module sees it) into a resource module."""
        if name in self.imported:
            return self.imported[name]
        if name in self.defined:
            return _from(self.dotted, name)
        raise CodegenError(f"{self.path}: cannot resolve {name!r} for the generated methods")


def _from(module: str, what: str) -> str:
    """``from <module> import <what>`` as written inside ``gototraining.resources.<x>``."""
    if module == PACKAGE:
        return f"from .. import {what}"
    if module.startswith(PACKAGE + "."):
        return f"from ..{module[len(PACKAGE) + 1 :]} import {what}"
    return f"from {module} import {what}"


def _names(node: ast.AST | None) -> set[str]:
    """Root names an expression uses (``m`` of ``m.Training``; ``Iterable``, ``TimePair``)."""
    if node is None:
        return set()
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _imports(module: Module, nodes: list[ast.AST | None]) -> dict[str, str]:
    out: dict[str, str] = {}
    builtin_names = {
        "str",
        "int",
        "float",
        "bool",
        "bytes",
        "None",
        "list",
        "dict",
        "tuple",
        "set",
        "object",
    }
    for node in nodes:
        for name in sorted(_names(node)):
            if name not in builtin_names:
                out[name] = module.import_for(name)
    return out


def read_builder(module: Module, name: str) -> Signature:
    func = module.functions.get(name)
    if func is None or isinstance(func, ast.AsyncFunctionDef):
        raise CodegenError(f"{module.path}: no builder function {name!r}")
    args = func.args
    if args.vararg or args.kwarg or args.posonlyargs:
        raise CodegenError(f"{module.path}:{name}: builders take no *args, **kwargs or / params")
    params: list[Parameter] = []
    defaults = [None] * (len(args.args) - len(args.defaults)) + list(args.defaults)
    nodes: list[ast.AST | None] = []
    for arg, default in zip(args.args, defaults, strict=True):
        params.append(_parameter(arg, default, keyword_only=False))
        nodes += [arg.annotation, default]
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        params.append(_parameter(arg, default, keyword_only=True))
        nodes += [arg.annotation, default]
    takes_organizer = bool(params) and params[0].name == ORGANIZER
    if takes_organizer:
        params = params[1:]
        nodes = nodes[2:]
    returns = func.returns
    if isinstance(returns, ast.Subscript) and isinstance(returns.value, ast.Name):
        kind, result = returns.value.id, returns.slice
    elif isinstance(returns, ast.Name):
        kind, result = returns.id, None
    else:
        raise CodegenError(f"{module.path}:{name}: {_RETURNS}")
    if kind not in RUNNERS:
        raise CodegenError(f"{module.path}:{name}: {_RETURNS}")
    if kind == "Download":
        result_text = DOWNLOAD_RESULT
    elif result is None:
        raise CodegenError(f"{module.path}:{name}: {kind} needs its result type")
    else:
        result_text = ast.unparse(result)
        if kind == "Batch":
            result_text = f"list[{result_text}]"
        nodes.append(result)
    return Signature(
        parameters=params,
        takes_organizer=takes_organizer,
        returns=result_text,
        runner=RUNNERS[kind],
        imports=_imports(module, nodes),
    )


def documented_args(doc: str) -> list[str] | None:
    """The parameter names of a Google-style docstring's ``Args:`` section (``None``: no
    such section)."""
    lines = doc.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "Args:")
    except StopIteration:
        return None
    indent = len(lines[start]) - len(lines[start].lstrip())
    names: list[str] = []
    entry_indent: int | None = None
    for line in lines[start + 1 :]:
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip())
        if depth <= indent:
            break
        if entry_indent is None:
            entry_indent = depth
        if depth == entry_indent:
            names.append(line.strip().split(":", 1)[0].strip())
    return names


def check_doc(where: str, doc: str, parameters: list[Parameter], options: list[Parameter]) -> None:
    """A builder method's docstring documents what the method takes: an ``Args:`` section
    names every builder parameter, and nothing the method does not take."""
    names = documented_args(doc)
    if names is None:
        return
    taken = [p.name for p in parameters]
    unknown = [n for n in names if n not in taken and n not in {o.name for o in options}]
    missing = [n for n in taken if n not in names]
    if unknown or missing:
        raise CodegenError(
            f"{where}: the doc's Args: section does not match the builder's parameters"
            + (f"; not parameters: {unknown}" if unknown else "")
            + (f"; undocumented: {missing}" if missing else "")
        )


def _parameter(arg: ast.arg, default: ast.expr | None, *, keyword_only: bool) -> Parameter:
    if arg.annotation is None:
        raise CodegenError(f"parameter {arg.arg!r} needs an annotation")
    return Parameter(
        name=arg.arg,
        annotation=ast.unparse(arg.annotation),
        default=None if default is None else ast.unparse(default),
        keyword_only=keyword_only,
    )


def read_options(
    module: Module, cls: str = "CallOptions"
) -> tuple[list[Parameter], dict[str, str]]:
    """The keyword-only parameters of ``CallOptions.__init__`` (annotation and default)."""
    node = module.classes.get(cls)
    if node is None:
        raise CodegenError(f"{module.path}: no class {cls}")
    init = next(
        (n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None
    )
    if init is None or init.args.args[1:] or init.args.vararg or init.args.kwarg:
        raise CodegenError(f"{module.path}: {cls}.__init__ must take keyword-only options")
    params: list[Parameter] = []
    nodes: list[ast.AST | None] = []
    for arg, default in zip(init.args.kwonlyargs, init.args.kw_defaults, strict=True):
        if default is None:
            raise CodegenError(f"{module.path}: {cls} option {arg.arg} needs a default")
        params.append(_parameter(arg, default, keyword_only=True))
        nodes += [arg.annotation, default]
    return params, _imports(module, nodes)
