"""The generated fast decoders agree with the checked ones (``_generated.models._x`` vs ``_x_checked``).

``registrants.list`` and every other list decodes through a fast path (one combined type check,
slots filled directly) that hands anything unusual to the field-by-field checked decoder, the
reference. Both must give equal, hashable, frozen models, and every bad shape must raise the
checked decoder's ``DecodeError``. Spec-wide coverage of the same property is in
tests/reliability/test_spec_decoding.py.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import attrs
import pytest
from gototraining import DecodeError, Registrant, RegistrantStatus
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
    _item(status="SOMETHING_NEW"),
    _item(status=""),
    _item(registrationDate="2030-01-01T10:00:00.123+02:00"),
    _item(registrationDate="2030-01-01t10:00:00z"),  # RFC 3339 allows lower case
    _item(registrationDate="2030-01-01T10:00:00.123456789-00:00"),  # nanoseconds: truncated
    _item(registrationDate="2016-12-31T23:59:60Z"),  # a leap second
    _item(registrationDate="0001-01-01T00:00:00Z"),
    _item(registrationDate="9999-12-31T23:59:59.999999+14:00"),
    _item(newField="kept", other={"nested": [1, None]}),
    _item(email="", givenName="", surname=""),
]

BAD = [
    _item(status=...),
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
    assert dict(fast.extra) == {k: v for k, v in item.items() if k not in m._REGISTRANT_KNOWN}
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fast.email = "x"  # type: ignore[misc]


def test_unknown_status_keeps_raw() -> None:
    r = m._registrant(_item(status="SOMETHING_NEW"))
    assert r.status is RegistrantStatus.UNKNOWN and r.raw_status == "SOMETHING_NEW"
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
