"""``client.options`` never shows a credential: not the password in ``base_url``'s user info,
not the values of ``default_headers`` (an API key), in its repr or in the client's logs."""

from __future__ import annotations

import logging

import httpx
import pytest
from gototraining import GoToTraining

PASSWORD = "b4se-url-pa55word"
API_KEY = "header-api-key-0123456789"


def test_options_repr_masks_the_url_password_and_header_values(
    caplog: pytest.LogCaptureFixture,
) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=[]))
    with GoToTraining(
        access_token="the-access-token",
        organizer_key="1",
        base_url=f"https://proxy-user:{PASSWORD}@api.example.com/G2T/rest",
        default_headers={"X-Api-Key": API_KEY},
        http_client=httpx.Client(transport=transport),
    ) as client:
        shown = repr(client.options)
        assert PASSWORD not in shown and API_KEY not in shown
        assert "X-Api-Key" in shown and "api.example.com" in shown  # still says what is set
        assert client.options.default_headers["X-Api-Key"] == API_KEY  # the value is kept
        with caplog.at_level(logging.DEBUG, logger="gototraining"):
            client.trainings.list()
            client.with_options(timeout=5).trainings.list()
        for text in (shown, repr(client), caplog.text):
            assert PASSWORD not in text and API_KEY not in text
