"""``client.trainings``: schedule, read, change and cancel trainings."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .. import _models as m
from .. import _validation as v
from .._errors import ValidationError
from .._lazy import LazyModule
from .._operation import operation
from .._transport import Call, decode_json, no_content
from .._types import NOT_GIVEN, NotGiven, TimeoutTypes
from ._base import AsyncResource, Key, SyncResource, mirror_docs, path_key, utc_z

if TYPE_CHECKING:  # the generated client loads on first use (see .._lazy)
    from gototraining_api.api.trainings import (
        cancel_training,
        get_all_trainings,
        get_manage_training_url,
        get_organisers_for_training,
        get_start_url,
        get_training,
        schedule_training,
        start_training,
        update_organisers_for_training,
        update_registration_settings_for_training,
        update_training_name_description,
        update_training_times,
    )
    from gototraining_api.models import RegistrationSettings as _WireRegistrationSettings
else:  # wire models are imported inside the builders that use them
    cancel_training = LazyModule("gototraining_api.api.trainings.cancel_training")
    get_all_trainings = LazyModule("gototraining_api.api.trainings.get_all_trainings")
    get_manage_training_url = LazyModule("gototraining_api.api.trainings.get_manage_training_url")
    get_organisers_for_training = LazyModule(
        "gototraining_api.api.trainings.get_organisers_for_training"
    )
    get_start_url = LazyModule("gototraining_api.api.trainings.get_start_url")
    get_training = LazyModule("gototraining_api.api.trainings.get_training")
    schedule_training = LazyModule("gototraining_api.api.trainings.schedule_training")
    start_training = LazyModule("gototraining_api.api.trainings.start_training")
    update_organisers_for_training = LazyModule(
        "gototraining_api.api.trainings.update_organisers_for_training"
    )
    update_registration_settings_for_training = LazyModule(
        "gototraining_api.api.trainings.update_registration_settings_for_training"
    )
    update_training_name_description = LazyModule(
        "gototraining_api.api.trainings.update_training_name_description"
    )
    update_training_times = LazyModule("gototraining_api.api.trainings.update_training_times")

__all__ = ["AsyncTrainings", "Trainings"]

NAME_MAX = 256
DESCRIPTION_MAX = 10_000

TimePair = tuple[datetime, datetime] | m.TimeRange


# -- builders: validation + generated operation + decoder, written once ---------------------


def _wire_settings(settings: object, name: str) -> _WireRegistrationSettings:
    from gototraining_api.models import RegistrationSettings as _WireRegistrationSettings

    if not isinstance(settings, m.RegistrationSettings):
        raise ValidationError(name, "expected a gototraining.RegistrationSettings")
    return _WireRegistrationSettings(
        disable_confirmation_email=v.boolean(
            settings.disable_confirmation_email, f"{name}.disable_confirmation_email"
        ),
        disable_web_registration=v.boolean(
            settings.disable_web_registration, f"{name}.disable_web_registration"
        ),
    )


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
    from gototraining_api.models import DateTimeRange, TrainingReqCreate
    from gototraining_api.types import UNSET

    name = v.text(name, "name", max_len=NAME_MAX)
    pairs = v.times(times)
    tz = v.time_zone(time_zone)
    if description is not None:
        description = v.text(
            description, "description", max_len=DESCRIPTION_MAX, required=False, single_line=False
        )
    settings: _WireRegistrationSettings | Any = UNSET
    if registration_settings is not None:
        settings = _wire_settings(registration_settings, "registration_settings")
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
    # A 404 answering a replay after a lost response: the lost attempt did the cancellation.
    return Call("cancelTraining", kwargs, no_content, timeout, replay_404_is_success=True)


def _update_name_description(
    org: str,
    training_key: Key,
    name: str,
    description: str | None,
    timeout: TimeoutTypes | NotGiven,
) -> Call[None]:
    from gototraining_api.models import TrainingNameDescription
    from gototraining_api.types import UNSET

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
    from gototraining_api.models import TrainingOrganizers

    tk = path_key(training_key, "training_key")
    body = TrainingOrganizers(
        organizers=[int(k) for k in v.keys(organizer_keys, "organizer_keys")],
        notify_organizers=v.boolean(notify, "notify"),
    )
    kwargs = update_organisers_for_training._get_kwargs(int(org), tk, body=body)
    # A replay of an applied request that notifies would email the organizers twice.
    replay_safe = False if body.notify_organizers else None
    return Call("updateOrganisersForTraining", kwargs, no_content, timeout, replay_safe=replay_safe)


def _update_registration_settings(
    org: str,
    training_key: Key,
    settings: m.RegistrationSettings,
    timeout: TimeoutTypes | NotGiven,
) -> Call[None]:
    tk = path_key(training_key, "training_key")
    body = _wire_settings(settings, "settings")
    kwargs = update_registration_settings_for_training._get_kwargs(int(org), tk, body=body)
    return Call("updateRegistrationSettingsForTraining", kwargs, no_content, timeout)


def _update_times(
    org: str,
    training_key: Key,
    times: Iterable[TimePair],
    time_zone: str,
    notify_registrants: bool,
    notify_trainers: bool,
    timeout: TimeoutTypes | NotGiven,
) -> Call[m.NotifiedParties]:
    from gototraining_api.models import DateTimeRange, TrainingTimes

    tk = path_key(training_key, "training_key")
    pairs = v.times(times)
    body = TrainingTimes(
        time_zone=v.time_zone(time_zone),
        times=[DateTimeRange(start_date=utc_z(s), end_date=utc_z(e)) for s, e in pairs],
        notify_registrants=v.boolean(notify_registrants, "notify_registrants"),
        notify_trainers=v.boolean(notify_trainers, "notify_trainers"),
    )
    kwargs = update_training_times._get_kwargs(int(org), tk, body=body)
    # A replay of an applied request that notifies would send the emails twice.
    replay_safe = False if body.notify_registrants or body.notify_trainers else None
    return Call(
        "updateTrainingTimes",
        kwargs,
        decode_json(m.decode_notified_parties),
        timeout,
        replay_safe=replay_safe,
    )


def _start_url(org: str, training_key: Key, timeout: TimeoutTypes | NotGiven) -> Call[str]:
    kwargs = get_start_url._get_kwargs(int(org), path_key(training_key, "training_key"))
    return Call("getStartUrl", kwargs, decode_json(m.decode_string), timeout)


def _start(training_key: Key, timeout: TimeoutTypes | NotGiven) -> Call[str]:
    kwargs = start_training._get_kwargs(path_key(training_key, "training_key"))
    return Call("startTraining", kwargs, decode_json(m.decode_host_url), timeout)


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
        """One training by key. Raises ``NotFoundError`` if there is no such training."""
        return self._request(_get(self._organizer_key, training_key, timeout))

    @operation("cancelTraining")
    def cancel(self, training_key: Key, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN) -> None:
        """Cancel a training. No emails are sent to registrants.

        Retried like every DELETE (connection errors, timeouts, 429/502/503/504). If an attempt's
        response was lost (connection reset, read timeout, 502/504) and the retry is answered
        404, that attempt did cancel the training: the call succeeds. A 404 on the first
        attempt (or after failures that prove nothing was applied) raises ``NotFoundError``.
        """
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

        Retries: with ``notify=False`` like every PUT. With ``notify=True`` (default) only when
        nothing was sent (connection errors, connect/pool timeouts): after a lost response,
        read timeout, 429 or 502/503/504 the change may have been applied and a replay would
        email the organizers twice, so the error is raised instead (``TransportError`` with
        ``maybe_sent=True``, ``ServerError``, ``RateLimitError``); check the organizers with
        :meth:`organizers` before repeating.
        """
        return self._request(
            _set_organizers(self._organizer_key, training_key, organizer_keys, notify, timeout)
        )

    @operation("updateRegistrationSettingsForTraining")
    def update_registration_settings(
        self,
        training_key: Key,
        settings: m.RegistrationSettings,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> None:
        """Replace a training's registration settings.

        ``settings`` is a ``RegistrationSettings`` (the same type ``create`` takes as
        ``registration_settings``); both flags are sent, so pass the full desired state, e.g.
        ``RegistrationSettings(disable_confirmation_email=True, disable_web_registration=False)``.
        """
        return self._request(
            _update_registration_settings(self._organizer_key, training_key, settings, timeout)
        )

    @operation("updateTrainingTimes")
    def update_times(
        self,
        training_key: Key,
        times: Iterable[TimePair],
        time_zone: str,
        *,
        notify_registrants: bool = True,
        notify_trainers: bool = True,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> m.NotifiedParties:
        """Reschedule a training: replace all its session times.

        Args:
            training_key: the training.
            times: the new ``(start, end)`` pairs (or ``TimeRange``); non-empty, timezone-aware,
                start before end. Sent as UTC (``...Z``).
            time_zone: the organizer-facing IANA time zone, e.g. ``"Europe/Berlin"``.
            notify_registrants: let GoTo email the registrants about the change.
            notify_trainers: let GoTo email the (co-)organizers about the change.

        Retries: without notifications like every PUT. With ``notify_registrants`` or
        ``notify_trainers`` (the defaults) only when nothing was sent (connection errors,
        connect/pool timeouts): after a lost response, read timeout, 429 or 502/503/504 the new
        times may have been applied and a replay would send every email twice, so the error is
        raised instead (``TransportError`` with ``maybe_sent=True``, ``ServerError``,
        ``RateLimitError``); check the training with :meth:`get` before repeating.

        Returns:
            ``NotifiedParties``: how many registrants and trainers were notified.

        Raises:
            ValidationError: bad input (nothing was sent).
        """
        call = _update_times(
            self._organizer_key,
            training_key,
            times,
            time_zone,
            notify_registrants,
            notify_trainers,
            timeout,
        )
        return self._request(call)

    @operation("getStartUrl")
    def start_url(self, training_key: Key, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN) -> str:
        """A URL that starts the training **after the organizer logs in** (getStartUrl).

        Opening it launches the GoToTraining client, which asks for the organizer's GoTo
        credentials. For a URL that needs no login, see :meth:`start`.
        """
        return self._request(_start_url(self._organizer_key, training_key, timeout))

    @operation("startTraining")
    def start(self, training_key: Key, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN) -> str:
        """A host URL that starts the training **without an organizer login** (startTraining).

        Returns the ``hostURL`` of the API's ``HostUrl``. Treat it like a password: whoever
        opens it starts the training as host. The request is made for the access token's
        organizer (the path carries no organizer key). To require a login, use
        :meth:`start_url`.
        """
        return self._request(_start(training_key, timeout))


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

    @operation("updateRegistrationSettingsForTraining")
    async def update_registration_settings(
        self,
        training_key: Key,
        settings: m.RegistrationSettings,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> None:
        call = _update_registration_settings(self._organizer_key, training_key, settings, timeout)
        return await self._request(call)

    @operation("updateTrainingTimes")
    async def update_times(
        self,
        training_key: Key,
        times: Iterable[TimePair],
        time_zone: str,
        *,
        notify_registrants: bool = True,
        notify_trainers: bool = True,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> m.NotifiedParties:
        call = _update_times(
            self._organizer_key,
            training_key,
            times,
            time_zone,
            notify_registrants,
            notify_trainers,
            timeout,
        )
        return await self._request(call)

    @operation("getStartUrl")
    async def start_url(
        self, training_key: Key, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN
    ) -> str:
        return await self._request(_start_url(self._organizer_key, training_key, timeout))

    @operation("startTraining")
    async def start(
        self, training_key: Key, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN
    ) -> str:
        return await self._request(_start(training_key, timeout))
