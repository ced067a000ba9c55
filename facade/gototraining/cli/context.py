"""Per-invocation state (global options) and building facade clients from credentials.

Credentials are the library's (``gototraining.resolve_credentials``), in its order:

1. ``GOTO_ACCESS_TOKEN`` (+ ``GOTO_ORGANIZER_KEY``) from the environment: a static bearer
   token, never refreshed. The environment wins so that CI and one-off shells can override a
   stored login without touching it.
2. ``GOTO_CLIENT_ID`` + ``GOTO_CLIENT_SECRET`` + ``GOTO_REFRESH_TOKEN``: an ``OAuth2``.
3. ``tokens.json`` from ``gototraining login`` (``gototraining.token_store``): an ``OAuth2``
   that refreshes itself and writes every refreshed token set back to the store. The store
   must be writable before anything is sent (the library checks): a refresh rotates the
   refresh token, and a rotated token that cannot be saved is lost. If saving fails all the
   same, the token set is kept (``CliTokenStore.refresh_not_saved``) and saved again when
   the command ends; if that fails too, the command ends with an error saying so
   (``State.save_refreshed_tokens``), never silently.

The API root is ``--base-url`` / ``$GOTO_BASE_URL``, else the one stored at login, else the
facade's default (GoTo's production API).

The quota is shared: every ``gototraining`` process of this user on this machine paces its
requests with the others through one SQLite file beside the login (``sqlite://``: a private
directory, mode 0700, and file, mode 0600), so two ``registrants import`` runs at once stay
within the account's limit together. ``--rate-limit-url`` / ``$GOTO_RATE_LIMIT_URL`` names
another store (Redis, to share with processes on other machines; ``memory://``: this process
alone). When the default file cannot be used (a read-only home, a config directory other users
can write), the command says so and paces itself; a store that was named must work. Commands wait for the quota as long as it takes (a person can press Ctrl-C), unless
``--max-queue-wait`` bounds it.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, TypeVar

import attrs

from gototraining import (
    DEFAULT_RATE_LIMIT,
    Credentials,
    RateLimiter,
    RateLimitStoreError,
    ValidationError,
    resolve_credentials,
)
from gototraining.token_store import StoredTokens, TokenStore, TokenStoreError

from .redact import redactor
from .sanitize import printable

if TYPE_CHECKING:
    from gototraining import AsyncGoToTraining, GoToTraining

__all__ = ["DEFAULT_QUOTA_URL", "CliTokenStore", "State", "UsageError"]

#: Where the CLI keeps the account's quota unless told otherwise: one file for the processes
#: of this user on this machine.
DEFAULT_QUOTA_URL = "sqlite://"

#: Environment variables holding secrets (registered with the redactor before anything runs).
_SECRET_VARIABLES = ("GOTO_ACCESS_TOKEN", "GOTO_CLIENT_SECRET", "GOTO_REFRESH_TOKEN")

_Client = TypeVar("_Client", "GoToTraining", "AsyncGoToTraining")


class UsageError(Exception):
    """A usage/configuration problem: printed as one ``error:`` line, exit code 2."""


def _warn(message: str) -> None:
    sys.stderr.write(f"warning: {printable(redactor(message))}\n")


class CliTokenStore(TokenStore):
    """The library's token store as the CLI uses it: every secret read or written is
    registered with the redactor first, and a refreshed token set that cannot be saved is
    kept (``unsaved``) to be saved again when the command ends (instead of a warning)."""

    def __init__(self) -> None:
        super().__init__(warn=_warn)
        #: A refreshed token set whose saving failed, and why.
        self.unsaved: tuple[StoredTokens, TokenStoreError] | None = None

    def load(self) -> StoredTokens | None:
        tokens = super().load()
        if tokens is not None:
            redactor.add(tokens.access_token, tokens.refresh_token, tokens.client_secret)
        return tokens

    def save(self, tokens: StoredTokens, *, if_same_login: bool = False) -> bool:
        # Register first: nothing printed after this point may show the new tokens.
        redactor.add(tokens.access_token, tokens.refresh_token, tokens.client_secret)
        written = super().save(tokens, if_same_login=if_same_login)
        self.unsaved = None
        return written

    def _write(self, tokens: StoredTokens) -> None:
        # Refreshed tokens are written here (under the store's lock), not through save().
        redactor.add(tokens.access_token, tokens.refresh_token, tokens.client_secret)
        super()._write(tokens)
        self.unsaved = None

    def refresh_not_saved(self, tokens: StoredTokens, error: TokenStoreError) -> None:
        self.unsaved = (tokens, error)  # saved again (or reported) when the command ends


@attrs.define
class State:
    """The global options of one ``gototraining`` invocation (``ctx.obj``)."""

    base_url: str | None = None
    debug: bool = False
    rate_limit: float | None = DEFAULT_RATE_LIMIT
    #: ``--rate-limit-url`` / ``$GOTO_RATE_LIMIT_URL``; ``None``: ``DEFAULT_QUOTA_URL``.
    rate_limit_url: str | None = None
    max_queue_wait: float | None = None
    store: CliTokenStore = attrs.field(factory=CliTokenStore)
    #: ``--strict`` / ``--tolerant`` (``None``: the library's default, ``$GOTO_STRICT``).
    strict: bool | None = None
    #: ``--record-drift FILE``.
    record_drift: str | None = None

    # -- credentials ---------------------------------------------------------------------

    def credentials(self) -> Credentials:
        """The credentials the library finds, or ``UsageError`` when there are none."""
        redactor.add(*(os.environ.get(name) for name in _SECRET_VARIABLES))
        try:
            return resolve_credentials(token_store=self.store)
        except ValidationError as exc:
            if exc.param != "access_token":
                raise  # an unusable value (a token with a newline, ...): the library says which
            raise UsageError(
                "not logged in: run 'gototraining login', or set GOTO_ACCESS_TOKEN and "
                "GOTO_ORGANIZER_KEY"
            ) from None

    def _client(self, cls: type[_Client]) -> _Client:
        credentials = self.credentials()
        organizer_key = os.environ.get("GOTO_ORGANIZER_KEY") or credentials.organizer_key
        if not organizer_key:
            if credentials.source == "GOTO_ACCESS_TOKEN":
                raise UsageError("GOTO_ACCESS_TOKEN is set but GOTO_ORGANIZER_KEY is not; set both")
            raise UsageError(
                "no organizer key: run 'gototraining login --organizer-key KEY' or set "
                "GOTO_ORGANIZER_KEY"
            )
        return cls(
            auth=credentials,
            organizer_key=organizer_key,
            base_url=self.base_url,
            rate_limit=self._limiter(),
            max_queue_wait=self.max_queue_wait,
            strict=self.strict,
            record_drift=self.record_drift,
        )

    def _limiter(self) -> RateLimiter | None:
        """The account's quota as this invocation shares it (see the module docstring)."""
        if self.rate_limit is None:
            return None
        if self.rate_limit_url is None:  # the default: shared if this machine lets us
            try:
                return RateLimiter.shared(DEFAULT_QUOTA_URL, rate=self.rate_limit)
            except RateLimitStoreError as exc:
                _warn(
                    f"the quota cannot be shared with other gototraining processes ({exc}); "
                    "this command paces itself (--rate-limit-url names another store)"
                )
                return RateLimiter(self.rate_limit)
        redactor.add(*_url_secrets(self.rate_limit_url))
        try:
            return RateLimiter.shared(self.rate_limit_url, rate=self.rate_limit)
        except ValidationError as exc:
            if exc.param != "url":
                raise
            reason = str(exc).removeprefix(f"{exc.param}: ")
            raise ValidationError("--rate-limit-url (GOTO_RATE_LIMIT_URL)", reason) from None

    def save_refreshed_tokens(self) -> None:
        """Save a refreshed token set whose saving failed during the command.

        Raises:
            UsageError: it still cannot be saved: the message says the login is lost.
        """
        if self.store.unsaved is None:
            return
        tokens, _ = self.store.unsaved
        try:
            # Not over a logout or a newer login for another account since the refresh.
            self.store.save(tokens, if_same_login=True)
        except TokenStoreError as exc:
            raise UsageError(
                f"the refreshed tokens could not be saved ({exc}); the refresh token stored "
                "before is no longer valid: fix the problem and run 'gototraining login' again"
            ) from None

    def client(self) -> GoToTraining:
        """A synchronous facade client for this invocation (caller closes it)."""
        from gototraining import GoToTraining

        return self._client(GoToTraining)

    def async_client(self) -> AsyncGoToTraining:
        """An asynchronous facade client for this invocation (caller closes it)."""
        from gototraining import AsyncGoToTraining

        return self._client(AsyncGoToTraining)


def _url_secrets(url: str) -> list[str]:
    """The password of a store URL (registered with the redactor before anything runs)."""
    from urllib.parse import unquote, urlsplit

    try:
        password = urlsplit(url).password
    except ValueError:
        return []
    return [password, unquote(password)] if password else []
