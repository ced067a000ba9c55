"""``gototraining reports sessions|attendance``."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from ..context import UsageError
from ..output import (
    attendance_json,
    attendance_tables,
    console,
    fmt_range,
    minutes,
    plain,
    print_json,
)
from ..reports import attendance as fetch_attendance
from . import JsonFlag, TrainingArg, new_app, parse_key, parse_zone, state

if TYPE_CHECKING:
    from gototraining import Session

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
            plain(s.training_name),
            fmt_range(s.start, s.end, tz),
            str(minutes(s.duration)),
            str(s.attendance_count),
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
        str,
        typer.Option(
            "--time-zone",
            "-z",
            metavar="ZONE",
            help="IANA time zone of the dates, and of the times shown.",
        ),
    ] = "UTC",
    json: JsonFlag = False,
) -> None:
    """Completed sessions of the organizer: in a date range (--from/--to) or of a training."""
    tz = parse_zone(time_zone)
    by_range = start is not None or end is not None
    if by_range == (training is not None) or (by_range and (start is None or end is None)):
        raise UsageError("give --from DATE and --to DATE, or --training TRAINING")
    with state(ctx).client() as client:
        if training is not None:
            key = parse_key(training, "--training")
            found = client.reports.sessions_for_training(key)
            title = f"{len(found)} completed session(s) of training {key}"
        else:
            assert start is not None and end is not None
            first = _when(start, "--from", tz, end=False)
            last = _when(end, "--to", tz, end=True)
            if not first < last:
                raise UsageError("--to is not after --from")
            found = client.reports.sessions(first, last)
            title = f"{len(found)} completed session(s)"
    found = sorted(found, key=lambda s: s.start)
    if json:
        print_json(found)
    else:
        console().print(_sessions_table(found, tz, title))


@app.command()
def attendance(ctx: typer.Context, training: TrainingArg, json: JsonFlag = False) -> None:
    """Who attended each session of a completed training, and for how long."""
    key = parse_key(training, "TRAINING")
    with state(ctx).client() as client:
        found = fetch_attendance(client, key)
        time_zone = client.trainings.get(key).time_zone if found and not json else None
    if json:
        print_json(attendance_json(key, found))
        return
    out = console()
    if not found:
        out.print(f"Training {key} has no completed sessions yet.")
        return
    for table in attendance_tables(found, time_zone):
        out.print(table)
