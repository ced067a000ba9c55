"""``gototraining sandbox complete`` checks that it talks to a sandbox: a server that answers
every request with ``200`` and an HTML page (a captive portal, a web app on the port the user
mistyped) is no sandbox, and the command fails saying so, without posting anything to it."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import Run

PAGE = b"<!doctype html><title>Welcome</title><h1>It works!</h1>"


class _HtmlEverywhere(http.server.BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.seen.append(f"{self.command} {self.path}")  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def html_server() -> Iterator[tuple[str, list[str]]]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HtmlEverywhere)
    server.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/G2T/rest", server.seen  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_server_that_is_no_sandbox_is_refused_before_anything_is_posted(
    html_server: tuple[str, list[str]], config_dir: object, run: Run
) -> None:
    url, seen = html_server
    result = run("--base-url", url, "sandbox", "complete", "1234567890123456789")
    assert result.exit_code == 1, result.output
    assert "is not a gototraining sandbox" in result.stderr
    assert "Completed" not in result.output
    assert not any(request.startswith("POST") for request in seen), seen
