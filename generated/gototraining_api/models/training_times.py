from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.date_time_range import DateTimeRange


T = TypeVar("T", bound="TrainingTimes")


@_attrs_define
class TrainingTimes:
    """Details required to update the session times of a training.

    Attributes:
        time_zone (str): Time zone of the training (a tz database ID)
        times (list[DateTimeRange]): Start and end times for the training sessions
        notify_registrants (bool | Unset): Notify registrants via email of change to training. Default is true
        notify_trainers (bool | Unset): Notify trainers via email of change to training. Default is true
    """

    time_zone: str
    times: list[DateTimeRange]
    notify_registrants: bool | Unset = UNSET
    notify_trainers: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        time_zone = self.time_zone

        times = []
        for times_item_data in self.times:
            times_item = times_item_data.to_dict()
            times.append(times_item)

        notify_registrants = self.notify_registrants

        notify_trainers = self.notify_trainers

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "timeZone": time_zone,
                "times": times,
            }
        )
        if notify_registrants is not UNSET:
            field_dict["notifyRegistrants"] = notify_registrants
        if notify_trainers is not UNSET:
            field_dict["notifyTrainers"] = notify_trainers

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.date_time_range import DateTimeRange

        d = dict(src_dict)
        time_zone = d.pop("timeZone")

        times = []
        _times = d.pop("times")
        for times_item_data in _times:
            times_item = DateTimeRange.from_dict(times_item_data)

            times.append(times_item)

        notify_registrants = d.pop("notifyRegistrants", UNSET)

        notify_trainers = d.pop("notifyTrainers", UNSET)

        training_times = cls(
            time_zone=time_zone,
            times=times,
            notify_registrants=notify_registrants,
            notify_trainers=notify_trainers,
        )

        training_times.additional_properties = d
        return training_times

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
