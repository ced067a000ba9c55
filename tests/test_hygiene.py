"""Comments and docs say why, never history: no issue or finding numbers anywhere. SDK code
uses httpx and httpcore through their public API only."""

from __future__ import annotations

import ast
import functools
import importlib
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: "issue 8", "issues #12", "(#34)", "finding 4": references to the tracker instead of reasons.
TRACKER = re.compile(r"(?i)\b(?:issues?|findings?)\s+#?\d+\b|\(#\d+\)")
SKIP = ("tests/cassettes/", "generated/", "package-lock.json", "openapi/", "tests/test_hygiene.py")


def tracked_text_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.splitlines()
    suffixes = {".py", ".md", ".yml", ".yaml", ".toml", ".sh", ".txt", ".cfg"}
    return [
        ROOT / name
        for name in listed
        if not name.startswith(SKIP) and (Path(name).suffix in suffixes or name == "Makefile")
    ]


def test_no_tracker_numbers_in_code_or_docs() -> None:
    found = []
    for path in tracked_text_files():
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if TRACKER.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def test_the_pattern_catches_what_it_should() -> None:
    for text in ("(issue 8)", "Issue #12", "finding 4:", "see (#34)", "issues 3"):
        assert TRACKER.search(text), text
    for text in ("an issue report", "issue_code", "findings", "#123abc"):
        assert not TRACKER.search(text), text


# -- dependencies through their public API ---------------------------------------------------
#
# SDK code never reads or writes an underscore attribute of an httpx or httpcore object, nor
# imports their private modules: the next release may rename any of them. The check reads the
# facade's source (``ast``) with a little type knowledge: a receiver is known to be httpx's or
# httpcore's from an annotation, a constructor call, a TypeVar over their types, or ``self`` in
# a subclass of theirs (for names the subclass does not define itself); a receiver of unknown
# type is reported when the name is one httpx or httpcore use privately and the SDK does not.

THIRD_PARTY = ("httpx", "httpcore")
FACADE = ROOT / "facade" / "gototraining"
ATTRIBUTE_FUNCTIONS = ("getattr", "setattr", "hasattr", "delattr")


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _private_names(files: Iterable[Path], *, stores_only: bool) -> set[str]:
    """Underscore attribute names classes in ``files`` define: ``self._x`` (assigned, or any use
    with ``stores_only=False``), private methods and class attributes, ``__slots__`` entries."""
    names: set[str] = set()
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and _private(node.attr):
                on_self = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
                if on_self and (not stores_only or isinstance(node.ctx, ast.Store | ast.Del)):
                    names.add(node.attr)
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(
                        item, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
                    ) and _private(item.name):
                        names.add(item.name)
                    for target in _targets(item):
                        if _private(target):
                            names.add(target)
                        if target == "__slots__" and isinstance(item, ast.Assign):
                            for element in ast.walk(item.value):
                                if isinstance(element, ast.Constant) and isinstance(
                                    element.value, str
                                ):
                                    names.add(element.value)
    return {name for name in names if _private(name)}


def _targets(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


@functools.cache
def third_party_private_names() -> frozenset[str]:
    files: list[Path] = []
    for package in THIRD_PARTY:
        module = importlib.import_module(package)
        assert module.__file__ is not None
        files += Path(module.__file__).parent.rglob("*.py")
    return frozenset(_private_names(files, stores_only=False))


@functools.cache
def sdk_private_names() -> frozenset[str]:
    return frozenset(_private_names(sorted(FACADE.rglob("*.py")), stores_only=True))


class _PrivateUse(ast.NodeVisitor):
    """Finds private uses of httpx/httpcore in one module's source."""

    def __init__(self, theirs: frozenset[str], ours: frozenset[str]) -> None:
        self.theirs, self.ours = theirs, ours
        self.found: list[str] = []
        self.modules: set[str] = set()  # names bound to httpx / httpcore (modules)
        self.imported: set[str] = set()  # names imported from them (classes, functions)
        self.type_vars: set[str] = set()  # TypeVars over their types
        self.own: set[str] = set()  # names of the SDK's own modules and classes
        self.classes: list[tuple[bool, set[str]]] = []  # (subclass of theirs, names it defines)
        # variable -> True: theirs, False: the SDK's own, None: unknown
        self.scopes: list[dict[str, bool | None]] = [{}]

    def report(self, node: ast.AST, what: str) -> None:
        self.found.append(f"line {getattr(node, 'lineno', '?')}: {what}")

    # -- what is theirs ----------------------------------------------------------------------

    def is_theirs(self, expression: ast.AST | None) -> bool:
        """Whether a type expression (or a constructor) names an httpx/httpcore type."""
        if expression is None:
            return False
        if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
            try:
                return self.is_theirs(ast.parse(expression.value, mode="eval").body)
            except SyntaxError:
                return False
        for node in ast.walk(expression):
            if isinstance(node, ast.Name) and (
                node.id in self.modules or node.id in self.imported or node.id in self.type_vars
            ):
                return True
        return False

    def kind_of(self, annotation: ast.AST | None) -> bool | None:
        """What an annotated name holds: theirs, the SDK's own, or unknown (``object``)."""
        if annotation is None:
            return None
        if self.is_theirs(annotation):
            return True
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return None
        names = {node.id for node in ast.walk(annotation) if isinstance(node, ast.Name)}
        return False if names & self.own else None

    def receiver(self, node: ast.expr) -> str:
        """``theirs``, ``ours`` or ``unknown``."""
        if isinstance(node, ast.Name):
            if node.id in self.modules:
                return "theirs"
            for scope in reversed(self.scopes):
                if node.id in scope:
                    held = scope[node.id]
                    return "unknown" if held is None else "theirs" if held else "ours"
            return "ours" if node.id in self.own else "unknown"
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id == "super":
                return "theirs" if self.classes and self.classes[-1][0] else "ours"
            if self.is_theirs(node.func):
                return "theirs"
        if isinstance(node, ast.Attribute) and self.receiver(node.value) == "theirs":
            return "theirs"  # httpx.Client._transport, client.stream._x
        return "unknown"

    def check(self, node: ast.AST, receiver: ast.expr, name: str) -> None:
        if not _private(name):
            return
        if isinstance(receiver, ast.Name) and receiver.id in ("self", "cls") and self.classes:
            subclass_of_theirs, defined = self.classes[-1]
            if subclass_of_theirs and name not in defined:
                self.report(node, f"{receiver.id}.{name}: httpx/httpcore's own attribute")
            return
        kind = self.receiver(receiver)
        if kind == "theirs" or (
            kind == "unknown" and name in self.theirs and name not in self.ours
        ):
            self.report(node, f"{ast.unparse(receiver)}.{name}")

    # -- visiting ----------------------------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            root, _, rest = alias.name.partition(".")
            if root in THIRD_PARTY:
                if any(_private(part) for part in rest.split(".") if part):
                    self.report(node, f"import {alias.name}")
                self.modules.add(alias.asname or root)
            if root not in THIRD_PARTY:
                self.scopes[-1][alias.asname or root] = None

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        root = module.partition(".")[0]
        if node.level == 0 and root in THIRD_PARTY:
            if any(_private(part) for part in module.split(".")):
                self.report(node, f"from {module} import ...")
            for alias in node.names:
                if _private(alias.name):
                    self.report(node, f"from {module} import {alias.name}")
                self.imported.add(alias.asname or alias.name)
            return
        if node.level or root == "gototraining":  # the SDK's own modules and names
            self.own.update(alias.asname or alias.name for alias in node.names)

    def visit_Assign(self, node: ast.Assign) -> None:
        value = node.value
        type_var_over_theirs = (
            isinstance(value, ast.Call)
            and ast.unparse(value.func).endswith("TypeVar")
            and any(
                self.is_theirs(part)
                for part in [*value.args[1:], *(keyword.value for keyword in value.keywords)]
            )
        )
        for target in node.targets:
            if isinstance(target, ast.Name):
                if type_var_over_theirs:
                    self.type_vars.add(target.id)
                self.scopes[-1][target.id] = True if self.receiver(value) == "theirs" else None
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if isinstance(node.target, ast.Name):
            self.scopes[-1][node.target.id] = self.kind_of(node.annotation)
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.own.add(node.name)
        defined = _private_names_of_class(node)
        self.classes.append((any(self.is_theirs(base) for base in node.bases), defined))
        self.scopes.append({})
        self.generic_visit(node)
        self.scopes.pop()
        self.classes.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        arguments = node.args
        scope = {
            arg.arg: self.kind_of(arg.annotation)
            for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
        }
        self.scopes.append(scope)
        self.generic_visit(node)
        self.scopes.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name is not None:  # ``except httpx.RequestError as exc``: exc is theirs
            self.scopes[-1][node.name] = True if self.is_theirs(node.type) else None
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.check(node, node.value, node.attr)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if (
            isinstance(node.func, ast.Name)
            and node.func.id in ATTRIBUTE_FUNCTIONS
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            self.check(node, node.args[0], node.args[1].value)
        self.generic_visit(node)


def _private_names_of_class(node: ast.ClassDef) -> set[str]:
    names = set()
    for item in ast.walk(node):
        if (
            isinstance(item, ast.Attribute)
            and isinstance(item.ctx, ast.Store | ast.Del)
            and isinstance(item.value, ast.Name)
            and item.value.id in ("self", "cls")
        ):
            names.add(item.attr)
    for item in node.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(item.name)
        names.update(_targets(item))
    return names


def private_uses(source: str) -> list[str]:
    """Where ``source`` reads or writes a private attribute of httpx/httpcore (or imports a
    private module of theirs)."""
    visitor = _PrivateUse(third_party_private_names(), sdk_private_names())
    visitor.visit(ast.parse(source))
    return visitor.found


def test_sdk_code_uses_httpx_and_httpcore_through_their_public_api() -> None:
    found = []
    for path in sorted(FACADE.rglob("*.py")):
        for use in private_uses(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(ROOT)} {use}")
    assert found == []


PRIVATE_USES = {
    "an annotated client": "import httpx\ndef f(client: httpx.Client):\n    return client._transport\n",
    "a union of clients": (
        "import httpx\n"
        "def install(http_client: httpx.Client | httpx.AsyncClient) -> None:\n"
        "    transports = [http_client._transport, *http_client._mounts.values()]\n"
    ),
    "a pool found by getattr": (
        "def install(transport: object, backend: object) -> None:\n"
        '    pool = getattr(transport, "_pool", None)\n'
        "    pool._network_backend = backend\n"
    ),
    "a written response body": (
        'import httpx\ndef store(response: httpx.Response) -> None:\n    response._content = b""\n'
    ),
    "an imported name": (
        "from httpx import Response\ndef f(response: Response):\n    return response._request\n"
    ),
    "a TypeVar over httpx clients": (
        "import typing, httpx\n"
        "HTTP = typing.TypeVar('HTTP', httpx.Client, httpx.AsyncClient)\n"
        "def f(client: HTTP) -> None:\n    client._mounts.clear()\n"
    ),
    "a made client": "import httpx\nhttpx.Client()._transport.close()\n",
    "a subclass reading the base's": (
        "import httpx\nclass C(httpx.Client):\n    def f(self):\n        return self._transport\n"
    ),
    "a private module": "import httpx\nhttpx._exceptions.request_context()\n",
    "a private import": "from httpx._utils import get_environment_proxies\n",
    "a private import of a name": "from httpcore import _backends\n",
    "an exception caught": (
        "import httpx\ntry:\n    pass\nexcept (httpx.RequestError, OSError) as exc:\n"
        "    failed = getattr(exc, '_request', None)\n"
    ),
}
PUBLIC_USES = {
    "the SDK's own client": (
        "from ._client import GoToTraining\n"
        "def f(client: GoToTraining):\n    return client._transport\n"
    ),
    "a subclass's own attribute": (
        "import httpx\nclass T(httpx.MockTransport):\n"
        "    def __init__(self):\n        self._connections = 1\n"
        "    def close(self):\n        return self._connections\n"
    ),
    "public attributes": (
        "import httpx\ndef f(response: httpx.Response):\n"
        "    response.stream = httpx.ByteStream(b'')\n    return response.request\n"
    ),
    "a class of its own": "class C:\n    def f(self):\n        return self._transport\n",
}


@pytest.mark.parametrize("source", PRIVATE_USES.values(), ids=PRIVATE_USES.keys())
def test_a_private_use_is_found(source: str) -> None:
    assert private_uses(source) != []


@pytest.mark.parametrize("source", PUBLIC_USES.values(), ids=PUBLIC_USES.keys())
def test_a_public_use_passes(source: str) -> None:
    assert private_uses(source) == []


def _docstrings_with_lone_surrogates(source: str) -> list[str]:
    """Names of the module, classes and functions whose docstring holds a lone surrogate."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            doc = ast.get_docstring(node, clean=False)
            if doc is not None and re.search("[\ud800-\udfff]", doc):
                found.append(getattr(node, "name", "<module>"))
    return found


def test_no_docstring_holds_a_lone_surrogate() -> None:
    """Python 3.13.0 cannot compile such a docstring (its compile-time dedent encodes it to
    UTF-8): the module fails to import. A docstring shows the escape (``\\\\ud800``) instead."""
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in sorted((ROOT / "facade").rglob("*.py"))
        if (found := _docstrings_with_lone_surrogates(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_surrogate_check_finds_one() -> None:
    assert _docstrings_with_lone_surrogates('"""Eve\\ud800"""\n') == ["<module>"]
    assert _docstrings_with_lone_surrogates('"""Eve\\\\ud800"""\n') == []
