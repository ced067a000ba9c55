from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="NotifiedParties")


@_attrs_define
class NotifiedParties:
    """Number of parties notified of a change to a training session times

    Attributes:
        notified_registrants (int): Number of registrants notified of changes to a training
        notified_trainers (int): Number of trainers notified of changes to a training
    """

    notified_registrants: int
    notified_trainers: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        notified_registrants = self.notified_registrants

        notified_trainers = self.notified_trainers

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "notifiedRegistrants": notified_registrants,
                "notifiedTrainers": notified_trainers,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        notified_registrants = d.pop("notifiedRegistrants")

        notified_trainers = d.pop("notifiedTrainers")

        notified_parties = cls(
            notified_registrants=notified_registrants,
            notified_trainers=notified_trainers,
        )

        notified_parties.additional_properties = d
        return notified_parties

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
