"""The CLI is a client of the library like any other: it imports only public facade names."""

from __future__ import annotations

import ast
from pathlib import Path

import gototraining

CLI = Path(gototraining.__file__).resolve().parent / "cli"


def _private_uses(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] == "gototraining" and any(p.startswith("_") for p in parts[1:]):
                found.append(f"from {node.module} import ...")
            if node.module == "gototraining":
                found += [
                    f"gototraining.{a.name}"
                    for a in node.names
                    if a.name.startswith("_") and not a.name.endswith("__")
                ]
        elif isinstance(node, ast.ImportFrom) and node.level >= 2:
            found.append(f"from {'.' * node.level}{node.module or ''} import ...")
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("gototraining._")]
    return found


def test_the_cli_imports_only_public_names() -> None:
    offenders = {
        str(path.relative_to(CLI)): uses
        for path in sorted(CLI.rglob("*.py"))
        if (uses := [u for u in _private_uses(path) if not _inside_cli(path, u)])
    }
    assert offenders == {}


def _inside_cli(path: Path, use: str) -> bool:
    """``from ..x import`` inside ``cli/commands`` stays within the CLI package."""
    return use.startswith("from ..") and not use.startswith("from ...") and "commands" in path.parts


def test_the_names_it_needs_are_exported() -> None:
    for name in ("DEFAULT_RATE_LIMIT", "PersonField", "atomic_write", "validate_person_field",
                 "validate_key", "authorization_url", "resolve_credentials", "Credentials"):  # fmt: skip
        assert name in gototraining.__all__, name
