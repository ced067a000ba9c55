"""The Starlette application: the 22 spec operations, OAuth emulation and admin endpoints.

Every API request goes through one pipeline (see :func:`_api_endpoint`): fault lookup,
rate limit, token check, path-parameter and request-body validation, the store handler,
then response validation. A response that does not match the spec is replaced by a 500
``SandboxSpecViolation`` and recorded in ``Core.violations`` - a sandbox bug must never
reach a client as if it were valid.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from collections.abc import Awaitable, Callable, Mapping
from functools import lru_cache
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlencode

import fastjsonschema
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from .auth import OAuthError
from .core import Core
from .faults import Hit
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
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def _error_json(exc: ApiError, incident: str) -> Json:
    if exc.gateway:
        return {"int_err_code": exc.code, "msg": exc.description}
    return {"errorCode": exc.code, "description": exc.description, "incident": incident}


def _json_response(status: int, data: Any, headers: Mapping[str, str] | None = None) -> Response:
    return Response(_dumps(data), status_code=status, headers=headers, media_type=JSON_TYPE)


class _ResetResponse(Response):
    """Start a response, send part of the body, then fail so the server drops the connection."""

    def __init__(self, status: int) -> None:
        super().__init__(b"", status_code=status)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        head = [(b"content-type", b"application/json"), (b"content-length", b"4096")]
        await send({"type": "http.response.start", "status": self.status_code, "headers": head})
        await send(
            {"type": "http.response.body", "body": b'{"trainingKey":"81782', "more_body": True}
        )
        raise InjectedReset("injected connection reset")


def _fault_response(core: Core, op: Operation, hit: Hit, status: int) -> Response:
    headers = {"Retry-After": str(hit.retry_after)} if hit.retry_after is not None else {}
    if hit.reset:
        return _ResetResponse(status)
    if hit.malformed_json:
        return Response(b'{"errorCode": "Injec', status, headers, media_type=JSON_TYPE)
    if hit.wrong_content_type:
        html = b"<html><body><h1>Service temporarily unavailable</h1></body></html>"
        return Response(html, status, headers, media_type="text/html")
    if hit.empty_body:
        return Response(b"", status, headers, media_type=JSON_TYPE)
    if status >= 400:
        phrase = (
            HTTPStatus(status).phrase.replace(" ", "")
            if status in HTTPStatus._value2member_map_
            else "Error"
        )
        body = {
            "errorCode": phrase,
            "description": "Injected fault",
            "incident": core.store.incident(),
        }
        return _json_response(status, body, headers)
    return Response(b"", status, headers)


# --- the API pipeline ----------------------------------------------------------------------
def _api_endpoint(core: Core, op: Operation) -> Callable[[Request], Awaitable[Response]]:
    handler = HANDLERS[op.operation_id]
    has_body = op.validate_body is not None or op.body_required
    param_names = list(op.path_params)

    async def handle(request: Request) -> Response:
        store = core.store
        if core.limiter is not None:
            wait = core.limiter.acquire()
            if wait:
                retry = str(max(1, int(-(-wait // 1))))
                exc = ApiError(429, "TooManyRequests", "Rate limit exceeded")
                return _respond(429, _error_json(exc, store.incident()), {"Retry-After": retry})
        try:
            caller = core.auth.caller(request.headers.get("authorization"))
            params: dict[str, str] = {}
            path_params = request.path_params
            for name in param_names:
                raw = path_params[name]
                if not _INT.match(raw):
                    raise not_found(name, raw)
                value = int(raw)
                if core.validate:
                    try:
                        op.path_params[name](value)
                    except fastjsonschema.JsonSchemaException as err:
                        raise not_found(name, raw) from err
                params[name] = str(value)
            body: Any = None
            if has_body:
                raw_body = await request.body()
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
                status, data, headers = handler(store, caller, params, body)
        except ApiError as exc:
            status, data, headers = exc.status, _error_json(exc, store.incident()), {}
        return _respond(status, data, headers)

    def _respond(status: int, data: Any, headers: Mapping[str, str]) -> Response:
        content = b"" if data is _NO_BODY else _dumps(data)
        media = None if data is _NO_BODY else JSON_TYPE
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
                return _json_response(500, body)
        return Response(content, status_code=status, headers=dict(headers), media_type=media)

    async def endpoint(request: Request) -> Response:
        hit = core.faults.match(op.operation_id)
        if hit is None:
            response = await handle(request)
        else:
            if hit.latency:
                await asyncio.sleep(hit.latency)
            if not hit.changes_response:
                response = await handle(request)
            elif hit.apply:
                handled = await handle(request)
                response = _fault_response(core, op, hit, hit.status or handled.status_code)
            else:
                response = _fault_response(core, op, hit, hit.status or op.success_status)
        status = 0 if isinstance(response, _ResetResponse) else response.status_code
        core.record(request.method, request.url.path, status, op.operation_id)
        return response

    return endpoint


# --- OAuth and admin -----------------------------------------------------------------------
@lru_cache(maxsize=4)
def recording_bytes(recording_id: int, size: int) -> bytes:
    """Deterministic pseudo-MP4 bytes for a recording."""
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    return head + random.Random(recording_id).randbytes(size - len(head))


def _oauth_routes(core: Core) -> list[Route]:
    async def authorize(request: Request) -> Response:
        q = request.query_params
        redirect = q.get("redirect_uri")
        try:
            if not redirect:
                raise OAuthError(400, "invalid_request", "redirect_uri is required")
            code = core.auth.issue_code(q.get("client_id"))
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
        on_reset()
        return Response(status_code=204)

    async def state(request: Request) -> Response:
        with core.store.lock:
            return JSONResponse(core.store.dump())

    async def complete(request: Request) -> Response:
        try:
            body = await _json_body(request)
            rate = float(body.get("attendance_rate", 0.8))
            with core.store.lock:
                data = core.store.complete_training(request.path_params["trainingKey"], rate)
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
        fault_id = request.path_params["faultId"]
        for fault in core.faults.list():
            if str(fault.id) == fault_id:
                core.faults.remove(fault)
                return Response(status_code=204)
        return error(404, "unknown fault")

    async def expire(request: Request) -> Response:
        core.auth.expire_all()
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
        Route("/_sandbox/expire-tokens", expire, methods=["POST"]),
        Route("/_sandbox/requests", requests_log, methods=["GET"]),
        Route("/_sandbox/violations", violations, methods=["GET"]),
        Route("/_sandbox/files/recording-{recordingId:int}.mp4", files, methods=["GET"]),
    ]


def build_app(core: Core, on_reset: Callable[[], None]) -> Starlette:
    """The ASGI app for one sandbox."""
    missing = set(core.spec.operations) - set(HANDLERS)
    if missing:  # the spec grew an operation the sandbox does not implement
        raise RuntimeError(f"sandbox has no handler for {sorted(missing)}")
    routes = [
        Route(core.spec.base_path + op.path, _api_endpoint(core, op), methods=[op.method])
        for op in core.spec.operations.values()
    ]

    async def unknown(request: Request) -> Response:
        return _json_response(404, {"errorCode": "NotFound", "description": "No such resource"})

    routes.append(
        Route(
            core.spec.base_path + "/{rest:path}", unknown, methods=["GET", "POST", "PUT", "DELETE"]
        )
    )
    return Starlette(routes=[*routes, *_oauth_routes(core), *_admin_routes(core, on_reset)])
