from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.recording import Recording


T = TypeVar("T", bound="RecordingsListForTraining")


@_attrs_define
class RecordingsListForTraining:
    """Contains a list of recordings for the training.

    Attributes:
        training_key (int): The training's unique key
        recording_list (list[Recording]): The list of online recordings for the training
    """

    training_key: int
    recording_list: list[Recording]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        training_key = self.training_key

        recording_list = []
        for recording_list_item_data in self.recording_list:
            recording_list_item = recording_list_item_data.to_dict()
            recording_list.append(recording_list_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "trainingKey": training_key,
                "recordingList": recording_list,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.recording import Recording

        d = dict(src_dict)
        training_key = d.pop("trainingKey")

        recording_list = []
        _recording_list = d.pop("recordingList")
        for recording_list_item_data in _recording_list:
            recording_list_item = Recording.from_dict(recording_list_item_data)

            recording_list.append(recording_list_item)

        recordings_list_for_training = cls(
            training_key=training_key,
            recording_list=recording_list,
        )

        recordings_list_for_training.additional_properties = d
        return recordings_list_for_training

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
