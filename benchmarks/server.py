"""A minimal, fast loopback HTTP/1.1 server with canned, spec-valid GoToTraining responses.

The benchmarks measure the *client* side, so the server has to be cheap: the sandbox spends
~150 µs of CPU per request (routing, state, spec validation), which would dilute the client
overhead the ratios are meant to show. This server is an ``asyncio.Protocol`` on the httptools
C parser (uvloop when installed), running in its own process so it never shares the GIL with
the client under test. Every contender talks to the same server.

Routes (under ``/G2T/rest``):

* ``GET  /organizers/{o}/trainings/{t}``             -> 200 ``Training``
* ``POST /organizers/{o}/trainings/{t}/registrants`` -> 201 ``RegistrantCreated`` (unique key)
* ``GET  /organizers/{o}/trainings/{t}/registrants`` -> 200 ``[Registrant]`` (``--registrants``)
* anything else -> 404 ``ErrorResponse``

Run: ``python -m benchmarks.server [--port 0] [--registrants 100]``; it prints
``LISTENING <port>`` on stdout once it accepts connections, and stops on SIGTERM/SIGINT or
when stdin closes (so it never outlives the harness that started it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httptools

from . import payloads

BASE = "/G2T/rest"
_TRAINING = re.compile(rb"^/G2T/rest/organizers/(\d+)/trainings/(\d+)(/registrants)?$")


def _response(status: bytes, body: bytes) -> bytes:
    return (
        b"HTTP/1.1 " + status + b"\r\n"
        b"content-type: application/json\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )


class _App:
    """The canned responses (shared by all connections)."""

    def __init__(self, registrants: int) -> None:
        self.trainings: dict[bytes, bytes] = {}
        self.registrants = _response(b"200 OK", payloads.registrants_bytes(registrants))
        self.not_found = _response(
            b"404 Not Found",
            payloads.dumps({"errorCode": "NotFound", "description": "Not found"}),
        )
        self.created = 0

    def handle(self, method: bytes, url: bytes) -> bytes:
        match = _TRAINING.match(url.split(b"?", 1)[0])
        if match is None:
            return self.not_found
        training_key, sub = match.group(2), match.group(3)
        if sub is None and method == b"GET":
            cached = self.trainings.get(training_key)
            if cached is None:
                body = payloads.dumps(payloads.training(training_key.decode()))
                cached = self.trainings[training_key] = _response(b"200 OK", body)
            return cached
        if sub is not None and method == b"POST":
            self.created += 1
            return _response(
                b"201 Created", payloads.dumps(payloads.registrant_created(self.created))
            )
        if sub is not None and method == b"GET":
            return self.registrants
        return self.not_found


class _Protocol(asyncio.Protocol):
    def __init__(self, app: _App) -> None:
        self.app = app
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.WriteTransport | None = None
        self.url = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a stream transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            if self.transport is not None:
                self.transport.write(_response(b"400 Bad Request", b"{}"))
                self.transport.close()

    # httptools callbacks
    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_message_complete(self) -> None:
        method = self.parser.get_method()
        out = self.app.handle(method, self.url)
        self.url = b""
        assert self.transport is not None
        self.transport.write(out)
        if not self.parser.should_keep_alive():
            self.transport.close()


async def _serve(host: str, port: int, registrants: int) -> None:
    loop = asyncio.get_running_loop()
    app = _App(registrants)
    server = await loop.create_server(lambda: _Protocol(app), host, port, backlog=512)
    bound = server.sockets[0].getsockname()[1]
    print(f"LISTENING {bound}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    # Stop when the parent goes away (our stdin is its pipe).
    if not sys.stdin.isatty():
        loop.add_reader(sys.stdin.fileno(), stop.set)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Minimal loopback server for the benchmarks")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--registrants", type=int, default=100)
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the benchmark server only listens on loopback")
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is in the sandbox extra on CPython/POSIX
        asyncio.run(_serve(args.host, args.port, args.registrants))
    else:
        uvloop.run(_serve(args.host, args.port, args.registrants))


@dataclass
class RunningServer:
    """A server subprocess started by ``serve``."""

    process: subprocess.Popen[bytes]
    port: int

    @property
    def base_url(self) -> str:
        """Base URL including ``/G2T/rest``."""
        return f"http://127.0.0.1:{self.port}{BASE}"


@contextlib.contextmanager
def serve(registrants: int = 100, timeout: float = 20.0) -> Iterator[RunningServer]:
    """Start the server in a separate process; yield once it accepts connections."""
    repo_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.server", "--registrants", str(registrants)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=repo_root,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().decode().strip()
        if not line.startswith("LISTENING "):
            raise RuntimeError(f"benchmark server failed to start: {line!r}")
        port = int(line.split()[1])
        deadline = time.monotonic() + timeout
        while True:  # wait until it accepts connections
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        yield RunningServer(process, port)
    finally:
        if process.stdin is not None:
            process.stdin.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


if __name__ == "__main__":
    main()
