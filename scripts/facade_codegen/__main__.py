"""Generate the facade's spec-driven modules (run by ``scripts/regenerate.sh``).

::

    python -m scripts.facade_codegen --spec openapi/openapi3.yaml --out DIR

writes, below ``DIR`` (laid out like ``facade/gototraining``), the two generated packages and
nothing else (``GENERATED_PACKAGES``; every file starts with ``DO NOT EDIT``):

- ``_generated/`` (private): ``models.py``, enums, frozen attrs models and their fast and
  checked decoders; ``requests.py``, one request builder per operation (method, path, body);
  the sync twins of the hand-written async modules (``unasync.py``: ``deadline.py``,
  ``default_client.py``);
- ``resources/`` (public): ``__init__.py`` and ``<namespace>.py``, per namespace the sync and
  the async class, both printed from one description (``openapi/facade.yaml``, the
  hand-written builders in ``gototraining/_builders/`` and the per-call options of
  ``_options.py``).

The output is formatted with the project's pinned ruff, so it is byte-for-byte what ``make lint``
accepts; ``regenerate.sh --check`` compares it with the committed files.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from . import emit_models, emit_resources, unasync
from .spec import CodegenError, build, load_yaml

ROOT = Path(__file__).resolve().parents[2]

#: The packages this generator writes, relative to the facade package: each is wholly
#: generated (``regenerate.sh`` replaces it whole) and nothing outside them is.
GENERATED_PACKAGES = ("_generated", "resources")


def generate(spec_path: Path, mapping_path: Path, facade: Path) -> dict[str, str]:
    """``{relative path: source}`` of every generated facade module (unformatted)."""
    api = build(load_yaml(spec_path), load_yaml(mapping_path))
    files = {
        "_generated/__init__.py": emit_resources.emit_generated_init(),
        "_generated/models.py": emit_models.emit(api),
        "_generated/requests.py": emit_resources.emit_requests(api),
        "resources/__init__.py": emit_resources.emit_resources_init(api),
    }
    for ns in api.namespaces:
        files[f"resources/{ns.attr}.py"] = emit_resources.emit_namespace(api, ns, facade)
    files.update(unasync.twins(facade))
    return files


def _ruff(*args: str) -> None:
    ruff = Path(sys.executable).with_name("ruff")
    command = [
        str(ruff) if ruff.exists() else "ruff",
        *args,
        "--config",
        str(ROOT / "pyproject.toml"),
    ]
    env = {**os.environ, "RUFF_NO_CACHE": "true"}
    proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise CodegenError(f"{' '.join(command)} failed:\n{proc.stdout}{proc.stderr}")


def format_files(paths: list[Path] | list[str]) -> None:
    """Sort the imports of generated files and format them with the project's pinned ruff."""
    names = [str(path) for path in paths]
    _ruff("check", "--fix", "--select", "I", "--quiet", *names)
    _ruff("format", "--quiet", *names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--spec", type=Path, default=ROOT / "openapi" / "openapi3.yaml")
    parser.add_argument("--mapping", type=Path, default=ROOT / "openapi" / "facade.yaml")
    parser.add_argument("--facade", type=Path, default=ROOT / "facade" / "gototraining")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        files = generate(args.spec, args.mapping, args.facade)
    except CodegenError as exc:
        print(f"facade_codegen: {exc}", file=sys.stderr)
        return 1
    written = []
    for rel, text in files.items():
        target = args.out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(str(target))
    try:
        format_files(written)
    except CodegenError as exc:
        print(f"facade_codegen: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
