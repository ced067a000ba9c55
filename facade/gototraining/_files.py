"""Writing a file atomically: the one implementation used by downloads, the CLI's CSV files and
its token store.

``atomic_write(path)`` yields a binary file object on a new temporary file in ``path``'s
directory (same directory, hence same file system, so the final rename is atomic). When the
``with`` block ends normally the file is flushed, ``fsync``-ed, closed and ``os.replace``-d onto
``path``; when it raises (anything, including ``KeyboardInterrupt`` and task cancellation) the
temporary file is closed and deleted and the exception propagates. A reader of ``path`` thus
sees the old file or the new one, never half of one, and no temporary file is left behind.

The temporary file is created with ``O_CREAT | O_EXCL`` and ``mode`` (default ``0o666``, so the
process umask applies as for any new file): pass ``mode=0o600`` for secrets, which are then
never readable by others, not even for a moment.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["atomic_write"]

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _create(path: Path, suffix: str, mode: int) -> tuple[Path, int]:
    """A new hidden file ``.<name>.<random><suffix>`` next to ``path``: (its path, fd)."""
    import secrets  # lazily: only downloads need it (keeps ``import gototraining`` cheap)

    while True:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}{suffix}")
        try:
            return tmp, os.open(tmp, _FLAGS, mode)
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str], *, mode: int | None = None, suffix: str = ".tmp"
) -> Iterator[IO[bytes]]:
    """Write ``path`` atomically (see the module docstring); yields the binary file object.

    Args:
        path: the destination; its directory must exist. An existing file is replaced.
        mode: permission bits of the new file (``None``: ``0o666`` minus the umask).
        suffix: of the temporary file's name (``.part`` for downloads).
    """
    final = Path(path)
    tmp, fd = _create(final, suffix, 0o666 if mode is None else mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
