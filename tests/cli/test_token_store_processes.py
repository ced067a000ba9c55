"""One stored login shared by several processes (and several clients in one process), against
the sandbox's token endpoint, which rotates refresh tokens as GoTo's does.

Every process is real (a subprocess driven line by line, see ``processes.py``), every step is
gated on an answer or an event, never on a sleep."""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gototraining import AsyncGoToTraining, GoToTraining
from gototraining._files import atomic_write
from gototraining.sandbox import Sandbox
from gototraining.token_store import TokenStore, TokenStoreError

from .conftest import Run, save_sandbox_login
from .processes import HANG, ClientProcess


@pytest.fixture
def store(sb: Sandbox, config_dir: Path) -> TokenStore:
    """The main organizer's login, as ``gototraining login`` leaves it."""
    return save_sandbox_login(sb, config_dir)


Grant = Callable[[dict[str, str]], dict[str, Any]]


class Grants:
    """Counts the token endpoint's refresh grants; ``hold_first`` holds the first refresh
    until :meth:`release` (``held`` is set once it is held)."""

    def __init__(self, sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
        self.refreshes = 0
        self.hold_first = False
        self.held = threading.Event()
        self._release = threading.Event()
        #: run before the next refresh is answered, with its form and the real grant
        self.before: list[Callable[[dict[str, str], Grant], None]] = []
        grant = sb.core.auth.grant

        def counted(form: dict[str, str]) -> dict[str, Any]:
            if form.get("grant_type") == "refresh_token":
                self.refreshes += 1
                if self.hold_first and self.refreshes == 1:
                    self.held.set()
                    assert self._release.wait(HANG)
                for action in self.before:
                    action(form, grant)
                self.before.clear()
            return grant(form)

        monkeypatch.setattr(sb.core.auth, "grant", counted)

    def release(self) -> None:
        self._release.set()


@pytest.fixture
def grants(sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Grants]:
    counter = Grants(sb, monkeypatch)
    yield counter
    counter.release()


def _stored(store: TokenStore) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(store.path.read_text(encoding="utf-8"))
    return data


def _refresh_works(sb: Sandbox, refresh_token: str) -> bool:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    answer = httpx.post(sb.token_url, data=form, auth=(sb.client_id, sb.client_secret))
    return answer.status_code == 200


# -- item 2: newer tokens written by anyone else are used ----------------------------------------


def test_a_process_uses_the_tokens_another_process_refreshed(
    store: TokenStore, sb: Sandbox, grants: Grants
) -> None:
    with ClientProcess(store.directory) as early:
        assert early.call()["ok"] == 0
        sb.expire_tokens()
        with ClientProcess(store.directory) as later:
            assert later.call()["ok"] == 0  # refreshes: the stored refresh token rotates
        assert grants.refreshes == 1
        sb.expire_tokens()
        # The refresh token the early process started with no longer works; the store holds
        # the current one.
        assert early.call() == {"ok": 0, "warnings": []}
        assert early.call() == {"ok": 0, "warnings": []}
        assert grants.refreshes == 2
    assert _refresh_works(sb, _stored(store)["refresh_token"])


def test_two_long_lived_clients_in_one_process_share_the_stored_login(
    store: TokenStore, sb: Sandbox, grants: Grants
) -> None:
    sync_client = GoToTraining(rate_limit=None)
    async_client = AsyncGoToTraining(rate_limit=None)
    loop = asyncio.new_event_loop()

    async def listed() -> int:
        return len(await async_client.trainings.list())

    try:
        sb.expire_tokens()
        assert sync_client.trainings.list() == []  # refreshes and rotates
        sb.expire_tokens()
        assert loop.run_until_complete(listed()) == 0  # began with the rotated-away token
        sb.expire_tokens()
        assert sync_client.trainings.list() == []  # and the other way round
    finally:
        sync_client.close()
        loop.run_until_complete(async_client.aclose())
        loop.close()
    assert grants.refreshes == 3
    assert _refresh_works(sb, _stored(store)["refresh_token"])


def test_invalid_grant_makes_the_client_read_the_store_again(
    store: TokenStore, sb: Sandbox, grants: Grants
) -> None:
    """Another writer (an older SDK, a script) rotates the stored refresh token between this
    client's look at the store and its token request: the refresh is refused with
    invalid_grant, the client reads the store again and uses what it holds now."""
    client = GoToTraining(rate_limit=None)

    def rotate_behind_the_clients_back(form: dict[str, str], grant: Grant) -> None:
        answer = grant(dict(form))  # uses the client's refresh token first
        data = {**_stored(store), "refresh_token": answer["refresh_token"]}
        data["access_token"] = answer["access_token"]
        with atomic_write(store.path, mode=0o600) as fh:  # no lock: an older writer
            fh.write(json.dumps(data).encode())

    try:
        grants.before.append(rotate_behind_the_clients_back)
        sb.expire_tokens()
        assert client.trainings.list() == []
        assert client.trainings.list() == []
    finally:
        client.close()
    assert _refresh_works(sb, _stored(store)["refresh_token"])


# -- item 3: compare-and-swap: logout is never undone, a newer login never replaced ---------------


def test_a_stale_process_does_not_undo_a_logout(
    store: TokenStore, sb: Sandbox, run: Run, grants: Grants
) -> None:
    with ClientProcess(store.directory) as early:
        assert early.call()["ok"] == 0
        assert run("logout").exit_code == 0
        assert not store.path.exists()
        sb.expire_tokens()
        answer = early.call()
        assert answer["error"] == "TokenStoreError", answer
        assert "logged out" in str(answer["message"])
        assert not store.path.exists()  # the logout stands
        api_requests = sb.request_count()
        again = early.call()  # and stays: no further token request either
        assert again["error"] == "TokenStoreError" and grants.refreshes == 0
        assert sb.request_count() == api_requests  # nor an API request with the old token
    assert not store.path.exists()


class HintingBrowser:
    """The user's browser, logging in as the organizer ``login_hint`` names (the sandbox's
    authorize page takes it)."""

    def __init__(self, login_hint: str) -> None:
        self.login_hint = login_hint
        self.threads: list[threading.Thread] = []

    def open(self, url: str) -> bool:
        hinted = f"{url}&{urllib.parse.urlencode({'login_hint': self.login_hint})}"
        thread = threading.Thread(
            target=lambda: httpx.get(hinted, follow_redirects=True, timeout=HANG)
        )
        thread.start()
        self.threads.append(thread)
        return True


def test_a_stale_process_never_replaces_a_newer_login_for_another_account(
    store: TokenStore, sb: Sandbox, run: Run, grants: Grants, monkeypatch: pytest.MonkeyPatch
) -> None:
    carl = sb.organizers()[1]
    with ClientProcess(store.directory) as early:
        assert early.organizer_key == sb.organizer_key
        assert early.call()["ok"] == 0
        browser = HintingBrowser(carl.email)
        monkeypatch.setattr("webbrowser.open", browser.open)
        login = run(
            "--base-url", sb.url, "login",
            "--client-id", sb.client_id, "--client-secret", sb.client_secret,
            "--authorize-url", sb.authorize_url, "--token-url", sb.token_url,
            "--timeout", str(int(HANG)),
        )  # fmt: skip
        assert login.exit_code == 0, login.output
        assert _stored(store)["organizer_key"] == carl.organizer_key
        newer = _stored(store)
        sb.expire_tokens()
        answer = early.call()  # refreshes its own (older) login ...
        assert answer["ok"] == 0, answer
        assert _stored(store) == newer  # ... and leaves the newer one alone
        warnings = answer["warnings"]
        assert isinstance(warnings, list) and any("another login" in w for w in warnings)
    listed = run("trainings", "list", "--json")  # the newer login works
    assert listed.exit_code == 0, listed.output


def test_two_processes_refreshing_at_once_refresh_once(
    store: TokenStore, sb: Sandbox, grants: Grants
) -> None:
    with ClientProcess(store.directory) as first, ClientProcess(store.directory) as second:
        assert first.call()["ok"] == 0 and second.call()["ok"] == 0
        sb.expire_tokens()
        grants.hold_first = True
        first.send_call()
        assert grants.held.wait(HANG)  # the first process's refresh is at the token endpoint
        second.send_call()  # the second one needs a refresh too, now
        grants.release()
        assert first.result() == {"ok": 0, "warnings": []}
        assert second.result() == {"ok": 0, "warnings": []}
    assert grants.refreshes == 1  # the second process used the first one's tokens
    assert _refresh_works(sb, _stored(store)["refresh_token"])


def test_a_symlink_in_place_of_the_lock_file_is_refused_never_followed(
    store: TokenStore, sb: Sandbox, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    store.lock_path.unlink(missing_ok=True)
    store.lock_path.symlink_to(victim)
    client = GoToTraining(rate_limit=None, token_store=store)
    try:
        sb.expire_tokens()
        with pytest.raises(TokenStoreError, match="symlink, not a lock file"):
            client.trainings.list()
    finally:
        client.close()
    with pytest.raises(TokenStoreError, match="cannot lock the token store"):
        store.save(store.load())  # type: ignore[arg-type]
    assert victim.read_text() == "precious"
