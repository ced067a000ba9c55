"""Print ``gototraining/_generated/`` (its ``__init__`` and ``requests.py``) and
``gototraining/resources/``: one request builder per operation, and per namespace the sync and
the async class, both from one description."""

from __future__ import annotations

import re
from pathlib import Path

from .builders import (
    ORGANIZER,
    Module,
    Parameter,
    Signature,
    check_doc,
    read_builder,
    read_options,
)
from .emit_models import HEADER, code_names
from .spec import Api, CodegenError, MethodSpec, Namespace, OperationSpec

# -- request builders -------------------------------------------------------------------------------

#: The clients, for annotations only (they import the resources).
_CLIENT_TYPES = (
    "\nif TYPE_CHECKING:\n"
    "    from .._generated.gototraining import GoToTraining\n"
    "    from .._gototraining import AsyncGoToTraining\n"
)


def _path_expr(op: OperationSpec) -> str:
    path = op.path
    for p in op.path_params:
        # Integer parameters arrive as validated keys (ASCII digits); others are quoted.
        value = p.name if p.type.kind == "integer" else f"_quote({p.name}, safe='')"
        path = path.replace("{" + p.wire + "}", "{" + value + "}")
    return f'f"{path}"' if op.path_params else repr(path)


def emit_generated_init() -> str:
    return HEADER + (
        '"""The facade\'s private generated modules: ``models`` (the models and their decoders),\n'
        "``requests`` (one request builder per operation) and the sync twins of hand-written\n"
        "async modules (``scripts/facade_codegen/unasync.py``).\n\n"
        "Everything in this package and in ``gototraining/resources/`` (the public namespaces)\n"
        "is written by ``scripts/facade_codegen``; no other module of ``gototraining`` is.\n"
        '"""\n'
    )


def emit_requests(api: Api) -> str:
    bodies = sorted({op.body_schema for op in api.operations if op.body_schema})
    quoted = any(p.type.kind != "integer" for op in api.operations for p in op.path_params)
    out = HEADER + '"""One request builder per spec operation: method, path and JSON body.\n\n'
    out += "Integer path parameters are passed as validated keys (``_validation.key``); request\n"
    out += "bodies are the generated client's request models (their public ``to_dict``).\n"
    out += '"""\n\nfrom __future__ import annotations\n\nfrom typing import TYPE_CHECKING\n'
    if quoted:
        out += "from urllib.parse import quote as _quote\n"
    out += "\nfrom .._transport import ApiRequest\n\n"
    if bodies:
        out += "if TYPE_CHECKING:\n    from gototraining_api.models import (\n"
        out += "".join(f"        {b},\n" for b in bodies) + "    )\n\n"
    names = sorted(op.func for op in api.operations)
    out += "__all__ = [\n" + "".join(f"    {name!r},\n" for name in names) + "]\n"
    for op in api.operations:
        if op.query_params:
            raise CodegenError(f"{op.operation_id}: query parameters are not implemented")
        params = [f"{p.name}: str" for p in op.path_params]
        if op.body_schema:
            params.append(f"body: {op.body_schema}")
        json = ", body.to_dict()" if op.body_schema else ""
        out += f"\n\ndef {op.func}({', '.join(params)}) -> ApiRequest:\n"
        out += f'    """{op.method} ``{op.path}`` ({op.operation_id})."""\n'
        out += (
            f"    return ApiRequest({op.operation_id!r}, {op.method!r}, {_path_expr(op)}{json}, "
            f"template={op.path!r})\n"
        )
    return out


# -- resources ----------------------------------------------------------------------------------------


class _Method:
    """One public method, ready to print in both flavors."""

    def __init__(self, spec: MethodSpec, signature: Signature, call: str) -> None:
        self.spec = spec
        self.signature = signature
        self.call = call  # the expression building the Call/Plan/Download


def _generated_builder(api: Api, method: MethodSpec) -> tuple[str, Signature]:
    """For an operation the mapping describes alone: the builder function and its signature."""
    op = method.operation
    if op.body_schema or op.query_params:
        raise CodegenError(
            f"{op.operation_id} has a request body or query parameters: name a `builder` in "
            "openapi/facade.yaml and write it in gototraining/_builders/"
        )
    if 300 <= op.success_status < 400:
        raise CodegenError(f"{op.operation_id} answers a redirect: write a builder")
    result = api.result(op)
    takes_organizer = any(p.wire == "organizerKey" for p in op.path_params)
    params = [p for p in op.path_params if p.wire != "organizerKey"]
    for p in params:
        if p.type.kind != "integer":
            raise CodegenError(f"{op.operation_id}: path parameter {p.wire} is not a key")
    name = f"_{method.name}"
    args = ([f"{ORGANIZER}: str"] if takes_organizer else []) + [f"{p.name}: Key" for p in params]
    request_args = [
        ORGANIZER if p.wire == "organizerKey" else f"v.key({p.name}, {p.name!r})"
        for p in op.path_params
    ]
    returns = result.annotation
    flags = ""
    if op.method == "DELETE":
        # A 404 answering a replay after a lost response: the lost attempt did the deletion.
        flags = ", replay_404_is_success=True"
    call = f"Call(rq.{op.func}({', '.join(request_args)}), {result.decoder}{flags})"
    body = f"def {name}({', '.join(args)}) -> Call[{returns}]:\n"
    if method.deprecation:
        body += f"    call = {call}\n"
        # stacklevel 3: builder <- public method <- the user's line
        body += "    # stacklevel 3: this builder <- the public method <- the caller's line\n"
        body += f"    warnings.warn({method.deprecation!r}, DeprecationWarning, stacklevel=3)\n"
        body += "    return call\n"
    else:
        body += f"    return {call}\n"
    doc = method.doc
    if doc is None:
        doc = op.summary + (f"\n\n{op.description}" if op.description else "")
    signature = Signature(
        parameters=[Parameter(p.name, "Key", None, keyword_only=False) for p in params],
        takes_organizer=takes_organizer,
        returns=returns,
        runner="_request",
        doc=doc,
    )
    return body, signature


def _signature_text(method: _Method, options: list[Parameter], flavor: str) -> str:
    params = ["self"]
    star = False
    for p in [*method.signature.parameters, *options]:
        if p.keyword_only and not star:
            params.append("*")
            star = True
        params.append(f"{p.name}: {p.annotation}" + (f" = {p.default}" if p.default else ""))
    prefix = "async def" if flavor == "async" else "def"
    returns = method.signature.returns
    return f"    {prefix} {method.spec.name}({', '.join(params)}) -> {returns}:\n"


def _builtins_list(text: str) -> str:
    """``list[...]`` -> ``builtins.list[...]`` (the class has a method named ``list``)."""
    return re.sub(r"(?<![\w.])list\[", "builtins.list[", text)


def _method_text(method: _Method, options: list[Parameter], flavor: str, has_list: bool) -> str:
    sig = method.signature
    header = _signature_text(method, options, flavor)
    if has_list:
        header = _builtins_list(header)
    out = f"    @operation({method.spec.operation.operation_id!r})\n" + header
    out += _verbatim_doc(sig.doc, "        ")
    opts = ", ".join(f"{o.name}={o.name}" for o in options)
    await_ = "await " if flavor == "async" else ""
    out += f"        return {await_}self.{sig.runner}(\n"
    out += f"            {method.call},\n            CallOptions({opts}),\n        )\n"
    return out


def _call_expr(builder: str, signature: Signature) -> str:
    args = ["self._organizer_key"] if signature.takes_organizer else []
    for p in signature.parameters:
        args.append(f"{p.name}={p.name}" if p.keyword_only else p.name)
    return f"{builder}({', '.join(args)})"


def emit_namespace(api: Api, ns: Namespace, facade: Path) -> str:
    builders_path = facade / "_builders" / f"{ns.attr}.py"
    builder_module = (
        Module(builders_path, f"gototraining._builders.{ns.attr}")
        if builders_path.is_file()
        else None
    )
    options_module = Module(facade / "_options.py", "gototraining._options")
    options, option_imports = read_options(options_module)
    imports: dict[str, str] = dict(option_imports)
    functions: list[str] = []
    methods: list[_Method] = []
    for spec in ns.methods:
        if spec.builder:
            if builder_module is None:
                raise CodegenError(f"{ns.attr}.{spec.name}: no {builders_path}")
            signature = read_builder(builder_module, spec.builder)
            where = f"openapi/facade.yaml {ns.attr}.{spec.name}"
            if not spec.doc:
                raise CodegenError(f"{where}: a method with a builder needs its `doc`")
            check_doc(where, spec.doc, signature.parameters, options)
            signature.doc = spec.doc
            imports.update(signature.imports)
            call = _call_expr(f"builders.{spec.builder}", signature)
            imports["builders"] = f"from .._builders import {ns.attr} as builders"
        else:
            text, signature = _generated_builder(api, spec)
            functions.append(text)
            call = _call_expr(f"_{spec.name}", signature)
        methods.append(_Method(spec, signature, call))
    has_list = any(m.spec.name == "list" for m in methods)
    body = ""
    for text in functions:
        body += "\n\n" + text
    for flavor in ("sync", "async"):
        cls = ns.cls if flavor == "sync" else f"Async{ns.cls}"
        base = "SyncResource" if flavor == "sync" else "AsyncResource"
        doc = (
            ns.doc
            if flavor == "sync"
            else f"[`{ns.cls}`][gototraining.resources.{ns.cls}] for ``AsyncGoToTraining``: the "
            "same methods, each awaited."
        )
        body += f"\n\nclass {cls}({base}):\n" + _class_doc(doc)
        for method in methods:
            body += "\n" + _method_text(method, options, flavor, has_list)
    for flavor in ("sync", "async"):
        body += _raw_class_text(ns, methods, flavor)
    standard = {
        "builtins": "import builtins",
        "warnings": "import warnings",
        "m": "from .._generated import models as m",
        "rq": "from .._generated import requests as rq",
        "v": "from .. import _validation as v",
        "operation": "from .._operation import operation",
        "CallOptions": "from .._options import CallOptions",
        "Call": "from .._transport import Call",
        "decode_json": "from .._transport import decode_json",
        "no_content": "from .._transport import no_content",
        "decode_string": "from .._decoding import decode_string",
        "Key": "from .._resource import Key",
        "SyncResource": "from .._generated.driver import SyncResource",
        "AsyncResource": "from .._driver import AsyncResource",
        "Path": "from pathlib import Path",
        "raw": "from .._resource import raw",
        "async_raw": "from .._resource import async_raw",
    }
    for name, line in standard.items():
        imports.setdefault(name, line)
    names = code_names(body)
    used = sorted({line for name, line in imports.items() if name in names})
    source = "# Every method takes the fields of gototraining/_options.py's CallOptions"
    if builder_module is not None:
        source += ";\n# methods with a `builder` are built by gototraining/_builders/"
        source += f"{ns.attr}.py"
    source += ".\n"
    out = HEADER + source + _verbatim_doc(ns.module_doc, "")
    out += "\nfrom __future__ import annotations\n\n"
    out += "\n".join(sorted([*used, "from typing import TYPE_CHECKING"])) + "\n"
    out += _CLIENT_TYPES + "\n"
    exported = sorted(
        [ns.cls, f"Async{ns.cls}", f"{ns.cls}WithRawResponse", f"Async{ns.cls}WithRawResponse"]
    )
    out += "__all__ = [" + ", ".join(repr(n) for n in exported) + "]\n"
    return out + body


def _raw_class_text(ns: Namespace, methods: list[_Method], flavor: str) -> str:
    """``client.with_raw_response.<namespace>``: every method of a resource made with
    ``raw=True``, typed as returning a ``RawResponse`` (the methods keep their signatures);
    a batch (``register_many``) has no one response and is left out."""
    prefix = "Async" if flavor == "async" else ""
    cls = f"{prefix}{ns.cls}"
    client = f"{prefix}GoToTraining"
    wrap = "async_raw" if flavor == "async" else "raw"
    out = f"\n\nclass {cls}WithRawResponse:\n"
    out += _class_doc(
        f"``client.with_raw_response.{ns.attr}``: the methods of "
        f"[`{cls}`][gototraining.resources.{cls}], each returning a\n"
        "[`RawResponse`][gototraining.RawResponse] (the ``httpx.Response`` beside the parsed "
        "result)."
    )
    out += f"\n    def __init__(self, client: {client}) -> None:\n"
    out += f"        methods = {cls}(client, raw=True)\n"
    for method in methods:
        if method.signature.runner == "_batch":  # many requests: no one response to show
            continue
        name = method.spec.name
        out += f"        self.{name} = {wrap}(methods.{name})\n"
    return out


def _verbatim_doc(doc: str, indent: str) -> str:
    """A docstring kept as written (paragraphs, lists, indented blocks), re-indented."""
    lines = doc.strip().replace('"""', "'''").splitlines()
    if len(lines) == 1:
        return f'{indent}"""{lines[0]}"""\n'
    rest = "\n".join((indent + line) if line.strip() else "" for line in lines[1:])
    return f'{indent}"""{lines[0]}\n{rest}\n{indent}"""\n'


def _class_doc(doc: str) -> str:
    return _verbatim_doc(doc, "    ")


def emit_resources_init(api: Api) -> str:
    out = (
        HEADER
        + '"""Resource namespaces ('
        + ", ".join(f"``client.{ns.attr}``" for ns in api.namespaces)
        + '), and ``client.with_raw_response``.\n"""\n\n'
        + "from __future__ import annotations\n\nfrom typing import TYPE_CHECKING\n\n"
    )
    names: list[str] = []
    spaces = sorted(api.namespaces, key=lambda n: n.attr)
    for ns in spaces:
        group = [
            f"Async{ns.cls}",
            f"Async{ns.cls}WithRawResponse",
            ns.cls,
            f"{ns.cls}WithRawResponse",
        ]
        out += f"from .{ns.attr} import (\n" + "".join(f"    {n},\n" for n in group) + ")\n"
        names += group
    out += _CLIENT_TYPES
    names += ["AsyncGoToTrainingWithRawResponse", "GoToTrainingWithRawResponse"]
    out += "\n__all__ = [\n" + "".join(f"    {n!r},\n" for n in sorted(names)) + "]\n"
    for prefix in ("", "Async"):
        client = f"{prefix}GoToTraining"
        awaited = " (awaited)" if prefix else ""
        out += f"\n\nclass {client}WithRawResponse:\n"
        out += _class_doc(
            f"``client.with_raw_response``: the namespaces of [`{client}`][gototraining.{client}], "
            f"whose methods\nreturn a [`RawResponse`][gototraining.RawResponse]{awaited}."
        )
        out += "\n"
        for ns in api.namespaces:
            out += f"    {ns.attr}: {prefix}{ns.cls}WithRawResponse\n"
        out += f"\n    def __init__(self, client: {client}) -> None:\n"
        for ns in api.namespaces:
            out += f"        self.{ns.attr} = {prefix}{ns.cls}WithRawResponse(client)\n"
    return out
