"""Forward compatibility: fields the spec does not know yet are kept, read-only, in ``extra``.

A user can read a field the API added before this SDK's spec catches up; nothing else about the
model changes (equality, hashing, pickling, ``attrs.evolve``). Unknown fields are drift: the
default (tolerant) decoding keeps them and warns; strict decoding refuses them
(test_drift_decoding.py).
"""

from __future__ import annotations

import pickle
from typing import Any

import attrs
import httpx
import pytest
from gototraining import DriftWarning, Organizer, RegistrationSettings, TimeRange, Training

from .conftest import Flavor

ORGANIZER = {"organizerKey": "7", "email": "o@example.com", "givenName": "O", "surname": "Rg"}
TRAINING = {
    "trainingKey": "1",
    "trainingId": "123456789",
    "name": "Onboarding",
    "timeZone": "Europe/Berlin",
    "times": [{"startDate": "2030-01-01T09:00:00Z", "endDate": "2030-01-01T10:00:00Z"}],
    "organizers": [ORGANIZER],
    "registrationSettings": {"disableConfirmationEmail": False, "disableWebRegistration": True},
}
NEW = {
    "meetingType": "hybrid",
    "room": {"building": "B", "seats": [1, 2]},
    "capacity": None,
}


pytestmark = pytest.mark.filterwarnings("ignore::gototraining.DriftWarning")


def _training(flavor: Flavor, body: dict[str, Any]) -> Training:
    flavor.client(lambda request: httpx.Response(200, json=body), strict=False)
    training: Training = flavor.run(lambda c: c.trainings.get(1))
    return training


def test_unknown_fields_are_readable(flavor: Flavor) -> None:
    body = {
        **TRAINING,
        **NEW,
        "organizers": [{**ORGANIZER, "phone": "+1 555"}],
        "registrationSettings": {**TRAINING["registrationSettings"], "waitlist": True},  # type: ignore[dict-item]
    }
    with pytest.warns(
        DriftWarning, match=r"getTraining: \$\.organizers\[\*\]\.phone: unknown field"
    ):
        t = _training(flavor, body)
    assert dict(t.extra) == NEW
    assert {d.path for d in t.drift} == {
        "$.meetingType", "$.room", "$.capacity", "$.organizers[0].phone",
        "$.registrationSettings.waitlist",
    }  # fmt: skip
    assert t.extra["room"]["seats"] == [1, 2]
    assert t.organizers[0].extra == {"phone": "+1 555"}
    assert t.registration_settings.extra == {"waitlist": True}
    assert t.times[0].extra == {}
    # Known fields are decoded as always, not duplicated into extra.
    assert t.name == "Onboarding" and "name" not in t.extra


def test_extra_is_read_only(flavor: Flavor) -> None:
    t = _training(flavor, {**TRAINING, **NEW})
    with pytest.raises(TypeError, match="read-only"):
        t.extra["meetingType"] = "online"  # type: ignore[index]
    with pytest.raises(TypeError, match="read-only"):
        t.extra.pop("room")  # type: ignore[attr-defined]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        t.extra = {}  # type: ignore[misc]
    assert t.extra["meetingType"] == "hybrid"


def test_calling_init_again_changes_no_extra(flavor: Flavor) -> None:
    """A ``dict`` is refilled by calling its ``__init__`` again; the empty ``extra`` shared by
    every model without unknown fields must not be (it would show up on all of them)."""
    plain = _training(flavor, TRAINING)
    with_new = _training(flavor, {**TRAINING, **NEW})
    plain.extra.__init__({"leak": 1})  # type: ignore[misc]
    with_new.extra.__init__({"leak": 1})  # type: ignore[misc]
    assert dict(plain.extra) == {} and dict(with_new.extra) == NEW
    assert _training(flavor, TRAINING).extra == {}


def test_models_with_extra_behave_as_values(flavor: Flavor) -> None:
    t = _training(flavor, {**TRAINING, **NEW})
    plain = _training(flavor, TRAINING)
    assert t != plain and attrs.evolve(t, extra={}) == plain
    assert hash(t) == hash(plain)  # extra takes no part in hashing (equal models: equal hashes)
    assert pickle.loads(pickle.dumps(t)) == t
    assert attrs.evolve(t, name="Renamed").extra == t.extra
    assert attrs.asdict(t)["extra"] == NEW


def test_constructed_models_have_an_empty_extra() -> None:
    organizer = Organizer("1", "e@example.com", "G", "S")
    assert organizer.extra == {} and not RegistrationSettings().extra
    assert (
        repr(organizer)
        == "Organizer(organizer_key='1', email='e@example.com', given_name='G', surname='S')"
    )
    assert TimeRange.__init__.__kwdefaults__ is not None  # extra is keyword-only
    with_extra = Organizer("1", "e@example.com", "G", "S", extra={"phone": "1"})
    assert with_extra.extra == {"phone": "1"} and with_extra != organizer
