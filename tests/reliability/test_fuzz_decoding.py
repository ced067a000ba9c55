"""Fuzz the decoding layer with hypothesis: every response body either decodes or raises the
library's typed error -- never ``KeyError``/``TypeError``/``AttributeError``/``RecursionError``.

Bodies go through the transport's own decode step: ``pipeline()`` (the sans-IO request
pipeline both clients run) is driven by hand and answered with a hand-made ``httpx.Response``,
so status mapping, JSON parsing and the model decoders are all exercised as in production.

What the spec allows (and only that) is the subject of tests/reliability/test_spec_decoding.py;
here:

- arbitrary bytes, for every decoder of ``_generated.models``, decode or raise ``DecodeError``;
- getRecordingDownloadById's 302 answer (``location``: the Location header, not JSON) is an
  absolute URL or a ``DecodeError``;
- error statuses with arbitrary bodies must raise the mapped ``APIError`` subclass;
- token-endpoint answers must refresh or raise ``AuthenticationError``.

Examples per test: ``conftest.FUZZ`` (100 in ``make test``, 1,000 under ``make soak``);
``FUZZ_FULL`` is half of that in ``make test`` (the same under soak); the totals are printed at
the end of the module (``-s``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from gototraining import (
    STATUS_TO_ERROR,
    APIError,
    AuthenticationError,
    BadRequestError,
    ClientOptions,
    DecodeError,
    GoToTrainingError,
    OAuth2,
    RateLimitError,
    RetryPolicy,
    ServerError,
    TokenResponseError,
)
from gototraining._builders.recordings import location
from gototraining._decoding import decode_string
from gototraining._errors import INVALID_TOKEN_CODES
from gototraining._generated import models as m
from gototraining._transport import ApiRequest, Call, Send, _Settings, decode_json, pipeline
from gototraining._types import NOT_GIVEN
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import FUZZ, SOAK

#: The full-API models' tests: half the CI examples (the soak size under ``make soak``).
FUZZ_FULL = FUZZ if SOAK else settings(FUZZ, max_examples=max(1, FUZZ.max_examples // 2))

pytestmark = pytest.mark.fuzz

EXAMPLES: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    total = sum(EXAMPLES.values())
    detail = ", ".join(f"{k} {v}" for k, v in sorted(EXAMPLES.items()))
    print(f"\n[fuzz] {total} examples through the decoding layer ({detail})")


# -- driving the real pipeline -----------------------------------------------------------------

_HTTP = httpx.Client()
SETTINGS = _Settings(
    ClientOptions(
        organizer_key="1",
        base_url="https://api.example.test/G2T/rest",
        auth=httpx.Auth(),
        credentials="test",
        retry_policy=RetryPolicy(max_retries=0, rate_limit_retries=0),
    ),
    _HTTP.build_request,
    NOT_GIVEN,
)


def through_pipeline(
    decoder: Callable[[Any], Any],
    content: bytes,
    *,
    status: int = 200,
    content_type: str = "application/json",
) -> Any:
    """Answer one GET pipeline with this body; return the decoded value or raise."""
    gen = pipeline(SETTINGS, Call(ApiRequest("fuzz", "GET", "/fuzz"), decode_json(decoder)))
    send = next(gen)
    assert isinstance(send, Send)
    response = httpx.Response(
        status, content=content, headers={"content-type": content_type}, request=send.request
    )
    try:
        gen.send(response)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("the pipeline asked for another action")


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


# -- strategies ------------------------------------------------------------------------------------

INT64 = (-(2**63), 2**63 - 1)
text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "\u0000", "\ud83d\ude00", "ünïcødé", "x" * 10_000, "null"]),
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([*INT64, 2**64, -(2**64), 10**30]),
    st.floats(allow_nan=False, allow_infinity=False),
    text,
)
any_json = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
#: Every JSON decoder of the facade (one per response shape the spec has).
DECODERS: dict[str, Callable[[Any], Any]] = {
    name: getattr(m, name) for name in dir(m) if name.startswith("decode_")
} | {"decode_string": decode_string}
ESCAPES = (KeyError, TypeError, AttributeError, IndexError, RecursionError, OverflowError)


raw_bodies = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [b"", b" ", b"\xff\xfe\x00", b"<html>502 Bad Gateway</html>", b'{"a":', b"NaN",
         b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000, b"1" * 5000, b"\xef\xbb\xbf{}"]
    ),
    any_json.map(dumps).map(lambda b: b[: max(0, len(b) - 1)]),  # truncated mid-body
)  # fmt: skip
content_types = st.sampled_from(
    ["application/json", "text/html; charset=utf-8", "text/plain", "", "application/json; charset=latin-1"]
)  # fmt: skip


@FUZZ
@given(name=st.sampled_from(sorted(DECODERS)), body=raw_bodies, content_type=content_types)
def test_arbitrary_bytes_decode_or_are_a_decode_error(
    name: str, body: bytes, content_type: str
) -> None:
    EXAMPLES["bytes"] += 1
    try:
        through_pipeline(DECODERS[name], body, content_type=content_type)
    except DecodeError:
        pass
    except ESCAPES as exc:  # pragma: no cover - the failure message
        raise AssertionError(f"{type(exc).__name__} escaped") from exc


# -- getRecordingDownloadById: the 302's Location (not JSON) ------------------------------------


def through_redirect(status: int, location_header: bytes | None, body: bytes = b"") -> Any:
    """Answer one getRecordingDownloadById pipeline; return the file URL or raise."""
    call = Call(ApiRequest("fuzz", "GET", "/fuzz"), location, redirect_is_result=True)
    gen = pipeline(SETTINGS, call)
    send = next(gen)
    assert isinstance(send, Send)
    headers = [] if location_header is None else [(b"location", location_header)]
    response = httpx.Response(status, content=body, headers=headers, request=send.request)
    try:
        gen.send(response)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("the pipeline asked for another action")


header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=60
)
location_headers = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "",
            " ",
            "https://cdn.example.net/rec/recording-1.mp4?Signature=x&Expires=1",
            "/_sandbox/files/recording-1.mp4",
            "recording-1.mp4",
            "//cdn.example.net/a",
            "http://[::1",
            "http://[invalid]/x",
            "http://a:99999/",
            "ftp://x/y",
            "?a=b",
            "#f",
            "http://\u00e9.example/",
            "https://" + "a" * 300 + ".example/",
        ]
    ),
    header_text,
).map(lambda v: None if v is None else v.encode("latin-1"))


@FUZZ_FULL
@given(
    status=st.sampled_from([301, 302, 303, 307, 308, 300, 304, 399]),
    header=location_headers,
    body=raw_bodies,
)
def test_redirect_location_is_an_absolute_url_or_a_decode_error(
    status: int, header: bytes | None, body: bytes
) -> None:
    EXAMPLES["redirect"] += 1
    try:
        url = through_redirect(status, header, body)
    except DecodeError as exc:
        assert exc.response is not None and exc.response.status_code == status
        return
    assert header and header.strip()
    parsed = httpx.URL(url)
    assert parsed.is_absolute_url and parsed.scheme, url


@FUZZ_FULL
@given(status=st.sampled_from([200, 201, 204, 206]), header=location_headers, body=raw_bodies)
def test_non_redirect_answer_to_download_url_is_a_decode_error(
    status: int, header: bytes | None, body: bytes
) -> None:
    EXAMPLES["redirect/2xx"] += 1
    with pytest.raises(DecodeError, match="expected a 302"):
        through_redirect(status, header, body)


error_bodies = st.one_of(
    raw_bodies,
    any_json.map(dumps),
    st.fixed_dictionaries(
        {},
        optional={
            "errorCode": any_json | st.sampled_from(sorted(INVALID_TOKEN_CODES)),
            "int_err_code": any_json,
            "description": any_json,
            "msg": any_json,
            "incident": any_json,
        },
    ).map(dumps),
)


@FUZZ
@given(status=st.integers(400, 599), body=error_bodies, content_type=content_types)
def test_error_statuses_raise_the_mapped_api_error(
    status: int, body: bytes, content_type: str
) -> None:
    EXAMPLES["errors"] += 1
    with pytest.raises(APIError) as info:
        through_pipeline(decode_string, body, status=status, content_type=content_type)
    err = info.value
    expected = STATUS_TO_ERROR.get(status) or (ServerError if status >= 500 else BadRequestError)
    assert isinstance(err, expected) or (status == 403 and isinstance(err, AuthenticationError))
    assert err.status == status and len(err.message) <= 500
    str(err), repr(err)


token_bodies = st.one_of(
    any_json,
    st.fixed_dictionaries(
        {"access_token": st.one_of(text, any_json)},
        optional={
            "expires_in": st.one_of(
                st.integers(), st.sampled_from([10**400, -1, 0, 1e308]), st.floats(), any_json
            ),
            "refresh_token": any_json,
            "scope": any_json,
        },
    ),
)


@FUZZ
@given(
    body=st.one_of(token_bodies.map(dumps), raw_bodies),
    status=st.sampled_from([200, 400, 401, 429, 500, 503]),
)
def test_token_endpoint_answers_refresh_or_raise_authentication_error(
    body: bytes, status: int
) -> None:
    """A refused grant is an ``AuthenticationError``; a busy endpoint (429/5xx) keeps its own
    class, so it isn't mistaken for bad credentials; a 200 that is no token set is a
    ``TokenResponseError``."""
    EXAMPLES["token"] += 1
    auth = OAuth2("client", "secret", "refresh", token_url="https://auth.example.test/token")
    request = auth._keeper.refresh_request()
    response = httpx.Response(status, content=body, request=request)
    expected = {429: RateLimitError, 500: ServerError, 503: ServerError}.get(status)
    try:
        token, generation = auth._keeper.parse(response)
    except AuthenticationError as exc:
        assert expected is None and status != 200, f"{status} should be {expected}, got {exc!r}"
        str(exc)
        return
    except TokenResponseError as exc:
        assert status == 200, f"{status} gave {exc!r}"
        str(exc)
        return
    except GoToTrainingError as exc:
        assert expected is not None and type(exc) is expected, f"unexpected {exc!r}"
        assert isinstance(exc, APIError) and exc.status == status
        str(exc)
        return
    assert status == 200 and isinstance(token, str) and token and generation == 1
