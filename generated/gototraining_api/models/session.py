from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.organizer import Organizer


T = TypeVar("T", bound="Session")


@_attrs_define
class Session:
    """Describes a completed training session.

    Attributes:
        session_key (str): The key of the training session
        training_name (str): The subject of the training
        session_start_time (datetime.datetime): The time the training session started
        session_end_time (datetime.datetime): The time the training session finished
        attendance_count (int): The number of attendees at the training session
        duration (int): The duration of the training session in minutes
        organizers (list[Organizer]): The organizers of the training session.
    """

    session_key: str
    training_name: str
    session_start_time: datetime.datetime
    session_end_time: datetime.datetime
    attendance_count: int
    duration: int
    organizers: list[Organizer]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        session_key = self.session_key

        training_name = self.training_name

        session_start_time = (
            self.session_start_time.astimezone(datetime.UTC)
            .isoformat()
            .replace("+00:00", "Z")
        )

        session_end_time = (
            self.session_end_time.astimezone(datetime.UTC)
            .isoformat()
            .replace("+00:00", "Z")
        )

        attendance_count = self.attendance_count

        duration = self.duration

        organizers = []
        for organizers_item_data in self.organizers:
            organizers_item = organizers_item_data.to_dict()
            organizers.append(organizers_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "sessionKey": session_key,
                "trainingName": training_name,
                "sessionStartTime": session_start_time,
                "sessionEndTime": session_end_time,
                "attendanceCount": attendance_count,
                "duration": duration,
                "organizers": organizers,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.organizer import Organizer

        d = dict(src_dict)
        session_key = d.pop("sessionKey")

        training_name = d.pop("trainingName")

        session_start_time = datetime.datetime.fromisoformat(d.pop("sessionStartTime"))

        session_end_time = datetime.datetime.fromisoformat(d.pop("sessionEndTime"))

        attendance_count = d.pop("attendanceCount")

        duration = d.pop("duration")

        organizers = []
        _organizers = d.pop("organizers")
        for organizers_item_data in _organizers:
            organizers_item = Organizer.from_dict(organizers_item_data)

            organizers.append(organizers_item)

        session = cls(
            session_key=session_key,
            training_name=training_name,
            session_start_time=session_start_time,
            session_end_time=session_end_time,
            attendance_count=attendance_count,
            duration=duration,
            organizers=organizers,
        )

        session.additional_properties = d
        return session

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
