"""The path says whether a facade module may be edited: generated code lives in the generated
packages (``scripts/facade_codegen``'s ``GENERATED_PACKAGES``), every file there starts with
``DO NOT EDIT``, and no file elsewhere does (docs/facade-architecture.md states the rule)."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

from scripts.facade_codegen.__main__ import GENERATED_PACKAGES, generate

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "facade" / "gototraining"
MARK = "# DO NOT EDIT"


def misplaced(package: Path, files: list[Path]) -> list[str]:
    """The files of ``package`` whose ``DO NOT EDIT`` mark disagrees with their place."""
    wrong = []
    for path in files:
        rel = path.relative_to(package)
        in_generated = rel.parts[0] in GENERATED_PACKAGES
        marked = path.read_text(encoding="utf-8").startswith(MARK)
        if in_generated and not marked:
            wrong.append(f"{rel}: in a generated package without the {MARK!r} header")
        elif marked and not in_generated:
            wrong.append(f"{rel}: generated, outside {', '.join(GENERATED_PACKAGES)}")
    return wrong


def tracked_modules() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
        cwd=PACKAGE,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    return [PACKAGE / name for name in listed if (PACKAGE / name).is_file()]


def test_generated_modules_live_in_the_generated_packages() -> None:
    modules = tracked_modules()
    assert any(path.relative_to(PACKAGE).parts[0] == "_generated" for path in modules)
    assert misplaced(PACKAGE, modules) == []


def test_the_generator_writes_only_the_generated_packages() -> None:
    """``regenerate.sh`` replaces these packages whole: nothing hand-written can hide there."""
    written = generate(
        ROOT / "openapi" / "openapi3.yaml", ROOT / "openapi" / "facade.yaml", PACKAGE
    )
    assert {Path(rel).parts[0] for rel in written} == set(GENERATED_PACKAGES)
    on_disk = {
        str(path.relative_to(PACKAGE))
        for path in tracked_modules()
        if path.relative_to(PACKAGE).parts[0] in GENERATED_PACKAGES
    }
    assert on_disk == set(written)


@pytest.mark.parametrize(
    ("files", "complaint"),
    [
        ({"_client.py": MARK + ": generated\n"}, "_client.py: generated, outside"),
        ({"_generated/models.py": '"""Hand-written."""\n'}, "without the '# DO NOT EDIT' header"),
        ({"resources/extra.py": "x = 1\n"}, "resources/extra.py: in a generated package"),
    ],
)
def test_a_misplaced_module_is_reported(
    tmp_path: Path, files: dict[str, str], complaint: str
) -> None:
    paths = []
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    [found] = misplaced(tmp_path, paths)
    assert complaint in found


def _generated_client_imports(module: Path) -> set[str]:
    """``gototraining_api`` names a module imports (``models.TrainingTimes``, ``types.UNSET``,
    or a whole module such as ``api.trainings``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "gototraining_api" or node.module.startswith("gototraining_api."):
                inner = node.module.removeprefix("gototraining_api").lstrip(".")
                found |= {f"{inner}.{alias.name}".lstrip(".") for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {
                alias.name.removeprefix("gototraining_api").lstrip(".") or "gototraining_api"
                for alias in node.names
                if alias.name.split(".")[0] == "gototraining_api"
            }
    return found


def test_the_facade_uses_only_the_request_models_of_the_generated_client() -> None:
    """What docs/facade-architecture.md states: the request bodies the generated request
    builders name (one per operation body), and ``UNSET``; no endpoint module, no client."""
    bodies = _generated_client_imports(PACKAGE / "_generated" / "requests.py")
    assert len(bodies) == 7 and all(name.startswith("models.") for name in bodies), bodies
    used: dict[str, set[str]] = {}
    for module in tracked_modules():
        for name in _generated_client_imports(module):
            used.setdefault(name, set()).add(str(module.relative_to(PACKAGE)))
    assert set(used) - bodies == {"types.UNSET"}, {n: used[n] for n in set(used) - bodies}
