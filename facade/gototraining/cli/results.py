"""The results file of a bulk import: complete and consistent at every moment, at a cost per row
that does not grow with the file.

It knows nothing about registering: it takes a table (a header and one row per input row),
then updates of single rows, and keeps them on disk. ``ResultsFile`` is the whole
interface: ``begin(rows)``, ``update(index, row)`` for every row whose outcome is known, and
``close()`` -- which also runs after Ctrl-C or an error.

How a regular file is kept (``Output.replaceable``):

* ``begin`` writes the complete table atomically (temporary file, fsync, rename) and starts
  the *journal* ``<results>.journal`` next to it: the same header, then one line per
  ``update`` -- the row's new content, identified by its first column (``line``). Appending a
  line costs the same at row 10 as at row 100,000, and it is on disk (in the OS's cache)
  before the next request goes out, so not even ``kill -9`` loses it.
* In the background, the table is rewritten atomically (a *snapshot*) whenever the rows
  updated since the last one reach an eighth of the table. A rewrite costs time proportional
  to the table, and so does the number of updates between two of them: the cost per row stays
  constant, and the snapshot work runs on its own thread, not on the caller's (event loop).
* ``close`` writes the final table atomically and deletes the journal.

So the results file itself is always a complete CSV listing every input row (``pending``
until known) that is never torn; after a hard kill it may lag behind by at most an eighth of
the rows, and ``journal`` lines override its rows (``load_results`` reads both). The next
import starts a fresh journal (the API, not the file, tells it who is registered).

A destination that is not a regular file (stdout, a pipe) cannot be rewritten: it gets the
final table once, at ``close``.

Cells are guarded against formula injection unless ``raw`` (``csvio.guard_cell``).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from .csvio import CsvWriter, csv_bytes
from .outputs import Output, refuse_planted

__all__ = ["JOURNAL_SUFFIX", "SNAPSHOT_FRACTION", "ResultsFile", "journal_path", "load_results"]

JOURNAL_SUFFIX = ".journal"

#: A background snapshot is written once this fraction of the rows changed since the last one.
SNAPSHOT_FRACTION = 1 / 8


def journal_path(results: Path) -> Path:
    """Where the journal of the results file ``results`` lives."""
    return results.with_name(results.name + JOURNAL_SUFFIX)


class ResultsFile:
    """A results table kept up to date at ``output`` (see the module docstring)."""

    def __init__(self, output: Output, header: Sequence[str], *, raw: bool = False) -> None:
        self.output = output
        self.header = tuple(header)
        self.raw = raw
        self._rows: list[tuple[str, ...]] = []
        self._journal: IO[str] | None = None
        self._writer: CsvWriter | None = None
        self._threshold = 1
        self._since_snapshot = 0
        self._snapshot_thread: threading.Thread | None = None
        #: The error of the last background snapshot, if it failed (the journal still has every
        #: update, and ``close`` writes the whole table again).
        self.snapshot_error: BaseException | None = None
        #: Whether ``begin`` ran: the table exists at the destination (or will, for a stream).
        self.started = False
        self._open = False
        #: Snapshots written in the background.
        self.snapshots = 0

    # -- the interface -------------------------------------------------------------------------

    def begin(self, rows: Sequence[Sequence[str]]) -> None:
        """Write the complete table (every row, e.g. ``pending``) and start the journal."""
        self._rows = [tuple(row) for row in rows]
        self._threshold = max(1, int(len(self._rows) * SNAPSHOT_FRACTION))
        if self.output.replaceable:
            self.output.write(self._table(self._rows))
            assert self.output.file is not None
            # Line-buffered text: every update reaches the OS with its own write().
            self._journal = _new_journal(journal_path(self.output.file))
            self._writer = CsvWriter(self._journal, raw=self.raw)
            self._writer.writerow(self.header, header=True)
        self.started = self._open = True

    def update(self, index: int, row: Sequence[str]) -> None:
        """Row ``index`` now reads ``row``: appended to the journal at once; a background
        snapshot is started when enough rows changed."""
        values = tuple(row)
        self._rows[index] = values
        if self._writer is None:
            return
        self._writer.writerow(values)
        self._since_snapshot += 1
        if self._since_snapshot >= self._threshold and not self._snapshot_running():
            self._since_snapshot = 0
            rows = list(self._rows)  # a consistent copy: rows are replaced, never mutated
            self._snapshot_thread = threading.Thread(
                target=self._snapshot, args=(rows,), name="results-snapshot", daemon=True
            )
            self._snapshot_thread.start()

    def close(self) -> None:
        """Write the final table (atomically for a regular file) and delete the journal."""
        if not self._open:
            return
        self.wait_for_snapshot()
        self.output.write(self._table(self._rows))
        if self._journal is not None:
            self._journal.close()
            self._journal = self._writer = None
            assert self.output.file is not None
            with contextlib.suppress(FileNotFoundError):
                journal_path(self.output.file).unlink()
        self._open = False

    # -- internals -----------------------------------------------------------------------------

    def _table(self, rows: Sequence[Sequence[str]]) -> bytes:
        return csv_bytes(self.header, rows, raw=self.raw)

    def _snapshot_running(self) -> bool:
        return self._snapshot_thread is not None and self._snapshot_thread.is_alive()

    def _snapshot(self, rows: list[tuple[str, ...]]) -> None:
        try:
            self.output.write(self._table(rows))
            self.snapshots += 1
        except Exception as exc:  # noqa: BLE001 - kept for the caller; the journal has it all
            self.snapshot_error = exc

    def wait_for_snapshot(self) -> None:
        """Block until a background snapshot in progress (if any) is written."""
        thread = self._snapshot_thread
        if thread is not None:
            thread.join()
        self._snapshot_thread = None


def _new_journal(path: Path) -> IO[str]:
    """A new, private journal file at ``path`` (line-buffered text).

    Whatever is there goes first -- the journal of an import that was killed, or a symlink
    another user planted to have it written through (``unlink`` removes a link, never its
    target) -- and the file is created with ``O_EXCL | O_NOFOLLOW``, mode 0600: it is never
    anything but a new file of this user's.
    """
    refuse_planted(path)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), 0o600)
    return os.fdopen(fd, "w", encoding="utf-8", newline="", buffering=1)


def load_results(path: Path) -> list[dict[str, str]]:
    """The rows of a results file as they stand: the file, with the lines of its journal (if
    an import was killed) applied on top. Cells are returned as written (guarded)."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    journal = journal_path(path)
    try:
        text = journal.read_text(encoding="utf-8")
    except FileNotFoundError:
        return rows
    if not text.endswith("\n"):  # a line torn by the kill: everything before it is whole
        text = text[: text.rfind("\n") + 1]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    key = reader.fieldnames[0] if reader.fieldnames else None
    position = {row[key]: i for i, row in enumerate(rows)} if key else {}
    for update in reader:
        assert key is not None
        if update[key] in position:
            rows[position[update[key]]] = update
    return rows
