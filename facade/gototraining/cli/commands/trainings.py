"""``gototraining trainings list|show|create|cancel``."""

from __future__ import annotations

import sys
import zoneinfo
from datetime import datetime, time, tzinfo
from typing import Annotated

import typer
from rich.text import Text

from gototraining import RegistrationSettings

from ..context import UsageError
from ..output import console, plain, print_json, training_panel, trainings_table
from . import parse_key, state

__all__ = ["app", "parse_session"]

app = typer.Typer(help="List, show, create and cancel trainings.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]


@app.command("list")
def list_(ctx: typer.Context, json: JsonFlag = False) -> None:
    """Scheduled and ongoing trainings of the organizer (completed ones are not listed)."""
    with state(ctx).client() as client:
        trainings = client.trainings.list()
    if json:
        print_json(trainings)
    else:
        console().print(trainings_table(trainings))


@app.command()
def show(
    ctx: typer.Context,
    training: Annotated[str, typer.Argument(metavar="TRAINING", help="Training key.")],
    json: JsonFlag = False,
) -> None:
    """One training: name, sessions in its time zone, organizers."""
    key = parse_key(training, "TRAINING")
    with state(ctx).client() as client:
        found = client.trainings.get(key)
    if json:
        print_json(found)
    else:
        out = console()
        for part in training_panel(found):
            out.print(part)


def parse_session(value: str, tz: tzinfo) -> tuple[datetime, datetime]:
    """``START/END`` in ISO 8601; END may be a bare time on START's day; naive times are in
    ``tz``. ``2030-03-01T09:00/11:00``, ``2030-03-01 09:00/2030-03-02 17:00``,
    ``2030-03-01T08:00Z/2030-03-01T10:00Z``."""
    start_text, sep, end_text = value.partition("/")
    if not sep or not start_text.strip() or not end_text.strip():
        raise UsageError(f"--session {value!r}: expected START/END, e.g. 2030-03-01T09:00/11:00")
    try:
        start = datetime.fromisoformat(start_text.strip())
        end_text = end_text.strip()
        if "T" in end_text or " " in end_text or "-" in end_text[:5]:
            end = datetime.fromisoformat(end_text)
        else:
            end = datetime.combine(start.date(), time.fromisoformat(end_text))
            if start.tzinfo is not None and end.tzinfo is None:
                end = end.replace(tzinfo=start.tzinfo)
    except ValueError as exc:
        raise UsageError(f"--session {value!r}: {exc}") from None
    start = start if start.tzinfo else start.replace(tzinfo=tz)
    end = end if end.tzinfo else end.replace(tzinfo=tz)
    if not start < end:
        raise UsageError(f"--session {value!r}: the end is not after the start")
    return start, end


@app.command()
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", "-n", help="The training's name.")],
    sessions: Annotated[
        list[str],
        typer.Option(
            "--session",
            "-s",
            help="START/END of one session (repeat for more), e.g. 2030-03-01T09:00/11:00; "
            "times without an offset are in --time-zone.",
        ),
    ],
    time_zone: Annotated[
        str, typer.Option("--time-zone", "-z", help="IANA time zone, e.g. Europe/Berlin.")
    ] = "UTC",
    description: Annotated[str | None, typer.Option(help="Description.")] = None,
    co_organizers: Annotated[
        list[str] | None,
        typer.Option("--co-organizer", help="Organizer key of a co-organizer (repeatable)."),
    ] = None,
    no_confirmation_email: Annotated[
        bool, typer.Option("--no-confirmation-email", help="Send no confirmation emails.")
    ] = False,
    no_web_registration: Annotated[
        bool, typer.Option("--no-web-registration", help="Disable registration on the web.")
    ] = False,
    json: JsonFlag = False,
) -> None:
    """Schedule a training of one or more sessions; prints its new training key."""
    try:
        tz = zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"--time-zone: unknown time zone {time_zone!r}") from None
    times = [parse_session(s, tz) for s in sessions]
    settings = None
    if no_confirmation_email or no_web_registration:
        settings = RegistrationSettings(
            disable_confirmation_email=no_confirmation_email,
            disable_web_registration=no_web_registration,
        )
    organizers = [parse_key(k, "--co-organizer") for k in co_organizers or []]
    with state(ctx).client() as client:
        key = client.trainings.create(
            name=name,
            times=sorted(times),
            time_zone=time_zone,
            description=description,
            registration_settings=settings,
            co_organizers=organizers or None,
        )
    if json:
        print_json({"training_key": key, "name": name, "sessions": len(times)})
    else:
        console().print(
            Text.assemble(
                "Created training ",
                plain(key, "bold"),
                " (",
                plain(repr(name)),
                f", {len(times)} session(s))",
            )
        )


@app.command()
def cancel(
    ctx: typer.Context,
    training: Annotated[str, typer.Argument(metavar="TRAINING", help="Training key.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    json: JsonFlag = False,
) -> None:
    """Cancel a training (registrants are not emailed)."""
    key = parse_key(training, "TRAINING")
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError("cancelling needs --yes when not run interactively")
        typer.confirm(f"Cancel training {key}?", abort=True)
    with state(ctx).client() as client:
        client.trainings.cancel(key)
    if json:
        print_json({"training_key": key, "cancelled": True})
    else:
        console().print(Text.assemble("Cancelled training ", plain(key, "bold")))
