"""``gototraining.read_people_csv``: the CLI's people-file reader, public; its rows go into
``register_many(..., invalid="report")`` as they are."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import pytest
from gototraining import (
    Person,
    PersonRow,
    RegistrationOutcome,
    ValidationError,
    read_people_csv,
)
from gototraining.sandbox import Sandbox

SPREADSHEET = (
    "\ufeffE-mail Address,First Name,Last Name,Team\n"
    " ada@example.com ,Ada,Lovelace,A\n"
    "not-an-email,Bad,Email,A\n"
    "\n"
    '"grace@example.com","Grace ""Amazing""",Hopper,B\n'
    "ADA@example.com,Ada,Again,B\n"
    "alan@example.com,,Turing,C\n"
    '"multi\nline@example.com",M,L,C\n'
    "short@example.com,OnlyGiven\n"
    "'=x@example.com,'@Eve,''=Guarded,D\n"
)


def test_rows_carry_their_line_person_and_problems(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(SPREADSHEET, encoding="utf-8")
    rows = list(read_people_csv(path))
    assert [row.line for row in rows] == [2, 3, 5, 6, 7, 8, 10, 11]
    assert rows[0] == PersonRow(2, Person("ada@example.com", "Ada", "Lovelace"))
    assert rows[0].ok and rows[0].problems == ()
    assert rows[1].problems == ("email: expected an email address, got 'not-an-email'",)
    assert rows[2].person == Person("grace@example.com", 'Grace "Amazing"', "Hopper")
    assert rows[3].problems == ("duplicate email 'ADA@example.com' (first on line 2)",)
    assert rows[4].problems == ("given_name: must not be empty",)
    assert rows[4].person == Person("alan@example.com", "", "Turing")
    assert rows[5].line == 8 and not rows[5].ok  # a quoted field over two lines
    assert rows[6].person == Person("short@example.com", "OnlyGiven", "")
    assert rows[6].problems == ("surname: must not be empty",)
    assert rows[7].person == Person("=x@example.com", "@Eve", "'=Guarded")  # guards undone
    assert [row.ok for row in rows] == [True, False, True, False, False, False, False, True]


@pytest.mark.parametrize("kind", ["str", "path", "text", "binary"])
def test_reads_a_path_or_an_open_file(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(SPREADSHEET.encode("utf-8"))
    if kind in ("str", "path"):
        rows = list(read_people_csv(str(path) if kind == "str" else path))
    else:
        fh: IO[Any] = (
            path.open("rb") if kind == "binary" else path.open(newline="", encoding="utf-8")
        )
        with fh:
            rows = list(read_people_csv(fh))
            assert not fh.closed  # the caller's file stays the caller's
    assert len(rows) == 8 and rows[0].person.email == "ada@example.com"
    assert rows[5].line == 8


def test_a_string_stream_and_header_spellings() -> None:
    for header in ("email,given_name,surname", "Email,givenName,Surname", "mail,first,last"):
        text = f"{header}\nann@example.com,Ann,Lee\n"
        (row,) = read_people_csv(io.StringIO(text, newline=""))
        assert row == PersonRow(2, Person("ann@example.com", "Ann", "Lee"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"email,name\nx@example.com,X\n", "people.csv: line 1: the header needs the columns"),
        (b"", "people.csv: empty file"),
        (b"\n\n", "people.csv: empty file"),
        (b"email,given_name,surname\n\xff\xfe,x,y\n", "people.csv: not text in utf-8"),
        (b'email,given_name,surname\na@example.com,"' + b"x" * 200_000 + b'",y\n', "not valid CSV"),
    ],
    ids=["missing-columns", "empty", "blank", "not-utf8", "field-too-large"],
)
def test_an_unusable_file_is_a_validation_error(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(content)
    with pytest.raises(ValidationError) as caught:
        list(read_people_csv(path))
    assert message in str(caught.value)
    assert caught.value.param == str(path)


def test_a_header_only_file_has_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("email,given_name,surname\n", encoding="utf-8")
    assert list(read_people_csv(path)) == []


def test_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        list(read_people_csv(tmp_path / "nope.csv"))


def test_a_row_passes_exactly_when_register_many_accepts_it() -> None:
    """Both use the facade's one rule: a row without problems is never INVALID, and one with
    problems always is (the reader's own checks -- duplicates -- included)."""
    from gototraining._builders.registrants import _people

    rows = list(read_people_csv(io.StringIO(SPREADSHEET, newline="")))
    checked = _people([row.person for row in rows])
    assert [isinstance(c, Person) for c in checked] == [row.ok for row in rows]


def test_two_hundred_rows_with_five_bad_ones_end_to_end(
    tmp_path: Path, gototraining_sandbox: Sandbox
) -> None:
    sb = gototraining_sandbox
    path = tmp_path / "people.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Email", "First Name", "Last Name"])
        for i in range(200):
            bad = {17: ("nope", "A", "B"), 60: ("p1@example.com", "Dup", "Licate")}
            bad |= {99: ("x@example.com", "", "B"), 150: ("", "A", "B")}
            bad |= {199: ("y@example.com", "A", "C" * 200)}
            writer.writerow(bad.get(i, (f" p{i}@example.com", f"Given{i}", f"Surname{i}")))
    rows = list(read_people_csv(path))
    assert [row.line for row in rows if not row.ok] == [19, 62, 101, 152, 201]
    start = datetime(2031, 1, 1, 9, tzinfo=UTC)
    with sb.client() as client:
        key = client.trainings.create(
            name="CSV", times=[(start, start.replace(hour=10))], time_zone="UTC"
        )
        results = client.registrants.register_many(
            key, [row.person for row in rows], invalid="report"
        )
    by_outcome = {o: [r for r in results if r.outcome is o] for o in RegistrationOutcome}
    assert len(by_outcome[RegistrationOutcome.REGISTERED]) == 195
    assert [rows[r.index].line for r in by_outcome[RegistrationOutcome.INVALID]] == [
        19,
        62,
        101,
        152,
        201,
    ]
    assert len(sb.registrants(key)) == 195
    assert sb.request_count("registerForTraining") == 195


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_a_semicolon_or_tab_separated_file_reads_like_a_comma_separated_one(
    tmp_path: Path, delimiter: str
) -> None:
    # What Excel saves as "CSV" where the decimal mark is a comma: semicolons, a BOM, CRLF.
    lines = [
        "\ufeffE-Mail|Vorname|First Name|Last Name",
        "",
        'ada@example.com|x|Ada|"Lovelace; Countess"',
        "bob@example.com|y|Bob|1,5",
        "ADA@example.com|z|Ada|Again",
    ]
    path = tmp_path / "people.csv"
    path.write_bytes("\r\n".join(lines).replace("|", delimiter).encode("utf-8") + b"\r\n")
    rows = list(read_people_csv(path))
    assert [row.line for row in rows] == [3, 4, 5]
    assert rows[0] == PersonRow(3, Person("ada@example.com", "Ada", "Lovelace; Countess"))
    assert rows[1] == PersonRow(4, Person("bob@example.com", "Bob", "1,5"))
    assert rows[2].problems == ("duplicate email 'ADA@example.com' (first on line 3)",)


def test_a_comma_header_keeps_semicolons_in_its_cells() -> None:
    text = "email,given_name,surname\nada@example.com,Ada;Jr,Lovelace;Byron\n"
    [row] = read_people_csv(io.StringIO(text, newline=""))
    assert row.person == Person("ada@example.com", "Ada;Jr", "Lovelace;Byron")
