"""``client.trainings``: schedule, read, change and cancel trainings."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from gototraining_api.api.trainings import (
    cancel_training,
    get_all_trainings,
    get_manage_training_url,
    get_organisers_for_training,
    get_training,
    schedule_training,
    update_organisers_for_training,
    update_training_name_description,
)
from gototraining_api.models import (
    DateTimeRange,
    TrainingNameDescription,
    TrainingOrganizers,
    TrainingReqCreate,
)
from gototraining_api.models import RegistrationSettings as _WireRegistrationSettings
from gototraining_api.types import UNSET

from .. import _models as m
from .. import _validation as v
from .._errors import ValidationError
from .._operation import operation
from .._transport import Call, decode_json, no_content
from .._types import NOT_GIVEN, NotGiven, TimeoutTypes
from ._base import AsyncResource, Key, SyncResource, mirror_docs, path_key, utc_z

__all__ = ["AsyncTrainings", "Trainings"]

NAME_MAX = 256
DESCRIPTION_MAX = 10_000

TimePair = tuple[datetime, datetime] | m.TimeRange


# -- builders: validation + generated operation + decoder, written once ---------------------


def _create(
    org: str,
    name: str,
    times: Iterable[TimePair],
    time_zone: str,
    description: str | None,
    registration_settings: m.RegistrationSettings | None,
    co_organizers: Sequence[Key] | None,
    timeout: TimeoutTypes | NotGiven,
) -> Call[str]:
    name = v.text(name, "name", max_len=NAME_MAX)
    pairs = v.times(times)
    tz = v.time_zone(time_zone)
    if description is not None:
        description = v.text(
            description, "description", max_len=DESCRIPTION_MAX, required=False, single_line=False
        )
    settings: _WireRegistrationSettings | Any = UNSET
    if registration_settings is not None:
        if not isinstance(registration_settings, m.RegistrationSettings):
            raise ValidationError(
                "registration_settings", "expected a gototraining.RegistrationSettings"
            )
        settings = _WireRegistrationSettings(
            disable_confirmation_email=v.boolean(
                registration_settings.disable_confirmation_email,
                "registration_settings.disable_confirmation_email",
            ),
            disable_web_registration=v.boolean(
                registration_settings.disable_web_registration,
                "registration_settings.disable_web_registration",
            ),
        )
    organizers: list[int] | Any = UNSET
    if co_organizers is not None:
        organizers = [int(k) for k in v.keys(co_organizers, "co_organizers")]
    body = TrainingReqCreate(
        name=name,
        time_zone=tz,
        times=[DateTimeRange(start_date=utc_z(s), end_date=utc_z(e)) for s, e in pairs],
        description=UNSET if description is None else description,
        registration_settings=settings,
        organizers=organizers,
    )
    return Call(
        "scheduleTraining",
        schedule_training._get_kwargs(int(org), body=body),
        decode_json(m.decode_string),
        timeout,
    )


def _list(org: str, timeout: TimeoutTypes | NotGiven) -> Call[list[m.Training]]:
    return Call(
        "getAllTrainings",
        get_all_trainings._get_kwargs(int(org)),
        decode_json(m.decode_trainings),
        timeout,
    )


def _get(org: str, training_key: Key, timeout: TimeoutTypes | NotGiven) -> Call[m.Training]:
    kwargs = get_training._get_kwargs(int(org), path_key(training_key, "training_key"))
    return Call("getTraining", kwargs, decode_json(m.decode_training), timeout)


def _cancel(org: str, training_key: Key, timeout: TimeoutTypes | NotGiven) -> Call[None]:
    kwargs = cancel_training._get_kwargs(int(org), path_key(training_key, "training_key"))
    return Call("cancelTraining", kwargs, no_content, timeout)


def _update_name_description(
    org: str,
    training_key: Key,
    name: str,
    description: str | None,
    timeout: TimeoutTypes | NotGiven,
) -> Call[None]:
    tk = path_key(training_key, "training_key")
    body = TrainingNameDescription(
        name=v.text(name, "name", max_len=NAME_MAX),
        description=UNSET
        if description is None
        else v.text(
            description, "description", max_len=DESCRIPTION_MAX, required=False, single_line=False
        ),
    )
    kwargs = update_training_name_description._get_kwargs(int(org), tk, body=body)
    return Call("updateTrainingNameDescription", kwargs, no_content, timeout)


def _manage_url(org: str, training_key: Key, timeout: TimeoutTypes | NotGiven) -> Call[str]:
    kwargs = get_manage_training_url._get_kwargs(int(org), path_key(training_key, "training_key"))
    return Call("getManageTrainingURL", kwargs, decode_json(m.decode_string), timeout)


def _organizers(
    org: str, training_key: Key, timeout: TimeoutTypes | NotGiven
) -> Call[list[m.Organizer]]:
    kwargs = get_organisers_for_training._get_kwargs(
        int(org), path_key(training_key, "training_key")
    )
    return Call("getOrganisersForTraining", kwargs, decode_json(m.decode_organizers), timeout)


def _set_organizers(
    org: str,
    training_key: Key,
    organizer_keys: Sequence[Key],
    notify: bool,
    timeout: TimeoutTypes | NotGiven,
) -> Call[None]:
    tk = path_key(training_key, "training_key")
    body = TrainingOrganizers(
        organizers=[int(k) for k in v.keys(organizer_keys, "organizer_keys")],
        notify_organizers=v.boolean(notify, "notify"),
    )
    kwargs = update_organisers_for_training._get_kwargs(int(org), tk, body=body)
    return Call("updateOrganisersForTraining", kwargs, no_content, timeout)


# -- public shells ---------------------------------------------------------------------------


class Trainings(SyncResource):
    """Trainings of the client's organizer (``client.trainings``)."""

    @operation("scheduleTraining")
    def create(
        self,
        *,
        name: str,
        times: Iterable[TimePair],
        time_zone: str,
        description: str | None = None,
        registration_settings: m.RegistrationSettings | None = None,
        co_organizers: Sequence[Key] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> str:
        """Schedule a training and return its new **training key** (``str``).

        The API answers with the key only; this method deliberately does not follow up with a
        GET (that would cost a request, and a failing GET would make a successful creation look
        failed). Call ``trainings.get(key)`` when you need the full ``Training``.

        Args:
            name: the training's name (required, one line).
            times: one ``(start, end)`` pair (or ``TimeRange``) per session; timezone-aware
                datetimes, start before end. Sent as UTC (``...Z``).
            time_zone: the organizer-facing IANA time zone, e.g. ``"Europe/Berlin"``.
            description: optional description (may span lines).
            registration_settings: optional ``RegistrationSettings``.
            co_organizers: organizer keys to add as co-organizers (multi-user accounts).
            timeout: per-call timeout (seconds or ``httpx.Timeout``).

        Not retried on 5xx or read timeouts (POST is not idempotent).

        Raises:
            ValidationError: bad input (nothing was sent).
            APIError: the API refused (see the error hierarchy).
        """
        call = _create(
            self._organizer_key,
            name,
            times,
            time_zone,
            description,
            registration_settings,
            co_organizers,
            timeout,
        )
        return self._request(call)

    @operation("getAllTrainings")
    def list(self, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN) -> builtins.list[m.Training]:
        """All scheduled and ongoing trainings of the organizer (completed ones are not listed)."""
        return self._request(_list(self._organizer_key, timeout))

    @operation("getTraining")
    def get(self, training_key: Key, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN) -> m.Training:
        """One training by key. Raises ``NotFound`` if there is no such training."""
        return self._request(_get(self._organizer_key, training_key, timeout))

    @operation("cancelTraining")
    def cancel(self, training_key: Key, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN) -> None:
        """Cancel a training. No emails are sent to registrants."""
        return self._request(_cancel(self._organizer_key, training_key, timeout))

    @operation("updateTrainingNameDescription")
    def update_name_description(
        self,
        training_key: Key,
        *,
        name: str,
        description: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> None:
        """Change a training's name and (optionally) description."""
        return self._request(
            _update_name_description(self._organizer_key, training_key, name, description, timeout)
        )

    @operation("getManageTrainingURL")
    def manage_url(self, training_key: Key, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN) -> str:
        """The admin-portal URL for managing the training (the organizer must log in)."""
        return self._request(_manage_url(self._organizer_key, training_key, timeout))

    @operation("getOrganisersForTraining")
    def organizers(
        self, training_key: Key, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN
    ) -> builtins.list[m.Organizer]:
        """The training's organizers (scheduler and co-organizers)."""
        return self._request(_organizers(self._organizer_key, training_key, timeout))

    @operation("updateOrganisersForTraining")
    def set_organizers(
        self,
        training_key: Key,
        organizer_keys: Sequence[Key],
        *,
        notify: bool = True,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> None:
        """Replace the training's co-organizers (the scheduling organizer always stays).

        ``notify`` emails the organizers about the change.
        """
        return self._request(
            _set_organizers(self._organizer_key, training_key, organizer_keys, notify, timeout)
        )


@mirror_docs(Trainings)
class AsyncTrainings(AsyncResource):
    @operation("scheduleTraining")
    async def create(
        self,
        *,
        name: str,
        times: Iterable[TimePair],
        time_zone: str,
        description: str | None = None,
        registration_settings: m.RegistrationSettings | None = None,
        co_organizers: Sequence[Key] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> str:
        call = _create(
            self._organizer_key,
            name,
            times,
            time_zone,
            description,
            registration_settings,
            co_organizers,
            timeout,
        )
        return await self._request(call)

    @operation("getAllTrainings")
    async def list(
        self, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN
    ) -> builtins.list[m.Training]:
        return await self._request(_list(self._organizer_key, timeout))

    @operation("getTraining")
    async def get(
        self, training_key: Key, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN
    ) -> m.Training:
        return await self._request(_get(self._organizer_key, training_key, timeout))

    @operation("cancelTraining")
    async def cancel(
        self, training_key: Key, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN
    ) -> None:
        return await self._request(_cancel(self._organizer_key, training_key, timeout))

    @operation("updateTrainingNameDescription")
    async def update_name_description(
        self,
        training_key: Key,
        *,
        name: str,
        description: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> None:
        call = _update_name_description(
            self._organizer_key, training_key, name, description, timeout
        )
        return await self._request(call)

    @operation("getManageTrainingURL")
    async def manage_url(
        self, training_key: Key, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN
    ) -> str:
        return await self._request(_manage_url(self._organizer_key, training_key, timeout))

    @operation("getOrganisersForTraining")
    async def organizers(
        self, training_key: Key, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN
    ) -> builtins.list[m.Organizer]:
        return await self._request(_organizers(self._organizer_key, training_key, timeout))

    @operation("updateOrganisersForTraining")
    async def set_organizers(
        self,
        training_key: Key,
        organizer_keys: Sequence[Key],
        *,
        notify: bool = True,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> None:
        call = _set_organizers(self._organizer_key, training_key, organizer_keys, notify, timeout)
        return await self._request(call)
