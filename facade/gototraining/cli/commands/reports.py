"""``gototraining reports attendance``."""

from __future__ import annotations

from typing import Annotated

import typer

from ..output import attendance_json, attendance_tables, console, print_json
from ..reports import attendance as fetch_attendance
from . import parse_key, state

__all__ = ["app"]

app = typer.Typer(help="Reports on completed trainings.", no_args_is_help=True)


@app.command()
def attendance(
    ctx: typer.Context,
    training: Annotated[str, typer.Argument(metavar="TRAINING", help="Training key.")],
    json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")] = False,
) -> None:
    """Who attended each session of a completed training, and for how long."""
    key = parse_key(training, "TRAINING")
    with state(ctx).client() as client:
        sessions = fetch_attendance(client, key)
        time_zone = client.trainings.get(key).time_zone if sessions and not json else None
    if json:
        print_json(attendance_json(key, sessions))
        return
    out = console()
    if not sessions:
        out.print(f"Training {key} has no completed sessions yet.")
        return
    for table in attendance_tables(sessions, time_zone):
        out.print(table)
