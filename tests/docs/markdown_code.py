"""Find and run the Python blocks of the Markdown documentation (README, CONTRIBUTING, docs/).

Rules for writers (also in CONTRIBUTING.md):

- Every fenced block tagged ``python`` runs; blocks in other languages (``bash``, ``text``) do not.
- The blocks of one page run in order in one namespace, like a notebook: a later block may use
  what an earlier one defined.
- They run against a fresh sandbox: ``GOTO_ACCESS_TOKEN``, ``GOTO_ORGANIZER_KEY`` and
  ``GOTO_BASE_URL`` point at it, so ``GoToTraining()`` talks to it, and the names in
  ``PLACEHOLDERS`` stand for the reader's own values. Nothing leaves the machine: host names
  other than loopback fail to resolve.
- Functions named ``test_*`` that a block defines are then called, with the fixtures named in
  ``FIXTURES`` as arguments.
- A block that cannot run (it needs a browser or live credentials) is preceded by
  ``<!-- docs-test: skip: <why> -->``; the reason is required and shows in pytest's summary.
"""

from __future__ import annotations

import inspect
import re
import socket
import textwrap
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Names a page may use without defining them: the reader's own values (the sandbox's in tests).
PLACEHOLDERS = ("access_token", "organizer_key", "client_id", "client_secret", "refresh_token")
#: Fixtures a ``test_*`` function in a page may ask for.
FIXTURES = ("gototraining_sandbox", "gototraining_organizers", "tmp_path")

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)[ \t]*(?P<info>[^\s`]*)")
_MARKER = re.compile(r"^\s*<!--\s*docs-test:\s*(?P<body>.*?)\s*-->\s*$")


class MarkerError(ValueError):
    """A ``docs-test`` comment this runner does not understand."""


@dataclass(frozen=True)
class Block:
    """One fenced code block: where it starts (1-based line of its first code line)."""

    path: Path
    line: int
    language: str
    code: str
    skip_reason: str | None = None

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"


def blocks(path: Path, text: str | None = None) -> list[Block]:
    """Every fenced block of a Markdown file, with its skip marker (if any)."""
    lines = (path.read_text(encoding="utf-8") if text is None else text).splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        indent, fence, info = match["indent"], match["fence"], match["info"].lower()
        start = i + 1
        end = start
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        body = [line.removeprefix(indent) for line in lines[start:end]]
        found.append(
            Block(
                path,
                start + 1,
                info,
                textwrap.dedent("\n".join(body)) + "\n",
                _skip_reason(lines, i),
            )
        )
        i = end + 1
    return found


def _skip_reason(lines: list[str], fence_index: int) -> str | None:
    j = fence_index - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    if j < 0:
        return None
    marker = _MARKER.match(lines[j])
    if not marker:
        return None
    kind, _, reason = marker["body"].partition(":")
    if kind.strip() != "skip":
        raise MarkerError(
            f"{lines[j].strip()!r}: the only marker is '<!-- docs-test: skip: <why> -->'"
        )
    if not reason.strip():
        raise MarkerError(f"{lines[j].strip()!r}: a skip needs a reason")
    return reason.strip()


def python_blocks(path: Path) -> list[Block]:
    """The ``python`` blocks of a page (``py`` and ``python3`` count too)."""
    return [b for b in blocks(path) if b.language in ("python", "py", "python3")]


def _is_loopback(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    return isinstance(host, str) and (
        host in ("localhost", "::1") or host.startswith("127.") or host == ""
    )


@contextmanager
def loopback_only() -> Iterator[None]:
    """Refuse to resolve any host but loopback while documentation code runs."""
    real = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback(host):
            raise OSError(f"documentation code tried to reach {host!r}; only loopback is allowed")
        return real(host, *args, **kwargs)

    socket.getaddrinfo = guarded
    try:
        yield
    finally:
        socket.getaddrinfo = real


def run_page(
    page: list[Block], namespace: dict[str, Any], fixtures: Mapping[str, object]
) -> list[str]:
    """Run a page's blocks in order in ``namespace``, then its ``test_*`` functions.

    Returns the names of the test functions it called. A failure propagates with the block's
    ``file:line`` in the traceback.
    """
    called: list[str] = []
    with loopback_only():
        for block in page:
            if block.skip_reason is not None:
                continue
            # Offset the line numbers so tracebacks point into the Markdown file.
            source = "\n" * (block.line - 1) + block.code
            before = set(namespace)
            exec(compile(source, str(block.path), "exec"), namespace)  # noqa: S102 - our own docs
            for name in [n for n in namespace if n not in before and n.startswith("test_")]:
                test: Callable[..., object] = namespace[name]
                params = inspect.signature(test).parameters
                unknown = [p for p in params if p not in fixtures]
                if unknown:
                    raise TypeError(f"{block.location}: {name} asks for unknown fixtures {unknown}")
                test(**{p: fixtures[p] for p in params})
                called.append(name)
    return called
