"""PKCE (RFC 7636, S256) in the library's login: ``authorization_url`` makes (or takes) the
verifier and puts only its challenge in the URL; both code exchanges send the verifier; the
sandbox checks it, so a code from someone else's login is refused."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from gototraining import (
    AuthenticationError,
    OAuth2Token,
    ValidationError,
    async_exchange_authorization_code,
    authorization_url,
    exchange_authorization_code,
)
from gototraining.sandbox import Sandbox

REDIRECT = "http://127.0.0.1:9/callback"


def _query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def _code_for(sb: Sandbox, url: str, **extra: str) -> str:
    """What the authorize page sends the browser back with."""
    answer = httpx.get(httpx.URL(url).copy_merge_params(extra))
    assert answer.status_code == 302, answer.text
    return _query(answer.headers["location"])["code"]


def _exchange(sb: Sandbox, flavor: str, code: str, verifier: str | None) -> OAuth2Token:
    arguments = {
        "client_id": sb.client_id,
        "client_secret": sb.client_secret,
        "redirect_uri": REDIRECT,
        "token_url": sb.token_url,
        "code_verifier": verifier,
    }
    if flavor == "sync":
        return exchange_authorization_code(code, **arguments)  # type: ignore[arg-type]
    return asyncio.run(async_exchange_authorization_code(code, **arguments))  # type: ignore[arg-type]


def test_the_url_carries_the_s256_challenge_of_the_verifier_never_the_verifier() -> None:
    login = authorization_url("my-client", REDIRECT)
    query = _query(login.url)
    verifier = login.code_verifier
    assert 43 <= len(verifier) <= 128
    digest = hashlib.sha256(verifier.encode()).digest()
    assert query["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert query["code_challenge_method"] == "S256"
    assert verifier not in login.url and login.state == query["state"]
    again = authorization_url("my-client", REDIRECT)
    assert again.code_verifier != verifier  # fresh for every login
    url, state, code_verifier = login  # a named tuple of three
    assert (url, state, code_verifier) == (login.url, login.state, verifier)


def test_a_verifier_of_ones_own_is_used_and_checked() -> None:
    mine = "v" * 43
    assert authorization_url("c", REDIRECT, code_verifier=mine).code_verifier == mine
    for bad in ("short", "x" * 129, "has space" + "x" * 40, "é" * 43):
        with pytest.raises(ValidationError, match="code_verifier"):
            authorization_url("c", REDIRECT, code_verifier=bad)


@pytest.mark.parametrize("flavor", ["sync", "async"])
def test_both_exchanges_send_the_verifier_and_the_sandbox_checks_it(
    sb: Sandbox, flavor: str
) -> None:
    login = authorization_url(sb.client_id, REDIRECT, authorize_url=sb.authorize_url)
    token = _exchange(sb, flavor, _code_for(sb, login.url), login.code_verifier)
    assert token.organizer_key == sb.organizer_key
    other = authorization_url(sb.client_id, REDIRECT, authorize_url=sb.authorize_url)
    with pytest.raises(AuthenticationError, match="invalid_grant"):  # not this login's code
        _exchange(sb, flavor, _code_for(sb, other.url), login.code_verifier)


@pytest.mark.parametrize("flavor", ["sync", "async"])
def test_a_code_injected_from_someone_elses_login_is_refused(sb: Sandbox, flavor: str) -> None:
    """The attacker logs in as Carl without PKCE and injects the code into our login."""
    carl = sb.organizers()[1]
    plain = f"{sb.authorize_url}?client_id={sb.client_id}&redirect_uri={REDIRECT}"
    injected = _code_for(sb, plain, login_hint=carl.email)
    ours = authorization_url(sb.client_id, REDIRECT, authorize_url=sb.authorize_url)
    with pytest.raises(AuthenticationError, match="invalid_grant"):
        _exchange(sb, flavor, injected, ours.code_verifier)


@pytest.fixture
def sb(gototraining_sandbox: Sandbox) -> Sandbox:
    return gototraining_sandbox
