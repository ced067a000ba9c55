"""The testing guide's table of what ``gototraining.testing`` scrubs is true: a cassette
recorded with ``vcr_config()`` against the sandbox -- an OAuth2 refresh, personal and example
addresses, host and join URLs, a recording download -- is checked row by row, and every row
of the table has its check here (and every check its row)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import vcr
import yaml
from gototraining import DEFAULT_BASE_URL, DEFAULT_TOKEN_URL, GoToTraining, OAuth2
from gototraining.sandbox import Sandbox
from gototraining.testing import FAKE_FILES_URL, REDACTED, vcr_config

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "testing.md"
FAKE_ORGANIZER = "1000000000000000001"
NAME = "Scrub check"
DESCRIPTION = "Kept as recorded"
FILE_SIZE = 50_000


class Recorded:
    """A cassette recorded against the sandbox, and the real values that went into it."""

    def __init__(self, sb: Sandbox, path: Path) -> None:
        self.sb = sb
        self.raw = path.read_text(encoding="utf-8")
        self.interactions: list[dict[str, Any]] = yaml.safe_load(self.raw)["interactions"]
        self.size = path.stat().st_size
        #: Every URI, header value and body of the cassette, as the YAML holds them unwrapped.
        self.text = "\n".join(self._strings(self.interactions))
        self.secrets: dict[str, str] = {}

    def _strings(self, value: Any) -> list[str]:
        if isinstance(value, dict):
            return [s for v in value.values() for s in self._strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in self._strings(v)]
        if isinstance(value, bytes):
            return [value.decode("utf-8", "replace")]
        return [str(value)]

    def requests(self) -> list[dict[str, Any]]:
        return [i["request"] for i in self.interactions]

    def responses(self) -> list[dict[str, Any]]:
        return [i["response"] for i in self.interactions]

    def headers(self) -> list[str]:
        return [
            name.lower() for part in self.requests() + self.responses() for name in part["headers"]
        ]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    cassette = tmp_path_factory.mktemp("cassette") / "scrub.yaml"
    with Sandbox() as sb:
        sb.set_recording_file_size(FILE_SIZE)
        recorder = vcr.VCR(
            record_mode="once",
            **vcr_config(
                base_url=sb.url, token_url=sb.token_url, keys={sb.organizer_key: FAKE_ORGANIZER}
            ),
        )
        refreshed: list[str] = []
        auth = OAuth2(
            sb.client_id,
            sb.client_secret,
            sb.refresh_token,
            token_url=sb.token_url,
            on_token_refresh=lambda token: refreshed.append(token.access_token),
        )
        start = datetime(2031, 2, 3, 9, tzinfo=UTC)
        with (
            recorder.use_cassette(str(cassette)),
            GoToTraining(
                auth=auth, organizer_key=sb.organizer_key, base_url=sb.url, rate_limit=None
            ) as client,
        ):
            key = client.trainings.create(
                name=NAME,
                times=[(start, start.replace(hour=11))],
                time_zone="UTC",
                description=DESCRIPTION,
            )
            client.registrants.register(
                key, email="jane.doe@corp.io", given_name="Jane", surname="Doe"
            )
            client.registrants.register(
                key, email="ada@example.com", given_name="Ada", surname="Lovelace"
            )
            host_url = client.trainings.start(key)
            registrants = client.registrants.list(key)
            sb.complete_training(key)
            [recording, *_] = client.recordings.list(key)
            downloaded = client.recordings.download(
                key, recording.recording_id, cassette.parent / "video.mp4"
            )
        result = Recorded(sb, cassette)
        result.secrets = {
            "access_token": refreshed[0],
            "refresh_token": sb.refresh_token,
            "client_secret": sb.client_secret,
            "organizer_key": sb.organizer_key,
            "training_key": key,
            "sandbox": sb.url,
            "host_token": re.search(r"hostToken=([^&]+)", host_url)[1],  # type: ignore[index]
            "join_token": registrants[0].join_url.rsplit("/", 1)[1],
            "recording_id": recording.recording_id,
            "file_size": str(downloaded.stat().st_size),
        }
    return result


def _api_root(r: Recorded) -> None:
    assert r.secrets["sandbox"] not in r.raw and "127.0.0.1" not in r.raw
    api = [q["uri"] for q in r.requests() if q["uri"].startswith(DEFAULT_BASE_URL + "/")]
    assert len(api) == 7


def _token_endpoint(r: Recorded) -> None:
    assert [q["uri"] for q in r.requests() if "oauth" in q["uri"]] == [DEFAULT_TOKEN_URL]


def _credential_headers(r: Recorded) -> None:
    dropped = {"authorization", "proxy-authorization", "cookie", "set-cookie", "host", "date"}
    assert dropped.isdisjoint(r.headers())
    assert "content-type" in r.headers()  # other headers stay


def _token_fields(r: Recorded) -> None:
    for name in ("access_token", "refresh_token", "client_secret"):
        assert r.secrets[name] and r.secrets[name] not in r.text, name
    [token_request] = [q for q in r.requests() if q["uri"] == DEFAULT_TOKEN_URL]
    assert f"refresh_token={REDACTED}" in token_request["body"]
    assert f'"access_token":"{REDACTED}"' in r.text


def _your_keys(r: Recorded) -> None:
    assert r.secrets["organizer_key"] not in r.text
    assert f"/organizers/{FAKE_ORGANIZER}/trainings" in r.text
    assert r.secrets["training_key"] in r.text  # keys not named in keys= stay


def _people(r: Recorded) -> list[dict[str, Any]]:
    """Every JSON object with an email in the cassette's bodies."""
    found: list[dict[str, Any]] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "email" in value:
                found.append(value)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for part in r.requests() + r.responses():
        body = part["body"]["string"] if isinstance(part["body"], dict) else part["body"]
        try:
            walk(json.loads(body))
        except (TypeError, ValueError):
            continue
    return found


def _personal_data(r: Recorded) -> None:
    for real in ("jane.doe@corp.io", "Jane", "Doe", "corp.io"):
        assert real not in r.text, real
    faked = [p for p in _people(r) if p["email"] != "ada@example.com"]
    assert len(faked) == 2  # Jane's registration and her roster entry
    for person in faked:  # the same person, the same fake, names included
        n = re.fullmatch(r"person-(\d+)@example\.com", person["email"])[1]  # type: ignore[index]
        assert (person.get("givenName"), person.get("surname")) == (f"Given{n}", f"Surname{n}")


def _example_addresses(r: Recorded) -> None:
    assert '"email":"ada@example.com","givenName":"Ada","surname":"Lovelace"' in r.text


def _recording_file_urls(r: Recorded) -> None:
    fake = f"{FAKE_FILES_URL}/recording-{r.secrets['recording_id']}.mp4"
    locations = [
        value
        for response in r.responses()
        for name, value in response["headers"].items()
        if name.lower() == "location"
    ]
    assert locations == [[fake]]
    assert [q["uri"] for q in r.requests() if q["uri"].startswith(FAKE_FILES_URL)] == [fake]
    assert f'"downloadUrl":"{fake}"' in r.text


def _web_urls(r: Recorded) -> None:
    assert r.secrets["host_token"] not in r.text and f"hostToken={REDACTED}" in r.text
    assert r.secrets["join_token"] not in r.text
    assert re.search(r'"joinUrl":"https://[^"]+/REDACTED-\d+"', r.text)


def _binary_bodies(r: Recorded) -> None:
    [file] = [
        i["response"] for i in r.interactions if i["request"]["uri"].startswith(FAKE_FILES_URL)
    ]
    body = file["body"]["string"]
    placeholder = (
        f"[gototraining.testing: {FILE_SIZE:,} bytes of video/mp4 left out of the recording "
        "(max_binary_body=1024)]"
    )
    assert (body.decode() if isinstance(body, bytes) else body) == placeholder
    length = {k.lower(): v for k, v in file["headers"].items()}["content-length"]
    assert length == [str(len(placeholder))]
    assert r.secrets["file_size"] == str(FILE_SIZE)  # the recording itself got the file
    assert r.size < 40_000  # the 50 KB file is not in it


def _everything_else(r: Recorded) -> None:
    for kept in (NAME, DESCRIPTION, "2031-02-03T09:00:00Z", '"status":"APPROVED"'):
        assert kept in r.text, kept


#: The guide's table, row by row ("what" column -> its check).
CLAIMS: dict[str, Callable[[Recorded], None]] = {
    "API root": _api_root,
    "token endpoint": _token_endpoint,
    "credential headers": _credential_headers,
    "token fields": _token_fields,
    "your keys": _your_keys,
    "personal data": _personal_data,
    "example addresses": _example_addresses,
    "recording file URLs": _recording_file_urls,
    "web URLs": _web_urls,
    "binary bodies": _binary_bodies,
    "everything else": _everything_else,
}


def _guide_rows() -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    table = text[text.index("| what | in the recording | becomes |") :].split("\n\n", 1)[0]
    return [line.split("|")[1].strip() for line in table.splitlines()[2:]]


def test_every_row_of_the_guide_has_a_check() -> None:
    assert _guide_rows() == list(CLAIMS)


@pytest.mark.parametrize("claim", list(CLAIMS))
def test_the_guide_is_true(recorded: Recorded, claim: str) -> None:
    CLAIMS[claim](recorded)


def test_the_placeholder_replays_as_the_file(recorded: Recorded, tmp_path: Path) -> None:
    """Replayed without a server, the download gets the placeholder (what the guide says)."""
    cassette = tmp_path / "replay.yaml"
    cassette.write_text(recorded.raw, encoding="utf-8")
    key, recording = recorded.secrets["training_key"], recorded.secrets["recording_id"]
    with (
        vcr.VCR(record_mode="none").use_cassette(str(cassette), allow_playback_repeats=True),
        GoToTraining(
            access_token="replayed",
            organizer_key=FAKE_ORGANIZER,
            base_url=DEFAULT_BASE_URL,
            rate_limit=None,
        ) as client,
    ):
        path = client.recordings.download(key, recording, tmp_path / "video.mp4")
    assert path.read_bytes().startswith(b"[gototraining.testing: 50,000 bytes of video/mp4")
