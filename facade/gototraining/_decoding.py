"""What the generated decoders in ``_generated/models.py`` share (hand-written; the generator never
touches this module).

Every generated model has two decoders: a *fast* one (one combined type check, the frozen
instance filled through its slot descriptors) and a *checked* one, the reference, which goes
field by field and raises :class:`Invalid` naming the field. The fast one hands anything
unusual to the checked one, so both accept exactly the same bodies: what the spec allows.
``decode_one`` / ``decode_list`` turn :class:`Invalid` into the public ``DecodeError`` with a
JSON path such as ``$[3].organizers[0].email``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, NoReturn, Self, TypeVar

import attrs

from ._errors import DecodeError

__all__ = [
    "ABSENT",
    "NO_EXTRA",
    "ExtraFields",
    "Invalid",
    "decode_list",
    "decode_one",
    "decode_string",
    "extra_fields",
    "json_type",
]

T = TypeVar("T")

#: What ``dict.get`` returns for a property the body does not have (``None`` is JSON null).
ABSENT: Any = object()


class Invalid(Exception):
    """A body that does not match its schema; ``path`` is filled in while it propagates."""

    def __init__(self, message: str, *parts: str) -> None:
        super().__init__(message)
        self.message = message
        self._parts = list(reversed(parts))  # innermost first; reversed when read

    def at(self, part: str) -> Invalid:
        """Prefix the path with ``part`` (``.field`` or ``[index]``); returns ``self``."""
        self._parts.append(part)
        return self

    @property
    def path(self) -> str:
        return "$" + "".join(reversed(self._parts))


_JSON_TYPES = {
    type(None): "null",
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}


def json_type(value: object) -> str:
    """The JSON name of a parsed value's type (for error messages)."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


def wrong_type(expected: str, value: object, key: str) -> NoReturn:
    raise Invalid(f"expected {expected}, got {json_type(value)}", f".{key}")


def missing(key: str) -> NoReturn:
    raise Invalid(f"missing field {key!r}")


def required(data: dict[str, Any], key: str) -> Any:
    try:
        return data[key]
    except KeyError:
        missing(key)


def expect_object(value: object) -> dict[str, Any]:
    if type(value) is not dict:
        raise Invalid(f"expected an object, got {json_type(value)}")
    return value


class ExtraFields(dict[str, Any]):
    """The fields of a response object that the spec does not define, read-only.

    Every model keeps them in ``extra`` (empty when there are none), so a field the API added
    before this SDK's spec caught up can be read: ``training.extra["newField"]``. Values are the
    parsed JSON as sent (``dict``/``list``/``str``/``int``/``float``/``bool``/``None``). A
    ``dict`` (JSON, ``attrs.asdict`` and pickle handle it as one) that refuses changes.
    """

    __slots__ = ()

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        self = super().__new__(cls)
        dict.__init__(self, *args, **kwargs)
        return self

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Filled by ``__new__``: calling ``__init__`` again (which would refill a ``dict``,
        e.g. the ``NO_EXTRA`` every model shares) changes nothing."""

    def _read_only(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("ExtraFields is read-only (the fields as the API sent them)")

    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only

    def __reduce__(self) -> tuple[type[ExtraFields], tuple[dict[str, Any]]]:
        return ExtraFields, (dict(self),)

    def __repr__(self) -> str:
        return f"ExtraFields({dict.__repr__(self)})"


#: The ``extra`` of every model decoded from an object without unknown fields (shared).
NO_EXTRA = ExtraFields()


def extra_fields(value: Mapping[str, Any]) -> ExtraFields:
    """Converter for the models' ``extra`` field: any mapping becomes an ``ExtraFields``."""
    if type(value) is ExtraFields:
        return value
    return ExtraFields(value) if value else NO_EXTRA


def unknown_fields(data: dict[str, Any], known: frozenset[str]) -> ExtraFields:
    """The entries of ``data`` whose keys are not in ``known`` (the schema's properties)."""
    found = {k: v for k, v in data.items() if k not in known}
    return ExtraFields(found) if found else NO_EXTRA


def no_unknown_fields(data: dict[str, Any], known: frozenset[str]) -> ExtraFields:
    """For a schema with ``additionalProperties: false``: unknown fields are an error."""
    for k in data:
        if k not in known:
            raise Invalid(f"unexpected field {k!r} (the schema allows no other fields)")
    return NO_EXTRA


def slot_setters(cls: type, names: tuple[str, ...]) -> tuple[Callable[[Any, Any], None], ...]:
    """The slot descriptors' ``__set__`` for ``names``, which must be all of ``cls``'s attrs
    fields in order (checked at import, so a changed model cannot be half-initialised)."""
    fields = tuple(f.name for f in attrs.fields(cls))
    if fields != names or "__attrs_post_init__" in vars(cls):
        raise RuntimeError(f"{cls.__name__}: fast decoder out of date ({fields})")
    return tuple(vars(cls)[n].__set__ for n in names)


# -- field checks of the checked decoders ------------------------------------------------------


def string(value: object, key: str) -> str:
    if type(value) is not str:
        wrong_type("string", value, key)
    return value


def boolean(value: object, key: str) -> bool:
    if type(value) is not bool:
        wrong_type("boolean", value, key)
    return value


def number(value: object, key: str) -> float:
    if type(value) is int:
        return float(value)
    if type(value) is not float:
        wrong_type("number", value, key)
    return value


def integer(
    value: object, key: str, low: int | None = None, high: int | None = None, fmt: str = ""
) -> int:
    """An integer within ``[low, high]`` (a format's range or the schema's minimum/maximum)."""
    if type(value) is not int:
        wrong_type(f"{fmt or 'integer'}", value, key)
    if (low is not None and value < low) or (high is not None and value > high):
        raise Invalid(
            f"{value} is out of range for {fmt or 'integer'} "
            f"[{'-inf' if low is None else low}, {'inf' if high is None else high}]",
            f".{key}",
        )
    return value


def minutes(value: int, key: str) -> timedelta:
    """Whole minutes as a ``timedelta`` (negative allowed: the spec declares no minimum)."""
    try:
        return timedelta(minutes=value)
    except OverflowError:
        raise Invalid(f"{value} minutes is out of range for a timedelta", f".{key}") from None


def array(value: object, key: str) -> list[Any]:
    if type(value) is not list:
        wrong_type("array", value, key)
    return value


def items(value: list[Any], key: str, decode: Callable[[Any], T]) -> tuple[T, ...]:
    """Decode every item of an array field; an error names the item's index."""
    out = []
    for i, item in enumerate(value):
        try:
            out.append(decode(item))
        except Invalid as exc:
            raise exc.at(f"[{i}]").at(f".{key}") from None
    return tuple(out)


def nested(value: object, key: str, decode: Callable[[Any], T]) -> T:
    """Decode an object field; an error's path goes through the field."""
    try:
        return decode(value)
    except Invalid as exc:
        raise exc.at(f".{key}") from None


def enum_member(value: str, key: str, members: Mapping[str, T], unknown: T | None) -> T:
    member = members.get(value, unknown)
    if member is None:
        raise Invalid(f"expected one of {sorted(members)}, got {value!r}", f".{key}")
    return member


# RFC 3339 section 5.6 (the spec's ``format: date-time``): "T"/"Z" in either case, any number of
# fraction digits, a numeric offset with a colon. ``datetime.fromisoformat`` accepts more (no
# offset, no seconds, week dates, ...) and cannot read some of it (lower case, leap second).
_RFC3339 = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([Zz])|([+-])(\d\d):(\d\d))",
    re.ASCII,
)


def date_time(value: object, key: str) -> datetime:
    """An RFC 3339 date-time as an aware ``datetime`` (its own offset kept).

    A leap second (``:60``) becomes the last microsecond of its minute; fractions beyond
    microseconds are truncated.
    """
    if type(value) is not str:
        wrong_type("date-time string", value, key)
    found = _RFC3339.fullmatch(value)
    if found is None:
        raise Invalid(f"expected an RFC 3339 date-time, got {value[:40]!r}", f".{key}")
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = found.groups()
    leap = second == "60"
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        if zulu:
            tz = UTC
        else:
            if int(off_h) > 23 or int(off_m) > 59:
                raise ValueError("offset out of range")
            delta = timedelta(hours=int(off_h), minutes=int(off_m))
            tz = timezone(-delta if sign == "-" else delta)
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            59 if leap else int(second),
            999_999 if leap else micro,
            tzinfo=tz,
        )
    except ValueError as exc:
        raise Invalid(f"invalid date-time {value[:40]!r} ({exc})", f".{key}") from None


# -- entry points --------------------------------------------------------------------------------


def decode_one(decoder: Callable[[Any], T], data: Any) -> T:
    """Decode one JSON object with a generated decoder; ``DecodeError`` on any mismatch."""
    try:
        return decoder(data)
    except Invalid as exc:
        raise DecodeError(exc.message, path=exc.path) from None


def decode_list(decoder: Callable[[Any], T], data: Any) -> list[T]:
    """Decode a JSON array of objects; the error path names the failing index."""
    if type(data) is not list:
        raise DecodeError(f"expected an array, got {json_type(data)}")
    try:
        return [decoder(item) for item in data]
    except Invalid:
        pass  # find the failing item again, for the path (errors are rare; speed is not)
    for i, item in enumerate(data):
        try:
            decoder(item)
        except Invalid as exc:
            raise DecodeError(exc.message, path=exc.at(f"[{i}]").path) from None
    raise AssertionError("unreachable: a decoder failed once and then succeeded")


def decode_string(data: Any) -> str:
    """A bare JSON string (new training key, manage and start URLs)."""
    if type(data) is not str:
        raise DecodeError(f"expected a string, got {json_type(data)}")
    return data
