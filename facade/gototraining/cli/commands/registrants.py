"""``gototraining registrants list|show|add|export|import|cancel``."""

from __future__ import annotations

import asyncio
import enum
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from gototraining import GoToTrainingError

from ..context import State, UsageError
from ..csvio import (
    RESULT_FIELDS,
    ROSTER_FIELDS,
    PeopleFile,
    Result,
    bad_row_text,
    csv_bytes,
    read_people,
    roster_rows,
)
from ..errors import report
from ..importer import Importer, after_listing
from ..output import (
    LACKED,
    console,
    err_console,
    fmt_dt,
    key_only,
    plain,
    print_json,
    print_key,
    registrants_table,
    shown,
    text_of,
    to_jsonable,
)
from ..outputs import STDOUT, refuse_planted
from ..results import ResultsFile, journal_path
from ..sanitize import printable
from . import (
    JsonFlag,
    QuietFlag,
    RawCsvFlag,
    TrainingArg,
    new_app,
    output_file,
    parse_key,
    state,
)

if TYPE_CHECKING:
    from gototraining import PersonRow

__all__ = ["app"]

app = new_app("Register people (one or in bulk), list, show, export and cancel registrants.")

RegistrantArg = Annotated[
    str, typer.Argument(metavar="REGISTRANT", help="Registrant key.", show_default=False)
]


class IfExistsChoice(enum.StrEnum):
    """What ``registrants add`` does when the email is already registered."""

    fail = "fail"
    show = "show"


#: Exit code after Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130

#: The people file name that means standard input.
STDIN = "-"


@app.command("list")
def list_(ctx: typer.Context, training: TrainingArg, json: JsonFlag = False) -> None:
    """The training's roster (the API may serve it from a cache up to 2 hours old)."""
    key = parse_key(training, "TRAINING")
    with state(ctx).client() as client:
        registrants = client.registrants.list(key)
    if json:
        print_json(registrants)
    else:
        console().print(registrants_table(registrants, f"{len(registrants)} registrant(s)"))


@app.command()
def show(
    ctx: typer.Context, training: TrainingArg, registrant: RegistrantArg, json: JsonFlag = False
) -> None:
    """One registrant of a training: name, email, status, join URL."""
    key = parse_key(training, "TRAINING")
    registrant_key = parse_key(registrant, "REGISTRANT")
    with state(ctx).client() as client:
        found = client.registrants.get(key, registrant_key)
    if json:
        print_json(found)
        return
    info = Table.grid(padding=(0, 2))
    info.add_column(style="bold")
    info.add_column()
    info.add_row("Name", plain(f"{shown(found, 'given_name')} {shown(found, 'surname')}"))
    info.add_row("Email", plain(shown(found, "email")))
    info.add_row("Status", plain(found.raw_status or ""))
    registered = getattr(found, "registration_date", None)
    info.add_row("Registered", fmt_dt(registered) if registered else LACKED)
    info.add_row("Registrant key", plain(found.registrant_key))
    info.add_row("Join URL", plain(shown(found, "join_url")))
    info.add_row("Confirmation URL", plain(shown(found, "confirmation_url")))
    console().print(info)


@app.command()
def add(
    ctx: typer.Context,
    training: TrainingArg,
    email: Annotated[str, typer.Option("--email", "-e", metavar="EMAIL", help="Email address.")],
    given_name: Annotated[
        str, typer.Option("--given-name", "-g", metavar="NAME", help="Given (first) name.")
    ],
    surname: Annotated[str, typer.Option("--surname", "-s", metavar="NAME", help="Surname.")],
    if_exists: Annotated[
        IfExistsChoice,
        typer.Option(
            "--if-exists",
            metavar="fail|show",
            help="When the email is already registered: fail (exit 1), or show the existing "
            "registration (exit 0).",
        ),
    ] = IfExistsChoice.fail,
    quiet: QuietFlag = False,
    json: JsonFlag = False,
) -> None:
    """Register one person for a training; prints the registrant key and join URL.

    Only the registrant key when stdout is not a terminal, or with --quiet (--json has the
    join URL too).
    """
    key = parse_key(training, "TRAINING")
    with state(ctx).client() as client:
        registration = client.registrants.register(
            key,
            email=email,
            given_name=given_name,
            surname=surname,
            if_exists="return" if if_exists is IfExistsChoice.show else "raise",
        )
    if json:
        print_json({"training_key": key, **to_jsonable(registration)})
        return
    if key_only(quiet):
        print_key(registration.registrant_key)
        return
    verb = "Registered" if registration.created else "Already registered:"
    out = console()
    out.print(
        Text.assemble(
            f"{verb} ",
            plain(f"{given_name.strip()} {surname.strip()} <{email.strip()}>"),
            f" for training {key}: registrant key ",
            plain(registration.registrant_key, "bold"),
        )
    )
    out.print(Text.assemble("Join URL: ", plain(registration.join_url)))


@app.command()
def export(
    ctx: typer.Context,
    training: TrainingArg,
    csv: Annotated[
        str,
        typer.Option(
            "--csv",
            metavar="FILE",
            help="Output file ('-' for stdout). A regular file is replaced atomically; a "
            "pipe, FIFO or /dev/fd/N is written into.",
        ),
    ] = STDOUT,
    raw_csv: RawCsvFlag = False,
    json: Annotated[
        bool,
        typer.Option(
            "--json", help="A JSON summary on stdout (needs --csv FILE: the CSV is not on stdout)."
        ),
    ] = False,
) -> None:
    """Export the roster as CSV (key, email, names, status, date, join and confirmation URL)."""
    key = parse_key(training, "TRAINING")
    output = output_file(csv, "--csv")
    if json and output.is_stdout:
        raise UsageError("--json and the CSV would both go to stdout: give --csv FILE")
    with state(ctx).client() as client:
        registrants = client.registrants.list(key)
    try:
        output.write(csv_bytes(ROSTER_FIELDS, roster_rows(registrants), raw=raw_csv))
    except OSError as exc:
        raise UsageError(f"cannot write {printable(csv)}: {exc.strerror or exc}") from None
    if json:
        print_json({"training_key": key, "registrants": len(registrants), "csv": csv})
    elif not output.stdout:
        err_console().print(
            Text.assemble(f"Exported {len(registrants)} registrant(s) to ", plain(csv))
        )


@app.command()
def cancel(
    ctx: typer.Context,
    training: TrainingArg,
    registrant: Annotated[
        str | None,
        typer.Argument(
            metavar="REGISTRANT", help="Registrant key (or use --email).", show_default=False
        ),
    ] = None,
    email: Annotated[
        str | None,
        typer.Option("--email", metavar="EMAIL", help="Cancel the registrant with this email."),
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Cancel one registration (the registrant is not notified)."""
    key = parse_key(training, "TRAINING")
    if (registrant is None) == (email is None):
        raise UsageError("give either a REGISTRANT key or --email")
    with state(ctx).client() as client:
        if registrant is not None:
            registrant_key = parse_key(registrant, "REGISTRANT")
            label = registrant_key
        else:
            assert email is not None
            wanted = email.strip().casefold()
            roster = client.registrants.list(key)
            match = [r for r in roster if text_of(r, "email").casefold() == wanted]
            if not match:
                raise UsageError(f"{printable(email)} is not registered for training {key}")
            registrant_key = match[0].registrant_key
            found = match[0]
            label = f"{shown(found, 'given_name')} {shown(found, 'surname')} <{found.email}>"
        client.registrants.cancel(key, registrant_key)
    if json:
        print_json({"training_key": key, "registrant_key": registrant_key, "cancelled": True})
    else:
        err_console().print(
            Text.assemble("Cancelled the registration of ", plain(label), f" for training {key}")
        )


@app.command("import")
def import_(
    ctx: typer.Context,
    training: TrainingArg,
    people_csv: Annotated[
        str,
        typer.Argument(
            metavar="PEOPLE_CSV",
            help="CSV with the columns email, given_name, surname ('-' for stdin).",
        ),
    ],
    results: Annotated[
        str | None,
        typer.Option(
            "--results",
            metavar="FILE",
            help="Results CSV (status and join URL per person; '-' for stdout) "
            "[default: PEOPLE.results.csv next to the input]",
        ),
    ] = None,
    concurrency: Annotated[
        int,
        typer.Option(
            "--concurrency",
            "-c",
            metavar="N",
            min=1,
            max=64,
            help="Registrations in flight at once.",
        ),
    ] = 8,
    progress: Annotated[
        bool,
        typer.Option(
            "--progress/--no-progress", help="Progress bar (only ever shown on a terminal)."
        ),
    ] = True,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Register the valid rows and mark each invalid one 'invalid' (with its "
            "reasons) in the results, instead of refusing the file.",
        ),
    ] = False,
    raw_csv: RawCsvFlag = False,
    json: JsonFlag = False,
) -> None:
    """Register everyone in PEOPLE_CSV; safe to re-run.

    Every row is validated first: with any invalid row nothing is sent (exit 2) and every
    one is listed, unless --skip-invalid. Registration runs concurrently under the rate
    limit. People already registered (by an earlier,
    interrupted run or otherwise) are reported, never registered twice. The results file
    lists each person's status, join URL or error and stays complete and consistent if
    interrupted, even by kill -9.
    """
    key = parse_key(training, "TRAINING")
    from_stdin = people_csv == STDIN
    if from_stdin and results is None:
        raise UsageError("reading people from stdin ('-') needs --results")
    if results == STDOUT and json:
        raise UsageError("--results - and --json both write to stdout; choose one")
    people_file = _read_people(people_csv)
    bad_rows = people_file.bad_rows
    if bad_rows and not skip_invalid:
        for bad in bad_rows:
            typer.echo(printable(f"{people_csv}: {bad_row_text(bad)}"), err=True)
        raise UsageError(
            f"{len(bad_rows)} invalid row(s) in {printable(people_csv)}; nothing was sent "
            "(--skip-invalid registers the others)"
        )
    if results is None:
        path = Path(people_csv)
        results = str(path.with_name(f"{path.stem}.results.csv"))
    output = output_file(results, "--results")
    if output.is_stdout and json:
        raise UsageError(
            f"--results {printable(results)} and --json both write to stdout; choose one"
        )
    if output.file is not None and not from_stdin and output.file == Path(people_csv).resolve():
        raise UsageError("--results must not be the input file")
    if output.file is not None:  # the journal beside it: checked before anything is sent
        journal = journal_path(output.file)
        try:
            refuse_planted(journal)
        except OSError as exc:
            raise UsageError(f"{printable(str(journal))}: {exc.strerror or exc}") from None
    st = state(ctx)
    writer = ResultsFile(output, RESULT_FIELDS, raw=raw_csv)
    importer, interrupted, fatal = _run_import(
        st, key, people_file.rows, writer, concurrency, progress and not json
    )
    if writer.started:  # a training that cannot be read: just the error, no empty summary
        # With the results on stdout, the summary for people goes to stderr.
        out = err_console() if output.is_stdout else console()
        _summary(importer, key, results, out, interrupted=interrupted, json=json)
    if fatal is not None:
        raise typer.Exit(report(fatal, debug=st.debug))
    if interrupted:
        typer.echo(
            "interrupted: re-run the same command to register the remaining people", err=True
        )
        raise typer.Exit(EXIT_INTERRUPTED)
    if importer.counts()["failed"]:
        raise typer.Exit(1)


def _read_people(name: str) -> PeopleFile:
    """The people file ``name`` (``-``: stdin) read whole, or a usage error."""
    try:
        if name == STDIN:
            return read_people("<stdin>", sys.stdin)
        return read_people(name)
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise UsageError(f"cannot read {printable(name)}: {reason}") from None
    except ValueError as exc:
        raise UsageError(printable(str(exc))) from None


def _run_import(
    st: State,
    training_key: str,
    rows: tuple[PersonRow, ...],
    writer: ResultsFile,
    concurrency: int,
    show_progress: bool,
) -> tuple[Importer, bool, GoToTrainingError | None]:
    """Run the import, every outcome into ``writer``; returns (importer, interrupted?, fatal
    API error or None)."""
    out = err_console()
    bar = Progress(
        TextColumn("[bold]Registering"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[stats]}"),
        TimeElapsedColumn(),
        console=out,
        # Only on a terminal: in pipes, CI logs and tests a bar is just noise.
        disable=not (show_progress and out.is_terminal),
        transient=False,
    )
    task = bar.add_task("import", total=len(rows), stats="")
    client = st.async_client()
    importer = Importer(client, training_key, rows, concurrency=concurrency)
    position = {result.line: index for index, result in enumerate(importer.results)}

    def advance() -> None:
        c = importer.counts()
        stats = f"new {c['registered']}  existing {c['already_registered']}  failed {c['failed']}"
        bar.update(task, completed=len(rows) - c["pending"], stats=stats)

    def begin() -> None:
        # Once the training's registrant list has been read: a training that cannot be read
        # leaves no results file behind, just the error.
        if not writer.started:
            writer.begin([r.cells() for r in importer.results])

    def on_result(result: Result) -> None:
        begin()  # the first outcome comes right after the list (the listed ones first)
        writer.update(position[result.line], result.cells())
        advance()

    importer.on_result = on_result

    async def go() -> None:
        try:
            await importer.run()
            begin()  # an import of people who are all in the file already sends nothing else
        except GoToTrainingError as exc:
            if after_listing(exc):  # stopped by a registration: the table of who is where
                begin()
            raise
        finally:
            try:
                writer.close()
            finally:
                await client.aclose()

    interrupted = False
    fatal: GoToTrainingError | None = None
    with bar:
        try:
            asyncio.run(go())
        except KeyboardInterrupt:
            interrupted = True
        except GoToTrainingError as exc:
            fatal = exc
        except OSError as exc:
            name = writer.output.name
            raise UsageError(f"cannot write {printable(name)}: {exc.strerror or exc}") from None
    return importer, interrupted, fatal


def _summary(
    importer: Importer,
    training_key: str,
    results_name: str,
    out: Console,
    *,
    interrupted: bool,
    json: bool,
) -> None:
    counts = importer.counts()
    already = [r for r in importer.results if r.status == "already_registered"]
    failed = [r for r in importer.results if r.status == "failed"]
    invalid = [r for r in importer.results if r.status == "invalid"]
    if json:
        print_json(
            {
                "training_key": training_key,
                "total": len(importer.results),
                **counts,
                "interrupted": interrupted,
                "already_registered_emails": [r.email for r in already],
                "failures": [{"line": r.line, "email": r.email, "error": r.error} for r in failed],
                "invalid_rows": [
                    {"line": r.line, "email": r.email, "error": r.error} for r in invalid
                ],
                "results_file": results_name,
            }
        )
        return
    out.print(f"Import of {len(importer.results)} people into training {training_key}:")
    table = Table()
    table.add_column("Outcome")
    table.add_column("People", justify="right")
    table.add_row("registered now", str(counts["registered"]))
    table.add_row("already registered", str(counts["already_registered"]))
    table.add_row("failed", str(counts["failed"]), style="red" if counts["failed"] else None)
    if counts["invalid"]:
        table.add_row("invalid, skipped", str(counts["invalid"]), style="yellow")
    if counts["pending"]:
        table.add_row("not attempted", str(counts["pending"]), style="yellow")
    table.add_row("total", str(len(importer.results)), style="bold")
    out.print(table)
    if already:
        shown = ", ".join(r.email for r in already[:10])
        more = f" and {len(already) - 10} more" if len(already) > 10 else ""
        out.print(Text.assemble(f"Already registered ({len(already)}): ", plain(shown), more))
    for label, style, rows in (("failed", "red", failed), ("invalid", "yellow", invalid)):
        for r in rows[:20]:
            out.print(
                Text.assemble(
                    (label, style),
                    f" line {r.line} ",
                    plain(r.email) if r.email else ("(no email)", "dim"),
                    ": ",
                    plain(r.error),
                )
            )
        if len(rows) > 20:
            out.print(f"... and {len(rows) - 20} more {label} rows")
    where = "standard output" if results_name == STDOUT else results_name
    out.print(Text.assemble("Results (join URL or error per person): ", plain(where)))
