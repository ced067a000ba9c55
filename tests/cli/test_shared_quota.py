"""The CLI shares the account's quota between its own processes by default (an SQLite file in
the private config directory), and waits for the quota as long as it takes unless
``--max-queue-wait`` says otherwise."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from gototraining.sandbox import Sandbox
from gototraining.sandbox.core import RateLimiter as ServerRateLimiter

from .conftest import Run, write_people


@pytest.fixture
def limited(env: Sandbox) -> Iterator[Sandbox]:
    """The sandbox enforcing GoTo's 10 requests/s (429 above it)."""
    env.core.limiter = ServerRateLimiter(10)
    try:
        yield env
    finally:
        env.core.limiter = None


def _import(training: str, people: Path, *options: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "gototraining.cli", *options, "registrants", "import", training,
         str(people)],
        env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.mark.parametrize(
    "options", [(), ("--rate-limit-url", "memory://")], ids=["default", "alone"]
)
def test_two_imports_at_once_stay_within_the_quota_together(
    training: str, limited: Sandbox, config_dir: Path, tmp_path: Path, options: tuple[str, ...]
) -> None:
    """Two ``registrants import`` runs at once, no flag: together within 10 requests/s, no
    429. (``--rate-limit-url memory://``, each process pacing itself, is the negative control:
    together they send twice the limit.) Both start together: the first request of each is
    held by the sandbox until both have arrived."""
    sb = limited
    files = [tmp_path / "a.csv", tmp_path / "b.csv"]
    emails = write_people(files[0], 25) + write_people(files[1], 25, start=100)
    mark = len(sb.requests)
    gate = sb.faults.add(None, hold=True, times=2)
    runs = [_import(training, people, *options) for people in files]
    try:
        assert gate.wait_held(2, timeout=120), "the two imports never both started"
        gate.release()
        for process in runs:
            _, err = process.communicate(timeout=300)
            assert process.returncode == 0, err
    finally:
        for process in runs:
            if process.poll() is None:
                process.kill()
    statuses = Counter(r.status for r in sb.requests[mark:])
    assert Counter(r.email for r in sb.registrants(training)) == Counter(emails)
    if options:
        assert statuses[429] > 0, statuses
        return
    assert statuses[429] == 0, statuses
    quota = config_dir / "ratelimit.sqlite3"
    assert stat.S_IMODE(config_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(quota.stat().st_mode) == 0o600


def test_commands_wait_for_the_quota_unless_max_queue_wait_bounds_it(
    training: str, env: Sandbox, run: Run
) -> None:
    """A person can Ctrl-C: commands wait for the quota as long as it asks (the library's
    default bound, the call's timeout, would end ``trainings list`` at once on a
    ``Retry-After`` of 45 s); ``--max-queue-wait`` bounds it, and the error names the flag."""
    from gototraining.cli.context import State

    with State().client() as client:
        assert client.options.max_queue_wait is None  # no bound: a Retry-After of 45 s is waited
    with State(max_queue_wait=5).client() as client:
        assert client.options.max_queue_wait == 5
    env.faults.add("getAllTrainings", statuses=[429], retry_after=1, times=1)
    result = run("--max-queue-wait", "0.5", "trainings", "list")
    assert result.exit_code == 1
    assert "more than is left of max_queue_wait (" in result.stderr  # refused, not waited
    assert "--max-queue-wait allows" in result.stderr
    env.faults.add("getAllTrainings", statuses=[429], retry_after=1, times=1)
    result = run("trainings", "list")
    assert result.exit_code == 0, result.stderr
    assert "Python 101" in result.stdout


def test_a_bad_or_unusable_store_is_reported_before_any_request(
    env: Sandbox, run: Run, tmp_path: Path
) -> None:
    mark = len(env.requests)
    bad = run("--rate-limit-url", "ftp://nowhere", "trainings", "list")
    assert bad.exit_code == 2
    assert "--rate-limit-url" in bad.stderr and "unknown store" in bad.stderr
    dead = run("--rate-limit-url", "redis://:hunter2-secret@127.0.0.1:1/0", "trainings", "list")
    assert dead.exit_code == 1
    assert "cannot reach the Redis server" in dead.stderr
    assert "hunter2-secret" not in dead.stderr + dead.stdout
    open_dir = tmp_path / "open"
    open_dir.mkdir()
    open_dir.chmod(0o777)
    shared = run("--rate-limit-url", f"sqlite://{open_dir}/q.sqlite3", "trainings", "list")
    assert shared.exit_code == 1 and "can be written by other users" in shared.stderr
    assert env.requests[mark:] == []


def test_a_default_quota_file_that_cannot_be_made_is_a_warning_not_a_failure(
    env: Sandbox, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only home or a container's odd HOME must not stop a command that the user did
    not ask to share: it paces itself and says so. A store the user named must work."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("GOTO_CONFIG_DIR", str(blocker / "gototraining"))
    result = run("trainings", "list")
    assert result.exit_code == 0, result.stderr
    assert "warning: the quota cannot be shared" in result.stderr
    named = run("--rate-limit-url", "sqlite://", "trainings", "list")
    assert named.exit_code == 1 and "cannot create" in named.stderr
