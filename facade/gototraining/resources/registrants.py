"""``client.registrants``: register people for trainings, list, read and cancel registrations."""

from __future__ import annotations

import builtins
from collections.abc import Generator
from typing import TYPE_CHECKING, Any, Literal

from .. import _models as m
from .. import _validation as v
from .._errors import ConflictError, ValidationError
from .._lazy import LazyModule
from .._operation import operation
from .._transport import Action, Call, _Settings, decode_json, no_content
from .._types import NOT_GIVEN, NotGiven, TimeoutTypes
from ._base import AsyncResource, Key, Plan, SyncResource, mirror_docs, path_key, run_call

if TYPE_CHECKING:  # the generated client loads on first use (see .._lazy)
    from gototraining_api.api.registrants import (
        cancel_registration,
        get_registrant,
        get_registrants,
        register_for_training,
    )
else:  # wire models are imported inside the builders that use them
    cancel_registration = LazyModule("gototraining_api.api.registrants.cancel_registration")
    get_registrant = LazyModule("gototraining_api.api.registrants.get_registrant")
    get_registrants = LazyModule("gototraining_api.api.registrants.get_registrants")
    register_for_training = LazyModule("gototraining_api.api.registrants.register_for_training")

__all__ = ["AsyncRegistrants", "Registrants"]

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


def _list(
    org: str, training_key: Key, timeout: TimeoutTypes | NotGiven
) -> Call[list[m.Registrant]]:
    kwargs = get_registrants._get_kwargs(int(org), path_key(training_key, "training_key"))
    return Call("getRegistrants", kwargs, decode_json(m.decode_registrants), timeout)


def _get(
    org: str, training_key: Key, registrant_key: Key, timeout: TimeoutTypes | NotGiven
) -> Call[m.Registrant]:
    tk = path_key(training_key, "training_key")
    kwargs = get_registrant._get_kwargs(int(org), tk, path_key(registrant_key, "registrant_key"))
    return Call("getRegistrant", kwargs, decode_json(m.decode_registrant), timeout)


def _cancel(
    org: str, training_key: Key, registrant_key: Key, timeout: TimeoutTypes | NotGiven
) -> Call[None]:
    tk = path_key(training_key, "training_key")
    kwargs = cancel_registration._get_kwargs(
        int(org), tk, path_key(registrant_key, "registrant_key")
    )
    # A 404 answering a replay after a lost response: the lost attempt did the cancellation.
    return Call("cancelRegistration", kwargs, no_content, timeout, replay_404_is_success=True)


def _register(
    org: str,
    training_key: Key,
    email: str,
    given_name: str,
    surname: str,
    if_exists: IfExists,
    timeout: TimeoutTypes | NotGiven,
) -> Plan[m.Registration]:
    from gototraining_api.models import RegistrantReqCreate

    tk = path_key(training_key, "training_key")
    body = RegistrantReqCreate(
        email=person_field("email", email),
        given_name=person_field("given_name", given_name),
        surname=person_field("surname", surname),
    )
    if if_exists not in ("raise", "return"):
        raise ValidationError("if_exists", f"expected 'raise' or 'return', got {if_exists!r}")
    call = Call(
        "registerForTraining",
        register_for_training._get_kwargs(int(org), tk, body=body),
        decode_json(m.decode_registration),
        timeout,
        # A replay of a registration that did go through is answered 409 and turned into the
        # existing registrant below, so with "return" a lost response can safely be retried.
        replay_safe=True if if_exists == "return" else None,
    )
    list_call = _list(org, training_key, timeout)

    def plan(settings: _Settings) -> Generator[Action, Any, m.Registration]:
        try:
            return (yield from run_call(settings, call))
        except ConflictError as exc:
            if if_exists == "raise":
                raise
            conflict = exc
        wanted = email.casefold()
        for registrant in (yield from run_call(settings, list_call)):
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


class Registrants(SyncResource):
    """Registrants of the client's organizer's trainings (``client.registrants``)."""

    @operation("registerForTraining")
    def register(
        self,
        training_key: Key,
        *,
        email: str,
        given_name: str,
        surname: str,
        if_exists: IfExists = "raise",
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> m.Registration:
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
        return self._run(
            _register(
                self._organizer_key, training_key, email, given_name, surname, if_exists, timeout
            )
        )

    @operation("getRegistrants")
    def list(
        self, training_key: Key, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN
    ) -> builtins.list[m.Registrant]:
        """All registrants of a training. The API may serve this list from a cache (up to 2 h old)."""
        return self._request(_list(self._organizer_key, training_key, timeout))

    @operation("getRegistrant")
    def get(
        self,
        training_key: Key,
        registrant_key: Key,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> m.Registrant:
        """One registrant of a training. Raises ``NotFoundError`` if unknown."""
        return self._request(_get(self._organizer_key, training_key, registrant_key, timeout))

    @operation("cancelRegistration")
    def cancel(
        self,
        training_key: Key,
        registrant_key: Key,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> None:
        """Cancel a registration. The registrant is not notified.

        Retried like every DELETE (connection errors, timeouts, 429/502/503/504). If an attempt's
        response was lost (connection reset, read timeout, 502/504) and the retry is answered
        404, that attempt did cancel the registration: the call succeeds. A 404 on the first
        attempt (or after failures that prove nothing was applied) raises ``NotFoundError``.
        """
        return self._request(_cancel(self._organizer_key, training_key, registrant_key, timeout))


@mirror_docs(Registrants)
class AsyncRegistrants(AsyncResource):
    @operation("registerForTraining")
    async def register(
        self,
        training_key: Key,
        *,
        email: str,
        given_name: str,
        surname: str,
        if_exists: IfExists = "raise",
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> m.Registration:
        return await self._run(
            _register(
                self._organizer_key, training_key, email, given_name, surname, if_exists, timeout
            )
        )

    @operation("getRegistrants")
    async def list(
        self, training_key: Key, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN
    ) -> builtins.list[m.Registrant]:
        return await self._request(_list(self._organizer_key, training_key, timeout))

    @operation("getRegistrant")
    async def get(
        self,
        training_key: Key,
        registrant_key: Key,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> m.Registrant:
        return await self._request(_get(self._organizer_key, training_key, registrant_key, timeout))

    @operation("cancelRegistration")
    async def cancel(
        self,
        training_key: Key,
        registrant_key: Key,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> None:
        return await self._request(
            _cancel(self._organizer_key, training_key, registrant_key, timeout)
        )
