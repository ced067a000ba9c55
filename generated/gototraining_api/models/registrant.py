from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.registrant_status import RegistrantStatus

T = TypeVar("T", bound="Registrant")


@_attrs_define
class Registrant:
    """Describes a training registrant.

    Attributes:
        registrant_key (str): The registrant's key
        email (str): The registrant's email address
        given_name (str): The registrant's first name
        surname (str): The registrant's surname
        status (RegistrantStatus): The registrant's status
        registration_date (datetime.datetime): The date and time the registration took place
        join_url (str): The URL the registrant will use to join the training
        confirmation_url (str): The URL where the confirmation for the registration can be found
    """

    registrant_key: str
    email: str
    given_name: str
    surname: str
    status: RegistrantStatus
    registration_date: datetime.datetime
    join_url: str
    confirmation_url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        registrant_key = self.registrant_key

        email = self.email

        given_name = self.given_name

        surname = self.surname

        status = self.status.value

        registration_date = (
            self.registration_date.astimezone(datetime.UTC)
            .isoformat()
            .replace("+00:00", "Z")
        )

        join_url = self.join_url

        confirmation_url = self.confirmation_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "registrantKey": registrant_key,
                "email": email,
                "givenName": given_name,
                "surname": surname,
                "status": status,
                "registrationDate": registration_date,
                "joinUrl": join_url,
                "confirmationUrl": confirmation_url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        registrant_key = d.pop("registrantKey")

        email = d.pop("email")

        given_name = d.pop("givenName")

        surname = d.pop("surname")

        status = RegistrantStatus(d.pop("status"))

        registration_date = datetime.datetime.fromisoformat(d.pop("registrationDate"))

        join_url = d.pop("joinUrl")

        confirmation_url = d.pop("confirmationUrl")

        registrant = cls(
            registrant_key=registrant_key,
            email=email,
            given_name=given_name,
            surname=surname,
            status=status,
            registration_date=registration_date,
            join_url=join_url,
            confirmation_url=confirmation_url,
        )

        registrant.additional_properties = d
        return registrant

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
