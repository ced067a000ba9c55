"""People-file validation is the facade's own rule (``registrants.person_field``), not a copy."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from gototraining import ValidationError
from gototraining._builders import registrants
from gototraining.cli.csvio import read_people


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
    people = read_people(_people_file(tmp_path / "p.csv", email, given, surname))
    assert bool(people.people) == _facade_accepts(email, given, surname)
    assert bool(people.bad_rows) != bool(people.people)


def test_the_name_limit_has_one_definition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Changing the facade's limit changes the CLI's check: there is no second copy to drift."""
    monkeypatch.setattr(registrants, "NAME_MAX", 5)
    people = read_people(_people_file(tmp_path / "p.csv", "ada@example.com", "Adelaide", "L"))
    (bad,) = people.bad_rows
    assert bad.reasons == ("given_name: at most 5 characters, got 8",)
