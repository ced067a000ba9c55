"""``gototraining._files.atomic_write``: the one atomic-write helper (downloads, the CLI's CSV
files and token store)."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
from gototraining._files import atomic_write


def test_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    dest = tmp_path / "out.csv"
    dest.write_bytes(b"old")
    with atomic_write(dest) as fh:
        fh.write(b"new ")
        assert dest.read_bytes() == b"old"  # nothing visible before the block ends
        (tmp,) = (p for p in tmp_path.iterdir() if p != dest)
        assert tmp.name.startswith(".out.csv.") and tmp.name.endswith(".tmp")
        fh.write(b"content")
    assert dest.read_bytes() == b"new content"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


@pytest.mark.parametrize("error", [ValueError, KeyboardInterrupt])
def test_an_error_deletes_the_temporary_and_keeps_the_old_file(
    tmp_path: Path, error: type[BaseException]
) -> None:
    dest = tmp_path / "rec.mp4"
    dest.write_bytes(b"previous")
    with pytest.raises(error), atomic_write(dest, suffix=".part") as fh:
        fh.write(b"half")
        assert any(p.name.endswith(".part") for p in tmp_path.iterdir())
        raise error
    assert dest.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["rec.mp4"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_mode_applies_from_creation_whatever_the_umask(tmp_path: Path) -> None:
    dest = tmp_path / "tokens.json"
    old = os.umask(0)
    try:
        with atomic_write(dest, mode=0o600) as fh:
            # Already private while being written, not only after a chmod at the end.
            assert stat.S_IMODE(os.fstat(fh.fileno()).st_mode) == 0o600
            fh.write(b"{}")
        with atomic_write(tmp_path / "plain.csv") as fh:
            fh.write(b"a\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "plain.csv").stat().st_mode) == 0o666  # umask 0: all of it


def test_missing_directory_raises_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), atomic_write(tmp_path / "nope" / "x"):
        pytest.fail("the block must not run")
