"""The fast registrant decoder (``_models._registrant``) agrees with the field-by-field one.

``registrants.list`` decodes through a fast path (one combined type check, slots filled
directly); ``_registrant_checked`` is the reference. Both must give equal, hashable, frozen
models and the same ``DecodeError`` text for every bad shape.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

import attrs
import pytest
from gototraining import DecodeError, Registrant, RegistrantStatus
from gototraining import _models as m


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
    _item(registrationDate="2030-01-01T10:00:00"),  # naive: read as UTC
    _item(registrationDate="2030-01-01T10:00:00.123+02:00"),
    _item(extra="ignored"),
]

BAD = [
    _item(status=...),
    _item(email=..., status=...),
    _item(status=1, registrantKey=...),
    _item(email=None),
    _item(givenName=["x"]),
    _item(registrationDate="yesterday"),
    _item(registrationDate=20300101),
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
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fast.email = "x"  # type: ignore[misc]


def test_unknown_status_keeps_raw() -> None:
    r = m._registrant(_item(status="SOMETHING_NEW"))
    assert r.status is RegistrantStatus.UNKNOWN and r.raw_status == "SOMETHING_NEW"
    assert m._registrant(_item()).registration_date.tzinfo is UTC


@pytest.mark.parametrize("item", BAD)
def test_bad_shapes_same_error(item: dict[str, Any]) -> None:
    with pytest.raises(DecodeError) as fast:
        m.decode_registrants([_item(), item])
    with pytest.raises(DecodeError) as ref:
        m.decode_list(m._registrant_checked, [_item(), item])
    assert str(fast.value) == str(ref.value)
    assert fast.value.path == ref.value.path == "$[1]"
