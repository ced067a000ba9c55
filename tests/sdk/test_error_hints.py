"""A refused token says what to do about it, and what depends on the client's ``auth``."""

from __future__ import annotations

import httpx
import pytest
from gototraining import AuthenticationError, OAuth2, PermissionDeniedError

from .conftest import Flavor

INVALID = {"int_err_code": "InvalidToken", "msg": "Invalid token passed"}


def _api_refusing_every_token(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/oauth/token"):
        return httpx.Response(
            200, json={"access_token": "fresh-token-1", "expires_in": 3600, "token_type": "Bearer"}
        )
    return httpx.Response(403, json=INVALID)


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_static_token_suggests_a_new_one_or_oauth2(flavor: Flavor, status: int) -> None:
    flavor.client(lambda request: httpx.Response(status, json=INVALID), rate_limit=None)
    with pytest.raises(AuthenticationError) as caught:
        flavor.run(lambda c: c.trainings.list())
    message = str(caught.value)
    assert message.startswith(f"{status} InvalidToken: Invalid token passed (GET ")
    assert "expire after 60 minutes" in message
    assert "`gototraining login`" in message and "auth=OAuth2(...)" in message
    assert "test-token" not in message


def test_a_token_refused_after_a_refresh_suggests_signing_in_again(flavor: Flavor) -> None:
    auth = OAuth2(
        "client", "secret", "refresh-token-1", token_url="https://auth.example/oauth/token"
    )
    flavor.client(_api_refusing_every_token, access_token=None, auth=auth, rate_limit=None)
    with pytest.raises(AuthenticationError) as caught:
        flavor.run(lambda c: c.trainings.list())
    message = str(caught.value)
    assert "refused the token even after refreshing it" in message
    assert "`gototraining login`" in message and "auth=OAuth2" not in message
    assert "fresh-token-1" not in message and "refresh-token-1" not in message


def test_other_refusals_carry_no_token_hint(flavor: Flavor) -> None:
    forbidden = {"errorCode": "Forbidden", "description": "Not your training"}
    flavor.client(lambda request: httpx.Response(403, json=forbidden), rate_limit=None)
    with pytest.raises(PermissionDeniedError) as caught:
        flavor.run(lambda c: c.trainings.list())
    assert "gototraining login" not in str(caught.value)
