"""An exclusive lock shared by processes: ``flock`` on POSIX, ``msvcrt.locking`` on Windows.

The token store's refreshes and writes take it (see ``token_store``). Why not the
``filelock`` library: it opens the lock file with ``O_TRUNC`` and follows symlinks (a link
planted in its place truncates whatever it points to), creates it readable by everyone, and
would be a fourth runtime dependency for some forty lines.

- The lock file is created with mode 0600 and opened with ``O_NOFOLLOW``: a symlink in its
  place is refused, never followed. A file owned by another user is refused too (POSIX).
- ``flock`` locks belong to the open file, not to the process: two ``FileLock`` objects for
  one path exclude each other even in one process (two clients sharing a login), and the
  lock goes away with the process however it ends (no stale lock after ``kill -9``).
- ``try_acquire`` never blocks, so the sans-IO auth flow's drivers can wait for it the
  way each of them waits (a thread sleeps, a task awaits) and give up at their deadline.
"""

from __future__ import annotations

import os
import stat
import sys
import threading
import time
from pathlib import Path

__all__ = ["FileLock", "LockFileError"]

_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
#: First and longest pause between two tries of a blocking ``FileLock.acquire``.
_FIRST_PAUSE, _LONGEST_PAUSE = 0.001, 0.05


class LockFileError(OSError):
    """The lock file cannot be used (a symlink, not a regular file, someone else's)."""


def pauses() -> list[float]:
    """The pauses between tries of a lock: short at first (the holder usually finishes in a
    few milliseconds), then at most ``_LONGEST_PAUSE``."""
    pause, out = _FIRST_PAUSE, []
    while pause < _LONGEST_PAUSE:
        out.append(pause)
        pause *= 2
    return out


class FileLock:
    """An exclusive lock on ``path`` between processes (and between ``FileLock`` objects).

    Not reentrant. One object is used by one holder at a time (the caller serialises).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._guard = threading.Lock()

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def _open(self) -> int:
        try:
            fd = os.open(self.path, _FLAGS, 0o600)
        except OSError as exc:
            if os.path.islink(self.path):
                raise LockFileError(
                    exc.errno, f"{self.path} is a symlink, not a lock file (remove it)"
                ) from None
            raise
        info = os.fstat(fd)
        problem = None
        if not stat.S_ISREG(info.st_mode):
            problem = "is not a regular file"
        elif hasattr(os, "geteuid") and info.st_uid != os.geteuid():
            problem = "belongs to another user"
        if problem is not None:
            os.close(fd)
            raise LockFileError(0, f"{self.path} {problem}: remove it")
        return fd

    def try_acquire(self) -> bool:
        """Take the lock if it is free; ``False`` at once if another holder has it.

        Raises:
            OSError: the lock file cannot be created or used (``LockFileError``).
        """
        with self._guard:
            if self._fd is not None:
                raise RuntimeError("FileLock is not reentrant")
            fd = self._open()
            try:
                taken = _lock(fd)
            except BaseException:
                os.close(fd)
                raise
            if not taken:
                os.close(fd)
                return False
            self._fd = fd
            return True

    def acquire(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the lock (blocking this thread); whether it
        was taken."""
        deadline = time.monotonic() + timeout
        schedule = iter(pauses())
        while not self.try_acquire():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(next(schedule, _LONGEST_PAUSE), left))
        return True

    def release(self) -> None:
        """Let the lock go (nothing happens if it is not held). Never blocks."""
        with self._guard:
            fd, self._fd = self._fd, None
        if fd is not None:
            try:
                _unlock(fd)
            finally:
                os.close(fd)  # closing alone would release it too


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
