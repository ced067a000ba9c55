"""Input validation: pure functions that raise ``ValidationError`` naming the parameter.

Everything a caller passes is checked here, before any request is built, so bad input never
reaches the network (and never reaches a URL path: keys are digits only).
"""

from __future__ import annotations

import functools
import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

import httpx

from ._errors import ValidationError
from ._retry import MAX_SECONDS
from ._types import NotGiven

__all__ = [
    "aware_datetime",
    "boolean",
    "date_range",
    "email",
    "key",
    "keys",
    "text",
    "time_zone",
    "timeout",
    "times",
]

logger = logging.getLogger("gototraining")

_MAX_KEY = 2**63 - 1  # the spec types every path key as int64
_DIGITS = re.compile(r"[0-9]{1,19}")
# Pragmatic, not RFC 5322: one "@", something before it, a dotted domain after it, no spaces.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Unicode categories never allowed in an email address: control, format, surrogate, separators.
_NEVER = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp", "Zs"})


def key(value: object, name: str) -> str:
    """A GoTo key (organizer, training, registrant, ...) as a canonical decimal string.

    Accepts an ``int`` or a ``str`` of 1-19 ASCII digits below ``2**63`` (the spec types path
    keys as int64). Rejects ``bool``, signs, whitespace, non-ASCII digits and anything else
    that could change a URL path.
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationError(
            name, f"expected an int or a string of digits, got {type(value).__name__}"
        )
    if isinstance(value, str):
        if not _DIGITS.fullmatch(value):
            raise ValidationError(name, f"expected 1-19 decimal digits, got {value!r}")
        number = int(value)
    else:
        number = value
    if not 0 <= number <= _MAX_KEY:
        raise ValidationError(name, f"expected a key between 0 and 2**63-1, got {value!r}")
    return str(number)


def keys(values: Iterable[object], name: str) -> list[str]:
    """A list of keys (see ``key``); a bare str/int is rejected to catch ``keys="123"``."""
    if isinstance(values, str | bytes | int):
        raise ValidationError(name, "expected a list of keys, not a single value")
    return [key(v, f"{name}[{i}]") for i, v in enumerate(values)]


def aware_datetime(value: object, name: str) -> datetime:
    """A timezone-aware ``datetime``, converted to UTC. Naive datetimes are rejected."""
    if not isinstance(value, datetime):
        raise ValidationError(name, f"expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValidationError(
            name,
            "naive datetime; pass a timezone-aware one, e.g. "
            "datetime(2026, 1, 1, 9, tzinfo=ZoneInfo('Europe/Berlin')) or tzinfo=UTC",
        )
    try:
        utc = value.astimezone(UTC)
    except OverflowError:  # e.g. datetime.min with a positive offset
        raise ValidationError(name, f"{value.isoformat()} is out of range in UTC") from None
    _check_exists(value, utc, name)
    return utc


def _check_exists(value: datetime, utc: datetime, name: str) -> None:
    """Reject a wall-clock time its zone skips (a daylight-saving gap).

    Python gives such a time the offset from before the gap, so 02:30 on the night Berlin
    moves from 02:00 to 03:00 silently becomes 01:30 UTC -- which then shows up as a
    baffling "end is not after start". A time that exists reads the same after a round trip
    through UTC; one in a gap does not.
    """
    try:
        back = utc.astimezone(value.tzinfo)
    except (OverflowError, ValueError):
        return
    if back.replace(tzinfo=None, fold=0) == value.replace(tzinfo=None, fold=0):
        return
    zone = getattr(value.tzinfo, "key", None) or value.tzname() or str(value.tzinfo)
    wall = value.replace(tzinfo=None).isoformat(sep=" ", timespec="minutes")
    raise ValidationError(
        name,
        f"{wall} does not exist in {zone}: the clocks jump over it (a daylight-saving gap); "
        f"Python would read it as {back.replace(tzinfo=None).isoformat(sep=' ', timespec='minutes')}",
    )


def _describe(value: object) -> str:
    """``dict``, ``str``, or ``tuple of 3`` -- what a wrong pair was, for messages."""
    if isinstance(value, tuple | list):
        return f"{type(value).__name__} of {len(value)}"
    return type(value).__name__


def date_range(start: object, end: object) -> tuple[datetime, datetime]:
    """``(start, end)``: both timezone-aware (converted to UTC), ``start`` before ``end``."""
    s = aware_datetime(start, "start")
    e = aware_datetime(end, "end")
    if not s < e:
        raise ValidationError("end", f"end {e.isoformat()} is not after start {s.isoformat()}")
    return s, e


def times(pairs: Iterable[Any], name: str = "times") -> list[tuple[datetime, datetime]]:
    """Non-empty ``(start, end)`` pairs (2-tuples or lists, or objects with ``start``/``end``
    such as ``TimeRange``), timezone-aware, start < end.

    A mapping (``{"start": ..., "end": ...}``) is refused by name rather than unpacked: that
    would iterate its keys and report a confusing "expected a datetime, got str".
    """
    if isinstance(pairs, str | bytes) or not isinstance(pairs, Iterable):
        raise ValidationError(name, "expected a list of (start, end) pairs")
    result: list[tuple[datetime, datetime]] = []
    for i, pair in enumerate(pairs):
        if isinstance(pair, tuple | list) and len(pair) == 2:
            start, end = pair
        elif not isinstance(pair, tuple | list | str | bytes | Mapping) and (
            hasattr(pair, "start") and hasattr(pair, "end")
        ):
            start, end = pair.start, pair.end
        else:
            raise ValidationError(
                f"{name}[{i}]",
                f"expected a (start, end) pair or TimeRange, got {_describe(pair)}",
            )
        s = aware_datetime(start, f"{name}[{i}].start")
        e = aware_datetime(end, f"{name}[{i}].end")
        if not s < e:
            raise ValidationError(
                f"{name}[{i}]", f"end {e.isoformat()} is not after start {s.isoformat()}"
            )
        result.append((s, e))
    if not result:
        raise ValidationError(name, "at least one (start, end) pair is required")
    return result


@functools.cache
def _zones() -> frozenset[str] | None:
    """The IANA zone names, or ``None`` if this system has no tz database at all.

    ``available_timezones()`` walks the tz database (~10 ms); once per process is enough. It is
    empty where there is none (Windows without the ``tzdata`` package): rejecting every zone
    there would make ``trainings.create`` unusable, so validation is left to the API and one
    warning says how to get it back (``tzdata`` is deliberately not a dependency).
    """
    import zoneinfo  # lazily: ~2 ms of ``import gototraining`` for one validator

    zones = frozenset(zoneinfo.available_timezones())
    if not zones:
        logger.warning(
            "no IANA time zone database found on this system; time_zone arguments are not "
            "checked before sending (the API still validates them). pip install tzdata to "
            "enable the check"
        )
        return None
    return zones


def time_zone(value: object, name: str = "time_zone") -> str:
    """An IANA tz database name such as ``Europe/Berlin``, or the ``tzinfo`` the caller built
    their datetimes with: a ``zoneinfo.ZoneInfo`` (its ``key`` is sent) or ``datetime.UTC``
    (``"UTC"``). Other ``tzinfo`` objects (fixed offsets, a ``ZoneInfo`` read from a file)
    have no IANA name and are refused.

    Without a tz database on the system (see ``_zones``) any non-empty name without
    whitespace or control characters is accepted and the API has the last word.
    """
    if isinstance(value, tzinfo):
        value = _zone_name(value, name)
    zones = _zones()
    if (
        not isinstance(value, str)
        or not value
        or (zones is not None and value not in zones)
        or (zones is None and any(not "!" <= ch <= "~" for ch in value))
    ):
        raise ValidationError(
            name, f"expected an IANA time zone such as 'Europe/Berlin', got {value!r}"
        )
    return value


def _zone_name(zone: tzinfo, name: str) -> str:
    """The IANA name of a ``ZoneInfo`` (or ``"UTC"`` for ``datetime.UTC``)."""
    if zone is UTC:
        return "UTC"
    key = getattr(zone, "key", None)  # ZoneInfo; zoneinfo itself is imported lazily (_zones)
    if isinstance(key, str) and key:
        return key
    raise ValidationError(
        name,
        f"{zone!r} has no IANA time zone name; pass e.g. "
        "ZoneInfo('Europe/Berlin') or 'Europe/Berlin'",
    )


def _strip_spaces(value: str) -> str:
    """``value`` without the space characters (category Zs: space, no-break space, ...) around
    it; tabs and line breaks stay, to be refused."""
    start, end = 0, len(value)
    while start < end and unicodedata.category(value[start]) == "Zs":
        start += 1
    while end > start and unicodedata.category(value[end - 1]) == "Zs":
        end -= 1
    return value[start:end]


def email(value: object, name: str = "email") -> str:
    """A plausible email address (pragmatic check; the API has the last word).

    Returned without surrounding spaces, like names (spreadsheet cells often end in one).
    No other whitespace, control, format or surrogate characters (CR/LF would allow header
    injection in the confirmation email; a lone surrogate cannot even be encoded).
    """
    if isinstance(value, str):
        value = _strip_spaces(value)
        if not value:
            raise ValidationError(name, "must not be empty")
    if (
        not isinstance(value, str)
        or len(value) > 254
        or not _EMAIL.fullmatch(value)
        or any(unicodedata.category(ch) in _NEVER for ch in value)
    ):
        raise ValidationError(name, f"expected an email address, got {value!r}")
    return value


def text(
    value: object,
    name: str,
    *,
    max_len: int = 1024,
    required: bool = True,
    single_line: bool = True,
) -> str:
    """A string: non-empty (after stripping) when ``required``, at most ``max_len`` characters.

    One-line values (names) are returned stripped of surrounding whitespace: what was checked
    is what is sent. Multi-line values (descriptions) are returned as given.

    ``single_line`` forbids CR/LF, the Unicode line/paragraph separators and other control
    characters (names end up in email headers and calendar entries); descriptions pass
    ``single_line=False`` and may contain newlines and tabs. Lone surrogates are always
    rejected (they cannot be encoded as UTF-8 JSON).
    """
    if not isinstance(value, str):
        raise ValidationError(name, f"expected a string, got {type(value).__name__}")
    if required and not value.strip():
        raise ValidationError(name, "must not be empty")
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cs":
            raise ValidationError(name, f"lone surrogate {ch!r} not allowed")
        if (category == "Cc" and (single_line or ch not in "\n\r\t")) or (
            single_line and category in ("Zl", "Zp")
        ):
            raise ValidationError(name, f"control character {ch!r} not allowed")
    if single_line:  # send what was checked: the name without the spaces around it
        value = value.strip()
    if len(value) > max_len:
        raise ValidationError(name, f"at most {max_len} characters, got {len(value)}")
    return value


def timeout(value: object, name: str = "timeout") -> None:
    """A timeout as the clients and every method take it: positive finite seconds (at most
    1,000,000), an ``httpx.Timeout`` whose parts are such seconds or ``None``, ``None`` (no
    timeout) or ``NOT_GIVEN`` (the default). One check for the constructors' and the per-call
    ``timeout=``, so a bad value fails before anything is sent (httpx itself would only fail
    at send time, with a ``TypeError``, or overflow a socket timeout)."""
    if value is None or isinstance(value, NotGiven):
        return
    if isinstance(value, httpx.Timeout):
        for part in ("connect", "read", "write", "pool"):
            seconds = getattr(value, part)
            if seconds is not None:
                _seconds(seconds, f"{name}.{part}")
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(
            name, f"expected seconds, an httpx.Timeout or None, got {type(value).__name__}"
        )
    _seconds(value, name)


def _seconds(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(name, f"expected seconds or None, got {type(value).__name__}")
    if not (value > 0 and math.isfinite(value)):
        raise ValidationError(name, f"expected a positive number of seconds, got {value!r}")
    if value > MAX_SECONDS:
        raise ValidationError(
            name, f"expected at most {MAX_SECONDS:,.0f} seconds (None: no timeout), got {value!r}"
        )


def boolean(value: object, name: str) -> bool:
    """A real ``bool`` (not a truthy string like ``"false"``)."""
    if not isinstance(value, bool):
        raise ValidationError(name, f"expected True or False, got {value!r}")
    return value


#: Setting it to ``1`` (``true``, ``yes``) opts in to plain ``http://`` URLs of other hosts.
INSECURE_HTTP_VARIABLE = "GOTO_ALLOW_INSECURE_HTTP"


def insecure_http_from_environment() -> bool:
    """Whether ``GOTO_ALLOW_INSECURE_HTTP`` opts in to ``http://`` URLs of other hosts."""
    import os

    return os.environ.get(INSECURE_HTTP_VARIABLE, "").strip().lower() in ("1", "true", "yes")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (as in a URL, IPv6 without brackets) is this machine."""
    import ipaddress

    name = host.strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def secure_url(url: str, name: str, *, allow_insecure_http: bool) -> None:
    """Refuse an ``http://`` URL to a host that is not this machine: tokens (and the client
    secret) would cross the network in clear text. ``allow_insecure_http`` opts in.

    Raises:
        ValidationError: naming ``name``, the host and how to opt in.
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return  # not a URL: the caller's own check says so
    if parsed.scheme != "http" or allow_insecure_http or is_loopback(parsed.host):
        return
    raise ValidationError(
        name,
        f"http://{parsed.host} would send the credentials in clear text to a host that is not "
        "this machine: use https://, or opt in with allow_insecure_http=True (or "
        f"{INSECURE_HTTP_VARIABLE}=1) if that is what you want (e.g. a TLS-terminating proxy "
        "on a trusted network)",
    )
