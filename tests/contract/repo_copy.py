"""A temporary copy of the repository, for tests that edit the spec and regenerate.

The copy holds every file git knows of (committed or not, minus the ignored ones) and links the
installed tools (``.venv``, the generator's ``.venv-gen``, ``node_modules``), so
``scripts/regenerate.sh`` finds them up to date.
``run`` executes a command in the copy with the copy's packages first on ``sys.path``: the
editable install of the real checkout stays behind them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from scripts.contract._common import ROOT

TOOLS = (".venv", ".venv-gen", "node_modules")


def _install_tools() -> None:
    """Let ``regenerate.sh`` install its tools in the checkout once (a fresh clone has none),
    so that copies link them instead of each running ``npm ci`` and ``pip install``."""
    if (
        not (ROOT / "node_modules" / ".bin" / "swagger2openapi").exists()
        or not (ROOT / ".venv-gen" / "bin" / "openapi-python-client").exists()
    ):
        subprocess.run([str(ROOT / "scripts" / "regenerate.sh"), "--check"], cwd=ROOT, check=False)


def copy_repo(dst: Path) -> Path:
    _install_tools()
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for raw in listed:
        rel = raw.decode()
        source = ROOT / rel
        if not rel or not source.is_file():  # deleted but not yet committed
            continue
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    for rel in TOOLS:
        if (ROOT / rel).is_dir():
            os.symlink(ROOT / rel, dst / rel)
    return dst


def run(
    copy: Path, *command: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in the copy (``python`` means the project's interpreter)."""
    if command[0] == "python":
        command = (str(ROOT / ".venv" / "bin" / "python"), *command[1:])
    paths = [copy / "facade", copy / "generated", copy / "tests", copy]
    environment = {
        **os.environ,
        **(env or {}),
        "PYTHONPATH": os.pathsep.join(str(p) for p in paths),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if "GOTO_RECORD" not in (env or {}):
        environment.pop("GOTO_RECORD", None)
    return subprocess.run(
        list(command),
        cwd=copy,
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
        check=False,
    )


def digests(root: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of every file below ``root`` (tools and caches skipped)."""
    out: dict[str, str] = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if rel.parts[0] in TOOLS or "__pycache__" in rel.parts or ".pytest_cache" in rel.parts:
            continue
        if path.is_file() and not path.is_symlink():
            out[rel.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
