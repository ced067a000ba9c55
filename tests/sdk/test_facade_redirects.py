"""Only 2xx is success: a 3xx -- an ``http://`` base URL redirected to https, a proxy
login page -- must not pass for the success of cancel/update operations. It raises
``UnexpectedRedirectError`` (not retried), except for the one operation whose documented success
is a redirect (getRecordingDownloadById's 302)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from gototraining import APIError, RegistrationSettings, UnexpectedRedirectError

from .conftest import Flavor

NO_CONTENT_OPS: dict[str, Callable[[Any], Any]] = {
    "trainings.cancel": lambda c: c.trainings.cancel(2),
    "trainings.update_name_description": lambda c: c.trainings.update_name_description(
        2, name="New"
    ),
    "trainings.set_organizers": lambda c: c.trainings.set_organizers(2, [3], notify=False),
    "trainings.update_registration_settings": lambda c: c.trainings.update_registration_settings(
        2, RegistrationSettings()
    ),
    "registrants.cancel": lambda c: c.registrants.cancel(2, 3),
}
LOCATION = "https://proxy.example/login?next=%2Fsecret&session=abc123#frag"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308, 399])
@pytest.mark.parametrize("op", NO_CONTENT_OPS.values(), ids=NO_CONTENT_OPS.keys())
def test_redirect_is_not_success(flavor: Flavor, op: Callable[[Any], Any], status: int) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, headers={"Location": LOCATION}, text="<html>login</html>")

    flavor.client(handler, rate_limit=None)
    with pytest.raises(UnexpectedRedirectError) as info:
        flavor.run(op)
    err = info.value
    assert isinstance(err, APIError) and err.status == status and len(seen) == 1  # not retried
    assert err.location == "https://proxy.example/login"
    assert "unexpected redirect to https://proxy.example/login " in str(err)
    assert "session" not in str(err) and "abc123" not in str(err)


def test_redirect_of_a_json_operation_without_location(flavor: Flavor) -> None:
    flavor.client(lambda request: httpx.Response(301), rate_limit=None)
    with pytest.raises(UnexpectedRedirectError, match="unknown location") as info:
        flavor.run(lambda c: c.trainings.get(2))
    assert info.value.location is None


def test_relative_location_is_resolved(flavor: Flavor) -> None:
    flavor.client(
        lambda request: httpx.Response(308, headers={"Location": "/G2T/rest/x?a=1"}),
        base_url="http://api.example/G2T/rest",
        allow_insecure_http=True,  # a plain-http API behind a proxy, say
        rate_limit=None,
    )
    with pytest.raises(UnexpectedRedirectError) as info:
        flavor.run(lambda c: c.trainings.list())
    assert info.value.location == "http://api.example/G2T/rest/x"


def test_the_documented_302_is_still_the_result(flavor: Flavor) -> None:
    file_url = "https://cdn.example/rec.mp4?sig=1"
    flavor.client(
        lambda request: httpx.Response(302, headers={"Location": file_url}), rate_limit=None
    )
    assert flavor.run(lambda c: c.recordings.download_url(2, 3)) == file_url


def test_1xx_like_statuses_are_not_success(flavor: Flavor) -> None:
    flavor.client(lambda request: httpx.Response(199), rate_limit=None)
    with pytest.raises(APIError) as info:
        flavor.run(lambda c: c.trainings.cancel(2))
    assert info.value.status == 199
