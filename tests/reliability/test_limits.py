"""Extreme arguments and answers at the edges of what the client accepts: rejected before
anything is sent (or clamped), never an ``OverflowError``, a wait forever or a token refresh
before every request; bodies read with a bound whatever their coding; every piece of a secret
redacted."""

from __future__ import annotations

import gzip
import math
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from gototraining import (
    GoToTraining,
    OAuth2,
    RateLimiter,
    ResponseTooLargeError,
    RetryPolicy,
    ValidationError,
)
from gototraining._body import ERROR_BODY_LIMIT, BodyReader
from gototraining._errors import redact
from sdk.conftest import Flavor

TOKEN = "test-token-1234567890"

# -- arguments --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"timeout": 1e300}, "timeout"),
        ({"timeout": 1_000_001}, "timeout"),
        ({"timeout": httpx.Timeout(5.0, read=1e300)}, "timeout.read"),
        ({"timeout": httpx.Timeout(0)}, "timeout.connect"),
        ({"rate_limit": 1e-300}, "rate_limit"),
        ({"rate_limit": 0.0009}, "rate_limit"),
        ({"rate_limit": math.inf}, "rate_limit"),
        ({"max_response_size": 0}, "max_response_size"),
        ({"max_response_size": 1024}, "max_response_size"),
        ({"max_response_size": 2.5e7}, "max_response_size"),
    ],
    ids=str,
)
def test_extreme_client_arguments_are_rejected(
    flavor: Flavor, kwargs: dict[str, Any], param: str
) -> None:
    with pytest.raises(ValidationError) as info:
        flavor.client(lambda request: pytest.fail("sent"), **kwargs)
    assert info.value.param == param


@pytest.mark.parametrize("timeout", [1e300, -1.0, math.nan, 0])
def test_extreme_per_call_timeouts_are_rejected(flavor: Flavor, timeout: float) -> None:
    flavor.client(lambda request: pytest.fail("sent"))
    with pytest.raises(ValidationError) as info:
        flavor.run(lambda c: c.trainings.get(1, timeout=timeout))
    assert info.value.param == "timeout"


@pytest.mark.parametrize(
    ("factory", "param"),
    [
        (lambda: RateLimiter(1e-300), "rate"),
        (lambda: RateLimiter(10, burst=math.inf), "burst"),
        (lambda: RetryPolicy(backoff_max=1e300), "backoff_max"),
        (lambda: RetryPolicy(backoff_base=1e7), "backoff_base"),
        (lambda: RetryPolicy(retry_after_cap=math.inf), "retry_after_cap"),
        (lambda: RetryPolicy(max_retries=10**9), "max_retries"),
        (lambda: RetryPolicy(rate_limit_retries=-1), "rate_limit_retries"),
        (lambda: OAuth2("c", "s", "refresh-token", leeway=math.nan), "leeway"),
        (lambda: OAuth2("c", "s", "refresh-token", leeway=-1), "leeway"),
        (lambda: OAuth2("c", "s", "refresh-token", expires_at=math.inf), "expires_at"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_extreme_settings_are_rejected(factory: Callable[[], object], param: str) -> None:
    with pytest.raises(ValidationError) as info:
        factory()
    assert info.value.param == param


def test_backoff_never_overflows() -> None:
    policy = RetryPolicy(max_retries=1000, backoff_max=30.0, jitter=0.0)
    assert policy.backoff(999) == 30.0  # 0.5 * 2.0**999 would be fine, 2.0**1024 overflows
    assert policy.backoff(10**6) == 30.0


@pytest.mark.parametrize("expires_in", [0, -3600, -1e308, 1e-300, 0.5])
def test_token_expiring_in_the_past_is_not_refreshed_before_every_request(
    flavor: Flavor, expires_in: float
) -> None:
    """A token endpoint answering ``expires_in`` below a second (or <= 0) would make every
    request refresh first: such an expiry is treated as unknown (a rejected token is still
    refreshed)."""
    token_requests = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            token_requests.append(request)
            answer = {"access_token": "access-abcdef123456", "expires_in": expires_in}
            return httpx.Response(200, json=answer)
        return httpx.Response(200, json=[])

    auth = OAuth2("client", "secret-123456789", "refresh-123456789",
                  token_url="https://auth.test/token")  # fmt: skip
    flavor.client(handler, access_token=None, auth=auth, rate_limit=None)
    for _ in range(5):
        assert flavor.run(lambda c: c.trainings.list()) == []
    assert len(token_requests) == 1


# -- bodies -----------------------------------------------------------------------------------


def response(body: bytes, coding: str | None = None) -> httpx.Response:
    headers = {"content-encoding": coding} if coding else {}
    return httpx.Response(200, headers=headers, request=httpx.Request("GET", "https://x.test/"))


def read(body: bytes, coding: str | None, limit: int, chunk: int = 7) -> BodyReader:
    reader = BodyReader(response(body, coding), limit)
    for start in range(0, len(body), chunk):  # odd chunk boundaries
        if not reader.feed(body[start : start + chunk]):
            break
    return reader


PAYLOAD = b'{"registrants": [' + b'{"email": "a@example.com"},' * 2000 + b"{}]}"


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        (None, lambda data: data),
        ("identity", lambda data: data),
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as the RFC says
        ("deflate", raw_deflate),  # raw, as some servers send it
    ],
)
def test_bodies_are_decoded_exactly(coding: str | None, encode: Callable[[bytes], bytes]) -> None:
    reader = read(encode(PAYLOAD), coding, limit=len(PAYLOAD))
    assert not reader.truncated
    assert reader.body() == PAYLOAD


@pytest.mark.parametrize(("coding", "encode"), [(None, bytes), ("gzip", gzip.compress)])
def test_a_body_one_byte_over_the_limit_is_cut(
    coding: str | None, encode: Callable[[bytes], bytes]
) -> None:
    reader = read(encode(PAYLOAD), coding, limit=len(PAYLOAD) - 1)
    assert reader.truncated
    assert reader.body() == PAYLOAD[:ERROR_BODY_LIMIT]


@pytest.mark.parametrize("coding", ["br", "zstd", "compress", "gzip, gzip", "gzip, br"])
def test_codings_the_sdk_did_not_ask_for_are_refused(coding: str) -> None:
    with pytest.raises(httpx.DecodingError, match="unsupported Content-Encoding"):
        BodyReader(response(b"", coding), 100)


@pytest.mark.parametrize(
    ("coding", "encode"), [("gzip", gzip.compress), ("deflate", zlib.compress)]
)
def test_bytes_after_the_compressed_data_count_against_the_limit(
    coding: str, encode: Callable[[bytes], bytes]
) -> None:
    """Junk after the end of the gzip/deflate stream is ignored, as httpx does, but counted:
    an endless tail stops at the limit instead of piling up inside zlib."""
    small = read(encode(b"[]") + b"\n\n", coding, limit=1000)
    assert not small.truncated and small.body() == b"[]"
    endless = BodyReader(response(b"", coding), 1000)
    assert endless.feed(encode(b"[]"))
    fed = 0
    while endless.feed(b"\0" * 4096):
        fed += 1
        assert fed < 10, "the tail was never counted"
    assert endless.truncated


def test_corrupt_gzip_is_a_decoding_error() -> None:
    with pytest.raises(httpx.DecodingError):
        read(b"\x1f\x8b\x08\x00garbage-garbage-garbage", "gzip", limit=1000)


def test_one_hundred_thousand_registrants_fit_the_default_limit() -> None:
    """The default ``max_response_size`` (64 MiB) holds the largest realistic answer: 100,000
    registrants (~34 MB), read by the bounded reader in network-sized chunks."""
    from gototraining._body import DEFAULT_MAX_RESPONSE_SIZE

    registrant = (
        b'{"registrantKey":"1234567890123456789","email":"firstname.lastname@example.com",'
        b'"givenName":"Firstname","surname":"Lastname","status":"APPROVED",'
        b'"registrationDate":"2031-03-01T09:00:00Z","joinUrl":"https://global.gototraining.com'
        b'/join/training/1234567890123456789/1234567890123456789","confirmationUrl":'
        b'"https://attendee.gototraining.com/registration/confirmation.tmpl?registrant='
        b'1234567890123456789&training=1234567890123456789"},'
    )
    body = b"[" + registrant * 100_000 + b"{}]"
    assert len(body) > 30_000_000
    reader = read(body, None, limit=DEFAULT_MAX_RESPONSE_SIZE, chunk=64 * 1024)
    assert not reader.truncated
    assert len(reader.body()) == len(body)


def test_client_rejects_a_success_over_max_response_size(flavor: Flavor) -> None:
    """Through the pipeline: a truncated read of a 2xx is ``ResponseTooLargeError``."""
    from gototraining._body import TRUNCATED

    def handler(request: httpx.Request) -> httpx.Response:
        answer = httpx.Response(200, json=[])
        answer.extensions[TRUNCATED] = True  # what the bounded reader marks
        return answer

    flavor.client(handler, max_response_size=ERROR_BODY_LIMIT)
    with pytest.raises(ResponseTooLargeError) as info:
        flavor.run(lambda c: c.trainings.list())
    assert info.value.limit == ERROR_BODY_LIMIT


# -- redaction --------------------------------------------------------------------------------

SECRET = "s3cr3t-t0ken-abcdefghijklmnop"


@pytest.mark.parametrize(
    "text",
    [
        SECRET,
        f"token={SECRET}&x=1",
        f"cut off: {SECRET[:12]}",  # a server (or anyone) truncating the echo
        f"{SECRET[-9:]} <- its tail",
        f"twice {SECRET[3:20]} and {SECRET[10:]}",
        f"{SECRET}{SECRET}",
    ],
)
def test_every_piece_of_eight_or_more_characters_is_redacted(text: str) -> None:
    redacted = redact(text, SECRET)
    assert "***" in redacted
    assert not [SECRET[i : i + 8] for i in range(len(SECRET) - 7) if SECRET[i : i + 8] in redacted]


def test_a_long_secret_is_redacted_wherever_it_is_cut() -> None:
    """A secret of thousands of characters (a hostile token endpoint's), echoed in pieces:
    no 8-character piece is left, and the text around it stays."""
    secret = "".join(f"{i:04x}" for i in range(1500))
    text = f"head {secret[:3000]} mid {secret[2500:5000]} tail {secret[-9:]}"
    redacted = redact(text, secret)
    assert redacted.startswith("head *** mid *** tail ***")
    assert not [secret[i : i + 8] for i in range(len(secret) - 7) if secret[i : i + 8] in redacted]


def test_redaction_leaves_other_text_alone() -> None:
    assert redact("nothing secret here, not even s3cr3t-", SECRET) == (
        "nothing secret here, not even s3cr3t-"  # 7 characters of it: not a piece
    )
    assert redact("short", "short") == "short"  # secrets under 8 characters are ignored


def test_echo_across_the_message_cut_leaks_nothing(flavor: Flavor) -> None:
    """The message is cut to 500 characters *after* redaction."""
    description = "x" * 480 + TOKEN + " rejected"
    flavor.client(
        lambda request: httpx.Response(400, json={"errorCode": "Bad", "description": description}),
        access_token=TOKEN,
    )
    with pytest.raises(Exception) as info:
        flavor.run(lambda c: c.trainings.list())
    assert TOKEN[:8] not in str(info.value)
    assert len(info.value.args[1]) <= 500


def test_requests_ask_only_for_codings_the_sdk_can_bound() -> None:
    """Whatever the caller's client would accept by default (e.g. ``br`` when brotli is
    installed), the SDK's requests ask for gzip and deflate only."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    given = httpx.Client(
        transport=httpx.MockTransport(handler), headers={"Accept-Encoding": "gzip, br, zstd"}
    )
    with (
        given,
        GoToTraining(
            access_token=TOKEN, organizer_key=1, rate_limit=None, http_client=given
        ) as client,
    ):
        client.trainings.list()
    assert seen[0].headers["accept-encoding"] == "gzip, deflate"


class _Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body of endless chunks whose iterators say when they were closed."""

    def __init__(self) -> None:
        self.closed_iterators = 0

    def __iter__(self) -> Iterator[bytes]:
        try:
            while True:
                yield b"x" * 1024
        finally:
            self.closed_iterators += 1

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            while True:
                yield b"x" * 1024
        finally:
            self.closed_iterators += 1


def test_a_body_cut_at_its_limit_closes_its_chunk_iterator_at_once() -> None:
    """Left to the garbage collector, an async generator is closed by tasks the event loop
    runs later, or never if it closes first (Python 3.13 warns: 'coroutine method aclose
    ... was never awaited')."""
    import asyncio

    from gototraining._driver import read_async
    from gototraining._generated.driver import read_sync

    request = httpx.Request("GET", "https://api.test/x")
    stream = _Chunks()
    read_sync(httpx.Response(200, stream=stream, request=request), 4096)
    assert stream.closed_iterators == 1

    async def cut() -> int:
        stream = _Chunks()
        await read_async(httpx.Response(200, stream=stream, request=request), 4096)
        return stream.closed_iterators  # before the loop had a turn to finalize anything

    assert asyncio.run(cut()) == 1


def test_the_deadline_transports_body_closes_the_pools_iterator_with_its_own() -> None:
    import asyncio

    from gototraining._deadline import _AsyncResponseStream

    async def cut() -> int:
        inner = _Chunks()
        outer = _AsyncResponseStream(inner, httpx.Request("GET", "https://api.test/x"))
        chunks = aiter(outer)
        await anext(chunks)
        await chunks.aclose()  # type: ignore[attr-defined]
        return inner.closed_iterators

    assert asyncio.run(cut()) == 1
