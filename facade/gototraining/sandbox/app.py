"""The Starlette application: the 22 spec operations, OAuth emulation and admin endpoints.

Every API request goes through one pipeline (see ``_api_endpoint``): fault lookup,
rate limit, token check, path-parameter and request-body validation, the store handler,
then response validation. A response that does not match the spec is replaced by a 500
``SandboxSpecViolation`` and recorded in ``Core.violations`` - a sandbox bug must never
reach a client as if it were valid.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlencode

import fastjsonschema
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from .auth import OAuthError, check_expired_token_status
from .core import Core
from .drift import DriftConfig
from .faults import Fault, Hit
from .spec import Operation, SpecViolation
from .store import ApiError, Json, Store, bad_request, not_found

_INT = re.compile(r"^-?[0-9]+$")
_NO_BODY: Any = object()  # marker: the response has no body at all
JSON_TYPE = "application/json"

Result = tuple[int, Any, Mapping[str, str]]
Handler = Callable[[Store, str, dict[str, str], Any], Result]


class InjectedReset(Exception):
    """Raised after a partial body to make the server drop the connection (fault ``reset``)."""


# --- operation handlers ------------------------------------------------------------------
def _org(store: Store, caller: str, p: dict[str, str]) -> str:
    store.check_organizer(p["organizerKey"], caller)
    return p["organizerKey"]


def _ok(status: int, data: Any) -> Result:
    return status, data, {}


def _get_all_organizers(s: Store, c: str, p: dict[str, str], b: Any) -> Result:
    return _ok(200, s.get_all_organizers(p["accountKey"]))


def _get_all_trainings(s: Store, c: str, p: dict[str, str], b: Any) -> Result:
    return _ok(200, s.get_all_trainings(_org(s, c, p)))


def _schedule_training(s: Store, c: str, p: dict[str, str], b: Any) -> Result:
    return _ok(201, s.schedule_training(_org(s, c, p), b))


def _get_training(s: Store, c: str, p: dict[str, str], b: Any) -> Result:
    return _ok(200, s.get_training(_org(s, c, p), p["trainingKey"]))


def _cancel_training(s: Store, c: str, p: dict[str, str], b: Any) -> Result:
    s.cancel_training(_org(s, c, p), p["trainingKey"])
    return _ok(204, _NO_BODY)


def _get_manage_url(s: Store, c: str, p: dict[str, str], b: Any) -> Result:
    return _ok(200, s.get_manage_url(_org(s, c, p), p["trainingKey"]))


def _update_name_description(s: Store, c: str, p: dict[str, str], b: Any) -> Result:
    s.update_name_description(_org(s, c, p), p["trainingKey"], b)
    return _ok(204, _NO_BODY)


def _get_training_organizers(s: Store, c: str, p: dict[str, str], b: Any) -> Result:
    return _ok(200, s.get_training_organizers(_org(s, c, p), p["trainingKey"]))


def _update_training_organizers(s: Store, c: str, p: dict[str, str], b: Any) -> Result:
    s.update_training_organizers(_org(s, c, p), p["trainingKey"], b)
    return _ok(204, _NO_BODY)


def _get_registrants(s: Store, c: str, p: dict[str, str], b: Any) -> Result:
    return _ok(200, s.get_registrants(_org(s, c, p), p["trainingKey"]))


def _register(s: Store, c: str, p: dict[str, str], b: Any) -> Result:
    return _ok(201, s.register(_org(s, c, p), p["trainingKey"], b))


def _get_registrant(s: Store, c: str, p: dict[str, str], b: Any) -> Result:
    return _ok(200, s.get_registrant(_org(s, c, p), p["trainingKey"], p["registrantKey"]))


def _cancel_registration(s: Store, c: str, p: dict[str, str], b: Any) -> Result:
    s.cancel_registration(_org(s, c, p), p["trainingKey"], p["registrantKey"])
    return _ok(204, _NO_BODY)


def _update_registration_settings(s: Store, c: str, p: dict[str, str], b: Any) -> Result:
    s.update_registration_settings(_org(s, c, p), p["trainingKey"], b)
    return _ok(204, _NO_BODY)


def _get_start_url(s: Store, c: str, p: dict[str, str], b: Any) -> Result:
    return _ok(200, s.get_start_url(_org(s, c, p), p["trainingKey"]))


def _update_times(s: Store, c: str, p: dict[str, str], b: Any) -> Result:
    return _ok(200, s.update_times(_org(s, c, p), p["trainingKey"], b))


def _sessions_for_range(s: Store, c: str, p: dict[str, str], b: Any) -> Result:
    return _ok(200, s.sessions_for_range(_org(s, c, p), b))


def _attendance(s: Store, c: str, p: dict[str, str], b: Any) -> Result:
    return _ok(200, s.attendance(_org(s, c, p), p["sessionKey"]))


def _sessions_for_training(s: Store, c: str, p: dict[str, str], b: Any) -> Result:
    return _ok(200, s.sessions_for_training(_org(s, c, p), p["trainingKey"]))


# The /trainings/{trainingKey}/... operations carry no organizer key: the token's is used.
def _recordings(s: Store, c: str, p: dict[str, str], b: Any) -> Result:
    return _ok(200, s.recordings_for_training(c, p["trainingKey"]))


def _recording_download(s: Store, c: str, p: dict[str, str], b: Any) -> Result:
    location = s.recording_location(c, p["trainingKey"], p["recordingId"])
    return 302, _NO_BODY, {"Location": location}


def _start_training(s: Store, c: str, p: dict[str, str], b: Any) -> Result:
    return _ok(200, s.start_training(c, p["trainingKey"]))


HANDLERS: dict[str, Handler] = {
    "getAllOrganisers": _get_all_organizers,
    "getAllTrainings": _get_all_trainings,
    "scheduleTraining": _schedule_training,
    "getTraining": _get_training,
    "cancelTraining": _cancel_training,
    "getManageTrainingURL": _get_manage_url,
    "updateTrainingNameDescription": _update_name_description,
    "getOrganisersForTraining": _get_training_organizers,
    "updateOrganisersForTraining": _update_training_organizers,
    "getRegistrants": _get_registrants,
    "registerForTraining": _register,
    "getRegistrant": _get_registrant,
    "cancelRegistration": _cancel_registration,
    "updateRegistrationSettingsForTraining": _update_registration_settings,
    "getStartUrl": _get_start_url,
    "updateTrainingTimes": _update_times,
    "getSessionDetailsForDateRange": _sessions_for_range,
    "getAttendanceDetails": _attendance,
    "getSessionDetailsForTraining": _sessions_for_training,
    "getRecordingsForTraining": _recordings,
    "getRecordingDownloadById": _recording_download,
    "startTraining": _start_training,
}


# --- responses ---------------------------------------------------------------------------
def _dumps(data: Any) -> bytes:
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    try:
        return text.encode()
    except UnicodeEncodeError:  # a lone surrogate someone registered: a \uXXXX escape
        return json.dumps(data, separators=(",", ":")).encode()


def _error_json(exc: ApiError, incident: str) -> Json:
    if exc.gateway:
        return {"int_err_code": exc.code, "msg": exc.description}
    return {"errorCode": exc.code, "description": exc.description, "incident": incident}


@dataclass(frozen=True)
class Reply:
    """A finished API response; ``reset`` means: drop the connection mid-body instead."""

    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    reset: bool = False

    async def send(self, send: Send) -> None:
        """Send over ASGI (two messages, no framework objects: this is the hot path)."""
        head = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in self.headers]
        if self.content_type is not None:
            head.append((b"content-type", self.content_type.encode("latin-1")))
        if self.reset:
            # Promise more bytes than are sent, then fail: uvicorn closes the socket and
            # the client sees a truncated body (a protocol/read error, never a clean reply).
            # A 204/304/1xx status line would end the response right after the headers (no
            # body allowed, Content-Length ignored) and the client would see a success, so
            # those are sent as 200: the status is never observable anyway, only the cut.
            # (ASGI has no way to drop the connection before the status line: an exception
            # there makes uvicorn answer 500.)
            status = 200 if self.status in (204, 304) or self.status < 200 else self.status
            head.append((b"content-length", b"4096"))
            await send({"type": "http.response.start", "status": status, "headers": head})
            partial = b'{"trainingKey":"81782'
            await send({"type": "http.response.body", "body": partial, "more_body": True})
            raise InjectedReset("injected connection reset")
        if self.status not in (204, 304) and self.status >= 200:
            head.append((b"content-length", str(len(self.body)).encode()))
        await send({"type": "http.response.start", "status": self.status, "headers": head})
        await send({"type": "http.response.body", "body": self.body})


def _json_reply(status: int, data: Any, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
    return Reply(status, _dumps(data), JSON_TYPE, headers)


def _fault_reply(core: Core, hit: Hit, status: int) -> Reply:
    headers = (("Retry-After", str(hit.retry_after)),) if hit.retry_after is not None else ()
    if hit.reset:
        return Reply(status, headers=headers, reset=True)
    if hit.malformed_json:
        return Reply(status, b'{"errorCode": "Injec', JSON_TYPE, headers)
    if hit.wrong_content_type:
        html = b"<html><body><h1>Service temporarily unavailable</h1></body></html>"
        return Reply(status, html, "text/html; charset=utf-8", headers)
    if hit.empty_body:
        return Reply(status, b"", JSON_TYPE, headers)
    if status >= 400:
        try:
            code = HTTPStatus(status).phrase.replace(" ", "")
        except ValueError:
            code = "Error"
        body = {
            "errorCode": code,
            "description": "Injected fault",
            "incident": core.store.incident(),
        }
        return _json_reply(status, body, headers)
    return Reply(status, headers=headers)


def _drifted(core: Core, operation_id: str, reply: Reply, drift: DriftConfig) -> Reply:
    """A successful JSON answer made to stray from the spec (after it was checked against it)."""
    if (
        reply.reset
        or not 200 <= reply.status < 300
        or reply.content_type != JSON_TYPE
        or not reply.body
        or not core.drifter.applies(operation_id, drift)
    ):
        return reply
    data = core.drifter.drift(operation_id, json.loads(reply.body), drift)
    return Reply(reply.status, _dumps(data), reply.content_type, reply.headers)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    """A ``receive`` that hands out ``body`` (already read from the real one) once."""
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> Message:
        if messages:
            return messages.pop()
        return {"type": "http.disconnect"}

    return receive


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


# --- the API pipeline ----------------------------------------------------------------------
class ApiPipeline:
    """Serve one spec operation: faults, rate limit, auth, validation, handler, validation."""

    def __init__(self, core: Core, op: Operation) -> None:
        self.core = core
        self.op = op
        self.handler = HANDLERS[op.operation_id]
        self.has_body = op.validate_body is not None or op.body_required
        self.has_404 = 404 in op.responses

    async def __call__(
        self, params: dict[str, str], scope: Scope, receive: Receive, send: Send
    ) -> None:
        received_at = time.monotonic()
        core, op = self.core, self.op
        hit = core.faults.match(op.operation_id)
        gate = hit.gate if hit is not None else None
        if gate is not None:
            # Received in full before holding: what happens after the release does not
            # depend on whether the client is still connected.
            receive = _replay(await _read_body(receive))
        try:
            if gate is not None and not await gate.enter():
                # Dropped by a reset while held: it belongs to a state that is gone, so it is
                # neither applied nor logged, and its client sees a lost connection.
                reply = Reply(500, reset=True)
            else:
                if hit is None:
                    reply = await self.handle(params, scope, receive)
                else:
                    if hit.latency:
                        await asyncio.sleep(hit.latency)
                    if not hit.changes_response:
                        reply = await self.handle(params, scope, receive)
                    elif hit.apply:  # the request is applied, then its answer is lost
                        handled = await self.handle(params, scope, receive)
                        reply = _fault_reply(core, hit, hit.status or handled.status)
                    else:  # the request never reaches the "service": nothing is applied
                        reply = _fault_reply(core, hit, hit.status or op.success_status)
                drift = hit.drift if hit is not None and hit.drift is not None else core.drift
                if drift is not None:
                    reply = _drifted(core, op.operation_id, reply, drift)
                status = 0 if reply.reset else reply.status
                core.record(scope["method"], scope["path"], status, op.operation_id, received_at)
        finally:
            if gate is not None:
                gate.leave()
        await reply.send(send)

    async def handle(self, raw_params: dict[str, str], scope: Scope, receive: Receive) -> Reply:
        """The unfaulted answer to one request."""
        core, op = self.core, self.op
        store = core.store
        if core.limiter is not None:
            wait = core.limiter.acquire()
            if wait:
                retry = str(max(1, math.ceil(wait)))
                exc = ApiError(429, "TooManyRequests", "Rate limit exceeded (requests per second)")
                return self.reply(
                    429, _error_json(exc, store.incident()), (("Retry-After", retry),)
                )
        try:
            caller = core.auth.caller(_header(scope, b"authorization"))
            params: dict[str, str] = {}
            for name, raw in raw_params.items():
                # The spec types keys as int64: anything else names no resource -> 404
                # (400 for the few operations whose spec lists no 404).
                if not _INT.match(raw):
                    raise self.bad_key(name, raw)
                value = int(raw)
                if core.validate:
                    try:
                        op.path_params[name](value)
                    except fastjsonschema.JsonSchemaException as err:
                        raise self.bad_key(name, raw) from err
                params[name] = str(value)
            body: Any = None
            if self.has_body:
                raw_body = await _read_body(receive)
                if not raw_body:
                    raise bad_request("A JSON request body is required")
                try:
                    body = json.loads(raw_body)
                except ValueError as err:
                    raise bad_request(f"Malformed JSON body: {err}") from err
                if core.validate and op.validate_body is not None:
                    try:
                        op.validate_body(body)
                    except fastjsonschema.JsonSchemaException as err:
                        raise bad_request(f"Invalid request body: {err}") from err
                if not isinstance(body, dict):
                    raise bad_request("The request body must be a JSON object")
            with store.lock:
                status, data, headers = self.handler(store, caller, params, body)
        except ApiError as exc:
            if exc.status == 404 and not self.has_404:
                # e.g. getAllTrainings for an unknown organizer: its spec has no 404, and
                # the API answers such keys with 403 (the token may not access them).
                exc = ApiError(403, "Forbidden", exc.description)
            status, data, headers = exc.status, _error_json(exc, store.incident()), {}
        return self.reply(status, data, tuple(headers.items()))

    def bad_key(self, name: str, raw: str) -> ApiError:
        """Error for a path key that is not an int64."""
        if self.has_404:
            return not_found(name, raw)
        return bad_request(f"{name} must be an integer key, got {raw!r}")

    def reply(self, status: int, data: Any, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
        """Render and (in validate mode) check a response against the spec."""
        core, op = self.core, self.op
        no_body = data is _NO_BODY
        content = b"" if no_body else _dumps(data)
        media = None if no_body else JSON_TYPE
        if core.validate:
            try:
                core.spec.check_response(op.operation_id, status, media, content, data)
            except SpecViolation as violation:
                core.violation(str(violation))
                body = {
                    "errorCode": "SandboxSpecViolation",
                    "description": str(violation),
                    "incident": core.store.incident(),
                }
                return _json_reply(500, body)
        return Reply(status, content, media, headers)


# --- OAuth and admin -----------------------------------------------------------------------
@lru_cache(maxsize=4)
def recording_bytes(recording_id: int, size: int) -> bytes:
    """Deterministic pseudo-MP4 bytes for a recording."""
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    body = head + random.Random(recording_id).randbytes(max(0, size - len(head)))
    return body[:size]


def _oauth_routes(core: Core) -> list[Route]:
    async def authorize(request: Request) -> Response:
        q = request.query_params
        redirect = q.get("redirect_uri")
        try:
            if not redirect:
                raise OAuthError(400, "invalid_request", "redirect_uri is required")
            code = core.auth.issue_code(
                q.get("client_id"),
                redirect,
                login_hint=q.get("login_hint"),
                code_challenge=q.get("code_challenge"),
                code_challenge_method=q.get("code_challenge_method"),
            )
        except OAuthError as exc:
            return JSONResponse(
                {"error": exc.error, "error_description": exc.description}, exc.status
            )
        args = {"code": code, **({"state": q["state"]} if "state" in q else {})}
        sep = "&" if "?" in redirect else "?"
        return RedirectResponse(f"{redirect}{sep}{urlencode(args)}", status_code=302)

    async def token(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        try:
            core.auth.check_client(request.headers.get("authorization"))
            data = core.auth.grant(form)
        except OAuthError as exc:
            headers = {"WWW-Authenticate": "Basic"} if exc.status == 401 else None
            return JSONResponse(
                {"error": exc.error, "error_description": exc.description}, exc.status, headers
            )
        return JSONResponse(data, headers={"Cache-Control": "no-store"})

    return [
        Route("/oauth/authorize", authorize, methods=["GET"]),
        Route("/oauth/token", token, methods=["POST"]),
    ]


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise TypeError("expected a JSON object")
    return data


def _admin_routes(core: Core, on_reset: Callable[[], None]) -> list[Route]:
    def error(status: int, message: str) -> Response:
        return JSONResponse({"error": message}, status)

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def reset(request: Request) -> Response:
        # On a worker thread: the reset waits for dropped held requests, which need this
        # event loop to finish.
        await asyncio.to_thread(on_reset)
        return Response(status_code=204)

    async def state(request: Request) -> Response:
        with core.store.lock:
            return JSONResponse(core.store.dump())

    async def complete(request: Request) -> Response:
        try:
            body = await _json_body(request)
            rate = float(body.get("attendance_rate", 0.8))
            sessions = body.get("sessions")
            with core.store.lock:
                data = core.store.complete_training(
                    request.path_params["trainingKey"], rate, sessions
                )
        except ApiError as exc:
            return error(exc.status, exc.description)
        except (TypeError, ValueError) as exc:
            return error(400, str(exc))
        return JSONResponse(data)

    async def approval(request: Request) -> Response:
        try:
            body = await _json_body(request)
        except (TypeError, ValueError) as exc:
            return error(400, str(exc))
        with core.store.lock:
            training = core.store.trainings.get(request.path_params["trainingKey"])
            if training is None:
                return error(404, "unknown training")
            training.require_approval = bool(body.get("required", True))
        return Response(status_code=204)

    async def faults(request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse([f.to_json() for f in core.faults.list()])
        if request.method == "DELETE":
            core.faults.clear()
            return Response(status_code=204)
        try:
            fault = core.faults.add(**await _json_body(request))
        except (TypeError, ValueError) as exc:
            return error(400, str(exc))
        return JSONResponse(fault.to_json(), 201)

    async def fault_item(request: Request) -> Response:
        fault = _find_fault(request)
        if fault is None:
            return error(404, "unknown fault")
        core.faults.remove(fault)
        return Response(status_code=204)

    def _find_fault(request: Request) -> Fault | None:
        fault_id = request.path_params["faultId"]
        return next((f for f in core.faults.list() if str(f.id) == fault_id), None)

    async def fault_release(request: Request) -> Response:
        fault = _find_fault(request)
        if fault is None or not fault.hold:
            return error(404, "unknown fault or not a hold=True fault")
        fault.release()
        return Response(status_code=204)

    async def fault_wait(request: Request) -> Response:
        # Body {"held": N} (N requests held) or {"idle": true} (all finished), "timeout" in s.
        fault = _find_fault(request)
        if fault is None or not fault.hold:
            return error(404, "unknown fault or not a hold=True fault")
        try:
            body = await _json_body(request)
            timeout = float(body.get("timeout", 30))
            held = body.get("held")
            if held is not None and (isinstance(held, bool) or not isinstance(held, int)):
                raise ValueError("held must be an int")
        except (TypeError, ValueError) as exc:
            return error(400, str(exc))
        # Waited for on a worker thread: the held requests need this event loop to go on.
        if held is not None:
            reached = await asyncio.to_thread(fault.wait_held, held, timeout)
        else:
            reached = await asyncio.to_thread(fault.wait_idle, timeout)
        return JSONResponse({"reached": reached, **fault.to_json()}, 200 if reached else 408)

    async def expire(request: Request) -> Response:
        core.auth.expire_all()
        return Response(status_code=204)

    async def revoke(request: Request) -> Response:
        try:
            body = await _json_body(request)
            token, organizer = body.get("refresh_token"), body.get("organizer_key")
            if not isinstance(token, str | None) or not isinstance(organizer, str | None):
                raise TypeError("refresh_token and organizer_key must be strings")
            revoked = core.auth.revoke_refresh_tokens(token, organizer_key=organizer)
        except (TypeError, ValueError) as exc:
            return error(400, str(exc))
        return JSONResponse({"revoked": revoked})

    async def expired_token_status(request: Request) -> Response:
        try:
            body = await _json_body(request)
            status = check_expired_token_status(body.get("status"))
        except (TypeError, ValueError) as exc:
            return error(400, str(exc))
        core.auth.expired_token_status = status
        return Response(status_code=204)

    async def requests_log(request: Request) -> Response:
        with core.log_lock:
            return JSONResponse([r._asdict() for r in core.requests])

    async def violations(request: Request) -> Response:
        with core.log_lock:
            return JSONResponse(list(core.violations))

    async def files(request: Request) -> Response:
        rec_id = int(request.path_params["recordingId"])
        try:
            with core.store.lock:
                size = core.store.recording_size(rec_id)
        except ApiError as exc:
            return error(exc.status, exc.description)
        return Response(recording_bytes(rec_id, size), media_type="video/mp4")

    return [
        Route("/_sandbox/health", health, methods=["GET"]),
        Route("/_sandbox/reset", reset, methods=["POST"]),
        Route("/_sandbox/state", state, methods=["GET"]),
        Route("/_sandbox/trainings/{trainingKey}/complete", complete, methods=["POST"]),
        Route("/_sandbox/trainings/{trainingKey}/approval", approval, methods=["POST"]),
        Route("/_sandbox/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/_sandbox/faults/{faultId}", fault_item, methods=["DELETE"]),
        Route("/_sandbox/faults/{faultId}/release", fault_release, methods=["POST"]),
        Route("/_sandbox/faults/{faultId}/wait", fault_wait, methods=["POST"]),
        Route("/_sandbox/expire-tokens", expire, methods=["POST"]),
        Route("/_sandbox/revoke-refresh-tokens", revoke, methods=["POST"]),
        Route("/_sandbox/expired-token-status", expired_token_status, methods=["POST"]),
        Route("/_sandbox/requests", requests_log, methods=["GET"]),
        Route("/_sandbox/violations", violations, methods=["GET"]),
        Route("/_sandbox/files/recording-{recordingId:int}.mp4", files, methods=["GET"]),
    ]


class SandboxASGI:
    """API operations on a lean raw-ASGI path; everything else goes to a Starlette app.

    Why not Starlette routes for the API too: its Request/Response objects and routing
    roughly doubled the server's per-request cost, and the sandbox must keep up with
    the SDK's benchmarks (see docs/sandbox.md).
    """

    def __init__(self, core: Core, fallback: Starlette) -> None:
        self.base_path = core.spec.base_path
        self.fallback = fallback
        self.routes: dict[str, list[tuple[re.Pattern[str], ApiPipeline]]] = {}
        for op in core.spec.operations.values():
            pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(op.path))
            self.routes.setdefault(op.method, []).append(
                (re.compile(f"^{pattern}/?$"), ApiPipeline(core, op))
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if path.startswith(self.base_path):
                relative = path[len(self.base_path) :]
                for regex, pipeline in self.routes.get(scope["method"], ()):
                    match = regex.match(relative)
                    if match:
                        await pipeline(match.groupdict(), scope, receive, send)
                        return
        await self.fallback(scope, receive, send)


def build_app(core: Core, on_reset: Callable[[], None]) -> SandboxASGI:
    """The ASGI app for one sandbox."""
    missing = set(core.spec.operations) - set(HANDLERS)
    if missing:  # the spec grew an operation the sandbox does not implement
        raise RuntimeError(f"sandbox has no handler for {sorted(missing)}")

    async def unknown(request: Request) -> Response:
        body = {"errorCode": "NotFound", "description": "No such resource"}
        return Response(_dumps(body), 404, media_type=JSON_TYPE)

    base_routes = [
        Route(
            core.spec.base_path + "/{rest:path}", unknown, methods=["GET", "POST", "PUT", "DELETE"]
        )
    ]
    fallback = Starlette(
        routes=[*base_routes, *_oauth_routes(core), *_admin_routes(core, on_reset)]
    )
    return SandboxASGI(core, fallback)
