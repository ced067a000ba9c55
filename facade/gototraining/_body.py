"""Reading response bodies with a size limit, decompressing as they arrive.

httpx inflates each network chunk in one go: one 64 KiB chunk of a gzip bomb becomes ~64 MB
before anyone can count it. So bodies are read *raw* here (``iter_raw`` / ``aiter_raw``) and
inflated with ``zlib``'s ``max_length``, counting decoded bytes: at most ``limit + 1`` bytes are
ever held, and a body that is longer is cut there (its length then shows it: ``> limit``).

Supported codings are the ones the SDK asks for (``Accept-Encoding: gzip, deflate``) and
``identity``; anything else is an ``httpx.DecodingError`` (a response the SDK cannot read).
``BodyReader`` holds the logic; ``read_async`` (``_driver.py``) and its generated sync twin
``read_sync`` only iterate.

The raw chunks come from the response's ``stream`` (what ``iter_raw`` reads), and the decoded
body goes back through httpx's public API: the response gets a ``ByteStream`` of it and reads
that, so ``.content``, ``.text`` and ``.json()`` work as after httpx's own ``read()``. The body
is then no longer in the coding it arrived in, so ``Content-Encoding`` leaves the headers.
"""

from __future__ import annotations

import zlib
from typing import Final

import httpx

from ._errors import request_of

__all__ = [
    "ACCEPT_ENCODING",
    "DEFAULT_MAX_RESPONSE_SIZE",
    "ERROR_BODY_LIMIT",
    "TRUNCATED",
    "BodyReader",
    "decoded",
    "is_truncated",
    "read_already",
    "request_on",
]

#: What the SDK's requests accept: codings that can be inflated with a bound.
ACCEPT_ENCODING: Final = "gzip, deflate"
#: Set to ``True`` in ``response.extensions`` when the body was longer than the limit; the
#: response's content is then only its first ``ERROR_BODY_LIMIT`` bytes (for messages).
TRUNCATED: Final = "gototraining.truncated"
#: Successful answers: the default of the clients' ``max_response_size`` (100,000 registrants
#: are ~34 MB of JSON).
DEFAULT_MAX_RESPONSE_SIZE: Final = 64 * 1024 * 1024
#: Error answers, token responses, redirects: all they carry is a short message.
ERROR_BODY_LIMIT: Final = 64 * 1024


#: The most decoded bytes one decompression call produces.
_STEP = 256 * 1024


class BodyReader:
    """Collects a body from raw chunks, inflating gzip/deflate, keeping at most ``limit + 1``
    decoded bytes. ``feed`` returns ``False`` once more than ``limit`` bytes have arrived (stop
    reading: ``truncated``); ``body()`` is the body, or its first ``ERROR_BODY_LIMIT`` bytes
    if it was truncated."""

    __slots__ = ("_chunks", "_inflate", "_raw_deflate_tried", "limit", "request", "size")

    def __init__(self, response: httpx.Response, limit: int) -> None:
        self.limit = limit
        self.request = request_of(response)
        self.size = 0
        self._chunks: list[bytes] = []
        self._inflate: zlib._Decompress | None = None
        self._raw_deflate_tried = True
        coding = response.headers.get("content-encoding")
        if not coding:  # the usual case
            return
        coding = coding.strip().lower()
        codings = [c.strip() for c in coding.split(",") if c.strip() not in ("", "identity")]
        if not codings:
            return
        if len(codings) > 1 or codings[0] not in ("gzip", "x-gzip", "deflate"):
            raise httpx.DecodingError(
                f"unsupported Content-Encoding {coding[:40]!r} (the SDK asks for gzip or deflate)",
                request=self.request,
            )
        deflate = codings[0] == "deflate"
        self._raw_deflate_tried = not deflate
        wbits = zlib.MAX_WBITS if deflate else zlib.MAX_WBITS | 16
        self._inflate = zlib.decompressobj(wbits)

    def feed(self, raw: bytes) -> bool:
        """Add one raw chunk; ``False`` once the body is longer than ``limit`` (stop)."""
        inflate = self._inflate
        if inflate is None:
            return self._keep(raw)
        data = raw
        while data:
            if inflate.eof:
                # Bytes after the end of the compressed data are no body (ignored, as httpx
                # does) but count against the limit: zlib would keep every one of them.
                return self._count_trailing(len(data))
            try:
                # In steps: zlib assembles each call's output from blocks, briefly holding it
                # twice; a step of the whole limit would double the peak.
                out = inflate.decompress(data, min(self.limit - self.size + 1, _STEP))
            except zlib.error as exc:
                if self._raw_deflate_tried or self.size or inflate.unused_data:
                    raise httpx.DecodingError(str(exc), request=self.request) from exc
                # "deflate" is sometimes sent without the zlib header (as httpx also accepts)
                self._raw_deflate_tried = True
                inflate = self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._raw_deflate_tried = True
            if not self._keep(out):
                return False
            data = inflate.unconsumed_tail
        return True

    def _count_trailing(self, size: int) -> bool:
        self.size = min(self.size + size, self.limit + 1)
        return self.size <= self.limit

    def _keep(self, data: bytes) -> bool:
        if not data:
            return True
        room = self.limit + 1 - self.size
        if len(data) >= room:
            self._chunks.append(data[:room])
            self.size += room
            return False
        self._chunks.append(data)
        self.size += len(data)
        return True

    @property
    def truncated(self) -> bool:
        """Whether the body is longer than ``limit`` (the rest was not read)."""
        return self.size > self.limit

    def body(self) -> bytes:
        """The decoded body; only its first ``ERROR_BODY_LIMIT`` bytes if ``truncated``."""
        if self.truncated:
            prefix = bytearray()
            for chunk in self._chunks:
                prefix += chunk[: ERROR_BODY_LIMIT - len(prefix)]
                if len(prefix) >= ERROR_BODY_LIMIT:
                    break
            self._chunks = []  # a gzip bomb's first ``limit`` bytes: let them go at once
            return bytes(prefix)
        if self._inflate is not None:
            try:
                self._keep(self._inflate.flush())
            except zlib.error as exc:
                raise httpx.DecodingError(str(exc), request=self.request) from exc
            if self.truncated:
                return self.body()
        return b"".join(self._chunks)


def is_truncated(response: httpx.Response) -> bool:
    """Whether ``read_sync``/``read_async`` stopped reading this body at its limit."""
    return bool(response.extensions.get(TRUNCATED))


def read_already(response: httpx.Response) -> bool:
    try:
        return isinstance(response.content, bytes)
    except httpx.ResponseNotRead:
        return False


def request_on(exc: httpx.RequestError, request: httpx.Request | None) -> None:
    """Name the request on a failure of its body, as ``iter_raw`` does."""
    try:
        named: httpx.Request | None = exc.request
    except RuntimeError:
        named = None
    if named is None and request is not None:
        exc.request = request


def decoded(response: httpx.Response, reader: BodyReader) -> httpx.ByteStream:
    """The body as read, for ``response.read()`` to store (the coding it came in is gone)."""
    body = reader.body()  # may find the body too long only as the inflater is flushed
    if reader.truncated:
        response.extensions[TRUNCATED] = True
    if "content-encoding" in response.headers:
        del response.headers["content-encoding"]
    return httpx.ByteStream(body)
