"""Write the sync twin of a hand-written async module (what httpcore's ``scripts/unasync.py``
does for its ``_async/`` package).

Code that must exist for both flavors is written once, for the async one; this step derives
the sync module by renaming (``AsyncX`` -> ``X``, ``aclose`` -> ``close``, ``async def`` ->
``def``, ``await x`` -> ``x``, ... see ``RULES``) and by pointing imports of other twinned
modules at their twins. ``TWINS`` lists the modules, by path below ``facade/gototraining``; the
twins go into ``_generated/`` (DO NOT EDIT) with the rest of the generated code, and
``scripts/regenerate.sh --check`` keeps them current. To twin another module: write its async
half, add it to ``TWINS`` (and a rule to ``RULES`` for a name whose sync spelling the rules
do not yet give), regenerate, and import the sync names from the twin.

Two comments steer a line of the async original where renaming is not enough:

- ``# unasync: drop``: the line is not in the twin; if it opens a block (ends with ``:``, or
  with an opening bracket of a signature that spans lines), the block goes too (an event-loop check, an ``asyncio.timeout`` scope, a method only the
  async flavor has).
- ``# unasync: sync: <code>``: the twin has ``<code>`` here instead (same indentation), e.g.
  ``import asyncio  # unasync: sync: import time``.

```bash
python -m scripts.facade_codegen.unasync           # rewrite the twins in place
python -m scripts.facade_codegen.unasync --check   # exit 1 if a twin is stale
```
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

from .spec import CodegenError

PACKAGE = "gototraining"

#: Hand-written async module -> its generated sync twin (paths below facade/gototraining).
TWINS: dict[str, str] = {
    "_deadline.py": "_generated/deadline.py",
    "_default_client.py": "_generated/default_client.py",
    "_driver.py": "_generated/driver.py",
    "_gototraining.py": "_generated/gototraining.py",
}

#: Applied in order to every line. Names whose sync spelling is not the async one minus
#: ``Async`` / ``a`` come first.
RULES: list[tuple[str, str]] = [
    (r"\bAsyncByteStream\b", "SyncByteStream"),
    (r"\basyncio\.sleep\b", "time.sleep"),
    # read_async -> read_sync, run_batch_async -> run_batch_sync, async_download -> sync_download
    (r"\b(\w+)_async\b", r"\1_sync"),
    (r"\basync_(\w+)", r"sync_\1"),
    (r"\bAnyIOBackend\b", "SyncBackend"),
    (r"\bhandle_async_request\b", "handle_request"),
    (r"\b__aenter__\b", "__enter__"),
    (r"\b__aexit__\b", "__exit__"),
    (r"\b__aiter__\b", "__iter__"),
    (r"\b__anext__\b", "__next__"),
    (r"\baclose\b", "close"),
    (r"\baiter\(", "iter("),
    (r"\baread\b", "read"),
    (r"\baiter_bytes\b", "iter_bytes"),
    (r"\basynccontextmanager\b", "contextmanager"),
    (r"\basync def\b", "def"),
    (r"\basync with\b", "with"),
    (r"\basync for\b", "for"),
    (r"\bawait ", ""),
    (r"\bAsync(Transport|Resource)\b", r"Sync\1"),
    (r"\bAsynchronous\b", "Synchronous"),
    # AsyncClient, AsyncIterator, _AsyncDeadlineStream, DefaultAsyncHttpxClient
    (r"Async(?=[A-Z])", ""),
]
_COMPILED = [(re.compile(pattern), replacement) for pattern, replacement in RULES]
_FROM = re.compile(r"^(?P<indent>\s*)from (?P<dots>\.*)(?P<module>[\w.]*) import ")
_DROP = re.compile(r"\s*# unasync: drop\s*$")
_SYNC = re.compile(r"^(?P<indent>\s*).*?\s*# unasync: sync: (?P<code>.*?)\s*$")
_DOCSTRING = re.compile(r'\A(?P<before>(?:#.*\n|\s*\n)*)"""(?P<doc>.*?)"""\n', re.DOTALL)


def _module(path: str) -> str:
    """``gototraining._generated.deadline`` for ``_generated/deadline.py``."""
    parts = path.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([PACKAGE, *parts])


def _package(module: str, path: str) -> str:
    return module if path.endswith("__init__.py") else module.rpartition(".")[0]


def _absolute(dots: str, module: str, package: str) -> str:
    if not dots:
        return module
    base = package.split(".")
    if len(dots) > 1:
        base = base[: -(len(dots) - 1)]
    return ".".join([*base, *([module] if module else [])])


def _relative(target: str, package: str) -> str:
    """``target`` as a relative import from ``package`` (both inside ``gototraining``)."""
    here, there = package.split("."), target.split(".")
    common = 0
    while common < min(len(here), len(there)) and here[common] == there[common]:
        common += 1
    dots = "." * (len(here) - common + 1)
    return dots + ".".join(there[common:])


def _imports(line: str, source_package: str, target_package: str) -> str:
    """A relative import re-pointed from the source's package to the twin's, and at the twin
    of a twinned module."""
    match = _FROM.match(line)
    if match is None or not match["dots"]:
        return line
    absolute = _absolute(match["dots"], match["module"], source_package)
    twins = {_module(source): _module(twin) for source, twin in TWINS.items()}
    absolute = twins.get(absolute, absolute)
    return (
        f"{match['indent']}from {_relative(absolute, target_package)} import " + line[match.end() :]
    )


def unasync(text: str, source: str, target: str) -> str:
    """The sync twin of ``text`` (the module at ``source``), to be written at ``target``."""
    match = _DOCSTRING.match(text)
    if match is None:
        raise CodegenError(f"{source}: an async original starts with its module docstring")
    summary = match["doc"].strip().split("\n\n")[0]
    header = (
        f"# DO NOT EDIT: generated by scripts/facade_codegen (unasync.py) from\n"
        f"# gototraining/{source}, the async original. Change that file and run\n"
        f"# scripts/regenerate.sh.\n"
    )
    docstring = (
        f'"""{summary}\n\nThe sync twin of ``gototraining/{source}``, generated from it.\n"""\n'
    )
    body = text[match.end() :]
    source_package = _package(_module(source), source)
    target_package = _package(_module(target), target)
    lines = []
    for line in _steered(body.splitlines(keepends=True)):
        line = _imports(line, source_package, target_package)
        for pattern, replacement in _COMPILED:
            line = pattern.sub(replacement, line)
        lines.append(line)
    return header + _rename(docstring) + "".join(lines)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _steered(lines: list[str]) -> list[str]:
    """The lines as the ``# unasync:`` comments say: dropped (with the block a dropped line
    opens), or replaced by their sync code."""
    kept: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        dropped = _DROP.search(line)
        if dropped is not None:
            if line[: dropped.start()].rstrip().endswith((":", "(", "[", "{")):
                # and the block it opens (after a signature that spans lines)
                while index < len(lines) and (
                    not lines[index].strip()
                    or _indent(lines[index]) > _indent(line)
                    or lines[index].lstrip().startswith((")", "]", "}"))
                ):
                    index += 1
            continue
        sync = _SYNC.match(line)
        if sync is not None:
            line = f"{sync['indent']}{sync['code']}\n"
        kept.append(line)
    return kept


def _rename(text: str) -> str:
    for pattern, replacement in _COMPILED:
        text = pattern.sub(replacement, text)
    return text


def twins(facade: Path) -> dict[str, str]:
    """``{target path: source}`` of every sync twin (unformatted), from the async originals
    in ``facade`` (the ``gototraining`` package directory)."""
    return {
        target: unasync((facade / source).read_text(encoding="utf-8"), source, target)
        for source, target in TWINS.items()
    }


def main(argv: list[str] | None = None) -> int:
    from .__main__ import ROOT, format_files

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--facade", type=Path, default=ROOT / "facade" / "gototraining")
    parser.add_argument("--check", action="store_true", help="only report stale twins")
    args = parser.parse_args(argv)
    try:
        files = twins(args.facade)
        with tempfile.TemporaryDirectory() as work:
            written = []
            for rel, text in files.items():
                path = Path(work) / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                written.append(path)
            format_files(written)
            stale = []
            for rel in files:
                fresh = (Path(work) / rel).read_text(encoding="utf-8")
                committed = args.facade / rel
                if not committed.is_file() or committed.read_text(encoding="utf-8") != fresh:
                    stale.append(rel)
                    if not args.check:
                        committed.write_text(fresh, encoding="utf-8")
    except CodegenError as exc:
        print(f"unasync: {exc}", file=sys.stderr)
        return 1
    if args.check and stale:
        print(f"unasync: stale sync twins (run scripts/regenerate.sh): {', '.join(stale)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
