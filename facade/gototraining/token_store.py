"""The token store: a login's tokens on disk (``gototraining login`` writes it; clients read it).

``GoToTraining()`` without credentials in its arguments or the environment uses the stored
login (see ``resolve_credentials``): an ``OAuth2`` auth that refreshes the access token and
writes every refreshed token set back here (``TokenStore.auth``), the same safe way as below.

The config directory is ``$GOTO_CONFIG_DIR`` if set, else ``%APPDATA%\\gototraining`` on
Windows, else ``$XDG_CONFIG_HOME/gototraining`` or ``~/.config/gototraining``. (platformdirs
would do the same, but it is not worth a dependency for three lines.)

``tokens.json`` holds secrets (refresh token, client secret), so it is only ever created with
mode 0600 and replaced atomically (``gototraining._files.atomic_write(path, mode=0o600)``):
written to a temporary file opened with ``O_EXCL`` and mode 0600 in the same directory,
fsynced, then ``os.replace``-d over the old file. A reader therefore sees either the old or the
new token set, never half of one, and the secrets are never readable by others, not even for
a moment.

What the store does with a ``tokens.json`` that is not what it wrote (each a decision):

* **A symlink** is written *through*: the file it points to is replaced (atomically, mode 0600,
  in the target's directory) and the link stays, so dotfile managers keep working and the
  target never goes stale. ``delete`` removes the target and the link.
* **Readable by others** (e.g. mode 0644, POSIX): the store changes it to 0600 and warns
  (the secrets may have been read: rotate the client secret if that matters). If it cannot
  (not the owner), it refuses to use the file.
* **A directory, FIFO or other non-regular file** in its place, an unreadable file, or a file
  that is not a token set: [`TokenStoreError`][gototraining.token_store.TokenStoreError], nothing is read or written.
* **A directory that cannot be written**: every refresh rotates the refresh token, and a
  refreshed token set that cannot be saved is lost (the next run would be logged out).
  [`TokenStore.check_writable`][gototraining.token_store.TokenStore.check_writable] finds this before anything is sent; the CLI calls it
  before it uses stored tokens, and before a login.

Every problem is a [`TokenStoreError`][gototraining.token_store.TokenStoreError] (a ``GoToTrainingError``) whose message says what
to do; the CLI prints it as one ``error:`` line and exits with 2.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ._errors import GoToTrainingError
from ._files import atomic_write

if TYPE_CHECKING:
    from ._auth import OAuth2
    from ._tokens import OAuth2Token

__all__ = [
    "TOKEN_FILE",
    "StoredTokens",
    "TokenStore",
    "TokenStoreError",
    "TokenStoreWarning",
    "config_dir",
]

TOKEN_FILE = "tokens.json"

#: Permission bits the token file may have (POSIX).
PRIVATE_MODE = 0o600


class TokenStoreError(GoToTrainingError):
    """The token store cannot be used as it is; the message says why and what to do."""


class TokenStoreWarning(UserWarning):
    """Something about the token store was wrong and has been fixed (e.g. its mode)."""


def config_dir() -> Path:
    """The config directory the token store lives in (not created here): ``$GOTO_CONFIG_DIR``,
    else ``%APPDATA%\\gototraining`` (Windows), ``$XDG_CONFIG_HOME/gototraining`` or
    ``~/.config/gototraining``."""
    override = os.environ.get("GOTO_CONFIG_DIR")
    if override:
        return Path(override).expanduser()
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "gototraining"
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return base / "gototraining"


@attrs.frozen
class StoredTokens:
    """What ``login`` stores: enough to build an ``OAuth2`` auth and refresh it later."""

    client_id: str
    client_secret: str = attrs.field(repr=False)
    token_url: str
    access_token: str = attrs.field(repr=False)
    refresh_token: str = attrs.field(repr=False)
    expires_at: float | None = None
    organizer_key: str | None = None
    base_url: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON object written to ``tokens.json``."""
        return attrs.asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> StoredTokens:
        """Parse ``tokens.json``; ``ValueError``/``TypeError`` when ``login`` did not write it."""
        if not isinstance(data, dict):
            raise TypeError("expected a JSON object")
        try:
            for name in (
                "client_id",
                "client_secret",
                "token_url",
                "access_token",
                "refresh_token",
            ):
                if not isinstance(data[name], str) or not data[name]:
                    raise ValueError(f"field {name!r} must be a non-empty string")
            expires_at = data.get("expires_at")
            if expires_at is not None and not isinstance(expires_at, int | float):
                raise ValueError("field 'expires_at' must be a number")
            return cls(
                client_id=data["client_id"],
                client_secret=data["client_secret"],
                token_url=data["token_url"],
                access_token=data["access_token"],
                refresh_token=data["refresh_token"],
                expires_at=float(expires_at) if expires_at is not None else None,
                organizer_key=_opt_str(data.get("organizer_key")),
                base_url=_opt_str(data.get("base_url")),
            )
        except KeyError as exc:
            raise ValueError(f"missing field {exc.args[0]!r}") from None


def _opt_str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


class TokenStore:
    """``tokens.json`` in a config directory: load, save (atomic, 0600), delete, and an
    ``OAuth2`` auth that saves its refreshed tokens back ([`auth`][gototraining.token_store.TokenStore.auth]).

    ``directory``: default [`config_dir`][gototraining.token_store.config_dir]. ``warn(message)`` hears about problems the
    store fixed itself and about refreshed tokens it could not save (default:
    ``warnings.warn`` with [`TokenStoreWarning`][gototraining.token_store.TokenStoreWarning]).
    """

    def __init__(
        self, directory: Path | None = None, *, warn: Callable[[str], None] | None = None
    ) -> None:
        self.directory = directory if directory is not None else config_dir()
        self.path = self.directory / TOKEN_FILE
        self._warn = warn or (lambda message: warnings.warn(message, TokenStoreWarning, 2))
        # on_token_refresh may fire from several asyncio tasks' threads; serialise writes.
        self._lock = threading.Lock()

    # -- what is there -------------------------------------------------------------------------

    def _target(self) -> Path:
        """The file to read and replace: ``path``, or the final target of its symlink."""
        try:
            return Path(os.path.realpath(self.path, strict=False))
        except OSError as exc:  # a symlink loop (ELOOP) on some platforms
            raise TokenStoreError(f"{self.path}: {_reason(exc)}") from None

    def _stat(self) -> os.stat_result | None:
        """The token file's status (through a symlink); ``None`` if there is none (or a
        symlink to nothing). Refuses what cannot be a token file."""
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise TokenStoreError(f"cannot examine {self.path}: {_reason(exc)}") from None
        if stat.S_ISDIR(info.st_mode):
            raise TokenStoreError(
                f"{self.path} is a directory, not a token file: remove it and log in again "
                "(or set GOTO_CONFIG_DIR to use another directory)"
            )
        if not stat.S_ISREG(info.st_mode):
            raise TokenStoreError(
                f"{self.path} is not a regular file: remove it and log in again "
                "(or set GOTO_CONFIG_DIR to use another directory)"
            )
        return info

    def _make_private(self, info: os.stat_result) -> None:
        """Mode 0600 for a token file that others can read or write (POSIX)."""
        loose = stat.S_IMODE(info.st_mode) & 0o077
        if os.name != "posix" or not loose:
            return
        mode = f"{stat.S_IMODE(info.st_mode):04o}"
        try:
            os.chmod(self._target(), PRIVATE_MODE)
        except OSError as exc:
            raise TokenStoreError(
                f"{self.path} is accessible to other users (mode {mode}) and its mode cannot be "
                f"changed ({_reason(exc)}): make it private (chmod 600) or remove it and log "
                "in again"
            ) from None
        self._warn(
            f"{self.path} was accessible to other users (mode {mode}); changed it to 0600. "
            "Its refresh token and client secret may have been read: log in again and "
            "rotate the client secret if that matters."
        )

    # -- operations ----------------------------------------------------------------------------

    def load(self) -> StoredTokens | None:
        """The stored tokens, or ``None`` if nobody logged in.

        Raises:
            TokenStoreError: the file cannot be used (see the module docstring).
        """
        info = self._stat()
        if info is None:
            return None
        self._make_private(info)
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            reason = _reason(exc) if isinstance(exc, OSError) else "not UTF-8"
            raise TokenStoreError(f"cannot read {self.path}: {reason}") from None
        try:
            return StoredTokens.from_json(json.loads(text))
        except (ValueError, TypeError) as exc:
            raise TokenStoreError(
                f"{self.path} is not a valid token file ({exc}); run login"
            ) from None

    def check_writable(self) -> None:
        """Raise [`TokenStoreError`][gototraining.token_store.TokenStoreError] unless [`save`][gototraining.token_store.TokenStore.save] can replace the token file, so
        that a refreshed (rotated) refresh token is never lost for want of a place to go."""
        self._stat()
        target = self._target()
        directory = target.parent
        if not directory.exists() and directory != Path(os.path.realpath(self.directory)):
            # save() creates the config directory, not the directory a symlink points into
            raise TokenStoreError(
                f"cannot save tokens to {target}: {self.path} is a symlink into {directory}, "
                "which does not exist. Create it, or remove the symlink"
            )
        existing = directory
        while not existing.exists() and existing.parent != existing:
            existing = existing.parent  # save() creates the missing directories
        if not os.access(existing, os.W_OK | os.X_OK):
            raise TokenStoreError(
                f"cannot save tokens in {directory}: the directory is not writable. Every "
                "token refresh replaces the refresh token, and the next run would be logged "
                f"out. Make {existing} writable, or set GOTO_CONFIG_DIR to a writable "
                "directory and log in again (or use GOTO_ACCESS_TOKEN)"
            )

    def save(self, tokens: StoredTokens) -> None:
        """Write ``tokens`` atomically with mode 0600 (the directory gets 0700 if created);
        through a symlink.

        Raises:
            TokenStoreError: it could not be written (the old file, if any, is unchanged).
        """
        data = json.dumps(tokens.to_json(), indent=2).encode("utf-8")
        with self._lock:
            try:
                self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError as exc:
                raise TokenStoreError(
                    f"cannot create {self.directory}: {_reason(exc)}; set GOTO_CONFIG_DIR to a "
                    "writable directory"
                ) from None
            self._stat()
            target = self._target()
            try:
                with atomic_write(target, mode=PRIVATE_MODE) as fh:
                    fh.write(data)
            except OSError as exc:
                raise TokenStoreError(
                    f"cannot save tokens to {self.path}: {_reason(exc)}"
                ) from None

    def auth(self, tokens: StoredTokens) -> OAuth2:
        """An ``OAuth2`` for ``tokens`` (as [`load`][gototraining.token_store.TokenStore.load] returned them) that writes every
        refreshed token set back to this store: atomically, mode 0600, through a symlink.

        A refreshed set that cannot be saved (disk full, the file replaced by a directory) is
        handed to [`refresh_not_saved`][gototraining.token_store.TokenStore.refresh_not_saved]; the next refresh saves its own set again. Call
        [`check_writable`][gototraining.token_store.TokenStore.check_writable] before sending anything, so that this is rare.
        """
        from ._auth import OAuth2

        current = [tokens]
        lock = threading.Lock()

        def save_refreshed(token: OAuth2Token) -> None:
            with lock:
                current[0] = attrs.evolve(
                    current[0],
                    access_token=token.access_token,
                    refresh_token=token.refresh_token,
                    expires_at=token.expires_at,
                )
                refreshed = current[0]
            try:
                self.save(refreshed)
            except TokenStoreError as exc:
                self.refresh_not_saved(refreshed, exc)

        return OAuth2(
            tokens.client_id,
            tokens.client_secret,
            tokens.refresh_token,
            access_token=tokens.access_token,
            expires_at=tokens.expires_at,
            token_url=tokens.token_url,
            on_token_refresh=save_refreshed,
        )

    def refresh_not_saved(self, tokens: StoredTokens, error: TokenStoreError) -> None:
        """A refreshed token set (from [`auth`][gototraining.token_store.TokenStore.auth]) could not be saved. The default warns:
        the refresh token saved before may no longer be valid, so if no later refresh saves
        a set, the next run has to log in again. Override it to keep ``tokens`` and save them
        later (the CLI does, when the command ends)."""
        self._warn(
            f"the refreshed tokens could not be saved ({error}); they are used from memory and "
            "saved again at the next refresh. If none follows, log in again next time"
        )

    def delete(self) -> bool:
        """Remove the token file (the target and the link, for a symlink); ``True`` if there
        was one."""
        with self._lock:
            is_link = self.path.is_symlink()
            info = self._stat()
            try:
                if info is not None and is_link:
                    self._target().unlink(missing_ok=True)
                self.path.unlink()
            except FileNotFoundError:
                return False
            except OSError as exc:
                raise TokenStoreError(f"cannot remove {self.path}: {_reason(exc)}") from None
            return info is not None
