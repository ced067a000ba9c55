from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.date_time_range import DateTimeRange
    from ..models.registration_settings import RegistrationSettings


T = TypeVar("T", bound="TrainingReqCreate")


@_attrs_define
class TrainingReqCreate:
    """Describes the details used to create a new training.

    Attributes:
        name (str): Name of the training
        time_zone (str): Time zone of the training (a tz database ID such as Europe/Berlin)
        times (list[DateTimeRange]): Array with startDate and endDate for the training sessions
        description (str | Unset): Description of the training
        registration_settings (RegistrationSettings | Unset): Training settings, namely availability of web registration
            and confirmation emails to the training registrants
        organizers (list[int] | Unset): List of keys of the co-organizers for this training
    """

    name: str
    time_zone: str
    times: list[DateTimeRange]
    description: str | Unset = UNSET
    registration_settings: RegistrationSettings | Unset = UNSET
    organizers: list[int] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        time_zone = self.time_zone

        times = []
        for times_item_data in self.times:
            times_item = times_item_data.to_dict()
            times.append(times_item)

        description = self.description

        registration_settings: dict[str, Any] | Unset = UNSET
        if not isinstance(self.registration_settings, Unset):
            registration_settings = self.registration_settings.to_dict()

        organizers: list[int] | Unset = UNSET
        if not isinstance(self.organizers, Unset):
            organizers = self.organizers

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "timeZone": time_zone,
                "times": times,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if registration_settings is not UNSET:
            field_dict["registrationSettings"] = registration_settings
        if organizers is not UNSET:
            field_dict["organizers"] = organizers

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.date_time_range import DateTimeRange
        from ..models.registration_settings import RegistrationSettings

        d = dict(src_dict)
        name = d.pop("name")

        time_zone = d.pop("timeZone")

        times = []
        _times = d.pop("times")
        for times_item_data in _times:
            times_item = DateTimeRange.from_dict(times_item_data)

            times.append(times_item)

        description = d.pop("description", UNSET)

        _registration_settings = d.pop("registrationSettings", UNSET)
        registration_settings: RegistrationSettings | Unset
        if isinstance(_registration_settings, Unset):
            registration_settings = UNSET
        else:
            registration_settings = RegistrationSettings.from_dict(
                _registration_settings
            )

        organizers = cast(list[int], d.pop("organizers", UNSET))

        training_req_create = cls(
            name=name,
            time_zone=time_zone,
            times=times,
            description=description,
            registration_settings=registration_settings,
            organizers=organizers,
        )

        training_req_create.additional_properties = d
        return training_req_create

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
