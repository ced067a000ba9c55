from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ErrorResponse")


@_attrs_define
class ErrorResponse:
    """An error body. The API documents none; two shapes are seen in practice, the service style {errorCode, description,
    incident} and the gateway/auth style {int_err_code, msg}. All fields are optional and a body may be plain text
    instead.

        Attributes:
            error_code (str | Unset): A machine-readable error code (service style)
            description (str | Unset): A human-readable explanation (service style)
            incident (str | Unset): An incident identifier for support requests (service style)
            int_err_code (str | Unset): A machine-readable error code (gateway style, e.g. InvalidToken)
            msg (str | Unset): A human-readable explanation (gateway style)
    """

    error_code: str | Unset = UNSET
    description: str | Unset = UNSET
    incident: str | Unset = UNSET
    int_err_code: str | Unset = UNSET
    msg: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error_code = self.error_code

        description = self.description

        incident = self.incident

        int_err_code = self.int_err_code

        msg = self.msg

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if error_code is not UNSET:
            field_dict["errorCode"] = error_code
        if description is not UNSET:
            field_dict["description"] = description
        if incident is not UNSET:
            field_dict["incident"] = incident
        if int_err_code is not UNSET:
            field_dict["int_err_code"] = int_err_code
        if msg is not UNSET:
            field_dict["msg"] = msg

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        error_code = d.pop("errorCode", UNSET)

        description = d.pop("description", UNSET)

        incident = d.pop("incident", UNSET)

        int_err_code = d.pop("int_err_code", UNSET)

        msg = d.pop("msg", UNSET)

        error_response = cls(
            error_code=error_code,
            description=description,
            incident=incident,
            int_err_code=int_err_code,
            msg=msg,
        )

        error_response.additional_properties = d
        return error_response

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
