"""In-memory state of the sandbox: organizers, trainings, registrants, sessions, recordings.

Pure Python, no HTTP: every API operation is a method that takes decoded, spec-checked
inputs and returns JSON-ready data or raises ``ApiError``. Keys come from a
``random.Random(seed)``, so a given seed yields the same keys after every ``reset()``
(recorded cassettes stay stable). One re-entrant lock (``Store.lock``) guards the state
because the server thread and the test thread both touch it; callers hold it.
"""

from __future__ import annotations

import random
import threading
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

KEY_MIN = 10**18  # 19 digits ...
KEY_MAX = 2**63 - 1  # ... and still an int64, as the spec types path keys
WEB_HOST = "https://global.gototraining.com"
ATTENDEE_HOST = "https://attendee.gototraining.com"

_GIVEN = [
    "Ada",
    "Grace",
    "Alan",
    "Edsger",
    "Barbara",
    "Donald",
    "Frances",
    "Ken",
    "Radia",
    "Niklaus",
]
_SURNAMES = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson"]

Json = Any


class ApiError(Exception):
    """An API error: HTTP status plus the fields of a service-style ErrorResponse."""

    def __init__(self, status: int, code: str, description: str, *, gateway: bool = False) -> None:
        super().__init__(f"{status} {code}: {description}")
        self.status = status
        self.code = code
        self.description = description
        self.gateway = gateway  # gateway/auth style body {int_err_code, msg}


def bad_request(description: str) -> ApiError:
    """400 InvalidRequest with a human-readable description."""
    return ApiError(400, "InvalidRequest", description)


def not_found(what: str, key: object) -> ApiError:
    """404 for an unknown key."""
    return ApiError(404, "NotFound", f"No {what} found with key {key}")


@lru_cache(maxsize=4096)  # the same few instants are rendered on every GET (strftime is slow)
def fmt_dt(value: datetime) -> str:
    """ISO-8601 UTC with a trailing Z in whole seconds, the API's response style."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_dt(value: str) -> datetime:
    """Parse a spec ``date-time`` (format already checked by the validator) into UTC."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:  # the validator rejects these; be lenient when it is off
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def check_time_zone(name: Any) -> str:
    """Return ``name`` if it is an IANA time zone ID, else raise 400."""
    if not isinstance(name, str) or name not in _time_zones():
        raise bad_request(f"Unknown time zone: {name!r}")
    return name


def check_times(times: Any) -> list[tuple[datetime, datetime]]:
    """Parse a DateTimeRange list; each range must end after it starts."""
    if not isinstance(times, list) or not times:
        raise bad_request("times must hold at least one startDate/endDate pair")
    out = []
    for item in times:
        try:
            start, end = parse_dt(item["startDate"]), parse_dt(item["endDate"])
        except (KeyError, TypeError, ValueError) as exc:
            raise bad_request(f"Invalid time range {item!r}") from exc
        if end <= start:
            raise bad_request(
                f"endDate {item['endDate']} must be after startDate {item['startDate']}"
            )
        out.append((start, end))
    return out


def _check_text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"{name} is required and must not be empty")
    return value


@dataclass
class Organizer:
    """A seeded organizer of the sandbox account."""

    key: str
    email: str
    given_name: str
    surname: str

    def to_json(self) -> Json:
        """Spec ``Organizer``."""
        return {
            "organizerKey": self.key,
            "email": self.email,
            "givenName": self.given_name,
            "surname": self.surname,
        }


@dataclass
class Registrant:
    """A registrant of one training."""

    key: str
    email: str
    given_name: str
    surname: str
    status: str
    registration_date: datetime
    join_url: str
    confirmation_url: str

    def to_json(self) -> Json:
        """Spec ``Registrant``."""
        return {
            "registrantKey": self.key,
            "email": self.email,
            "givenName": self.given_name,
            "surname": self.surname,
            "status": self.status,
            "registrationDate": fmt_dt(self.registration_date),
            "joinUrl": self.join_url,
            "confirmationUrl": self.confirmation_url,
        }


@dataclass
class CompletedSession:
    """A completed session (what the Reports operations return)."""

    key: str
    training_key: str
    training_name: str
    start: datetime
    end: datetime
    organizer_keys: list[str]
    attendees: list[Json]

    @property
    def duration(self) -> int:
        """Whole minutes between start and end."""
        return int((self.end - self.start).total_seconds() // 60)


@dataclass
class Recording:
    """An online recording of a completed session."""

    recording_id: int
    training_key: str
    name: str
    start: datetime
    end: datetime

    def to_json(self, files_base: str) -> Json:
        """Spec ``Recording``; ``downloadUrl`` points at the sandbox's file server."""
        return {
            "recordingId": self.recording_id,
            "name": self.name,
            "description": f"Recording of {self.name}",
            "startDate": fmt_dt(self.start),
            "endDate": fmt_dt(self.end),
            "registrationUrl": f"{ATTENDEE_HOST}/recording/registration/{self.recording_id}",
            "downloadUrl": f"{files_base}/recording-{self.recording_id}.mp4",
        }


@dataclass
class Training:
    """A scheduled (or completed) training and everything hanging off it."""

    key: str
    training_id: str
    name: str
    description: str
    time_zone: str
    times: list[tuple[datetime, datetime]]
    organizer_key: str  # the scheduler; cannot be removed
    co_organizer_keys: list[str]
    disable_confirmation_email: bool = False
    disable_web_registration: bool = False
    require_approval: bool = False  # sandbox knob: new registrants are WAITING
    completed: bool = False
    registrants: dict[str, Registrant] = field(default_factory=dict)
    # casefolded email -> registrant key: the duplicate check must not scan the whole roster
    # (a 20,000-person import would cost the sandbox O(n^2)). Only keys still in
    # ``registrants`` count, so a test that swaps the roster out stays in control.
    emails: dict[str, str] = field(default_factory=dict)
    session_keys: list[str] = field(default_factory=list)
    recording_ids: list[int] = field(default_factory=list)

    def organizer_keys(self) -> list[str]:
        """Scheduler first, then co-organizers."""
        return [self.organizer_key, *self.co_organizer_keys]


class Store:
    """All sandbox state for one seed. Hold ``lock`` around every call."""

    def __init__(
        self,
        seed: int = 0,
        files_base: str = "http://127.0.0.1/_sandbox/files",
        *,
        strict: bool = False,
    ) -> None:
        self.seed = seed
        self.files_base = files_base
        #: Also refuse what the real API is believed to refuse although its reference does not
        #: say so (see ``Sandbox``'s ``strict``): sessions starting in the past, registering
        #: for a completed training.
        self.strict = strict
        self.lock = threading.RLock()
        self.reset()

    # --- setup -----------------------------------------------------------------------
    def reset(self) -> None:
        """Drop all trainings and go back to the seeded organizers (same keys each time)."""
        with self.lock:
            self._rng = random.Random(self.seed)
            self._incidents = random.Random(f"incidents/{self.seed}")
            self._used: set[str] = set()
            self.account_key = self.new_key()
            names = [("Olivia", "Organizer"), ("Carl", "Coorganizer"), ("Cora", "Coorganizer")]
            self.organizers: dict[str, Organizer] = {}
            for given, surname in names:
                key = self.new_key()
                email = f"{given.lower()}.{surname.lower()}@sandbox.example.com"
                self.organizers[key] = Organizer(key, email, given, surname)
            keys = list(self.organizers)
            self.organizer_key = keys[0]
            self.co_organizer_keys = keys[1:]
            self.trainings: dict[str, Training] = {}
            self.sessions: dict[str, CompletedSession] = {}
            self.recordings: dict[int, Recording] = {}
            self.recording_file_size: int | None = None  # None: 1-5 MB per recording

    def new_key(self) -> str:
        """A fresh 19-digit decimal key below 2**63."""
        while True:
            key = str(self._rng.randint(KEY_MIN, KEY_MAX))
            if key not in self._used:
                self._used.add(key)
                return key

    def incident(self) -> str:
        """An incident ID for error bodies."""
        return str(self._incidents.randint(KEY_MIN, KEY_MAX))

    # --- lookups ---------------------------------------------------------------------
    def check_organizer(self, organizer_key: str, caller_key: str) -> None:
        """404 for an unknown organizer key, 403 for someone else's."""
        if organizer_key not in self.organizers:
            raise not_found("organizer", organizer_key)
        if organizer_key != caller_key:
            raise ApiError(403, "Forbidden", "The access token does not belong to this organizer")

    def training(self, organizer_key: str, training_key: str) -> Training:
        """A training the organizer schedules or co-organizes, else 404."""
        training = self.trainings.get(training_key)
        if training is None or organizer_key not in training.organizer_keys():
            raise not_found("training", training_key)
        return training

    def training_json(self, training: Training) -> Json:
        """Spec ``Training``."""
        return {
            "trainingKey": training.key,
            "trainingId": training.training_id,
            "name": training.name,
            "description": training.description,
            "timeZone": training.time_zone,
            "times": [{"startDate": fmt_dt(s), "endDate": fmt_dt(e)} for s, e in training.times],
            "organizers": [self.organizers[k].to_json() for k in training.organizer_keys()],
            "registrationSettings": {
                "disableConfirmationEmail": training.disable_confirmation_email,
                "disableWebRegistration": training.disable_web_registration,
            },
        }

    def _co_organizers(self, keys: Any, scheduler: str) -> list[str]:
        out: list[str] = []
        for raw in keys or []:
            key = str(raw)
            if key not in self.organizers:
                raise bad_request(f"Unknown organizer key {key}")
            if key != scheduler and key not in out:
                out.append(key)
        return out

    # --- organizers ------------------------------------------------------------------
    def get_all_organizers(self, account_key: str) -> Json:
        """getAllOrganisers."""
        if account_key != self.account_key:
            raise not_found("account", account_key)
        return [o.to_json() for o in self.organizers.values()]

    # --- trainings -------------------------------------------------------------------
    def get_all_trainings(self, org: str) -> Json:
        """getAllTrainings: scheduled trainings in creation order; completed ones excluded."""
        return [
            self.training_json(t)
            for t in self.trainings.values()
            if not t.completed and org in t.organizer_keys()
        ]

    def _check_future(self, times: list[tuple[datetime, datetime]]) -> None:
        """In strict mode: 400 for a session that starts in the past."""
        if not self.strict:
            return
        now = datetime.now(UTC)
        for index, (start, _end) in enumerate(times):
            if start < now:
                raise bad_request(f"Session {index + 1} starts in the past ({fmt_dt(start)})")

    def _check_scheduled(self, training: Training, what: str) -> None:
        """400 for a completed training: the reference documents these operations for "a
        scheduled training", as opposed to a completed one (cancelTraining names both)."""
        if training.completed:
            raise bad_request(f"The training has already taken place; {what}")

    def schedule_training(self, org: str, body: dict[str, Any]) -> str:
        """scheduleTraining: returns the new training key."""
        name = _check_text(body, "name")
        time_zone = check_time_zone(body.get("timeZone"))
        times = check_times(body.get("times"))
        self._check_future(times)
        co = self._co_organizers(body.get("organizers"), org)
        settings = body.get("registrationSettings") or {}
        key = self.new_key()
        training = Training(
            key=key,
            training_id=str(self._rng.randint(10**8, 10**9 - 1)),
            name=name,
            description=str(body.get("description") or ""),
            time_zone=time_zone,
            times=times,
            organizer_key=org,
            co_organizer_keys=co,
            disable_confirmation_email=bool(settings.get("disableConfirmationEmail", False)),
            disable_web_registration=bool(settings.get("disableWebRegistration", False)),
        )
        self.trainings[key] = training
        return key

    def get_training(self, org: str, tk: str) -> Json:
        """getTraining."""
        return self.training_json(self.training(org, tk))

    def cancel_training(self, org: str, tk: str) -> None:
        """cancelTraining: the training and its registrants are gone (sessions stay)."""
        self.training(org, tk)
        del self.trainings[tk]

    def get_manage_url(self, org: str, tk: str) -> Json:
        """getManageTrainingURL."""
        training = self.training(org, tk)
        return f"{WEB_HOST}/manage/training/{training.key}?trainingId={training.training_id}"

    def get_start_url(self, org: str, tk: str) -> Json:
        """getStartUrl."""
        training = self.training(org, tk)
        return f"{WEB_HOST}/start/training/{training.training_id}?organizerKey={org}"

    def update_name_description(self, org: str, tk: str, body: dict[str, Any]) -> None:
        """updateTrainingNameDescription (a scheduled training's)."""
        training = self.training(org, tk)
        self._check_scheduled(training, "its name and description cannot change")
        training.name = _check_text(body, "name")
        if "description" in body:
            training.description = str(body["description"] or "")

    def get_training_organizers(self, org: str, tk: str) -> Json:
        """getOrganisersForTraining."""
        training = self.training(org, tk)
        return [self.organizers[k].to_json() for k in training.organizer_keys()]

    def update_training_organizers(self, org: str, tk: str, body: dict[str, Any]) -> None:
        """updateOrganisersForTraining: replaces the co-organizers; the scheduler stays."""
        training = self.training(org, tk)
        training.co_organizer_keys = self._co_organizers(
            body.get("organizers"), training.organizer_key
        )

    def update_registration_settings(self, org: str, tk: str, body: dict[str, Any]) -> None:
        """updateRegistrationSettingsForTraining."""
        training = self.training(org, tk)
        training.disable_confirmation_email = bool(body["disableConfirmationEmail"])
        training.disable_web_registration = bool(body["disableWebRegistration"])

    def update_times(self, org: str, tk: str, body: dict[str, Any]) -> Json:
        """updateTrainingTimes: counts of notified registrants and co-organizers.

        A completed training's times are history (its sessions and reports depend on them):
        changing them is a 400.
        """
        training = self.training(org, tk)
        self._check_scheduled(training, "its times cannot change")
        time_zone = check_time_zone(body.get("timeZone"))
        times = check_times(body.get("times"))
        self._check_future([t for t in times if t not in training.times])
        training.times = times
        training.time_zone = time_zone
        notify_registrants = body.get("notifyRegistrants", True)
        notify_trainers = body.get("notifyTrainers", True)
        return {
            "notifiedRegistrants": len(training.registrants) if notify_registrants else 0,
            "notifiedTrainers": len(training.co_organizer_keys) if notify_trainers else 0,
        }

    def start_training(self, org: str, tk: str) -> Json:
        """startTraining: a host URL that needs no organizer login."""
        training = self.training(org, tk)
        token = self._rng.randint(KEY_MIN, KEY_MAX)
        return {"hostURL": f"{WEB_HOST}/hostTraining/{training.training_id}?hostToken={token}"}

    # --- registrants -----------------------------------------------------------------
    def get_registrants(self, org: str, tk: str) -> Json:
        """getRegistrants: in registration order."""
        return [r.to_json() for r in self.training(org, tk).registrants.values()]

    def register(self, org: str, tk: str, body: dict[str, Any]) -> Json:
        """registerForTraining: 409 when the email (case-insensitive) is already registered.

        In strict mode a completed training takes no registrations (400).
        """
        training = self.training(org, tk)
        if self.strict:
            self._check_scheduled(training, "registration is closed")
        email = _check_text(body, "email").strip()
        if "@" not in email or email.startswith("@") or email.endswith("@"):
            raise bad_request(f"Invalid email address: {email!r}")
        given = _check_text(body, "givenName")
        surname = _check_text(body, "surname")
        folded = email.casefold()
        if training.emails.get(folded) in training.registrants:
            raise ApiError(
                409, "DuplicateRegistrant", f"{email} is already registered for this training"
            )
        key = self.new_key()
        join_token = self._rng.randint(KEY_MIN, KEY_MAX)
        registrant = Registrant(
            key=key,
            email=email,
            given_name=given,
            surname=surname,
            status="WAITING" if training.require_approval else "APPROVED",
            registration_date=datetime.now(UTC),
            join_url=f"{WEB_HOST}/join/training/{training.training_id}/{join_token}",
            confirmation_url=(
                f"{ATTENDEE_HOST}/registration/confirmation.tmpl?registrant={key}&training={tk}"
            ),
        )
        training.registrants[key] = registrant
        training.emails[folded] = key
        return {
            "joinUrl": registrant.join_url,
            "confirmationUrl": registrant.confirmation_url,
            "registrantKey": key,
        }

    def get_registrant(self, org: str, tk: str, rk: str) -> Json:
        """getRegistrant."""
        registrant = self.training(org, tk).registrants.get(rk)
        if registrant is None:
            raise not_found("registrant", rk)
        return registrant.to_json()

    def cancel_registration(self, org: str, tk: str, rk: str) -> None:
        """cancelRegistration (in a scheduled training): the registrant is removed (and may
        register again)."""
        training = self.training(org, tk)
        if rk not in training.registrants:
            raise not_found("registrant", rk)
        self._check_scheduled(training, "its registrations cannot be cancelled")
        removed = training.registrants.pop(rk)
        training.emails.pop(removed.email.casefold(), None)

    # --- reports ---------------------------------------------------------------------
    def session_json(self, session: CompletedSession) -> Json:
        """Spec ``Session``."""
        return {
            "sessionKey": session.key,
            "trainingName": session.training_name,
            "sessionStartTime": fmt_dt(session.start),
            "sessionEndTime": fmt_dt(session.end),
            "attendanceCount": sum(1 for a in session.attendees if a["timeInSession"] > 0),
            "duration": session.duration,
            "organizers": [self.organizers[k].to_json() for k in session.organizer_keys],
        }

    def sessions_for_range(self, org: str, body: dict[str, Any]) -> Json:
        """getSessionDetailsForDateRange: completed sessions starting inside the range."""
        ((start, end),) = check_times([body])
        return [
            self.session_json(s)
            for s in sorted(self.sessions.values(), key=lambda s: s.start)
            if org in s.organizer_keys and start <= s.start <= end
        ]

    def sessions_for_training(self, org: str, tk: str) -> Json:
        """getSessionDetailsForTraining."""
        training = self.training(org, tk)
        return [self.session_json(self.sessions[k]) for k in training.session_keys]

    def attendance(self, org: str, sk: str) -> Json:
        """getAttendanceDetails: attendees first, non-attendees last with timeInSession 0."""
        session = self.sessions.get(sk)
        if session is None or org not in session.organizer_keys:
            raise not_found("session", sk)
        return session.attendees

    # --- recordings ------------------------------------------------------------------
    def recordings_for_training(self, org: str, tk: str) -> Json:
        """getRecordingsForTraining."""
        training = self.training(org, tk)
        return {
            "trainingKey": int(training.key),
            "recordingList": [
                self.recordings[r].to_json(self.files_base) for r in training.recording_ids
            ],
        }

    def recording_location(self, org: str, tk: str, recording_id: str) -> str:
        """getRecordingDownloadById: where the 302 points."""
        training = self.training(org, tk)
        rec_id = int(recording_id)
        if rec_id not in training.recording_ids:
            raise not_found("recording", recording_id)
        return f"{self.files_base}/recording-{rec_id}.mp4"

    # --- sandbox helpers -------------------------------------------------------------
    def complete_training(
        self, tk: str, attendance_rate: float = 0.8, sessions: int | None = None
    ) -> Json:
        """Turn a training's scheduled times into completed sessions with attendance and recordings.

        ``sessions``: how many of the sessions not yet held take place now, in time order
        (``None``: all of them). The training is completed (it leaves ``getAllTrainings``)
        once its last session took place. Deterministic for a given seed and registrant
        list. Each session starts and ends inside its scheduled range; every attendee's
        join/leave parts lie inside the session on whole minutes, so ``timeInSession`` is
        exactly the sum of the parts. Calling it again for a completed training returns the
        existing data. The answer lists every session held so far and its recording.
        """
        if not 0.0 <= attendance_rate <= 1.0:
            raise ValueError("attendance_rate must be between 0 and 1")
        if sessions is not None and (
            isinstance(sessions, bool) or not isinstance(sessions, int) or sessions < 1
        ):
            raise ValueError("sessions must be an int >= 1 (or None for all of them)")
        training = self.trainings.get(tk)
        if training is None:
            raise not_found("training", tk)
        if not training.completed:
            registrants = list(training.registrants.values())
            held = len(training.session_keys)
            last = len(training.times) if sessions is None else held + sessions
            for index, (start, end) in enumerate(training.times):
                if not held <= index < last:
                    continue
                session_key = self.new_key()
                rng = random.Random(f"{self.seed}/{tk}/{index}")
                total = int((end - start).total_seconds() // 60)
                lead = min(rng.randint(0, 3), max(0, (total - 1) // 3))
                tail = min(rng.randint(0, 3), max(0, (total - 1) // 3))
                s_start = start + timedelta(minutes=lead)
                s_end = s_start + timedelta(minutes=max(1, total - lead - tail))
                if s_end > end:  # sub-minute ranges: fall back to the scheduled range
                    s_start, s_end = start, end
                minutes = int((s_end - s_start).total_seconds() // 60)
                present = set(
                    rng.sample(range(len(registrants)), round(attendance_rate * len(registrants)))
                )
                attended: list[Json] = []
                absent: list[Json] = []
                for i, reg in enumerate(registrants):
                    person = {
                        "givenName": reg.given_name,
                        "surname": reg.surname,
                        "email": reg.email,
                    }
                    if i in present and minutes >= 1:
                        parts = min(rng.choice([1, 1, 1, 2, 3]), (minutes + 1) // 2)
                        marks = sorted(rng.sample(range(minutes + 1), 2 * parts))
                        times: list[dict[str, Any]] = [
                            {
                                "joinTime": fmt_dt(s_start + timedelta(minutes=marks[2 * p])),
                                "leaveTime": fmt_dt(s_start + timedelta(minutes=marks[2 * p + 1])),
                                "timeInPartOfSession": marks[2 * p + 1] - marks[2 * p],
                            }
                            for p in range(parts)
                        ]
                        total_in = sum(t["timeInPartOfSession"] for t in times)
                        attended.append(
                            {**person, "timeInSession": total_in, "inSessionTimes": times}
                        )
                    else:
                        absent.append({**person, "timeInSession": 0, "inSessionTimes": []})
                attended.sort(key=lambda a: a["inSessionTimes"][0]["joinTime"])
                self.sessions[session_key] = CompletedSession(
                    key=session_key,
                    training_key=tk,
                    training_name=training.name,
                    start=s_start,
                    end=s_end,
                    organizer_keys=training.organizer_keys(),
                    attendees=attended + absent,
                )
                training.session_keys.append(session_key)
                rec_id = int(self.new_key())
                self.recordings[rec_id] = Recording(
                    recording_id=rec_id,
                    training_key=tk,
                    name=f"{training.name} - session {index + 1}",
                    start=s_start,
                    end=s_end,
                )
                training.recording_ids.append(rec_id)
            training.completed = len(training.session_keys) >= len(training.times)
        return {
            "trainingKey": tk,
            "sessions": [self.session_json(self.sessions[k]) for k in training.session_keys],
            "recordings": [
                self.recordings[r].to_json(self.files_base) for r in training.recording_ids
            ],
        }

    def recording_size(self, recording_id: int) -> int:
        """Deterministic size (1-5 MB, or ``recording_file_size``) of a recording file; 404 if unknown."""
        if recording_id not in self.recordings:
            raise not_found("recording", recording_id)
        if self.recording_file_size is not None:
            return self.recording_file_size
        return 1_000_000 + recording_id % 4_000_000

    def dump(self) -> Json:
        """A JSON snapshot of the whole state (for tests and ``GET /_sandbox/state``)."""
        return {
            "accountKey": self.account_key,
            "organizers": [o.to_json() for o in self.organizers.values()],
            "trainings": [
                {
                    **self.training_json(t),
                    "completed": t.completed,
                    "requireApproval": t.require_approval,
                    "registrants": [r.to_json() for r in t.registrants.values()],
                    "sessionKeys": list(t.session_keys),
                    "recordingIds": list(t.recording_ids),
                }
                for t in self.trainings.values()
            ],
        }
