from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Recording")


@_attrs_define
class Recording:
    """Describes an online recording of a training

    Attributes:
        recording_id (int): The unique id of the recording
        name (str): The title of the recording
        start_date (datetime.datetime): The time the recording was started
        end_date (datetime.datetime): The time the recording was ended
        description (str | Unset): The description of the recording
        registration_url (str | Unset): The url where attendees can register to view the recording
        download_url (str | Unset): The url used to download the recording to the local device
    """

    recording_id: int
    name: str
    start_date: datetime.datetime
    end_date: datetime.datetime
    description: str | Unset = UNSET
    registration_url: str | Unset = UNSET
    download_url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        recording_id = self.recording_id

        name = self.name

        start_date = (
            self.start_date.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
        )

        end_date = (
            self.end_date.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
        )

        description = self.description

        registration_url = self.registration_url

        download_url = self.download_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "recordingId": recording_id,
                "name": name,
                "startDate": start_date,
                "endDate": end_date,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if registration_url is not UNSET:
            field_dict["registrationUrl"] = registration_url
        if download_url is not UNSET:
            field_dict["downloadUrl"] = download_url

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        recording_id = d.pop("recordingId")

        name = d.pop("name")

        start_date = datetime.datetime.fromisoformat(d.pop("startDate"))

        end_date = datetime.datetime.fromisoformat(d.pop("endDate"))

        description = d.pop("description", UNSET)

        registration_url = d.pop("registrationUrl", UNSET)

        download_url = d.pop("downloadUrl", UNSET)

        recording = cls(
            recording_id=recording_id,
            name=name,
            start_date=start_date,
            end_date=end_date,
            description=description,
            registration_url=registration_url,
            download_url=download_url,
        )

        recording.additional_properties = d
        return recording

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
