"""API answers the SDK tests build their responses from, as the API sends them (JSON)."""

from __future__ import annotations

from typing import Any

#: A getTraining answer (one session, no co-organizers).
TRAINING: dict[str, Any] = {
    "trainingKey": "2000000000000000002",
    "trainingId": "123456789",
    "name": "Onboarding",
    "timeZone": "Europe/Berlin",
    "times": [{"startDate": "2026-12-01T09:00:00Z", "endDate": "2026-12-01T11:00:00Z"}],
    "organizers": [],
    "registrationSettings": {"disableConfirmationEmail": False, "disableWebRegistration": False},
}

#: One registrant of a getRegistrants answer.
REGISTRANT: dict[str, Any] = {
    "registrantKey": "7",
    "email": "ada@example.com",
    "givenName": "Ada",
    "surname": "Lovelace",
    "status": "APPROVED",
    "registrationDate": "2026-11-01T08:30:00Z",
    "joinUrl": "https://j",
    "confirmationUrl": "https://c",
}
