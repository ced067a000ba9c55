"""The facade's own models and their decoders from raw JSON.

The models are frozen attrs classes with snake_case, typed fields; GoTo keys stay ``str`` as
the API sends them. They are independent of ``gototraining_api`` (the generated client), so a
regeneration never changes what users see.

Decoders read the parsed JSON (dicts and lists) directly rather than going through the
generated ``from_dict``: it is one pass instead of two, and it is what keeps decoding 10,000
registrants within a small multiple of ``json.loads``. Every decoder raises ``DecodeError``
(never ``KeyError``/``TypeError``) when a required field is missing or has the wrong type;
unknown extra fields are ignored.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import attrs

from ._errors import DecodeError

__all__ = [
    "Attendance",
    "Attendee",
    "NotifiedParties",
    "Organizer",
    "Recording",
    "Registrant",
    "RegistrantStatus",
    "Registration",
    "RegistrationSettings",
    "Session",
    "TimeRange",
    "Training",
]

T = TypeVar("T")


class RegistrantStatus(enum.StrEnum):
    """A registrant's status. ``UNKNOWN`` stands for a value this SDK version does not know
    (the raw string is kept in ``Registrant.raw_status``)."""

    WAITING = "WAITING"
    APPROVED = "APPROVED"
    DENIED = "DENIED"
    UNKNOWN = "UNKNOWN"


@attrs.frozen
class TimeRange:
    """One session of a training: timezone-aware ``start`` and ``end`` (UTC when decoded)."""

    start: datetime
    end: datetime


@attrs.frozen
class RegistrationSettings:
    """Whether confirmation emails and web registration are disabled for a training."""

    disable_confirmation_email: bool = False
    disable_web_registration: bool = False


@attrs.frozen
class Organizer:
    """An organizer (or co-organizer) of trainings."""

    organizer_key: str
    email: str
    given_name: str
    surname: str


@attrs.frozen
class Training:
    """A scheduled or ongoing training.

    ``description`` is ``None`` when the API omits it; ``time_zone`` may be ``""`` (seen in
    real payloads).
    """

    training_key: str
    training_id: str
    name: str
    description: str | None
    time_zone: str
    times: tuple[TimeRange, ...]
    organizers: tuple[Organizer, ...]
    registration_settings: RegistrationSettings


@attrs.frozen
class Registrant:
    """Someone registered for a training.

    ``status`` is ``RegistrantStatus.UNKNOWN`` for a status this SDK does not know;
    ``raw_status`` always holds the string the API sent.
    """

    registrant_key: str
    email: str
    given_name: str
    surname: str
    status: RegistrantStatus
    registration_date: datetime
    join_url: str
    confirmation_url: str
    raw_status: str


@attrs.frozen
class Registration:
    """The outcome of ``registrants.register``.

    ``created`` is ``True`` for a new registration. With ``if_exists="return"`` and an email
    that was already registered, ``created`` is ``False`` and ``registrant`` holds the existing
    registrant (``join_url``/``confirmation_url`` are copied from it).
    """

    registrant_key: str
    join_url: str
    confirmation_url: str
    created: bool = True
    registrant: Registrant | None = None


@attrs.frozen
class NotifiedParties:
    """The outcome of ``trainings.update_times``: how many people GoTo emailed.

    ``registrants`` and ``trainers`` are the API's ``notifiedRegistrants`` and
    ``notifiedTrainers`` (0 when the matching ``notify_*`` flag was ``False``).
    """

    registrants: int
    trainers: int


@attrs.frozen
class Session:
    """A completed session of a training (what the Reports operations return).

    ``start``/``end`` are timezone-aware (UTC); ``duration`` is the API's whole minutes as a
    ``timedelta``; ``attendance_count`` is the number of people who attended.
    """

    session_key: str
    training_name: str
    start: datetime
    end: datetime
    attendance_count: int
    duration: timedelta
    organizers: tuple[Organizer, ...]


@attrs.frozen
class Attendance:
    """One stretch of time an attendee spent in a session (join to leave)."""

    join_time: datetime
    leave_time: datetime
    time_in_part: timedelta


@attrs.frozen
class Attendee:
    """A registrant in a session's attendance report.

    ``time_in_session`` is the total time attended (the sum of ``in_session_times``' parts);
    registrants who did not attend come last, with ``timedelta(0)`` and no parts.
    """

    given_name: str
    surname: str
    email: str
    time_in_session: timedelta
    in_session_times: tuple[Attendance, ...]

    @property
    def attended(self) -> bool:
        """Whether the registrant spent any time in the session."""
        return self.time_in_session > timedelta(0)


@attrs.frozen
class Recording:
    """An online recording of a training session.

    ``recording_id`` is kept as a ``str`` like every other key (the API sends a number).
    ``download_url`` is what the API lists, if anything; ``recordings.download_url(...)``
    asks the API for the current file URL.
    """

    recording_id: str
    name: str
    start: datetime
    end: datetime
    description: str | None = None
    registration_url: str | None = None
    download_url: str | None = None


# ---------------------------------------------------------------------------------------------
# Decoders. Hot path: plain dict indexing and isinstance checks, no per-field function calls
# beyond what is needed; a failure anywhere is turned into DecodeError with a JSON path.

_STATUS = {s.value: s for s in RegistrantStatus if s is not RegistrantStatus.UNKNOWN}


class _Bad(Exception):
    """Internal: a field had the wrong type (carries the field name)."""


def _str(d: dict[str, Any], k: str) -> str:
    v = d[k]
    if type(v) is not str:
        raise _Bad(f"field {k!r}: expected string, got {type(v).__name__}")
    return v


def _dt(d: dict[str, Any], k: str) -> datetime:
    v = d[k]
    if type(v) is not str:
        raise _Bad(f"field {k!r}: expected date-time string, got {type(v).__name__}")
    try:
        dt = datetime.fromisoformat(v)  # 3.11 accepts a trailing "Z"
    except ValueError:
        raise _Bad(f"field {k!r}: invalid date-time {v!r}") from None
    # The API speaks UTC; a missing offset is read as UTC so that results are always aware.
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def _int(d: dict[str, Any], k: str) -> int:
    v = d[k]
    if type(v) is not int:
        raise _Bad(f"field {k!r}: expected integer, got {type(v).__name__}")
    return v


def _minutes(d: dict[str, Any], k: str) -> timedelta:
    v = _int(d, k)
    if v < 0:
        raise _Bad(f"field {k!r}: expected minutes >= 0, got {v}")
    try:
        return timedelta(minutes=v)
    except OverflowError:  # beyond timedelta's ~2.7 million years (the spec says int32)
        raise _Bad(f"field {k!r}: {v} minutes is out of range") from None


def _opt_str(d: dict[str, Any], k: str) -> str | None:
    v = d.get(k)
    if v is not None and type(v) is not str:
        raise _Bad(f"field {k!r}: expected string, got {type(v).__name__}")
    return v


def _organizer(d: dict[str, Any]) -> Organizer:
    return Organizer(
        _str(d, "organizerKey"), _str(d, "email"), _str(d, "givenName"), _str(d, "surname")
    )


def _time_range(d: dict[str, Any]) -> TimeRange:
    return TimeRange(_dt(d, "startDate"), _dt(d, "endDate"))


def _registration_settings(d: dict[str, Any]) -> RegistrationSettings:
    a, b = d["disableConfirmationEmail"], d["disableWebRegistration"]
    if type(a) is not bool or type(b) is not bool:
        raise _Bad("registrationSettings: expected booleans")
    return RegistrationSettings(a, b)


def _objects(d: dict[str, Any], k: str) -> list[dict[str, Any]]:
    """A list of objects (an object, string or number here would otherwise iterate silently)."""
    v = d[k]
    if type(v) is not list:
        raise _Bad(f"field {k!r}: expected array, got {type(v).__name__}")
    for item in v:
        if type(item) is not dict:
            raise _Bad(f"field {k!r}: expected array of objects, got {type(item).__name__}")
    return v


def _training(d: dict[str, Any]) -> Training:
    description = d.get("description")
    if description is not None and type(description) is not str:
        raise _Bad("field 'description': expected string")
    time_zone = d.get("timeZone") or ""
    if type(time_zone) is not str:
        raise _Bad("field 'timeZone': expected string")
    return Training(
        training_key=_str(d, "trainingKey"),
        training_id=_str(d, "trainingId"),
        name=_str(d, "name"),
        description=description,
        time_zone=time_zone,
        times=tuple(_time_range(t) for t in _objects(d, "times")),
        organizers=tuple(_organizer(o) for o in _objects(d, "organizers")),
        registration_settings=_registration_settings(d["registrationSettings"]),
    )


def _registrant_checked(d: dict[str, Any]) -> Registrant:
    """The field-by-field decoder: the reference semantics, and the error messages."""
    raw_status = _str(d, "status")
    return Registrant(
        _str(d, "registrantKey"),
        _str(d, "email"),
        _str(d, "givenName"),
        _str(d, "surname"),
        _STATUS.get(raw_status, RegistrantStatus.UNKNOWN),
        _dt(d, "registrationDate"),
        _str(d, "joinUrl"),
        _str(d, "confirmationUrl"),
        raw_status,
    )


def _slot_setters(cls: type, names: tuple[str, ...]) -> tuple[Callable[[Any, Any], None], ...]:
    """The slot descriptors' ``__set__`` for ``names``, which must be all of ``cls``'s attrs
    fields in order (checked at import, so a changed model cannot be half-initialised)."""
    fields = tuple(f.name for f in attrs.fields(cls))
    if fields != names or "__attrs_post_init__" in vars(cls):
        raise RuntimeError(f"{cls.__name__}: fast decoder out of date ({fields})")
    return tuple(vars(cls)[n].__set__ for n in names)


(_r_key, _r_email, _r_given, _r_surname, _r_status, _r_date, _r_join, _r_confirm, _r_raw) = (
    _slot_setters(
        Registrant,
        (
            "registrant_key",
            "email",
            "given_name",
            "surname",
            "status",
            "registration_date",
            "join_url",
            "confirmation_url",
            "raw_status",
        ),
    )
)
_new = object.__new__
_fromisoformat = datetime.fromisoformat
_UNKNOWN = RegistrantStatus.UNKNOWN


def _registrant(d: dict[str, Any]) -> Registrant:
    """Hot path (registrants.list): one combined type check, and the frozen instance filled
    through its slot descriptors (what attrs' ``__init__`` does, without nine
    ``object.__setattr__`` calls). Anything unusual -- a missing field, a non-string, an
    unparsable date -- goes to ``_registrant_checked``, which raises the precise error."""
    try:
        raw_status = d["status"]
        key = d["registrantKey"]
        email = d["email"]
        given = d["givenName"]
        surname = d["surname"]
        date = d["registrationDate"]
        join = d["joinUrl"]
        confirm = d["confirmationUrl"]
    except KeyError:
        return _registrant_checked(d)
    if (
        type(raw_status) is not str
        or type(key) is not str
        or type(email) is not str
        or type(given) is not str
        or type(surname) is not str
        or type(date) is not str
        or type(join) is not str
        or type(confirm) is not str
    ):
        return _registrant_checked(d)
    try:
        registered = _fromisoformat(date)
    except ValueError:
        return _registrant_checked(d)
    if registered.tzinfo is None:
        registered = registered.replace(tzinfo=UTC)
    r = _new(Registrant)
    _r_key(r, key)
    _r_email(r, email)
    _r_given(r, given)
    _r_surname(r, surname)
    _r_status(r, _STATUS.get(raw_status, _UNKNOWN))
    _r_date(r, registered)
    _r_join(r, join)
    _r_confirm(r, confirm)
    _r_raw(r, raw_status)
    return r


def _registration(d: dict[str, Any]) -> Registration:
    return Registration(_str(d, "registrantKey"), _str(d, "joinUrl"), _str(d, "confirmationUrl"))


def _notified_parties(d: dict[str, Any]) -> NotifiedParties:
    return NotifiedParties(_int(d, "notifiedRegistrants"), _int(d, "notifiedTrainers"))


def _session(d: dict[str, Any]) -> Session:
    return Session(
        session_key=_str(d, "sessionKey"),
        training_name=_str(d, "trainingName"),
        start=_dt(d, "sessionStartTime"),
        end=_dt(d, "sessionEndTime"),
        attendance_count=_int(d, "attendanceCount"),
        duration=_minutes(d, "duration"),
        organizers=tuple(_organizer(o) for o in _objects(d, "organizers")),
    )


def _attendance(d: dict[str, Any]) -> Attendance:
    return Attendance(_dt(d, "joinTime"), _dt(d, "leaveTime"), _minutes(d, "timeInPartOfSession"))


def _attendee(d: dict[str, Any]) -> Attendee:
    return Attendee(
        given_name=_str(d, "givenName"),
        surname=_str(d, "surname"),
        email=_str(d, "email"),
        time_in_session=_minutes(d, "timeInSession"),
        in_session_times=tuple(_attendance(a) for a in _objects(d, "inSessionTimes")),
    )


def _recording(d: dict[str, Any]) -> Recording:
    rid = d["recordingId"]
    if type(rid) is int and rid >= 0:
        rid = str(rid)
    # isascii: str.isdigit() is also true for "²" or "١٢", which are no key
    elif type(rid) is not str or not (rid.isascii() and rid.isdigit()):
        raise _Bad(f"field 'recordingId': expected a non-negative integer, got {rid!r:.40}")
    return Recording(
        recording_id=rid,
        name=_str(d, "name"),
        start=_dt(d, "startDate"),
        end=_dt(d, "endDate"),
        description=_opt_str(d, "description"),
        registration_url=_opt_str(d, "registrationUrl"),
        download_url=_opt_str(d, "downloadUrl"),
    )


_ERRORS = (_Bad, KeyError, TypeError, ValueError, AttributeError)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}"
    if isinstance(exc, TypeError | AttributeError):
        return f"unexpected shape ({exc})"
    return str(exc)


def decode_one(decoder: Callable[[dict[str, Any]], T], data: Any) -> T:
    """Decode one JSON object with ``decoder``; ``DecodeError`` on any shape problem."""
    if type(data) is not dict:
        raise DecodeError(f"expected an object, got {type(data).__name__}")
    try:
        return decoder(data)
    except _ERRORS as exc:
        raise DecodeError(_describe(exc)) from exc


def decode_list(decoder: Callable[[dict[str, Any]], T], data: Any) -> list[T]:
    """Decode a JSON array of objects; the error path names the failing index."""
    if type(data) is not list:
        raise DecodeError(f"expected an array, got {type(data).__name__}")
    out: list[T] = []
    append = out.append
    i = 0
    try:
        for i, item in enumerate(data):  # noqa: B007 (read by the except clause)
            if type(item) is not dict:
                raise _Bad(f"expected an object, got {type(item).__name__}")
            append(decoder(item))
    except _ERRORS as exc:
        raise DecodeError(_describe(exc), path=f"$[{i}]") from exc
    return out


def decode_string(data: Any) -> str:
    """A bare JSON string (new training key, manage URL)."""
    if type(data) is not str:
        raise DecodeError(f"expected a string, got {type(data).__name__}")
    return data


def decode_training(data: Any) -> Training:
    """``Training`` from the JSON of getTraining."""
    return decode_one(_training, data)


def decode_trainings(data: Any) -> list[Training]:
    """``list[Training]`` from the JSON of getAllTrainings."""
    return decode_list(_training, data)


def decode_organizers(data: Any) -> list[Organizer]:
    """``list[Organizer]`` from the JSON of the organizer listings."""
    return decode_list(_organizer, data)


def decode_registrant(data: Any) -> Registrant:
    """``Registrant`` from the JSON of getRegistrant."""
    return decode_one(_registrant, data)


def decode_registrants(data: Any) -> list[Registrant]:
    """``list[Registrant]`` from the JSON of getRegistrants."""
    return decode_list(_registrant, data)


def decode_registration(data: Any) -> Registration:
    """``Registration`` from the JSON of registerForTraining (201)."""
    return decode_one(_registration, data)


def decode_notified_parties(data: Any) -> NotifiedParties:
    """``NotifiedParties`` from the JSON of updateTrainingTimes (200)."""
    return decode_one(_notified_parties, data)


def decode_host_url(data: Any) -> str:
    """The ``hostURL`` string of startTraining's ``HostUrl`` object."""
    return decode_one(lambda d: _str(d, "hostURL"), data)


def decode_sessions(data: Any) -> list[Session]:
    """``list[Session]`` from the JSON of the two session reports."""
    return decode_list(_session, data)


def decode_attendees(data: Any) -> list[Attendee]:
    """``list[Attendee]`` from the JSON of getAttendanceDetails."""
    return decode_list(_attendee, data)


def decode_recordings(data: Any) -> list[Recording]:
    """``list[Recording]`` from getRecordingsForTraining's ``RecordingsListForTraining``."""
    if type(data) is not dict:
        raise DecodeError(f"expected an object, got {type(data).__name__}")
    items = data.get("recordingList")
    if items is None:
        raise DecodeError("missing field 'recordingList'")
    try:
        return decode_list(_recording, items)
    except DecodeError as exc:
        raise DecodeError(
            str(exc).split(": ", 1)[-1], path="$.recordingList" + exc.path[1:]
        ) from exc
