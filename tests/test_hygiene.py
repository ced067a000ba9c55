"""Comments and docs say why, never history: no issue or finding numbers anywhere."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

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
