"""Check that the templates in ``openapi/templates/`` follow the pinned generator's own.

Each is a copy of one of openapi-python-client's templates with a change of ours, and names the
copy in its header (``upstream: openapi-python-client <version> templates/<path> sha256 <hash>``).
When the pinned generator's template changes, the copy is stale: re-copy it and re-apply the
change (the header says what it is). ``scripts/regenerate.sh`` runs this before generating, with
the pinned generator installed::

    python -m scripts.openapi_templates
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "openapi" / "templates"
UPSTREAM = re.compile(
    r"upstream: openapi-python-client (?P<version>\S+) templates/(?P<path>\S+) "
    r"sha256 (?P<sha256>[0-9a-f]{64})"
)


def stale(ours: Path, upstream: Path, version: str) -> list[str]:
    """What is wrong with the templates in ``ours`` against the generator's ``upstream``
    templates directory (the generator at ``version``)."""
    problems = []
    templates = sorted(ours.rglob("*.jinja"))
    if not templates:
        problems.append(f"no templates in {ours}")
    for template in templates:
        rel = str(template.relative_to(ours))
        header = UPSTREAM.search(template.read_text(encoding="utf-8"))
        if header is None:
            problems.append(
                f"{rel}: no 'upstream: ...' line naming the template it was copied from"
            )
            continue
        if header["path"] != rel:
            problems.append(f"{rel}: copied from templates/{header['path']}, not from its own path")
        if header["version"] != version:
            problems.append(f"{rel}: copied from {header['version']}, the generator is {version}")
        original = upstream / header["path"]
        if not original.is_file():
            problems.append(f"{rel}: the generator has no templates/{header['path']}")
        elif hashlib.sha256(original.read_bytes()).hexdigest() != header["sha256"]:
            problems.append(f"{rel}: changed upstream; re-copy it and re-apply our change")
    return problems


def main() -> int:
    from importlib.metadata import version

    import openapi_python_client

    upstream = Path(openapi_python_client.__file__).parent / "templates"
    problems = stale(TEMPLATES, upstream, version("openapi-python-client"))
    for problem in problems:
        print(f"openapi/templates/{problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
