"""Bad input: every case is rejected with ``ValidationError`` naming the parameter, before any
request is built -- on sync and async clients whose transport fails the test if it is ever
called, and once more against the sandbox (which must have seen no request at all)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from gototraining import GoToTraining, ValidationError
from sdk.conftest import Flavor

from .helpers import END, START, client_kwargs

TK, RK = "2000000000000000002", "3000000000000000003"
NAIVE = datetime(2031, 3, 1, 9)
MB = "x" * 1_000_000


def create(**overrides: Any) -> Callable[[Any], Any]:
    kwargs: dict[str, Any] = {"name": "Ok", "times": [(START, END)], "time_zone": "UTC"}
    kwargs.update(overrides)
    return lambda c: c.trainings.create(**kwargs)


def register(**overrides: Any) -> Callable[[Any], Any]:
    kwargs: dict[str, Any] = {"email": "ada@example.com", "given_name": "Ada", "surname": "L"}
    kwargs.update(overrides)
    return lambda c: c.registrants.register(TK, **kwargs)


def get_training(key: Any) -> Callable[[Any], Any]:
    return lambda c: c.trainings.get(key)


# (id, call, the parameter the error must name)
CASES: list[tuple[str, Callable[[Any], Any], str]] = [
    # date-times and sessions
    ("naive-start", create(times=[(NAIVE, END)]), "times[0].start"),
    ("naive-end", create(times=[(START, NAIVE.replace(hour=11))]), "times[0].end"),
    ("end-equals-start", create(times=[(START, START)]), "times[0]"),
    ("end-before-start", create(times=[(END, START)]), "times[0]"),
    ("empty-times", create(times=[]), "times"),
    ("times-is-a-str", create(times="2031-03-01T09:00Z/2031-03-01T11:00Z"), "times"),
    ("times-not-pairs", create(times=[START, END]), "times[0]"),
    ("times-triple", create(times=[(START, END, END)]), "times[0]"),
    ("times-dates-not-datetimes", create(times=[(date(2031, 3, 1), END)]), "times[0].start"),
    ("times-iso-strings", create(times=[("2031-03-01T09:00Z", END)]), "times[0].start"),
    (
        "datetime-overflows-utc",
        create(times=[(datetime.min.replace(tzinfo=timezone(timedelta(hours=5))), END)]),
        "times[0].start",
    ),
    # time zones
    ("unknown-time-zone", create(time_zone="Mars/Olympus_Mons"), "time_zone"),
    ("blank-time-zone", create(time_zone=""), "time_zone"),
    ("padded-time-zone", create(time_zone=" Europe/Berlin"), "time_zone"),
    ("path-time-zone", create(time_zone="../../etc/passwd"), "time_zone"),
    ("fixed-offset-time-zone", create(time_zone=timezone(timedelta(hours=2))), "time_zone"),
    # names and descriptions
    ("empty-name", create(name=""), "name"),
    ("blank-name", create(name="  \t "), "name"),
    ("overlong-name", create(name="n" * 257), "name"),
    ("crlf-in-name", create(name="Evil\r\nBcc: victim@example.com"), "name"),
    ("line-separator-in-name", create(name="Evil\u2028line"), "name"),
    ("lone-surrogate-in-name", create(name="bad \ud800 name"), "name"),
    ("nul-in-name", create(name="a\x00b"), "name"),
    ("int-name", create(name=123), "name"),
    ("none-name", create(name=None), "name"),
    ("bytes-name", create(name=b"Onboarding"), "name"),
    ("1mb-description", create(description=MB), "description"),
    ("nul-in-description", create(description="ok\x00"), "description"),
    (
        "update-overlong-name",
        lambda c: c.trainings.update_name_description(TK, name="n" * 1000),
        "name",
    ),
    # emails and registrant names
    ("email-without-at", register(email="ada.example.com"), "email"),
    ("email-with-space", register(email="ada lovelace@example.com"), "email"),
    ("email-crlf-injection", register(email="ada@example.com\r\nBcc: x@evil.com"), "email"),
    ("email-nul", register(email="ada\x00@example.com"), "email"),
    ("email-zero-width-space", register(email="ada\u200b@example.com"), "email"),
    ("email-two-ats", register(email="ada@lovelace@example.com"), "email"),
    ("email-overlong", register(email="a" * 250 + "@example.com"), "email"),
    ("email-none", register(email=None), "email"),
    ("email-1mb", register(email=MB + "@example.com"), "email"),
    ("crlf-in-given-name", register(given_name="Ada\r\nX-Header: 1"), "given_name"),
    ("overlong-surname", register(surname="s" * 129), "surname"),
    ("empty-surname", register(surname=""), "surname"),
    ("if-exists-unknown", register(if_exists="ignore"), "if_exists"),
    # keys: digits only, int64, never anything that could change a URL path
    ("key-non-numeric", get_training("abc"), "training_key"),
    ("key-with-slash", get_training("12/34"), "training_key"),
    ("key-dot-dot-slash", get_training("../1"), "training_key"),
    ("key-url-encoded-slash", get_training("1%2F2"), "training_key"),
    ("key-query", get_training("1?x=2"), "training_key"),
    ("key-crlf", get_training("1\r\n"), "training_key"),
    ("key-padded", get_training(" 12"), "training_key"),
    ("key-signed", get_training("+12"), "training_key"),
    ("key-fullwidth-digits", get_training("\uff11\uff12\uff13"), "training_key"),
    ("key-empty", get_training(""), "training_key"),
    ("key-bool", get_training(True), "training_key"),
    ("key-negative", get_training(-1), "training_key"),
    ("key-2**63", get_training(2**63), "training_key"),
    ("key-20-digits", get_training("9" * 20), "training_key"),
    ("key-float", get_training(1.0), "training_key"),
    ("key-none", get_training(None), "training_key"),
    ("registrant-key-traversal", lambda c: c.registrants.get(TK, "../../x"), "registrant_key"),
    ("cancel-registrant-key-list", lambda c: c.registrants.cancel(TK, [RK]), "registrant_key"),
    ("account-key-injection", lambda c: c.organizers.list_for_account("1;DROP"), "account_key"),
    # lists and flags
    ("organizer-keys-str", lambda c: c.trainings.set_organizers(TK, "123"), "organizer_keys"),
    ("organizer-keys-int", lambda c: c.trainings.set_organizers(TK, 123), "organizer_keys"),
    (
        "organizer-keys-bad-item",
        lambda c: c.trainings.set_organizers(TK, [1, "x"]),
        "organizer_keys[1]",
    ),
    (
        "notify-truthy-str",
        lambda c: c.trainings.set_organizers(TK, [1], notify="false"),
        "notify",
    ),
    ("co-organizers-2**64", create(co_organizers=[2**64]), "co_organizers[0]"),
    ("registration-settings-dict", create(registration_settings={}), "registration_settings"),
    # per-call timeouts
    ("timeout-str", lambda c: c.trainings.list(timeout="5"), "timeout"),
    ("timeout-negative", lambda c: c.trainings.list(timeout=-1), "timeout"),
    ("timeout-nan", lambda c: c.trainings.list(timeout=float("nan")), "timeout"),
]


def _never_called(request: httpx.Request) -> httpx.Response:
    pytest.fail(f"a request was sent for invalid input: {request.method} {request.url}")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize(("fn", "param"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rejected_before_sending(fn: Callable[[Any], Any], param: str, flavor: Flavor) -> None:
    flavor.client(_never_called)
    with pytest.raises(ValidationError) as info:
        flavor.run(fn)
    assert info.value.param == param
    assert str(info.value).startswith(f"{param}: ")
    assert isinstance(info.value, ValueError)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_sandbox_sees_no_request(sb: Any) -> None:
    kwargs = client_kwargs(sb)
    with kwargs["http_client"], GoToTraining(**kwargs) as client:
        for case_id, fn, _ in CASES:
            with pytest.raises(ValidationError):
                fn(client)
            assert sb.request_count() == 0, case_id


def test_table_size() -> None:
    assert len(CASES) >= 30
    assert len({c[0] for c in CASES}) == len(CASES)
