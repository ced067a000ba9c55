"""OAuth emulation: authorization code, refresh, expiry."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from gototraining.sandbox import Sandbox


def _basic(sb: Sandbox) -> tuple[str, str]:
    return (sb.client_id, sb.client_secret)


def test_refresh_flow_after_expiry(sb: Sandbox) -> None:
    org_path = f"{sb.url}/organizers/{sb.organizer_key}/trainings"
    sb.expire_tokens()
    assert httpx.get(org_path, headers={"Authorization": f"Bearer {sb.token}"}).status_code == 403
    r = httpx.post(
        sb.token_url,
        data={"grant_type": "refresh_token", "refresh_token": sb.refresh_token},
        auth=_basic(sb),
    )
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert set(body) >= {"access_token", "refresh_token", "scope", "principal"}
    # like older GoTo token responses: the organizer and account, as strings
    assert (body["organizer_key"], body["account_key"]) == (sb.organizer_key, sb.account_key)
    fresh = {"Authorization": f"Bearer {body['access_token']}"}
    assert httpx.get(org_path, headers=fresh).status_code == 200
    # Refreshed tokens coexist.
    again = httpx.post(
        sb.token_url,
        data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
        auth=_basic(sb),
    ).json()["access_token"]
    assert httpx.get(org_path, headers={"Authorization": f"Bearer {again}"}).status_code == 200
    assert httpx.get(org_path, headers=fresh).status_code == 200


def test_token_endpoint_errors(sb: Sandbox) -> None:
    form = {"grant_type": "refresh_token", "refresh_token": sb.refresh_token}
    assert httpx.post(sb.token_url, data=form).status_code == 401
    assert httpx.post(sb.token_url, data=form, auth=(sb.client_id, "wrong")).status_code == 401
    bad = httpx.post(sb.token_url, data={**form, "refresh_token": "x"}, auth=_basic(sb))
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"
    odd = httpx.post(sb.token_url, data={"grant_type": "password"}, auth=_basic(sb))
    assert odd.json()["error"] == "unsupported_grant_type"


def test_authorization_code_flow(sb: Sandbox) -> None:
    r = httpx.get(
        f"{sb.root_url}/oauth/authorize",
        params={
            "client_id": sb.client_id,
            "response_type": "code",
            "redirect_uri": "http://localhost:9999/callback",
            "state": "xyz",
        },
    )
    assert r.status_code == 302
    location = urlsplit(r.headers["location"])
    assert location.netloc == "localhost:9999" and location.path == "/callback"
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    form = {
        "grant_type": "authorization_code",
        "code": query["code"][0],
        "redirect_uri": "http://localhost:9999/callback",
    }
    token = httpx.post(sb.token_url, data=form, auth=_basic(sb))
    assert token.status_code == 200
    assert token.json()["organizer_key"] == sb.organizer_key
    assert token.json()["account_key"] == sb.account_key
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert httpx.get(
        f"{sb.url}/organizers/{sb.organizer_key}/trainings", headers=headers
    ).is_success
    # A code is single-use.
    assert httpx.post(sb.token_url, data=form, auth=_basic(sb)).status_code == 400


def test_reset_restores_original_token(sb: Sandbox) -> None:
    sb.expire_tokens()
    sb.reset()
    r = httpx.get(
        f"{sb.url}/organizers/{sb.organizer_key}/trainings",
        headers={"Authorization": f"Bearer {sb.token}"},
    )
    assert r.status_code == 200


def test_fixed_token() -> None:
    with Sandbox(token="my-token") as sb:
        assert sb.token == "my-token"
        r = httpx.get(
            f"{sb.url}/organizers/{sb.organizer_key}/trainings",
            headers={"Authorization": "Bearer my-token"},
        )
        assert r.status_code == 200


def _list_status(sb: Sandbox, token: str) -> tuple[int, object]:
    r = httpx.get(
        f"{sb.url}/organizers/{sb.organizer_key}/trainings",
        headers={"Authorization": f"Bearer {token}"},
    )
    return r.status_code, r.json()


def test_expired_token_status_401_switch_and_reset(sb: Sandbox) -> None:
    invalid = {"int_err_code": "InvalidToken", "msg": "Invalid token passed"}
    sb.set_expired_token_status(401)
    assert _list_status(sb, "not-a-token") == (401, invalid)
    old = sb.token
    sb.expire_tokens()
    assert _list_status(sb, old) == (401, invalid)
    sb.set_expired_token_status(403)
    assert _list_status(sb, old) == (403, invalid)
    sb.set_expired_token_status(401)
    sb.reset()  # back to the gateway's 403 (and a valid token)
    assert _list_status(sb, "not-a-token") == (403, invalid)
    assert _list_status(sb, sb.token)[0] == 200
    for bad in (400, 500, True, "401", None):
        with pytest.raises(ValueError, match="401 or 403"):
            sb.set_expired_token_status(bad)  # type: ignore[arg-type]
    assert not sb.take_violations()  # the 401 body is a documented ErrorResponse


def test_expired_token_status_admin_endpoint(sb: Sandbox) -> None:
    admin = f"{sb.root_url}/_sandbox/expired-token-status"
    assert httpx.post(admin, json={"status": 401}).status_code == 204
    assert _list_status(sb, "not-a-token")[0] == 401
    bad = httpx.post(admin, json={"status": 418})
    assert bad.status_code == 400 and "401 or 403" in bad.json()["error"]
    assert httpx.post(admin, json={"status": 403}).status_code == 204
    assert _list_status(sb, "not-a-token")[0] == 403


def test_expired_token_status_constructor_default() -> None:
    with Sandbox(expired_token_status=401) as sb:
        assert _list_status(sb, "not-a-token")[0] == 401
        sb.set_expired_token_status(403)
        sb.reset()  # reset restores the constructor's choice
        assert _list_status(sb, "not-a-token")[0] == 401
    with pytest.raises(ValueError):
        Sandbox(expired_token_status=402)
