"""Transport failures: typed, accurately worded (sent or not?), and never leaking a token.

Why: a token with a trailing newline makes httpx raise ``LocalProtocolError: Illegal
header value b'Bearer <token>\\n'``, and that text -- token included -- must never be copied into
an ``APIConnectionError``: such a token is refused before anything is sent.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from gototraining import (
    APIConnectionError,
    APITimeoutError,
    BearerToken,
    GoToTraining,
    OAuth2,
    TokenResponseError,
    TransportError,
    ValidationError,
)

from .conftest import Flavor

SECRET = "sbxat_SECRET-TOKEN-1234567890"
TOKEN_URL = "https://auth.example/oauth/token"


# -- tokens are checked before anything is sent ------------------------------------------------


@pytest.mark.parametrize("bad", [SECRET + "\n", " " + SECRET, SECRET[:5] + "\t" + SECRET[5:],
                                 SECRET + "\x00", SECRET + "é"])  # fmt: skip
def test_tokens_with_whitespace_or_control_characters_are_rejected(bad: str) -> None:
    cases: list[tuple[Any, str]] = [
        (lambda: GoToTraining(access_token=bad, organizer_key=1), "access_token"),
        (lambda: BearerToken(bad), "token"),
        (lambda: OAuth2("c", "s", bad), "refresh_token"),
        (lambda: OAuth2("c", "s", "rt-1", access_token=bad), "access_token"),
    ]
    for make, param in cases:
        with pytest.raises(ValidationError) as info:
            make()
        assert info.value.param == param
        assert SECRET not in str(info.value) and SECRET[:5] not in str(info.value)


@pytest.mark.parametrize("field", ["access_token", "refresh_token"])
def test_received_tokens_with_control_characters_are_a_token_response_error(
    flavor: Flavor, field: str
) -> None:
    tokens = {"access_token": "at-2", "refresh_token": "rt-2", field: SECRET + "\r\n"}
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            return httpx.Response(200, json={**tokens, "expires_in": 3600})
        seen.append(request.headers["authorization"])
        return httpx.Response(200, json=[])

    auth = OAuth2("c", "s", "rt-1", token_url=TOKEN_URL)
    flavor.client(handler, access_token=None, auth=auth, rate_limit=None)
    with pytest.raises(TokenResponseError, match=f"{field} received contains whitespace") as info:
        flavor.run(lambda c: c.trainings.list())
    assert SECRET not in str(info.value) and not seen  # nothing sent with the bad token
    assert auth.refresh_count == 0


def test_user_agent_is_checked() -> None:
    with pytest.raises(ValidationError) as info:
        GoToTraining(access_token="t", organizer_key=1, user_agent="me\r\nX-Evil: 1")
    assert info.value.param == "user_agent"


# -- transport errors: class, maybe_sent, wording, no secrets ----------------------------------

NOT_SENT = "the request was not sent"
MAYBE = "may have reached the API"


@pytest.mark.parametrize(
    ("exc", "cls", "maybe_sent", "words"),
    [
        (httpx.ConnectError(f"[Errno 111] refused {SECRET}"), APIConnectionError, False,
         "could not connect (ConnectError: [Errno 111] refused ***)"),
        (httpx.ConnectTimeout("t"), APITimeoutError, False, "timed out connecting"),
        (httpx.PoolTimeout("t"), APITimeoutError, False, "timed out waiting for a pooled"),
        (httpx.LocalProtocolError(f"Illegal header value b'Bearer {SECRET}\\n'"),
         APIConnectionError, False, "httpx refused to send an invalid request"),
        (httpx.ReadTimeout("t"), APITimeoutError, True, "timed out waiting for the response"),
        (httpx.WriteTimeout("t"), APITimeoutError, True, "timed out sending the request"),
        (httpx.ReadError("[Errno 104] Connection reset by peer"), APIConnectionError, True,
         "connection broke before the response was complete (ReadError: [Errno 104]"),
        (httpx.RemoteProtocolError(f"peer closed connection {SECRET}"), APIConnectionError,
         True, "connection broke before the response was complete (RemoteProtocolError)"),
        (httpx.WriteError("broken pipe"), APIConnectionError, True, "while sending the request"),
        (httpx.DecodingError("bad gzip"), TransportError, True, "response could not be read"),
    ],
)  # fmt: skip
def test_transport_errors_say_whether_the_request_may_have_been_sent(
    flavor: Flavor, exc: Exception, cls: type[TransportError], maybe_sent: bool, words: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    flavor.client(handler, access_token=SECRET, rate_limit=None, max_retries=0)
    with pytest.raises(TransportError) as info:
        flavor.run(lambda c: c.trainings.list())
    err = info.value
    message = str(err)
    assert type(err) is cls and err.maybe_sent is maybe_sent
    assert words in message
    assert (NOT_SENT if not maybe_sent else MAYBE) in message
    assert SECRET not in message and "connection failed" not in message
    assert err.__cause__ is exc


def test_token_with_newline_from_a_custom_auth_does_not_leak(gototraining_sandbox: Any) -> None:
    """End to end through h11: the header is refused locally, the message has no token."""
    sb = gototraining_sandbox

    class Sloppy(httpx.Auth):
        def auth_flow(self, request: httpx.Request) -> Any:
            request.headers["Authorization"] = f"Bearer {sb.token}\n"
            yield request

    client = GoToTraining(
        auth=Sloppy(), organizer_key=sb.organizer_key, base_url=sb.url, rate_limit=None
    )
    with client, pytest.raises(APIConnectionError) as info:
        client.trainings.list()
    assert isinstance(info.value.__cause__, httpx.LocalProtocolError)
    assert sb.token not in str(info.value) and sb.token in str(info.value.__cause__)
    assert info.value.maybe_sent is False and NOT_SENT in str(info.value)
