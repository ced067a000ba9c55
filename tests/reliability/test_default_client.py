"""The HTTP clients the SDK makes (``DefaultHttpxClient`` / ``DefaultAsyncHttpxClient``), built
from httpx's and httpcore's public parts: they are what a client given none uses, they keep the
options a user gives them (proxies from the arguments or the environment, ``NO_PROXY``,
``trust_env``, connection limits) and every socket operation, through a proxy too, ends at the
call's deadline. Against real loopback servers (``hostile.py``); race-free as ``test_hostile``:
a trickle goes on until the client hangs up.
"""

from __future__ import annotations

import asyncio
import importlib.util
import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpcore
import httpx
import pytest
import trustme
from gototraining import (
    APIConnectionError,
    APITimeoutError,
    DefaultAsyncHttpxClient,
    DefaultHttpxClient,
    ValidationError,
)
from gototraining._http_client import environment_proxies, mapped_errors
from sdk.conftest import Flavor

from .hostile import HostileServer

TIMEOUT = 0.3
#: Reachable only through a proxy (``.test`` never resolves).
UNREACHABLE = "http://api.gototraining.test/G2T/rest"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy settings from the machine's environment."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def closed_port() -> Iterator[str]:
    """``http://127.0.0.1:<port>`` where nothing listens: connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    yield f"http://127.0.0.1:{port}"


def default_client(flavor: Flavor, **kwargs: Any) -> httpx.Client | httpx.AsyncClient:
    if flavor.is_async:
        return DefaultAsyncHttpxClient(**kwargs)
    return DefaultHttpxClient(**kwargs)


def sdk_client(flavor: Flavor, base_url: str, **overrides: Any) -> Any:
    kwargs: dict[str, Any] = {
        "access_token": "static-token",
        "organizer_key": "1000000000000000001",
        "base_url": base_url,
        "rate_limit": None,
        "max_retries": 0,
        "timeout": TIMEOUT,
    }
    kwargs.update(overrides)
    return flavor.client(**kwargs)


def test_a_client_given_none_makes_a_default_one(flavor: Flavor) -> None:
    client = sdk_client(flavor, UNREACHABLE)
    made = DefaultAsyncHttpxClient if flavor.is_async else DefaultHttpxClient
    assert type(client.http_client) is made
    assert client._transport.deadline_backend  # every socket operation bounded


@pytest.mark.parametrize("default", [True, False], ids=["default", "plain-httpx"])
def test_a_given_client_is_bounded_when_it_is_a_default_one(flavor: Flavor, default: bool) -> None:
    if default:
        given = default_client(flavor)
    else:
        given = httpx.AsyncClient() if flavor.is_async else httpx.Client()
    client = sdk_client(flavor, UNREACHABLE, http_client=given)  # closed by the flavor
    assert client._transport.deadline_backend is default


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_a_proxy_trickling_the_answer_is_cut_off_at_the_timeout(
    flavor: Flavor, hostile: HostileServer, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """The proxy's connections have the deadline backend too: the hostile server is the proxy,
    and the API's host is reachable only through it."""
    hostile.answer("trickle_headers")
    if how == "argument":
        client = sdk_client(
            flavor, UNREACHABLE, http_client=default_client(flavor, proxy=hostile.root_url)
        )
    else:
        monkeypatch.setenv("HTTP_PROXY", hostile.root_url)
        client = sdk_client(flavor, UNREACHABLE)
    with pytest.raises(APITimeoutError) as info:
        flavor.run(lambda c: c.trainings.get(1), client)
    assert info.value.maybe_sent is True
    [request] = hostile.requests()
    assert request.path == f"{UNREACHABLE}/organizers/1000000000000000001/trainings/1"


def test_the_environment_proxy_is_used_unless_no_proxy_exempts_the_host(
    flavor: Flavor, hostile: HostileServer, monkeypatch: pytest.MonkeyPatch, closed_port: str
) -> None:
    monkeypatch.setenv("HTTP_PROXY", closed_port)
    with pytest.raises(APIConnectionError):
        flavor.run(lambda c: c.trainings.list(), sdk_client(flavor, hostile.url))
    assert hostile.count() == 0

    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    assert flavor.run(lambda c: c.trainings.list(), sdk_client(flavor, hostile.url)) == []
    assert hostile.count() == 1


def test_trust_env_false_ignores_the_environment_proxy(
    flavor: Flavor, hostile: HostileServer, monkeypatch: pytest.MonkeyPatch, closed_port: str
) -> None:
    monkeypatch.setenv("HTTP_PROXY", closed_port)
    http = default_client(flavor, trust_env=False)
    assert (
        flavor.run(lambda c: c.trainings.list(), sdk_client(flavor, hostile.url, http_client=http))
        == []
    )
    assert hostile.count() == 1


def test_the_connection_limit_is_kept(hostile: HostileServer) -> None:
    """``limits=`` reaches the pool: with one connection, held by a request the server never
    answers, the next request waits for the pool and times out there."""
    hostile.answer("hang")

    async def main() -> None:
        limits = httpx.Limits(max_connections=1)
        timeout = httpx.Timeout(10.0, pool=0.05)
        async with DefaultAsyncHttpxClient(limits=limits, timeout=timeout) as http:
            holding = asyncio.create_task(http.get(f"{hostile.url}/first"))
            while hostile.count() == 0:  # the first request holds the one connection
                await asyncio.sleep(0.005)
            with pytest.raises(httpx.PoolTimeout):
                await http.get(f"{hostile.url}/second")
            holding.cancel()
            with pytest.raises(asyncio.CancelledError):
                await holding
        assert hostile.count() == 1

    asyncio.run(main())


@pytest.mark.parametrize("name", ["transport", "mounts"])
def test_a_default_client_builds_its_own_transports(flavor: Flavor, name: str) -> None:
    with pytest.raises(ValidationError) as info:
        default_client(flavor, **{name: None})
    assert info.value.param == name


def test_http2_needs_the_h2_package() -> None:
    if importlib.util.find_spec("h2") is not None:
        DefaultHttpxClient(http2=True).close()
        return
    with pytest.raises(ImportError, match="'h2'"):
        DefaultHttpxClient(http2=True)


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (httpcore.ConnectTimeout("slow"), httpx.ConnectTimeout),
        (httpcore.ReadTimeout("slow"), httpx.ReadTimeout),
        (httpcore.PoolTimeout("busy"), httpx.PoolTimeout),
        (httpcore.ConnectError("refused"), httpx.ConnectError),
        (httpcore.ReadError("reset"), httpx.ReadError),
        (httpcore.RemoteProtocolError("garbage"), httpx.RemoteProtocolError),
        (httpcore.LocalProtocolError("bad header"), httpx.LocalProtocolError),
        (httpcore.UnsupportedProtocol("ftp"), httpx.UnsupportedProtocol),
        (httpcore.ProxyError("refused"), httpx.ProxyError),
    ],
)
def test_httpcore_errors_become_the_most_specific_httpx_error(
    raised: Exception, expected: type[httpx.TransportError]
) -> None:
    request = httpx.Request("GET", "https://api.getgo.com/G2T/rest")
    with pytest.raises(httpx.TransportError) as info, mapped_errors(request):
        raise raised
    assert type(info.value) is expected
    assert info.value.__cause__ is raised and str(info.value) == str(raised)
    assert info.value.request is request


def test_other_errors_pass_through_unmapped() -> None:
    with pytest.raises(KeyError), mapped_errors():
        raise KeyError("not a network error")


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"HTTP_PROXY": "proxy.internal:3128"}, {"http://": "http://proxy.internal:3128"}),
        (
            {"HTTPS_PROXY": "http://p:1", "ALL_PROXY": "socks5://s:2"},
            {"https://": "http://p:1", "all://": "socks5://s:2"},
        ),
        ({"HTTP_PROXY": "http://p:1", "NO_PROXY": "*"}, {}),
        (
            {
                "HTTP_PROXY": "http://p:1",
                "NO_PROXY": ".example.com, example.org,127.0.0.1,::1,localhost,http://x.test",
            },
            {
                "http://": "http://p:1",
                "all://*.example.com": None,
                "all://*example.org": None,
                "all://127.0.0.1": None,
                "all://[::1]": None,
                "all://localhost": None,
                "http://x.test": None,
            },
        ),
    ],
)
def test_environment_proxies_are_read_as_httpx_reads_them(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], expected: dict[str, Any]
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert environment_proxies() == expected


# -- TLS and connect retries --------------------------------------------------------------------


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"[]"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def certificate_authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_server(certificate_authority: trustme.CA) -> Iterator[str]:
    """``https://localhost:<port>`` with a certificate of ``certificate_authority``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("localhost").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_verify_and_ssl_cert_file_decide_which_certificates_are_trusted(
    tls_server: str,
    certificate_authority: trustme.CA,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with DefaultHttpxClient() as http, pytest.raises(httpx.ConnectError, match="CERTIFICATE"):
        http.get(f"{tls_server}/G2T/rest")  # the test CA is nobody's default
    trusting = ssl.create_default_context()
    certificate_authority.configure_trust(trusting)
    with DefaultHttpxClient(verify=trusting) as http:
        assert http.get(f"{tls_server}/G2T/rest").json() == []
    bundle = tmp_path / "ca.pem"
    certificate_authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    with DefaultHttpxClient() as http:  # trust_env: SSL_CERT_FILE is the trust store
        assert http.get(f"{tls_server}/G2T/rest").json() == []
    with DefaultHttpxClient(trust_env=False) as http, pytest.raises(httpx.ConnectError):
        http.get(f"{tls_server}/G2T/rest")


@pytest.mark.parametrize("retries", [0, 2])
def test_connect_retries_are_kept(closed_port: str, retries: int) -> None:
    """``retries=`` reaches httpcore: a refused connection is tried again that many times."""
    connects: list[str] = []

    def trace(event: str, info: dict[str, Any]) -> None:
        if event == "connection.connect_tcp.started":
            connects.append(event)

    with DefaultHttpxClient(retries=retries) as http, pytest.raises(httpx.ConnectError):
        http.get(closed_port, extensions={"trace": trace})
    assert len(connects) == 1 + retries
