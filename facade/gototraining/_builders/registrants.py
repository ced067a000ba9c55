"""Builders of ``client.registrants`` (see ``gototraining/_builders/__init__.py``)."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any, Literal, TypeAlias

from .. import _validation as v
from .._errors import (
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
from .._resource import Batch, Context, Key, Pending, Plan
from .._retry import RETRY_STATUSES, parse_retry_after
from .._transport import Action, Call, Sleep, decode_json

__all__ = [
    "FATAL",
    "MAX_CONCURRENCY",
    "NAME_MAX",
    "IfExists",
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
PersonField = Literal["email", "given_name", "surname"]
#: The longest given name / surname ``register`` accepts.
NAME_MAX = 128
#: The most workers ``register_many`` runs (httpx's default connection pool holds 100).
MAX_CONCURRENCY = 100
#: Errors that would hit every remaining person the same way: ``register_many`` stops.
FATAL: tuple[type[APIError], ...] = (AuthenticationError, PermissionDeniedError, NotFoundError)


def person_field(field: PersonField, value: object, param: str | None = None) -> str:
    """Validate one person field of :meth:`Registrants.register` (``ValidationError`` if bad,
    naming ``param``, default the field). Names come back without surrounding spaces.

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

    ``register_many`` validates every person before it sends anything (names are sent
    without surrounding spaces); a mapping with exactly the keys ``email``, ``given_name``
    and ``surname`` is accepted in its place.
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
    #: Was registered already: on the training's registrant list, or the API answered 409.
    ALREADY_REGISTERED = "already_registered"
    #: Not registered: ``RegistrationResult.error`` says why.
    FAILED = "failed"


class RegistrationResult:
    """The outcome for one person of ``registrants.register_many``.

    Attributes:
        index: the person's position in the ``people`` passed in.
        person: the person as validated (and sent).
        outcome: ``REGISTERED``, ``ALREADY_REGISTERED`` or ``FAILED``.
        registration: the registrant's key and URLs (``created`` is ``True`` only for
            ``REGISTERED``). ``None`` when ``FAILED``, and for ``ALREADY_REGISTERED`` when the
            API answered 409 but its registrant list (a cache that can lag up to two hours)
            does not show the person yet.
        error: why the person ``FAILED`` (the last error); ``None`` otherwise.
        attempts: how many times the registration was sent (each time with the client's
            own retries); 0 for someone found on the registrant list.
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
        return self.outcome is not RegistrationOutcome.FAILED

    @property
    def registrant_key(self) -> str | None:
        """The registrant's key, if known."""
        return self.registration.registrant_key if self.registration is not None else None

    @property
    def join_url(self) -> str | None:
        """The registrant's personal join URL, if known."""
        return self.registration.join_url if self.registration is not None else None


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
    from gototraining_api.models import RegistrantReqCreate

    key = v.key(training_key, "training_key")
    body = RegistrantReqCreate(
        email=person_field("email", email),
        given_name=person_field("given_name", given_name),
        surname=person_field("surname", surname),
    )
    email = body.email
    if if_exists not in ("raise", "return"):
        raise ValidationError("if_exists", f"expected 'raise' or 'return', got {if_exists!r}")
    call = Call(
        rq.register_for_training(organizer_key, key, body),
        decode_json(m.decode_registration),
        # A replay of a registration that did go through is answered 409 and turned into the
        # existing registrant below, so with "return" a lost response can safely be retried.
        replay_safe=True if if_exists == "return" else None,
    )
    list_call = Call(rq.get_registrants(organizer_key, key), decode_json(m.decode_registrant_list))

    def plan(context: Context) -> Generator[Action, Any, m.Registration]:
        try:
            return (yield from context.run(call))
        except ConflictError as exc:
            if if_exists == "raise":
                raise
            conflict = exc
        wanted = email.casefold()
        for registrant in (yield from context.run(list_call)):
            if registrant.email.casefold() == wanted:
                return _existing(registrant)
        # The registrant list may lag behind registrations (GoTo caches it for up to 2 hours):
        # without a match, the honest answer is the original conflict.
        conflict.add_note(f"if_exists='return': {email!r} is not in the registrant list (yet)")
        raise conflict

    return plan


def _existing(registrant: m.Registrant) -> m.Registration:
    """The ``Registration`` of someone already registered (``created=False``)."""
    return m.Registration(
        registrant.registrant_key,
        registrant.join_url,
        registrant.confirmation_url,
        created=False,
        registrant=registrant,
    )


def is_transient(exc: GoToTrainingError) -> bool:
    """No answer at all (reset, timeout, connection), or 429/502/503/504: worth another go."""
    if isinstance(exc, TransportError):
        return True
    return isinstance(exc, APIError) and exc.status in RETRY_STATUSES


def _retry_after(exc: GoToTrainingError) -> float | None:
    """The server's ``Retry-After`` on a 429 (or a 503 that carries one), or how long the
    quota is known to be out of reach (``QueueTimeoutError``), in seconds."""
    if isinstance(exc, RateLimitError | QueueTimeoutError) and exc.retry_after is not None:
        return exc.retry_after
    if isinstance(exc, APIError) and exc.response is not None:
        return parse_retry_after(exc.response.headers.get("retry-after"))
    return None


def _people(people: object) -> list[Person]:
    """Every person validated (``ValidationError`` naming ``people[i].field``), no email twice."""
    if isinstance(people, str | bytes | Mapping) or not isinstance(people, Iterable):
        raise ValidationError("people", f"expected a list of people, got {type(people).__name__}")
    checked: list[Person] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(people):
        where = f"people[{index}]"
        if isinstance(item, Person):
            fields: tuple[object, object, object] = item._values()
        elif isinstance(item, Mapping):
            keys = set(item)
            if keys != {"email", "given_name", "surname"}:
                missing = sorted({"email", "given_name", "surname"} - keys)
                extra = sorted(map(str, keys - {"email", "given_name", "surname"}))
                raise ValidationError(
                    where,
                    "expected the keys email, given_name and surname"
                    + (f"; missing {', '.join(missing)}" if missing else "")
                    + (f"; unknown {', '.join(extra)}" if extra else ""),
                )
            fields = (item["email"], item["given_name"], item["surname"])
        else:
            raise ValidationError(
                where, f"expected a gototraining.Person or a mapping, got {type(item).__name__}"
            )
        person = Person(
            person_field("email", fields[0], f"{where}.email"),
            person_field("given_name", fields[1], f"{where}.given_name"),
            person_field("surname", fields[2], f"{where}.surname"),
        )
        first = seen.setdefault(person.email.casefold(), index)
        if first != index:
            raise ValidationError(
                f"{where}.email", f"{person.email!r} is already people[{first}]'s email"
            )
        checked.append(person)
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
) -> Batch[RegistrationResult]:
    """A ``Batch``: one registrant list read, then a ``Pending`` plan per person."""
    key = v.key(training_key, "training_key")
    persons = _people(people)
    workers = _count(concurrency, "concurrency", MAX_CONCURRENCY)
    attempts_max = _count(max_attempts, "max_attempts", 10)
    if on_result is not None and not callable(on_result):
        raise ValidationError("on_result", f"expected a callable, got {type(on_result).__name__}")
    list_call = Call(rq.get_registrants(organizer_key, key), decode_json(m.decode_registrant_list))

    def one(index: int, person: Person) -> Plan[RegistrationResult]:
        registration = register(
            organizer_key,
            key,
            email=person.email,
            given_name=person.given_name,
            surname=person.surname,
            if_exists="return",
        )

        def plan(context: Context) -> Generator[Action, Any, RegistrationResult]:
            retry = context.settings.retry
            attempt = 0
            while True:
                attempt += 1
                try:
                    done = yield from registration(context)
                except FATAL:
                    raise
                except ConflictError:  # 409, but the (cached) list does not show them yet
                    outcome = RegistrationOutcome.ALREADY_REGISTERED
                    return RegistrationResult(index, person, outcome, attempts=attempt)
                except GoToTrainingError as exc:
                    if attempt >= attempts_max or not is_transient(exc):
                        outcome = RegistrationOutcome.FAILED
                        return RegistrationResult(index, person, outcome, None, exc, attempt)
                    # Continue the retry policy's backoff where its own retries stopped.
                    yield Sleep(retry.backoff(retry.max_retries + attempt - 1, _retry_after(exc)))
                    continue
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
        if not persons:
            return []
        existing = {r.email.casefold(): r for r in (yield from context.run(list_call))}
        items: list[RegistrationResult | Pending[RegistrationResult]] = []
        for index, person in enumerate(persons):
            found = existing.get(person.email.casefold())
            if found is None:
                items.append(Pending(one(index, person)))
            else:
                outcome = RegistrationOutcome.ALREADY_REGISTERED
                items.append(RegistrationResult(index, person, outcome, _existing(found)))
        return items

    return Batch(start, concurrency=workers, on_result=on_result)
