"""Builders of ``client.registrants`` (see ``gototraining/_builders/__init__.py``)."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any, Literal, TypeAlias

from .. import _validation as v
from .._decoding import lacking_as_in
from .._errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    ConflictError,
    GoToTrainingError,
    NotFoundError,
    PermissionDeniedError,
    QueueTimeoutError,
    RateLimitError,
    TransportError,
    ValidationError,
)
from .._generated import models as m
from .._generated import requests as rq
from .._resource import Batch, Context, Key, Pending, Plan, Progress
from .._retry import MAYBE_APPLIED_STATUSES, RETRY_STATUSES, parse_retry_after
from .._transport import Action, Call, Sleep, decode_json

__all__ = [
    "FATAL",
    "MAX_CONCURRENCY",
    "NAME_MAX",
    "IfExists",
    "IfInvalid",
    "InvalidPeopleError",
    "Person",
    "PersonField",
    "RegistrationOutcome",
    "RegistrationResult",
    "is_transient",
    "person_field",
    "register",
    "register_many",
]

#: What ``register`` does when the email is already registered (409): raise ``ConflictError``,
#: or return the existing registration.
IfExists: TypeAlias = Literal["raise", "return"]
#: What ``register_many`` does with invalid people: raise ``InvalidPeopleError`` listing them
#: all (nothing is sent), or report each as an ``INVALID`` result and register the others.
IfInvalid: TypeAlias = Literal["raise", "report"]
PersonField = Literal["email", "given_name", "surname"]
PERSON_FIELDS: tuple[PersonField, ...] = ("email", "given_name", "surname")
#: The longest given name / surname ``register`` accepts.
NAME_MAX = 128
#: The most workers ``register_many`` runs (httpx's default connection pool holds 100).
MAX_CONCURRENCY = 100
#: Errors that would hit every remaining person the same way: ``register_many`` stops.
FATAL: tuple[type[APIError], ...] = (AuthenticationError, PermissionDeniedError, NotFoundError)


def person_field(field: PersonField, value: object, param: str | None = None) -> str:
    """Validate one person field of `registrants.register` (``ValidationError`` if bad,
    naming ``param``, default the field). Values come back without surrounding spaces.

    The one rule for these fields: ``register`` and ``register_many`` apply it before
    sending, and the CLI checks every row of a people file with it before an import starts.
    """
    if field == "email":
        return v.email(value, param or "email")
    return v.text(value, param or field, max_len=NAME_MAX)


# Plain slotted classes rather than attrs: each attrs class costs ~0.35 ms of
# ``import gototraining``, these a few microseconds.


class Person:
    """Someone to register, as ``register_many`` takes them (``register``'s three fields).

    ``register_many`` validates every person before it sends anything (values are sent
    without surrounding spaces); a mapping with exactly the keys ``email``, ``given_name``
    and ``surname`` is accepted in its place. A ``Person`` itself checks nothing: invalid
    ones are refused (or reported) by ``register_many``.
    """

    __slots__ = ("email", "given_name", "surname")

    email: str
    given_name: str
    surname: str

    def __init__(self, email: str, given_name: str, surname: str) -> None:
        object.__setattr__(self, "email", email)
        object.__setattr__(self, "given_name", given_name)
        object.__setattr__(self, "surname", surname)

    def _values(self) -> tuple[str, str, str]:
        return (self.email, self.given_name, self.surname)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Person is immutable (cannot set {name!r})")

    def __eq__(self, other: object) -> bool:
        return type(other) is Person and other._values() == self._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return "Person(email={!r}, given_name={!r}, surname={!r})".format(*self._values())


class RegistrationOutcome(StrEnum):
    """What happened to one person of ``register_many``."""

    #: Registered by this call.
    REGISTERED = "registered"
    #: Was registered already: on the training's registrant list, or the API answered 409
    #: (a 409 after one of this call's own sends lost its answer is ``REGISTERED``: that send
    #: did it).
    ALREADY_REGISTERED = "already_registered"
    #: Not registered: ``RegistrationResult.error`` says why.
    FAILED = "failed"
    #: Not sent: the person is invalid (``register_many(..., invalid="report")``);
    #: ``RegistrationResult.error`` is the ``ValidationError`` saying why.
    INVALID = "invalid"
    #: Sent, but the call was interrupted (Ctrl-C, its task cancelled) -- or stopped by an
    #: error that hits everyone -- before the answer (or the retry that would have told) came:
    #: it may have been applied. ``error`` says so; running ``register_many`` again finds out
    #: (it registers only who is missing).
    UNKNOWN = "unknown"


class RegistrationResult:
    """The outcome for one person of ``registrants.register_many``.

    Attributes:
        index: the person's position in the ``people`` passed in.
        person: the person as validated (and sent); for ``INVALID``, as given (a missing
            field empty).
        outcome: ``REGISTERED``, ``ALREADY_REGISTERED``, ``FAILED``, ``INVALID`` or
            ``UNKNOWN``.
        registration: the registrant's key and URLs (``created`` is ``True`` only for
            ``REGISTERED``). ``None`` when ``FAILED``, ``INVALID`` or ``UNKNOWN``, and for
            ``ALREADY_REGISTERED`` when the API answered 409 but its registrant list (a cache
            that can lag up to two hours) does not show the person yet.
        error: why the person ``FAILED`` (the last error) or is ``INVALID`` (a
            ``ValidationError`` naming ``people[i].field``, or ``people[i]`` when several
            fields are wrong), or why the outcome is ``UNKNOWN`` (a ``TransportError`` with
            ``maybe_sent=True``); ``None`` otherwise.
        attempts: how many times the registration was sent (each time with the client's
            own retries); 0 for someone found on the registrant list, and for ``INVALID``.
    """

    __slots__ = ("attempts", "error", "index", "outcome", "person", "registration")

    index: int
    person: Person
    outcome: RegistrationOutcome
    registration: m.Registration | None
    error: GoToTrainingError | None
    attempts: int

    def __init__(
        self,
        index: int,
        person: Person,
        outcome: RegistrationOutcome,
        registration: m.Registration | None = None,
        error: GoToTrainingError | None = None,
        attempts: int = 0,
    ) -> None:
        for name, value in (
            ("index", index),
            ("person", person),
            ("outcome", outcome),
            ("registration", registration),
            ("error", error),
            ("attempts", attempts),
        ):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"RegistrationResult is immutable (cannot set {name!r})")

    def _values(self) -> tuple[Any, ...]:
        return (
            self.index,
            self.person,
            self.outcome,
            self.registration,
            self.error,
            self.attempts,
        )

    def __eq__(self, other: object) -> bool:
        return type(other) is RegistrationResult and other._values() == self._values()

    __hash__ = None  # type: ignore[assignment]  # holds an exception: compared, not hashed

    def __repr__(self) -> str:
        error = f", error={self.error!r}" if self.error is not None else ""
        return (
            f"RegistrationResult(index={self.index}, email={self.person.email!r}, "
            f"outcome={self.outcome.value!r}, registrant_key={self.registrant_key!r}{error}, "
            f"attempts={self.attempts})"
        )

    @property
    def ok(self) -> bool:
        """Whether the person is registered now (``REGISTERED`` or ``ALREADY_REGISTERED``)."""
        return self.outcome in (
            RegistrationOutcome.REGISTERED,
            RegistrationOutcome.ALREADY_REGISTERED,
        )

    @property
    def registrant_key(self) -> str | None:
        """The registrant's key, if known."""
        return self.registration.registrant_key if self.registration is not None else None

    @property
    def join_url(self) -> str | None:
        """The registrant's personal join URL, if known."""
        return self.registration.join_url if self.registration is not None else None


class InvalidPeopleError(ValidationError):
    """``register_many`` refused its ``people``: every invalid person at once, nothing sent.

    Attributes:
        invalid: one ``INVALID`` ``RegistrationResult`` per invalid person, in the order of
            ``people`` (its ``error`` says why; ``index`` is the position in ``people``):
            what ``invalid="report"`` would have returned for them.
        param: the first invalid person's ``error.param`` (e.g. ``people[10].email``).
    """

    #: How many invalid people the message lists (``invalid`` holds them all).
    SHOWN = 10

    def __init__(self, invalid: Sequence[RegistrationResult]) -> None:
        self.invalid = tuple(invalid)
        errors = [r.error for r in self.invalid if isinstance(r.error, ValidationError)]
        listed = "; ".join(str(e) for e in errors[: self.SHOWN])
        more = len(errors) - self.SHOWN
        super().__init__(
            "people",
            f"{len(errors)} invalid {'person' if len(errors) == 1 else 'people'}, nothing was "
            f"sent: {listed}" + (f"; and {more} more" if more > 0 else ""),
        )
        # The most precise name for a caller that reads one: the first invalid field.
        self.param = errors[0].param if errors else "people"


def register(
    organizer_key: str,
    training_key: Key,
    *,
    email: str,
    given_name: str,
    surname: str,
    if_exists: IfExists = "raise",
) -> Plan[m.Registration]:
    """The registration POST; with ``if_exists="return"`` a replay-safe plan."""
    key = v.key(training_key, "training_key")
    if if_exists not in ("raise", "return"):
        raise ValidationError("if_exists", f"expected 'raise' or 'return', got {if_exists!r}")
    found = _registering(organizer_key, key, email, given_name, surname, if_exists)

    def plan(context: Context) -> Generator[Action, Any, m.Registration]:
        registration, _ = yield from found(context)
        return registration

    return plan


def _registering(
    organizer_key: str, key: str, email: str, given_name: str, surname: str, if_exists: IfExists
) -> Plan[tuple[m.Registration, bool]]:
    """``register``'s plan, validated (``key`` already is); it also says whether a
    registration found after a 409 answered a replay of this call's own attempt, one that may
    have been applied (its answer was lost)."""
    from gototraining_api.models import RegistrantReqCreate

    body = RegistrantReqCreate(
        email=person_field("email", email),
        given_name=person_field("given_name", given_name),
        surname=person_field("surname", surname),
    )
    wanted = body.email
    call = Call(
        rq.register_for_training(organizer_key, key, body),
        decode_json(m.decode_registration),
        # A replay of a registration that did go through is answered 409 and turned into the
        # existing registrant below, so with "return" a lost response can safely be retried.
        replay_safe=True if if_exists == "return" else None,
    )
    list_call = Call(rq.get_registrants(organizer_key, key), decode_json(m.decode_registrant_list))

    def plan(context: Context) -> Generator[Action, Any, tuple[m.Registration, bool]]:
        return (yield from _register_or_find(context, call, list_call, wanted, if_exists))

    return plan


def _register_or_find(
    context: Context,
    call: Call[m.Registration],
    list_call: Call[list[m.Registrant]],
    email: str,
    if_exists: IfExists,
) -> Generator[Action, Any, tuple[m.Registration, bool]]:
    """``register``'s plan; also says whether a registration found after a 409 answered a
    replay of this call's own attempt, one that may have been applied (a lost answer)."""
    try:
        return (yield from context.run(call)), False
    except ConflictError as exc:
        if if_exists == "raise":
            raise
        conflict = exc
    wanted = email.casefold()
    for registrant in (yield from context.run(list_call)):
        # a roster entry the API sent without an email (drift) cannot be the match
        if getattr(registrant, "email", "").casefold() == wanted:
            return _existing(registrant), conflict.replayed
    # The registrant list may lag behind registrations (GoTo caches it for up to 2 hours):
    # without a match, the honest answer is the original conflict.
    conflict.add_note(f"if_exists='return': {email!r} is not in the registrant list (yet)")
    raise conflict


def _existing(registrant: m.Registrant, *, created: bool = False) -> m.Registration:
    """The ``Registration`` of someone found on the registrant list (``created=False`` unless
    this call's own lost send registered them); a URL the list lacked (tolerant decoding) is
    lacking in it too."""
    registration = m.Registration(
        registrant.registrant_key,
        getattr(registrant, "join_url", ""),
        getattr(registrant, "confirmation_url", ""),
        created=created,
        registrant=registrant,
    )
    urls = {"join_url": "join_url", "confirmation_url": "confirmation_url"}
    return lacking_as_in(registration, registrant, urls)


def is_transient(exc: GoToTrainingError) -> bool:
    """No answer at all (reset, timeout, connection), or 429/502/503/504: worth another go."""
    if isinstance(exc, TransportError):
        return True
    return isinstance(exc, APIError) and exc.status in RETRY_STATUSES


def _maybe_applied(exc: GoToTrainingError) -> bool:
    """Whether the request that failed with ``exc`` may have been applied all the same: its
    answer was lost (a broken connection, a read timeout, 502/504), or it answered a replay of
    such a request."""
    if isinstance(exc, TransportError):
        return exc.maybe_sent
    return isinstance(exc, APIError) and (exc.replayed or exc.status in MAYBE_APPLIED_STATUSES)


def _retry_after(exc: GoToTrainingError) -> float | None:
    """The server's ``Retry-After`` on a 429 (or a 503 that carries one), or how long the
    quota is known to be out of reach (``QueueTimeoutError``), in seconds."""
    if isinstance(exc, RateLimitError | QueueTimeoutError) and exc.retry_after is not None:
        return exc.retry_after
    if isinstance(exc, APIError) and exc.response is not None:
        return parse_retry_after(exc.response.headers.get("retry-after"))
    return None


def _given(item: object) -> Person:
    """An invalid item as a ``Person`` for its ``INVALID`` result: its fields as given (not
    strings: ``str()`` of them; missing: empty)."""
    if isinstance(item, Person):
        return item
    if isinstance(item, Mapping):
        values = [item.get(field) for field in PERSON_FIELDS]
        return Person(*("" if value is None else str(value) for value in values))
    return Person("", "", "")


def _check_person(index: int, item: object) -> Person | ValidationError:
    """The person validated, or a ``ValidationError`` with every problem it has: naming
    ``people[i].field`` for one, ``people[i]`` (each problem prefixed by its field) for more."""
    where = f"people[{index}]"
    if isinstance(item, Person):
        fields: tuple[object, ...] = item._values()
    elif isinstance(item, Mapping):
        keys = set(item)
        if keys != set(PERSON_FIELDS):
            missing = [f for f in PERSON_FIELDS if f not in keys]
            extra = sorted(map(str, keys - set(PERSON_FIELDS)))
            return ValidationError(
                where,
                "expected the keys email, given_name and surname"
                + (f"; missing {', '.join(missing)}" if missing else "")
                + (f"; unknown {', '.join(extra)}" if extra else ""),
            )
        fields = tuple(item[f] for f in PERSON_FIELDS)
    else:
        return ValidationError(
            where, f"expected a gototraining.Person or a mapping, got {type(item).__name__}"
        )
    values: list[str] = []
    problems: list[ValidationError] = []
    for field, value in zip(PERSON_FIELDS, fields, strict=True):
        try:
            values.append(person_field(field, value, f"{where}.{field}"))
        except ValidationError as exc:
            problems.append(exc)
    if not problems:
        return Person(*values)
    if len(problems) == 1:
        return problems[0]
    return ValidationError(where, "; ".join(str(p).removeprefix(where + ".") for p in problems))


def _people(people: object) -> list[Person | RegistrationResult]:
    """Per person: the ``Person`` validated, or its ``INVALID`` result (every problem; an
    email given before is one, naming the first ``people[i]`` that has it)."""
    if isinstance(people, str | bytes | Mapping) or not isinstance(people, Iterable):
        raise ValidationError("people", f"expected a list of people, got {type(people).__name__}")
    checked: list[Person | RegistrationResult] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(people):
        person = _check_person(index, item)
        if isinstance(person, Person):
            first = seen.setdefault(person.email.casefold(), index)
            if first == index:
                checked.append(person)
                continue
            person = ValidationError(
                f"people[{index}].email", f"{person.email!r} is already people[{first}]'s email"
            )
        outcome = RegistrationOutcome.INVALID
        checked.append(RegistrationResult(index, _given(item), outcome, error=person))
    return checked


def _count(value: object, name: str, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise ValidationError(name, f"expected an int from 1 to {maximum}, got {value!r}")
    return value


def register_many(
    organizer_key: str,
    training_key: Key,
    people: Iterable[Person | Mapping[str, str]],
    *,
    concurrency: int = 8,
    max_attempts: int = 3,
    on_result: Callable[[RegistrationResult], object] | None = None,
    invalid: IfInvalid = "raise",
) -> Batch[RegistrationResult]:
    """A ``Batch``: one registrant list read, then a ``Pending`` plan per person."""
    key = v.key(training_key, "training_key")
    if invalid not in ("raise", "report"):
        raise ValidationError("invalid", f"expected 'raise' or 'report', got {invalid!r}")
    persons = _people(people)
    refused = [p for p in persons if isinstance(p, RegistrationResult)]
    if refused and invalid == "raise":
        raise InvalidPeopleError(refused)
    workers = _count(concurrency, "concurrency", MAX_CONCURRENCY)
    attempts_max = _count(max_attempts, "max_attempts", 10)
    if on_result is not None and not callable(on_result):
        raise ValidationError("on_result", f"expected a callable, got {type(on_result).__name__}")
    list_call = Call(rq.get_registrants(organizer_key, key), decode_json(m.decode_registrant_list))

    def one(index: int, person: Person) -> Plan[RegistrationResult]:
        registration = _registering(
            organizer_key, key, person.email, person.given_name, person.surname, "return"
        )

        def plan(context: Context) -> Generator[Action, Any, RegistrationResult]:
            retry = context.settings.retry
            attempt = 0
            # An earlier try of this person may have been applied although its answer was lost.
            lost = False
            while True:
                attempt += 1
                try:
                    done, replayed = yield from registration(context)
                except FATAL:
                    raise
                except ConflictError:  # 409, but the (cached) list does not show them yet
                    outcome = RegistrationOutcome.ALREADY_REGISTERED
                    return RegistrationResult(index, person, outcome, attempts=attempt)
                except GoToTrainingError as exc:
                    if attempt >= attempts_max or not is_transient(exc):
                        outcome = RegistrationOutcome.FAILED
                        return RegistrationResult(index, person, outcome, None, exc, attempt)
                    lost = lost or _maybe_applied(exc)
                    # Continue the retry policy's backoff where its own retries stopped.
                    yield Sleep(retry.backoff(retry.max_retries + attempt - 1, _retry_after(exc)))
                    continue
                if not done.created and (replayed or lost):
                    # Not on the list when the call began, then a 409 after one of its own
                    # sends lost its answer: that send registered them.
                    assert done.registrant is not None  # found on the list: _existing made it
                    done = _existing(done.registrant, created=True)
                outcome = (
                    RegistrationOutcome.REGISTERED
                    if done.created
                    else RegistrationOutcome.ALREADY_REGISTERED
                )
                return RegistrationResult(index, person, outcome, done, None, attempt)

        return plan

    def start(
        context: Context,
    ) -> Generator[Action, Any, Sequence[RegistrationResult | Pending[RegistrationResult]]]:
        if len(refused) == len(persons):  # nobody to send: no request at all
            return refused
        roster = yield from context.run(list_call)
        # a roster entry the API sent without an email (drift) matches nobody
        existing = {r.email.casefold(): r for r in roster if hasattr(r, "email")}
        items: list[RegistrationResult | Pending[RegistrationResult]] = []
        for index, person in enumerate(persons):
            if isinstance(person, RegistrationResult):
                items.append(person)
                continue
            found = existing.get(person.email.casefold())
            if found is None:
                items.append(Pending(one(index, person)))
            else:
                outcome = RegistrationOutcome.ALREADY_REGISTERED
                items.append(RegistrationResult(index, person, outcome, _existing(found)))
        return items

    def cut_short(index: int, progress: Progress) -> RegistrationResult:
        error = APIConnectionError(
            "the call stopped before the registration's answer (or the retry that would have "
            "told) came: it may have been applied; call register_many again to find out (it "
            "registers only who is missing)",
            method=progress.method,
            url=progress.url,
            maybe_sent=True,
        )
        person = persons[index]
        assert isinstance(person, Person)  # only those sent can be cut short
        return RegistrationResult(index, person, RegistrationOutcome.UNKNOWN, None, error)

    return Batch(start, concurrency=workers, on_result=on_result, cut_short=cut_short)
