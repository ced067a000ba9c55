"""``gototraining login`` against another local user who reads the browser's command line.

The CLI opens the browser with the authorize URL as an argument, and every local user can
read a process's arguments in ``/proc/<pid>/cmdline``: the ``state`` and the listener's port
are no secret. With PKCE that is harmless: the code verifier stays inside the CLI process (in
no command line, URL or output), so a code the attacker obtained for their own account and
sent to the listener with the stolen ``state`` is refused by the token endpoint, and the
listener takes one code only. Real processes throughout: the CLI, and a "browser" the CLI
starts through ``$BROWSER``, gated on FIFOs (no sleeps)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from gototraining.sandbox import Sandbox

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="/proc/<pid>/cmdline, FIFOs")

#: Bound of waits that only end late when something hangs.
HANG = 120.0

#: The user's browser: says it started (its pid, through the ``ready`` FIFO), waits for the
#: test's ``go`` (FIFO), then follows the URL it was given, as a browser would.
BROWSER = """#!{python}
import os, sys
import httpx

control = os.environ["FAKE_BROWSER_CONTROL"]
with open(os.path.join(control, "ready"), "w") as ready:
    ready.write(str(os.getpid()))
with open(os.path.join(control, "go")) as go:
    go.read()
try:
    httpx.get(sys.argv[-1], follow_redirects=True, timeout=120)
except httpx.HTTPError:
    pass  # the listener may be gone already (it took another code): nothing to say
"""


class Seen:
    """What the sandbox's OAuth endpoints were given: authorize requests and token forms."""

    def __init__(self, sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
        self.authorize: list[str] = []
        self.token_forms: list[dict[str, str]] = []
        issue_code, grant = sb.core.auth.issue_code, sb.core.auth.grant

        def issue(*args: Any, **kwargs: Any) -> str:
            self.authorize.append(repr((args, kwargs)))
            return issue_code(*args, **kwargs)

        def token(form: dict[str, str]) -> dict[str, Any]:
            self.token_forms.append(dict(form))
            return grant(form)

        monkeypatch.setattr(sb.core.auth, "issue_code", issue)
        monkeypatch.setattr(sb.core.auth, "grant", token)


@contextmanager
def _login_with_browser(
    sb: Sandbox, config_dir: Path, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[str], int, Path]]:
    """``gototraining login`` (browser on) in a subprocess; yields it, the browser's pid and
    the control directory (write ``go`` to let the browser follow the URL)."""
    control = tmp_path / "browser"
    control.mkdir()
    os.mkfifo(control / "ready")
    os.mkfifo(control / "go")
    script = tmp_path / "fake-browser"
    script.write_text(BROWSER.format(python=sys.executable))
    script.chmod(0o755)
    env = {name: value for name, value in os.environ.items() if not name.startswith("GOTO_")}
    env.update(
        GOTO_CONFIG_DIR=str(config_dir),
        GOTO_CLIENT_ID=sb.client_id,
        GOTO_CLIENT_SECRET=sb.client_secret,
        BROWSER=str(script),
        FAKE_BROWSER_CONTROL=str(control),
    )
    env.pop("DISPLAY", None)
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "gototraining.cli", "--base-url", sb.url, "login",
            "--authorize-url", sb.authorize_url, "--token-url", sb.token_url,
            "--timeout", str(int(HANG)),
        ],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        with open(control / "ready") as ready:  # returns once the browser runs
            pid = int(ready.read())
        yield proc, pid, control
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def _go(control: Path) -> None:
    with open(control / "go", "w") as go:
        go.write("go")


def _cmdline(pid: int) -> list[str]:
    """What any local user can read about the process."""
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")


def _stored(config_dir: Path) -> dict[str, Any] | None:
    path = config_dir / "tokens.json"
    return json.loads(path.read_text()) if path.exists() else None


def test_a_code_injected_with_the_stolen_state_does_not_log_you_in_as_the_attacker(
    sb: Sandbox, config_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = Seen(sb, monkeypatch)
    attacker = sb.organizers()[1]
    with _login_with_browser(sb, config_dir, tmp_path) as (proc, pid, control):
        url = _cmdline(pid)[-2]  # the browser's argument, as another user reads it
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        stolen_state, callback = query["state"], query["redirect_uri"]
        # The attacker logs in to their own account for the same client and redirect URI ...
        page = httpx.get(
            sb.authorize_url,
            params={
                "client_id": query["client_id"],
                "redirect_uri": callback,
                "login_hint": attacker.email,
            },
        )
        their_code = dict(
            urllib.parse.parse_qsl(urllib.parse.urlsplit(page.headers["location"]).query)
        )["code"]
        # ... and hands the listener their code with the victim's state, before the browser.
        injected = httpx.get(
            callback, params={"code": their_code, "state": stolen_state}, timeout=HANG
        )
        _go(control)  # now the victim's browser comes back with the victim's code
        out, err = proc.communicate(timeout=HANG)
    stored = _stored(config_dir)
    assert stored is None or stored["organizer_key"] != attacker.organizer_key, (out, err)
    assert proc.returncode == 1, (out, err)
    assert err.splitlines()[-1].startswith(
        "error: login failed: token request failed: 400 invalid_grant"
    ), err
    assert stored is None
    assert injected.status_code == 200  # the one code the listener took
    (form,) = seen.token_forms  # one code only: the victim's redirect was not exchanged too
    verifier = form["code_verifier"]
    for visible in (*_cmdline_words(url), out, err, *seen.authorize):
        assert verifier not in visible


def _cmdline_words(url: str) -> list[str]:
    return [url, urllib.parse.unquote(url)]


def test_the_verifier_is_in_no_command_line_and_no_url(
    sb: Sandbox, config_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = Seen(sb, monkeypatch)
    with _login_with_browser(sb, config_dir, tmp_path) as (proc, pid, control):
        cmdline = _cmdline(pid)
        _go(control)
        out, err = proc.communicate(timeout=HANG)
    assert proc.returncode == 0, (out, err)
    stored = _stored(config_dir)
    assert stored is not None and stored["organizer_key"] == sb.organizer_key
    (form,) = seen.token_forms
    verifier = form["code_verifier"]
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(cmdline[-2]).query))
    assert query["code_challenge_method"] == "S256" and query["code_challenge"]
    for visible in (*cmdline, out, err, *seen.authorize):
        assert verifier not in visible
