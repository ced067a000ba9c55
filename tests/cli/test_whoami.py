"""``whoami`` says where the credentials come from, in the library's order (never a token)."""

from __future__ import annotations

from pathlib import Path

import pytest
from gototraining.sandbox import Sandbox

from .conftest import Run, save_sandbox_login


def test_whoami_follows_the_library_order(
    sb: Sandbox, config_dir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_sandbox_login(sb, config_dir, client_id="stored-client")
    who = run("whoami")
    assert who.exit_code == 0, who.output
    assert f"token store {config_dir / 'tokens.json'}" in who.stdout
    assert "stored-client" in who.stdout and sb.organizer_key in who.stdout

    monkeypatch.setenv("GOTO_CLIENT_ID", "env-client")
    monkeypatch.setenv("GOTO_CLIENT_SECRET", "env-secret-value")
    monkeypatch.setenv("GOTO_REFRESH_TOKEN", "env-refresh-value")
    who = run("whoami")
    assert "GOTO_REFRESH_TOKEN (environment)" in who.stdout and "env-client" in who.stdout
    assert "(not set)" in who.stdout  # the stored organizer belongs to the stored login
    assert "env-refresh-value" not in who.output and "env-secret-value" not in who.output

    monkeypatch.setenv("GOTO_ACCESS_TOKEN", sb.token)
    who = run("whoami")
    assert "GOTO_ACCESS_TOKEN (environment)" in who.stdout and sb.token not in who.output


def test_a_half_configured_environment_is_a_usage_error(
    config_dir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOTO_REFRESH_TOKEN", "env-refresh-value")
    result = run("whoami")
    assert result.exit_code == 2
    assert "GOTO_CLIENT_ID and GOTO_CLIENT_SECRET" in result.stderr
    assert "env-refresh-value" not in result.output


def test_whoami_masks_a_password_in_the_base_url(
    sb: Sandbox, config_dir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOTO_ACCESS_TOKEN", sb.token)
    monkeypatch.setenv("GOTO_ORGANIZER_KEY", sb.organizer_key)
    monkeypatch.setenv("GOTO_BASE_URL", sb.url.replace("http://", "http://proxy-user:pr0xy-pa55@"))
    for args in (["whoami"], ["whoami", "--json"]):
        who = run(*args)
        assert who.exit_code == 0, who.output
        assert "pr0xy-pa55" not in who.output and "proxy-user" not in who.output
        assert "***@127.0.0.1" in who.stdout


def test_whoami_and_commands_say_which_host_the_stored_login_is_for(
    sb: Sandbox, config_dir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_sandbox_login(sb, config_dir, client_id="stored-client")
    monkeypatch.setenv("GOTO_BASE_URL", "https://elsewhere.example/G2T/rest")
    who = run("whoami")
    assert who.exit_code == 0, who.output
    assert f"the stored login is for {sb.url}: commands refuse" in " ".join(who.stdout.split())
    listed = run("trainings", "list")
    assert listed.exit_code == 2 and f"the stored login was issued for {sb.url}" in listed.stderr
    assert sb.request_count() == 0
