"""``gototraining registrants import``: validation first, idempotence, interruption + resume."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from gototraining.cli.results import journal_path, load_results
from gototraining.sandbox import Sandbox

from .conftest import Run, read_results, write_people


def _emails(sb: Sandbox, training: str) -> Counter[str]:
    return Counter(r["email"] for r in sb.registrants(training))


def _posts(sb: Sandbox, since: int = 0) -> list[int]:
    """Statuses of the registration POSTs the sandbox answered, from log index ``since``
    (0: a connection reset). The sandbox answers a second registration of an email with 409,
    so the registrant list alone can never show a duplicate: this shows what was *sent*."""
    return [
        r.status
        for r in sb.requests[since:]
        if r.method == "POST" and r.path.endswith("/registrants")
    ]


def test_import_registers_everyone_and_writes_results(
    training: str, run: Run, tmp_path: Path, sb: Sandbox
) -> None:
    people = tmp_path / "people.csv"
    emails = write_people(people, 30)
    result = run("--rate-limit", "0", "registrants", "import", training, str(people))
    assert result.exit_code == 0, result.output
    assert "registered now     │     30" in result.stdout
    assert _emails(sb, training) == Counter(emails)
    assert sb.request_count("registerForTraining") == 30
    assert _posts(sb) == [201] * 30  # one POST per person, none refused as a duplicate
    rows = read_results(tmp_path / "people.results.csv")  # default: next to the input
    assert [r["email"] for r in rows] == emails  # input order
    assert [r["line"] for r in rows] == [str(i) for i in range(2, 32)]
    joins = {r["email"]: r["joinUrl"] for r in sb.registrants(training)}
    assert all(r["status"] == "registered" and r["join_url"] == joins[r["email"]] for r in rows)
    assert all(r["error"] == "" for r in rows)


def test_rerun_registers_nobody_twice_and_reports_who(
    training: str, run: Run, tmp_path: Path, sb: Sandbox
) -> None:
    people = tmp_path / "people.csv"
    emails = write_people(people, 6)
    assert run("registrants", "import", training, str(people)).exit_code == 0
    assert _posts(sb) == [201] * 6
    more = write_people(people, 8)  # two new people at the end
    sent = sb.request_count("registerForTraining")
    mark = len(sb.requests)
    result = run("registrants", "import", training, str(people), "--json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["registered"] == 2 and summary["already_registered"] == 6
    assert summary["already_registered_emails"] == emails
    assert sb.request_count("registerForTraining") - sent == 2  # only the new ones were sent
    assert _posts(sb, mark) == [201, 201]  # ... and nobody known was sent again (no 409)
    assert _emails(sb, training) == Counter(more)
    mark = len(sb.requests)
    human = run("registrants", "import", training, str(people))
    assert "already registered │      8" in human.stdout
    assert f"Already registered (8): {emails[0]}" in human.stdout
    assert _posts(sb, mark) == []  # a plain re-run sends no registration at all


def test_bad_rows_are_all_reported_and_nothing_is_sent(
    training: str, run: Run, tmp_path: Path, sb: Sandbox
) -> None:
    people = tmp_path / "people.csv"
    people.write_text(
        "\ufeffEmail,First Name,Last Name,Team\n"  # BOM + spreadsheet-style headers + extra column
        "ada@example.com,Ada,Lovelace,A\n"
        "not-an-email,Bad,Email,A\n"
        "\n"
        '"grace@example.com","Grace ""Amazing""",Hopper,B\n'
        "ADA@example.com,Ada,Again,B\n"
        "alan@example.com,,Turing,C\n"
        '"multi\nline@example.com",M,L,C\n'
        "short@example.com,OnlyGiven\n",
        encoding="utf-8",
    )
    sb.request_count()  # the fixture reset the log; the training fixture's POST is in it
    before = sb.request_count()
    result = run("registrants", "import", training, str(people))
    assert result.exit_code == 2
    errors = result.stderr.splitlines()
    assert errors == [
        f"{people}: line 3: email: expected an email address, got 'not-an-email'",
        f"{people}: line 6: duplicate email 'ADA@example.com' (first on line 2)",
        f"{people}: line 7: given_name is empty",
        f"{people}: line 8: email: expected an email address, got 'multi\\nline@example.com'",
        f"{people}: line 10: surname is empty",
        f"error: 5 bad row(s) in {people}; nothing was sent",
    ]
    assert sb.request_count("registerForTraining") == 0
    assert sb.request_count() == before  # not even the registrant list was fetched
    assert not (tmp_path / "people.results.csv").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("email,name\nx@example.com,X\n", "missing: given_name, surname"),
        ("", "empty file"),
        ("email,given_name,surname\n\n", "no people"),
    ],
)
def test_unusable_file_is_a_usage_error(
    training: str, run: Run, tmp_path: Path, sb: Sandbox, content: str, message: str
) -> None:
    people = tmp_path / "people.csv"
    people.write_text(content, encoding="utf-8")
    result = run("registrants", "import", training, str(people))
    assert result.exit_code == 2 and message in result.stderr
    missing = run("registrants", "import", training, str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
    assert sb.request_count("registerForTraining") == 0


def test_unknown_training_is_fatal_before_registering(
    env: Sandbox, run: Run, tmp_path: Path
) -> None:
    people = tmp_path / "people.csv"
    write_people(people, 3)
    result = run("registrants", "import", "77", str(people))
    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: 404 Not Found")
    assert not (tmp_path / "people.results.csv").exists()
    assert env.request_count("registerForTraining") == 0


def test_lost_response_is_replayed_and_found(
    training: str, run: Run, tmp_path: Path, sb: Sandbox
) -> None:
    """The API registered someone but the answer never arrived (connection reset): the facade
    replays the registration (``if_exists="return"`` is replay-safe), the API answers 409 and
    the row is ``already_registered``; a re-run registers nobody twice."""
    people = tmp_path / "people.csv"
    emails = write_people(people, 5)
    sb.faults.add("registerForTraining", reset=True, apply=True, times=1)
    first = run("registrants", "import", training, str(people), "--concurrency", "1")
    assert first.exit_code == 0, first.output
    rows = read_results(tmp_path / "people.results.csv")
    assert [r["status"] for r in rows] == ["already_registered"] + ["registered"] * 4
    assert all(r["join_url"] for r in rows)
    assert _emails(sb, training) == Counter(emails)  # applied once despite the lost answer
    # Sent: the lost one (reset), its replay (409: found, not created again), then the rest.
    assert _posts(sb) == [0, 409, 201, 201, 201, 201]
    mark = len(sb.requests)
    second = run("registrants", "import", training, str(people), "--json")
    assert second.exit_code == 0
    assert _posts(sb, mark) == []
    summary = json.loads(second.stdout)
    assert summary["registered"] == 0 and summary["already_registered"] == 5
    assert _emails(sb, training) == Counter(emails)
    rows = read_results(tmp_path / "people.results.csv")
    assert all(r["status"] == "already_registered" and r["join_url"] for r in rows)


def test_conflict_not_yet_listed_counts_as_already_registered(
    training: str, run: Run, tmp_path: Path, sb: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GoTo may serve a stale registrant list: a 409 for someone not listed is still 'already
    registered', never an error and never a second registration."""
    people = tmp_path / "people.csv"
    emails = write_people(people, 2)
    assert run("registrants", "import", training, str(people)).exit_code == 0
    from gototraining._generated import models as _models

    def stale_list(data: object) -> list[object]:  # every registrant list reads as empty
        return []

    monkeypatch.setattr(_models, "decode_registrant_list", stale_list)
    mark = len(sb.requests)
    result = run("registrants", "import", training, str(people), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["already_registered"] == 2
    assert _posts(sb, mark) == [409, 409]  # sent (the list hid them), refused, not created
    assert _emails(sb, training) == Counter(emails)


#: ``python -m gototraining.cli`` with Ctrl-C as a terminal delivers it: a test run started in
#: the background by a shell without job control inherits SIGINT ignored, and so would the CLI
#: (as after ``nohup``), which would then never see the test's SIGINT.
_MAIN_WITH_CTRL_C = (
    "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "runpy.run_module('gototraining.cli', run_name='__main__', alter_sys=True)"
)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", _MAIN_WITH_CTRL_C, *args]


#: A generous bound for waits that only end early when something is broken (a hang).
HANG = 120.0


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
def test_interrupted_import_resumes_without_duplicates(
    training: str, run: Run, tmp_path: Path, sb: Sandbox, sig: signal.Signals
) -> None:
    """Interrupted with exactly 10 registrations answered and 2 in flight, by construction:
    the sandbox lets 10 through, then holds every registration until the test releases it."""
    people = tmp_path / "people.csv"
    emails = write_people(people, 40)
    hold = sb.faults.add("registerForTraining", hold=True, after=10)
    proc = subprocess.Popen(
        _cli("--rate-limit", "0", "registrants", "import", training, str(people), "-c", "2"),
        env={**os.environ, "GOTO_BASE_URL": sb.url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        # Both workers wait on their 11th/12th registration: 10 outcomes are known.
        assert hold.wait_held(2, timeout=HANG), "the import never reached the held requests"
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=HANG)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    # The two held registrations reached the API before the signal; they are applied now,
    # after their client is gone -- the "answer lost" case the re-run must cope with.
    hold.release()
    assert hold.wait_idle(timeout=HANG)
    assert len(_emails(sb, training)) == 12
    assert _posts(sb) == [201] * 12  # one POST per person, none refused as a duplicate
    results_file = tmp_path / "people.results.csv"
    rows = read_results(results_file)  # a complete, parseable CSV, whatever the signal
    assert [r["email"] for r in rows] == emails
    assert {r["status"] for r in rows} <= {"registered", "pending"}
    now = load_results(results_file)  # the file plus, after kill -9, its journal
    assert Counter(r["status"] for r in now) == {"registered": 10, "pending": 30}
    assert [r["email"] for r in now if r["status"] == "registered"] == emails[:10]
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert b"interrupted: re-run the same command" in stderr
        assert b"not attempted" in stdout
        assert rows == now  # the final table was written; no journal is left
        assert not journal_path(results_file).exists()
    else:
        assert proc.returncode == -signal.SIGKILL
        assert journal_path(results_file).exists()
    sb.faults.clear()

    mark = len(sb.requests)
    result = run("--rate-limit", "0", "registrants", "import", training, str(people), "--json")
    assert result.exit_code == 0, result.output
    # The resumed run sends exactly the missing people, each once; nobody already registered
    # is sent again (that would show as 409s, which the registrant list alone cannot show).
    assert _posts(sb, mark) == [201] * 28
    summary = json.loads(result.stdout)
    assert summary["already_registered"] == 12
    assert summary["already_registered_emails"] == emails[:12]
    assert summary["registered"] == 28 and summary["failed"] == 0
    assert _emails(sb, training) == Counter(emails)  # everyone exactly once
    final = read_results(results_file)
    assert [r["status"] for r in final] == ["already_registered"] * 12 + ["registered"] * 28
    assert all(r["join_url"] for r in final)
    assert not journal_path(results_file).exists()  # the killed run's journal is gone too
    mark = len(sb.requests)
    assert run("registrants", "import", training, str(people)).exit_code == 0
    assert _posts(sb, mark) == []  # and a plain re-run sends none


def test_results_option_and_input_guard(training: str, run: Run, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    write_people(people, 2)
    same = run("registrants", "import", training, str(people), "--results", str(people))
    assert same.exit_code == 2
    out = tmp_path / "elsewhere.csv"
    assert run("registrants", "import", training, str(people), "--results", str(out)).exit_code == 0
    assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == 2


def test_fatal_error_midway_stops_and_keeps_a_consistent_results_file(
    training: str, run: Run, tmp_path: Path, sb: Sandbox
) -> None:
    """Errors that would hit every row alike (here: the training vanished, 404) stop the run
    instead of failing 20 rows one by one."""
    people = tmp_path / "people.csv"
    emails = write_people(people, 20)
    sb.faults.add("registerForTraining", statuses=[404], times=None)
    result = run("registrants", "import", training, str(people), "-c", "1")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith("error: 404 Not Found")
    assert sb.request_count("registerForTraining") == 1
    rows = read_results(tmp_path / "people.results.csv")
    assert [r["email"] for r in rows] == emails
    assert {r["status"] for r in rows} == {"pending"}
    sb.faults.clear()
    mark = len(sb.requests)
    assert run("registrants", "import", training, str(people)).exit_code == 0
    assert _emails(sb, training) == Counter(emails)
    assert _posts(sb, mark) == [201] * 20


def test_transient_errors_never_leave_a_registered_person_failed(
    training: str, run: Run, tmp_path: Path, sb: Sandbox
) -> None:
    """503 twice, a 429 with Retry-After, then a registration applied by the API whose answer
    is lost: the first run ends with everyone registered exactly once and no row failed --
    the facade retries what it can, the importer repeats a row whose retries ran out (safe:
    every POST uses ``if_exists="return"``)."""
    people = tmp_path / "people.csv"
    emails = write_people(people, 4)
    sb.faults.add("registerForTraining", statuses=[503, 503])
    sb.faults.add("registerForTraining", statuses=[429], retry_after=1)
    sb.faults.add("registerForTraining", reset=True, apply=True, times=1)
    first = run("--rate-limit", "0", "registrants", "import", training, str(people), "-c", "1")
    assert first.exit_code == 0, first.output
    rows = read_results(tmp_path / "people.results.csv")
    assert [r["email"] for r in rows] == emails
    assert [r["status"] for r in rows] == ["already_registered"] + ["registered"] * 3
    assert all(r["error"] == "" for r in rows)
    by_email = {r["email"]: r for r in sb.registrants(training)}
    assert _emails(sb, training) == Counter(emails)
    for row in rows:  # the lost-response person too: the registrant's own key and join URL
        registrant = by_email[row["email"]]
        assert row["registrant_key"] == str(registrant["registrantKey"])
        assert row["join_url"] == registrant["joinUrl"]
    # What was sent: 2x503 + 429 + the lost one + its replay (409) for the first person, then
    # one POST each for the other three.
    assert _posts(sb) == [503, 503, 429, 0, 409, 201, 201, 201]


def test_row_repeats_are_bounded_and_only_for_transient_errors(
    training: str, sb: Sandbox, tmp_path: Path
) -> None:
    """A row that keeps getting 503 is sent ``max_attempts`` times, then ``failed``; a row
    refused for good (400) is ``failed`` at once, without a repeat."""
    import asyncio

    from gototraining import AsyncGoToTraining, RetryPolicy
    from gototraining.cli.csvio import Person
    from gototraining.cli.importer import Importer

    people = [Person(2, "a@example.com", "A", "One"), Person(3, "b@example.com", "B", "Two")]
    sb.faults.add("registerForTraining", statuses=[503], times=3)
    sb.faults.add("registerForTraining", statuses=[400], times=1)
    start = len(sb.requests)
    no_retries = RetryPolicy(max_retries=0, backoff_base=0.001, backoff_max=0.001)

    async def go() -> Importer:
        async with AsyncGoToTraining(
            sb.token, organizer_key=sb.organizer_key, base_url=sb.url, retry_policy=no_retries
        ) as client:
            importer = Importer(client, training, people, concurrency=1, max_attempts=3)
            await importer.run()
            return importer

    importer = asyncio.run(go())
    assert [r.status for r in importer.results] == ["failed", "failed"]
    assert importer.results[0].error.startswith("503 ")
    assert importer.results[1].error.startswith("400 ")
    assert importer.counts() == {
        "registered": 0,
        "already_registered": 0,
        "failed": 2,
        "pending": 0,
    }
    assert _posts(sb, start) == [503, 503, 503, 400]
    assert sb.registrants(training) == []
