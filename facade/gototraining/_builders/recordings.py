"""Builders of ``client.recordings`` (see ``gototraining/_builders/__init__.py``)."""

from __future__ import annotations

import os

import httpx

from .. import _validation as v
from .._download import DEFAULT_CHUNK_SIZE, Progress, Target
from .._errors import DecodeError
from .._generated import requests as rq
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
    """The getRecordingDownloadById call whose result is the 302's ``Location``."""
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
    """``download_url``, then the file fetched without credentials (``_download``)."""
    target = Target(to, recording_id, progress, chunk_size)
    return Download(download_url(training_key, recording_id), target)
