"""A registration whose response was lost (connection reset mid-body, 503 after the request was
applied, read timeout) may or may not have happened. Both sides of the facade's answer:

- default ``if_exists="raise"``: never replayed -- the caller gets the typed error and
  decides (a blind replay would turn a success into ``ConflictError`` or, on an API without
  deduplication, into a duplicate);
- ``if_exists="return"``: replayed (bounded); the API's 409 for the replay is turned into the
  existing registrant, so the call succeeds and the registrant exists exactly once.

The last test shows that the duplicate check itself can fail: against a sandbox patched to
*not* deduplicate, a client that blindly replays the POST creates a duplicate and the check
catches it.
"""

from __future__ import annotations

from typing import Any

import pytest
from gototraining import (
    APIConnectionError,
    APITimeoutError,
    GoToTraining,
    GoToTrainingError,
    Registration,
    ServerError,
)
from gototraining._generated.models import decode_registration
from gototraining._generated.requests import register_for_training
from gototraining._transport import Call, decode_json
from gototraining_api.models import RegistrantReqCreate
from sdk.conftest import Flavor

from .helpers import (
    END,
    START,
    assert_registered_exactly_once,
    client_kwargs,
    http_client,
    wait_for_count,
)

EMAIL = "Ada.Lovelace@example.com"

# fault keywords, the error the default mode raises after exactly one POST, and whether the
# sandbox applied the request. The read timeout is the client's (``LostToTimeout``): the
# sandbox applies the registration and its answer comes too late.
LOST_RESPONSES: dict[str, tuple[dict[str, Any], type[GoToTrainingError], bool]] = {
    "reset_after_apply": ({"reset": True, "apply": True, "times": 1}, APIConnectionError, True),
    "503_after_apply": ({"statuses": [503], "apply": True}, ServerError, True),
    "502_before_apply": ({"statuses": [502]}, ServerError, False),
    "reset_before_apply": ({"reset": True, "times": 1}, APIConnectionError, False),
    "read_timeout": ({}, APITimeoutError, True),
}


def _training(sb: Any) -> str:
    kwargs = client_kwargs(sb)
    with kwargs["http_client"], GoToTraining(**kwargs) as c:
        return c.trainings.create(name="Safety", times=[(START, END)], time_zone="UTC")


def _register(flavor: Flavor, sb: Any, tk: str, fault: str, **kw: Any) -> Any:
    lost = {"http_client": http_client(flavor.is_async, answers_lost=1)}
    overrides = lost if fault == "read_timeout" else {}
    client = flavor.client(**client_kwargs(sb, is_async=flavor.is_async, **overrides))
    return flavor.run(
        lambda c: c.registrants.register(
            tk, email=EMAIL, given_name="Ada", surname="Lovelace", **kw
        ),
        client,
    )


@pytest.mark.parametrize("fault", LOST_RESPONSES)
def test_default_never_replays_an_ambiguous_post(fault: str, flavor: Flavor, sb: Any) -> None:
    tk = _training(sb)
    spec, error, applied = LOST_RESPONSES[fault]
    if spec:
        sb.faults.add("registerForTraining", **spec)
    with pytest.raises(error):
        _register(flavor, sb, tk, fault)
    assert flavor.sleeps == []  # no retry
    assert wait_for_count(sb, "registerForTraining", 1) == 1
    if applied:  # the caller saw a failure, the registration exists -- once
        assert_registered_exactly_once(sb, tk, [EMAIL])
    else:
        assert sb.registrants(tk) == []


@pytest.mark.parametrize("fault", LOST_RESPONSES)
def test_if_exists_return_replays_and_never_duplicates(fault: str, flavor: Flavor, sb: Any) -> None:
    tk = _training(sb)
    spec, _, applied = LOST_RESPONSES[fault]
    if spec:
        sb.faults.add("registerForTraining", **spec)
    result = _register(flavor, sb, tk, fault, if_exists="return")
    assert isinstance(result, Registration)
    assert len(flavor.sleeps) == 1  # exactly one replay
    wait_for_count(sb, "registerForTraining", 2)
    [registrant] = sb.registrants(tk)
    assert registrant["registrantKey"] == result.registrant_key  # the caller got THE registrant
    assert_registered_exactly_once(sb, tk, [EMAIL])
    if applied:  # the replay met the first attempt's registration
        assert result.created is False and result.registrant is not None
        assert sb.request_count("getRegistrants") == 1
    else:
        assert result.created is True


def test_if_exists_return_gives_up_after_max_retries(flavor: Flavor, sb: Any) -> None:
    tk = _training(sb)
    sb.faults.add("registerForTraining", statuses=[503], apply=True, times=10)
    with pytest.raises(ServerError):
        _register(flavor, sb, tk, "503", if_exists="return")
    assert sb.request_count("registerForTraining") == 3  # 1 + max_retries, then the error
    assert_registered_exactly_once(sb, tk, [EMAIL])


def test_500_is_not_replayed_even_with_if_exists_return(flavor: Flavor, sb: Any) -> None:
    tk = _training(sb)
    sb.faults.add("registerForTraining", statuses=[500], apply=True)
    with pytest.raises(ServerError):
        _register(flavor, sb, tk, "500", if_exists="return")
    assert sb.request_count("registerForTraining") == 1
    assert_registered_exactly_once(sb, tk, [EMAIL])


def test_the_duplicate_check_can_fail(sb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Negative control: an API without deduplication + a blindly replaying client = duplicate,
    and ``assert_registered_exactly_once`` reports it."""
    store = sb.core.store
    original = type(store).register

    def register_without_dedup(org: str, tk: str, body: dict[str, Any]) -> Any:
        training = store.training(org, tk)
        hidden, training.registrants = training.registrants, {}
        try:
            return original(store, org, tk, body)
        finally:
            training.registrants = {**hidden, **training.registrants}

    monkeypatch.setattr(store, "register", register_without_dedup)
    tk = _training(sb)
    sb.faults.add("registerForTraining", reset=True, apply=True, times=1)
    kwargs = client_kwargs(sb)
    body = RegistrantReqCreate(email=EMAIL, given_name="Ada", surname="Lovelace")
    blind = Call(
        register_for_training(sb.organizer_key, tk, body),
        decode_json(decode_registration),
        replay_safe=True,  # the broken part: replayed without the 409 -> existing lookup
    )
    with kwargs["http_client"], GoToTraining(**kwargs) as c:
        try:
            c._transport.request(blind)
        except GoToTrainingError:
            pass
    with pytest.raises(AssertionError, match="duplicate registrants"):
        assert_registered_exactly_once(sb, tk, [EMAIL])
