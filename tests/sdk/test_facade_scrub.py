"""The cassette scrubber: nothing secret or personal is written, sandbox URLs become live ones."""

from __future__ import annotations

import json

import pytest
from vcr.request import Request

from .cassette_scrub import FAKE_FILES_URL, LIVE_BASE_URL, LIVE_TOKEN_URL, REDACTED, Scrubber

SANDBOX = "http://127.0.0.1:54321/G2T/rest"
TOKEN = "http://127.0.0.1:54321/oauth/token"
REAL_ORG = "5550000000000000123"


def scrubber() -> Scrubber:
    return Scrubber(SANDBOX, TOKEN, {REAL_ORG: "1000000000000000001"})


def test_request_uri_headers_and_json_body() -> None:
    body = json.dumps(
        {"organizers": [int(REAL_ORG)], "email": "jane.doe@corp.io", "givenName": "Jane"}
    ).encode()
    req = Request(
        "POST",
        f"{SANDBOX}/organizers/{REAL_ORG}/trainings",
        body,
        {
            "Authorization": "Bearer s3cret",
            "Content-Type": "application/json",
            "host": "127.0.0.1:54321",
        },
    )
    out = scrubber().before_record_request(req)
    assert out.uri == f"{LIVE_BASE_URL}/organizers/1000000000000000001/trainings"
    assert "Authorization" not in out.headers and "host" not in out.headers
    assert json.loads(out.body) == {
        "organizers": [1000000000000000001],
        "email": "person-1@example.com",
        "givenName": "Given1",
    }


def test_keys_are_replaced_only_as_whole_numbers() -> None:
    s = scrubber()
    assert s.text(f"/x/{REAL_ORG}/y") == "/x/1000000000000000001/y"
    assert s.text(f"/x/9{REAL_ORG}") == f"/x/9{REAL_ORG}"


def test_token_request_and_response() -> None:
    s = scrubber()
    req = Request(
        "POST",
        TOKEN,
        b"grant_type=refresh_token&refresh_token=rt-secret",
        {"Authorization": "Basic abc", "Content-Type": "application/x-www-form-urlencoded"},
    )
    out = s.before_record_request(req)
    assert out.uri == LIVE_TOKEN_URL
    assert out.body == f"grant_type=refresh_token&refresh_token={REDACTED}".encode()
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {
            "Content-Type": ["application/json"],
            "Content-Length": ["999"],
            "Set-Cookie": ["a=b"],
        },
        "body": {
            "string": json.dumps(
                {
                    "access_token": "at",
                    "refresh_token": "rt",
                    "expires_in": 3600,
                    "principal": "boss@corp.io",
                }
            ).encode()
        },
    }
    scrubbed = s.before_record_response(response)
    data = json.loads(scrubbed["body"]["string"])
    assert data == {
        "access_token": REDACTED,
        "refresh_token": REDACTED,
        "expires_in": 3600,
        "principal": "person-1@example.com",
    }
    assert "Set-Cookie" not in scrubbed["headers"]
    assert scrubbed["headers"]["Content-Length"] == [str(len(scrubbed["body"]["string"]))]


def test_personal_data_is_replaced_consistently_but_example_addresses_stay() -> None:
    s = scrubber()
    people = [
        {"email": "Jane@Corp.io", "givenName": "Jane", "surname": "Doe"},
        {"email": "ada@example.com", "givenName": "Ada", "surname": "Lovelace"},
        {"email": "jane@corp.io", "givenName": "Jane", "surname": "Doe"},
    ]
    out = s.data(people)
    assert out[0] == {"email": "person-1@example.com", "givenName": "Given1", "surname": "Surname1"}
    assert out[1] == people[1]
    assert out[2] == out[0]


def test_non_json_bodies_are_kept_but_urls_rewritten() -> None:
    assert (
        scrubber().body(f"<a href='{SANDBOX}/x'>".encode(), "text/html")
        == f"<a href='{LIVE_BASE_URL}/x'>".encode()
    )


def test_recording_file_urls_become_the_fake_cdn_consistently() -> None:
    s = scrubber()
    sandbox_file = "http://127.0.0.1:54321/_sandbox/files/recording-42.mp4"
    fake = f"{FAKE_FILES_URL}/recording-42.mp4"
    # the 302's Location ...
    redirect = {"status": {"code": 302}, "headers": {"Location": [sandbox_file]}, "body": {}}
    assert s.before_record_response(redirect)["headers"]["Location"] == [fake]
    # ... the listing's downloadUrl ...
    listing = {"recordingList": [{"recordingId": 42, "downloadUrl": sandbox_file}]}
    scrubbed = json.loads(s.body(json.dumps(listing), "application/json") or "")
    assert scrubbed["recordingList"][0]["downloadUrl"] == fake
    # ... and the file GET itself, all alike; a live signed URL loses host and query.
    assert s.before_record_request(Request("GET", sandbox_file, b"", {})).uri == fake
    signed = "https://cdn.example.net/a/b/recording-42.mp4?Signature=s3cret&Expires=1"
    assert s.before_record_request(Request("GET", signed, b"", {})).uri == fake
    live = {"status": {"code": 302}, "headers": {"location": [signed]}, "body": {}}
    assert s.before_record_response(live)["headers"]["location"] == [fake]
    # API URLs are left to the normal rewriting.
    api = s.before_record_request(Request("GET", f"{SANDBOX}/trainings/1/recordings", b"", {}))
    assert api.uri == f"{LIVE_BASE_URL}/trainings/1/recordings"


def test_large_binary_bodies_become_a_placeholder_by_default() -> None:
    data = bytes(range(256)) * 40  # 10,240 bytes
    response = {
        "status": {"code": 200},
        "headers": {"Content-Type": ["video/mp4"], "Content-Length": [str(len(data))]},
        "body": {"string": data},
    }
    out = Scrubber().before_record_response(response)
    placeholder = (
        b"[gototraining.testing: 10,240 bytes of video/mp4 left out of the recording "
        b"(max_binary_body=1024)]"
    )
    assert out["body"]["string"] == placeholder
    assert out["headers"]["Content-Length"] == [str(len(placeholder))]
    assert Scrubber().before_record_response(out)["body"]["string"] == placeholder  # idempotent
    kept = Scrubber(max_binary_body=None).body(data, "application/octet-stream")
    assert kept == data
    assert Scrubber(max_binary_body=len(data)).body(data, "video/mp4") == data
    for bad in (-1, True, 1.5):
        with pytest.raises(ValueError, match="max_binary_body"):
            Scrubber(max_binary_body=bad)  # type: ignore[arg-type]


def test_binary_bodies_up_to_the_limit_are_kept_byte_for_byte() -> None:
    data = bytes(range(256)) * 4
    response = {
        "status": {"code": 200},
        "headers": {"Content-Type": ["video/mp4"], "Content-Length": [str(len(data))]},
        "body": {"string": data},
    }
    out = scrubber().before_record_response(response)
    assert out["body"]["string"] == data
    assert out["headers"]["Content-Length"] == [str(len(data))]


# -- web URLs: host/start/manage URLs, join and confirmation URLs --------------------------------

WEB = "https://global.gototraining.com"


def _json_response(data: object) -> dict[str, object]:
    raw = json.dumps(data).encode()
    return {
        "status": {"code": 200, "message": "OK"},
        "headers": {"content-type": ["application/json"], "content-length": [str(len(raw))]},
        "body": {"string": raw},
    }


def test_host_url_token_is_replaced_and_the_body_stays_valid_json() -> None:
    response = _json_response(
        {"hostURL": f"{WEB}/hostTraining/425679554?hostToken=5395831007920635271"}
    )
    out = scrubber().before_record_response(response)
    raw = out["body"]["string"]
    assert json.loads(raw) == {"hostURL": f"{WEB}/hostTraining/425679554?hostToken={REDACTED}"}
    assert "5395831007920635271" not in raw.decode()
    assert out["headers"]["content-length"] == [str(len(raw))]


def test_bare_string_start_and_manage_urls_lose_query_and_token_like_segments() -> None:
    s = scrubber()
    start = f'"{WEB}/start/training/425679554?organizerKey={REAL_ORG}&sig=abc%2Fdef"'
    assert json.loads(s.body(start, "application/json") or "") == (
        f"{WEB}/start/training/425679554?organizerKey={REDACTED}&sig={REDACTED}"
    )
    manage = f'"{WEB}/manage/training/8654042048833979961?trainingId=425679554"'
    assert json.loads(s.body(manage, "application/json") or "") == (
        f"{WEB}/manage/training/{REDACTED}-1?trainingId={REDACTED}"
    )
    # short ids and words stay; a fragment (could carry a token too) goes
    assert s.web_url(f"{WEB}/a/b1/c#tok=x1") == f"{WEB}/a/b1/c#{REDACTED}"


def test_join_tokens_become_stable_placeholders_and_registrant_query_values_go() -> None:
    s = scrubber()
    join_a = f"{WEB}/join/training/425679554/6380749594200711087"
    join_b = f"{WEB}/join/training/425679554/1111222233334444555"
    confirmation = (
        "https://attendee.gototraining.com/registration/confirmation.tmpl"
        "?registrant=5395831007920635271&training=8654042048833979961"
    )
    created = {"joinUrl": join_a, "confirmationUrl": confirmation, "registrantKey": "53958"}
    listed = [{"joinUrl": join_b}, {"joinUrl": join_a}]
    out = s.data({"created": created, "listed": listed})
    assert out["created"] == {
        "joinUrl": f"{WEB}/join/training/425679554/{REDACTED}-1",
        "confirmationUrl": "https://attendee.gototraining.com/registration/confirmation.tmpl"
        f"?registrant={REDACTED}&training={REDACTED}",
        "registrantKey": "53958",
    }
    # the same join URL always maps to the same placeholder, another one to another
    assert out["listed"] == [
        {"joinUrl": f"{WEB}/join/training/425679554/{REDACTED}-2"},
        {"joinUrl": f"{WEB}/join/training/425679554/{REDACTED}-1"},
    ]


def test_scrubbing_is_idempotent_and_leaves_api_and_file_urls_alone() -> None:
    data = {
        "hostURL": f"{WEB}/hostTraining/425679554?hostToken=5395831007920635271",
        "joinUrl": f"{WEB}/join/training/425679554/6380749594200711087",
        "downloadUrl": "http://127.0.0.1:54321/_sandbox/files/recording-6380749594200711087.mp4",
        "self": f"{SANDBOX}/trainings/6380749594200711087/recordings?x=1",
        "token": f"{TOKEN}?grant=1234567890123",
        "note": "see https://global.gototraining.com/join/x in the text",
    }
    once = scrubber().data(data)
    assert once["downloadUrl"] == f"{FAKE_FILES_URL}/recording-6380749594200711087.mp4"
    assert once["self"] == f"{LIVE_BASE_URL}/trainings/6380749594200711087/recordings?x=1"
    assert once["token"] == REDACTED  # a secret field name, redacted as before
    assert once["note"] == data["note"]  # only whole-string URLs are rewritten
    assert scrubber().data(once) == once
