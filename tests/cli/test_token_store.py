"""The token store in the situations users (and attackers) create: a symlinked ``tokens.json``,
one readable by others, a config directory that cannot be written, a directory in place of the
file. Each has a decided outcome (``gototraining.token_store``); none loses a rotated refresh
token silently or ends in a traceback."""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gototraining import token_store as config
from gototraining._files import atomic_write
from gototraining.sandbox import Sandbox
from gototraining.token_store import StoredTokens, TokenStore, TokenStoreError

from .conftest import Run, save_sandbox_login

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes and symlinks")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def store(sb: Sandbox, config_dir: Path) -> TokenStore:
    """A stored login for the sandbox, as ``gototraining login`` leaves it."""
    return save_sandbox_login(sb, config_dir)


@pytest.fixture
def rotating(sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The refresh tokens the sandbox's token endpoint issues (it rotates them, as GoTo does:
    each refresh answers with a new one and the one used stops working)."""
    auth = sb.core.auth
    grant = auth.grant
    issued: list[str] = []

    def recorded(form: dict[str, str]) -> dict[str, Any]:
        answer = grant(form)
        if form.get("grant_type") == "refresh_token":
            issued.append(answer["refresh_token"])
        return answer

    monkeypatch.setattr(auth, "grant", recorded)
    yield issued


def _stored_refresh_token(path: Path) -> str:
    token: str = json.loads(path.read_text(encoding="utf-8"))["refresh_token"]
    return token


def _clean(stderr: str) -> None:
    assert "Traceback" not in stderr
    assert "on_token_refresh callback failed" not in stderr


def test_a_symlinked_token_file_is_written_through(
    store: TokenStore, sb: Sandbox, run: Run, tmp_path: Path, rotating: list[str]
) -> None:
    target = tmp_path / "dotfiles" / "tokens.json"
    target.parent.mkdir()
    store.path.rename(target)
    store.path.symlink_to(target)
    sb.expire_tokens()  # the next call refreshes (and rotates the refresh token)
    result = run("trainings", "list")
    assert result.exit_code == 0, result.output
    assert store.path.is_symlink() and store.path.resolve() == target
    assert _stored_refresh_token(target) == rotating[-1]  # the target is current, not stale
    assert _mode(target) == 0o600
    sb.expire_tokens()
    assert run("trainings", "list").exit_code == 0  # the rotated token works next time
    assert _stored_refresh_token(target) == rotating[-1] and len(rotating) == 2
    assert run("logout").exit_code == 0
    assert not store.path.exists() and not store.path.is_symlink() and not target.exists()


def test_a_symlink_into_a_missing_directory_is_refused_before_anything_is_sent(
    store: TokenStore, sb: Sandbox, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """save() would create the config directory, not the one the symlink points into: the
    login is refused up front instead of failing after the code was exchanged."""
    store.path.unlink()
    store.path.symlink_to(tmp_path / "missing" / "tokens.json")
    with pytest.raises(TokenStoreError, match="symlink into"):
        store.check_writable()
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    result = run(
        "login", "--client-id", sb.client_id, "--client-secret", sb.client_secret,
        "--authorize-url", sb.authorize_url, "--token-url", sb.token_url, "--timeout", "1",
    )  # fmt: skip
    assert result.exit_code == 2 and "symlink into" in result.stderr
    assert opened == [] and sb.request_count() == 0


def test_a_token_file_readable_by_others_is_made_private_with_a_warning(
    store: TokenStore, run: Run
) -> None:
    os.chmod(store.path, 0o644)
    result = run("trainings", "list")
    assert result.exit_code == 0, result.output
    assert _mode(store.path) == 0o600
    (warning,) = result.stderr.splitlines()
    assert warning.startswith(f"warning: {store.path} was accessible to other users (mode 0644)")
    assert "changed it to 0600" in warning
    assert run("trainings", "list").stderr == ""  # fixed: no warning the next time


def test_a_token_file_that_cannot_be_made_private_is_refused(
    store: TokenStore, run: Run, sb: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    os.chmod(store.path, 0o640)

    def not_owner(path: object, mode: int) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "chmod", not_owner)
    result = run("trainings", "list")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: {store.path} is accessible to other users (mode 0640) and its mode cannot be "
        "changed (Operation not permitted)"
    )
    assert len(result.stderr.splitlines()) == 1
    assert sb.request_count() == 0


@pytest.fixture(params=["chmod", "simulated"])
def read_only_config(
    request: pytest.FixtureRequest, store: TokenStore, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """The config directory cannot be written: for real (mode 0500; root may write anyway,
    so that case is skipped for root) or as ``os.access`` reports it."""
    directory = store.directory
    if request.param == "chmod":
        if os.geteuid() == 0:
            pytest.skip("root can write into a mode 0500 directory")
        os.chmod(directory, 0o500)
    else:
        real_access = os.access

        def access(path: Any, mode: int, **kw: Any) -> bool:
            if Path(path) == directory and mode & os.W_OK:
                return False
            return real_access(path, mode, **kw)

        monkeypatch.setattr(os, "access", access)
    try:
        yield directory
    finally:
        os.chmod(directory, 0o700)


def test_a_read_only_config_directory_is_refused_before_anything_is_sent(
    read_only_config: Path, store: TokenStore, sb: Sandbox, run: Run
) -> None:
    sb.expire_tokens()  # a call would refresh, and the rotated token would have nowhere to go
    result = run("trainings", "list")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: cannot save tokens in {read_only_config}: the directory is not")
    assert "GOTO_CONFIG_DIR" in line
    _clean(result.stderr)
    assert sb.request_count() == 0  # no request, so no refresh, so nothing lost


def test_login_into_a_read_only_config_directory_fails_before_the_browser(
    read_only_config: Path, sb: Sandbox, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    result = run(
        "login", "--client-id", sb.client_id, "--client-secret", sb.client_secret,
        "--authorize-url", sb.authorize_url, "--token-url", sb.token_url, "--timeout", "1",
    )  # fmt: skip
    assert result.exit_code == 2 and "not writable" in result.stderr
    assert opened == []


class DiskFull:
    """Replaces the store's ``atomic_write``: fails the first ``failures`` saves (ENOSPC)."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0
        self.real = atomic_write

    def __call__(self, path: Any, **kw: Any) -> Any:
        self.calls += 1
        if self.calls <= self.failures:
            raise OSError(errno.ENOSPC, "No space left on device")
        return self.real(path, **kw)


def test_a_refreshed_token_that_cannot_be_saved_is_reported_not_lost_silently(
    store: TokenStore, sb: Sandbox, run: Run, rotating: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _stored_refresh_token(store.path)
    monkeypatch.setattr("gototraining.token_store.atomic_write", DiskFull(failures=2))
    sb.expire_tokens()
    result = run("trainings", "list", "--json")
    assert json.loads(result.stdout) == []  # the command itself did its job ...
    assert result.exit_code == 2  # ... but the login is lost, and the user is told
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: the refreshed tokens could not be saved (cannot save tokens")
    assert "No space left on device" in line and "run 'gototraining login' again" in line
    _clean(result.stderr)
    assert _stored_refresh_token(store.path) == before  # the old file is intact (atomic)
    for secret in rotating:
        assert secret not in result.output


def test_a_failed_save_is_retried_when_the_command_ends(
    store: TokenStore, sb: Sandbox, run: Run, rotating: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    disk = DiskFull(failures=1)
    monkeypatch.setattr("gototraining.token_store.atomic_write", disk)
    sb.expire_tokens()
    result = run("trainings", "list")
    assert result.exit_code == 0 and result.stderr == "", result.output
    assert disk.calls == 2
    assert _stored_refresh_token(store.path) == rotating[-1]
    sb.expire_tokens()
    assert run("trainings", "list").exit_code == 0  # the rotated token was kept


@pytest.mark.parametrize(
    "args",
    [
        ["trainings", "list"],
        ["whoami"],
        ["logout"],
        ["login", "--client-id", "c", "--client-secret", "s", "--timeout", "1"],
    ],
    ids=["trainings", "whoami", "logout", "login"],
)
def test_a_directory_in_place_of_the_token_file(
    config_dir: Path, sb: Sandbox, run: Run, args: list[str]
) -> None:
    (config_dir / "tokens.json").mkdir(parents=True)
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {config_dir / 'tokens.json'} is a directory, not a token file: remove it and "
        "log in again (or set GOTO_CONFIG_DIR to use another directory)\n"
    )
    assert sb.request_count() == 0


def _feed_fifo(path: Path, data: bytes) -> threading.Thread:
    """A writer for the FIFO at ``path`` (so that a reader could never hang on it)."""

    def write() -> None:
        fd = os.open(path, os.O_WRONLY)  # waits for a reader
        os.write(fd, data)
        os.close(fd)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def test_store_refuses_what_is_not_a_token_file(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    os.mkfifo(store.path)
    writer = _feed_fifo(store.path, b"{}")
    with pytest.raises(TokenStoreError, match="is not a regular file"):
        store.load()  # refused without opening it: a FIFO would block a reader
    reader = os.open(store.path, os.O_RDONLY | os.O_NONBLOCK)  # lets the writer finish
    writer.join()
    os.close(reader)
    store.path.unlink()
    store.path.write_text("[]", encoding="utf-8")
    os.chmod(store.path, 0o600)
    with pytest.raises(TokenStoreError, match="not a valid token file"):
        store.load()
    store.path.unlink()
    store.path.symlink_to(tmp_path / "missing.json")
    assert store.load() is None  # a link to nothing yet: not logged in
    tokens = StoredTokens("id", "secret", "https://t", "at-value", "rt-value")
    store.save(tokens)  # ... and saving creates the target through it
    assert store.path.is_symlink() and store.load() == tokens
    assert _mode(tmp_path / "missing.json") == 0o600


def test_warnings_of_the_library_store_are_python_warnings(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    store.save(StoredTokens("id", "secret", "https://t", "at-value", "rt-value"))
    os.chmod(store.path, 0o604)
    with pytest.warns(config.TokenStoreWarning, match="mode 0604"):
        assert store.load() is not None
    assert _mode(store.path) == 0o600
