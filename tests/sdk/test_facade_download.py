"""recordings.download_url / recordings.download edge cases, on both flavors.

The happy path against the API shape is in the cassette tests; here: redirects are never
followed, no credential reaches the file host, progress, and that every failure (network cut
mid-body, HTTP error from the file host, an exception from the progress callback) leaves no
file -- neither a partial destination nor a ``.part`` file -- and an existing destination intact.
"""

from __future__ import annotations

import http.server
import os
import stat
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gototraining import (
    APIConnectionError,
    DecodeError,
    PermissionDeniedError,
    TransportError,
)
from gototraining._download import Target

from .conftest import Flavor

API = "https://api.getgo.com/G2T/rest"
REDIRECT_PATH = "/G2T/rest/trainings/5/recordings/42"
FILE_URL = "https://files.example.net/rec/recording-42.mp4?Signature=abc&Expires=9"
BODY = bytes(range(256)) * 40  # 10 KiB


class Handler:
    """MockTransport handler: the API's 302, then whatever ``file`` answers for the file."""

    def __init__(self, file: Callable[[httpx.Request], httpx.Response], location: str = FILE_URL):
        self.file = file
        self.location = location
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        if request.url.path == REDIRECT_PATH:
            return httpx.Response(302, headers={"Location": self.location})
        return self.file(request)


def file_ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=BODY, headers={"Content-Type": "video/mp4"})


class CutStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """Announces ``len(BODY)`` bytes, delivers half, then the connection 'drops'."""

    def __iter__(self) -> Iterator[bytes]:
        yield BODY[: len(BODY) // 2]
        raise httpx.ReadError("connection reset by peer")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield BODY[: len(BODY) // 2]
        raise httpx.ReadError("connection reset by peer")


def file_cut(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, headers={"Content-Length": str(len(BODY))}, stream=CutStream())


def client_with(flavor: Flavor, handler: Handler, **http_kwargs: Any) -> Any:
    transport = httpx.MockTransport(handler)
    http_client = (
        httpx.AsyncClient(transport=transport, **http_kwargs)
        if flavor.is_async
        else httpx.Client(transport=transport, **http_kwargs)
    )
    return flavor.client(http_client=http_client, rate_limit=None)


def test_download_url_is_the_location_and_the_redirect_is_not_followed(flavor: Flavor) -> None:
    handler = Handler(file_ok)
    # Even an httpx client configured to follow redirects must hand the 302 to the SDK.
    client_with(flavor, handler, follow_redirects=True)
    assert flavor.run(lambda c: c.recordings.download_url(5, 42)) == FILE_URL
    assert [r.url.path for r in handler.seen] == [REDIRECT_PATH]
    assert handler.seen[0].headers["authorization"] == "Bearer test-token"


def test_relative_location_is_made_absolute(flavor: Flavor) -> None:
    client_with(flavor, Handler(file_ok, location="/files/recording-42.mp4"))
    url = flavor.run(lambda c: c.recordings.download_url(5, 42))
    assert url == "https://api.getgo.com/files/recording-42.mp4"


@pytest.mark.parametrize(
    ("response", "match"),
    [
        (lambda: httpx.Response(200, content=b"file bytes"), "expected a 302 redirect.*got 200"),
        (lambda: httpx.Response(302), "302 redirect without a Location header"),
    ],
)
def test_no_redirect_or_no_location_is_a_decode_error(
    flavor: Flavor, response: Callable[[], httpx.Response], match: str
) -> None:
    flavor.client(lambda request: response())
    with pytest.raises(DecodeError, match=match):
        flavor.run(lambda c: c.recordings.download_url(5, 42))


def test_download_streams_to_disk_without_credentials(flavor: Flavor, tmp_path: Path) -> None:
    handler = Handler(file_ok)
    # Credentials configured on the httpx client itself must not reach the file host either.
    client_with(flavor, handler, headers={"Authorization": "Basic leak", "X-Trace": "1"})
    dest = tmp_path / "talk.mp4"
    dest.write_bytes(b"old")  # replaced on success
    seen: list[tuple[int, int | None]] = []
    path = flavor.run(
        lambda c: c.recordings.download(
            5, 42, dest, progress=lambda d, t: seen.append((d, t)), chunk_size=1000
        )
    )
    assert path == dest and dest.read_bytes() == BODY
    api_request, file_request = handler.seen
    assert api_request.headers["authorization"] == "Bearer test-token"
    assert str(file_request.url) == FILE_URL
    assert "authorization" not in file_request.headers
    assert file_request.headers["x-trace"] == "1"  # other client defaults still apply
    assert seen == [(min(n, len(BODY)), len(BODY)) for n in range(1000, len(BODY) + 1000, 1000)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["talk.mp4"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_download_respects_the_umask(flavor: Flavor, tmp_path: Path, umask: int, mode: int) -> None:
    """As ``curl -o`` and browsers do: 0666 minus the umask (it was always 0600)."""
    client_with(flavor, Handler(file_ok))
    previous = os.umask(umask)
    try:
        path = flavor.run(lambda c: c.recordings.download(5, 42, tmp_path / "talk.mp4"))
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_download_into_a_directory_names_the_file_safely(flavor: Flavor, tmp_path: Path) -> None:
    client_with(flavor, Handler(file_ok, location="https://files.example.net/x/..%2F..%2Fevil"))
    path = flavor.run(lambda c: c.recordings.download(5, 42, tmp_path))
    assert path == tmp_path / "recording-42.mp4" and path.read_bytes() == BODY


def test_target_file_names() -> None:
    target = Target(".", 42, None, 10)
    assert target.path_for("https://x/a/b.webm?sig=1").name == "recording-42.webm"
    assert target.path_for("https://x/a/download").name == "recording-42.mp4"
    assert target.path_for("https://x/a/b.mp4%2F..%2Fx").name == "recording-42.mp4"


def _assert_untouched(tmp_path: Path, dest: Path) -> None:
    assert dest.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == [dest.name]  # no .part file


def test_interrupted_download_leaves_no_file(flavor: Flavor, tmp_path: Path) -> None:
    client_with(flavor, Handler(file_cut))
    dest = tmp_path / "talk.mp4"
    dest.write_bytes(b"previous")
    seen: list[int] = []
    with pytest.raises(APIConnectionError) as info:
        flavor.run(
            lambda c: c.recordings.download(
                5, 42, dest, progress=lambda d, t: seen.append(d), chunk_size=1000
            )
        )
    assert isinstance(info.value.__cause__, httpx.ReadError)
    assert info.value.url == FILE_URL.split("?")[0]  # the signed query is not in the error
    assert seen == [1000, 2000, 3000, 4000, 5000]  # whole chunks only; the half-chunk is lost
    _assert_untouched(tmp_path, dest)


def test_file_host_error_is_typed_and_leaves_no_file(flavor: Flavor, tmp_path: Path) -> None:
    client_with(flavor, Handler(lambda r: httpx.Response(403, text="<Error>Expired</Error>")))
    dest = tmp_path / "talk.mp4"
    dest.write_bytes(b"previous")
    with pytest.raises(PermissionDeniedError) as info:
        flavor.run(lambda c: c.recordings.download(5, 42, dest))
    assert "Expired" in info.value.message
    _assert_untouched(tmp_path, dest)


def test_short_body_is_detected(flavor: Flavor, tmp_path: Path) -> None:
    # A server that announces more than it sends but ends the stream cleanly.
    client_with(
        flavor,
        Handler(lambda r: httpx.Response(200, headers={"Content-Length": "99999"}, content=BODY)),
    )
    dest = tmp_path / "talk.mp4"
    dest.write_bytes(b"previous")
    with pytest.raises(TransportError, match=f"incomplete download: {len(BODY)} of 99999"):
        flavor.run(lambda c: c.recordings.download(5, 42, dest))
    _assert_untouched(tmp_path, dest)


def test_exception_in_progress_aborts_and_leaves_no_file(flavor: Flavor, tmp_path: Path) -> None:
    client_with(flavor, Handler(file_ok))
    dest = tmp_path / "talk.mp4"
    dest.write_bytes(b"previous")

    class Stop(Exception):
        pass

    def progress(done: int, total: int | None) -> None:
        if done > 2000:
            raise Stop

    with pytest.raises(Stop):
        flavor.run(lambda c: c.recordings.download(5, 42, dest, progress=progress, chunk_size=1000))
    _assert_untouched(tmp_path, dest)


# -- a real socket: the server sends half of the announced body and closes ---------------------


class _HalfServer(http.server.ThreadingHTTPServer):
    daemon_threads = True


class _HalfHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path == REDIRECT_PATH:
            host, port = self.server.server_address[:2]  # type: ignore[index,str-unpack]
            self.send_response(302)
            self.send_header("Location", f"http://{host}:{port}/files/recording-42.mp4")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY[: len(BODY) // 2])
        self.wfile.flush()
        self.close_connection = True  # the socket closes mid-body

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def half_server() -> Iterator[str]:
    server = _HalfServer(("127.0.0.1", 0), _HalfHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}/G2T/rest"
    finally:
        server.shutdown()
        server.server_close()


def test_connection_closed_mid_body_leaves_no_file(
    flavor: Flavor, tmp_path: Path, half_server: str
) -> None:
    flavor.client(base_url=half_server, rate_limit=None, max_retries=0)
    seen: list[int] = []
    with pytest.raises(TransportError):
        flavor.run(
            lambda c: c.recordings.download(
                5, 42, tmp_path, progress=lambda d, t: seen.append(d), chunk_size=1024
            )
        )
    assert seen and seen[-1] <= len(BODY) // 2
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "url",
    [
        "https://user:SECRETPW@files.example.net:abc/rec/42.mp4?Signature=SECRETSIG&Expires=9#frag",
        "https://[::1/rec/42.mp4?Signature=SECRETSIG",
        "https://files.example.net/rec/\x0042.mp4?Signature=SECRETSIG",
    ],
)
def test_invalid_download_url_error_keeps_the_signature_out(tmp_path: Path, url: str) -> None:
    """The file URL is signed (its query string is a credential): an URL that does not even
    build into a request must not put it into the exception's message or ``url``."""
    from gototraining._download import sync_download
    from gototraining._types import NOT_GIVEN

    target = Target(tmp_path, 42, None, 1024)
    with httpx.Client() as http_client, pytest.raises(TransportError) as info:
        sync_download(http_client, url, target, NOT_GIVEN)
    assert "invalid download URL" in str(info.value)
    for secret in ("SECRETSIG", "SECRETPW", "Expires", "frag"):
        assert secret not in str(info.value) and secret not in info.value.url
    assert info.value.url.startswith("https://")
    assert list(tmp_path.iterdir()) == []


def test_empty_file_reports_completion_once_and_is_written(flavor: Flavor, tmp_path: Path) -> None:
    client_with(
        flavor, Handler(lambda r: httpx.Response(200, headers={"Content-Length": "0"}, content=b""))
    )
    seen: list[tuple[int, int | None]] = []
    path = flavor.run(
        lambda c: c.recordings.download(5, 42, tmp_path, progress=lambda d, t: seen.append((d, t)))
    )
    assert path.read_bytes() == b"" and seen == [(0, 0)]
    assert [p.name for p in tmp_path.iterdir()] == ["recording-42.mp4"]


def test_keyboard_interrupt_mid_body_leaves_no_file(flavor: Flavor, tmp_path: Path) -> None:
    client_with(flavor, Handler(file_ok))
    dest = tmp_path / "talk.mp4"
    dest.write_bytes(b"previous")

    def progress(done: int, total: int | None) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        flavor.run(lambda c: c.recordings.download(5, 42, dest, progress=progress))
    _assert_untouched(tmp_path, dest)
