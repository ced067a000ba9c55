"""Lifecycle, the command line, and import hygiene."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
from gototraining.sandbox import Sandbox


def test_context_manager_stops_cleanly_despite_a_keep_alive_connection() -> None:
    with Sandbox() as sb:
        url = sb.url
        assert url.startswith("http://127.0.0.1:") and url.endswith("/G2T/rest")
        assert httpx.get(f"{sb.root_url}/_sandbox/health").json() == {"ok": True}
        client = httpx.Client()  # an open keep-alive connection must not block shutdown
        client.get(f"{sb.root_url}/_sandbox/health")
        server = sb._server
        assert server is not None
    # The server loop ended by itself: stop() did not have to force it (it does that only for
    # a server still running after its wait), however long the machine took.
    assert server.should_exit and not server.force_exit
    client.close()
    try:
        httpx.get(f"{url}/x", timeout=60)
        raise AssertionError("server still answering")
    except httpx.ConnectError:
        pass


def _run_command(argv: list[str]) -> None:
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ.copy()
    )
    try:
        assert proc.stdout is not None
        lines: dict[str, str] = {}
        deadline = time.monotonic() + 120
        while "GOTO_ORGANIZER_KEY" not in lines and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            if line.startswith("export "):
                name, _, value = line.removeprefix("export ").strip().partition("=")
                lines[name] = value
        assert set(lines) == {"GOTO_BASE_URL", "GOTO_ACCESS_TOKEN", "GOTO_ORGANIZER_KEY"}, lines
        r = httpx.get(
            f"{lines['GOTO_BASE_URL']}/organizers/{lines['GOTO_ORGANIZER_KEY']}/trainings",
            headers={"Authorization": f"Bearer {lines['GOTO_ACCESS_TOKEN']}"},
        )
        assert r.status_code == 200 and r.json() == []
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=120) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_python_dash_m_command() -> None:
    _run_command([sys.executable, "-m", "gototraining.sandbox", "--port", "0", "--seed", "3"])


def test_gototraining_cli_shim() -> None:
    script = os.path.join(os.path.dirname(sys.executable), "gototraining")
    _run_command([script, "sandbox", "--port", "0"])


def test_imports_stay_light() -> None:
    code = (
        "import sys, gototraining, gototraining.sandbox, gototraining.sandbox.pytest_plugin;"
        "heavy = [m for m in ('uvicorn', 'starlette', 'fastjsonschema', 'yaml') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
