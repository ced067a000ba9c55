from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RegistrationSettings")


@_attrs_define
class RegistrationSettings:
    """Training settings, namely availability of web registration and confirmation emails to the training registrants

    Attributes:
        disable_confirmation_email (bool): Indicates whether confirmation emails to the training registrants are
            disabled
        disable_web_registration (bool): Indicates whether the web registration for the training is disabled
    """

    disable_confirmation_email: bool
    disable_web_registration: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        disable_confirmation_email = self.disable_confirmation_email

        disable_web_registration = self.disable_web_registration

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "disableConfirmationEmail": disable_confirmation_email,
                "disableWebRegistration": disable_web_registration,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        disable_confirmation_email = d.pop("disableConfirmationEmail")

        disable_web_registration = d.pop("disableWebRegistration")

        registration_settings = cls(
            disable_confirmation_email=disable_confirmation_email,
            disable_web_registration=disable_web_registration,
        )

        registration_settings.additional_properties = d
        return registration_settings

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
