"""Builders of ``client.trainings`` (see ``gototraining/_builders/__init__.py``)."""

from __future__ import annotations

from collections.abc import Generator, Iterable, Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, TypeAlias

from .. import _validation as v
from .._decoding import decode_string
from .._errors import ValidationError
from .._generated import models as m
from .._generated import requests as rq
from .._resource import Context, Key, Plan
from .._transport import Action, Call, decode_json, no_content

if TYPE_CHECKING:  # wire models are imported inside the builders that use them
    from gototraining_api.models import RegistrationSettings as _WireRegistrationSettings

NAME_MAX = 256
DESCRIPTION_MAX = 10_000

#: One session of a training as methods take it: a ``(start, end)`` pair of timezone-aware
#: datetimes, or a ``TimeRange``.
TimePair: TypeAlias = tuple[datetime, datetime] | m.TimeRange


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


def _description(description: str) -> str:
    return v.text(
        description, "description", max_len=DESCRIPTION_MAX, required=False, single_line=False
    )


def create(
    organizer_key: str,
    *,
    name: str,
    times: Iterable[TimePair],
    time_zone: str | tzinfo,
    description: str | None = None,
    registration_settings: m.RegistrationSettings | None = None,
    co_organizers: Sequence[Key] | None = None,
) -> Call[str]:
    """The checked ``TrainingReqCreate`` POST; the answer is the new key."""
    from gototraining_api.models import DateTimeRange, TrainingReqCreate
    from gototraining_api.types import UNSET

    name = v.text(name, "name", max_len=NAME_MAX)
    pairs = v.times(times)
    tz = v.time_zone(time_zone)
    if description is not None:
        description = _description(description)
    settings: _WireRegistrationSettings | Any = UNSET
    if registration_settings is not None:
        settings = _wire_settings(registration_settings, "registration_settings")
    organizers: list[int] | Any = UNSET
    if co_organizers is not None:
        organizers = [int(k) for k in v.keys(co_organizers, "co_organizers")]
    body = TrainingReqCreate(
        name=name,
        time_zone=tz,
        times=[DateTimeRange(start_date=s, end_date=e) for s, e in pairs],
        description=UNSET if description is None else description,
        registration_settings=settings,
        organizers=organizers,
    )
    return Call(rq.schedule_training(organizer_key, body), decode_json(decode_string))


def update_name_description(
    organizer_key: str, training_key: Key, *, name: str, description: str | None = None
) -> Call[None]:
    """The checked ``TrainingNameDescription`` PUT."""
    from gototraining_api.models import TrainingNameDescription
    from gototraining_api.types import UNSET

    key = v.key(training_key, "training_key")
    body = TrainingNameDescription(
        name=v.text(name, "name", max_len=NAME_MAX),
        description=UNSET if description is None else _description(description),
    )
    return Call(rq.update_training_name_description(organizer_key, key, body), no_content)


def set_organizers(
    organizer_key: str, training_key: Key, organizer_keys: Sequence[Key], *, notify: bool = True
) -> Call[None]:
    """The ``TrainingOrganizers`` PUT; not replayed once it may have notified."""
    from gototraining_api.models import TrainingOrganizers

    key = v.key(training_key, "training_key")
    body = TrainingOrganizers(
        organizers=[int(k) for k in v.keys(organizer_keys, "organizer_keys")],
        notify_organizers=v.boolean(notify, "notify"),
    )
    request = rq.update_organisers_for_training(organizer_key, key, body)
    # A replay of an applied request that notifies would email the organizers twice.
    return Call(request, no_content, replay_safe=False if body.notify_organizers else None)


def update_registration_settings(
    organizer_key: str, training_key: Key, settings: m.RegistrationSettings
) -> Call[None]:
    """The ``RegistrationSettings`` PUT (both flags sent)."""
    key = v.key(training_key, "training_key")
    body = _wire_settings(settings, "settings")
    request = rq.update_registration_settings_for_training(organizer_key, key, body)
    return Call(request, no_content)


def update_times(
    organizer_key: str,
    training_key: Key,
    times: Iterable[TimePair],
    time_zone: str | tzinfo,
    *,
    notify_registrants: bool = True,
    notify_trainers: bool = True,
) -> Call[m.NotifiedParties]:
    """The ``TrainingTimes`` PUT; not replayed once it may have notified."""
    from gototraining_api.models import DateTimeRange, TrainingTimes

    key = v.key(training_key, "training_key")
    pairs = v.times(times)
    body = TrainingTimes(
        time_zone=v.time_zone(time_zone),
        times=[DateTimeRange(start_date=s, end_date=e) for s, e in pairs],
        notify_registrants=v.boolean(notify_registrants, "notify_registrants"),
        notify_trainers=v.boolean(notify_trainers, "notify_trainers"),
    )
    # A replay of an applied request that notifies would send the emails twice.
    replay_safe = False if body.notify_registrants or body.notify_trainers else None
    return Call(
        rq.update_training_times(organizer_key, key, body),
        decode_json(m.decode_notified_parties),
        replay_safe=replay_safe,
    )


def move_session(
    organizer_key: str,
    training_key: Key,
    session: int | datetime,
    start: datetime,
    end: datetime,
    *,
    time_zone: str | tzinfo | None = None,
    notify_registrants: bool = True,
    notify_trainers: bool = True,
) -> Plan[m.NotifiedParties]:
    """GET the training, then ``update_times`` with one session replaced."""
    key = v.key(training_key, "training_key")
    new = v.date_range(start, end)
    if isinstance(session, datetime):
        wanted: int | datetime = v.aware_datetime(session, "session")
    elif isinstance(session, int) and not isinstance(session, bool):
        wanted = session
    else:
        raise ValidationError(
            "session", f"expected an index or the session's start, got {type(session).__name__}"
        )
    zone = None if time_zone is None else v.time_zone(time_zone)
    flags = {
        "notify_registrants": v.boolean(notify_registrants, "notify_registrants"),
        "notify_trainers": v.boolean(notify_trainers, "notify_trainers"),
    }
    read = Call(rq.get_training(organizer_key, key), decode_json(m.decode_training))

    def plan(context: Context) -> Generator[Action, Any, m.NotifiedParties]:
        training = yield from context.run(read)
        times = [(t.start, t.end) for t in training.times]
        if isinstance(wanted, int):
            if not -len(times) <= wanted < len(times):
                raise ValidationError(
                    "session",
                    f"training {key} has {len(times)} session(s), no index {wanted} "
                    "(nothing was changed)",
                )
            index = wanted % len(times)
        else:
            starts = [s for s, _ in times]
            if wanted not in starts:
                listed = ", ".join(s.isoformat() for s in starts)
                raise ValidationError(
                    "session",
                    f"training {key} has no session starting at {wanted.isoformat()} "
                    f"(its sessions start at {listed}; nothing was changed)",
                )
            index = starts.index(wanted)
        times[index] = new
        send_zone = zone or training.time_zone
        if not send_zone:
            raise ValidationError(
                "time_zone",
                f"training {key} has no time zone: pass time_zone= (nothing was changed)",
            )
        call = update_times(organizer_key, key, times, send_zone, **flags)
        return (yield from context.run(call))

    return plan
