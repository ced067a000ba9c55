from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TrainingOrganizers")


@_attrs_define
class TrainingOrganizers:
    """Details required to update the list of organizers for a training.

    Attributes:
        organizers (list[int]): List of keys of the organizers for the training.
        notify_organizers (bool | Unset): Specifies whether an email should be sent notifying of the change to the
            training's organizers.
    """

    organizers: list[int]
    notify_organizers: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        organizers = self.organizers

        notify_organizers = self.notify_organizers

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "organizers": organizers,
            }
        )
        if notify_organizers is not UNSET:
            field_dict["notifyOrganizers"] = notify_organizers

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        organizers = cast(list[int], d.pop("organizers"))

        notify_organizers = d.pop("notifyOrganizers", UNSET)

        training_organizers = cls(
            organizers=organizers,
            notify_organizers=notify_organizers,
        )

        training_organizers.additional_properties = d
        return training_organizers

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
