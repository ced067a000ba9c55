"""Canned, spec-valid JSON payloads shared by the loopback server and the decode benchmarks.

Everything here is deterministic and built with the standard library only, so the server
process and the benchmark workers produce byte-identical payloads.
"""

from __future__ import annotations

import json
from typing import Any

ORGANIZER_KEY = 3000000000000000001
TRAINING_KEY = 5000000000000000001
TOKEN = "bench-token"

_STATUSES = ("APPROVED", "WAITING", "DENIED")


def training(training_key: int | str = TRAINING_KEY) -> dict[str, Any]:
    """A getTraining 200 body (``Training``) with two sessions and one organizer."""
    return {
        "trainingKey": str(training_key),
        "trainingId": "123456789",
        "name": "Benchmark training",
        "description": "A training used by the benchmarks",
        "timeZone": "Europe/Berlin",
        "times": [
            {"startDate": "2030-01-01T10:00:00Z", "endDate": "2030-01-01T11:00:00Z"},
            {"startDate": "2030-01-08T10:00:00Z", "endDate": "2030-01-08T11:00:00Z"},
        ],
        "organizers": [
            {
                "organizerKey": str(ORGANIZER_KEY),
                "email": "organizer@example.com",
                "givenName": "Grace",
                "surname": "Hopper",
            }
        ],
        "registrationSettings": {
            "disableConfirmationEmail": False,
            "disableWebRegistration": False,
        },
    }


def registrant_created(n: int) -> dict[str, Any]:
    """A registerForTraining 201 body (``RegistrantCreated``) with a unique key per ``n``."""
    key = 7000000000000000000 + n
    return {
        "joinUrl": f"https://global.gototraining.com/join/training/{key}",
        "confirmationUrl": f"https://global.gototraining.com/confirm/{key}",
        "registrantKey": str(key),
    }


def registrant(i: int) -> dict[str, Any]:
    """One ``Registrant`` of a getRegistrants 200 body."""
    key = 8000000000000000000 + i
    return {
        "registrantKey": str(key),
        "email": f"person{i}@example.com",
        "givenName": f"Given{i}",
        "surname": f"Surname{i}",
        "status": _STATUSES[i % 3],
        "registrationDate": (
            f"2030-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}Z"
        ),
        "joinUrl": f"https://global.gototraining.com/join/training/{key}",
        "confirmationUrl": f"https://global.gototraining.com/confirm/{key}",
    }


def registrants(count: int) -> list[dict[str, Any]]:
    """A getRegistrants 200 body with ``count`` registrants."""
    return [registrant(i) for i in range(count)]


def dumps(data: Any) -> bytes:
    """Compact JSON bytes, as an API server sends them."""
    return json.dumps(data, separators=(",", ":")).encode()


def registrants_bytes(count: int) -> bytes:
    """The getRegistrants 200 body with ``count`` registrants, as bytes."""
    return dumps(registrants(count))
