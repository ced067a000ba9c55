"""``gototraining reports sessions|attendance``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from ..context import UsageError
from ..csvio import csv_bytes
from ..output import (
    attendance_json,
    attendance_tables,
    by_start,
    console,
    err_console,
    fmt_iso,
    minutes,
    minutes_of,
    plain,
    print_json,
    shown,
    text_of,
    when,
)
from ..reports import SessionAttendance
from ..reports import attendance as fetch_attendance
from ..sanitize import printable
from . import (
    JsonFlag,
    RawCsvFlag,
    ShowZone,
    TrainingArg,
    new_app,
    output_file,
    parse_key,
    parse_zone,
    shown_zone,
    state,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from gototraining import Attendance, Session

__all__ = ["app"]

app = new_app("Reports on completed sessions: by date range, by training, attendance.")


def _when(value: str, option: str, tz: tzinfo, *, end: bool) -> datetime:
    """``2030-03-01`` (the whole day: its start, or with ``end`` the next day's start) or an
    ISO 8601 date and time; naive values are in ``tz``."""
    try:
        if len(value.strip()) == 10:
            day = date.fromisoformat(value.strip())
            moment = datetime.combine(day + timedelta(days=1 if end else 0), time())
        else:
            moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise UsageError(f"{option} {value!r}: {exc}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _sessions_table(sessions: list[Session], tz: tzinfo, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("Session key", no_wrap=True)
    table.add_column("Training")
    table.add_column("When", no_wrap=True)
    table.add_column("Minutes", justify="right")
    table.add_column("Attended", justify="right")
    for i, s in enumerate(sessions, 1):
        table.add_row(
            str(i),
            plain(s.session_key),
            plain(shown(s, "training_name")),
            when(s, tz),
            minutes_of(s, "duration"),
            str(shown(s, "attendance_count")),
        )
    return table


@app.command()
def sessions(
    ctx: typer.Context,
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="DATE",
            help="First day (2030-03-01, from its start) or moment (2030-03-01T09:00).",
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="DATE",
            help="Last day (2030-03-31, up to its end) or moment (2030-03-31T18:00).",
        ),
    ] = None,
    training: Annotated[
        str | None,
        typer.Option(
            "--training", metavar="TRAINING", help="Instead of a date range: one training's."
        ),
    ] = None,
    time_zone: Annotated[
        str | None,
        typer.Option(
            "--time-zone",
            "-z",
            metavar="ZONE",
            help="IANA time zone of the dates, and of the times shown [default: UTC; with "
            "--training, the training's own].",
            show_default=False,
        ),
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Completed sessions of the organizer: in a date range (--from/--to) or of a training."""
    chosen = parse_zone(time_zone) if time_zone is not None else None
    tz = chosen or UTC
    by_range = start is not None or end is not None
    if by_range == (training is not None) or (by_range and (start is None or end is None)):
        raise UsageError("give --from DATE and --to DATE, or --training TRAINING")
    with state(ctx).client() as client:
        if training is not None:
            key = parse_key(training, "--training")
            found = client.reports.sessions_for_training(key)
            title = f"{len(found)} completed session(s) of training {key}"
            if not json:
                tz = shown_zone(client, key, chosen)
        else:
            assert start is not None and end is not None
            first = _when(start, "--from", tz, end=False)
            last = _when(end, "--to", tz, end=True)
            if not first < last:
                raise UsageError("--to is not after --from")
            found = client.reports.sessions(first, last)
            title = f"{len(found)} completed session(s)"
    found = sorted(found, key=by_start)
    if json:
        print_json(found)
    else:
        console().print(_sessions_table(found, tz, title))


#: Columns of ``reports attendance --csv``: one row per registrant and session.
ATTENDANCE_FIELDS = (
    "session",
    "session_key",
    "session_start",
    "session_end",
    "email",
    "given_name",
    "surname",
    "minutes",
    "first_join",
    "last_leave",
    "parts",
)


@app.command()
def attendance(
    ctx: typer.Context,
    training: TrainingArg,
    csv: Annotated[
        str | None,
        typer.Option(
            "--csv",
            metavar="FILE",
            help="Write a CSV instead of tables, one row per person and session ('-' for "
            "stdout); times in UTC.",
        ),
    ] = None,
    raw_csv: RawCsvFlag = False,
    time_zone: ShowZone = None,
    json: JsonFlag = False,
) -> None:
    """Who attended each session of a completed training, and for how long."""
    key = parse_key(training, "TRAINING")
    chosen = parse_zone(time_zone) if time_zone is not None else None
    output = output_file(csv, "--csv") if csv is not None else None
    if json and output is not None and output.is_stdout:
        raise UsageError("--json and the CSV would both go to stdout: give --csv FILE")
    with state(ctx).client() as client:
        found = fetch_attendance(client, key)
        tz = shown_zone(client, key, chosen) if found and not json and output is None else UTC
    if output is not None:
        rows = attendance_rows(found)
        try:
            output.write(csv_bytes(ATTENDANCE_FIELDS, rows, raw=raw_csv))
        except OSError as exc:
            raise UsageError(f"cannot write {printable(csv)}: {exc.strerror or exc}") from None
        if not output.stdout and not json:
            err_console().print(
                Text.assemble(f"Wrote {len(rows)} attendance row(s) to ", plain(csv))
            )
    if json:
        print_json(attendance_json(key, found))
        return
    if output is not None:
        return
    out = console()
    if not found:
        out.print(f"Training {key} has no completed sessions yet.")
        return
    for table in attendance_tables(found, tz):
        out.print(table)


def _times(parts: Iterable[Attendance], name: str) -> list[datetime]:
    """The parts' ``join_time`` or ``leave_time``, those the API's answer had."""
    return [moment for p in parts if (moment := getattr(p, name, None)) is not None]


def attendance_rows(found: list[SessionAttendance]) -> list[list[str]]:
    """The rows of ``reports attendance --csv`` (columns ``ATTENDANCE_FIELDS``): sessions in
    start order, in each the attendees as the API lists them (absent ones last)."""
    rows = []
    for number, (session, attendees) in enumerate(found, 1):
        for a in attendees:
            parts = getattr(a, "in_session_times", ())
            attended = getattr(a, "time_in_session", None)
            rows.append(
                [
                    str(number),
                    session.session_key,
                    *(
                        "" if (moment := getattr(session, name, None)) is None else fmt_iso(moment)
                        for name in ("start", "end")
                    ),
                    text_of(a, "email"),
                    text_of(a, "given_name"),
                    text_of(a, "surname"),
                    "" if attended is None else str(minutes(attended)),
                    fmt_iso(min(joins)) if (joins := _times(parts, "join_time")) else "",
                    fmt_iso(max(leaves)) if (leaves := _times(parts, "leave_time")) else "",
                    str(len(parts)),
                ]
            )
    return rows
