"""Builders of ``client.recordings`` (see ``gototraining/_builders/__init__.py``)."""

from __future__ import annotations

import os

import httpx

from .. import _requests as rq
from .. import _validation as v
from .._download import DEFAULT_CHUNK_SIZE, Progress, Target
from .._errors import DecodeError
from .._resource import Download, Key
from .._transport import Call


def location(response: httpx.Response) -> str:
    """Decoder for getRecordingDownloadById: the absolute URL in the 302's ``Location``.

    The pipeline never follows redirects, so the 302 arrives here. A 2xx (e.g. a proxy that
    followed the redirect itself) or a redirect without ``Location`` is a ``DecodeError``.
    """
    if not 300 <= response.status_code < 400:
        raise DecodeError(
            f"expected a 302 redirect to the recording file, got {response.status_code}",
            response=response,
        )
    target = (response.headers.get("location") or "").strip()
    if not target:
        raise DecodeError(
            f"{response.status_code} redirect without a Location header", response=response
        )
    try:
        url = response.url.join(target)
    except (httpx.InvalidURL, ValueError) as exc:
        raise DecodeError(
            f"{response.status_code} redirect to an invalid URL ({exc})", response=response
        ) from None
    if url.scheme not in ("http", "https") or not url.host:
        raise DecodeError(
            f"{response.status_code} redirect to a non-HTTP URL ({url.scheme}:...)",
            response=response,
        )
    return str(url)


def download_url(training_key: Key, recording_id: Key) -> Call[str]:
    """The URL of a recording's file: the ``Location`` of the API's 302 redirect.

    The redirect is not followed (no file bytes are fetched). The URL is typically
    short-lived and self-authorizing; fetch it without GoTo credentials, or use
    ``recordings.download``. Raises ``DecodeError`` if the API answers anything but a redirect
    with a ``Location``.
    """
    request = rq.get_recording_download_by_id(
        v.key(training_key, "training_key"), v.key(recording_id, "recording_id")
    )
    return Call(request, location, redirect_is_result=True)


def download(
    training_key: Key,
    recording_id: Key,
    to: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Download:
    """Download a recording to disk and return the file's path.

    Asks ``recordings.download_url`` for the file URL, then streams the file with this client's
    ``httpx`` client -- **without** the access token or any ``Authorization`` header (the
    file is on another host). Bytes go to a hidden ``.part`` file in the destination
    directory, which is fsync-ed and renamed over the destination only when complete;
    on any error (including an exception raised by ``progress``, Ctrl-C or task
    cancellation) it is deleted, so no partial file is ever left behind.

    Args:
        training_key: the training.
        recording_id: the recording (``Recording.recording_id``).
        to: an existing directory (the file is named ``recording-<id>.mp4``, the suffix
            taken from the file URL) or a file path in an existing directory (an existing
            file is replaced).
        progress: called as ``progress(bytes_done, total)`` after every chunk written;
            ``total`` is the ``Content-Length`` or ``None`` if unknown. Counts increase
            and end at ``total``. Raise from it to abort the download.
        chunk_size: bytes per read and write (default 1 MiB).
        timeout: per-call timeout for both requests (the file's read timeout applies per
            chunk, not to the whole transfer).

    Raises:
        ValidationError: bad ``to``, keys, ``progress`` or ``chunk_size`` (nothing sent).
        APIError: the API or the file host answered with an error status.
        TransportError: the network failed or the body ended early.
    """
    target = Target(to, recording_id, progress, chunk_size)
    return Download(download_url(training_key, recording_id), target)
