"""What the generated decoders in ``_generated/models.py`` share (hand-written; the generator never
touches this module).

Every generated model has two decoders: a *fast* one (one combined type check, the frozen
instance filled through its slot descriptors), and a *checked* one, ``decode_model`` with the
model's ``Shape``, which goes field by field. The fast one accepts exactly what the spec
allows and hands anything else to the checked one. Strict, the checked one raises
:class:`Invalid` naming the field; tolerant (a client's default, see ``_drift``) it decodes
what strays but keeps its meaning and records how it strayed. ``decode_one`` /
``decode_list`` turn :class:`Invalid` into the public ``DecodeError`` with a JSON path such as
``$[3].organizers[0].email``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, NoReturn, Self, TypeVar, cast

import attrs

from . import _drift
from ._drift import Deviation, DriftKind, UnknownValue
from ._errors import DecodeError, MissingFieldError

__all__ = [
    "ABSENT",
    "NO_EXTRA",
    "Array",
    "Boolean",
    "DateTime",
    "Enum",
    "ExtraFields",
    "Field",
    "Integer",
    "Invalid",
    "Model",
    "Nested",
    "Number",
    "Shape",
    "String",
    "builder",
    "decode_list",
    "decode_model",
    "decode_one",
    "decode_string",
    "extra_fields",
    "json_type",
    "lacking_as_in",
    "parse_date_time",
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


def builder(cls: type) -> Any:
    """A class with the frozen model ``cls``'s exact layout but without its frozen
    ``__setattr__``, for the fast decoders: they fill an instance of it with plain attribute
    stores (several times faster than calling the slots' descriptors) and then turn it into a
    ``cls`` by assigning ``__class__``, which CPython allows between classes of the same layout
    (same base, same slots, no ``__weakref__`` slot: the models are made with
    ``weakref_slot=False``). Checked here, at import: a model that cannot be built this way
    stops the import instead of being half-initialised."""
    fields = tuple(f.name for f in attrs.fields(cls))
    if "__attrs_post_init__" in vars(cls) or vars(cls).get("__slots__") != fields:
        raise RuntimeError(f"{cls.__name__}: fast decoder out of date ({fields})")
    twin = type(
        f"_{cls.__name__}Builder",
        cls.__bases__,
        {"__slots__": fields, "__module__": cls.__module__, "__doc__": builder.__doc__},
    )
    probe: Any = object.__new__(twin)
    probe.__class__ = cls  # TypeError here if the layouts differ
    return twin


# -- the checked decoders: one loop over a model's ``Shape`` -------------------------------------
#
# A checked decoder runs when a fast decoder met anything unusual. Strict (no decoding context,
# ``strict=True``, or the first pass over a body) it raises ``Invalid`` at the first deviation,
# with the messages the spec's words suggest. Tolerant (the second pass ``decode_one`` /
# ``decode_list`` make, see ``_drift``) it records each deviation, converts what can be
# converted without loss, and leaves a field whose value is unusable unset: reading it raises
# ``MissingFieldError``. A key the operation cannot do without (``essential``) still raises.

#: A value that cannot be used (the field's slot stays empty).
UNUSABLE: Any = object()


class Drifted:
    """What a converter returns for a value that strays: how, and the value to use instead
    (``UNUSABLE``: none)."""

    __slots__ = ("expected", "got", "kind", "message", "value")

    def __init__(
        self, kind: DriftKind, expected: str, got: str, value: Any, message: str = ""
    ) -> None:
        self.kind = kind
        self.expected = expected
        self.got = got
        self.value = value
        self.message = message or f"expected {expected}, got {got}"


class Converter:
    """Checks and converts one JSON value of a property (the fast path's checks, spelled out)."""

    __slots__ = ("expected",)

    expected: str

    def __call__(self, value: Any, reader: Reader, key: str) -> Any:
        raise NotImplementedError


_DIGITS = re.compile(r"[+-]?\d+", re.ASCII)


class String(Converter):
    """A string; an integer is converted (keys and ids sent as JSON numbers lose nothing).

    ``non_empty``: ``""`` strays (kept as it is). ``strip``: surrounding whitespace strays
    (stripped; the API pads some values, e.g. emails).
    """

    __slots__ = ("non_empty", "strip")

    def __init__(self, *, non_empty: bool = False, strip: bool = False) -> None:
        self.expected = "non-empty string" if non_empty else "string"
        self.non_empty = non_empty
        self.strip = strip

    def __call__(self, value: Any, reader: Reader, key: str) -> Any:
        if type(value) is str:
            if self.strip and value != value.strip():
                return Drifted(
                    DriftKind.PADDED,
                    "a string without surrounding whitespace",
                    "padded string",
                    value.strip(),
                )
            if self.non_empty and not value:
                return Drifted(DriftKind.EMPTY, self.expected, "empty string", value)
            return value
        if type(value) is int:
            return Drifted(DriftKind.WRONG_TYPE, self.expected, "integer", str(value))
        return Drifted(DriftKind.WRONG_TYPE, self.expected, json_type(value), UNUSABLE)


class Boolean(Converter):
    """A boolean; the strings ``"true"`` / ``"false"`` are converted."""

    __slots__ = ()

    def __init__(self) -> None:
        self.expected = "boolean"

    def __call__(self, value: Any, reader: Reader, key: str) -> Any:
        if type(value) is bool:
            return value
        if value in ("true", "false"):
            return Drifted(DriftKind.WRONG_TYPE, "boolean", "string", value == "true")
        return Drifted(DriftKind.WRONG_TYPE, "boolean", json_type(value), UNUSABLE)


class Integer(Converter):
    """An integer within ``[low, high]``; a decimal string or an integral number is converted
    exactly (never through a float). ``convert``: ``"minutes"`` -> ``timedelta``, ``"key"`` ->
    ``str`` (where a key is a string anyway, a string of digits is taken as it is)."""

    __slots__ = ("convert", "fmt", "high", "low")

    def __init__(
        self, low: int | None = None, high: int | None = None, fmt: str = "", convert: str = ""
    ) -> None:
        self.low, self.high, self.fmt, self.convert = low, high, fmt, convert
        self.expected = fmt or "integer"

    def _out_of_range(self, number: int) -> bool:
        return (self.low is not None and number < self.low) or (
            self.high is not None and number > self.high
        )

    def _converted(self, number: int, key: str) -> Any:
        if self.convert == "minutes":
            try:
                return timedelta(minutes=number)
            except OverflowError:
                raise Invalid(
                    f"{number} minutes is out of range for a timedelta", f".{key}"
                ) from None
        if self.convert == "key":
            return str(number)
        return number

    def __call__(self, value: Any, reader: Reader, key: str) -> Any:
        kind = type(value)
        number: int | None = None
        if kind is int:
            number = value
        elif (
            kind is str
            and _DIGITS.fullmatch(value)
            or kind is float
            and value.is_integer()
            and abs(value) <= 2**53
        ):
            number = int(value)
        if number is None:
            return Drifted(DriftKind.WRONG_TYPE, self.expected, json_type(value), UNUSABLE)
        if self._out_of_range(number):
            return Drifted(
                DriftKind.WRONG_TYPE,
                self.expected,
                "an integer out of its range",
                UNUSABLE,
                f"{number} is out of range for {self.expected} "
                f"[{'-inf' if self.low is None else self.low}, "
                f"{'inf' if self.high is None else self.high}]",
            )
        if kind is int:
            return self._converted(number, key)
        if kind is str and self.convert == "key":
            converted: Any = value.lstrip("+")
        else:
            converted = self._converted(number, key)
        return Drifted(DriftKind.WRONG_TYPE, self.expected, json_type(value), converted)


class Number(Converter):
    """A number as a ``float``; a numeric string is converted (finite values only)."""

    __slots__ = ()

    def __init__(self) -> None:
        self.expected = "number"

    def __call__(self, value: Any, reader: Reader, key: str) -> Any:
        if type(value) is int or type(value) is float:
            return float(value)
        if type(value) is str:
            try:
                number = float(value)
            except ValueError:
                number = math.nan
            if math.isfinite(number):
                return Drifted(DriftKind.WRONG_TYPE, "number", "string", number)
        return Drifted(DriftKind.WRONG_TYPE, "number", json_type(value), UNUSABLE)


class DateTime(Converter):
    """An RFC 3339 date-time (see ``parse_date_time``)."""

    __slots__ = ()

    def __init__(self) -> None:
        self.expected = "date-time string"

    def __call__(self, value: Any, reader: Reader, key: str) -> Any:
        if type(value) is not str:
            return Drifted(DriftKind.WRONG_TYPE, self.expected, json_type(value), UNUSABLE)
        if not value:
            return Drifted(
                DriftKind.EMPTY,
                self.expected,
                "empty string",
                UNUSABLE,
                "expected an RFC 3339 date-time, got ''",
            )
        try:
            return parse_date_time(value)
        except ValueError as exc:
            return Drifted(
                DriftKind.WRONG_TYPE, "an RFC 3339 date-time", "another string", UNUSABLE, str(exc)
            )


class Enum(Converter):
    """One of the spec's values (a member); an unknown one becomes an ``UnknownValue``."""

    __slots__ = ("members",)

    def __init__(self, members: Mapping[str, Any]) -> None:
        self.members = members
        self.expected = "one of " + ", ".join(sorted(members))

    def __call__(self, value: Any, reader: Reader, key: str) -> Any:
        if type(value) is not str:
            return Drifted(DriftKind.WRONG_TYPE, self.expected, json_type(value), UNUSABLE)
        member = self.members.get(value)
        if member is not None:
            return member
        message = f"expected one of {sorted(self.members)}, got {value[:40]!r}"
        if not value:
            return Drifted(DriftKind.EMPTY, self.expected, "empty string", UNUSABLE, message)
        return Drifted(DriftKind.UNKNOWN_ENUM, self.expected, value, UnknownValue(value), message)


class Nested(Converter):
    """An object decoded by another model's decoder."""

    __slots__ = ("decode",)

    def __init__(self, decode: Callable[[Any], Any], schema: str) -> None:
        self.decode = decode
        self.expected = f"a {schema} object"

    def __call__(self, value: Any, reader: Reader, key: str) -> Any:
        if type(value) is not dict:
            return Drifted(
                DriftKind.WRONG_TYPE,
                self.expected,
                json_type(value),
                UNUSABLE,
                f"expected an object, got {json_type(value)}",
            )
        return reader.descend(f".{key}", self.decode, value)


class Array(Converter):
    """An array of objects, each decoded by another model's decoder: a tuple."""

    __slots__ = ("decode",)

    def __init__(self, decode: Callable[[Any], Any], schema: str) -> None:
        self.decode = decode
        self.expected = f"an array of {schema} objects"

    def __call__(self, value: Any, reader: Reader, key: str) -> Any:
        if type(value) is not list:
            return Drifted(
                DriftKind.WRONG_TYPE,
                self.expected,
                json_type(value),
                UNUSABLE,
                f"expected array, got {json_type(value)}",
            )
        out = []
        for index, item in enumerate(value):
            if type(item) is not dict and reader.tolerant:
                return Drifted(
                    DriftKind.WRONG_TYPE,
                    self.expected,
                    f"an array with a {json_type(item)}",
                    UNUSABLE,
                )
            out.append(reader.descend(f".{key}[{index}]", self.decode, item))
        return tuple(out)


class Field:
    """One property of a model: its wire name, attribute, converter and what may be absent.

    ``accepts``: what the spec says the API also sends besides the property's type
    (``x-also-sent-as``: the ``got`` of a ``Drifted``, e.g. ``"integer"``, ``"empty string"``),
    converted like drift but not reported (an unusable one becomes ``None``).
    ``essential``: without a usable value the whole answer is of no use (``DecodeError``).
    """

    __slots__ = ("accepts", "attr", "convert", "essential", "key", "nullable", "required")

    def __init__(
        self,
        key: str,
        attr: str,
        convert: Converter,
        *,
        required: bool = True,
        nullable: bool = False,
        essential: bool = False,
        accepts: frozenset[str] = frozenset(),
    ) -> None:
        self.accepts = accepts
        self.key = key
        self.attr = attr
        self.convert = convert
        self.required = required
        self.nullable = nullable
        self.essential = essential


class Shape:
    """How a model is decoded field by field (the checked decoder's description).

    ``cls`` is the model (``None`` for an answer that is unwrapped to one of its properties,
    ``unwrap``); ``defaults`` holds the facade-only fields' values; ``open``: unknown
    properties are allowed by the schema (kept in ``extra``, reported as drift).
    """

    __slots__ = ("cls", "defaults", "fields", "known", "open", "schema", "setters", "unwrap")

    def __init__(
        self,
        cls: type | None,
        schema: str,
        fields: tuple[Field, ...],
        *,
        defaults: Mapping[str, Any] | None = None,
        open: bool = True,
        unwrap: str | None = None,
    ) -> None:
        self.cls = cls
        self.schema = schema
        self.fields = fields
        self.known = frozenset(f.key for f in fields)
        self.defaults = dict(defaults or {})
        self.open = open
        self.unwrap = unwrap
        self.setters: dict[str, Callable[[Any, Any], None]] = {}
        if cls is not None:
            names = {f.attr for f in fields} | set(self.defaults) | {"extra"}
            attributes = {f.name for f in attrs.fields(cls)}
            if names != attributes:
                raise RuntimeError(f"{cls.__name__}: checked decoder out of date ({attributes})")
            self.setters = {n: vars(cls)[n].__set__ for n in names}


class Reader:
    """Decodes one object of a ``Shape`` (strict or tolerant, see above)."""

    __slots__ = ("ctx", "data", "shape", "start", "tolerant", "unset")

    def __init__(self, data: Any, shape: Shape) -> None:
        if type(data) is not dict:
            raise Invalid(f"expected an object, got {json_type(data)}")
        ctx = _drift.current()
        self.data: dict[str, Any] = data
        self.shape = shape
        self.ctx = ctx
        # Tolerant only where the tolerant pass meant to go: see ``descend``.
        self.tolerant = ctx is not None and ctx.tolerant and ctx.expect is data
        self.start = len(ctx.deviations) if ctx is not None else 0
        self.unset: dict[str, Deviation] = {}

    def descend(self, part: str, decode: Callable[[Any], T], value: Any) -> T:
        """Decode a nested object at ``part`` (``.key`` or ``.key[index]``): its fast decoder
        first, which hands anything unusual to its checked decoder -- tolerant only for this
        very value, whose path is known here."""
        ctx = self.ctx
        if ctx is None or not self.tolerant:
            try:
                return decode(value)
            except Invalid as exc:
                raise exc.at(part) from None
        ctx.parts.append(part)
        previous, ctx.expect = ctx.expect, value
        try:
            return decode(value)
        except Invalid as exc:
            raise exc.at(part) from None
        finally:
            ctx.expect = previous
            ctx.parts.pop()

    def stray(self, field: Field, drifted: Drifted, part: str | None) -> Any:
        """A value that strays: ``Invalid`` when strict, else recorded and what to use."""
        ctx = self.ctx
        if ctx is None or not self.tolerant:
            raise Invalid(drifted.message, *([part] if part else []))
        lost = drifted.value is UNUSABLE
        deviation = Deviation(
            operation=ctx.operation,
            path=ctx.path(f".{field.key}"),
            kind=drifted.kind,
            schema=self.shape.schema,
            property=field.key,
            expected=drifted.expected,
            got=drifted.got,
            lost=lost and field.required,
        )
        ctx.deviations.append(deviation)
        if not lost:
            return drifted.value
        if field.essential:
            raise Invalid(
                f"{drifted.message} ({field.key} is needed to use the answer at all)",
                *([part] if part else []),
            )
        if not field.required:
            return None
        self.unset[field.attr] = deviation
        return UNUSABLE

    def field(self, field: Field) -> Any:
        key = field.key
        value = self.data.get(key, ABSENT)
        if value is ABSENT:
            if not field.required:
                return None
            return self.stray(
                field,
                Drifted(
                    DriftKind.MISSING,
                    field.convert.expected,
                    "nothing",
                    UNUSABLE,
                    f"missing field {key!r}",
                ),
                None,
            )
        if value is None:
            if field.nullable:
                return None
            return self.stray(
                field, Drifted(DriftKind.NULL, field.convert.expected, "null", UNUSABLE), f".{key}"
            )
        converted = field.convert(value, self, key)
        if type(converted) is Drifted:
            if converted.got in field.accepts:
                return None if converted.value is UNUSABLE else converted.value
            return self.stray(field, converted, f".{key}")
        return converted

    def extra(self) -> ExtraFields:
        """The unknown properties (kept), each a deviation."""
        known = self.shape.known
        found = {k: v for k, v in self.data.items() if k not in known}
        if not found:
            return NO_EXTRA
        ctx = self.ctx
        if ctx is None or not self.tolerant:
            key = next(iter(found))
            why = "not in the spec" if self.shape.open else "the schema allows no other fields"
            raise Invalid(f"unexpected field {key!r} ({why})")
        for key, value in found.items():
            ctx.deviations.append(
                Deviation(
                    operation=ctx.operation,
                    path=ctx.path(f".{key}"),
                    kind=DriftKind.UNKNOWN_FIELD,
                    schema=self.shape.schema,
                    property=key,
                    expected="no such property",
                    got=json_type(value),
                    lost=False,
                )
            )
        return ExtraFields(found)


def decode_model(data: Any, shape: Shape) -> Any:
    """The checked decoder of every model: ``shape``'s fields, one by one."""
    reader = Reader(data, shape)
    values = {field.attr: reader.field(field) for field in shape.fields}
    extra = reader.extra()
    if shape.cls is None:
        return values[next(f.attr for f in shape.fields if f.key == shape.unwrap)]
    obj: Any = object.__new__(shape.cls)
    setters = shape.setters
    for name, value in values.items():
        if value is not UNUSABLE:
            setters[name](obj, value)
    for name, value in shape.defaults.items():
        setters[name](obj, value)
    setters["extra"](obj, extra)
    ctx = reader.ctx
    if ctx is not None and len(ctx.deviations) > reader.start:
        _set_drift(obj, _DriftState(tuple(ctx.deviations[reader.start :]), reader.unset))
    return obj


# -- what every model has --------------------------------------------------------------------------


class _DriftState:
    """A model's deviations (its own and its nested models'), and its fields left unset."""

    __slots__ = ("deviations", "unset")

    def __init__(self, deviations: tuple[Deviation, ...], unset: dict[str, Deviation]) -> None:
        self.deviations = deviations
        self.unset = unset


class _Missing:
    """Stands for a field the answer lacked, in a model's repr and comparisons."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()


class Model:
    """Base class of every generated model: ``drift``, the error for a field the API's answer
    lacked (``MissingFieldError``, an ``AttributeError``), and ``==``, ``hash`` and ``repr``
    that work on such a model too (the lost field shows as ``<missing>``; the generated
    classes leave these three to this class)."""

    __slots__ = ("_drift",)

    def _values(self, flag: str) -> tuple[Any, ...]:
        """The fields that take part in ``flag`` (``"eq"``, ``"hash"``: attrs' field options;
        ``hash=None`` follows ``eq``)."""
        return tuple(
            getattr(self, f.name, _MISSING)
            for f in attrs.fields(cast(Any, type(self)))
            if (f.eq if flag == "eq" or f.hash is None else f.hash)
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values("eq") == other._values("eq")

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash((self.__class__, self._values("hash")))

    def __repr__(self) -> str:
        fields = attrs.fields(cast(Any, type(self)))
        shown = ", ".join(f"{f.name}={getattr(self, f.name, _MISSING)!r}" for f in fields if f.repr)
        return f"{type(self).__name__}({shown})"

    @property
    def drift(self) -> tuple[Deviation, ...]:
        """How the API's answer strayed from the spec in this object (and the objects in it);
        empty when it did not. See ``gototraining.Deviation``."""
        try:
            state: _DriftState = _get_drift(self, type(self))
        except AttributeError:
            return ()
        return state.deviations

    if not TYPE_CHECKING:  # a type checker must still flag misspelt attributes

        def __getattr__(self, name: str) -> Any:
            if not name.startswith("_"):
                try:
                    state: _DriftState = _get_drift(self, type(self))
                except AttributeError:
                    pass
                else:
                    deviation = state.unset.get(name)
                    if deviation is not None:
                        raise MissingFieldError(
                            model=type(self).__name__,
                            field=name,
                            operation=deviation.operation,
                            path=deviation.path,
                            kind=str(deviation.kind),
                            obj=self,
                        )
            raise AttributeError(
                f"{type(self).__name__!r} object has no attribute {name!r}", name=name, obj=self
            )


_get_drift = vars(Model)["_drift"].__get__
_set_drift = vars(Model)["_drift"].__set__

M = TypeVar("M", bound=Model)


def lacking_as_in(model: M, source: Model, fields: Mapping[str, str]) -> M:
    """``model``, whose fields named in ``fields`` (``model``'s field -> ``source``'s field)
    were copied from ``source``, lacking those that ``source`` lacked: reading them raises
    the same ``MissingFieldError``, and ``model.drift`` reports why. Models made from other
    models (a ``Registration`` from a ``Registrant``) never turn a lacking field into a
    placeholder value."""
    try:
        state: _DriftState = _get_drift(source, type(source))
    except AttributeError:
        return model
    unset = {name: state.unset[theirs] for name, theirs in fields.items() if theirs in state.unset}
    if unset:
        for name in unset:
            object.__delattr__(model, name)
        _set_drift(model, _DriftState(tuple(unset.values()), unset))
    return model


# RFC 3339 section 5.6 (the spec's ``format: date-time``): "T"/"Z" in either case, any number of
# fraction digits, a numeric offset with a colon. ``datetime.fromisoformat`` accepts more (no
# offset, no seconds, week dates, ...) and cannot read some of it (lower case, leap second).
_RFC3339 = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([Zz])|([+-])(\d\d):(\d\d))",
    re.ASCII,
)


def parse_date_time(value: str) -> datetime:
    """An RFC 3339 date-time as an aware ``datetime`` (its own offset kept); ``ValueError``
    saying why otherwise.

    A leap second (``:60``) becomes the last microsecond of its minute; fractions beyond
    microseconds are truncated.
    """
    found = _RFC3339.fullmatch(value)
    if found is None:
        raise ValueError(f"expected an RFC 3339 date-time, got {value[:40]!r}")
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
        raise ValueError(f"invalid date-time {value[:40]!r} ({exc})") from None


# -- entry points --------------------------------------------------------------------------------
#
# Every body is first decoded strictly (the fast path; nothing else for a clean body). Only when
# that fails, and the call is tolerant (``_drift.decoding``), is it decoded again with the
# deviations recorded.


def _tolerant(ctx: _drift.DriftContext | None) -> bool:
    return ctx is not None and not ctx.strict


def decode_one(decoder: Callable[[Any], T], data: Any) -> T:
    """Decode one JSON object with a generated decoder."""
    try:
        return decoder(data)
    except Invalid as exc:
        ctx = _drift.current()
        if ctx is None or ctx.strict:
            raise DecodeError(exc.message, path=exc.path) from None
    ctx.tolerant, ctx.expect = True, data
    try:
        return decoder(data)
    except Invalid as exc:
        raise DecodeError(exc.message, path=exc.path) from None
    finally:
        ctx.tolerant, ctx.expect = False, None


def decode_list(decoder: Callable[[Any], T], data: Any) -> list[T]:
    """Decode a JSON array of objects; an error's path names the failing index."""
    if type(data) is not list:
        raise DecodeError(f"expected an array, got {json_type(data)}")
    try:
        return [decoder(item) for item in data]
    except Invalid:
        pass  # errors and drift are rare: find it again, item by item, for the path
    ctx = _drift.current()
    if ctx is None or ctx.strict:
        for i, item in enumerate(data):
            try:
                decoder(item)
            except Invalid as exc:
                raise DecodeError(exc.message, path=exc.at(f"[{i}]").path) from None
        raise AssertionError("unreachable: a decoder failed once and then succeeded")
    out = []
    parts = ctx.parts
    ctx.tolerant = True
    try:
        for i, item in enumerate(data):
            parts.append(f"[{i}]")
            ctx.expect = item
            try:
                out.append(decoder(item))
            except Invalid as exc:
                raise DecodeError(exc.message, path=exc.at(f"[{i}]").path) from None
            finally:
                parts.pop()
    finally:
        ctx.tolerant, ctx.expect = False, None
    return out


def decode_string(data: Any, accepts: frozenset[str] = frozenset()) -> str:
    """A bare JSON string (new training key, manage and start URLs). An integer (a key sent as
    a JSON number) is converted: silently where the spec says it may come (``accepts``:
    ``x-also-sent-as``), as drift when tolerant, else it is a ``DecodeError``."""
    if type(data) is str:
        return data
    if type(data) is int and "integer" in accepts:
        return str(data)
    ctx = _drift.current()
    if type(data) is int and _tolerant(ctx):
        assert ctx is not None
        ctx.deviations.append(
            Deviation(
                operation=ctx.operation,
                path="$",
                kind=DriftKind.WRONG_TYPE,
                schema=None,
                property=None,
                expected="string",
                got="integer",
                lost=False,
            )
        )
        return str(data)
    raise DecodeError(f"expected a string, got {json_type(data)}")
