"""Access tokens and a minimal OAuth 2.0 authorization server (code and refresh grants).

Every organizer of the sandbox account has tokens of its own: an access token acts for the
organizer it was issued to (another organizer's key gets 403). After ``Auth.reset`` each
organizer holds one access token and one refresh token (the main organizer's are
``Auth.token`` and ``Auth.refresh_token``).

Like GoTo's token endpoint, a refresh *rotates* the refresh token (``rotate_refresh_tokens``,
default on): the answer carries a new one and the one used stops working, so a client that
keeps using an old one gets ``400 invalid_grant``. ``Auth.revoke_refresh_tokens`` revokes
a grant the way a user does in GoTo's account settings. Several access tokens may be valid at
once (each refresh adds one); ``Auth.expire_all`` invalidates them, after which API calls
get the gateway's 403 ``InvalidToken`` until the client refreshes (or 401 ``InvalidToken``
with ``expired_token_status=401``, to exercise a client's 401 path).

The authorization-code grant checks PKCE (RFC 7636): a code issued for a ``code_challenge``
(``S256``) is exchanged only with the matching ``code_verifier``, and a ``code_verifier`` sent
for a code issued without a challenge is refused too (OAuth 2.1's defence against a code
injected into someone else's login). A code is used once, by the client and for the
``redirect_uri`` it was issued for.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import random
import re
import threading
from collections.abc import Sequence
from typing import Any, NamedTuple

from .store import ApiError

TOKEN_LIFETIME = 3600
SCOPE = "collab:"
#: What an invalid or expired access token gets: 403 like GoTo's gateway, or 401.
EXPIRED_TOKEN_STATUSES = (401, 403)
#: RFC 7636 section 4.1: 43 to 128 unreserved characters.
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def check_expired_token_status(status: object) -> int:
    """``status`` if it is one of ``EXPIRED_TOKEN_STATUSES``, else ``ValueError``."""
    for allowed in EXPIRED_TOKEN_STATUSES:
        if type(status) is int and status == allowed:
            return allowed
    raise ValueError(f"expired_token_status must be 401 or 403, not {status!r}")


def s256(verifier: str) -> str:
    """The PKCE ``S256`` challenge of ``verifier``: BASE64URL(SHA256(verifier)), unpadded."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OAuthError(Exception):
    """An OAuth endpoint error: HTTP status plus RFC 6749 ``error`` code."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


class OrganizerTokens(NamedTuple):
    """An organizer of the sandbox account and the tokens issued to it at the last reset."""

    organizer_key: str
    email: str
    access_token: str
    refresh_token: str


class _Code(NamedTuple):
    organizer_key: str
    redirect_uri: str
    challenge: str | None


class Auth:
    """Token registry for one sandbox (thread-safe).

    ``organizers``: ``(organizer_key, email)`` of every organizer, the main one first.
    """

    def __init__(
        self,
        seed: int,
        organizers: Sequence[tuple[str, str]],
        token: str | None = None,
        *,
        expired_token_status: int = 403,
        account_key: str | None = None,
        rotate_refresh_tokens: bool = True,
    ) -> None:
        if not organizers:
            raise ValueError("the sandbox needs at least one organizer")
        self.seed = seed
        self.emails = dict(organizers)
        self.organizer_key = organizers[0][0]
        self.account_key = account_key
        self.rotate_refresh_tokens = rotate_refresh_tokens
        self._fixed_token = token
        self.default_expired_token_status = check_expired_token_status(expired_token_status)
        self._lock = threading.Lock()
        rng = random.Random(f"auth/{seed}")
        self.client_id = f"sandbox-client-{rng.getrandbits(32):08x}"
        self.client_secret = f"sandbox-secret-{rng.getrandbits(64):016x}"
        self.reset()

    @property
    def principal(self) -> str:
        """The main organizer's email (the ``principal`` of its token answers)."""
        return self.emails[self.organizer_key]

    def reset(self) -> None:
        """Back to one access token and one refresh token per organizer (the main one's:
        ``token``, ``refresh_token``), and the constructor's status for invalid
        tokens."""
        with self._lock:
            self.expired_token_status = self.default_expired_token_status
            self._rng = random.Random(f"tokens/{self.seed}")
            #: token -> the organizer it acts for
            self._access: dict[str, str] = {}
            self._refresh: dict[str, str] = {}
            self._codes: dict[str, _Code] = {}
            self.issued: dict[str, OrganizerTokens] = {}
            for organizer_key, email in self.emails.items():
                main = organizer_key == self.organizer_key
                access = (self._fixed_token if main else None) or self._new("at")
                refresh = self._new("rt")
                self._access[access] = self._refresh[refresh] = organizer_key
                self.issued[organizer_key] = OrganizerTokens(organizer_key, email, access, refresh)
            first = self.issued[self.organizer_key]
            self.token, self.refresh_token = first.access_token, first.refresh_token

    def _new(self, kind: str) -> str:
        return f"sbx{kind}_{self._rng.getrandbits(128):032x}"

    # --- API side --------------------------------------------------------------------
    def caller(self, authorization: str | None) -> str:
        """The organizer key for an ``Authorization`` header, or raise 401/403 like the gateway."""
        if not authorization:
            raise ApiError(401, "MissingToken", "No access token was passed", gateway=True)
        scheme, _, value = authorization.strip().partition(" ")
        value = value.strip()
        if scheme.lower() == "oauth" and value.startswith("oauth_token="):
            value = value[len("oauth_token=") :]  # legacy Citrix-era header
        elif scheme.lower() != "bearer":
            raise ApiError(
                401, "MissingToken", "Expected 'Authorization: Bearer <token>'", gateway=True
            )
        organizer_key = self._access.get(value)
        if organizer_key is None:
            raise ApiError(
                self.expired_token_status, "InvalidToken", "Invalid token passed", gateway=True
            )
        return organizer_key

    def expire_all(self) -> None:
        """Invalidate every access token issued so far (refresh tokens stay valid)."""
        with self._lock:
            self._access.clear()

    def revoke_refresh_tokens(
        self, refresh_token: str | None = None, *, organizer_key: str | None = None
    ) -> int:
        """Revoke ``refresh_token``, or every refresh token of ``organizer_key`` (default: the
        main organizer): a later refresh with one gets ``400 invalid_grant``. Access tokens
        stay valid until they expire, as with GoTo. Returns how many were revoked."""
        with self._lock:
            if refresh_token is not None:
                return 1 if self._refresh.pop(refresh_token, None) is not None else 0
            owner = organizer_key or self.organizer_key
            if owner not in self.emails:
                raise ValueError(f"no organizer {owner!r} in this sandbox")
            revoked = [token for token, key in self._refresh.items() if key == owner]
            for token in revoked:
                del self._refresh[token]
            return len(revoked)

    # --- OAuth side ------------------------------------------------------------------
    def check_client(self, authorization: str | None) -> None:
        """HTTP Basic client authentication, else 401 invalid_client."""
        scheme, _, value = (authorization or "").partition(" ")
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        if scheme.lower() != "basic" or decoded != f"{self.client_id}:{self.client_secret}":
            raise OAuthError(401, "invalid_client", "Client authentication failed")

    def issue_code(
        self,
        client_id: str | None,
        redirect_uri: str = "",
        *,
        login_hint: str | None = None,
        code_challenge: str | None = None,
        code_challenge_method: str | None = None,
    ) -> str:
        """An authorization code for ``grant``: for the organizer ``login_hint`` names
        (its key or email; default the main organizer), bound to ``redirect_uri`` and, with
        PKCE, to ``code_challenge`` (method ``S256``)."""
        if client_id is not None and client_id != self.client_id:
            raise OAuthError(400, "invalid_client", "Unknown client_id")
        organizer_key = self._organizer(login_hint)
        if code_challenge is None:
            if code_challenge_method is not None:
                raise OAuthError(
                    400, "invalid_request", "code_challenge_method without a challenge"
                )
        elif code_challenge_method != "S256":
            raise OAuthError(
                400, "invalid_request", "code_challenge_method must be S256 (plain is refused)"
            )
        elif not re.fullmatch(r"[A-Za-z0-9\-_]{43}", code_challenge):
            raise OAuthError(400, "invalid_request", "code_challenge is not an S256 challenge")
        with self._lock:
            code = self._new("code")
            self._codes[code] = _Code(organizer_key, redirect_uri, code_challenge)
        return code

    def _organizer(self, login_hint: str | None) -> str:
        if not login_hint:
            return self.organizer_key
        for key, email in self.emails.items():
            if login_hint in (key, email):
                return key
        raise OAuthError(400, "invalid_request", f"no organizer {login_hint!r} in this sandbox")

    def grant(self, form: dict[str, str]) -> dict[str, Any]:
        """Handle a token request (client already authenticated)."""
        grant = form.get("grant_type")
        with self._lock:
            if grant == "refresh_token":
                refresh = form.get("refresh_token", "")
                organizer_key = self._refresh.get(refresh)
                if organizer_key is None:
                    raise OAuthError(400, "invalid_grant", "Invalid refresh token")
                if self.rotate_refresh_tokens:
                    del self._refresh[refresh]
                    refresh = self._new("rt")
                    self._refresh[refresh] = organizer_key
            elif grant == "authorization_code":
                code = self._codes.pop(form.get("code", ""), None)  # used once, whatever follows
                if code is None:
                    raise OAuthError(400, "invalid_grant", "Invalid or used authorization code")
                if code.redirect_uri and form.get("redirect_uri") != code.redirect_uri:
                    raise OAuthError(400, "invalid_grant", "redirect_uri does not match")
                self._check_pkce(code, form.get("code_verifier"))
                organizer_key = code.organizer_key
                refresh = self._new("rt")
                self._refresh[refresh] = organizer_key
            else:
                raise OAuthError(400, "unsupported_grant_type", f"Unsupported grant_type {grant!r}")
            access = self._new("at")
            self._access[access] = organizer_key
        return {
            "access_token": access,
            "token_type": "Bearer",
            "refresh_token": refresh,
            "expires_in": TOKEN_LIFETIME,
            "scope": SCOPE,
            "principal": self.emails[organizer_key],
            # Older GoTo token responses also named the organizer and account (as strings);
            # clients such as the CLI's login take the organizer key from here.
            "organizer_key": organizer_key,
            **({"account_key": self.account_key} if self.account_key else {}),
        }

    @staticmethod
    def _check_pkce(code: _Code, verifier: str | None) -> None:
        if code.challenge is None:
            if verifier is not None:
                # A code from a login without PKCE, exchanged by one with: injected.
                raise OAuthError(400, "invalid_grant", "code_verifier for a code without PKCE")
            return
        if verifier is None:
            raise OAuthError(400, "invalid_grant", "code_verifier is required (PKCE)")
        if not _VERIFIER.fullmatch(verifier) or s256(verifier) != code.challenge:
            raise OAuthError(400, "invalid_grant", "PKCE verification failed")
