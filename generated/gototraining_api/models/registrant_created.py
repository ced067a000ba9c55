from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RegistrantCreated")


@_attrs_define
class RegistrantCreated:
    """Describes a newly created training registrant

    Attributes:
        join_url (str): The URL the registrant will use to join the training
        confirmation_url (str): The URL where confirmation for the registration can be found
        registrant_key (str): The registrant's key
    """

    join_url: str
    confirmation_url: str
    registrant_key: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        join_url = self.join_url

        confirmation_url = self.confirmation_url

        registrant_key = self.registrant_key

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "joinUrl": join_url,
                "confirmationUrl": confirmation_url,
                "registrantKey": registrant_key,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        join_url = d.pop("joinUrl")

        confirmation_url = d.pop("confirmationUrl")

        registrant_key = d.pop("registrantKey")

        registrant_created = cls(
            join_url=join_url,
            confirmation_url=confirmation_url,
            registrant_key=registrant_key,
        )

        registrant_created.additional_properties = d
        return registrant_created

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
