"""``exchange_authorization_code``: the login's token request; its answer goes through the same
parser (``_tokens.parse_token_response``) as ``OAuth2``'s refreshes."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from gototraining import (
    APIConnectionError,
    AuthenticationError,
    OAuth2,
    OAuth2Token,
    TokenResponseError,
    ValidationError,
    exchange_authorization_code,
)

TOKEN_URL = "https://auth.example/oauth/token"
CODE = "the-authorization-code-123"
SECRET = "the-client-secret-456"
GOOD = {
    "access_token": "at-new",
    "refresh_token": "rt-new",
    "expires_in": 3600,
    "scope": "collab:",
    "organizer_key": 1000000000000000001,
    "token_type": "Bearer",
}


def _client(answer: Callable[[httpx.Request], httpx.Response]) -> tuple[httpx.Client, list[Any]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(request)

    return httpx.Client(transport=httpx.MockTransport(handler)), seen


def _exchange(http_client: httpx.Client) -> OAuth2Token:
    return exchange_authorization_code(
        CODE,
        client_id="my-client",
        client_secret=SECRET,
        redirect_uri="http://127.0.0.1:5000/callback",
        token_url=TOKEN_URL,
        http_client=http_client,
    )


def test_exchange_sends_the_grant_and_parses_the_token_set() -> None:
    http_client, seen = _client(lambda r: httpx.Response(200, json=GOOD))
    before = time.time()
    token = _exchange(http_client)
    (request,) = seen
    assert request.method == "POST" and str(request.url) == TOKEN_URL
    basic = base64.b64encode(f"my-client:{SECRET}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {basic}"
    assert parse_qs(request.content.decode()) == {
        "grant_type": ["authorization_code"],
        "code": [CODE],
        "redirect_uri": ["http://127.0.0.1:5000/callback"],
    }
    assert (token.access_token, token.refresh_token) == ("at-new", "rt-new")
    assert token.scope == "collab:" and token.organizer_key == "1000000000000000001"
    assert token.expires_at is not None and before + 3600 <= token.expires_at <= time.time() + 3600
    assert "at-new" not in repr(token) and "rt-new" not in repr(token)


def test_refusal_is_an_authentication_error_without_secrets() -> None:
    echo = {"error": "invalid_grant", "error_description": f"bad code {CODE} for {SECRET}"}
    http_client, _ = _client(lambda r: httpx.Response(400, json=echo))
    with pytest.raises(AuthenticationError) as info:
        _exchange(http_client)
    err = info.value
    assert err.status == 400 and err.error_code == "invalid_grant" and err.body is None
    assert str(err).startswith("400 invalid_grant: authorization code exchange failed: bad code")
    assert CODE not in str(err) and SECRET not in str(err)


# The one parser: every malformed answer is refused alike by the exchange and by a refresh.
MALFORMED = {
    "not json": httpx.Response(200, text="<html>"),
    "no access_token": httpx.Response(200, json={"refresh_token": "rt"}),
    "empty access_token": httpx.Response(200, json={"access_token": "", "refresh_token": "rt"}),
    "a list": httpx.Response(200, json=["access_token"]),
}


@pytest.mark.parametrize("answer", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_answers_are_refused_by_exchange_and_refresh_alike(
    answer: httpx.Response,
) -> None:
    http_client, _ = _client(lambda r: answer)
    with pytest.raises(TokenResponseError, match="code exchange failed: the token response"):
        _exchange(http_client)
    auth = OAuth2("my-client", SECRET, "rt-1", token_url=TOKEN_URL)
    with pytest.raises(TokenResponseError, match="token refresh failed: the token response"):
        auth._keeper.parse(answer)


def test_a_token_set_without_refresh_token_is_refused() -> None:
    http_client, _ = _client(lambda r: httpx.Response(200, json={"access_token": "at"}))
    with pytest.raises(TokenResponseError, match="no refresh_token"):
        _exchange(http_client)


def test_no_response_is_a_transport_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    http_client, _ = _client(refuse)
    with pytest.raises(APIConnectionError) as info:
        _exchange(http_client)
    assert info.value.url == TOKEN_URL


def test_arguments_are_checked_before_sending() -> None:
    http_client, seen = _client(lambda r: httpx.Response(200, json=GOOD))
    with pytest.raises(ValidationError, match="^code: "):
        exchange_authorization_code(
            "", client_id="c", client_secret="s", redirect_uri="r", http_client=http_client
        )
    assert seen == []
