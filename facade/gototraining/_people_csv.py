"""``read_people_csv``: the people of a CSV file, as ``register_many`` takes them.

People files come from spreadsheets, so reading is forgiving where it is safe to be (a UTF-8
BOM, header spellings such as ``Email``, ``First Name``, ``givenName``, ``last_name``,
surrounding whitespace, blank lines, extra columns) and strict about content: every row is
checked with the rules ``registrants.register`` applies before sending, so a row without
problems will not fail validation in ``register_many``. Line numbers are 1-based physical
lines including the header (a quoted field spanning lines counts every line), as an editor
shows them.

A cell guarded against spreadsheet formula injection (``'=...``: a leading ``'`` that makes a
spreadsheet show the cell as text, as the CLI's exports write it) is read as the value it
guards, so an exported roster reads back unchanged.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
from collections.abc import Iterable, Iterator
from typing import IO

from ._builders.registrants import PERSON_FIELDS, Person, PersonField, person_field
from ._errors import ValidationError

__all__ = ["FORMULA_TRIGGERS", "PersonRow", "read_people_csv", "unguard_cell"]

#: First characters that make a spreadsheet evaluate a cell (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def unguard_cell(value: str) -> str:
    """A cell without the ``'`` that guards a formula-like value (``'=1+2`` -> ``=1+2``);
    any other value unchanged."""
    if value.startswith("'") and value.lstrip("'").startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


# Normalised header (lowercase, letters only) -> field.
_ALIASES: dict[str, PersonField] = {
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


class PersonRow:
    """One row of a people CSV (``read_people_csv``).

    Attributes:
        line: the physical line the row starts on (1 is the header).
        person: the row's cells as a ``Person`` (stripped; a missing cell is empty). For a
            row with problems too: ``register_many(..., invalid="report")`` reports it.
        problems: why the row cannot be registered (empty when it can), e.g.
            ``("email: expected an email address, got 'ann@'",)`` or
            ``("duplicate email 'ann@example.com' (first on line 3)",)``.
    """

    __slots__ = ("line", "person", "problems")

    line: int
    person: Person
    problems: tuple[str, ...]

    def __init__(self, line: int, person: Person, problems: Iterable[str] = ()) -> None:
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "person", person)
        object.__setattr__(self, "problems", tuple(problems))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"PersonRow is immutable (cannot set {name!r})")

    @property
    def ok(self) -> bool:
        """Whether the row has no problems."""
        return not self.problems

    def __eq__(self, other: object) -> bool:
        return type(other) is PersonRow and (other.line, other.person, other.problems) == (
            self.line,
            self.person,
            self.problems,
        )

    def __hash__(self) -> int:
        return hash((self.line, self.person, self.problems))

    def __repr__(self) -> str:
        problems = f", problems={self.problems!r}" if self.problems else ""
        return f"PersonRow(line={self.line}, person={self.person!r}{problems})"


def _normalise(header: str) -> str:
    return re.sub(r"[^a-z]", "", header.lower())


def _problem(field: PersonField, value: str) -> str | None:
    """``None`` if valid, else the reason (the rule ``register`` applies)."""
    if not value.strip():
        return f"{field}: must not be empty"
    try:
        person_field(field, value)
    except ValidationError as exc:
        return str(exc)
    return None


def _name(source: object) -> str:
    """How messages name the file: its path, else the open file's name."""
    if isinstance(source, str | os.PathLike):
        return str(os.fspath(source))
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else "<file>"


def _is_text(stream: object) -> bool:
    if isinstance(stream, io.TextIOBase):
        return True
    if isinstance(stream, io.RawIOBase | io.BufferedIOBase):
        return False
    return hasattr(stream, "encoding")


def read_people_csv(
    source: str | os.PathLike[str] | IO[str] | IO[bytes], *, encoding: str = "utf-8-sig"
) -> Iterator[PersonRow]:
    """The people of a CSV file, one ``PersonRow`` per row (blank rows skipped), with the
    line it starts on and its problems.

    The header names the columns ``email``, ``given_name`` and ``surname``, spelled in any
    of the usual ways (``Email``, ``E-mail address``, ``First Name``, ``givenName``,
    ``Last name``, ``family_name``, ...); other columns are ignored. Cells are separated by
    commas, or by semicolons or tabs (spreadsheets in many locales save "CSV" so): the
    header decides. Values lose their
    surrounding spaces. A row's problems are those ``register`` would refuse it for, and an
    email on an earlier row. Register the lot, reporting the invalid rows instead of
    refusing the file:

    ```python
    rows = list(gototraining.read_people_csv("people.csv"))
    results = client.registrants.register_many(
        key, [row.person for row in rows], invalid="report"
    )
    for row, result in zip(rows, results):
        print(row.line, result.outcome, result.error or "")
    ```

    Args:
        source: a path, or an open file: text (opened with ``newline=""``) or binary.
        encoding: of a path or a binary file; the default reads UTF-8 with or without a BOM.

    Raises:
        ValidationError: the file as a whole is unusable (no header, a required column
            missing, not CSV, not in ``encoding``), naming the file and the line; rows read
            before the problem have been yielded.
        OSError: the path cannot be opened.
    """
    name = _name(source)
    if isinstance(source, str | os.PathLike):
        with open(source, newline="", encoding=encoding) as fh:
            yield from _rows(fh, name)
    elif _is_text(source):
        yield from _rows(source, name)  # type: ignore[arg-type]  # IO[str]: _is_text said so
    else:
        text = io.TextIOWrapper(source, encoding=encoding, newline="")  # type: ignore[type-var]
        try:
            yield from _rows(text, name)
        finally:
            text.detach()  # the caller's file stays open


#: Cell separators a people file may use: spreadsheets in locales whose decimal mark is a
#: comma (German, French, ... Excel) save "CSV" with semicolons; some tools export tabs.
_DELIMITERS = (",", ";", "\t")


def _delimiter(header: str) -> str:
    """The separator that makes the most known columns of the header line (a comma when none
    does better): the header is the one line whose cells are known in advance."""

    def known(delimiter: str) -> int:
        cells = next(csv.reader([header], delimiter=delimiter), [])
        return len({_ALIASES.get(_normalise(cell)) for cell in cells} - {None})

    return max(_DELIMITERS, key=known)  # max keeps the first of equals: the comma


def _rows(lines: Iterable[str], name: str) -> Iterator[PersonRow]:
    source = iter(lines)
    # The header is the first line with any text: peek at it for the separator, then hand
    # every line read so far to the reader, so that line numbers stay physical.
    peeked: list[str] = []
    try:
        for text in source:
            peeked.append(text)
            if text.strip("\ufeff \t\r\n"):
                break
    except UnicodeDecodeError as exc:
        raise ValidationError(name, f"not text in {exc.encoding} ({exc.reason})") from None
    delimiter = _delimiter(peeked[-1].removeprefix("\ufeff")) if peeked else ","
    reader = csv.reader(itertools.chain(peeked, source), delimiter=delimiter)
    columns: dict[PersonField, int] | None = None
    seen: dict[str, int] = {}
    try:
        while True:
            line = reader.line_num + 1  # the physical line this row starts on
            try:
                row = next(reader)
            except StopIteration:
                break
            if columns is None and row:
                row[0] = row[0].removeprefix("\ufeff")  # a BOM the text stream kept
            if not any(cell.strip() for cell in row):
                continue  # blank line (or a row of empty cells)
            if columns is None:
                columns = {}
                for index, header in enumerate(row):
                    field = _ALIASES.get(_normalise(header))
                    if field and field not in columns:
                        columns[field] = index
                missing = [f for f in PERSON_FIELDS if f not in columns]
                if missing:
                    raise ValidationError(
                        name,
                        f"line {line}: the header needs the columns {', '.join(PERSON_FIELDS)} "
                        f"(missing: {', '.join(missing)}; found: "
                        f"{', '.join(h.strip() for h in row)})",
                    )
                continue
            values = [
                unguard_cell(row[columns[f]]).strip() if columns[f] < len(row) else ""
                for f in PERSON_FIELDS
            ]
            person = Person(*values)
            problems = [
                p
                for f, value in zip(PERSON_FIELDS, values, strict=True)
                if (p := _problem(f, value))
            ]
            if not problems:
                first = seen.setdefault(person.email.casefold(), line)
                if first != line:
                    problems.append(f"duplicate email {person.email!r} (first on line {first})")
            yield PersonRow(line, person, problems)
    except csv.Error as exc:
        raise ValidationError(name, f"line {reader.line_num}: not valid CSV ({exc})") from None
    except UnicodeDecodeError as exc:
        # Decoded a chunk at a time: the line is not known.
        raise ValidationError(name, f"not text in {exc.encoding} ({exc.reason})") from None
    if columns is None:
        raise ValidationError(name, f"empty file (expected a header: {','.join(PERSON_FIELDS)})")
