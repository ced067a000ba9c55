from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Attendance")


@_attrs_define
class Attendance:
    """Describes the times the attendee joined and left a part of a training session.

    Attributes:
        join_time (datetime.datetime): The time the attendee joined a part of a training session
        leave_time (datetime.datetime): The time the attendee left a part of a training session
        time_in_part_of_session (int): The time in minutes the attendee spent at a part of a training session
    """

    join_time: datetime.datetime
    leave_time: datetime.datetime
    time_in_part_of_session: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        join_time = (
            self.join_time.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
        )

        leave_time = (
            self.leave_time.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
        )

        time_in_part_of_session = self.time_in_part_of_session

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "joinTime": join_time,
                "leaveTime": leave_time,
                "timeInPartOfSession": time_in_part_of_session,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        join_time = datetime.datetime.fromisoformat(d.pop("joinTime"))

        leave_time = datetime.datetime.fromisoformat(d.pop("leaveTime"))

        time_in_part_of_session = d.pop("timeInPartOfSession")

        attendance = cls(
            join_time=join_time,
            leave_time=leave_time,
            time_in_part_of_session=time_in_part_of_session,
        )

        attendance.additional_properties = d
        return attendance

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
