"""Every public method, and the error paths, against recorded API traffic (VCR cassettes).

Each test runs on the sync and the async client (``flavor``) against the same cassette, and
fails if a request is not in the cassette or a recorded request was not made. Re-record with
``make cassettes`` (sandbox, or live with GOTO_ACCESS_TOKEN/GOTO_ORGANIZER_KEY set).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from gototraining import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    NotifiedParties,
    OAuth2Token,
    RegistrantStatus,
    RegistrationSettings,
    ServerError,
    TimeRange,
)

from .conftest import RECORDING_FILE_SIZE, Api

BERLIN = ZoneInfo("Europe/Berlin")
# Fixed, future datetimes: replays must not depend on the clock.
START = datetime(2030, 6, 3, 10, 0, tzinfo=BERLIN)  # 08:00Z (summer time)
END = datetime(2030, 6, 3, 12, 0, tzinfo=BERLIN)
DAY2 = (START + timedelta(days=1), END + timedelta(days=1))


def create(api: Api, name: str = "Onboarding") -> str:
    key: str = api.run(
        lambda c: c.trainings.create(
            name=name,
            times=[(START, END), DAY2],
            time_zone="Europe/Berlin",
            description="Day one\nand two",
            registration_settings=RegistrationSettings(
                disable_confirmation_email=True, disable_web_registration=False
            ),
        )
    )
    assert key.isdigit()
    return key


def test_trainings_create_and_get(api: Api) -> None:
    api.client()
    key = create(api)
    t = api.run(lambda c: c.trainings.get(key))
    assert t.training_key == key and t.training_id
    assert (t.name, t.description, t.time_zone) == (
        "Onboarding",
        "Day one\nand two",
        "Europe/Berlin",
    )
    assert t.times == (
        TimeRange(datetime(2030, 6, 3, 8, tzinfo=UTC), datetime(2030, 6, 3, 10, tzinfo=UTC)),
        TimeRange(datetime(2030, 6, 4, 8, tzinfo=UTC), datetime(2030, 6, 4, 10, tzinfo=UTC)),
    )
    assert t.registration_settings == RegistrationSettings(True, False)
    assert api.env.organizer_key in {o.organizer_key for o in t.organizers}
    assert api.run(lambda c: c.trainings.get(int(key))) == t  # int keys work the same


def test_trainings_create_with_co_organizers(api: Api) -> None:
    api.client()
    co = api.env.co_organizer_keys[0]
    key = api.run(
        lambda c: c.trainings.create(
            name="Team",
            times=[TimeRange(START, END)],
            time_zone="Europe/Berlin",
            co_organizers=[co],
        )
    )
    assert co in {o.organizer_key for o in api.run(lambda c: c.trainings.organizers(key))}


def test_trainings_list(api: Api) -> None:
    api.client()
    keys = {create(api, "First"), create(api, "Second")}
    listed = api.run(lambda c: c.trainings.list())
    assert keys <= {t.training_key for t in listed}
    assert {"First", "Second"} <= {t.name for t in listed}


def test_trainings_update_name_description(api: Api) -> None:
    api.client()
    key = create(api)
    assert (
        api.run(
            lambda c: c.trainings.update_name_description(key, name="Renamed", description="New")
        )
        is None
    )
    t = api.run(lambda c: c.trainings.get(key))
    assert (t.name, t.description) == ("Renamed", "New")


def test_trainings_manage_url(api: Api) -> None:
    api.client()
    key = create(api)
    url = api.run(lambda c: c.trainings.manage_url(key))
    assert url.startswith("https://")


def test_trainings_organizers_and_set_organizers(api: Api) -> None:
    api.client()
    key = create(api)
    before = api.run(lambda c: c.trainings.organizers(key))
    assert [o.organizer_key for o in before] == [api.env.organizer_key]
    co = list(api.env.co_organizer_keys[:2])
    assert api.run(lambda c: c.trainings.set_organizers(key, co, notify=False)) is None
    after = {o.organizer_key for o in api.run(lambda c: c.trainings.organizers(key))}
    assert after == {api.env.organizer_key, *co}
    assert all(
        "@" in o.email and o.given_name for o in api.run(lambda c: c.trainings.organizers(key))
    )


def test_trainings_cancel_then_404(api: Api) -> None:
    api.client()
    key = create(api)
    assert api.run(lambda c: c.trainings.cancel(key)) is None
    with pytest.raises(NotFoundError) as info:
        api.run(lambda c: c.trainings.get(key))
    assert info.value.status == 404 and info.value.method == "GET"
    assert info.value.url.endswith(f"/trainings/{key}")


def test_trainings_get_unknown_is_not_found(api: Api) -> None:
    api.client()
    with pytest.raises(NotFoundError):
        api.run(lambda c: c.trainings.get("1234567890123456789"))


def test_registrants_register_list_get_cancel(api: Api) -> None:
    api.client()
    key = create(api)
    reg = api.run(
        lambda c: c.registrants.register(
            key, email="ada@example.com", given_name="Ada", surname="Lovelace"
        )
    )
    assert reg.created and reg.registrant is None
    assert reg.registrant_key.isdigit() and reg.join_url.startswith("https://")
    [listed] = api.run(lambda c: c.registrants.list(key))
    assert (listed.registrant_key, listed.email, listed.given_name, listed.surname) == (
        reg.registrant_key, "ada@example.com", "Ada", "Lovelace",
    )  # fmt: skip
    assert (
        listed.status is RegistrantStatus.APPROVED and listed.registration_date.tzinfo is not None
    )
    one = api.run(lambda c: c.registrants.get(key, reg.registrant_key))
    assert one == listed
    assert api.run(lambda c: c.registrants.cancel(key, reg.registrant_key)) is None
    assert api.run(lambda c: c.registrants.list(key)) == []
    with pytest.raises(NotFoundError):
        api.run(lambda c: c.registrants.get(key, reg.registrant_key))


def test_registrants_register_conflict_raises(api: Api) -> None:
    api.client()
    key = create(api)
    api.run(
        lambda c: c.registrants.register(
            key, email="ada@example.com", given_name="Ada", surname="Lovelace"
        )
    )
    with pytest.raises(ConflictError) as info:
        api.run(
            lambda c: c.registrants.register(
                key, email="ada@example.com", given_name="Ada", surname="L."
            )
        )
    assert info.value.status == 409 and info.value.method == "POST"


def test_registrants_register_conflict_returns_existing(api: Api) -> None:
    api.client()
    key = create(api)
    first = api.run(
        lambda c: c.registrants.register(
            key, email="ada@example.com", given_name="Ada", surname="Lovelace"
        )
    )
    again = api.run(
        lambda c: c.registrants.register(
            key, email="ADA@example.com", given_name="Ada", surname="Lovelace", if_exists="return"
        )
    )
    assert not again.created and again.registrant is not None
    assert (again.registrant_key, again.join_url) == (first.registrant_key, first.join_url)
    assert again.registrant.email == "ada@example.com"


def test_organizers_list_for_account_is_deprecated(api: Api) -> None:
    api.client()
    with pytest.warns(DeprecationWarning):
        organizers = api.run(lambda c: c.organizers.list_for_account(api.env.account_key))
    assert api.env.organizer_key in {o.organizer_key for o in organizers}


def test_429_then_success_honours_retry_after(api: Api) -> None:
    api.client()
    api.env.fault(operation="getAllTrainings", statuses=[429], retry_after=1)
    assert isinstance(api.run(lambda c: c.trainings.list()), list)
    assert api.flavor.sleeps == [1.0]


def test_503_then_success_for_get(api: Api) -> None:
    api.client()
    key = create(api)
    api.env.fault(operation="getTraining", statuses=[503, 503])
    assert api.run(lambda c: c.trainings.get(key)).training_key == key
    assert len(api.flavor.sleeps) == 2  # two backoffs, then success on the third attempt


def test_post_is_not_retried_on_503(api: Api) -> None:
    api.client()
    key = create(api)
    api.env.fault(operation="registerForTraining", statuses=[503])
    with pytest.raises(ServerError) as info:
        api.run(
            lambda c: c.registrants.register(
                key, email="ada@example.com", given_name="Ada", surname="Lovelace"
            )
        )
    assert info.value.status == 503 and api.flavor.sleeps == []
    # nothing was registered twice; the (single) failed attempt registered nobody
    assert api.run(lambda c: c.registrants.list(key)) == []


def test_expired_token_refresh_then_success(api: Api) -> None:
    refreshed: list[OAuth2Token] = []
    auth = api.env.oauth(on_token_refresh=refreshed.append)
    api.client(auth=auth)
    api.env.expire_tokens()  # the current access token now gets 403 InvalidToken
    assert isinstance(api.run(lambda c: c.trainings.list()), list)
    assert auth.refresh_count == 1 and len(refreshed) == 1
    assert api.statuses() == [403, 200, 200]  # the gateway's 403 InvalidToken


def test_expired_token_401_refresh_then_success(api: Api) -> None:
    refreshed: list[OAuth2Token] = []
    auth = api.env.oauth(on_token_refresh=refreshed.append)
    api.client(auth=auth)
    api.env.expire_tokens(status=401)  # the current access token now gets 401 InvalidToken
    assert isinstance(api.run(lambda c: c.trainings.list()), list)
    assert auth.refresh_count == 1 and len(refreshed) == 1
    assert api.statuses() == [401, 200, 200]  # list -> 401, token refresh, list again


def test_static_token_rejected_is_authentication_error(api: Api) -> None:
    api.client()
    api.env.expire_tokens()
    with pytest.raises(AuthenticationError) as info:
        api.run(lambda c: c.trainings.list())
    assert info.value.status in (401, 403)


# -- full API: times, registration settings, start URLs, reports, recordings ---------------------


def register_people(api: Api, key: str, n: int) -> None:
    for i in range(n):
        api.run(_register(key, i))


def _register(key: str, i: int) -> Callable[[Any], Any]:
    return lambda c: c.registrants.register(
        key, email=f"person{i}@example.com", given_name=f"Given{i}", surname=f"Sur{i}"
    )


def test_trainings_update_times(api: Api) -> None:
    api.client()
    key = create(api)
    register_people(api, key, 2)
    api.run(lambda c: c.trainings.set_organizers(key, [api.env.co_organizer_keys[0]], notify=False))
    new = (START + timedelta(days=7), END + timedelta(days=7, hours=1))
    notified = api.run(lambda c: c.trainings.update_times(key, [new], "Europe/Berlin"))
    assert notified == NotifiedParties(registrants=2, trainers=1)
    t = api.run(lambda c: c.trainings.get(key))
    assert t.times == (
        TimeRange(datetime(2030, 6, 10, 8, tzinfo=UTC), datetime(2030, 6, 10, 11, tzinfo=UTC)),
    )
    quiet = api.run(
        lambda c: c.trainings.update_times(
            key,
            [TimeRange(START, END)],
            "America/New_York",
            notify_registrants=False,
            notify_trainers=False,
        )
    )
    assert quiet == NotifiedParties(registrants=0, trainers=0)
    t = api.run(lambda c: c.trainings.get(key))
    assert t.time_zone == "America/New_York" and len(t.times) == 1


def test_trainings_update_registration_settings(api: Api) -> None:
    api.client()
    key = create(api)  # created with (True, False)
    wanted = RegistrationSettings(disable_confirmation_email=False, disable_web_registration=True)
    assert api.run(lambda c: c.trainings.update_registration_settings(key, wanted)) is None
    assert api.run(lambda c: c.trainings.get(key)).registration_settings == wanted


def test_trainings_start_url_and_start(api: Api) -> None:
    api.client()
    key = create(api)
    with_login = api.run(lambda c: c.trainings.start_url(key))
    without_login = api.run(lambda c: c.trainings.start(key))
    assert with_login.startswith("https://") and without_login.startswith("https://")
    assert with_login != without_login
    with pytest.raises(NotFoundError):
        api.run(lambda c: c.trainings.start("1234567890123456789"))


def test_reports_sessions_and_attendance(api: Api) -> None:
    api.client()
    key = create(api)  # two sessions: 2030-06-03 and 2030-06-04, 08:00-10:00Z
    register_people(api, key, 4)
    assert api.run(lambda c: c.reports.sessions_for_training(key)) == []
    api.env.complete_training(key, attendance_rate=0.75)
    sessions = api.run(lambda c: c.reports.sessions_for_training(key))
    scheduled = api.run(lambda c: c.trainings.get(key)).times
    assert len(sessions) == 2
    for session, slot in zip(sessions, scheduled, strict=True):
        assert slot.start <= session.start < session.end <= slot.end
        assert session.duration == session.end - session.start
        assert session.duration % timedelta(minutes=1) == timedelta(0)
        assert session.training_name == "Onboarding" and session.session_key.isdigit()
        assert api.env.organizer_key in {o.organizer_key for o in session.organizers}
        session_key = session.session_key
        attendees = api.run(lambda c: c.reports.attendance(session_key))  # noqa: B023
        assert len(attendees) == 4
        attended = [a for a in attendees if a.attended]
        assert session.attendance_count == len(attended) == 3
        assert attendees[len(attended) :] == [a for a in attendees if not a.attended]
        for a in attendees:
            assert a.time_in_session == sum(
                (p.time_in_part for p in a.in_session_times), timedelta()
            )
            for part in a.in_session_times:
                assert session.start <= part.join_time < part.leave_time <= session.end
                assert part.time_in_part == part.leave_time - part.join_time
    # The date-range report: a range around the first day finds only the first session.
    day1 = datetime(2030, 6, 3, tzinfo=UTC)
    first = api.run(lambda c: c.reports.sessions(day1, day1 + timedelta(days=1)))
    assert [s.session_key for s in first] == [sessions[0].session_key]
    both = api.run(lambda c: c.reports.sessions(day1.astimezone(BERLIN), day1 + timedelta(days=2)))
    assert [s.session_key for s in both] == [s.session_key for s in sessions]
    with pytest.raises(NotFoundError):
        api.run(lambda c: c.reports.attendance("1234567890123456789"))


def test_recordings_list_and_download_url(api: Api) -> None:
    api.client()
    key = create(api)
    assert api.run(lambda c: c.recordings.list(key)) == []
    api.env.complete_training(key)
    recordings = api.run(lambda c: c.recordings.list(key))
    assert len(recordings) == 2
    sessions = api.run(lambda c: c.reports.sessions_for_training(key))
    for rec, session in zip(recordings, sessions, strict=True):
        assert rec.recording_id.isdigit() and rec.name.startswith("Onboarding")
        assert (rec.start, rec.end) == (session.start, session.end)
    url = api.run(lambda c: c.recordings.download_url(key, recordings[0].recording_id))
    assert url == recordings[0].download_url
    assert url.endswith(f"/recording-{recordings[0].recording_id}.mp4")
    with pytest.raises(NotFoundError):
        api.run(lambda c: c.recordings.download_url(key, "1234567890123456789"))


def test_recordings_download(api: Api, tmp_path: Path) -> None:
    api.client()
    key = create(api)
    api.env.complete_training(key)
    [rec, _] = api.run(lambda c: c.recordings.list(key))
    seen: list[tuple[int, int | None]] = []
    path = api.run(
        lambda c: c.recordings.download(
            key,
            rec.recording_id,
            tmp_path,
            progress=lambda done, total: seen.append((done, total)),
            chunk_size=4096,
        )
    )
    assert path == tmp_path / f"recording-{rec.recording_id}.mp4"
    data = path.read_bytes()
    assert len(data) == RECORDING_FILE_SIZE and data[4:12] == b"ftypmp42"
    dones = [done for done, _ in seen]
    assert dones == sorted(set(dones)) and dones[-1] == RECORDING_FILE_SIZE
    assert {total for _, total in seen} == {RECORDING_FILE_SIZE}
    assert len(seen) == -(-RECORDING_FILE_SIZE // 4096)  # one call per chunk
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no .part file left over
