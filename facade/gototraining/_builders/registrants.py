"""Builders of ``client.registrants`` (see ``gototraining/_builders/__init__.py``)."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Literal

from .. import _models as m
from .. import _requests as rq
from .. import _validation as v
from .._errors import ConflictError, ValidationError
from .._resource import Context, Key, Plan
from .._transport import Action, Call, decode_json

__all__ = ["NAME_MAX", "IfExists", "PersonField", "person_field", "register"]

IfExists = Literal["raise", "return"]
PersonField = Literal["email", "given_name", "surname"]
#: The longest given name / surname ``register`` accepts.
NAME_MAX = 128


def person_field(field: PersonField, value: object) -> str:
    """Validate one person field of :meth:`Registrants.register` (``ValidationError`` if bad).

    The one rule for these fields: ``register`` applies it before sending, and the CLI checks
    every row of a people file with it before an import starts.
    """
    if field == "email":
        return v.email(value, "email")
    return v.text(value, field, max_len=NAME_MAX)


def register(
    organizer_key: str,
    training_key: Key,
    *,
    email: str,
    given_name: str,
    surname: str,
    if_exists: IfExists = "raise",
) -> Plan[m.Registration]:
    """Register one person (identified by email) for a training.

    Returns a ``Registration`` with the new ``registrant_key``, ``join_url`` and
    ``confirmation_url`` (``created=True``).

    ``if_exists``: what to do when the API answers 409 (the email is already registered).
    ``"raise"`` (default) raises ``ConflictError``; ``"return"`` looks the registrant up in the
    training's registrant list (one extra GET, email compared case-insensitively) and returns
    it with ``created=False``. If the list does not contain it yet (the API's list can lag),
    ``ConflictError`` is raised anyway.

    Retries: with the default ``if_exists="raise"`` the POST is retried only when it
    provably never left this machine (connect errors): after a lost response (connection
    reset, read timeout, 502/503/504, 429) it may or may not have been applied, and a
    replay would turn a success into ``ConflictError``, so the error is raised instead.
    With ``if_exists="return"`` those failures *are* retried (bounded by the retry policy):
    the API deduplicates by email, so a replay of an applied registration gets 409 and the
    existing registrant is returned -- never a duplicate. The result then has
    ``created=False`` even if it was this call's own lost attempt that created it. 500 is
    never retried. ``if_exists="return"`` is the mode for bulk imports and at-least-once
    job queues.
    """
    from gototraining_api.models import RegistrantReqCreate

    key = v.key(training_key, "training_key")
    body = RegistrantReqCreate(
        email=person_field("email", email),
        given_name=person_field("given_name", given_name),
        surname=person_field("surname", surname),
    )
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
                return m.Registration(
                    registrant.registrant_key,
                    registrant.join_url,
                    registrant.confirmation_url,
                    created=False,
                    registrant=registrant,
                )
        # The registrant list may lag behind registrations (GoTo caches it for up to 2 hours):
        # without a match, the honest answer is the original conflict.
        conflict.add_note(f"if_exists='return': {email!r} is not in the registrant list (yet)")
        raise conflict

    return plan
