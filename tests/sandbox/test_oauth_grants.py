"""The sandbox rehearses what GoTo's token endpoint does to long-lived logins: refresh-token
rotation, revoked grants, PKCE, and several organizers each with tokens of their own."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from gototraining.sandbox import Sandbox, SandboxError
from gototraining.sandbox.auth import OrganizerTokens


def _basic(sb: Sandbox) -> tuple[str, str]:
    return (sb.client_id, sb.client_secret)


def _refresh(sb: Sandbox, refresh_token: str) -> httpx.Response:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return httpx.post(sb.token_url, data=form, auth=_basic(sb))


def _trainings(sb: Sandbox, organizer_key: str, token: str) -> int:
    url = f"{sb.url}/organizers/{organizer_key}/trainings"
    return httpx.get(url, headers={"Authorization": f"Bearer {token}"}).status_code


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _code(sb: Sandbox, redirect_uri: str = "http://127.0.0.1:9/callback", **params: str) -> str:
    query = {"client_id": sb.client_id, "response_type": "code", "redirect_uri": redirect_uri}
    answer = httpx.get(sb.authorize_url, params={**query, **params})
    assert answer.status_code == 302, answer.text
    return parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]


def _exchange(sb: Sandbox, code: str, **extra: str) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "http://127.0.0.1:9/callback",
        **extra,
    }
    return httpx.post(sb.token_url, data=form, auth=_basic(sb))


def test_a_refresh_rotates_the_refresh_token(sb: Sandbox) -> None:
    first = _refresh(sb, sb.refresh_token)
    assert first.status_code == 200
    rotated = first.json()["refresh_token"]
    assert rotated != sb.refresh_token
    old = _refresh(sb, sb.refresh_token)  # the one used stops working
    assert old.status_code == 400 and old.json()["error"] == "invalid_grant"
    assert _refresh(sb, rotated).status_code == 200
    assert _trainings(sb, sb.organizer_key, first.json()["access_token"]) == 200


@pytest.mark.gototraining_sandbox(rotate_refresh_tokens=False)
def test_rotation_can_be_turned_off(sb: Sandbox) -> None:
    assert _refresh(sb, sb.refresh_token).json()["refresh_token"] == sb.refresh_token
    assert _refresh(sb, sb.refresh_token).status_code == 200


def test_a_revoked_grant_refuses_every_refresh(sb: Sandbox) -> None:
    rotated = _refresh(sb, sb.refresh_token).json()["refresh_token"]
    assert sb.revoke_refresh_token() == 1  # the main organizer's grant: its current token
    refused = _refresh(sb, rotated)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert _trainings(sb, sb.organizer_key, sb.token) == 200  # access tokens live on
    other = sb.organizers()[1]
    assert _refresh(sb, other.refresh_token).status_code == 200  # other grants are untouched
    with pytest.raises(SandboxError, match="no organizer"):
        sb.revoke_refresh_token(organizer_key="42")


def test_one_refresh_token_is_revoked_by_the_admin_endpoint(sb: Sandbox) -> None:
    admin = f"{sb.root_url}/_sandbox/revoke-refresh-tokens"
    answer = httpx.post(admin, json={"refresh_token": sb.refresh_token})
    assert answer.status_code == 200 and answer.json() == {"revoked": 1}
    assert _refresh(sb, sb.refresh_token).status_code == 400
    assert httpx.post(admin, json={"refresh_token": 7}).status_code == 400
    sb.reset()  # back to the seeded grants
    assert _refresh(sb, sb.refresh_token).status_code == 200


def test_every_organizer_has_tokens_of_its_own(
    sb: Sandbox, gototraining_organizers: list[OrganizerTokens]
) -> None:
    main, carl, cora = gototraining_organizers
    assert main.organizer_key == sb.organizer_key and main.access_token == sb.token
    assert [carl.organizer_key, cora.organizer_key] == sb.co_organizer_keys
    assert len({o.access_token for o in gototraining_organizers}) == 3
    assert _trainings(sb, carl.organizer_key, carl.access_token) == 200
    assert _trainings(sb, main.organizer_key, carl.access_token) == 403  # not Carl's
    refreshed = _refresh(sb, carl.refresh_token).json()
    assert refreshed["organizer_key"] == carl.organizer_key
    assert refreshed["principal"] == carl.email
    with sb.client(organizer_key=cora.organizer_key) as client:
        assert client.trainings.list() == []
    assert sb.tokens_for(cora.organizer_key) == cora
    with pytest.raises(SandboxError, match="no organizer"):
        sb.tokens_for("1")


def test_the_authorize_page_logs_in_the_organizer_named_by_login_hint(sb: Sandbox) -> None:
    carl = sb.organizers()[1]
    answer = _exchange(sb, _code(sb, login_hint=carl.email))
    assert answer.status_code == 200 and answer.json()["organizer_key"] == carl.organizer_key
    unknown = httpx.get(
        sb.authorize_url,
        params={
            "client_id": sb.client_id,
            "redirect_uri": "http://127.0.0.1:9/cb",
            "login_hint": "x",
        },
    )
    assert unknown.status_code == 400


def test_a_code_issued_for_a_pkce_challenge_needs_its_verifier(sb: Sandbox) -> None:
    verifier = secrets.token_urlsafe(48)
    pkce = {"code_challenge": _challenge(verifier), "code_challenge_method": "S256"}
    missing = _exchange(sb, _code(sb, **pkce))
    assert missing.status_code == 400 and "required" in missing.json()["error_description"]
    wrong = _exchange(sb, _code(sb, **pkce), code_verifier=secrets.token_urlsafe(48))
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    code = _code(sb, **pkce)
    assert _exchange(sb, code, code_verifier=verifier).status_code == 200
    assert _exchange(sb, code, code_verifier=verifier).status_code == 400  # used once


def test_a_verifier_for_a_code_without_a_challenge_is_refused(sb: Sandbox) -> None:
    """A code from a login without PKCE injected into one with PKCE (OAuth 2.1)."""
    injected = _exchange(sb, _code(sb), code_verifier=secrets.token_urlsafe(48))
    assert injected.status_code == 400 and injected.json()["error"] == "invalid_grant"
    assert _exchange(sb, _code(sb)).status_code == 200  # a plain login still works


def test_plain_challenges_and_other_redirect_uris_are_refused(sb: Sandbox) -> None:
    verifier = secrets.token_urlsafe(48)
    plain = httpx.get(
        sb.authorize_url,
        params={
            "client_id": sb.client_id,
            "redirect_uri": "http://127.0.0.1:9/callback",
            "code_challenge": verifier,
            "code_challenge_method": "plain",
        },
    )
    assert plain.status_code == 400 and "S256" in plain.json()["error_description"]
    code = _code(sb, redirect_uri="http://127.0.0.1:10/callback")
    elsewhere = _exchange(sb, code)  # exchanged for http://127.0.0.1:9/callback
    assert elsewhere.status_code == 400 and elsewhere.json()["error"] == "invalid_grant"
