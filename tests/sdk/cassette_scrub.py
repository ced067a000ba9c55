"""The suite scrubs its cassettes with the public helper (``gototraining.testing``)."""

from gototraining.testing import (
    FAKE_FILES_URL,
    LIVE_BASE_URL,
    LIVE_TOKEN_URL,
    REDACTED,
    Scrubber,
)

__all__ = ["FAKE_FILES_URL", "LIVE_BASE_URL", "LIVE_TOKEN_URL", "REDACTED", "Scrubber"]
