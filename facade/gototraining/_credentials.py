"""The credentials chain: where a client's credentials come from when none are passed.

In this order, the first that is there wins:

1. the arguments: ``auth=`` or ``access_token=``;
2. ``GOTO_ACCESS_TOKEN``: a static bearer token;
3. ``GOTO_REFRESH_TOKEN`` with ``GOTO_CLIENT_ID`` and ``GOTO_CLIENT_SECRET`` (and
   ``GOTO_TOKEN_URL``, default GoTo's): an ``OAuth2`` that refreshes the access token;
4. the token store ``gototraining login`` writes (``gototraining.token_store``): an ``OAuth2``
   that writes refreshed tokens back to it, safely; the stored organizer key and API root
   are the defaults of ``organizer_key`` and ``base_url`` then.

Each source is used whole or not at all: a half-configured one (a refresh token without the
client's id) is an error, not a reason to try the next.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import httpx

from ._errors import ValidationError
from ._tokens import check_credential

if TYPE_CHECKING:
    from .token_store import TokenStore

__all__ = ["Credentials", "resolve_credentials"]

#: The environment variables of source 3, in the order they are reported missing.
OAUTH2_VARIABLES = ("GOTO_CLIENT_ID", "GOTO_CLIENT_SECRET", "GOTO_REFRESH_TOKEN")


class Credentials:
    """Resolved credentials ([`resolve_credentials`][gototraining.resolve_credentials]).

    Attributes:
        auth: what authenticates the requests (``BearerToken``, ``OAuth2``, or yours).
        source: where they came from: ``"auth argument"``, ``"access_token argument"``,
            ``"GOTO_ACCESS_TOKEN"``, ``"GOTO_REFRESH_TOKEN"`` or ``"token store <path>"``.
        organizer_key: the organizer the source names (the token store's), if any.
        base_url: the API root the source names (the token store's), if any.
    """

    __slots__ = ("auth", "base_url", "organizer_key", "source")

    def __init__(
        self,
        auth: httpx.Auth,
        source: str,
        *,
        organizer_key: str | None = None,
        base_url: str | None = None,
    ) -> None:
        self.auth = auth
        self.source = source
        self.organizer_key = organizer_key
        self.base_url = base_url

    def __repr__(self) -> str:
        return (
            f"Credentials(source={self.source!r}, auth={self.auth!r}, "
            f"organizer_key={self.organizer_key!r})"
        )


def resolve_credentials(
    access_token: str | None = None,
    *,
    auth: httpx.Auth | Credentials | None = None,
    token_store: TokenStore | None = None,
) -> Credentials:
    """The credentials a client without ``access_token``/``auth`` uses, found in the order
    documented in docs/authentication.md: the arguments, ``GOTO_ACCESS_TOKEN``,
    ``GOTO_CLIENT_ID`` + ``GOTO_CLIENT_SECRET`` + ``GOTO_REFRESH_TOKEN``, the token store
    (``token_store``, default ``TokenStore()`` in the config directory).

    Nothing is sent. A stored login must be writable (a refresh replaces the refresh token).
    ``auth`` may be credentials resolved before (e.g. to check them first): they are kept,
    with their source.

    Raises:
        ValidationError: none found, a half-configured source, or an unusable value.
        TokenStoreError: the token store exists but cannot be used (see ``token_store``).
    """
    if auth is not None and access_token is not None:
        raise ValidationError("auth", "pass either access_token or auth, not both")
    if isinstance(auth, Credentials):
        return auth
    if auth is not None:
        if not isinstance(auth, httpx.Auth):
            raise ValidationError(
                "auth", f"expected an httpx.Auth (e.g. OAuth2), got {type(auth).__name__}"
            )
        return Credentials(auth, "auth argument")
    from ._auth import BearerToken

    if access_token is not None:
        token = check_credential(access_token, "access_token", token=True)
        return Credentials(BearerToken(token), "access_token argument")
    from_env = os.environ.get("GOTO_ACCESS_TOKEN")
    if from_env:
        token = check_credential(from_env, "GOTO_ACCESS_TOKEN", token=True)
        return Credentials(BearerToken(token), "GOTO_ACCESS_TOKEN")
    if os.environ.get("GOTO_REFRESH_TOKEN"):
        return _oauth2_from_environment()
    from .token_store import TokenStore

    store = token_store if token_store is not None else TokenStore()
    stored = store.load()
    if stored is not None:
        store.check_writable()  # before a refresh could rotate the refresh token
        return Credentials(
            store.auth(stored),
            f"token store {store.path}",
            organizer_key=stored.organizer_key,
            base_url=stored.base_url,
        )
    raise ValidationError(
        "access_token",
        "no credentials: pass access_token=... or auth=OAuth2(...), set GOTO_ACCESS_TOKEN "
        "(or GOTO_CLIENT_ID, GOTO_CLIENT_SECRET and GOTO_REFRESH_TOKEN), or log in with "
        f"'gototraining login' (no token store at {store.path})",
    )


def _oauth2_from_environment() -> Credentials:
    from ._auth import DEFAULT_TOKEN_URL, OAuth2

    values = {name: os.environ.get(name) or "" for name in OAUTH2_VARIABLES}
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise ValidationError(
            missing[0],
            f"GOTO_REFRESH_TOKEN is set but {' and '.join(missing)} not: set all three "
            "(or unset GOTO_REFRESH_TOKEN)",
        )
    client_id = check_credential(values["GOTO_CLIENT_ID"], "GOTO_CLIENT_ID")
    client_secret = check_credential(values["GOTO_CLIENT_SECRET"], "GOTO_CLIENT_SECRET")
    refresh_token = check_credential(values["GOTO_REFRESH_TOKEN"], "GOTO_REFRESH_TOKEN", token=True)
    token_url = os.environ.get("GOTO_TOKEN_URL") or DEFAULT_TOKEN_URL
    try:
        auth = OAuth2(client_id, client_secret, refresh_token, token_url=token_url)
    except ValidationError as exc:
        if exc.param != "token_url":
            raise
        raise ValidationError("GOTO_TOKEN_URL", str(exc).removeprefix("token_url: ")) from None
    return Credentials(auth, "GOTO_REFRESH_TOKEN")
