"""Access tokens and a minimal OAuth 2.0 authorization server (code and refresh grants).

Every token belongs to the sandbox's main organizer. Several access tokens may be valid
at once (each refresh adds one); ``Auth.expire_all`` invalidates them all, after
which API calls get the gateway's 403 ``InvalidToken`` until the client refreshes (or 401
``InvalidToken`` with ``expired_token_status=401``, to exercise a client's 401 path).
"""

from __future__ import annotations

import base64
import binascii
import random
import threading
from typing import Any

from .store import ApiError

TOKEN_LIFETIME = 3600
SCOPE = "collab:"
#: What an invalid or expired access token gets: 403 like GoTo's gateway, or 401.
EXPIRED_TOKEN_STATUSES = (401, 403)


def check_expired_token_status(status: object) -> int:
    """``status`` if it is one of ``EXPIRED_TOKEN_STATUSES``, else ``ValueError``."""
    for allowed in EXPIRED_TOKEN_STATUSES:
        if type(status) is int and status == allowed:
            return allowed
    raise ValueError(f"expired_token_status must be 401 or 403, not {status!r}")


class OAuthError(Exception):
    """An OAuth endpoint error: HTTP status plus RFC 6749 ``error`` code."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


class Auth:
    """Token registry for one sandbox (thread-safe)."""

    def __init__(
        self,
        seed: int,
        organizer_key: str,
        principal: str,
        token: str | None = None,
        *,
        expired_token_status: int = 403,
        account_key: str | None = None,
    ) -> None:
        self.seed = seed
        self.organizer_key = organizer_key
        self.account_key = account_key
        self.principal = principal
        self._fixed_token = token
        self.default_expired_token_status = check_expired_token_status(expired_token_status)
        self._lock = threading.Lock()
        rng = random.Random(f"auth/{seed}")
        self.client_id = f"sandbox-client-{rng.getrandbits(32):08x}"
        self.client_secret = f"sandbox-secret-{rng.getrandbits(64):016x}"
        self.reset()

    def reset(self) -> None:
        """Back to one valid access token (``token``) and one refresh token, and the
        constructor's status for invalid tokens."""
        with self._lock:
            self.expired_token_status = self.default_expired_token_status
            self._rng = random.Random(f"tokens/{self.seed}")
            self.token = self._fixed_token or self._new("at")
            self.refresh_token = self._new("rt")
            self._access: set[str] = {self.token}
            self._refresh: set[str] = {self.refresh_token}
            self._codes: set[str] = set()

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
        if value not in self._access:
            raise ApiError(
                self.expired_token_status, "InvalidToken", "Invalid token passed", gateway=True
            )
        return self.organizer_key

    def expire_all(self) -> None:
        """Invalidate every access token issued so far (refresh tokens stay valid)."""
        with self._lock:
            self._access.clear()

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

    def issue_code(self, client_id: str | None) -> str:
        """An authorization code for ``token`` (any redirect URI is accepted)."""
        if client_id is not None and client_id != self.client_id:
            raise OAuthError(400, "invalid_client", "Unknown client_id")
        with self._lock:
            code = self._new("code")
            self._codes.add(code)
        return code

    def grant(self, form: dict[str, str]) -> dict[str, Any]:
        """Handle a token request (client already authenticated)."""
        grant = form.get("grant_type")
        with self._lock:
            if grant == "refresh_token":
                refresh = form.get("refresh_token", "")
                if refresh not in self._refresh:
                    raise OAuthError(400, "invalid_grant", "Invalid refresh token")
            elif grant == "authorization_code":
                code = form.get("code", "")
                if code not in self._codes:
                    raise OAuthError(400, "invalid_grant", "Invalid or used authorization code")
                self._codes.discard(code)
                refresh = self._new("rt")
                self._refresh.add(refresh)
            else:
                raise OAuthError(400, "unsupported_grant_type", f"Unsupported grant_type {grant!r}")
            access = self._new("at")
            self._access.add(access)
        return {
            "access_token": access,
            "token_type": "Bearer",
            "refresh_token": refresh,
            "expires_in": TOKEN_LIFETIME,
            "scope": SCOPE,
            "principal": self.principal,
            # Older GoTo token responses also named the organizer and account (as strings);
            # clients such as the CLI's login take the organizer key from here.
            "organizer_key": self.organizer_key,
            **({"account_key": self.account_key} if self.account_key else {}),
        }
