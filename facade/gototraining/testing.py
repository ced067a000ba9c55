"""Record VCR cassettes of GoToTraining traffic without credentials or personal data.

For tests that replay real (or sandbox) HTTP exchanges with vcrpy or pytest-recording:
``vcr_config()`` returns the recording hooks, ``Scrubber`` is the object behind them. Nothing
here imports vcrpy. What a recording becomes:

- the recorded API root (the sandbox's ``http://127.0.0.1:<port>/G2T/rest``) becomes
  ``https://api.getgo.com/G2T/rest`` and the token URL GoTo's, so sandbox-recorded and
  live-recorded cassettes are interchangeable and replay needs no port and no server;
- recording file URLs -- the 302 ``Location`` of a recording download, ``downloadUrl`` fields,
  and the GET of the file (any request that is neither API nor token endpoint) -- become
  ``https://cdn.gototraining.example/recordings/<file name>``, dropping host, port and query
  (live file URLs are signed: the query is a credential). The three are rewritten by the same
  function, so the replayed file GET still matches the replayed ``Location``;
- a binary body (anything but text, JSON, XML or a form: a recording's MP4) larger than
  ``max_binary_body`` (default 1 KiB) becomes a short text placeholder saying how many bytes
  of which type were left out (``Content-Length`` follows), so a cassette with downloads stays
  small; ``max_binary_body=None`` keeps every byte;
- the keys you name (organizer, account, co-organizers) become the fakes you choose;
- ``Authorization``, cookie, host and date headers are dropped; token fields in token requests
  and responses (``access_token``, ``refresh_token``, ``client_secret``, ``code``, ...) become
  ``REDACTED``;
- personal data: every email outside the reserved example domains, and the names next to it,
  become stable fakes (``person-1@example.com``, ``Given1``, ``Surname1``); an email at
  ``example.com``/``.org``/``.net`` or under ``.test``, ``.example``, ``.invalid`` or
  ``.localhost`` is kept, with its names (reserved by RFC 2606: nobody's address);
- web URLs in JSON (any string that is an http(s) URL outside the API, token endpoint and fake
  CDN: ``hostURL``, the bare start/manage URL strings, ``joinUrl``, ``confirmationUrl``,
  ``registrationUrl``): every query value becomes ``REDACTED`` (``hostToken`` is a password,
  ``registrant=`` identifies a person) and every token-like path segment (12+ characters with a
  digit, e.g. a join URL's per-registrant token) becomes a stable placeholder ``REDACTED-<n>``
  -- the same value always the same placeholder within a cassette, so equal URLs stay equal.

Scrubbing is idempotent: placeholders are left alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ._auth import DEFAULT_TOKEN_URL
from ._client import DEFAULT_BASE_URL

__all__ = ["DEFAULT_MAX_BINARY_BODY", "FAKE_FILES_URL", "REDACTED", "Scrubber", "vcr_config"]

LIVE_BASE_URL = DEFAULT_BASE_URL
LIVE_TOKEN_URL = DEFAULT_TOKEN_URL
#: Where recorded recording-file URLs point in cassettes (a reserved, never-resolving name).
FAKE_FILES_URL = "https://cdn.gototraining.example/recordings"
REDACTED = "REDACTED"
#: Binary bodies larger than this many bytes are left out of recordings by default.
DEFAULT_MAX_BINARY_BODY = 1024
SECRET_FIELDS = frozenset(
    {"access_token", "refresh_token", "id_token", "client_secret", "code", "password", "token"}
)
# date: keeps re-recordings diff-free; the rest may carry credentials or the sandbox port.
DROP_HEADERS = frozenset(
    {"authorization", "cookie", "set-cookie", "host", "proxy-authorization", "date"}
)
#: A path segment that may be a credential or a personal identifier (join tokens, long keys).
_TOKEN_SEGMENT = re.compile(r"^(?=[^/]*\d)[A-Za-z0-9_~.-]{12,}$")
_PLACEHOLDER = re.compile(r"^REDACTED(-\d+)?$")
_SAFE_EMAIL = re.compile(
    r"@(example\.(com|org|net)|[^@]*\.(test|example|invalid|localhost))$", re.IGNORECASE
)


def _is_text(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return (
        not kind
        or kind.startswith("text/")
        or kind.endswith(("json", "+xml", "/xml"))
        or kind == "application/x-www-form-urlencoded"
    )


class Scrubber:
    """Hooks for ``vcr.VCR(before_record_request=..., before_record_response=...)``.

    One scrubber per cassette: the fakes it hands out (``person-1@example.com``,
    ``REDACTED-1``) are numbered in the order it meets the real values.

    Args:
        base_url: the recorded API root (e.g. the sandbox's ``sb.url``); rewritten to the live one.
        token_url: the recorded token endpoint; rewritten to the live one.
        keys: real key -> fake key, replaced wherever they appear as a whole number (your
            organizer and account keys, for instance).
        max_binary_body: binary bodies larger than this many bytes become a placeholder;
            ``None`` keeps them byte for byte.
    """

    def __init__(
        self,
        base_url: str = LIVE_BASE_URL,
        token_url: str = LIVE_TOKEN_URL,
        keys: Mapping[str, str] = {},
        *,
        max_binary_body: int | None = DEFAULT_MAX_BINARY_BODY,
    ):
        if max_binary_body is not None and (
            isinstance(max_binary_body, bool)
            or not isinstance(max_binary_body, int)
            or max_binary_body < 0
        ):
            raise ValueError(
                f"max_binary_body: expected an int >= 0 or None, got {max_binary_body!r}"
            )
        self.max_binary_body = max_binary_body
        self.base_url = base_url.rstrip("/")
        self.token_url = token_url
        self.keys = dict(keys)
        self._key_re = (
            re.compile(
                r"(?<!\d)("
                + "|".join(map(re.escape, sorted(self.keys, key=len, reverse=True)))
                + r")(?!\d)"
            )
            if self.keys
            else None
        )
        self._people: dict[str, int] = {}
        self._tokens: dict[str, str] = {}

    # -- building blocks ----------------------------------------------------------------------

    def text(self, value: str) -> str:
        """A string with the recorded base and token URLs made live, and keys replaced."""
        value = value.replace(self.token_url, LIVE_TOKEN_URL).replace(self.base_url, LIVE_BASE_URL)
        if self._key_re is not None:
            value = self._key_re.sub(lambda m: self.keys[m.group(1)], value)
        return value

    def file_url(self, url: str) -> str:
        """A recording file URL -> ``FAKE_FILES_URL/<last path segment>`` (no host, no query)."""
        if url.startswith(FAKE_FILES_URL + "/"):
            return url
        name = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] or "file"
        return f"{FAKE_FILES_URL}/{name}"

    def web_url(self, url: str) -> str:
        """A web URL in a body (host, join, confirmation, ...): query values and token-like path
        segments become placeholders; everything else (host, path words, short ids) stays."""
        parts = urlsplit(url)
        segments = [
            seg
            if _PLACEHOLDER.match(seg) or not _TOKEN_SEGMENT.match(seg)
            else self._tokens.setdefault(seg, f"{REDACTED}-{len(self._tokens) + 1}")
            for seg in parts.path.split("/")
        ]
        query = urlencode(
            [(k, REDACTED) for k, _ in parse_qsl(parts.query, keep_blank_values=True)], safe=""
        )
        fragment = REDACTED if parts.fragment else ""
        return urlunsplit((parts.scheme, parts.netloc, "/".join(segments), query, fragment))

    def _is_web_url(self, value: str) -> bool:
        return value.startswith(("https://", "http://")) and not (
            self._is_api(value) or value.startswith(FAKE_FILES_URL + "/")
        )

    def _is_api(self, url: str) -> bool:
        return url.startswith((LIVE_BASE_URL + "/", LIVE_TOKEN_URL))

    def _person(self, email: str) -> int:
        return self._people.setdefault(email.lower(), len(self._people) + 1)

    def data(self, value: Any) -> Any:
        """Parsed JSON with secrets, keys and personal data replaced."""
        if isinstance(value, dict):
            out = {
                k: (
                    REDACTED
                    if k in SECRET_FIELDS and v
                    else self.file_url(self.text(v))
                    if k == "downloadUrl" and isinstance(v, str)
                    else self.data(v)
                )
                for k, v in value.items()
            }
            email = value.get("email") or value.get("principal")
            if isinstance(email, str) and "@" in email and not _SAFE_EMAIL.search(email):
                n = self._person(email)
                for field in ("email", "principal"):
                    if field in out:
                        out[field] = f"person-{n}@example.com"
                for field, fake in (("givenName", f"Given{n}"), ("surname", f"Surname{n}"), ("firstName", f"Given{n}"),
                                    ("lastName", f"Surname{n}")):  # fmt: skip
                    if field in out:
                        out[field] = fake
            return out
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if isinstance(value, str):
            value = self.text(value)
            return self.web_url(value) if self._is_web_url(value) else value
        if isinstance(value, int) and not isinstance(value, bool) and str(value) in self.keys:
            return int(self.keys[str(value)])  # keys sent as JSON numbers (co-organizer lists)
        return value

    def body(self, raw: bytes | str | None, content_type: str) -> bytes | str | None:
        """A request/response body: JSON and form bodies are scrubbed field by field."""
        if not raw:
            return raw
        if not _is_text(content_type):  # e.g. video/mp4: never re-encoded
            if self.max_binary_body is None or len(raw) <= self.max_binary_body:
                return raw
            kind = content_type.split(";", 1)[0].strip() or "unknown type"
            note = (
                f"[gototraining.testing: {len(raw):,} bytes of {kind} left out of the recording "
                f"(max_binary_body={self.max_binary_body})]"
            )
            return note.encode() if isinstance(raw, bytes) else note
        as_text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        if "application/x-www-form-urlencoded" in content_type:
            pairs = [
                (k, REDACTED if k in SECRET_FIELDS else self.text(v))
                for k, v in parse_qsl(as_text, True)
            ]
            result = urlencode(pairs)
        else:
            try:
                result = json.dumps(self.data(json.loads(as_text)), separators=(",", ":"))
            except ValueError:
                result = self.text(as_text)
        return result.encode() if isinstance(raw, bytes) else result

    # -- vcrpy hooks ------------------------------------------------------------------------

    def before_record_request(self, request: Any) -> Any:
        """Scrub a ``vcr.request.Request`` in place (URL, headers, body) and return it."""
        request.uri = self.text(request.uri)
        if not self._is_api(request.uri):
            request.uri = self.file_url(request.uri)
        content_type = request.headers.get("content-type", request.headers.get("Content-Type", ""))
        for name in list(request.headers):
            if name.lower() in DROP_HEADERS:
                del request.headers[name]
        request.body = self.body(request.body, content_type)
        return request

    def before_record_response(self, response: dict[str, Any]) -> dict[str, Any]:
        """Scrub a vcrpy response dict in place (headers, ``Location``, body) and return it."""
        headers = response.get("headers", {})
        content_type = ""
        for name in list(headers):
            if name.lower() in DROP_HEADERS:
                del headers[name]
            elif name.lower() == "content-type":
                value = headers[name]
                content_type = value[0] if isinstance(value, list) else value
            elif name.lower() == "location":
                locations = [self.text(v) for v in headers[name]]
                headers[name] = [v if self._is_api(v) else self.file_url(v) for v in locations]
        body = response.get("body", {})
        if "string" in body:
            body["string"] = self.body(body["string"], content_type or "application/json")
            for name in list(headers):  # the body length may have changed
                if name.lower() == "content-length":
                    headers[name] = [str(len(body["string"] or b""))]
        return response


def vcr_config(
    *,
    base_url: str = LIVE_BASE_URL,
    token_url: str = LIVE_TOKEN_URL,
    keys: Mapping[str, str] = {},
    max_binary_body: int | None = DEFAULT_MAX_BINARY_BODY,
) -> dict[str, Any]:
    """Keyword arguments for ``vcr.VCR(**...)`` (or pytest-recording's ``vcr_config`` fixture)
    that write scrubbed cassettes, safe to commit.

    Recording against the sandbox, pass ``base_url=sb.url, token_url=sb.token_url``: the
    cassette then points at the live API and replays with a default client, no server needed.

    Args:
        base_url: the API root the recording talks to.
        token_url: the token endpoint the recording talks to.
        keys: real key -> fake key (e.g. ``{organizer_key: "1000000000000000001"}``).
        max_binary_body: binary bodies (recording files) larger than this many bytes become
            a short placeholder; ``None`` records them whole.
    """
    scrubber = Scrubber(base_url, token_url, keys, max_binary_body=max_binary_body)
    return {
        "before_record_request": scrubber.before_record_request,
        "before_record_response": scrubber.before_record_response,
        # Compressed bodies cannot be scrubbed.
        "decode_compressed_response": True,
    }
