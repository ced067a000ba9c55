from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DateTimeRange")


@_attrs_define
class DateTimeRange:
    """A pair of DateTime values, the first of which serves as a start time and the second as an end time of an interval

    Attributes:
        start_date (datetime.datetime): The starting time of an interval
        end_date (datetime.datetime): The ending time of an interval
    """

    start_date: datetime.datetime
    end_date: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        start_date = (
            self.start_date.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
        )

        end_date = (
            self.end_date.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
        )

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "startDate": start_date,
                "endDate": end_date,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        start_date = datetime.datetime.fromisoformat(d.pop("startDate"))

        end_date = datetime.datetime.fromisoformat(d.pop("endDate"))

        date_time_range = cls(
            start_date=start_date,
            end_date=end_date,
        )

        date_time_range.additional_properties = d
        return date_time_range

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
