"""Per-invocation state (global options) and building facade clients from credentials.

Credentials are resolved in this order:

1. ``GOTO_ACCESS_TOKEN`` (+ ``GOTO_ORGANIZER_KEY``) from the environment: a static bearer
   token, never refreshed. The environment wins so that CI and one-off shells can override a
   stored login without touching it.
2. ``tokens.json`` from ``gototraining login``: an ``OAuth2`` auth that refreshes itself and
   persists every refreshed token set back to the store (``on_token_refresh``). The store must
   be writable before anything is sent (``TokenStore.check_writable``): a refresh rotates the
   refresh token, and a rotated token that cannot be saved is lost. If saving fails all the
   same, the token set is kept and saved again when the command ends; if that fails too, the
   command ends with an error saying so (:meth:`State.save_refreshed_tokens`), never silently.

The API root is ``--base-url`` / ``$GOTO_BASE_URL``, else the one stored at login, else the
facade's default (GoTo's production API).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import attrs

from gototraining._client import DEFAULT_RATE_LIMIT

from .config import StoredTokens, TokenStore, TokenStoreError
from .redact import redactor
from .sanitize import printable

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx

    from gototraining import AsyncGoToTraining, GoToTraining, OAuth2Token

__all__ = ["State", "UsageError"]


class UsageError(Exception):
    """A usage/configuration problem: printed as one ``error:`` line, exit code 2."""


def _warn(message: str) -> None:
    sys.stderr.write(f"warning: {printable(redactor(message))}\n")


def _store() -> TokenStore:
    return TokenStore(warn=_warn)


@attrs.define
class State:
    """The global options of one ``gototraining`` invocation (``ctx.obj``)."""

    base_url: str | None = None
    debug: bool = False
    rate_limit: float | None = DEFAULT_RATE_LIMIT
    store: TokenStore = attrs.field(factory=_store)
    #: A refreshed token set whose saving failed, and why (see the module docstring).
    unsaved: tuple[StoredTokens, TokenStoreError] | None = None

    # -- credentials ---------------------------------------------------------------------

    def _resolve(self) -> tuple[httpx.Auth, str, str | None]:
        """(auth, organizer key, base URL) or ``UsageError`` when there are no credentials."""
        from gototraining import BearerToken, OAuth2

        env_token = os.environ.get("GOTO_ACCESS_TOKEN") or None
        env_org = os.environ.get("GOTO_ORGANIZER_KEY") or None
        redactor.add(env_token)
        if env_token:
            if not env_org:
                raise UsageError("GOTO_ACCESS_TOKEN is set but GOTO_ORGANIZER_KEY is not; set both")
            return BearerToken(env_token), env_org, self.base_url
        stored = self.store.load()
        if stored is None:
            raise UsageError(
                "not logged in: run 'gototraining login', or set GOTO_ACCESS_TOKEN and "
                "GOTO_ORGANIZER_KEY"
            )
        redactor.add(stored.access_token, stored.refresh_token, stored.client_secret)
        organizer_key = env_org or stored.organizer_key
        if not organizer_key:
            raise UsageError(
                "no organizer key: run 'gototraining login --organizer-key KEY' or set "
                "GOTO_ORGANIZER_KEY"
            )
        self.store.check_writable()  # before a refresh could rotate the refresh token
        auth = OAuth2(
            stored.client_id,
            stored.client_secret,
            stored.refresh_token,
            access_token=stored.access_token,
            expires_at=stored.expires_at,
            token_url=stored.token_url,
            on_token_refresh=self._persist(stored),
        )
        return auth, organizer_key, self.base_url or stored.base_url

    def _persist(self, stored: StoredTokens) -> Callable[[OAuth2Token], None]:
        store = self.store

        def on_token_refresh(token: OAuth2Token) -> None:
            # Register first: nothing printed after this point may show the new tokens.
            redactor.add(token.access_token, token.refresh_token)
            nonlocal stored
            stored = attrs.evolve(
                stored,
                access_token=token.access_token,
                refresh_token=token.refresh_token,
                expires_at=token.expires_at,
            )
            try:
                store.save(stored)
            except TokenStoreError as exc:
                self.unsaved = (stored, exc)  # saved again (or reported) when the command ends
            else:
                self.unsaved = None

        return on_token_refresh

    def save_refreshed_tokens(self) -> None:
        """Save a refreshed token set whose saving failed during the command.

        Raises:
            UsageError: it still cannot be saved: the message says the login is lost.
        """
        if self.unsaved is None:
            return
        tokens, _ = self.unsaved
        try:
            self.store.save(tokens)
        except TokenStoreError as exc:
            raise UsageError(
                f"the refreshed tokens could not be saved ({exc}); the refresh token stored "
                "before is no longer valid: fix the problem and run 'gototraining login' again"
            ) from None
        self.unsaved = None

    def client(self) -> GoToTraining:
        """A synchronous facade client for this invocation (caller closes it)."""
        from gototraining import GoToTraining

        auth, organizer_key, base_url = self._resolve()
        return GoToTraining(
            auth=auth, organizer_key=organizer_key, base_url=base_url, rate_limit=self.rate_limit
        )

    def async_client(self) -> AsyncGoToTraining:
        """An asynchronous facade client for this invocation (caller closes it)."""
        from gototraining import AsyncGoToTraining

        auth, organizer_key, base_url = self._resolve()
        return AsyncGoToTraining(
            auth=auth, organizer_key=organizer_key, base_url=base_url, rate_limit=self.rate_limit
        )
