"""Where the CLI keeps its state, and the token store written by ``gototraining login``.

The config directory is ``$GOTO_CONFIG_DIR`` if set, else ``%APPDATA%\\gototraining`` on
Windows, else ``$XDG_CONFIG_HOME/gototraining`` or ``~/.config/gototraining``. (platformdirs
would do the same, but it is not worth a dependency for three lines.)

``tokens.json`` holds secrets (refresh token, client secret), so it is only ever created with
mode 0600 and replaced atomically (``gototraining._files.atomic_write(path, mode=0o600)``):
written to a temporary file opened with ``O_EXCL`` and mode 0600 in the same directory,
fsynced, then ``os.replace``-d over the old file. A reader
therefore sees either the old or the new token set, never half of one, and the secrets are
never readable by others, not even for a moment.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

import attrs

from gototraining._files import atomic_write

__all__ = ["TOKEN_FILE", "StoredTokens", "TokenStore", "config_dir"]

TOKEN_FILE = "tokens.json"


def config_dir() -> Path:
    """The CLI's config directory (not created here)."""
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


class TokenStore:
    """``tokens.json`` in a config directory: load, save (atomic, 0600), delete."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory if directory is not None else config_dir()
        self.path = self.directory / TOKEN_FILE
        # on_token_refresh may fire from several asyncio tasks' threads; serialise writes.
        self._lock = threading.Lock()

    def load(self) -> StoredTokens | None:
        """The stored tokens, or ``None`` if nobody logged in. ``ValueError`` if corrupt."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            return StoredTokens.from_json(json.loads(text))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{self.path} is not a valid token file ({exc}); run login") from None

    def save(self, tokens: StoredTokens) -> None:
        """Write ``tokens`` atomically with mode 0600 (the directory gets 0700 if created)."""
        data = json.dumps(tokens.to_json(), indent=2).encode("utf-8")
        with self._lock:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            with atomic_write(self.path, mode=0o600) as fh:
                fh.write(data)

    def delete(self) -> bool:
        """Remove the token file; ``True`` if there was one."""
        with self._lock:
            try:
                self.path.unlink()
            except FileNotFoundError:
                return False
            return True
