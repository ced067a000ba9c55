"""The generated fast decoders agree with the checked ones (``_generated.models._x`` vs ``_x_checked``).

``registrants.list`` and every other list decodes through a fast path (one combined type check,
slots filled directly) that hands anything unusual to the field-by-field checked decoder, the
reference. Both must give equal, hashable, frozen models, and every bad shape must raise the
checked decoder's ``DecodeError`` (strict: no decoding context). Tolerant decoding of what
strays is the subject of tests/sdk/test_drift_decoding.py. Spec-wide coverage of the same property is in
tests/reliability/test_spec_decoding.py.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import attrs
import pytest
from gototraining import DecodeError, Registrant, UnknownValue, _drift
from gototraining._decoding import NO_EXTRA, decode_list
from gototraining._generated import models as m


def _item(**over: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "registrantKey": "8000000000000000001",
        "email": "ada@example.com",
        "givenName": "Ada",
        "surname": "Lovelace",
        "status": "APPROVED",
        "registrationDate": "2030-01-01T10:00:00Z",
        "joinUrl": "https://example.com/join",
        "confirmationUrl": "https://example.com/confirm",
    }
    d.update(over)
    return {k: v for k, v in d.items() if v is not ...}


GOOD = [
    _item(),
    _item(status="WAITING"),
    _item(status=...),  # optional: GoTo's own example answers omit it
    _item(registrationDate="2030-01-01T10:00:00.123+02:00"),
    _item(registrationDate="2030-01-01t10:00:00z"),  # RFC 3339 allows lower case
    _item(registrationDate="2030-01-01T10:00:00.123456789-00:00"),  # nanoseconds: truncated
    _item(registrationDate="2016-12-31T23:59:60Z"),  # a leap second
    _item(registrationDate="0001-01-01T00:00:00Z"),
    _item(registrationDate="9999-12-31T23:59:59.999999+14:00"),
    _item(email="", givenName="", surname=""),
]

BAD = [
    _item(status="SOMETHING_NEW"),  # strict: a value the spec does not list
    _item(status=""),
    _item(newField="kept"),  # strict: a property the spec does not define
    _item(email=" ada@example.com"),  # strict: padded
    _item(email=..., status=...),
    _item(status=1, registrantKey=...),
    _item(email=None),
    _item(givenName=["x"]),
    _item(registrationDate="yesterday"),
    _item(registrationDate=20300101),
    _item(registrationDate="2030-01-01T10:00:00"),  # no offset: not an RFC 3339 date-time
    _item(registrationDate="2030-01-01"),
    _item(registrationDate="2030-01-01 10:00:00Z"),
    _item(registrationDate="2030-01-01T10:00:00,5Z"),
    _item(registrationDate="2030-01-01T10:00:00+0200"),
    _item(registrationDate="2030-01-01T10:00:00.Z"),
    _item(registrationDate="2030-02-30T10:00:00Z"),
    _item(registrationDate="0000-01-01T00:00:00Z"),
    _item(registrationDate="2030-01-01T10:00:00+24:00"),
    _item(joinUrl=...),
    _item(confirmationUrl=b"x"),
]


@pytest.mark.parametrize("item", GOOD)
def test_fast_path_equals_checked(item: dict[str, Any]) -> None:
    fast, ref = m._registrant(item), m._registrant_checked(item)
    assert fast == ref and hash(fast) == hash(ref) and repr(fast) == repr(ref)
    assert type(fast) is Registrant
    assert fast.registration_date.tzinfo is not None
    assert fast.registration_date.utcoffset() == ref.registration_date.utcoffset()
    assert attrs.asdict(fast) == attrs.asdict(ref)
    assert fast.extra is NO_EXTRA and fast.drift == ()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fast.email = "x"  # type: ignore[misc]


def test_unknown_status_is_kept_when_tolerant() -> None:
    with _drift.decoding("getRegistrants"):
        [r] = m.decode_registrant_list([_item(status="SOMETHING_NEW")])
    assert type(r.status) is UnknownValue and r.status == "SOMETHING_NEW"
    assert r.raw_status == "SOMETHING_NEW" and [d.kind for d in r.drift] == ["unknown enum"]
    assert m._registrant(_item()).registration_date.tzinfo is UTC


def test_date_time_spellings() -> None:
    def date(value: str) -> Any:
        return m.decode_registrant(_item(registrationDate=value)).registration_date

    assert date("2016-12-31T23:59:60Z") == date("2016-12-31T23:59:59.999999Z")
    assert date("2030-01-01t10:00:00z") == date("2030-01-01T10:00:00Z")
    assert date("2030-01-01T10:00:00.123456789Z").microsecond == 123456
    assert date("2030-01-01T12:00:00+02:00").utcoffset() == timedelta(hours=2)


def test_no_unknown_fields_share_one_empty_extra() -> None:
    assert m._registrant(_item()).extra is NO_EXTRA


@pytest.mark.parametrize("item", BAD)
def test_bad_shapes_same_error(item: dict[str, Any]) -> None:
    with pytest.raises(DecodeError) as fast:
        m.decode_registrant_list([_item(), item])
    with pytest.raises(DecodeError) as ref:
        decode_list(m._registrant_checked, [_item(), item])
    assert str(fast.value) == str(ref.value)
    assert fast.value.path.startswith("$[1]")


def test_fast_models_are_their_class_for_everything() -> None:
    """The fast decoders fill a same-layout twin and assign ``__class__`` (``builder``): the
    result must be the model in every way, frozen, picklable, with its own slots only."""
    import pickle

    fast = m._registrant(_item())
    assert type(fast) is Registrant and fast.__class__ is Registrant
    assert pickle.loads(pickle.dumps(fast)) == fast == m._registrant_checked(_item())
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fast.surname = "x"  # type: ignore[misc]


def test_a_model_the_twin_cannot_build_stops_the_import() -> None:
    from gototraining._decoding import Model, builder

    @attrs.frozen(eq=False, repr=False, weakref_slot=False)
    class WithHook(Model):
        name: str

        def __attrs_post_init__(self) -> None:  # the fast path would skip it
            pass

    with pytest.raises(RuntimeError, match="WithHook: fast decoder out of date"):
        builder(WithHook)

    @attrs.frozen(eq=False, repr=False)  # a __weakref__ slot: no __class__ assignment
    class Weak(Model):
        name: str

    with pytest.raises((RuntimeError, TypeError)):
        builder(Weak)
