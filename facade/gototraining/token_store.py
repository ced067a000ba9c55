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

**Several processes share one login.** GoTo replaces the refresh token at every refresh (the
old one stops working), so two processes refreshing on their own would lock each other out.
Every refresh of a client built from the store (``TokenStore.auth``), every ``save``
and every ``delete`` happen under one lock shared by all processes (``tokens.json.lock`` in
the config directory: ``flock`` / ``msvcrt.locking``, see ``gototraining._filelock``):

* before refreshing, the client reads the store and uses newer tokens someone else saved
  (often no refresh is needed then); a refresh refused with ``invalid_grant`` reads it again;
* it writes its refreshed tokens only if the store still holds what it started from
  (compare-and-swap): a ``gototraining logout`` is never undone (the client then fails with
  ``TokenStoreError``), and a login for another account is never replaced by an older
  one (the client keeps its own login in memory and warns);
* a stored login is sent only to the API it was made for (``base_url``): a client pointed at
  another host with it is refused.
"""

from __future__ import annotations

import json
import math
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
from ._filelock import FileLock, LockFileError
from ._files import atomic_write

if TYPE_CHECKING:
    from ._auth import OAuth2
    from ._auth_flow import TokenSet

__all__ = [
    "TOKEN_FILE",
    "StoredTokens",
    "TokenStore",
    "TokenStoreError",
    "TokenStoreWarning",
    "config_dir",
]

TOKEN_FILE = "tokens.json"
#: The lock file next to it, shared by every process that uses the store.
LOCK_FILE = "tokens.json.lock"
#: Seconds ``save`` and ``delete`` wait for another process's refresh to finish.
LOCK_TIMEOUT = 60.0

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
            if expires_at is not None and (
                isinstance(expires_at, bool) or not isinstance(expires_at, int | float)
            ):
                raise ValueError("field 'expires_at' must be a number")
            if expires_at is not None:
                try:
                    expires_at = float(expires_at)
                except OverflowError:  # an integer of hundreds of digits
                    raise ValueError("field 'expires_at' is out of range") from None
                if not math.isfinite(expires_at) or expires_at < 0:
                    raise ValueError("field 'expires_at' must be a finite time")
            return cls(
                client_id=data["client_id"],
                client_secret=data["client_secret"],
                token_url=data["token_url"],
                access_token=data["access_token"],
                refresh_token=data["refresh_token"],
                expires_at=expires_at,
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
        self.lock_path = self.directory / LOCK_FILE
        self._warn = warn or (lambda message: warnings.warn(message, TokenStoreWarning, 2))

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
        except RecursionError:  # JSON nested thousands deep
            raise TokenStoreError(
                f"{self.path} is not a valid token file (nested too deeply); run login"
            ) from None
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

    def lock(self) -> FileLock:
        """The lock every process takes to refresh, save or delete the stored login (the
        config directory must exist)."""
        return FileLock(self.lock_path)

    def _make_directory(self) -> None:
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise TokenStoreError(
                f"cannot create {self.directory}: {_reason(exc)}; set GOTO_CONFIG_DIR to a "
                "writable directory"
            ) from None

    def _locked(self) -> FileLock:
        """The store's lock, taken (``TokenStoreError`` if it cannot be)."""
        lock = self.lock()
        try:
            taken = lock.acquire(LOCK_TIMEOUT)
        except OSError as exc:
            raise self._lock_error(exc) from None
        if not taken:
            raise TokenStoreError(
                f"{self.lock_path} stayed locked for {LOCK_TIMEOUT:g} s (another process is "
                "refreshing the stored tokens and does not finish); try again"
            )
        return lock

    def _lock_error(self, exc: OSError) -> TokenStoreError:
        detail = str(exc) if isinstance(exc, LockFileError) else f"{self.lock_path}: {_reason(exc)}"
        return TokenStoreError(f"cannot lock the token store: {detail}")

    def save(self, tokens: StoredTokens, *, if_same_login: bool = False) -> bool:
        """Write ``tokens`` atomically with mode 0600 (the directory gets 0700 if created);
        through a symlink. Under the store's lock: never in the middle of another process's
        refresh. Returns whether they were written.

        ``if_same_login``: only if the store holds a login of the same client, token
        endpoint, organizer and API already (tokens refreshed a while ago, saved late, must
        not undo a logout or replace a newer login for another account).

        Raises:
            TokenStoreError: it could not be written (the old file, if any, is unchanged).
        """
        self._make_directory()
        lock = self._locked()
        try:
            if if_same_login and not self._holds_same_login(tokens):
                return False
            self._write(tokens)
        finally:
            lock.release()
        return True

    def _holds_same_login(self, tokens: StoredTokens) -> bool:
        held = self.load()
        return held is not None and _StoreSource(self, tokens).same_login(held)

    def _write(self, tokens: StoredTokens) -> None:
        """Write ``tokens`` (the caller holds the store's lock)."""
        data = json.dumps(tokens.to_json(), indent=2).encode("utf-8")
        self._stat()
        target = self._target()
        try:
            with atomic_write(target, mode=PRIVATE_MODE) as fh:
                fh.write(data)
        except OSError as exc:
            raise TokenStoreError(f"cannot save tokens to {self.path}: {_reason(exc)}") from None

    def auth(self, tokens: StoredTokens) -> OAuth2:
        """An ``OAuth2`` for ``tokens`` (as [`load`][gototraining.token_store.TokenStore.load]
        returned them) that shares them with every other process using this store (see the
        module docstring): it reads the store before each refresh, writes its refreshed tokens
        back (atomically, mode 0600, through a symlink) only if the store still holds what it
        started from, and is refused by a client whose ``base_url`` is not on the host the
        login was made for.

        A refreshed set that cannot be saved (disk full, the file replaced by a directory) is
        handed to [`refresh_not_saved`][gototraining.token_store.TokenStore.refresh_not_saved]; the next refresh saves its own set again. Call
        [`check_writable`][gototraining.token_store.TokenStore.check_writable] before sending anything, so that this is rare.
        """
        from ._auth import OAuth2
        from ._client import DEFAULT_BASE_URL

        oauth = OAuth2(
            tokens.client_id,
            tokens.client_secret,
            tokens.refresh_token,
            access_token=tokens.access_token,
            expires_at=tokens.expires_at,
            token_url=tokens.token_url,
            # the login chose its token endpoint; loopback or not, it is the user's own
            allow_insecure_http=True,
        )
        oauth._issued_for = tokens.base_url or DEFAULT_BASE_URL
        if tokens.organizer_key:
            oauth._name_organizer(tokens.organizer_key)
        oauth._share(_StoreSource(self, tokens))
        return oauth

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
        was one. Under the store's lock: a client refreshing in another process finds the
        login gone and does not write it back."""
        lock = self._locked() if self.directory.is_dir() else None
        try:
            return self._delete()
        finally:
            if lock is not None:
                lock.release()

    def _delete(self) -> bool:
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


class _StoreSource:
    """The token store as the token source of one stored login's ``OAuth2``
    (``_auth_flow.TokenSource``): "the same login" is the same client, token endpoint,
    organizer and API."""

    def __init__(self, store: TokenStore, login: StoredTokens) -> None:
        self.store = store
        self.login = login
        self.lock = store.lock()
        self.where = str(store.path)
        self._lock = threading.Lock()

    def same_login(self, held: StoredTokens) -> bool:
        mine = self.login
        return (held.client_id, held.token_url, held.organizer_key, held.base_url) == (
            mine.client_id,
            mine.token_url,
            mine.organizer_key,
            mine.base_url,
        )

    def _view(self, held: StoredTokens | None) -> TokenSet | str:
        from ._auth_flow import LOGGED_OUT, OTHER_LOGIN, TokenSet

        if held is None:
            return LOGGED_OUT
        if not self.same_login(held):
            return OTHER_LOGIN
        return TokenSet(held.access_token, held.refresh_token, held.expires_at)

    def read(self) -> TokenSet | str:
        return self._view(self.store.load())

    def write(self, expected: TokenSet, tokens: TokenSet) -> TokenSet | str | None:
        held = self.read()
        if held != expected:
            return held
        assert tokens.access_token is not None
        with self._lock:
            self.login = attrs.evolve(
                self.login,
                access_token=tokens.access_token,
                refresh_token=tokens.refresh_token,
                expires_at=tokens.expires_at,
            )
            login = self.login
        self.store._write(login)  # the flow holds the store's lock
        return None

    def not_saved(self, tokens: TokenSet, error: Exception) -> None:
        assert tokens.access_token is not None
        refreshed = attrs.evolve(
            self.login,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            expires_at=tokens.expires_at,
        )
        if isinstance(error, TokenStoreError):
            self.store.refresh_not_saved(refreshed, error)
        else:
            self.store.refresh_not_saved(refreshed, TokenStoreError(str(error)))

    def stamp(self) -> object:
        try:
            info = os.stat(self.store.path)
        except FileNotFoundError:
            return None
        except OSError:
            return object()
        return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)

    def warn(self, message: str) -> None:
        self.store._warn(message)

    def lock_error(self, error: OSError) -> TokenStoreError:
        return self.store._lock_error(error)

    def logged_out(self) -> TokenStoreError:
        return TokenStoreError(
            f"logged out: {self.store.path} no longer holds the login this client was started "
            "with ('gototraining logout' ran); run 'gototraining login' again (same client "
            "and organizer): running clients use the new login at their next call, no "
            "restart needed"
        )
