"""A ``tokens.json`` that is not what ``login`` wrote, in ways ``json`` itself survives but the
code after it did not: an ``expires_at`` of 400 digits (``OverflowError`` converting it),
JSON nested 10,000 deep (``RecursionError``), an infinite or negative time. Each is a
``TokenStoreError`` from ``TokenStore.load()`` and ``GoToTraining()``, and exit 2 in the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gototraining import GoToTraining
from gototraining.token_store import TokenStore, TokenStoreError

from .conftest import Run

LOGIN = {
    "client_id": "id",
    "client_secret": "secret-value",
    "token_url": "https://auth.example/oauth/token",
    "access_token": "at-value",
    "refresh_token": "rt-value",
    "organizer_key": "1",
    "base_url": None,
}

CORRUPT = {
    "400 digits": json.dumps({**LOGIN, "expires_at": 10**400 - 1}),
    "nested 10,000 deep": "[" * 10_000 + "]" * 10_000,
    "nested inside a field": json.dumps({**LOGIN, "expires_at": None})[:-1]
    + ', "x": '
    + '{"a": ' * 10_000
    + "1"
    + "}" * 10_000
    + "}",
    "Infinity": json.dumps({**LOGIN, "expires_at": float("inf")}),
    "negative": json.dumps({**LOGIN, "expires_at": -5}),
    "true": json.dumps({**LOGIN, "expires_at": True}),
}


@pytest.fixture(params=list(CORRUPT), ids=list(CORRUPT))
def corrupt_store(request: pytest.FixtureRequest, config_dir: Path) -> TokenStore:
    store = TokenStore(config_dir)
    config_dir.mkdir(parents=True)
    store.path.write_text(CORRUPT[request.param], encoding="utf-8")
    store.path.chmod(0o600)
    return store


def test_load_and_the_client_raise_token_store_error(corrupt_store: TokenStore) -> None:
    with pytest.raises(TokenStoreError, match="not a valid token file"):
        corrupt_store.load()
    with pytest.raises(TokenStoreError, match="not a valid token file"):
        GoToTraining()


def test_the_cli_says_so_and_exits_2(corrupt_store: TokenStore, run: Run) -> None:
    result = run("trainings", "list")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: {corrupt_store.path} is not a valid token file")
    assert "Traceback" not in result.output and "secret-value" not in result.output
