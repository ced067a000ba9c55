"""Output paths of ``--csv`` / ``--results``: a FIFO, ``/dev/fd/1`` and a symlink are written
*into*; only a regular file is replaced atomically; ``-`` is stdout everywhere."""

from __future__ import annotations

import csv
import io
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from gototraining.cli.outputs import resolve_output
from gototraining.sandbox import Sandbox

from .conftest import Run, read_results, write_people

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX special files")

HANG = 120.0


@pytest.fixture
def roster(training: str, run: Run, tmp_path: Path) -> list[str]:
    """Three people registered for ``training``; their emails."""
    people = tmp_path / "registered.csv"
    emails = write_people(people, 3)
    result = run("--rate-limit", "0", "registrants", "import", training, str(people))
    assert result.exit_code == 0, result.output
    return emails


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A FIFO and its read end, opened (non-blocking) before the CLI writes, as a waiting
    pipe reader would be."""
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        yield path, reader
    finally:
        os.close(reader)


def _drain(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:  # the writer is gone and everything was read
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8")


def _emails(text: str) -> list[str]:
    return sorted(row["email"] for row in csv.DictReader(io.StringIO(text)))


def test_export_into_a_fifo(
    training: str, roster: list[str], run: Run, fifo: tuple[Path, int]
) -> None:
    path, reader = fifo
    result = run("registrants", "export", training, "--csv", str(path))
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(path.lstat().st_mode)  # still the FIFO, not a file put in its place
    assert _emails(_drain(reader)) == roster
    assert f"Exported 3 registrant(s) to {path}" in result.stderr


def test_import_results_into_a_fifo(
    training: str, run: Run, tmp_path: Path, fifo: tuple[Path, int]
) -> None:
    path, reader = fifo
    people = tmp_path / "people.csv"
    emails = write_people(people, 4)
    result = run("registrants", "import", training, str(people), "--results", str(path))
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(path.lstat().st_mode)
    text = _drain(reader)  # the final table, once
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["email"] for r in rows] == emails and {r["status"] for r in rows} == {"registered"}
    assert not (tmp_path / "pipe.csv.journal").exists()


def _cli(
    sb: Sandbox, *args: str, stdout: int | io.BufferedWriter = subprocess.PIPE
) -> subprocess.CompletedProcess[bytes]:
    env = {
        **os.environ,
        "GOTO_BASE_URL": sb.url,
        "GOTO_ACCESS_TOKEN": sb.token,
        "GOTO_ORGANIZER_KEY": sb.organizer_key,
    }
    return subprocess.run(
        [sys.executable, "-m", "gototraining.cli", *args],
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=HANG,
        check=False,
    )


@pytest.mark.parametrize("name", ["/dev/fd/1", "/dev/stdout", "/proc/self/fd/1"])
def test_export_to_dev_fd_1_reaches_the_pipe(
    training: str, roster: list[str], sb: Sandbox, name: str
) -> None:
    if not os.path.exists(name):
        pytest.skip(f"{name} does not exist here")
    proc = _cli(sb, "registrants", "export", training, "--csv", name)
    assert proc.returncode == 0, proc.stderr
    assert _emails(proc.stdout.decode()) == roster
    assert f"Exported 3 registrant(s) to {name}".encode() in proc.stderr


def test_dev_fd_1_keeps_an_appending_shell_redirect(
    training: str, roster: list[str], sb: Sandbox, tmp_path: Path
) -> None:
    """``... --csv /dev/fd/1 >> log``: written through the descriptor, so the earlier content
    stays (reopening the path would truncate it; replacing it would unlink the file)."""
    log = tmp_path / "log.txt"
    log.write_text("earlier line\n", encoding="utf-8")
    with log.open("ab") as out:
        proc = _cli(sb, "registrants", "export", training, "--csv", "/dev/fd/1", stdout=out)
    assert proc.returncode == 0, proc.stderr
    text = log.read_text(encoding="utf-8")
    assert text.startswith("earlier line\n")
    assert _emails(text.removeprefix("earlier line\n")) == roster


def test_export_writes_through_a_symlink(
    training: str, roster: list[str], run: Run, tmp_path: Path
) -> None:
    target = tmp_path / "shared" / "roster.csv"
    target.parent.mkdir()
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "roster.csv"
    link.symlink_to(target)
    result = run("registrants", "export", training, "--csv", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == target  # the link stays a link ...
    assert _emails(target.read_text(encoding="utf-8")) == roster  # ... and its target is current
    assert sorted(p.name for p in target.parent.iterdir()) == ["roster.csv"]  # no temp left


def test_results_through_a_symlink(training: str, run: Run, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    emails = write_people(people, 3)
    target = tmp_path / "kept" / "results.csv"
    target.parent.mkdir()
    link = tmp_path / "results.csv"
    link.symlink_to(target)  # dangling until the first write
    result = run("registrants", "import", training, str(people), "--results", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert [r["email"] for r in read_results(target)] == emails


def test_a_regular_file_is_replaced_atomically(
    training: str, roster: list[str], run: Run, tmp_path: Path
) -> None:
    out = tmp_path / "roster.csv"
    out.write_text("old\n", encoding="utf-8")
    before = out.stat().st_ino
    assert run("registrants", "export", training, "--csv", str(out)).exit_code == 0
    assert out.stat().st_ino != before  # a new file renamed over the old one
    assert _emails(out.read_text(encoding="utf-8")) == roster


def test_results_dash_is_stdout_and_the_summary_goes_to_stderr(
    training: str, run: Run, tmp_path: Path
) -> None:
    people = tmp_path / "people.csv"
    emails = write_people(people, 3)
    result = run("registrants", "import", training, str(people), "--results", "-")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))  # nothing else on stdout
    assert [r["email"] for r in rows] == emails and {r["status"] for r in rows} == {"registered"}
    assert "registered now" in result.stderr
    assert "Results (join URL or error per person): standard output" in result.stderr
    assert not list(tmp_path.glob("*.results.csv*"))


def test_people_from_stdin(training: str, run: Run, tmp_path: Path, sb: Sandbox) -> None:
    source = tmp_path / "people.csv"
    emails = write_people(source, 2)
    text = source.read_text(encoding="utf-8")
    out = tmp_path / "out.csv"
    result = run("registrants", "import", training, "-", "--results", str(out), input=text)
    assert result.exit_code == 0, result.output
    assert [r["email"] for r in read_results(out)] == emails
    missing = run("registrants", "import", training, "-", input=text)
    assert missing.exit_code == 2 and "needs --results" in missing.stderr


@pytest.mark.parametrize("stdout", ["-", "/dev/stdout", "/dev/fd/1"])
def test_results_on_stdout_with_json_is_a_usage_error(
    training: str, run: Run, tmp_path: Path, sb: Sandbox, stdout: str
) -> None:
    people = tmp_path / "people.csv"
    write_people(people, 1)
    result = run("registrants", "import", training, str(people), "--results", stdout, "--json")
    assert result.exit_code == 2 and "both write to stdout" in result.stderr
    assert sb.request_count("registerForTraining") == 0
    export = run("registrants", "export", training, "--csv", stdout, "--json")
    assert export.exit_code == 2 and "both go to stdout" in export.stderr


def test_a_directory_is_refused_before_anything_is_sent(
    env: Sandbox, run: Run, tmp_path: Path
) -> None:
    result = run("registrants", "export", "12345", "--csv", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == f"error: --csv {tmp_path}: Is a directory\n"
    assert env.request_count() == 0


def test_resolve_output_kinds(tmp_path: Path) -> None:
    assert resolve_output("-").stdout
    assert resolve_output("/dev/fd/1").fd == 1 and resolve_output("/dev/stderr").fd == 2
    assert resolve_output("/proc/self/fd/7").fd == 7
    new = resolve_output(str(tmp_path / "new.csv"))
    assert new.replaceable and new.file == tmp_path / "new.csv"
    if os.path.exists("/dev/null"):
        assert resolve_output("/dev/null").stream == Path("/dev/null")
    with pytest.raises(IsADirectoryError):
        resolve_output(str(tmp_path))
