"""Every operation's success path and main error paths, through plain httpx."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from gototraining.sandbox import Sandbox

from .conftest import TIMES

KEY = re.compile(r"^[0-9]{19}$")


def test_keys_are_19_digit_int64(sb: Sandbox, make_training: Callable[..., str]) -> None:
    keys = [sb.organizer_key, sb.account_key, *sb.co_organizer_keys, make_training()]
    for key in keys:
        assert KEY.match(key) and int(key) < 2**63


def test_get_all_organisers(sb: Sandbox, api: httpx.Client) -> None:
    r = api.get(f"/accounts/{sb.account_key}/organizers")
    assert r.status_code == 200
    keys = [o["organizerKey"] for o in r.json()]
    assert keys == [sb.organizer_key, *sb.co_organizer_keys]
    # The spec lists no 404 here: unknown keys are 403, non-numeric ones 400.
    assert api.get("/accounts/1234567890123456789/organizers").status_code == 403
    assert api.get("/accounts/abc/organizers").status_code == 400


def test_schedule_get_list_training(
    sb: Sandbox, api: httpx.Client, org: str, make_training: Callable[..., str]
) -> None:
    assert api.get(f"{org}/trainings").json() == []
    key = make_training(
        description="Basics",
        organizers=[int(sb.co_organizer_keys[0])],
        registrationSettings={"disableConfirmationEmail": True, "disableWebRegistration": False},
    )
    r = api.get(f"{org}/trainings/{key}")
    assert r.status_code == 200
    t = r.json()
    assert t["trainingKey"] == key and re.match(r"^[0-9]{9}$", t["trainingId"])
    assert t["name"] == "Python 101" and t["description"] == "Basics"
    assert t["timeZone"] == "Europe/Berlin" and t["times"] == TIMES
    assert [o["organizerKey"] for o in t["organizers"]] == [
        sb.organizer_key,
        sb.co_organizer_keys[0],
    ]
    assert t["registrationSettings"] == {
        "disableConfirmationEmail": True,
        "disableWebRegistration": False,
    }
    second = make_training(name="Second")
    listed = api.get(f"{org}/trainings").json()
    assert [x["trainingKey"] for x in listed] == [key, second]  # creation order


def test_schedule_returns_bare_json_string(api: httpx.Client, org: str) -> None:
    body = {"name": "X", "timeZone": "UTC", "times": TIMES}
    r = api.post(f"{org}/trainings", json=body)
    assert r.status_code == 201
    assert r.headers["content-type"].startswith("application/json")
    assert r.text.startswith('"') and KEY.match(r.json())


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"timeZone": "UTC", "times": TIMES}, "name"),
        ({"name": "  ", "timeZone": "UTC", "times": TIMES}, "name"),
        ({"name": "X", "timeZone": "Mars/Olympus", "times": TIMES}, "time zone"),
        ({"name": "X", "timeZone": "UTC", "times": []}, "times"),
        (
            {
                "name": "X",
                "timeZone": "UTC",
                "times": [{"startDate": "2030-01-01T10:00:00Z", "endDate": "2030-01-01T09:00:00Z"}],
            },
            "after",
        ),
        (
            {"name": "X", "timeZone": "UTC", "times": [{"startDate": "tomorrow", "endDate": "x"}]},
            "date",
        ),
        ({"name": "X", "timeZone": "UTC", "times": TIMES, "organizers": [123]}, "organizer"),
    ],
)
def test_schedule_invalid_input_is_400(
    api: httpx.Client, org: str, body: dict[str, Any], needle: str
) -> None:
    r = api.post(f"{org}/trainings", json=body)
    assert r.status_code == 400, r.text
    err = r.json()
    assert err["errorCode"] == "InvalidRequest" and err["incident"]
    assert needle in err["description"].lower()


def test_malformed_json_request_is_400(api: httpx.Client, org: str) -> None:
    r = api.post(
        f"{org}/trainings", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400 and "Malformed JSON" in r.json()["description"]
    assert api.post(f"{org}/trainings").status_code == 400  # no body at all


def test_cancel_training_then_get_is_404(
    api: httpx.Client, org: str, make_training: Callable[..., str]
) -> None:
    key = make_training()
    assert api.delete(f"{org}/trainings/{key}").status_code == 204
    assert api.get(f"{org}/trainings/{key}").status_code == 404
    assert api.delete(f"{org}/trainings/{key}").status_code == 404
    assert api.get(f"{org}/trainings").json() == []


def test_unknown_and_non_numeric_keys_are_404(sb: Sandbox, api: httpx.Client, org: str) -> None:
    assert api.get(f"{org}/trainings/1234567890123456789").status_code == 404
    assert api.get(f"{org}/trainings/abc").status_code == 404
    assert api.get("/organizers/abc/trainings/1234567890123456789").status_code == 404
    r = api.get("/organizers/1234567890123456789/trainings/1234567890123456789")
    assert r.status_code == 404 and r.json()["errorCode"] == "NotFound"
    assert api.get(f"{org}/trainings/99999999999999999999").status_code == 404  # > int64
    # getAllTrainings documents no 404: unknown organizer -> 403, non-numeric -> 400.
    assert api.get("/organizers/1234567890123456789/trainings").status_code == 403
    assert api.get("/organizers/abc/trainings").status_code == 400


def test_other_organizer_is_403(sb: Sandbox, api: httpx.Client) -> None:
    r = api.get(f"/organizers/{sb.co_organizer_keys[0]}/trainings")
    assert r.status_code == 403
    assert r.json()["errorCode"] == "Forbidden"


def test_manage_and_start_urls(
    api: httpx.Client, org: str, make_training: Callable[..., str]
) -> None:
    key = make_training()
    manage = api.get(f"{org}/trainings/{key}/manageUrl")
    assert manage.status_code == 200 and manage.text.startswith('"https://')
    start = api.get(f"{org}/trainings/{key}/startUrl")
    assert start.status_code == 200 and start.json().startswith("https://global.gototraining.com/")
    host = api.get(f"/trainings/{key}/start")
    assert host.status_code == 200 and host.json()["hostURL"].startswith("https://")
    assert api.get("/trainings/1234567890123456789/start").status_code == 404


def test_rename(api: httpx.Client, org: str, make_training: Callable[..., str]) -> None:
    key = make_training()
    r = api.put(f"{org}/trainings/{key}/nameDescription", json={"name": "New", "description": "D"})
    assert r.status_code == 204 and r.content == b""
    t = api.get(f"{org}/trainings/{key}").json()
    assert (t["name"], t["description"]) == ("New", "D")
    assert (
        api.put(f"{org}/trainings/{key}/nameDescription", json={"description": "x"}).status_code
        == 400
    )
    assert (
        api.put(
            f"{org}/trainings/1234567890123456789/nameDescription", json={"name": "x"}
        ).status_code
        == 404
    )


def test_reorganize(
    sb: Sandbox, api: httpx.Client, org: str, make_training: Callable[..., str]
) -> None:
    key = make_training()
    co = [int(k) for k in sb.co_organizer_keys]
    r = api.put(
        f"{org}/trainings/{key}/organizers", json={"organizers": co, "notifyOrganizers": False}
    )
    assert r.status_code == 204
    listed = api.get(f"{org}/trainings/{key}/organizers").json()
    assert [o["organizerKey"] for o in listed] == [sb.organizer_key, *sb.co_organizer_keys]
    # Replacing with [] keeps the scheduler, who cannot be removed.
    assert api.put(f"{org}/trainings/{key}/organizers", json={"organizers": []}).status_code == 204
    listed = api.get(f"{org}/trainings/{key}/organizers").json()
    assert [o["organizerKey"] for o in listed] == [sb.organizer_key]
    assert api.put(f"{org}/trainings/{key}/organizers", json={"organizers": [1]}).status_code == 400
    assert api.put(f"{org}/trainings/{key}/organizers", json={}).status_code == 400


def test_registration_settings(
    api: httpx.Client, org: str, make_training: Callable[..., str]
) -> None:
    key = make_training()
    settings = {"disableConfirmationEmail": True, "disableWebRegistration": True}
    assert api.put(f"{org}/trainings/{key}/registrationSettings", json=settings).status_code == 204
    assert api.get(f"{org}/trainings/{key}").json()["registrationSettings"] == settings
    bad = {"disableConfirmationEmail": "yes"}
    assert api.put(f"{org}/trainings/{key}/registrationSettings", json=bad).status_code == 400


def test_update_times_notifies(
    sb: Sandbox,
    api: httpx.Client,
    org: str,
    make_training: Callable[..., str],
    register: Callable[..., dict[str, Any]],
) -> None:
    key = make_training(organizers=[int(sb.co_organizer_keys[0])])
    register(key, "a@example.com")
    register(key, "b@example.com")
    new_times = [{"startDate": "2030-04-01T09:00:00Z", "endDate": "2030-04-01T10:00:00Z"}]
    r = api.put(f"{org}/trainings/{key}/times", json={"timeZone": "UTC", "times": new_times})
    assert r.status_code == 200
    assert r.json() == {"notifiedRegistrants": 2, "notifiedTrainers": 1}
    quiet = {
        "timeZone": "UTC",
        "times": new_times,
        "notifyRegistrants": False,
        "notifyTrainers": False,
    }
    assert api.put(f"{org}/trainings/{key}/times", json=quiet).json() == {
        "notifiedRegistrants": 0,
        "notifiedTrainers": 0,
    }
    t = api.get(f"{org}/trainings/{key}").json()
    assert t["times"] == new_times and t["timeZone"] == "UTC"
    backwards = [{"startDate": "2030-04-01T10:00:00Z", "endDate": "2030-04-01T09:00:00Z"}]
    r = api.put(f"{org}/trainings/{key}/times", json={"timeZone": "UTC", "times": backwards})
    assert r.status_code == 400


def test_register_list_get_cancel(
    api: httpx.Client,
    org: str,
    make_training: Callable[..., str],
    register: Callable[..., dict[str, Any]],
) -> None:
    key = make_training()
    before = datetime.now(UTC).replace(microsecond=0)
    created = register(key, "ada@example.com", "Ada", "Lovelace")
    rk = created["registrantKey"]
    assert KEY.match(rk)
    t = api.get(f"{org}/trainings/{key}").json()
    assert created["joinUrl"].startswith(
        f"https://global.gototraining.com/join/training/{t['trainingId']}/"
    )
    assert created["confirmationUrl"] == (
        "https://attendee.gototraining.com/registration/confirmation.tmpl"
        f"?registrant={rk}&training={key}"
    )
    one = api.get(f"{org}/trainings/{key}/registrants/{rk}")
    assert one.status_code == 200
    reg = one.json()
    assert reg["status"] == "APPROVED" and reg["email"] == "ada@example.com"
    assert reg["registrationDate"].endswith("Z")
    date = datetime.fromisoformat(reg["registrationDate"])
    assert before - timedelta(seconds=1) <= date <= datetime.now(UTC) + timedelta(seconds=1)
    register(key, "grace@example.com", "Grace", "Hopper")
    listed = api.get(f"{org}/trainings/{key}/registrants").json()
    assert [r["email"] for r in listed] == ["ada@example.com", "grace@example.com"]
    assert api.delete(f"{org}/trainings/{key}/registrants/{rk}").status_code == 204
    listed = api.get(f"{org}/trainings/{key}/registrants").json()
    assert [r["email"] for r in listed] == ["grace@example.com"]
    assert api.get(f"{org}/trainings/{key}/registrants/{rk}").status_code == 404
    assert api.delete(f"{org}/trainings/{key}/registrants/{rk}").status_code == 404
    register(key, "ada@example.com")  # a cancelled registrant may register again


def test_duplicate_registration_is_409(
    api: httpx.Client,
    org: str,
    make_training: Callable[..., str],
    register: Callable[..., dict[str, Any]],
) -> None:
    key = make_training()
    register(key, "ada@example.com")
    body = {"email": "ADA@Example.com", "givenName": "A", "surname": "L"}
    r = api.post(f"{org}/trainings/{key}/registrants", json=body)
    assert r.status_code == 409 and r.json()["errorCode"] == "DuplicateRegistrant"
    assert len(api.get(f"{org}/trainings/{key}/registrants").json()) == 1


def test_registration_errors(
    api: httpx.Client, org: str, make_training: Callable[..., str]
) -> None:
    key = make_training()
    url = f"{org}/trainings/{key}/registrants"
    assert api.post(url, json={"email": "a@b.c", "givenName": "A"}).status_code == 400
    assert (
        api.post(url, json={"email": "nope", "givenName": "A", "surname": "B"}).status_code == 400
    )
    body = {"email": "a@b.c", "givenName": "A", "surname": "B"}
    assert (
        api.post(f"{org}/trainings/1234567890123456789/registrants", json=body).status_code == 404
    )


def test_approval_required_gives_waiting(
    sb: Sandbox,
    api: httpx.Client,
    org: str,
    make_training: Callable[..., str],
    register: Callable[..., dict[str, Any]],
) -> None:
    key = make_training()
    sb.set_require_approval(key)
    rk = register(key, "w@example.com")["registrantKey"]
    assert api.get(f"{org}/trainings/{key}/registrants/{rk}").json()["status"] == "WAITING"


def test_missing_token_401_wrong_token_403(sb: Sandbox, org: str) -> None:
    with httpx.Client(base_url=sb.url) as anon:
        r = anon.get(f"{org}/trainings")
        assert r.status_code == 401 and r.json()["int_err_code"]
        r = anon.get(f"{org}/trainings", headers={"Authorization": "Bearer nope"})
        assert r.status_code == 403
        assert r.json() == {"int_err_code": "InvalidToken", "msg": "Invalid token passed"}
        legacy = anon.get(
            f"{org}/trainings", headers={"Authorization": f"OAuth oauth_token={sb.token}"}
        )
        assert legacy.status_code == 200


def test_expired_tokens_get_403(sb: Sandbox, api: httpx.Client, org: str) -> None:
    assert api.get(f"{org}/trainings").status_code == 200
    sb.expire_tokens()
    r = api.get(f"{org}/trainings")
    assert r.status_code == 403 and r.json()["int_err_code"] == "InvalidToken"


def test_rate_limit_429_with_retry_after() -> None:
    with Sandbox(rate_limit=5) as sb:
        headers = {"Authorization": f"Bearer {sb.token}"}
        with httpx.Client(base_url=sb.url, headers=headers) as client:
            statuses = [client.get(f"/organizers/{sb.organizer_key}/trainings") for _ in range(12)]
        limited = [r for r in statuses if r.status_code == 429]
        assert [r.status_code for r in statuses[:5]] == [200] * 5
        assert limited, "rate limit never hit"
        assert int(limited[0].headers["Retry-After"]) >= 1
        assert limited[0].json()["errorCode"] == "TooManyRequests"
        assert sb.violations == []


def test_unknown_path_is_json_404(api: httpx.Client) -> None:
    r = api.get("/no/such/thing")
    assert r.status_code == 404 and r.json()["errorCode"] == "NotFound"


def test_request_log_and_counts(sb: Sandbox, api: httpx.Client, org: str) -> None:
    api.get(f"{org}/trainings")
    api.get(f"{org}/trainings/1234567890123456789")
    assert sb.request_count() == 2
    assert sb.request_count("getTraining") == 1
    assert sb.requests[-1][:3] == ("GET", f"/G2T/rest{org}/trainings/1234567890123456789", 404)


def test_reset_restores_seed_state(sb: Sandbox, make_training: Callable[..., str]) -> None:
    first = make_training()
    organizer = sb.organizer_key
    sb.reset()
    assert sb.trainings() == [] and sb.organizer_key == organizer
    assert make_training() == first  # same seed, same keys: stable cassettes
