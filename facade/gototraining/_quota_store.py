"""Where a shared quota's pacing state lives: Redis (processes on many machines) or an SQLite
file (the processes of one machine). See ``SharedRateLimiter`` for what is kept and decided.

A store does two things, both with *its own* clock (Redis ``TIME``; the machine's wall clock
for SQLite, which every process of the machine reads alike), so machines whose clocks disagree
still share one budget:

- ``transact(key, decide)``: read the state, run ``decide(state, now)`` -- plain Python, the
  limiter's ``Pace`` methods -- and write what it returns, as one transaction. SQLite: under
  ``BEGIN IMMEDIATE`` (one writer at a time; a process killed inside it loses its lock and its
  half-done transaction with it). Redis: optimistically -- ``GET`` and ``TIME`` in one round
  trip, then a compare-and-set script that writes only if the value is still the one read,
  else read and decide again. The decisions are the same code as the in-process limiter's:
  nothing is written twice in two languages.
- ``read(key)``: the state and the time, without writing.

Any failure is ``StoreUnavailable`` (the limiter falls back to pacing its process alone);
``open_store`` turns the failures of the first contact into ``RateLimitStoreError`` and bad URLs
into ``ValidationError``, before any API request. Secrets in a URL (a Redis password) never
appear in reprs, messages or logs: ``display_url`` hides them.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import SplitResult, parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from ._errors import RateLimitStoreError, ValidationError

__all__ = [
    "KEY_PREFIX",
    "QuotaStore",
    "StoreUnavailable",
    "default_sqlite_path",
    "display_url",
    "open_store",
]

T = TypeVar("T")
State = dict[str, Any]
Decide = Callable[[State | None, float], tuple[T, State | None]]

#: Redis keys (and SQLite rows) are ``KEY_PREFIX + account``.
KEY_PREFIX = "gototraining:quota:"
#: A key nobody has written for this long expires (Redis) or is deleted (SQLite): by then a
#: quota's state says nothing any more (a 429's decrease is recovered from within a minute).
STATE_TTL = 600.0
#: The file the CLI (and ``sqlite://`` without a path) keeps one machine's quotas in.
DEFAULT_SQLITE_NAME = "ratelimit.sqlite3"
#: Seconds a Redis command (or connecting) may take before the store counts as unavailable,
#: unless the URL says otherwise (``?socket_timeout=...``).
REDIS_TIMEOUT = 1.0
#: Seconds an SQLite transaction waits for another process's before giving up.
SQLITE_BUSY_TIMEOUT = 2.0
#: Compare-and-set rounds before a Redis transaction gives up (only under extreme contention).
MAX_CONFLICTS = 100

_REDIS_SCHEMES = {"redis": "redis", "rediss": "rediss", "unix": "unix"}
_VALKEY_SCHEMES = {"valkey": "redis", "valkeys": "rediss"}
_SECRET_QUERY = {"password", "pass", "passwd", "pwd", "secret", "token", "auth"}

# The write half of a Redis transaction: the new value only if nobody wrote since it was read.
_CAS = """
local current = redis.call('GET', KEYS[1])
if current == false then current = '' end
if current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"""


class StoreUnavailable(Exception):
    """A store operation failed (unreachable, timed out, refused, locked too long); the message
    says why and holds no secret."""


class QuotaStore(Protocol):
    """What ``SharedRateLimiter`` needs of a store."""

    url: str  # display form: secrets hidden
    kind: str

    def transact(self, key: str, decide: Decide[T]) -> T: ...

    def read(self, key: str) -> tuple[State | None, float]: ...

    def ping(self) -> None: ...

    def close(self) -> None: ...


def display_url(url: str) -> str:
    """``url`` with its user info and secret-looking query values replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [(k, "***" if k.lower() in _SECRET_QUERY else v) for k, v in pairs], safe="*/:"
        )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _secrets(parts: SplitResult) -> list[str]:
    found = [parts.password or "", unquote(parts.password or "")]
    found += [v for k, v in parse_qsl(parts.query) if k.lower() in _SECRET_QUERY]
    return [s for s in found if s]


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def open_store(url: str, *, param: str) -> QuotaStore | None:
    """The store ``url`` names, checked by one round trip; ``None`` for ``memory://`` (no
    sharing: each process paces itself).

    Raises:
        ValidationError: ``url`` is no URL a store can be made from (``param`` names where it
            came from: ``rate_limit``, ``url``, ``GOTO_RATE_LIMIT_URL``).
        RateLimitStoreError: the store cannot be used (unreachable, credentials refused, a file
            others could change, the ``redis`` package missing).
    """
    if not isinstance(url, str) or not url.strip():
        raise ValidationError(
            param, f"expected a store URL (redis://..., sqlite://...), got {url!r}"
        )
    shown = display_url(url)
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:
        raise ValidationError(param, f"not a URL: {shown} ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme == "memory":
        if parts.netloc or parts.path.strip("/") or parts.query:
            raise ValidationError(param, f"memory:// takes nothing after it, got {shown}")
        return None
    if scheme == "sqlite":
        return SqliteStore.open(url, param=param)
    if scheme in _REDIS_SCHEMES or scheme in _VALKEY_SCHEMES:
        return RedisStore.open(url.strip(), parts, param=param)
    raise ValidationError(
        param,
        f"unknown store {shown}: expected redis://, rediss://, unix://, valkey://, valkeys:// "
        "(a Redis or Valkey server), sqlite:// (this machine) or memory:// (this process)",
    )


# -- Redis ----------------------------------------------------------------------------------------


class RedisStore:
    """A quota's state as one Redis string (JSON) per account, with a TTL; see the module
    docstring. Valkey speaks the same protocol (``valkey://`` is read as ``redis://``)."""

    kind = "redis"

    def __init__(self, client: Any, url: str, secrets: list[str]) -> None:
        import redis

        self._redis = redis
        self._client = client
        self._cas = client.register_script(_CAS)
        self.url = url
        self._secrets = secrets

    def __repr__(self) -> str:
        return f"RedisStore({self.url!r})"

    @classmethod
    def open(cls, url: str, parts: SplitResult, *, param: str) -> RedisStore:
        shown = display_url(url)
        secrets = _secrets(parts)
        try:
            import redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry
        except ImportError:
            raise RateLimitStoreError(
                "a Redis store needs the redis package: pip install 'gototraining[redis]'",
                url=shown,
            ) from None
        scheme = parts.scheme.lower()
        redis_url = urlunsplit(
            (_VALKEY_SCHEMES.get(scheme, scheme), parts.netloc, parts.path, parts.query, "")
        )
        given = {name for name, _ in parse_qsl(parts.query)}
        defaults: dict[str, Any] = {
            name: REDIS_TIMEOUT
            for name in ("socket_timeout", "socket_connect_timeout")
            if name not in given and not (name == "socket_timeout" and "timeout" in given)
        }
        try:
            client = redis.Redis.from_url(
                redis_url,
                # One immediate retry: a pooled connection the server closed (it restarted)
                # fails once; anything more is an outage, which the limiter handles itself.
                retry=Retry(NoBackoff(), 1),
                client_name="gototraining-quota",
                **defaults,
            )
        except (ValueError, TypeError) as exc:
            raise ValidationError(
                param, f"not a usable Redis URL: {shown} ({_scrub(str(exc), secrets)})"
            ) from None
        store = cls(client, shown, secrets)
        try:
            client.ping()
            client.script_load(_CAS)
            store.read(KEY_PREFIX + "-")
        except redis.RedisError as exc:
            raise RateLimitStoreError(store._first_contact(exc), url=shown) from None
        except StoreUnavailable as exc:
            raise RateLimitStoreError(str(exc), url=shown) from None
        return store

    def _first_contact(self, exc: Exception) -> str:
        redis = self._redis
        reason = _scrub(str(exc), self._secrets) or type(exc).__name__
        upper = reason.upper()
        refused = isinstance(exc, redis.AuthenticationError) or "WRONGPASS" in upper
        if "NOAUTH" in upper or (refused and not self._secrets):
            return f"the Redis server asks for a password the URL does not give: {reason}"
        if refused:
            return f"the Redis server refused the credentials in the URL: {reason}"
        if "NOPERM" in upper or isinstance(exc, redis.exceptions.NoPermissionError):
            return f"the Redis user may not run what a shared quota needs (GET, SET, EVALSHA, TIME): {reason}"
        if isinstance(exc, redis.ConnectionError | redis.TimeoutError):
            return f"cannot reach the Redis server: {reason}"
        return f"the Redis server cannot keep a shared quota: {reason}"

    def _unavailable(self, exc: Exception) -> StoreUnavailable:
        reason = _scrub(str(exc), self._secrets) or type(exc).__name__
        return StoreUnavailable(f"{type(exc).__name__}: {reason}")

    def read(self, key: str) -> tuple[State | None, float]:
        raw, now = self._read(key)
        return _loads(raw), now

    def _read(self, key: str) -> tuple[bytes | None, float]:
        try:
            pipe = self._client.pipeline(transaction=False)
            pipe.get(key)
            pipe.time()
            raw, (seconds, micros) = pipe.execute()
        except self._redis.RedisError as exc:
            raise self._unavailable(exc) from None
        return raw, seconds + micros / 1e6

    def transact(self, key: str, decide: Decide[T]) -> T:
        for _ in range(MAX_CONFLICTS):
            raw, now = self._read(key)
            result, new = decide(_loads(raw), now)
            if new is None:
                return result
            try:
                written = self._cas(
                    keys=[key], args=[raw or b"", _dumps(new), int(STATE_TTL * 1000)]
                )
            except self._redis.RedisError as exc:
                raise self._unavailable(exc) from None
            if written:
                return result
        raise StoreUnavailable(f"{MAX_CONFLICTS} conflicting writes in a row")

    def ping(self) -> None:
        try:
            self._client.ping()
        except self._redis.RedisError as exc:
            raise self._unavailable(exc) from None

    def close(self) -> None:
        self._client.close()


# -- SQLite -------------------------------------------------------------------------------------


def default_sqlite_path() -> Path:
    """Where ``sqlite://`` (no path) keeps this user's quotas: beside the stored login, in the
    config directory (``$GOTO_CONFIG_DIR``, else ``~/.config/gototraining``, ...)."""
    from .token_store import config_dir

    return config_dir() / DEFAULT_SQLITE_NAME


class SqliteStore:
    """A quota's state as one row (JSON) per account in an SQLite file; see the module
    docstring. For the processes of one machine, on a local disk (SQLite's locks are not to be
    trusted on network file systems)."""

    kind = "sqlite"

    def __init__(self, path: Path, url: str, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.url = url
        self._clock = clock
        self._lock = threading.Lock()
        self._pid = -1
        self._connection: Any = None

    def __repr__(self) -> str:
        return f"SqliteStore({self.url!r})"

    @classmethod
    def open(cls, url: str, *, param: str, clock: Callable[[], float] = time.time) -> SqliteStore:
        shown = url.strip()
        parts = urlsplit(shown)
        if parts.netloc:
            raise ValidationError(
                param,
                f"{shown}: an SQLite URL names a file on this machine, sqlite:///absolute/path "
                "(three slashes), or sqlite:// for the default file",
            )
        if parts.query or parts.fragment:
            raise ValidationError(param, f"{shown}: an SQLite URL takes no query")
        raw = unquote(parts.path)
        if raw in ("", "/"):
            path, private = default_sqlite_path(), True
        else:
            if sys.platform == "win32" and len(raw) > 2 and raw[0] == "/" and raw[2] == ":":
                raw = raw[1:]  # sqlite:///C:/dir/file
            path, private = Path(raw), False
            if not path.is_absolute():
                raise ValidationError(param, f"{shown}: the path must be absolute")
        try:
            _prepare_file(path, private=private)
        except _Unsafe as exc:
            raise RateLimitStoreError(str(exc), url=shown) from None
        except OSError as exc:
            raise RateLimitStoreError(
                f"cannot create {path}: {exc.strerror or exc}", url=shown
            ) from None
        store = cls(path, shown, clock)
        try:
            store.read(KEY_PREFIX + "-")
        except StoreUnavailable as exc:
            raise RateLimitStoreError(f"cannot use {path}: {exc}", url=shown) from None
        return store

    def _connect(self) -> Any:
        # One connection per process (a connection is never used across fork) and thread-safe
        # through our lock; the limiter serialises its own operations anyway.
        import sqlite3

        if self._connection is not None and self._pid == os.getpid():
            return self._connection
        connection = sqlite3.connect(
            self.path,
            timeout=SQLITE_BUSY_TIMEOUT,
            isolation_level=None,
            check_same_thread=False,
        )
        try:
            # WAL: readers never block the writer; NORMAL: no fsync per commit (the state is
            # worth seconds; a crash of the machine loses nothing anyone needs).
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS quota "
                "(account TEXT PRIMARY KEY, state TEXT NOT NULL, updated REAL NOT NULL)"
            )
            connection.execute("DELETE FROM quota WHERE updated < ?", (self._clock() - STATE_TTL,))
        except BaseException:
            connection.close()
            raise
        self._connection, self._pid = connection, os.getpid()
        return connection

    def _run(self, key: str, decide: Decide[T] | None) -> tuple[T | None, State | None, float]:
        import sqlite3

        with self._lock:
            try:
                connection = self._connect()
                connection.execute("BEGIN IMMEDIATE" if decide is not None else "BEGIN")
                try:
                    row = connection.execute(
                        "SELECT state FROM quota WHERE account = ?", (key,)
                    ).fetchone()
                    now = self._clock()  # inside the transaction: times follow commit order
                    state = _loads(row[0] if row else None)
                    result: T | None = None
                    if decide is not None:
                        result, new = decide(state, now)
                        if new is not None:
                            connection.execute(
                                "INSERT OR REPLACE INTO quota (account, state, updated) "
                                "VALUES (?, ?, ?)",
                                (key, _dumps(new), now),
                            )
                    connection.execute("COMMIT")
                except BaseException:
                    if connection.in_transaction:
                        connection.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                self._discard()
                raise StoreUnavailable(f"{type(exc).__name__}: {exc}") from None
        return result, state, now

    def _discard(self) -> None:
        import sqlite3

        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(sqlite3.Error):  # a broken connection is dropped anyway
                connection.close()

    def transact(self, key: str, decide: Decide[T]) -> T:
        result, _, _ = self._run(key, decide)
        return result  # type: ignore[return-value]  # decide was given: result is set

    def read(self, key: str) -> tuple[State | None, float]:
        _, state, now = self._run(key, None)
        return state, now

    def ping(self) -> None:
        self._run(KEY_PREFIX + "-", lambda state, now: (None, None))

    def close(self) -> None:
        with self._lock:
            self._discard()


class _Unsafe(Exception):
    """A path another local user could change, or that is not a plain file of ours."""


def _prepare_file(path: Path, *, private: bool) -> None:
    """Create the file (mode 0600; ``private``: in a directory of mode 0700, made if missing)
    or check the one there: a regular file (no symlink), ours, that no other user can write,
    in a directory no other user can write (SQLite puts its ``-wal`` and ``-shm`` files beside
    it). ``private`` (the default file): nobody else may even read them. ``_Unsafe`` says what
    is wrong."""
    posix = hasattr(os, "geteuid")
    others = 0o077 if private else 0o002  # what other users must not have
    directory = path.parent
    if private:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.stat(directory)
    if not stat.S_ISDIR(info.st_mode):
        raise _Unsafe(f"{directory} is not a directory")
    if posix and private and info.st_uid != os.geteuid():
        raise _Unsafe(f"{directory} belongs to another user")
    if posix and info.st_mode & others & 0o022:
        raise _Unsafe(
            f"{directory} can be written by other users (mode {stat.S_IMODE(info.st_mode):o}), "
            "who could change or replace the quota file: use a directory of your own"
        )
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError:
        if os.path.islink(path):
            raise _Unsafe(f"{path} is a symlink, not a quota file (remove it)") from None
        raise
    try:
        info = os.fstat(fd)
    finally:
        os.close(fd)
    if not stat.S_ISREG(info.st_mode):
        raise _Unsafe(f"{path} is not a regular file")
    if posix and info.st_uid != os.geteuid():
        raise _Unsafe(f"{path} belongs to another user")
    if posix and info.st_mode & others:
        raise _Unsafe(
            f"{path} can be changed{' or read' if private else ''} by other users (mode "
            f"{stat.S_IMODE(info.st_mode):o}): chmod 600 it"
        )


# -- the state as stored ------------------------------------------------------------------------


def _dumps(state: State) -> str:
    return json.dumps(state, separators=(",", ":"), allow_nan=False)


def _loads(raw: bytes | str | None) -> State | None:
    """The stored state, or ``None`` if there is none or it is unreadable (a fresh start)."""
    if raw is None or raw == b"" or raw == "":
        return None
    try:
        state = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    return state if isinstance(state, dict) else None
