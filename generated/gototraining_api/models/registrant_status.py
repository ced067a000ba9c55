from enum import StrEnum


class RegistrantStatus(StrEnum):
    APPROVED = "APPROVED"
    DENIED = "DENIED"
    WAITING = "WAITING"

    def __str__(self) -> str:
        return str(self.value)
