"""Hostile servers (``hostile.py``) against every bound the client promises, sync and async,
with the SDK's own HTTP client and with one the caller brings:

- every request is bounded in time: the token request too (a token endpoint that never answers),
  and a server trickling the headers or the body cannot stretch a call past its timeout;
- every body is bounded in memory: a gzip bomb costs at most about the cap (measured as peak
  RSS in a subprocess), on a success, an error and the token endpoint;
- hostile redirects and echoed secrets end in typed errors that show no piece of a secret.

Race-free: the servers trickle or hang until the client hangs up (an event), so the only
outcome a bounded client can reach is its timeout; an unbounded one gets a complete answer
after ``hostile.GIVE_UP`` seconds instead, and fails the test.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import textwrap
from typing import Any

import httpx
import pytest
from gototraining import (
    APITimeoutError,
    AsyncGoToTraining,
    AuthenticationError,
    GoToTraining,
    GoToTrainingError,
    OAuth2,
    ResponseTooLargeError,
    ServerError,
    TokenResponseError,
    UnexpectedRedirectError,
    exchange_authorization_code,
)
from sdk.conftest import Flavor

from .helpers import TLS, http_client
from .hostile import MIB, HostileServer

REFRESH = "hostile-refresh-token-3c8e1a7f9b2d"
CLIENT_SECRET = "hostile-client-secret-6a2f8d4c1e9b"
TIMEOUT = 0.3


def oauth(hostile: HostileServer) -> OAuth2:
    return OAuth2("client", CLIENT_SECRET, REFRESH, token_url=hostile.token_url)


def make_client(
    flavor: Flavor, hostile: HostileServer, *, own: bool, **overrides: Any
) -> GoToTraining | AsyncGoToTraining:
    """A client for ``hostile``: with its own HTTP client (``own``) or with one we bring."""
    kwargs: dict[str, Any] = {
        "access_token": None,
        "auth": oauth(hostile),
        "organizer_key": hostile.organizer_key,
        "base_url": hostile.url,
        "rate_limit": None,
        "max_retries": 0,
        "timeout": TIMEOUT,
    }
    if not own:
        kwargs["http_client"] = http_client(flavor.is_async)
    kwargs.update(overrides)
    client: GoToTraining | AsyncGoToTraining = flavor.client(**kwargs)
    assert client._transport.deadline_backend is own
    return client


# -- time -----------------------------------------------------------------------------------


@pytest.mark.parametrize("own", [True, False], ids=["own-client", "given-client"])
def test_token_endpoint_that_never_answers_times_out(
    flavor: Flavor, hostile: HostileServer, own: bool
) -> None:
    """The token request carries the call's timeout (httpx gives it only to the API request)."""
    hostile.answer("hang", path="/oauth/token")
    client = make_client(flavor, hostile, own=own)
    with pytest.raises(APITimeoutError) as info:
        flavor.run(lambda c: c.trainings.get(1), client)
    assert "refreshing the access token failed" in str(info.value)
    assert info.value.maybe_sent is False  # the API request was never sent
    assert hostile.count("/oauth/token") == 1
    assert hostile.count("/G2T") == 0


def test_code_exchange_with_a_given_client_times_out(hostile: HostileServer) -> None:
    """``timeout=`` bounds the exchange even through a client configured without timeouts."""
    hostile.answer("hang", path="/oauth/token")
    with httpx.Client(verify=TLS, timeout=None) as given, pytest.raises(APITimeoutError):
        exchange_authorization_code(
            "the-code", client_id="client", client_secret=CLIENT_SECRET,
            redirect_uri="http://127.0.0.1/callback", token_url=hostile.token_url,
            http_client=given, timeout=TIMEOUT,
        )  # fmt: skip
    assert hostile.count("/oauth/token") == 1


TRICKLES = [
    # (mode, own client): the sync client with a given httpx.Client cannot bound a header
    # trickle (docs/reliability.md says why); every other combination is bounded.
    ("trickle_headers", True),
    ("trickle_body", True),
    ("trickle_body", False),
]


@pytest.mark.parametrize(("mode", "own"), TRICKLES, ids=lambda v: str(v))
def test_trickling_server_is_cut_off_at_the_timeout(
    flavor: Flavor, hostile: HostileServer, mode: str, own: bool
) -> None:
    hostile.answer("token", path="/oauth/token")
    hostile.answer(mode)
    client = make_client(flavor, hostile, own=own)
    with pytest.raises(APITimeoutError) as info:
        flavor.run(lambda c: c.trainings.get(1), client)
    assert info.value.maybe_sent is True  # the request had been sent
    assert hostile.count("/G2T") == 1


def test_async_client_with_a_given_http_client_cuts_off_trickling_headers(
    hostile: HostileServer,
) -> None:
    """With a caller's ``httpx.AsyncClient`` the attempt runs under ``asyncio.timeout``."""
    hostile.answer("token", path="/oauth/token")
    hostile.answer("trickle_headers")
    flavor = Flavor("async")
    try:
        client = make_client(flavor, hostile, own=False)
        with pytest.raises(APITimeoutError):
            flavor.run(lambda c: c.trainings.get(1), client)
    finally:
        flavor.close()


@pytest.mark.soak
def test_trickling_call_with_timeout_2_figures(hostile: HostileServer) -> None:
    """The figures for docs/reliability.md: how long a call with ``timeout=2`` takes against a
    server trickling one byte every 5 ms (it never finishes on its own)."""
    import time

    hostile.answer("token", path="/oauth/token")
    figures = []
    cases = [
        (mode, flavor_name, own) for mode, own in TRICKLES for flavor_name in ("sync", "async")
    ]
    cases.append(("trickle_headers", "async", False))
    for mode, flavor_name, own in cases:
        hostile.answer(mode)
        flavor = Flavor(flavor_name)
        try:
            client = make_client(flavor, hostile, own=own, timeout=2.0)
            began = time.perf_counter()
            with pytest.raises(APITimeoutError):
                flavor.run(lambda c: c.trainings.get(1), client)
            elapsed = time.perf_counter() - began
        finally:
            flavor.close()
        figures.append(f"{mode} {flavor_name} {'own' if own else 'given'} client: {elapsed:.2f} s")
        assert elapsed < 2.5
    print("\n[trickle, timeout=2] " + "; ".join(figures))


# -- memory -----------------------------------------------------------------------------------

#: Run in a fresh interpreter: the peak RSS (``VmHWM``, reset before each call) minus the RSS
#: before the call.
MEASURE = textwrap.dedent(
    """
    import asyncio, json, sys
    from gototraining import AsyncGoToTraining, GoToTraining, OAuth2

    root, flavor, cap = sys.argv[1], sys.argv[2], int(sys.argv[3])

    def status(field):
        with open("/proc/self/status") as lines:
            for line in lines:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024

    def reset_peak():
        # Linux: writing 5 to clear_refs resets VmHWM (the peak RSS) to the current RSS.
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        return status("VmRSS")

    def client(path, auth=None):
        cls = AsyncGoToTraining if flavor == "async" else GoToTraining
        return cls(
            access_token=None if auth else "a-token-for-the-bombs",
            auth=auth, organizer_key=1, base_url=root + path, rate_limit=None,
            max_retries=0, max_response_size=cap,
        )

    def call(c):
        if flavor == "async":
            async def main():
                async with c:
                    return await c.trainings.list()
            return asyncio.run(main())
        with c:
            return c.trainings.list()

    results = {}
    call(client("/small/G2T/rest"))  # warm up: imports, first connection
    cases = [
        ("error_bomb", "/bomb500/G2T/rest", None),
        ("token_bomb", "/small/G2T/rest", OAuth2("c", "secret-x", "refresh-x", token_url=root + "/oauth/token")),
        ("success_bomb", "/bomb200/G2T/rest", None),
    ]
    for name, path, auth in cases:
        before = reset_peak()
        try:
            call(client(path, auth))
            outcome = "success"
        except Exception as exc:
            outcome = type(exc).__name__
        results[name] = {"outcome": outcome, "growth": status("VmHWM") - before, "before": before}
    print(json.dumps(results))
    """
)


def measure_bombs(
    hostile: HostileServer, flavor: str, *, cap: int, bomb_mib: int
) -> dict[str, dict[str, Any]]:
    if not os.path.exists("/proc/self/clear_refs"):
        pytest.skip("measuring the peak RSS of one call needs Linux's /proc/self/clear_refs")
    hostile.answer("json", path="/small/")
    hostile.answer("bomb", path="/bomb500/", status=500, mebibytes=bomb_mib)
    hostile.answer("bomb", path="/bomb200/", mebibytes=bomb_mib)
    hostile.answer("bomb", path="/oauth/token", mebibytes=bomb_mib)
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, hostile.root_url, flavor, str(cap)],
        capture_output=True, text=True, timeout=300, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    results: dict[str, dict[str, Any]] = json.loads(done.stdout.splitlines()[-1])
    return results


#: The cap for successful answers in this test, and the bomb (4x the cap).
CAP, BOMB_MIB = 16 * MIB, 64
#: What a call may add to the peak besides the body it reads (allocator, buffers, objects).
SLACK = 8 * MIB


@pytest.mark.parametrize("flavor_name", ["sync", "async"])
def test_gzip_bombs_cost_at_most_about_the_cap(hostile: HostileServer, flavor_name: str) -> None:
    results = measure_bombs(hostile, flavor_name, cap=CAP, bomb_mib=BOMB_MIB)
    print(f"\n[bomb {flavor_name}] {results}")
    assert results["error_bomb"]["outcome"] == ServerError.__name__
    assert results["token_bomb"]["outcome"] == TokenResponseError.__name__
    assert results["success_bomb"]["outcome"] == ResponseTooLargeError.__name__
    # error bodies and token answers: 64 KiB; successes: the cap -- never the 64 MiB inflated
    assert results["error_bomb"]["growth"] < SLACK
    assert results["token_bomb"]["growth"] < SLACK
    assert results["success_bomb"]["growth"] < 1.5 * CAP  # about the cap (promised: < 2x)


@pytest.mark.soak
def test_gzip_bomb_of_one_gib_against_the_default_cap(hostile: HostileServer) -> None:
    """The figure for docs/reliability.md: a ~1 MB gzip bomb inflating to 1 GiB of JSON."""
    from gototraining._body import DEFAULT_MAX_RESPONSE_SIZE

    for flavor_name in ("sync", "async"):
        results = measure_bombs(hostile, flavor_name, cap=DEFAULT_MAX_RESPONSE_SIZE, bomb_mib=1024)
        print(f"\n[bomb 1 GiB, {flavor_name}] " + ", ".join(
            f"{name}: {r['outcome']}, peak RSS {(r['before'] + r['growth']) / MIB:.0f} MiB "
            f"(+{r['growth'] / MIB:.1f} MiB)" for name, r in results.items()
        ))  # fmt: skip
        assert results["success_bomb"]["growth"] < 2 * DEFAULT_MAX_RESPONSE_SIZE


# -- redirects and echoes ---------------------------------------------------------------------

SECRETS = (REFRESH, CLIENT_SECRET)


def pieces(text: str, secrets: tuple[str, ...]) -> list[str]:
    return [s[i : i + 8] for s in secrets for i in range(len(s) - 7) if s[i : i + 8] in text]


def rendered(error: BaseException) -> str:
    fields = [str(error), repr(error), repr(error.args), *getattr(error, "__notes__", [])]
    for name in ("error_code", "incident", "request_id", "location", "body", "message"):
        fields.append(repr(getattr(error, name, None)))
    return "\n".join(fields)


@pytest.mark.parametrize(
    "location", ["mailto:a@example.com", "javascript:alert(1)", "data:text/html,x", "\x01"]
)
def test_token_endpoint_redirecting_to_a_non_url(
    flavor: Flavor, hostile: HostileServer, location: str
) -> None:
    hostile.answer("redirect", path="/oauth/token", location=location)
    client = make_client(flavor, hostile, own=True)
    with pytest.raises(UnexpectedRedirectError) as info:
        flavor.run(lambda c: c.trainings.get(1), client)
    assert info.value.status == 0 and info.value.method == "POST"
    assert hostile.count("/G2T") == 0


def test_code_exchange_redirecting_to_a_non_url(hostile: HostileServer) -> None:
    hostile.answer("redirect", path="/oauth/token", location="javascript:alert(1)")
    with pytest.raises(UnexpectedRedirectError):
        exchange_authorization_code(
            "the-code-7d2e9a1c", client_id="client", client_secret=CLIENT_SECRET,
            redirect_uri="http://127.0.0.1/callback", token_url=hostile.token_url,
        )  # fmt: skip


@pytest.mark.parametrize("status", [400, 401, 302])
def test_token_endpoint_echoing_the_refresh_token_and_secret(
    flavor: Flavor, hostile: HostileServer, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    """Echoed in ``error``, ``error_description`` (across the 500-character cut), the
    request id, ``WWW-Authenticate`` and a redirect's ``Location``: never shown."""
    caplog.set_level(logging.DEBUG, logger="gototraining")
    hostile.answer("echo", path="/oauth/token", status=status)
    client = make_client(flavor, hostile, own=True)
    with pytest.raises(GoToTrainingError) as info:
        flavor.run(lambda c: c.trainings.get(1), client)
    expected = UnexpectedRedirectError if status == 302 else AuthenticationError
    assert type(info.value) is expected
    assert not pieces(rendered(info.value), SECRETS)
    assert not pieces("\n".join(r.getMessage() for r in caplog.records), SECRETS)
    assert hostile.requests("/oauth/token")[0].credential == REFRESH  # it was echoed


def test_file_host_redirecting_to_a_non_url(
    flavor: Flavor, hostile: HostileServer, tmp_path: Any
) -> None:
    """``recordings.download`` follows the file host's redirects: to a ``javascript:`` one?"""
    hostile.answer("redirect", path="/G2T/", location=f"{hostile.root_url}/files/rec.mp4")
    hostile.answer("redirect", path="/files/", location="javascript:alert(1)")
    client = make_client(flavor, hostile, own=True, access_token="t" * 12, auth=None)
    with pytest.raises(UnexpectedRedirectError) as info:
        flavor.run(lambda c: c.recordings.download(1, 2, tmp_path), client)
    assert info.value.status == 0 and info.value.method == "GET"
    assert list(tmp_path.iterdir()) == []  # no file, no .part file


def test_api_redirect_echoing_the_access_token_in_its_location(
    flavor: Flavor, hostile: HostileServer
) -> None:
    access = "echoed-access-token-2b7e5c9a1f3d"
    hostile.answer("echo", status=302)
    client = flavor.client(
        access_token=access, organizer_key=1, base_url=hostile.url, rate_limit=None,
        max_retries=0, http_client=http_client(flavor.is_async),
    )  # fmt: skip
    with pytest.raises(UnexpectedRedirectError) as info:
        flavor.run(lambda c: c.trainings.get(1), client)
    assert info.value.location is not None and info.value.location.startswith("https://evil.")
    assert not pieces(rendered(info.value), (access,))


# -- the client's own state -------------------------------------------------------------------


def test_closed_client_raises_client_closed_error(flavor: Flavor, hostile: HostileServer) -> None:
    from gototraining import ClientClosedError

    hostile.answer("json", body=[])
    own = make_client(flavor, hostile, own=True, access_token="t" * 12, auth=None)
    flavor.run(lambda c: c.trainings.list(), own)
    flavor.run(lambda c: c.aclose() if flavor.is_async else c.close(), own)
    with pytest.raises(ClientClosedError):
        flavor.run(lambda c: c.trainings.list(), own)
    # a client whose given httpx client was closed by its owner
    given = make_client(flavor, hostile, own=False, access_token="t" * 12, auth=None)
    http = given.http_client
    flavor.run(lambda c: http.aclose() if flavor.is_async else http.close(), given)  # type: ignore[union-attr]
    with pytest.raises(ClientClosedError) as info:
        flavor.run(lambda c: c.trainings.list(), given)
    assert isinstance(info.value, RuntimeError)  # what httpx raised before: still caught
    assert hostile.count("/G2T") == 1


def test_async_client_used_from_a_second_event_loop(hostile: HostileServer) -> None:
    from gototraining import WrongEventLoopError

    hostile.answer("json", body=[])
    client = AsyncGoToTraining(
        access_token="t" * 12, organizer_key=1, base_url=hostile.url, rate_limit=None
    )
    assert asyncio.run(client.trainings.list()) == []
    with pytest.raises(WrongEventLoopError) as info:
        asyncio.run(client.trainings.list())
    assert isinstance(info.value, RuntimeError)
    assert hostile.count("/G2T") == 1
