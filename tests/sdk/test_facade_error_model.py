"""The error model's structure: a read-only status table, ``_errors`` a leaf module that owns
every translation into the SDK's exceptions, and copies that keep every field."""

from __future__ import annotations

import ast
from pathlib import Path

import httpx
import pytest
from gototraining import (
    STATUS_TO_ERROR,
    APIConnectionError,
    APIError,
    APITimeoutError,
    BadRequestError,
    DecodeError,
    GoToTrainingError,
    RateLimitError,
    TokenResponseError,
    TransportError,
    UnexpectedRedirectError,
    ValidationError,
)
from gototraining._errors import copy_error, error_from_response, transport_error

FACADE = Path(__file__).resolve().parents[2] / "facade" / "gototraining"


def test_the_status_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        STATUS_TO_ERROR[400] = APIError  # type: ignore[index]
    assert STATUS_TO_ERROR[400] is BadRequestError and STATUS_TO_ERROR[429] is RateLimitError


def test_errors_is_a_leaf_module() -> None:
    """``_errors`` imports nothing else of the package, so every other module can use it."""
    tree = ast.parse((FACADE / "_errors.py").read_text(encoding="utf-8"))
    relative = [
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and (node.level or "gototraining" in (node.module or ""))
    ]
    assert relative == []


def test_the_httpx_mapping_lives_in_errors_only() -> None:
    """The pipeline, the downloads and the login use ``_errors.transport_error``; nobody keeps
    a mapping of their own."""
    for path in FACADE.rglob("*.py"):
        if path.name == "_errors.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "_NOT_SENT" not in text and "def _transport_error" not in text, path


@pytest.mark.parametrize(
    ("exc", "cls", "maybe_sent"),
    [
        (httpx.ConnectError("refused"), APIConnectionError, False),
        (httpx.ConnectTimeout("slow"), APITimeoutError, False),
        (httpx.ReadTimeout("slow"), APITimeoutError, True),
        (httpx.RemoteProtocolError("reset"), APIConnectionError, True),
        (httpx.DecodingError("gzip"), TransportError, True),
    ],
    ids=lambda v: type(v).__name__,
)
def test_transport_error_mapping(exc: httpx.RequestError, cls: type, maybe_sent: bool) -> None:
    err = transport_error(exc, "GET", "https://api.example/x")
    assert type(err) is cls and err.maybe_sent is maybe_sent
    token = transport_error(exc, "POST", "https://auth.example/token", token_request=True)
    assert token.maybe_sent is False and "the API request was not sent" in str(token)


def _rate_limited() -> RateLimitError:
    request = httpx.Request("POST", "https://auth.example/token")
    response = httpx.Response(
        429,
        json={"error": "slow_down", "incident": "inc-1"},
        headers={"Retry-After": "3", "X-Request-Id": "r-1"},
        request=request,
    )
    err = error_from_response(response, token_endpoint="token refresh failed")
    assert isinstance(err, RateLimitError)
    return err


@pytest.mark.parametrize(
    "make",
    [
        _rate_limited,
        lambda: UnexpectedRedirectError(302, "moved", method="GET", url="https://a.example/"),
        lambda: APIConnectionError(
            "broke", method="GET", url="https://a.example/", maybe_sent=False
        ),
        lambda: ValidationError("timeout", "expected seconds"),
        lambda: TokenResponseError("token refresh failed: not JSON", url="https://a.example/t"),
    ],
    ids=["429", "redirect", "transport", "validation", "token-response"],
)
def test_copies_keep_every_field(make: object) -> None:
    assert callable(make)
    original: GoToTrainingError = make()
    original.add_note("first")
    if isinstance(original, UnexpectedRedirectError):
        original.location = "https://elsewhere.example/"
    clone = copy_error(original)
    clone.add_note("second")
    assert type(clone) is type(original) and clone is not original
    assert str(clone) == str(original) and clone.args == original.args
    assert vars(clone) == {**vars(original), "__notes__": ["first", "second"]}
    assert original.__notes__ == ["first"]  # the original is untouched
    assert clone.__cause__ is original


def test_a_429_from_the_token_endpoint_keeps_its_fields() -> None:
    err = _rate_limited()
    assert err.retry_after == 3 and err.incident == "inc-1" and err.request_id == "r-1"
    assert err.message.startswith("token refresh failed: ") and err.body is None
    assert err.error_code == "slow_down"


@pytest.mark.parametrize(
    ("status", "cls"),
    [(400, "AuthenticationError"), (401, "AuthenticationError"), (404, "AuthenticationError"),
     (429, "RateLimitError"), (503, "ServerError"), (302, "UnexpectedRedirectError")],
)  # fmt: skip
def test_token_endpoint_statuses(status: int, cls: str) -> None:
    request = httpx.Request("POST", "https://auth.example/token")
    response = httpx.Response(status, json={"error": "x"}, request=request)
    err = error_from_response(response, token_endpoint="token refresh failed")
    assert type(err).__name__ == cls and err.message.startswith("token refresh failed")


def test_token_response_error_is_a_decode_error() -> None:
    assert issubclass(TokenResponseError, DecodeError)
    assert not issubclass(TokenResponseError, APIError)
