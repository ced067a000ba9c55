from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.attendance import Attendance


T = TypeVar("T", bound="Attendee")


@_attrs_define
class Attendee:
    """Describes the attendee of a training session.

    Attributes:
        given_name (str): The attendee's first name
        surname (str): The attendee's surname
        email (str): The attendee's email address
        time_in_session (int): The total time in minutes spent at all the parts of the training session the attendee
            joined
        in_session_times (list[Attendance]): List of the parts of the training session the attendee joined
    """

    given_name: str
    surname: str
    email: str
    time_in_session: int
    in_session_times: list[Attendance]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        given_name = self.given_name

        surname = self.surname

        email = self.email

        time_in_session = self.time_in_session

        in_session_times = []
        for in_session_times_item_data in self.in_session_times:
            in_session_times_item = in_session_times_item_data.to_dict()
            in_session_times.append(in_session_times_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "givenName": given_name,
                "surname": surname,
                "email": email,
                "timeInSession": time_in_session,
                "inSessionTimes": in_session_times,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.attendance import Attendance

        d = dict(src_dict)
        given_name = d.pop("givenName")

        surname = d.pop("surname")

        email = d.pop("email")

        time_in_session = d.pop("timeInSession")

        in_session_times = []
        _in_session_times = d.pop("inSessionTimes")
        for in_session_times_item_data in _in_session_times:
            in_session_times_item = Attendance.from_dict(in_session_times_item_data)

            in_session_times.append(in_session_times_item)

        attendee = cls(
            given_name=given_name,
            surname=surname,
            email=email,
            time_in_session=time_in_session,
            in_session_times=in_session_times,
        )

        attendee.additional_properties = d
        return attendee

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
