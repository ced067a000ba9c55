"""The sub-commands, one module per noun; what they share lives here.

One help style for every command: plain text (the root app sets ``rich_markup_mode=None``),
an upper-case metavar on every argument and on every option that takes a value (``KEY``,
``FILE``, ``START/END``, ...), never a parameter type; flags are bare (``--json``,
``--no-progress``). Every command has ``--json``: one JSON document on stdout instead of
text. ``tests/cli/test_commands.py`` holds every command to this.

Times in tables (one rule, documented in docs/cli.md): in ``--time-zone ZONE`` when given, else
in the training's own time zone; where the API does not say which training a time belongs to
(``reports sessions`` over a date range), in UTC. The zone is named next to every time;
``--json`` and CSV files are always UTC.

Output follows ``gh`` and ``kubectl``: data on stdout, messages (confirmations, progress,
warnings, errors) on stderr. A command that creates something prints its new key; alone on
its line when stdout is not a terminal (``KEY=$(gototraining trainings create ...)``) or with
``--quiet``, with a sentence around it on a terminal.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, tzinfo
from typing import TYPE_CHECKING, Annotated

import typer

from gototraining import NotFoundError, ValidationError, validate_key

from ..context import State, UsageError
from ..helpstyle import Typer

if TYPE_CHECKING:
    from gototraining import GoToTraining

    from ..outputs import Output

__all__ = [
    "JsonFlag",
    "QuietFlag",
    "RawCsvFlag",
    "ShowZone",
    "TrainingArg",
    "new_app",
    "output_file",
    "parse_key",
    "parse_range",
    "parse_zone",
    "shown_zone",
    "state",
]

#: ``--json`` of every command.
JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
#: ``--raw-csv`` of the commands that write CSV.
RawCsvFlag = Annotated[
    bool,
    typer.Option(
        "--raw-csv",
        help="Write cells exactly as the API sent them. By default a cell starting with "
        "= + - @ tab or CR gets a leading ' so that a spreadsheet shows it as text instead "
        "of running it as a formula.",
    ),
]
#: ``--quiet`` of the commands that create something.
QuietFlag = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="Print only the new key (as when stdout is not a terminal).",
    ),
]
#: ``--time-zone`` of the commands that show one training's times.
ShowZone = Annotated[
    str | None,
    typer.Option(
        "--time-zone",
        "-z",
        metavar="ZONE",
        help="Show the times in this IANA time zone [default: the training's own].",
        show_default=False,
    ),
]
#: The training a command works on.
TrainingArg = Annotated[
    str, typer.Argument(metavar="TRAINING", help="Training key.", show_default=False)
]


def new_app(help_text: str | None, *, invoke_without_command: bool = False) -> Typer:
    """A command group (``gototraining <noun> ...``); with ``invoke_without_command`` its
    callback is a command of its own (``gototraining sandbox``)."""
    if help_text is None:  # the callback's docstring (typer takes help=None as "no help")
        return Typer(no_args_is_help=False, invoke_without_command=invoke_without_command)
    return Typer(
        help=help_text,
        no_args_is_help=not invoke_without_command,
        invoke_without_command=invoke_without_command,
    )


def state(ctx: typer.Context) -> State:
    """The invocation's ``State`` (set by the root callback)."""
    found = ctx.find_object(State)
    if found is None:  # a sub-app invoked on its own (tests): default options
        found = ctx.ensure_object(State)
    return found


def parse_key(value: str, name: str) -> str:
    """A GoTo key from the command line, or a usage error (exit 2) before anything is sent."""
    try:
        return validate_key(value.strip(), name)
    except ValidationError:
        raise UsageError(f"{name} must be a numeric key, got {value!r}") from None


def parse_zone(name: str, option: str = "--time-zone") -> tzinfo:
    """An IANA time zone, or a usage error naming ``option``."""
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"{option}: unknown time zone {name!r}") from None


def parse_range(value: str, tz: tzinfo, option: str = "--session") -> tuple[datetime, datetime]:
    """``START/END`` in ISO 8601; END may be a bare time on START's day; naive times are in
    ``tz``. ``2030-03-01T09:00/11:00``, ``2030-03-01 09:00/2030-03-02 17:00``,
    ``2030-03-01T08:00Z/2030-03-01T10:00Z``."""
    start_text, sep, end_text = value.partition("/")
    if not sep or not start_text.strip() or not end_text.strip():
        raise UsageError(f"{option} {value!r}: expected START/END, e.g. 2030-03-01T09:00/11:00")
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
        raise UsageError(f"{option} {value!r}: {exc}") from None
    start = start if start.tzinfo else start.replace(tzinfo=tz)
    end = end if end.tzinfo else end.replace(tzinfo=tz)
    if not start < end:
        raise UsageError(f"{option} {value!r}: the end is not after the start")
    return start, end


def shown_zone(client: GoToTraining, training_key: str, chosen: tzinfo | None) -> tzinfo:
    """The zone a command about one training shows its times in: ``--time-zone`` (``chosen``,
    parsed with ``parse_zone`` before anything was sent), else the training's own (UTC when
    the API no longer has the training)."""
    if chosen is not None:
        return chosen
    from ..output import zone

    try:
        return zone(getattr(client.trainings.get(training_key), "time_zone", None))
    except NotFoundError:
        return UTC


def output_file(name: str, option: str) -> Output:
    """Where ``--csv``/``--results`` ``name`` goes (``outputs.resolve_output``), or a usage
    error naming ``option``."""
    from ..outputs import resolve_output
    from ..sanitize import printable

    try:
        return resolve_output(name)
    except OSError as exc:
        raise UsageError(f"{option} {printable(name)}: {exc.strerror or exc}") from None
