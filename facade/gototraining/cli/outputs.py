"""Where an output file of the CLI goes (``--csv``, ``--results``), decided once per path.

* ``-``: standard output.
* ``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N``, ``/proc/self/fd/N``: that file descriptor of
  this process, written as it is (no reopening: a shell's ``>>`` stays an append, a pipe
  stays the same pipe).
* An existing FIFO, character device or socket (after following symlinks): opened and
  written into, like a shell's ``>`` does. Replacing it would leave a pipe's reader with
  nothing while the command reports success.
* Anything else is a regular file (or does not exist yet): written atomically
  (``gototraining.atomic_write``: a temporary file in the same directory, fsynced, then
  renamed over the old one), so a reader never sees half a file. A symlink is written
  *through*: the file it points to is replaced and the link stays a link.
* A directory is refused (``IsADirectoryError``).
* In a world-writable directory (``/tmp``), an existing entry -- a symlink, a FIFO, a file --
  that belongs to another user (neither this user nor the directory's owner, the rule of
  Linux's ``protected_symlinks``) is refused (``PermissionError``): another user may have
  planted it to have this command overwrite one of its files, or to read the data.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
from pathlib import Path

import attrs

from gototraining import atomic_write

from .sanitize import printable

__all__ = ["STDOUT", "Output", "resolve_output"]

STDOUT = "-"

# Names of this process's own file descriptors; /dev/fd and /proc/self/fd are "magic" links
# whose target is not a path one could replace.
_FD_PATH = re.compile(r"^/(?:dev/fd|proc/self/fd)/(\d+)$")
_STD_PATHS = {"/dev/stdout": 1, "/dev/stderr": 2}


@attrs.frozen
class Output:
    """A resolved destination: exactly one of ``stdout``, ``fd``, ``stream`` or ``file``."""

    name: str
    #: ``-``: ``sys.stdout`` (so that a test runner capturing it sees the data).
    stdout: bool = False
    #: A file descriptor of this process, written without closing it.
    fd: int | None = None
    #: A special file (FIFO, device) opened and written into.
    stream: Path | None = None
    #: A regular file (or a new one) replaced atomically: the final target of any symlink.
    file: Path | None = None

    @property
    def is_stdout(self) -> bool:
        """``-``, or standard output by another name (``/dev/stdout``, ``/dev/fd/1``)."""
        return self.stdout or self.fd == 1

    @property
    def replaceable(self) -> bool:
        """Whether the destination is a regular file that can be rewritten at any time
        (``False``: it gets its content once, with ``write``)."""
        return self.file is not None

    def write(self, data: bytes) -> None:
        """Put ``data`` there (atomically for a regular file)."""
        if self.stdout:
            if _stdout_is_terminal():
                # Someone reads it: names are attacker-controlled, so escape sequences are
                # shown, not run. A pipe or a file gets the data as it is.
                data = printable(data.decode("utf-8"), multiline=True).encode("utf-8")
            sys.stdout.flush()
            buffer = getattr(sys.stdout, "buffer", None)
            if buffer is not None:
                buffer.write(data)
                buffer.flush()
            else:  # a text-only stream (some test runners)
                sys.stdout.write(data.decode("utf-8"))
                sys.stdout.flush()
        elif self.fd is not None:
            if self.fd in (1, 2):  # keep the order of what Python buffered before
                (sys.stdout if self.fd == 1 else sys.stderr).flush()
            view = memoryview(data)
            while view:
                view = view[os.write(self.fd, view) :]
        elif self.stream is not None:
            with self.stream.open("wb") as fh:
                fh.write(data)
        else:
            assert self.file is not None
            with atomic_write(self.file) as fh:
                fh.write(data)


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def refuse_planted(path: Path) -> None:
    """``PermissionError`` if ``path`` exists in a world-writable directory and belongs to
    another user than this one and the directory's owner (see the module docstring)."""
    if os.name != "posix":
        return
    try:
        entry = os.lstat(path)
        directory = os.stat(path.absolute().parent)
    except FileNotFoundError:
        return
    trusted = (os.geteuid(), directory.st_uid)
    if directory.st_mode & stat.S_IWOTH and entry.st_uid not in trusted:
        kind = "a symlink" if stat.S_ISLNK(entry.st_mode) else "a file"
        raise PermissionError(
            errno.EPERM,
            f"{kind} that belongs to another user, in a world-writable directory: not used "
            "(it may have been planted there); remove it or choose another name",
        )


def resolve_output(name: str) -> Output:
    """Decide where ``name`` (a path or ``-``) goes; see the module docstring.

    Raises:
        IsADirectoryError: ``name`` is (or points to) a directory.
        OSError: the path cannot be examined (permissions, a symlink loop, ...).
    """
    if name == STDOUT:
        return Output(name, stdout=True)
    absolute = os.path.abspath(name)
    match = _FD_PATH.match(absolute)
    if match or absolute in _STD_PATHS:
        fd = int(match.group(1)) if match else _STD_PATHS[absolute]
        return Output(name, fd=fd)
    refuse_planted(Path(name))
    try:
        mode = os.stat(name).st_mode  # follows symlinks
    except FileNotFoundError:
        mode = None  # a new file, or a symlink to one that does not exist yet
    if mode is not None and stat.S_ISDIR(mode):
        raise IsADirectoryError(21, "Is a directory", name)
    if mode is not None and not stat.S_ISREG(mode):
        return Output(name, stream=Path(name))
    return Output(name, file=Path(os.path.realpath(name)))
