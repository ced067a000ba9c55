"""Streaming a recording file to disk, atomically (``recordings.download``).

The file lives on another host than the API (GoTo redirects to a signed file URL), so its GET
does not go through the API pipeline: no API rate limit, no retries (a retry would restart the
whole file), and **no credentials**. The request is built with the client's own ``httpx``
client (proxies, TLS settings, User-Agent apply) but sent with ``auth=None``, and any
``Authorization`` header the ``httpx`` client carries by default is removed: the access token
never leaves for the file host.

Atomicity (``_files.atomic_write``, the SDK's one atomic-write helper): bytes go to a hidden
temporary file next to the destination (``.<name>.<random>.part``, same directory, hence same
file system, created with mode 0666 minus the umask, as ``curl -o`` or a browser's download
creates a file); on success it is flushed, ``fsync``-ed and
``os.replace``-d onto the destination. On any failure -- network error,
HTTP error, short body, an exception raised by the progress callback, ``KeyboardInterrupt``,
task cancellation -- the temporary file is deleted and the error re-raised, so an interrupted
download never leaves a partial file under the destination name (nor a stray ``.part`` file).

Sync and async share everything (``_Job``: building the credential-free request, the status
check, writing, the length check, error mapping); the two drivers only send the request and
read or iterate the response (``iter_bytes`` vs ``aiter_bytes``), like the transport's drivers. The async variant writes each chunk with ordinary (blocking) file I/O: a
chunk write to a local disk takes microseconds, far less than receiving it.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import httpx

from . import _validation as v
from ._body import ERROR_BODY_LIMIT
from ._driver import read_async
from ._errors import (
    TransportError,
    UnexpectedRedirectError,
    ValidationError,
    error_from_response,
    is_bad_location,
    safe_url,
    transport_error,
)
from ._files import atomic_write
from ._generated.driver import read_sync
from ._types import NotGiven, TimeoutTypes

__all__ = ["DEFAULT_CHUNK_SIZE", "Progress", "Target", "async_download", "sync_download"]

#: Bytes per read from the response (and per progress callback).
DEFAULT_CHUNK_SIZE = 1024 * 1024

#: ``progress(bytes_done, total)``; ``total`` is ``None`` when the server sent no usable length.
Progress = Callable[[int, int | None], object]

_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}")
_STRIP_HEADERS = ("authorization", "cookie")


class Target:
    """Where a download goes, checked before any request.

    ``to`` is an existing directory (the file is named ``recording-<id><suffix>``, the suffix
    taken from the file URL, ``.mp4`` if it has none) or a file path whose directory exists
    (an existing file there is replaced).
    """

    def __init__(
        self,
        to: str | os.PathLike[str],
        recording_id: object,
        progress: Progress | None,
        chunk_size: int,
    ) -> None:
        if not isinstance(to, str | os.PathLike):
            raise ValidationError("to", f"expected a path, got {type(to).__name__}")
        path = Path(to).expanduser()
        if str(to) == "":
            raise ValidationError("to", "expected a path, got ''")
        if path.is_dir():
            self.directory, self.name = path, None
        else:
            if not path.parent.is_dir():
                raise ValidationError("to", f"directory {str(path.parent)!r} does not exist")
            self.directory, self.name = path.parent, path.name
        if progress is not None and not callable(progress):
            raise ValidationError("progress", "expected a callable(bytes_done, total) or None")
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
            raise ValidationError("chunk_size", f"expected an int >= 1, got {chunk_size!r}")
        self.recording_id = v.key(recording_id, "recording_id")
        self.progress = progress
        self.chunk_size = chunk_size

    def path_for(self, url: str) -> Path:
        """The final path, given the file URL (only a plain suffix is taken from the URL)."""
        if self.name is not None:
            return self.directory / self.name
        suffix = Path(httpx.URL(url).path).suffix
        if not _SUFFIX.fullmatch(suffix):
            suffix = ".mp4"
        return self.directory / f"recording-{self.recording_id}{suffix}"


def file_request(
    http_client: httpx.Client | httpx.AsyncClient,
    url: str,
    timeout: TimeoutTypes | NotGiven,
) -> httpx.Request:
    """The file GET, built by the user's client but without any credential headers."""
    try:
        if isinstance(timeout, NotGiven):
            request = http_client.build_request("GET", url)
        else:
            request = http_client.build_request("GET", url, timeout=timeout)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, TypeError, ValueError) as exc:
        # The URL is signed: its query string is a credential and must not reach the message.
        query = url.partition("?")[2].partition("#")[0]
        reason = str(exc).replace(query, "***") if query else str(exc)
        raise TransportError(
            f"invalid download URL: {reason}", method="GET", url=_redacted(url)
        ) from exc
    for name in _STRIP_HEADERS:
        request.headers.pop(name, None)
    return request


def _redacted(url: str) -> str:
    """``safe_url`` for a URL that may not even parse: no user info, query or fragment."""
    try:
        return safe_url(httpx.URL(url))
    except (httpx.InvalidURL, TypeError, ValueError):
        base = url.split("?", 1)[0].split("#", 1)[0]
        scheme, sep, rest = base.rpartition("://")
        host, slash, path = rest.partition("/")
        return f"{scheme}{sep}{host.rpartition('@')[2]}{slash}{path}"


def _total(response: httpx.Response) -> int | None:
    """Content-Length, when it describes the bytes we will write (no content coding)."""
    if response.headers.get("content-encoding", "identity").lower() != "identity":
        return None
    raw = response.headers.get("content-length")
    return int(raw) if raw is not None and raw.isdigit() else None


class _Sink:
    """The open temporary file: counts the bytes and reports progress after each chunk."""

    def __init__(self, file: IO[bytes], total: int | None, progress: Progress | None) -> None:
        self.file = file
        self.total = total
        self.progress = progress
        self.done = 0

    def write(self, chunk: bytes) -> None:
        if not chunk:
            return
        self.file.write(chunk)
        self.done += len(chunk)
        if self.progress is not None:
            self.progress(self.done, self.total)


class _Job:
    """One download: everything but the I/O, shared by ``sync_download`` and
    ``async_download`` (which only send, read and iterate the response)."""

    def __init__(
        self,
        http_client: httpx.Client | httpx.AsyncClient,
        url: str,
        target: Target,
        timeout: TimeoutTypes | NotGiven,
    ) -> None:
        self.request = file_request(http_client, url, timeout)
        self.where = safe_url(self.request.url)  # for errors: no signed query string
        self.final = target.path_for(url)
        self.target = target

    @contextlib.contextmanager
    def errors(self) -> Iterator[None]:
        """``httpx`` errors -> the SDK's ``TransportError`` family; anything else unchanged."""
        try:
            yield
        except (httpx.InvalidURL, httpx.RemoteProtocolError) as exc:
            if isinstance(exc, httpx.RemoteProtocolError) and not is_bad_location(exc):
                raise transport_error(exc, "GET", self.where) from exc
            raise UnexpectedRedirectError(
                0,
                "the file host redirected to a Location that is not an http(s) URL (not followed)",
                method="GET",
                url=self.where,
            ) from None
        except httpx.RequestError as exc:
            raise transport_error(exc, "GET", self.where) from exc
        except httpx.HTTPError as exc:
            raise TransportError(
                f"download failed: {type(exc).__name__}: {exc}", method="GET", url=self.where
            ) from exc

    @contextlib.contextmanager
    def writing(self, response: httpx.Response) -> Iterator[_Sink]:
        """Check the status (an error body must have been read), then yield the sink for the
        body's chunks; on leaving, check the length and commit the file (``atomic_write``:
        fsync + rename, or delete the temporary file on any exception)."""
        if response.status_code >= 300:  # redirects were followed; anything left is an error
            raise error_from_response(response)
        # The umask decides who may read it, as for any file the user creates (a private
        # recording wants a private directory or umask 077, like any other download).
        with atomic_write(self.final, suffix=".part") as file:
            sink = _Sink(file, _total(response), self.target.progress)
            yield sink
            if sink.total is not None and sink.done != sink.total:
                raise TransportError(
                    f"incomplete download: {sink.done} of {sink.total} bytes",
                    method="GET",
                    url=self.where,
                )
            if sink.done == 0 and sink.progress is not None:
                sink.progress(0, sink.total)  # an empty file still reports completion once


def sync_download(
    http_client: httpx.Client, url: str, target: Target, timeout: TimeoutTypes | NotGiven
) -> tuple[Path, httpx.Response]:
    """Stream ``url`` into ``target`` (see the module docstring): the file's path, and the
    file host's response (closed: its body went to the file)."""
    job = _Job(http_client, url, target, timeout)
    with job.errors():
        # send(), not stream(): stream() would merge the client's default headers back in.
        response = http_client.send(job.request, stream=True, auth=None, follow_redirects=True)
        try:
            if response.status_code >= 300:
                read_sync(response, ERROR_BODY_LIMIT)  # the error body, for the exception
            with job.writing(response) as sink:
                for chunk in response.iter_bytes(target.chunk_size):
                    sink.write(chunk)
        finally:
            response.close()
    return job.final, response


async def async_download(
    http_client: httpx.AsyncClient, url: str, target: Target, timeout: TimeoutTypes | NotGiven
) -> tuple[Path, httpx.Response]:
    """Stream ``url`` into ``target`` with an ``httpx.AsyncClient``, as ``sync_download``
    does with an ``httpx.Client``: the file's path, and the file host's response."""
    job = _Job(http_client, url, target, timeout)
    with job.errors():
        response = await http_client.send(
            job.request, stream=True, auth=None, follow_redirects=True
        )
        try:
            if response.status_code >= 300:
                await read_async(response, ERROR_BODY_LIMIT)
            with job.writing(response) as sink:
                async for chunk in response.aiter_bytes(target.chunk_size):
                    sink.write(chunk)
        finally:
            await response.aclose()
    return job.final, response
