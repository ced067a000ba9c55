"""Drift: answers that stray from the spec, and how they are reported (hand-written).

The generated decoders (``_generated.models``, helpers in ``_decoding``) accept exactly what the spec
allows on their fast path. When a body strays, ``decode_one`` / ``decode_list`` decide by the
*decoding context* the pipeline set for the call (``decoding``):

* strict (``strict=True``, or no context at all): the first deviation is a ``DecodeError``;
* tolerant (the clients' default): the body is decoded again, and every deviation that keeps
  its meaning becomes a ``Deviation`` -- kept on the model (``model.drift``), reported once per
  process as a ``DriftWarning`` and a ``gototraining`` log record, and written to the drift
  record file if the client has one (``record_drift``). A value that cannot be used is left
  out of the model (reading it raises ``MissingFieldError``); a body without usable meaning
  (not JSON, no list where a list is expected, a key the operation cannot do without) is
  still a ``DecodeError``.

Clean bodies never get here: the context is two assignments per call, and nothing else runs.
"""

from __future__ import annotations

import builtins
import contextvars
import enum
import json
import logging
import os
import re
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

from ._errors import DriftWarning

__all__ = [
    "Deviation",
    "DriftContext",
    "DriftKind",
    "DriftRecorder",
    "UnknownValue",
    "current",
    "decoding",
    "forget_warnings",
    "report",
]

logger = logging.getLogger("gototraining")


class DriftKind(enum.StrEnum):
    """How an answer strayed from the spec (``Deviation.kind``)."""

    #: A required property is absent.
    MISSING = "missing"
    #: ``null`` where the spec does not allow it.
    NULL = "null"
    #: Another JSON type than the spec says: converted when that loses nothing (a key sent as
    #: a number, a number sent as a numeric string), else the value is unusable.
    WRONG_TYPE = "wrong type"
    #: ``""`` where the spec expects a date-time, an enum value or a non-empty string.
    EMPTY = "empty"
    #: A string padded with whitespace where the API is known to pad (emails): stripped.
    PADDED = "padded"
    #: An enum value the spec does not list: kept as an ``UnknownValue``.
    UNKNOWN_ENUM = "unknown enum"
    #: A property the spec does not define: kept in the model's ``extra``.
    UNKNOWN_FIELD = "unknown field"


class UnknownValue(str):
    """An enum value the spec does not list, exactly as the API sent it.

    Fields typed ``SomeEnum | UnknownValue`` hold one of these for a value this SDK does not
    know: it compares equal to the string, is never mistaken for a member, and a type checker
    makes code that needs a member (``status.name``, an exhaustive ``match``) handle it.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"UnknownValue({str.__repr__(self)})"


class Deviation:
    """One way an answer strayed from the spec.

    Attributes:
        operation: the spec's operationId of the call, e.g. ``"getRegistrants"``.
        path: where in the answer, e.g. ``$[3].status`` (``$`` is the whole body).
        kind: a ``DriftKind``.
        schema: the spec schema of the object holding the value (``None`` for a bare answer).
        property: the property's name on the wire (``None`` for a bare answer).
        expected: what the spec says, e.g. ``"string"``, ``"one of APPROVED, DENIED, WAITING"``.
        got: what came instead: a JSON type (``"integer"``), or the unknown enum value.
        lost: whether the value could not be used (reading its field raises
            ``MissingFieldError``; ``None`` for an optional one).
    """

    __slots__ = ("expected", "got", "kind", "lost", "operation", "path", "property", "schema")

    operation: str
    path: str
    kind: DriftKind
    schema: str | None
    property: str | None
    expected: str
    got: str
    lost: bool

    def __init__(
        self,
        *,
        operation: str,
        path: str,
        kind: DriftKind,
        schema: str | None,
        property: str | None,
        expected: str,
        got: str,
        lost: bool,
    ) -> None:
        set_ = object.__setattr__
        set_(self, "operation", operation)
        set_(self, "path", path)
        set_(self, "kind", kind)
        set_(self, "schema", schema)
        set_(self, "property", property)
        set_(self, "expected", expected)
        set_(self, "got", got)
        set_(self, "lost", lost)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Deviation is immutable")

    @builtins.property
    def pattern(self) -> str:
        """``path`` with every index as ``[*]`` (what warnings and records are grouped by)."""
        return _INDEX.sub("[*]", self.path)

    def describe(self) -> str:
        """One line for people: ``$[*].status: unknown enum (expected ..., got 'X')``."""
        got = repr(self.got) if self.kind is DriftKind.UNKNOWN_ENUM else self.got
        what = f"{self.pattern}: {self.kind}"
        if self.kind is not DriftKind.UNKNOWN_FIELD:
            what += f" (expected {self.expected}, got {got})"
        else:
            what += f" ({got})"
        if self.lost:
            what += "; the value was not usable"
        return what

    def to_json(self) -> dict[str, Any]:
        """The record written to a drift file (no values but enum values: no personal data)."""
        return {
            "operation": self.operation,
            "path": self.pattern,
            "kind": str(self.kind),
            "schema": self.schema,
            "property": self.property,
            "expected": self.expected,
            "got": self.got,
        }

    def _key(self) -> tuple[Any, ...]:
        return (self.operation, self.path, self.kind, self.schema, self.property, self.got)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Deviation):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Deviation(operation={self.operation!r}, path={self.path!r}, "
            f"kind={str(self.kind)!r}, expected={self.expected!r}, got={self.got!r})"
        )


_INDEX = re.compile(r"\[\d+\]")


class DriftContext:
    """What the decoders of one call's answer need: the operation, the mode, where they are.

    ``tolerant`` is switched on by ``decode_one`` / ``decode_list`` only after a strict pass
    failed (clean bodies never see it on); ``parts`` is the JSON path being decoded.
    """

    __slots__ = ("deviations", "expect", "operation", "parts", "recorder", "strict", "tolerant")

    def __init__(
        self, operation: str, *, strict: bool, recorder: DriftRecorder | None = None
    ) -> None:
        self.operation = operation
        self.strict = strict
        self.recorder = recorder
        self.tolerant = False
        #: The JSON object the tolerant pass is about to decode (a checked decoder of any
        #: other object, reached from a fast decoder, stays strict: its path is not known).
        self.expect: Any = None
        self.deviations: list[Deviation] = []
        self.parts: list[str] = []

    def path(self, part: str = "") -> str:
        return "$" + "".join(self.parts) + part


_CONTEXT: Final[contextvars.ContextVar[DriftContext | None]] = contextvars.ContextVar(
    "gototraining_decoding", default=None
)

#: No context (a decoder called directly): strict, as the spec says.
current = _CONTEXT.get


@contextmanager
def decoding(
    operation: str, *, strict: bool = False, recorder: DriftRecorder | None = None
) -> Iterator[DriftContext]:
    """Decode within this block as one call of ``operation`` (tolerant unless ``strict``).

    The deviations found are in the yielded context's ``deviations``; ``report`` them after.
    """
    ctx = DriftContext(operation, strict=strict, recorder=recorder)
    token = _CONTEXT.set(ctx)
    try:
        yield ctx
    finally:
        _CONTEXT.reset(token)


# -- reporting ------------------------------------------------------------------------------------

_warned: set[tuple[str, str, str]] = set()
_warned_lock = threading.Lock()


def forget_warnings() -> None:
    """Warn again about deviations already warned about (for tests)."""
    with _warned_lock:
        _warned.clear()


def report(ctx: DriftContext) -> None:
    """Warn (once per process per operation, path and kind), log and record the deviations
    of one answer."""
    deviations = ctx.deviations
    if not deviations:
        return
    fresh: list[Deviation] = []
    seen: set[tuple[str, str, str]] = set()
    for deviation in deviations:
        key = (deviation.operation, deviation.pattern, str(deviation.kind))
        if key in seen:
            continue
        seen.add(key)
        with _warned_lock:
            if key in _warned:
                continue
            _warned.add(key)
        fresh.append(deviation)
    logger.debug(
        "%s: the answer strays from the spec in %d place(s)", ctx.operation, len(deviations)
    )
    if ctx.recorder is not None:
        ctx.recorder.write(deviations)
    for deviation in fresh:
        message = f"{deviation.operation}: {deviation.describe()}"
        logger.info("the API's answer strays from the spec: %s", message)
        warnings.warn(
            f"{message} -- decoded anyway; strict=True makes this a DecodeError",
            DriftWarning,
            stacklevel=_caller_level(),
        )


def _caller_level() -> int:
    """The ``stacklevel`` of the first frame outside this package (the user's call)."""
    frame = sys._getframe(2)
    level = 2
    while frame is not None and frame.f_globals.get("__name__", "").startswith("gototraining"):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


class DriftRecorder:
    """Appends deviations to a file as JSON lines (``record_drift``, ``GOTO_RECORD_DRIFT``).

    Each distinct deviation (operation, path pattern, kind, schema, property, what came) is
    written once per recorder; lines are appended whole, so several processes may share a
    file. ``scripts/apply_drift.py`` turns such files into spec changes.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._lock = threading.Lock()
        self._written: set[tuple[Any, ...]] = set()

    def write(self, deviations: list[Deviation]) -> None:
        lines = []
        with self._lock:
            for deviation in deviations:
                record = deviation.to_json()
                key = tuple(record.values())
                if key in self._written:
                    continue
                self._written.add(key)
                lines.append(json.dumps(record, sort_keys=True) + "\n")
            if lines:
                with open(self.path, "a", encoding="utf-8") as out:
                    out.write("".join(lines))

    def __repr__(self) -> str:
        return f"DriftRecorder({self.path!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DriftRecorder) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)
