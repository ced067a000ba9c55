"""Every Python block in README.md, CONTRIBUTING.md and docs/ runs (see ``markdown_code``)."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gototraining.sandbox import Sandbox

from .markdown_code import (
    PLACEHOLDERS,
    Block,
    MarkerError,
    blocks,
    loopback_only,
    python_blocks,
    run_page,
)

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(
    [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "docs").rglob("*.md")],
    key=lambda p: str(p),
)
RUNNABLE = [p for p in PAGES if any(b.skip_reason is None for b in python_blocks(p))]
SKIPPED = [b for p in PAGES for b in python_blocks(p) if b.skip_reason is not None]


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """Pages may configure logging (the errors guide does); later tests must not inherit it."""
    root, sdk = logging.getLogger(), logging.getLogger("gototraining")
    saved = (root.level, list(root.handlers), sdk.level)
    yield
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]
    sdk.setLevel(saved[2])


@pytest.mark.parametrize("page", RUNNABLE, ids=_rel)
@pytest.mark.usefixtures("restored_logging")
def test_page_code_runs(
    page: Path,
    gototraining_sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sb = gototraining_sandbox
    monkeypatch.setenv("GOTO_ACCESS_TOKEN", sb.token)
    monkeypatch.setenv("GOTO_ORGANIZER_KEY", sb.organizer_key)
    monkeypatch.setenv("GOTO_BASE_URL", sb.url)
    monkeypatch.chdir(tmp_path)
    placeholders = dict(
        zip(
            PLACEHOLDERS,
            (sb.token, sb.organizer_key, sb.client_id, sb.client_secret, sb.refresh_token),
            strict=True,
        )
    )
    namespace: dict[str, Any] = {"__name__": f"docs:{_rel(page)}", **placeholders}
    with sb.client() as client:  # the gototraining_client fixture's client
        fixtures = {
            "gototraining_sandbox": sb,
            "gototraining_client": client,
            "gototraining_organizers": sb.organizers(),
            "tmp_path": tmp_path,
        }
        run_page(python_blocks(page), namespace, fixtures)


@pytest.mark.parametrize("block", SKIPPED, ids=lambda b: f"{_rel(b.path)}:{b.line}")
def test_skipped_block(block: Block) -> None:
    """Skipped blocks are listed in the summary with their reason."""
    pytest.skip(f"{_rel(block.path)}:{block.line}: {block.skip_reason}")


def test_the_pages_have_python_to_run() -> None:
    """The runner finds the guides' code (an extraction bug must not pass silently)."""
    names = {_rel(p) for p in RUNNABLE}
    assert {"README.md", "docs/quickstart.md", "docs/testing.md"} <= names
    assert sum(len(python_blocks(p)) for p in PAGES) >= 30


def test_skips_are_rare() -> None:
    total = sum(len(python_blocks(p)) for p in PAGES)
    assert len(SKIPPED) <= max(3, total // 10), [b.location for b in SKIPPED]


# -- the runner itself ----------------------------------------------------------------------

PAGE = """\
# Title

```python
x = 1
```

- a list item:

  ```python
  y = x + 1
  ```

<!-- docs-test: skip: needs a browser -->
```python
raise SystemExit("never runs")
```

```bash
exit 1
```

```python
def test_uses_fixture(tmp_path):
    (tmp_path / "out.txt").write_text(str(y))
```
"""


def test_blocks_are_found_with_lines_markers_and_indentation(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    found = blocks(page)
    assert [(b.language, b.line, b.skip_reason) for b in found] == [
        ("python", 4, None),
        ("python", 10, None),
        ("python", 15, "needs a browser"),
        ("bash", 19, None),
        ("python", 23, None),
    ]
    assert found[1].code == "y = x + 1\n"
    namespace: dict[str, Any] = {}
    called = run_page(python_blocks(page), namespace, {"tmp_path": tmp_path})
    assert called == ["test_uses_fixture"]
    assert namespace["y"] == 2
    assert (tmp_path / "out.txt").read_text() == "2"


def test_a_failing_block_fails_with_its_location(tmp_path: Path) -> None:
    page = tmp_path / "broken.md"
    page.write_text("intro\n\n```python\nok = 1\nraise RuntimeError('docs are wrong')\n```\n")
    with pytest.raises(RuntimeError, match="docs are wrong") as info:
        run_page(python_blocks(page), {}, {})
    frame = info.traceback[-1]
    assert Path(frame.path) == page and frame.lineno + 1 == 5


def test_a_failing_doc_test_function_fails(tmp_path: Path) -> None:
    page = tmp_path / "t.md"
    page.write_text("```python\ndef test_wrong():\n    assert 1 == 2\n```\n")
    with pytest.raises(AssertionError):
        run_page(python_blocks(page), {}, {})


@pytest.mark.parametrize(
    "marker", ["<!-- docs-test: skip -->", "<!-- docs-test: skip:   -->", "<!-- docs-test: run -->"]
)
def test_bad_markers_are_rejected(tmp_path: Path, marker: str) -> None:
    page = tmp_path / "m.md"
    page.write_text(f"{marker}\n```python\npass\n```\n")
    with pytest.raises(MarkerError):
        blocks(page)


def test_only_loopback_resolves_while_docs_run() -> None:
    real = socket.getaddrinfo
    with loopback_only():
        with pytest.raises(OSError, match="only loopback"):
            socket.getaddrinfo("api.getgo.com", 443)
        assert socket.getaddrinfo("127.0.0.1", 80)
    assert socket.getaddrinfo is real
