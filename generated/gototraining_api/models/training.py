from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.date_time_range import DateTimeRange
    from ..models.organizer import Organizer
    from ..models.registration_settings import RegistrationSettings


T = TypeVar("T", bound="Training")


@_attrs_define
class Training:
    """Describes a scheduled training.

    Attributes:
        training_key (str): The training's unique key
        name (str): The training's subject
        time_zone (str): The time zone where the training takes place (a tz database ID)
        times (list[DateTimeRange]): Array with startDate and endDate for the training sessions
        organizers (list[Organizer]): The list of (co-)organizers for the training
        registration_settings (RegistrationSettings): Training settings, namely availability of web registration and
            confirmation emails to the training registrants
        training_id (str | Unset): The 9-digit training's ID
        description (str | Unset): The training's description
    """

    training_key: str
    name: str
    time_zone: str
    times: list[DateTimeRange]
    organizers: list[Organizer]
    registration_settings: RegistrationSettings
    training_id: str | Unset = UNSET
    description: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        training_key = self.training_key

        name = self.name

        time_zone = self.time_zone

        times = []
        for times_item_data in self.times:
            times_item = times_item_data.to_dict()
            times.append(times_item)

        organizers = []
        for organizers_item_data in self.organizers:
            organizers_item = organizers_item_data.to_dict()
            organizers.append(organizers_item)

        registration_settings = self.registration_settings.to_dict()

        training_id = self.training_id

        description = self.description

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "trainingKey": training_key,
                "name": name,
                "timeZone": time_zone,
                "times": times,
                "organizers": organizers,
                "registrationSettings": registration_settings,
            }
        )
        if training_id is not UNSET:
            field_dict["trainingId"] = training_id
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.date_time_range import DateTimeRange
        from ..models.organizer import Organizer
        from ..models.registration_settings import RegistrationSettings

        d = dict(src_dict)
        training_key = d.pop("trainingKey")

        name = d.pop("name")

        time_zone = d.pop("timeZone")

        times = []
        _times = d.pop("times")
        for times_item_data in _times:
            times_item = DateTimeRange.from_dict(times_item_data)

            times.append(times_item)

        organizers = []
        _organizers = d.pop("organizers")
        for organizers_item_data in _organizers:
            organizers_item = Organizer.from_dict(organizers_item_data)

            organizers.append(organizers_item)

        registration_settings = RegistrationSettings.from_dict(
            d.pop("registrationSettings")
        )

        training_id = d.pop("trainingId", UNSET)

        description = d.pop("description", UNSET)

        training = cls(
            training_key=training_key,
            name=name,
            time_zone=time_zone,
            times=times,
            organizers=organizers,
            registration_settings=registration_settings,
            training_id=training_id,
            description=description,
        )

        training.additional_properties = d
        return training

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
