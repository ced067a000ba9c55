"""``registrants import`` in a shared directory (``/tmp``) where another local user planted
files before the victim ran it: a symlink at the journal's or the results file's name pointing
at one of the victim's files, or a FIFO the attacker reads. The victim's files are never
overwritten, nothing is written into the attacker's FIFO: side files are created with
``O_EXCL | O_NOFOLLOW``, and a path owned by someone else in a world-writable directory is
refused."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
from gototraining.sandbox import Sandbox

from .conftest import Run, read_results, write_people

PRECIOUS = "the victim's own file\n"
#: A user the planted files belong to (``nobody``).
OTHER_UID = 65534

needs_root = pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() != 0,
    reason="planting files owned by another user needs root (os.lchown)",
)


@pytest.fixture
def victim_file(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    victim = home / ".bashrc"
    victim.write_text(PRECIOUS)
    return victim


@pytest.fixture
def shared_dir(tmp_path: Path) -> Path:
    """A directory like /tmp: world-writable, sticky."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    return shared


def test_a_symlink_at_the_journal_s_name_is_not_followed(
    training: str, run: Run, tmp_path: Path, victim_file: Path, sb: Sandbox
) -> None:
    """Even where the user may remove it (their own directory), a planted link is replaced by
    a new journal, never written through."""
    people = tmp_path / "people.csv"
    write_people(people, 3)
    journal = tmp_path / "people.results.csv.journal"
    journal.symlink_to(victim_file)
    result = run("registrants", "import", training, str(people))
    assert result.exit_code == 0, result.output
    assert victim_file.read_text() == PRECIOUS
    assert len(read_results(tmp_path / "people.results.csv")) == 3
    assert not journal.exists() and not journal.is_symlink()  # done: the journal is gone


@needs_root
@pytest.mark.parametrize("planted", ["results", "journal"])
def test_a_symlink_planted_by_another_user_in_a_shared_directory_is_refused(
    training: str,
    run: Run,
    shared_dir: Path,
    victim_file: Path,
    sb: Sandbox,
    planted: str,
) -> None:
    people = shared_dir / "people.csv"
    write_people(people, 3)
    name = "people.results.csv" + (".journal" if planted == "journal" else "")
    link = shared_dir / name
    link.symlink_to(victim_file)
    os.lchown(link, OTHER_UID, OTHER_UID)
    result = run("registrants", "import", training, str(people))
    assert result.exit_code == 2, result.output
    assert "another user" in result.stderr
    assert victim_file.read_text() == PRECIOUS
    assert sb.request_count("registerForTraining") == 0  # refused before anything was sent


@needs_root
def test_a_fifo_planted_by_another_user_gets_nothing(
    training: str, run: Run, shared_dir: Path, sb: Sandbox
) -> None:
    people = shared_dir / "people.csv"
    write_people(people, 2)
    fifo = shared_dir / "people.results.csv"
    os.mkfifo(fifo)
    os.chown(fifo, OTHER_UID, OTHER_UID)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # the attacker, listening
    try:
        result = run("registrants", "import", training, str(people))
        assert result.exit_code == 2, result.output
        assert "another user" in result.stderr
        try:
            leaked = os.read(reader, 65536)
        except BlockingIOError:
            leaked = b""
        assert leaked == b""
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_own_symlinks_are_still_followed(
    training: str, run: Run, tmp_path: Path, shared_dir: Path
) -> None:
    """A user's own link (a dotfile manager, a results file kept elsewhere) keeps working,
    in a shared directory too."""
    people = shared_dir / "people.csv"
    write_people(people, 2)
    kept = tmp_path / "kept.csv"
    (shared_dir / "people.results.csv").symlink_to(kept)
    result = run("registrants", "import", training, str(people))
    assert result.exit_code == 0, result.output
    assert len(read_results(kept)) == 2
