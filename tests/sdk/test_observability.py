"""Debug output without code (``GOTO_LOG``, the CLI's ``--verbose``), log records with their
fields as attributes, errors that name the operation, the attempts and the request id, and
OpenTelemetry through httpx's instrumentation."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from gototraining import (
    APIConnectionError,
    ConflictError,
    RetryPolicy,
    ServerError,
    ValidationError,
)
from gototraining.sandbox import Sandbox

from .conftest import Flavor

GOTOTRAINING = Path(sys.executable).with_name("gototraining")
FAST = RetryPolicy(max_retries=2, backoff_base=0.001, backoff_max=0.002)
LIST_TRAININGS = "/organizers/{organizerKey}/trainings"

#: A script that starts a sandbox, makes one call that is retried once (a 503), and exits.
SCRIPT = """
from gototraining import RetryPolicy
from gototraining.sandbox import Sandbox

with Sandbox() as sb:
    sb.faults.add("getAllTrainings", statuses=[503])
    fast = RetryPolicy(max_retries=1, backoff_base=0.001, backoff_max=0.001)
    with sb.client(retry_policy=fast) as client:
        client.trainings.list()
    print(sb.token)
"""


def _run_script(goto_log: str | None) -> tuple[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "GOTO_LOG"}
    if goto_log is not None:
        env["GOTO_LOG"] = goto_log
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120,
        check=True,
    )  # fmt: skip
    token = done.stdout.strip()
    return token, done.stderr


def _sdk_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if " gototraining " in line]


def test_goto_log_debug_shows_every_request_without_secrets() -> None:
    token, stderr = _run_script("debug")
    lines = _sdk_lines(stderr)
    assert any("GET /organizers/" in line and "-> 503 in" in line for line in lines), stderr
    assert any("-> 200 in" in line and "(attempt 2, getAllTrainings)" in line for line in lines)
    assert any("retrying in" in line and " INFO]" in line for line in lines)
    assert token and token not in stderr


def test_goto_log_info_shows_the_retries_only_and_nothing_without_it() -> None:
    _, info = _run_script("INFO")
    lines = _sdk_lines(info)
    assert lines and all(" INFO]" in line for line in lines)
    assert any("-> 503 (attempt 1); retrying in" in line for line in lines)
    _, quiet = _run_script(None)
    assert _sdk_lines(quiet) == []


def test_every_request_record_carries_its_fields(
    gototraining_sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    sb = gototraining_sandbox
    sb.faults.add("getAllTrainings", statuses=[503])
    caplog.set_level(logging.DEBUG, logger="gototraining")
    with sb.client(retry_policy=FAST) as client:
        client.trainings.list()
    records = [r for r in caplog.records if getattr(r, "operation", None) == "getAllTrainings"]
    first, retry, answered = records  # the 503, its retry line, the 200
    for record in records:
        assert record.method == "GET"  # type: ignore[attr-defined]
        assert record.path_template == LIST_TRAININGS  # type: ignore[attr-defined]
        assert record.organizer_key == sb.organizer_key  # type: ignore[attr-defined]
        assert record.queued >= 0  # type: ignore[attr-defined]
        assert record.elapsed > 0  # type: ignore[attr-defined]
    assert (first.levelno, first.status, first.attempt) == (logging.DEBUG, 503, 1)  # type: ignore[attr-defined]
    assert (retry.levelno, retry.status, retry.attempt) == (logging.INFO, 503, 1)  # type: ignore[attr-defined]
    assert retry.retry_in > 0  # type: ignore[attr-defined]
    assert (answered.status, answered.attempt) == (200, 2)  # type: ignore[attr-defined]
    # What a JSON formatter would write: every field serialisable as it is.
    assert json.loads(json.dumps(vars(answered), default=str))["path_template"] == LIST_TRAININGS


def test_a_transport_failure_record_has_no_status(
    flavor: Flavor, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    caplog.set_level(logging.INFO, logger="gototraining")
    flavor.client(refuse, retry_policy=FAST)
    with pytest.raises(APIConnectionError) as caught:
        flavor.run(lambda c: c.trainings.get(5))
    retries = [r for r in caplog.records if getattr(r, "operation", None) == "getTraining"]
    assert [(r.attempt, r.status, r.error) for r in retries] == [  # type: ignore[attr-defined]
        (1, None, "ConnectError"),
        (2, None, "ConnectError"),
    ]
    assert caught.value.operation == "getTraining" and caught.value.attempts == 3


def test_errors_name_the_operation_the_attempts_and_the_request_id(flavor: Flavor) -> None:
    def busy(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            500,
            json={"errorCode": "Boom", "description": "it broke"},
            headers={"X-Request-Id": "req-4711"},
        )

    flavor.client(busy, retry_policy=RetryPolicy(max_retries=0))
    with pytest.raises(ServerError) as caught:
        flavor.run(lambda c: c.trainings.get(5))
    error = caught.value
    assert (error.operation, error.attempts, error.request_id) == ("getTraining", 1, "req-4711")
    assert str(error).endswith(
        "(GET https://api.getgo.com/G2T/rest/organizers/1000000000000000001/trainings/5) [request req-4711]"
    )
    assert error.replayed is False
    with pytest.raises(ValidationError) as refused:
        flavor.run(lambda c: c.trainings.get("12x"))
    assert (refused.value.operation, refused.value.attempts) == (None, 0)


def test_a_conflict_after_a_lost_answer_is_marked_replayed(flavor: Flavor) -> None:
    answers = iter([httpx.Response(502), httpx.Response(409, json={"description": "dup"})])

    def lost_then_conflict(request: httpx.Request) -> httpx.Response:
        return next(answers)

    flavor.client(lost_then_conflict, retry_policy=FAST)
    with pytest.raises(ConflictError) as caught:  # a PUT is replayed after the 502
        flavor.run(lambda c: c.trainings.update_name_description(5, name="N"))
    assert caught.value.replayed is True and caught.value.attempts == 2
    flavor.client(lambda request: httpx.Response(409, json={"description": "dup"}))
    with pytest.raises(ConflictError) as first:
        flavor.run(lambda c: c.trainings.update_name_description(5, name="N"))
    assert first.value.replayed is False and first.value.attempts == 1


def test_cli_verbose_logs_the_requests_on_stderr(gototraining_sandbox: Sandbox) -> None:
    sb = gototraining_sandbox
    env = {
        **{k: v for k, v in os.environ.items() if k != "GOTO_LOG"},
        "GOTO_BASE_URL": sb.url,
        "GOTO_ACCESS_TOKEN": sb.token,
        "GOTO_ORGANIZER_KEY": sb.organizer_key,
    }
    verbose = subprocess.run(
        [str(GOTOTRAINING), "--verbose", "trainings", "list", "--json"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert verbose.returncode == 0, verbose.stderr
    assert json.loads(verbose.stdout) == []  # stdout stays data
    assert "GET /organizers/" in verbose.stderr and "(attempt 1, getAllTrainings)" in verbose.stderr
    assert sb.token not in verbose.stderr
    quiet = subprocess.run(
        [str(GOTOTRAINING), "trainings", "list", "--json"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert quiet.returncode == 0 and "GET /organizers/" not in quiet.stderr


def test_opentelemetry_traces_every_attempt_through_httpx(gototraining_sandbox: Sandbox) -> None:
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    sb = gototraining_sandbox
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    sb.faults.add("getAllTrainings", statuses=[503])
    with httpx.Client() as http_client:
        HTTPXClientInstrumentor.instrument_client(http_client, tracer_provider=provider)
        with sb.client(http_client=http_client, retry_policy=FAST) as client:
            client.trainings.list()
    spans: list[Any] = list(exporter.get_finished_spans())
    assert [(s.name, s.attributes["http.status_code"]) for s in spans] == [
        ("GET", 503),
        ("GET", 200),
    ]
    assert all(s.attributes["http.url"].startswith(sb.url + "/organizers/") for s in spans)
    assert all(sb.token not in json.dumps(dict(s.attributes)) for s in spans)
