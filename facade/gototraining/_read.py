"""Reading a streamed response's body into ``response.content``, bounded (see ``_body``).

This is the async original; ``_generated/read.py`` (``read_sync``) is generated from it
(``scripts/facade_codegen/unasync.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import httpx

from ._body import BodyReader, decoded, read_already, request_on

if TYPE_CHECKING:
    from ._attempt import Attempt

__all__ = ["close_iterator", "read_async"]


async def read_async(response: httpx.Response, limit: int, attempt: Attempt | None = None) -> None:
    """Read a streamed response's body (``limit`` decoded bytes at most, see ``BodyReader``)
    into ``response.content`` and close it. The ``attempt``'s deadline is checked after every
    chunk (``httpx.ReadTimeout`` past it). No-op if the body was read already."""
    if read_already(response):
        return
    arriving = response.stream
    try:
        if not isinstance(arriving, httpx.AsyncByteStream):
            raise TypeError(
                f"the response's stream is a {type(arriving).__name__}, of the other flavor"
            )
        reader = BodyReader(response, limit)
        chunks = aiter(arriving)
        try:
            async for raw in chunks:
                if not reader.feed(raw):
                    break
                if attempt is not None and attempt.expired():
                    raise httpx.ReadTimeout(
                        "the response body was still arriving when the call's timeout ran out",
                        request=response.request,
                    )
        except httpx.RequestError as exc:
            request_on(exc, reader.request)
            raise
        finally:
            await close_iterator(chunks)
        body = decoded(response, reader)
    except BaseException:
        await response.aclose()
        raise
    await arriving.aclose()  # the connection goes back to the pool
    response.stream = body
    await response.aread()


async def close_iterator(chunks: AsyncIterator[bytes]) -> None:
    """Close a body's chunk iterator left before its end (a body cut at its limit, a
    deadline). Left to the garbage collector, an async generator is closed by a task the
    event loop schedules, one link of a chain of them per loop turn; a loop closed meanwhile
    never runs the rest (Python 3.13 warns then that a coroutine was never awaited)."""
    aclose = getattr(chunks, "aclose", None)
    if aclose is not None:
        await aclose()
