"""Rendering: rich tables for people, JSON for scripts.

Everything for humans goes through a rich ``Console``; rich drops colours and cursor tricks
by itself when stdout is not a terminal, so piping a table into a file stays readable. Data
(tables, keys, CSV) goes to stdout, messages (what was done, warnings) to stderr.
``--json`` output is strict ``json.dumps`` on stdout (one document, nothing else on stdout);
datetimes are ISO 8601 in UTC, durations whole minutes, non-finite numbers (which JSON cannot
spell) the strings ``"Infinity"``, ``"-Infinity"`` and ``"NaN"``.

Names, emails, titles and error messages come from the API, and registrants choose their own
names on GoTo's public registration page: every such string is attacker-controlled. It is
only ever shown through ``plain`` (a rich ``Text``: no markup such as ``[/bold]`` or
``[link=...]``, no ``:emoji:`` codes) after ``printable`` made terminal control
characters visible (``\\x1b``: no escape sequences, hyperlinks or bidi tricks). Markup is
used only in strings written here.
"""

from __future__ import annotations

import enum
import json
import math
import sys
import zoneinfo
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

import attrs
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .sanitize import printable

if TYPE_CHECKING:
    from gototraining import Attendance, Attendee, Organizer, Registrant, Session, Training

    from .reports import SessionAttendance

__all__ = [
    "attendance_json",
    "attendance_tables",
    "console",
    "err_console",
    "fmt_dt",
    "key_only",
    "minutes",
    "organizers_table",
    "plain",
    "print_json",
    "print_key",
    "printable",
    "registrants_table",
    "stdout_is_terminal",
    "to_jsonable",
    "training_panel",
    "trainings_table",
]

#: Console width when the output is not a terminal.
PIPE_WIDTH = 120


def plain(value: object, style: str = "", *, multiline: bool = False) -> Text:
    """A rich ``Text`` showing ``value`` literally: no markup, no emoji codes, control
    characters made visible (``sanitize.printable``)."""
    return Text(printable(value, multiline=multiline), style=style)


def console() -> Console:
    """A console on the *current* ``sys.stdout`` (CliRunner swaps it per invocation)."""
    # A generous width when not a terminal: tables piped to files or captured by tests
    # should not be squeezed to rich's fallback of 80 columns.
    return Console(file=sys.stdout, width=None if sys.stdout.isatty() else PIPE_WIDTH)


def err_console() -> Console:
    """A console on the current ``sys.stderr`` (progress bars, warnings)."""
    return Console(file=sys.stderr, width=None if sys.stderr.isatty() else PIPE_WIDTH)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return fmt_iso(value)
    if isinstance(value, timedelta):  # durations: whole minutes, the API's own unit
        return minutes(value)
    if isinstance(value, enum.Enum):
        return value.value
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


_LACKED = object()


def to_jsonable(value: Any) -> Any:
    """attrs models (recursively) to dicts with snake_case keys; datetimes as ISO-8601 UTC.

    A model's ``extra`` (response fields the spec does not know) is shown only when not empty.
    """
    if attrs.has(type(value)):
        # a field the API's answer lacked (reading it raises MissingFieldError) is left out
        fields = [(f.name, getattr(value, f.name, _LACKED)) for f in attrs.fields(type(value))]
        return {k: to_jsonable(v) for k, v in fields if v is not _LACKED and (k != "extra" or v)}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    return value


def stdout_is_terminal() -> bool:
    """Whether stdout is a terminal: ``isatty()`` alone, as ``gh`` decides it (rich's
    ``FORCE_COLOR``/``TTY_COMPATIBLE``, often set in CI, change colours, never what a
    script captures)."""
    return sys.stdout.isatty()


def key_only(quiet: bool) -> bool:
    """Whether a command that created something prints only its key: with ``--quiet``, or
    when stdout is not a terminal (a pipe, ``$(...)``, a file)."""
    return quiet or not stdout_is_terminal()


def print_key(key: str) -> None:
    """The new key alone on a line of stdout (for ``KEY=$(gototraining ...)``)."""
    sys.stdout.write(f"{key}\n")


#: How ``--json`` writes numbers JSON has no literal for (``1e999`` read from an API answer
#: is infinite): as these strings, so that the output stays strict JSON.
NON_FINITE = {"inf": "Infinity", "-inf": "-Infinity", "nan": "NaN"}


def _finite(value: Any) -> Any:
    """``value`` with every non-finite float replaced by its ``NON_FINITE`` string."""
    if isinstance(value, float) and not math.isfinite(value):
        return NON_FINITE[repr(value)]
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def print_json(value: Any) -> None:
    """Write ``value`` as indented, strict JSON to stdout (non-finite numbers as the strings
    of ``NON_FINITE``)."""
    document = _finite(to_jsonable(value))
    text = json.dumps(document, indent=2, default=_json_default, allow_nan=False)
    sys.stdout.write(text + "\n")


def _in_zone(value: datetime, tz: tzinfo) -> datetime:
    """``value`` in ``tz``; as it came when that falls outside years 1-9999 (the API may send
    9999-12-31T23:59:59-14:00, valid RFC 3339)."""
    try:
        return value.astimezone(tz)
    except OverflowError:
        return value


def fmt_iso(value: datetime) -> str:
    """ISO-8601 in UTC with a ``Z`` (what the API itself sends)."""
    return _in_zone(value, UTC).isoformat().replace("+00:00", "Z")


def zone(name: str | None) -> tzinfo:
    """The named IANA zone, or UTC when empty/unknown (the API sometimes sends ``""``)."""
    if name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return UTC


def fmt_dt(value: datetime, tz: tzinfo = UTC) -> str:
    """``2030-03-01 10:00 CET`` -- minutes are enough for trainings."""
    local = _in_zone(value, tz)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".rstrip()


def fmt_range(start: datetime, end: datetime, tz: tzinfo = UTC) -> str:
    """``2030-03-01 10:00-12:00 CET`` (the end's date too when it differs)."""
    s, e = _in_zone(start, tz), _in_zone(end, tz)
    end_text = f"{e:%H:%M}" if s.date() == e.date() else f"{e:%Y-%m-%d %H:%M}"
    return f"{s:%Y-%m-%d %H:%M}-{end_text} {s.tzname() or ''}".rstrip()


#: What a table shows for a field the API's answer lacked (reading it raises MissingFieldError).
LACKED = "?"


def shown(model: object, name: str) -> Any:
    """``model.name``, or ``LACKED`` when the API's answer lacked it (tolerant decoding)."""
    return getattr(model, name, LACKED)


def text_of(model: object, name: str) -> str:
    """``model.name`` (a string field), or ``""`` when the API's answer lacked it: for CSV
    cells, sort keys and lookups, where one record without a name must not stop the rest."""
    value = getattr(model, name, "")
    return value if isinstance(value, str) else ""


def when(model: object, tz: tzinfo = UTC) -> str:
    """``fmt_range`` of ``model.start`` and ``model.end``; ``LACKED`` for a time the API's
    answer lacked."""
    start, end = getattr(model, "start", None), getattr(model, "end", None)
    if start is not None and end is not None:
        return fmt_range(start, end, tz)
    return f"{LACKED if start is None else fmt_dt(start, tz)}-{LACKED if end is None else fmt_dt(end, tz)}"


def minutes_of(model: object, name: str) -> str:
    """``model.name`` (a duration) in whole minutes, ``LACKED`` when the answer lacked it."""
    value = getattr(model, name, None)
    return LACKED if value is None else str(minutes(value))


def by_start(model: object) -> tuple[bool, datetime]:
    """Sort key: start order, those whose start the API's answer lacked last."""
    start = getattr(model, "start", None)
    return start is None, start or datetime.max.replace(tzinfo=UTC)


def _clock(moment: datetime | None, tz: tzinfo) -> str:
    """``HH:MM`` in ``tz``, or ``LACKED`` when the API's answer lacked the time."""
    return LACKED if moment is None else f"{_in_zone(moment, tz):%H:%M}"


def _attended(a: Attendee) -> timedelta:
    """The attendee's time in the session; none when the API's answer lacked it."""
    return getattr(a, "time_in_session", timedelta(0))


def _first_start(training: Training) -> datetime | None:
    times = getattr(training, "times", ())
    start = getattr(times[0], "start", None) if times else None
    return start if isinstance(start, datetime) else None


def _range(r: object, tz: tzinfo = UTC) -> str:
    start, end = getattr(r, "start", None), getattr(r, "end", None)
    if isinstance(start, datetime) and isinstance(end, datetime):
        return fmt_range(start, end, tz)
    return LACKED


def trainings_table(trainings: Sequence[Training]) -> Table:
    """One row per training, in start order."""
    table = Table(title=f"{len(trainings)} training(s)", title_justify="left")
    table.add_column("Training key", no_wrap=True)
    table.add_column("ID", no_wrap=True)
    table.add_column("Name")
    table.add_column("Sessions", justify="right")
    table.add_column("First session", no_wrap=True)
    table.add_column("Time zone", no_wrap=True)
    last = datetime.max.replace(tzinfo=UTC)
    for t in sorted(trainings, key=lambda t: _first_start(t) or last):
        tz = zone(getattr(t, "time_zone", None))
        start = _first_start(t)
        times = shown(t, "times")
        first = fmt_dt(start, tz) if start else "-" if times == () else LACKED
        table.add_row(
            plain(t.training_key),
            plain(t.training_id or "-"),
            plain(shown(t, "name")),
            str(len(times)) if isinstance(times, tuple) else LACKED,
            first,
            plain(shown(t, "time_zone")),
        )
    return table


def training_panel(training: Training) -> list[Table]:
    """The details of one training: a key/value grid plus its sessions and organizers."""
    tz = zone(getattr(training, "time_zone", None))
    info = Table.grid(padding=(0, 2))
    info.add_column(style="bold")
    info.add_column()
    info.add_row("Name", plain(shown(training, "name")))
    info.add_row("Training key", plain(training.training_key))
    info.add_row("Training ID", plain(training.training_id or "-"))
    info.add_row("Time zone", plain(shown(training, "time_zone") or "-"))
    if training.description:
        info.add_row("Description", plain(training.description, multiline=True))
    settings = shown(training, "registration_settings")

    def switch(name: str) -> str:
        value = shown(settings, name)
        return LACKED if value is LACKED else "off" if value else "on"

    info.add_row(
        "Registration",
        ", ".join(
            [
                "web registration " + switch("disable_web_registration"),
                "confirmation email " + switch("disable_confirmation_email"),
            ]
        ),
    )
    sessions = Table(title="Sessions", title_justify="left")
    sessions.add_column("#", justify="right")
    sessions.add_column("When", no_wrap=True)
    sessions.add_column("UTC", no_wrap=True)
    for i, r in enumerate(getattr(training, "times", ()), 1):
        sessions.add_row(str(i), _range(r, tz), _range(r))
    return [info, sessions, organizers_table(getattr(training, "organizers", ()), "Organizers")]


def organizers_table(organizers: Iterable[Organizer], title: str) -> Table:
    """Organizers: key, name, email."""
    table = Table(title=title, title_justify="left")
    table.add_column("Organizer key", no_wrap=True)
    table.add_column("Name")
    table.add_column("Email")
    for o in organizers:
        table.add_row(
            plain(shown(o, "organizer_key")),
            plain(f"{shown(o, 'given_name')} {shown(o, 'surname')}"),
            plain(shown(o, "email")),
        )
    return table


def registrants_table(registrants: Iterable[Registrant], title: str) -> Table:
    """The roster, sorted by surname then given name."""
    table = Table(title=title, title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("Name")
    table.add_column("Email")
    table.add_column("Status", no_wrap=True)
    table.add_column("Registered (UTC)", no_wrap=True)
    table.add_column("Registrant key", no_wrap=True)
    rows = sorted(
        registrants,
        key=lambda r: (str(shown(r, "surname")).casefold(), str(shown(r, "given_name")).casefold()),
    )
    for i, r in enumerate(rows, 1):
        registered = shown(r, "registration_date")
        table.add_row(
            str(i),
            plain(f"{shown(r, 'given_name')} {shown(r, 'surname')}"),
            plain(shown(r, "email")),
            plain(r.raw_status or ""),
            fmt_dt(registered) if isinstance(registered, datetime) else LACKED,
            plain(r.registrant_key),
        )
    return table


def minutes(value: timedelta) -> int:
    """A duration as whole minutes (the API's own unit), as tables and ``--json`` show it."""
    return int(value.total_seconds() // 60)


def _part_json(p: Attendance) -> dict[str, Any]:
    """One part of an attendee's time; a time the API's answer lacked is left out."""
    part: dict[str, Any] = {}
    if (join := getattr(p, "join_time", None)) is not None:
        part["join"] = join
    if (leave := getattr(p, "leave_time", None)) is not None:
        part["leave"] = leave
    if (spent := getattr(p, "time_in_part", None)) is not None:
        part["minutes"] = minutes(spent)
    return part


def _attendee_json(a: Attendee) -> dict[str, Any]:
    return {
        **{
            name: value
            for name in ("given_name", "surname", "email")
            if (value := getattr(a, name, _LACKED)) is not _LACKED
        },
        "minutes": minutes(_attended(a)),
        "parts": [_part_json(p) for p in getattr(a, "in_session_times", ())],
    }


def _session_json(s: Session, attendees: Sequence[Attendee]) -> dict[str, Any]:
    session: dict[str, Any] = {"session_key": s.session_key}
    for name in ("start", "end"):
        if (moment := getattr(s, name, None)) is not None:
            session[name] = moment
    if (duration := getattr(s, "duration", None)) is not None:
        session["duration"] = minutes(duration)
    if (count := getattr(s, "attendance_count", None)) is not None:
        session["attendance_count"] = count
    session["attendees"] = [_attendee_json(a) for a in attendees]
    return session


def attendance_json(training_key: str, sessions: Sequence[SessionAttendance]) -> dict[str, Any]:
    """The ``reports attendance --json`` document; durations in whole minutes:

    ```text
    {"training_key", "sessions": [{"session_key", "start", "end", "duration",
      "attendance_count", "attendees": [{"given_name", "surname", "email", "minutes",
      "parts": [{"join", "leave", "minutes"}]}]}]}
    ```
    """
    return {
        "training_key": training_key,
        "sessions": [_session_json(s, attendees) for s, attendees in sessions],
    }


def attendance_tables(sessions: Sequence[SessionAttendance], tz: tzinfo) -> list[Table]:
    """A summary table of the sessions, then one attendee table per session; times in
    ``tz``."""
    summary = Table(title="Sessions", title_justify="left")
    summary.add_column("#", justify="right")
    summary.add_column("Session key", no_wrap=True)
    summary.add_column("When", no_wrap=True)
    summary.add_column("Minutes", justify="right")
    summary.add_column("Attended", justify="right")
    for i, (s, attendees) in enumerate(sessions, 1):
        attended = sum(1 for a in attendees if minutes(_attended(a)) > 0)
        summary.add_row(
            str(i),
            plain(s.session_key),
            when(s, tz),
            minutes_of(s, "duration"),
            f"{attended}/{len(attendees)}",
        )
    tables = [summary]
    for i, (s, attendees) in enumerate(sessions, 1):
        table = Table(title=f"Session {i}: {when(s, tz)}", title_justify="left")
        table.add_column("Name")
        table.add_column("Email")
        table.add_column("Minutes", justify="right")
        table.add_column("Joined / left", no_wrap=True)
        ordered = sorted(
            attendees, key=lambda a: (-minutes(_attended(a)), text_of(a, "surname").casefold())
        )
        for a in ordered:
            parts = ", ".join(
                f"{_clock(getattr(p, 'join_time', None), tz)}-"
                f"{_clock(getattr(p, 'leave_time', None), tz)}"
                for p in getattr(a, "in_session_times", ())
            )
            attended_minutes = minutes(_attended(a))
            table.add_row(
                plain(f"{shown(a, 'given_name')} {shown(a, 'surname')}"),
                plain(shown(a, "email")),
                str(attended_minutes) if attended_minutes else Text("absent", style="dim"),
                parts,
            )
        tables.append(table)
    return tables
