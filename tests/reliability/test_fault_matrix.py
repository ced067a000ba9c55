"""Fault matrix: every facade operation x every way the network or the API can misbehave,
on the sync and the async client, against the sandbox's fault injection.

For each (operation, fault) the expected outcome follows from the retry policy alone
(``expected()``): which typed exception the caller sees (or success), and how many attempts
reach the server. GET/PUT/DELETE are retried on connect errors, resets, timeouts, 429 and
502/503/504 (bounded by ``max_retries``); POST -- and PUTs that email people
(``set_organizers(notify=True)``, ``update_times`` with notifications) -- only on connect errors,
except a registration with ``if_exists="return"``, which the API deduplicates and the facade
therefore retries like a PUT; a 429 is retried for every method (it was not processed); 500 is
never retried; a broken 2xx body is a ``DecodeError``, never retried. After every case no email
is registered twice.

The hostile rows (``test_hostile``) come from ``HostileServer`` instead of the sandbox: a gzip
bomb (``ResponseTooLargeError``), a body trickling one byte at a time (``APITimeoutError`` at the
call's deadline, retried like a read timeout), a redirect to ``mailto:`` / ``javascript:`` /
``data:`` (``UnexpectedRedirectError``; ``DecodeError`` for the download URL, whose 302 is the
result) and an error echoing the credential in every field (``BadRequestError`` showing no
piece of it, nor do the log records). The ``html_200`` row (a login page answering 200) runs on
the sandbox for every operation, the 204 ones included.

An operation gets its rows by itself: a method whose arguments are keys is called with the
state's keys (``derived_ops``); one that needs more (a body, a variant, the completed training)
has explicit rows in ``EXPLICIT``, and deriving fails loudly for a method it cannot call.
"""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
from gototraining import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    BadRequestError,
    DecodeError,
    GoToTrainingError,
    RateLimitError,
    Registration,
    RegistrationSettings,
    ResponseTooLargeError,
    ServerError,
    TransportError,
    UnexpectedRedirectError,
)
from sdk.conftest import Flavor

from .helpers import (
    END,
    MAX_RETRIES,
    RATE_LIMIT_RETRIES,
    START,
    assert_no_duplicates,
    bounded_http_client,
    client_kwargs,
    http_client,
    wait_for_count,
)
from .hostile import HostileServer
from .operations import facade_methods, spec_operations

pytestmark = pytest.mark.filterwarnings("ignore:organizers.list_for_account:DeprecationWarning")

# -- the operation table ---------------------------------------------------------------------

DAY = timedelta(days=1)


@dataclass
class State:
    """What the sandbox holds before the faulted call: a training with one registrant, and a
    completed training with sessions, attendance and recordings."""

    training_key: str
    registrant_key: str
    account_key: str
    co_organizer_key: str
    completed_key: str
    session_key: str
    recording_id: str
    download_dir: Path
    new_email: str = "new.person@example.com"


#: idempotent: GET/PUT/DELETE; post: retried only when nothing was sent (POSTs, and PUTs that
#: email people); replay_safe: a POST retried like a PUT.
Kind = Literal["idempotent", "post", "replay_safe"]


@dataclass(frozen=True)
class Op:
    """One facade operation: its operationId, its retry class, whether a success carries a
    JSON body, and how to call it with valid arguments (``kw``: e.g. ``timeout=``)."""

    name: str
    operation: str
    kind: Kind
    json_body: bool
    call: Callable[..., Any] = field(repr=False)
    #: The call first reads with a GET of another operation (unfaulted in the matrix; in the
    #: hostile cases, where every request meets the fault, that GET is the one that fails).
    reads_first: bool = False


#: Operations whose call needs more than keys (bodies, variants, a completed training). Every
#: other operation's row is derived from its facade method (``derived_ops``).
EXPLICIT: list[Op] = [
    Op("trainings.create", "scheduleTraining", "post", True,
       lambda c, s, **kw: c.trainings.create(
           name="Fault matrix", times=[(START, END)], time_zone="Europe/Berlin", **kw)),
    Op("trainings.update_name_description", "updateTrainingNameDescription", "idempotent", False,
       lambda c, s, **kw: c.trainings.update_name_description(
           s.training_key, name="Renamed", description="New text", **kw)),
    Op("trainings.set_organizers", "updateOrganisersForTraining", "idempotent", False,
       lambda c, s, **kw: c.trainings.set_organizers(
           s.training_key, [s.co_organizer_key], notify=False, **kw)),
    Op("trainings.set_organizers[notify]", "updateOrganisersForTraining", "post", False,
       lambda c, s, **kw: c.trainings.set_organizers(s.training_key, [s.co_organizer_key], **kw)),
    Op("registrants.register", "registerForTraining", "post", True,
       lambda c, s, **kw: c.registrants.register(
           s.training_key, email=s.new_email, given_name="New", surname="Person", **kw)),
    Op("registrants.register[if_exists=return]", "registerForTraining", "replay_safe", True,
       lambda c, s, **kw: c.registrants.register(
           s.training_key, email=s.new_email, given_name="New", surname="Person",
           if_exists="return", **kw)),
    Op("trainings.update_registration_settings", "updateRegistrationSettingsForTraining",
       "idempotent", False,
       lambda c, s, **kw: c.trainings.update_registration_settings(
           s.training_key, RegistrationSettings(disable_confirmation_email=True), **kw)),
    # Notifying PUTs are not replay-safe (a replay would send the emails twice): "post" class.
    Op("trainings.update_times[notify]", "updateTrainingTimes", "post", True,
       lambda c, s, **kw: c.trainings.update_times(
           s.training_key, [(START + DAY, END + DAY)], "Europe/Berlin", **kw)),
    Op("trainings.update_times[notify=False]", "updateTrainingTimes", "idempotent", True,
       lambda c, s, **kw: c.trainings.update_times(
           s.training_key, [(START + DAY, END + DAY)], "Europe/Berlin",
           notify_registrants=False, notify_trainers=False, **kw)),
    # move_session reads the training (unfaulted), then sends the same PUT as update_times.
    Op("trainings.move_session[notify]", "updateTrainingTimes", "post", True,
       lambda c, s, **kw: c.trainings.move_session(s.training_key, 0, START + DAY, END + DAY, **kw),
       reads_first=True),
    Op("trainings.move_session[notify=False]", "updateTrainingTimes", "idempotent", True,
       lambda c, s, **kw: c.trainings.move_session(
           s.training_key, 0, START + DAY, END + DAY,
           notify_registrants=False, notify_trainers=False, **kw),
       reads_first=True),
    Op("reports.sessions", "getSessionDetailsForDateRange", "replay_safe", True,
       lambda c, s, **kw: c.reports.sessions(START - DAY, END + DAY, **kw)),
    Op("reports.sessions_for_training", "getSessionDetailsForTraining", "idempotent", True,
       lambda c, s, **kw: c.reports.sessions_for_training(s.completed_key, **kw)),
    Op("recordings.list", "getRecordingsForTraining", "idempotent", True,
       lambda c, s, **kw: c.recordings.list(s.completed_key, **kw)),
    Op("recordings.download_url", "getRecordingDownloadById", "idempotent", True,
       lambda c, s, **kw: c.recordings.download_url(s.completed_key, s.recording_id, **kw)),
    Op("recordings.download", "getRecordingDownloadById", "idempotent", True,
       lambda c, s, **kw: c.recordings.download(
           s.completed_key, s.recording_id, s.download_dir, **kw)),
]  # fmt: skip

#: Arguments of derived rows: ``State`` attributes, by parameter name.
ARGUMENTS = ("training_key", "registrant_key", "account_key", "session_key", "recording_id")


def derived_ops() -> list[Op]:
    """A row for every facade method of an operation without an explicit row: called with the
    state's keys by parameter name, retried by its HTTP method's class, with a JSON body if the
    spec documents one."""
    explicit = {op.operation for op in EXPLICIT}
    rows = []
    for method in facade_methods():
        if method.operation_id in explicit:
            continue
        method.check(ARGUMENTS)
        spec = spec_operations()[method.operation_id]
        rows.append(
            Op(
                method.label,
                method.operation_id,
                "post" if spec.method == "POST" else "idempotent",
                spec.schema is not None,
                lambda c, s, method=method, **kw: method.invoke(c, vars(s), **kw),
            )
        )
    return rows


OPS: list[Op] = EXPLICIT + derived_ops()

# -- the faults ------------------------------------------------------------------------------

FAULTS = [
    "connection_refused",
    "reset_mid_body",
    "reset_once",
    "429_retry_after",
    "500",
    "502_503_then_success",
    "slower_than_timeout",
    "malformed_json",
    "html_200",
    "empty_body",
]
BODY_FAULTS = {"malformed_json", "html_200", "empty_body"}


def inject(sb: Any, op: Op, fault: str) -> None:
    """Configure ``fault`` for ``op`` on the sandbox (``connection_refused`` needs none)."""
    add = sb.faults.add
    # A 204 has no body to break: for the no-content operations the body faults answer 200
    # with the broken body instead (a proxy or a future API version might).
    status = {} if op.json_body else {"statuses": [200], "times": 10}
    if fault == "reset_mid_body":  # every attempt is applied, its response cut off mid-body
        add(op.operation, reset=True, apply=True)
    elif fault == "reset_once":  # the first attempt is applied and its response lost
        add(op.operation, reset=True, apply=True, times=1)
    elif fault == "429_retry_after":
        add(op.operation, statuses=[429], retry_after=7, times=10)
    elif fault == "500":
        add(op.operation, statuses=[500], times=10)
    elif fault == "502_503_then_success":
        add(op.operation, statuses=[502, 503])
    elif fault == "html_200":  # a proxy's or captive portal's login page, for every operation
        add(op.operation, wrong_content_type=True, statuses=[200], times=10)
    elif fault in BODY_FAULTS:
        add(op.operation, **{fault: True}, **status)


def expected(op: Op, fault: str) -> tuple[type[Exception] | None, int]:
    """(exception the caller sees or None for success, attempts that reach the sandbox)."""
    retried = op.kind in ("idempotent", "replay_safe")
    all_attempts = MAX_RETRIES + 1
    if fault == "connection_refused":
        return APIConnectionError, 0  # retried even for POST: nothing was sent
    if fault == "reset_mid_body":
        return APIConnectionError, all_attempts if retried else 1
    if fault == "reset_once":
        # The replay succeeds: a GET/PUT is simply repeated, a DELETE's replay meets 404 =
        # "already deleted", a replay-safe registration meets 409 = the existing registrant.
        # POSTs and notifying PUTs are not replayed: the lost response is the caller's error.
        return (None, 2) if retried else (APIConnectionError, 1)
    if fault == "429_retry_after":  # not processed: every method is repeated (own budget)
        return RateLimitError, RATE_LIMIT_RETRIES + 1
    if fault == "500":
        return ServerError, 1
    if fault == "502_503_then_success":
        return (None, 3) if retried else (ServerError, 1)
    if fault == "slower_than_timeout":
        if op.reads_first:  # every answer is lost, the read's too: nothing else is sent
            return APITimeoutError, 0
        return APITimeoutError, all_attempts if retried else 1
    assert fault in BODY_FAULTS
    # No body is fine for a no-content (204) operation; a body that is not JSON never is.
    return (DecodeError if op.json_body or fault != "empty_body" else None), 1


def client_attempts(op: Op, fault: str) -> int:
    """Attempts the client makes (== retries + 1): refused connections are retried too."""
    if fault == "connection_refused":
        return MAX_RETRIES + 1
    if fault == "slower_than_timeout" and op.reads_first:  # the read, retried like any GET
        return MAX_RETRIES + 1
    return expected(op, fault)[1]


# -- fixtures ----------------------------------------------------------------------------------


def prepare(sb: Any, tmp_path: Path) -> State:
    """The state every operation needs, made through the (sync) facade before any fault."""
    from gototraining import GoToTraining

    kwargs = client_kwargs(sb)
    with kwargs["http_client"], GoToTraining(**kwargs) as c:
        tk = c.trainings.create(name="Matrix", times=[(START, END)], time_zone="Europe/Berlin")
        reg = c.registrants.register(tk, email="first@example.com", given_name="F", surname="S")
        done = c.trainings.create(name="Done", times=[(START, END)], time_zone="Europe/Berlin")
        c.registrants.register(done, email="came@example.com", given_name="C", surname="S")
    sb.set_recording_file_size(1024)
    sb.complete_training(done)
    completed = sb.core.store.trainings[done]
    return State(
        tk, reg.registrant_key, sb.account_key, sb.co_organizer_keys[0], done,
        str(completed.session_keys[0]), str(completed.recording_ids[0]), tmp_path,
    )  # fmt: skip


@pytest.fixture(scope="module")
def closed_port() -> Iterator[str]:
    """A loopback URL nobody listens on: bound (so no one else gets the port) but not listening,
    so connecting is refused."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/G2T/rest"
    finally:
        sock.close()


NOT_OURS = (httpx.HTTPError, json.JSONDecodeError, KeyError, TypeError, AttributeError)


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_fault(
    op: Op, fault: str, flavor: Flavor, sb: Any, closed_port: str, tmp_path: Path
) -> None:
    state = prepare(sb, tmp_path)
    base_url = closed_port if fault == "connection_refused" else sb.url
    overrides: dict[str, Any] = {"base_url": base_url}
    if fault == "slower_than_timeout":  # every answer lost to a read timeout (LostToTimeout)
        overrides["http_client"] = http_client(flavor.is_async, answers_lost=None)
    client = flavor.client(**client_kwargs(sb, is_async=flavor.is_async, **overrides))
    before = sb.request_count(op.operation)
    inject(sb, op, fault)
    want_exc, want_attempts = expected(op, fault)

    outcome: Any
    try:
        outcome = flavor.run(lambda c: op.call(c, state), client)
    except Exception as exc:  # noqa: BLE001 - classified below
        outcome = exc

    if want_exc is None:
        assert not isinstance(outcome, Exception), f"expected success, got {outcome!r}"
        if isinstance(outcome, Registration):  # after a replay: the lost attempt created it
            assert outcome.created is (fault != "reset_once")
    else:
        assert isinstance(outcome, GoToTrainingError), f"untyped exception escaped: {outcome!r}"
        assert not isinstance(outcome, NOT_OURS)
        assert type(outcome) is want_exc, f"expected {want_exc.__name__}, got {outcome!r}"
        if isinstance(outcome, TransportError):  # only a refused connection proves "not sent"
            assert outcome.maybe_sent is (fault != "connection_refused"), outcome
    # Bounded, policy-conform retries: counted on the client (one backoff sleep per retry)
    # and on the server (requests delayed by the latency fault are counted when they finish).
    assert len(flavor.sleeps) == client_attempts(op, fault) - 1, flavor.sleeps
    if fault == "429_retry_after":  # Retry-After (7 s) honoured, capped by the policy
        assert flavor.sleeps == [0.01] * (want_attempts - 1)
    # Wait for every request the client actually sent (never leave one in flight for the next
    # test), then compare with the policy.
    read_failed = op.reads_first and fault == "slower_than_timeout"  # the op was never sent
    sent = 0 if fault == "connection_refused" or read_failed else len(flavor.sleeps) + 1
    got = wait_for_count(sb, op.operation, before + sent) - before
    assert got == want_attempts, f"{got} attempts reached the server, expected {want_attempts}"
    assert_no_duplicates(sb, state.training_key)


# -- hostile answers ---------------------------------------------------------------------------
#
# Served by ``HostileServer`` (the sandbox is an honest API): no state is needed, so the
# operations get fixed keys. The clients carry the deadline backend (as a client the SDK
# makes itself) and the deadline is measured on the server's ``VirtualClock``, which the trickle
# advances by 0.5 s per byte: the 2 s deadline passes after 4 bytes, whatever the machine's
# speed (the real socket timeouts, clipped to what is left, are never shorter than 0.5 s while
# a byte comes every 5 ms).

HOSTILE = ["gzip_bomb", "trickle", "bad_location", "echoed_secret"]
#: The credential the echoing server repeats in every field (and across the message's cut).
SECRET = "hostile-secret-7f3a9c2e5b1d4f6a8c0e"
HOSTILE_TIMEOUT, TRICKLE_STEP = 2.0, 0.5
#: The bomb inflates to 16 MiB; the matrix's clients read at most 1 MiB of a success.
BOMB_MIB, MAX_RESPONSE_SIZE = 16, 1024 * 1024
#: Where the bad redirects point, one per operation (cycled).
BAD_LOCATIONS = ("mailto:ops@example.com", "javascript:alert(1)", "data:text/html,<h1>hi</h1>")


def hostile_state(tmp_path: Path) -> State:
    return State(
        "2000000000000000002", "3000000000000000003", "1000000000000000002",
        "1000000000000000003", "2000000000000000004", "4000000000000000005", "5000000000000006",
        tmp_path,
    )  # fmt: skip


def expected_hostile(op: Op, fault: str) -> tuple[type[GoToTrainingError], int]:
    """(the typed exception, attempts that reach the server)."""
    if fault == "gzip_bomb":
        return ResponseTooLargeError, 1
    if fault == "trickle":  # a read timeout: retried like one
        retried = op.kind != "post" or op.reads_first
        return APITimeoutError, MAX_RETRIES + 1 if retried else 1
    if fault == "bad_location":  # the download's 302 is its result: then the URL is unusable
        redirect_is_result = op.operation == "getRecordingDownloadById"
        return (DecodeError if redirect_is_result else UnexpectedRedirectError), 1
    assert fault == "echoed_secret"
    return BadRequestError, 1


def secret_pieces(text: str, secret: str = SECRET) -> list[str]:
    """Every piece of 8 or more characters of ``secret`` that appears in ``text``."""
    return [secret[i : i + 8] for i in range(len(secret) - 7) if secret[i : i + 8] in text]


@pytest.mark.parametrize("fault", HOSTILE)
@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_hostile(
    op: Op,
    fault: str,
    flavor: Flavor,
    hostile: HostileServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from gototraining import _attempt

    caplog.set_level(logging.DEBUG, logger="gototraining")
    monkeypatch.setattr(_attempt, "clock", hostile.clock)
    if fault == "gzip_bomb":
        hostile.answer("bomb", mebibytes=BOMB_MIB)
    elif fault == "trickle":
        hostile.answer("trickle_body", advance=TRICKLE_STEP)
    elif fault == "bad_location":
        hostile.answer("redirect", location=BAD_LOCATIONS[OPS.index(op) % len(BAD_LOCATIONS)])
    else:
        hostile.answer("echo", status=400)
    kwargs = client_kwargs(
        hostile, is_async=flavor.is_async, access_token=SECRET, organizer_key="1000000000000000001",
        base_url=hostile.url, timeout=HOSTILE_TIMEOUT, max_response_size=MAX_RESPONSE_SIZE,
        http_client=bounded_http_client(flavor.is_async),
    )  # fmt: skip
    client = flavor.client(**kwargs)
    assert client._transport.deadline_backend
    want_exc, want_attempts = expected_hostile(op, fault)

    with pytest.raises(GoToTrainingError) as info:
        flavor.run(lambda c: op.call(c, hostile_state(tmp_path)), client)

    outcome = info.value
    assert not isinstance(outcome, NOT_OURS)
    assert type(outcome) is want_exc, f"expected {want_exc.__name__}, got {outcome!r}"
    assert len(flavor.sleeps) == want_attempts - 1, flavor.sleeps
    assert hostile.count("/G2T/rest") == want_attempts
    if isinstance(outcome, TransportError):
        assert outcome.maybe_sent, outcome
    if isinstance(outcome, UnexpectedRedirectError):
        assert outcome.status == 0 and outcome.location is None
    # No piece of the credential in anything the caller or a log can see.
    rendered = [str(outcome), repr(outcome), repr(outcome.args), *getattr(outcome, "__notes__", [])]
    if isinstance(outcome, APIError):
        rendered += [
            repr(outcome.error_code), repr(outcome.incident), repr(outcome.request_id),
            repr(outcome.body),
        ]  # fmt: skip
    rendered += [record.getMessage() for record in caplog.records]
    leaked = {piece for text in rendered for piece in secret_pieces(text)}
    assert not leaked, f"pieces of the credential leaked: {sorted(leaked)[:5]}"


def test_matrix_covers_every_facade_operation() -> None:
    """Every operation with a facade method (``@operation`` marker) has a row in ``OPS``."""
    from scripts.contract.coverage import facade_methods as marked

    missing = set(marked("gototraining")) - {op.operation for op in OPS}
    assert not missing, f"no row in OPS for: {sorted(missing)}"
    derived = {op.name for op in OPS} - {op.name for op in EXPLICIT}
    assert {"trainings.get", "registrants.cancel", "reports.attendance"} <= derived
