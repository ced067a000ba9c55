"""A password in ``base_url`` / ``token_url`` (``https://user:s3cret@proxy...``) never shows up in
reprs, exception messages or logs."""

from __future__ import annotations

import logging

import httpx
import pytest
from gototraining import (
    APIConnectionError,
    AsyncGoToTraining,
    GoToTraining,
    NotFoundError,
    OAuth2,
    TokenResponseError,
    ValidationError,
)

from .conftest import Flavor

PASSWORD = "s3cret-Pa55word"
BASE = f"https://user:{PASSWORD}@proxy.example/G2T/rest"
TOKEN_URL = f"https://client:{PASSWORD}@auth.example/oauth/token"


@pytest.mark.parametrize("cls", [GoToTraining, AsyncGoToTraining])
def test_repr_masks_the_password(cls: type) -> None:
    client = cls(access_token="t", organizer_key=1, base_url=BASE)
    assert PASSWORD not in repr(client)
    assert "base_url='https://proxy.example/G2T/rest'" in repr(client)
    assert client.base_url == BASE  # the configured value itself is unchanged


@pytest.mark.parametrize(
    "bad", [f"ftp://user:{PASSWORD}@x/rest", f"https://user:{PASSWORD}@x/rest?q=1",
            f"https://user:{PASSWORD}@[::1/rest"],
)  # fmt: skip
def test_base_url_errors_mask_the_password(bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        GoToTraining(access_token="t", organizer_key=1, base_url=bad)
    assert info.value.param == "base_url" and PASSWORD not in str(info.value)


def test_oauth_repr_and_errors_mask_the_password(flavor: Flavor) -> None:
    auth = OAuth2("c", "s", "rt-1", token_url=TOKEN_URL)
    assert PASSWORD not in repr(auth) and "auth.example/oauth/token" in repr(auth)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "auth.example":
            return httpx.Response(200, json={"access_token": "bad token"})
        return httpx.Response(200, json=[])

    flavor.client(handler, access_token=None, auth=auth, rate_limit=None)
    with pytest.raises(TokenResponseError) as info:
        flavor.run(lambda c: c.trainings.list())
    assert PASSWORD not in str(info.value) and PASSWORD not in info.value.url


def test_request_errors_and_logs_mask_the_password(
    flavor: Flavor, caplog: pytest.LogCaptureFixture
) -> None:
    steps: list[Exception | httpx.Response] = [
        httpx.ConnectError("refused"),
        httpx.Response(404, json={"description": "gone"}),
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        step = steps.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    flavor.client(handler, base_url=BASE, rate_limit=None, max_retries=0)
    with caplog.at_level(logging.DEBUG, logger="gototraining"):
        with pytest.raises(APIConnectionError) as conn:
            flavor.run(lambda c: c.trainings.list())
        with pytest.raises(NotFoundError) as missing:
            flavor.run(lambda c: c.trainings.get(2))
    for err in (conn.value, missing.value):
        assert PASSWORD not in str(err) and "https://proxy.example/G2T/rest/" in str(err)
    assert PASSWORD not in caplog.text
