from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RegistrantReqCreate")


@_attrs_define
class RegistrantReqCreate:
    """Details required to make a new training registration.

    Attributes:
        email (str): The registrant's email address
        given_name (str): The registrant's first name
        surname (str): The registrant's surname
    """

    email: str
    given_name: str
    surname: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        given_name = self.given_name

        surname = self.surname

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "email": email,
                "givenName": given_name,
                "surname": surname,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        email = d.pop("email")

        given_name = d.pop("givenName")

        surname = d.pop("surname")

        registrant_req_create = cls(
            email=email,
            given_name=given_name,
            surname=surname,
        )

        registrant_req_create.additional_properties = d
        return registrant_req_create

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
