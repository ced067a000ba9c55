"""``gototraining trainings list|show|create|reschedule|rename|settings|organizers|
set-organizers|urls|start|cancel``."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from gototraining import RegistrationSettings

from ..context import UsageError
from ..output import (
    console,
    err_console,
    fmt_range,
    key_only,
    organizers_table,
    plain,
    print_json,
    print_key,
    training_panel,
    trainings_table,
    zone,
)
from . import (
    JsonFlag,
    QuietFlag,
    TrainingArg,
    new_app,
    parse_key,
    parse_range,
    parse_zone,
    state,
)

if TYPE_CHECKING:
    from gototraining import NotifiedParties

__all__ = ["app", "parse_session"]

app = new_app("Schedule, show, change and cancel trainings.")

NotifyRegistrants = Annotated[
    bool,
    typer.Option(
        "--no-notify-registrants", help="Do not let GoTo email the registrants about the change."
    ),
]
NotifyTrainers = Annotated[
    bool,
    typer.Option(
        "--no-notify-trainers", help="Do not let GoTo email the organizers about the change."
    ),
]


def parse_session(value: str, tz: tzinfo) -> tuple[datetime, datetime]:
    """One ``--session START/END`` (see ``commands.parse_range``)."""
    return parse_range(value, tz, "--session")


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
def show(ctx: typer.Context, training: TrainingArg, json: JsonFlag = False) -> None:
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


@app.command()
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", "-n", metavar="NAME", help="The training's name.")],
    sessions: Annotated[
        list[str],
        typer.Option(
            "--session",
            "-s",
            metavar="START/END",
            help="One session (repeat for more), e.g. 2030-03-01T09:00/11:00; times without "
            "an offset are in --time-zone.",
        ),
    ],
    time_zone: Annotated[
        str,
        typer.Option(
            "--time-zone", "-z", metavar="ZONE", help="IANA time zone, e.g. Europe/Berlin."
        ),
    ] = "UTC",
    description: Annotated[
        str | None, typer.Option("--description", metavar="TEXT", help="Description.")
    ] = None,
    co_organizers: Annotated[
        list[str] | None,
        typer.Option(
            "--co-organizer", metavar="KEY", help="Organizer key of a co-organizer (repeatable)."
        ),
    ] = None,
    no_confirmation_email: Annotated[
        bool, typer.Option("--no-confirmation-email", help="Send no confirmation emails.")
    ] = False,
    no_web_registration: Annotated[
        bool, typer.Option("--no-web-registration", help="Disable registration on the web.")
    ] = False,
    quiet: QuietFlag = False,
    json: JsonFlag = False,
) -> None:
    """Schedule a training of one or more sessions; prints its new training key.

    The key alone when stdout is not a terminal (KEY=$(gototraining trainings create ...))
    or with --quiet.
    """
    tz = parse_zone(time_zone)
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
    elif key_only(quiet):
        print_key(key)
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


def _notified(parties: NotifiedParties) -> str:
    return f"GoTo emailed {parties.registrants} registrant(s) and {parties.trainers} organizer(s)"


@app.command()
def reschedule(
    ctx: typer.Context,
    training: TrainingArg,
    sessions: Annotated[
        list[str] | None,
        typer.Option(
            "--session",
            "-s",
            metavar="START/END",
            help="The new times: every session, repeat for each (replaces all of them).",
        ),
    ] = None,
    move: Annotated[
        str | None,
        typer.Option(
            "--move",
            metavar="N=START/END",
            help="Move only session N (as 'trainings show' numbers them) and keep the others, "
            "e.g. 2=2030-03-09T09:00/11:00.",
        ),
    ] = None,
    time_zone: Annotated[
        str | None,
        typer.Option(
            "--time-zone",
            "-z",
            metavar="ZONE",
            help="IANA time zone of times without an offset, sent as the training's time "
            "zone [default: the training's own].",
        ),
    ] = None,
    no_notify_registrants: NotifyRegistrants = False,
    no_notify_trainers: NotifyTrainers = False,
    json: JsonFlag = False,
) -> None:
    """Change a training's session times: all of them (--session), or one (--move).

    The API replaces all times at once: --move reads the training and sends its other
    sessions back unchanged. By default GoTo emails registrants and organizers.
    """
    key = parse_key(training, "TRAINING")
    if (not sessions) == (move is None):
        raise UsageError("give either --session (all new times) or --move N=START/END")
    notify_registrants, notify_trainers = not no_notify_registrants, not no_notify_trainers
    # The spelling is checked before anything is sent; naive times are read again below, in
    # the training's own time zone once it is known.
    explicit_zone = parse_zone(time_zone) if time_zone is not None else None
    if move is not None:
        _parse_move(move, explicit_zone or UTC)
    for spelled in sessions or []:
        parse_session(spelled, explicit_zone or UTC)
    with state(ctx).client() as client:
        current = client.trainings.get(key) if explicit_zone is None or move else None
        if explicit_zone is not None and time_zone is not None:
            tz, zone_name = explicit_zone, time_zone
        else:
            assert current is not None
            zone_name = current.time_zone or "UTC"
            tz = zone(zone_name)
        if move is not None:
            assert current is not None
            number, (start, end) = _parse_move(move, tz)
            if number > len(current.times):
                raise UsageError(
                    f"--move {number}: training {key} has {len(current.times)} session(s), "
                    f"numbered 1 to {len(current.times)} as 'trainings show' lists them"
                )
            parties = client.trainings.move_session(
                key,
                number - 1,
                start,
                end,
                time_zone=time_zone,
                notify_registrants=notify_registrants,
                notify_trainers=notify_trainers,
            )
        else:
            times = sorted(parse_session(s, tz) for s in sessions or [])
            parties = client.trainings.update_times(
                key,
                times,
                zone_name,
                notify_registrants=notify_registrants,
                notify_trainers=notify_trainers,
            )
        updated = client.trainings.get(key)
    if json:
        print_json(
            {
                "training_key": key,
                "time_zone": updated.time_zone,
                "times": updated.times,
                "notified_registrants": parties.registrants,
                "notified_trainers": parties.trainers,
            }
        )
        return
    out = err_console()
    out.print(
        Text.assemble("Rescheduled training ", plain(key, "bold"), f": {_notified(parties)}.")
    )
    shown = zone(updated.time_zone)
    for number, session in enumerate(updated.times, 1):
        out.print(f"  {number}. {fmt_range(session.start, session.end, shown)}")


def _parse_move(value: str, tz: tzinfo) -> tuple[int, tuple[datetime, datetime]]:
    number_text, sep, rest = value.partition("=")
    if not sep or not number_text.strip().isdigit() or int(number_text) < 1:
        raise UsageError(f"--move {value!r}: expected N=START/END with N >= 1, e.g. 2=09:00/11:00")
    return int(number_text), parse_range(rest, tz, "--move")


@app.command()
def rename(
    ctx: typer.Context,
    training: TrainingArg,
    name: Annotated[str, typer.Option("--name", "-n", metavar="NAME", help="The new name.")],
    description: Annotated[
        str | None,
        typer.Option(
            "--description", metavar="TEXT", help="The new description [default: unchanged]."
        ),
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Change a training's name (and description)."""
    key = parse_key(training, "TRAINING")
    with state(ctx).client() as client:
        client.trainings.update_name_description(key, name=name, description=description)
        updated = client.trainings.get(key)
    if json:
        print_json({"training_key": key, "name": updated.name, "description": updated.description})
    else:
        err_console().print(
            Text.assemble(
                "Renamed training ", plain(key, "bold"), " to ", plain(repr(updated.name))
            )
        )


@app.command()
def settings(
    ctx: typer.Context,
    training: TrainingArg,
    confirmation_email: Annotated[
        bool | None,
        typer.Option(
            "--confirmation-email/--no-confirmation-email",
            help="Send registrants a confirmation email, or not [default: unchanged].",
            show_default=False,
        ),
    ] = None,
    web_registration: Annotated[
        bool | None,
        typer.Option(
            "--web-registration/--no-web-registration",
            help="Let people register on GoTo's web page, or not [default: unchanged].",
            show_default=False,
        ),
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Show or change a training's registration settings."""
    key = parse_key(training, "TRAINING")
    with state(ctx).client() as client:
        current = client.trainings.get(key).registration_settings
        if confirmation_email is not None or web_registration is not None:
            current = RegistrationSettings(
                disable_confirmation_email=current.disable_confirmation_email
                if confirmation_email is None
                else not confirmation_email,
                disable_web_registration=current.disable_web_registration
                if web_registration is None
                else not web_registration,
            )
            client.trainings.update_registration_settings(key, current)
    if json:
        print_json({"training_key": key, "registration_settings": current})
        return
    console().print(
        Text.assemble(
            "Training ",
            plain(key, "bold"),
            ": confirmation email ",
            "off" if current.disable_confirmation_email else "on",
            ", web registration ",
            "off" if current.disable_web_registration else "on",
        )
    )


@app.command()
def organizers(ctx: typer.Context, training: TrainingArg, json: JsonFlag = False) -> None:
    """The training's organizers: the scheduler and the co-organizers."""
    key = parse_key(training, "TRAINING")
    with state(ctx).client() as client:
        found = client.trainings.organizers(key)
    if json:
        print_json(found)
    else:
        console().print(organizers_table(found, f"{len(found)} organizer(s)"))


@app.command("set-organizers")
def set_organizers(
    ctx: typer.Context,
    training: TrainingArg,
    keys: Annotated[
        list[str] | None,
        typer.Option(
            "--organizer",
            metavar="KEY",
            help="Organizer key of a co-organizer (repeat for each; replaces them all).",
        ),
    ] = None,
    none: Annotated[
        bool, typer.Option("--none", help="Remove every co-organizer (the scheduler stays).")
    ] = False,
    no_notify: Annotated[
        bool, typer.Option("--no-notify", help="Do not let GoTo email the organizers.")
    ] = False,
    json: JsonFlag = False,
) -> None:
    """Replace the training's co-organizers (multi-user accounts with sharing)."""
    key = parse_key(training, "TRAINING")
    if bool(keys) == none:
        raise UsageError("give the new co-organizers (--organizer KEY, repeatable) or --none")
    organizer_keys = [parse_key(k, "--organizer") for k in keys or []]
    with state(ctx).client() as client:
        client.trainings.set_organizers(key, organizer_keys, notify=not no_notify)
        found = client.trainings.organizers(key)
    if json:
        print_json({"training_key": key, "organizers": found})
    else:
        console().print(
            organizers_table(found, f"Training {key} now has {len(found)} organizer(s)")
        )


@app.command()
def urls(ctx: typer.Context, training: TrainingArg, json: JsonFlag = False) -> None:
    """The training's admin-portal and start URLs (both ask the organizer to log in)."""
    key = parse_key(training, "TRAINING")
    with state(ctx).client() as client:
        manage, start_url = client.trainings.manage_url(key), client.trainings.start_url(key)
    if json:
        print_json({"training_key": key, "manage_url": manage, "start_url": start_url})
        return
    out = console()
    out.print(Text.assemble("Manage: ", plain(manage)))
    out.print(Text.assemble("Start:  ", plain(start_url)))


@app.command()
def start(ctx: typer.Context, training: TrainingArg, json: JsonFlag = False) -> None:
    """A host URL that starts the training without logging in: keep it like a password."""
    key = parse_key(training, "TRAINING")
    with state(ctx).client() as client:
        host_url = client.trainings.start(key)
    if json:
        print_json({"training_key": key, "host_url": host_url})
    else:
        console().print(plain(host_url))


@app.command()
def cancel(
    ctx: typer.Context,
    training: TrainingArg,
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
        err_console().print(Text.assemble("Cancelled training ", plain(key, "bold")))
