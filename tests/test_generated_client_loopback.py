"""One generated operation against a real loopback HTTP server (a socket, not a mock transport)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from gototraining_api import AuthenticatedClient
from gototraining_api.api.trainings import get_training
from gototraining_api.models import RegistrantStatus, Training

TRAINING = {
    "trainingKey": "8178251407424893697",
    "trainingId": "123456789",
    "name": "Onboarding",
    "description": "Day one",
    "timeZone": "Europe/Berlin",
    "times": [{"startDate": "2026-12-01T09:00:00Z", "endDate": "2026-12-01T11:00:00Z"}],
    "organizers": [
        {
            "organizerKey": "7001234567890123456",
            "email": "ada@example.com",
            "givenName": "Ada",
            "surname": "Lovelace",
        }
    ],
    "registrationSettings": {"disableConfirmationEmail": False, "disableWebRegistration": True},
}


class _Handler(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str, str | None]]] = []

    def do_GET(self) -> None:
        _Handler.seen.append((self.command, self.path, self.headers.get("Authorization")))
        body = json.dumps(TRAINING).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/G2T/rest"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_get_training_over_a_real_socket(server: str) -> None:
    _Handler.seen.clear()
    client = AuthenticatedClient(base_url=server, token="t0ken")
    with client:
        response = get_training.sync_detailed(
            organizer_key=7001234567890123456, training_key=8178251407424893697, client=client
        )
    assert response.status_code == 200
    training = response.parsed
    assert isinstance(training, Training)
    assert training.training_key == "8178251407424893697"
    assert training.times[0].start_date.isoformat() == "2026-12-01T09:00:00+00:00"
    assert training.organizers[0].given_name == "Ada"
    assert training.registration_settings.disable_web_registration is True
    assert _Handler.seen == [
        (
            "GET",
            "/G2T/rest/organizers/7001234567890123456/trainings/8178251407424893697",
            "Bearer t0ken",
        )
    ]
    # The status enum exists with the reference's values.
    assert {s.value for s in RegistrantStatus} == {"WAITING", "APPROVED", "DENIED"}
