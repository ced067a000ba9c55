"""Edits the contract tests make to copies of the facade's source, to prove a check fails."""

from __future__ import annotations

import ast
from pathlib import Path


def remove_method(path: Path, class_name: str, method: str) -> None:
    """Delete one method (with its decorators) from a module's source."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name == method:
                    start = min([d.lineno for d in item.decorator_list] + [item.lineno]) - 1
                    assert item.end_lineno is not None
                    del lines[start : item.end_lineno]
                    path.write_text("".join(lines), encoding="utf-8")
                    return
    raise LookupError(f"{class_name}.{method} not in {path}")
