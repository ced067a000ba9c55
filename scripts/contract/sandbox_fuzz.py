"""Check 6: a bounded property-based run against the sandbox over real HTTP finds no spec violation.

Run: ``python -m scripts.contract.sandbox_fuzz [--examples N] [--negative N] [--operation ID]``

schemathesis generates requests for every operation of ``openapi/openapi3.yaml`` and sends them to
a ``gototraining.sandbox.Sandbox`` on a loopback port with its bearer token. Every response must
pass: no 5xx (``not_a_server_error``), status documented for the operation, content type
documented, body valid against the documented schema, documented headers present and valid, and
a successful request must fail without or with a wrong token (``ignored_auth``, which re-sends it).

- The sandbox's own response validation is switched off during the run (``validate = False``) so
  the sandbox cannot turn a bad response into a documented 500: schemathesis is the oracle here.
- Before each operation the sandbox is reset and seeded over HTTP with one scheduled training (with
  a registrant) and one completed training (sessions, attendance, recordings); three positive
  examples in four use those keys for path parameters (random keys only ever reach 404s), going
  round every combination of them in turn; the first round also fills blank names, so each
  combination is tried once with a request the sandbox must accept where the keys allow it. The harness picks them, not hypothesis: hypothesis
  draws also depend on the constants of every local module imported so far (its "local
  constants" pool), so a draw would make reaching an operation's success path depend on which
  tests ran before.
- Negative examples (schema-violating requests: wrong types, missing body fields) must be answered
  with a documented 4xx, not a 5xx and not an undocumented status.
- Bounded and reproducible: ``--examples`` positive and ``--negative`` negative examples per
  operation, hypothesis ``derandomize=True``, no example database, no shrinking.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from scripts.contract._common import OPENAPI3, Report, finish

CHECKS: list[Any] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    ignored_auth,
]
DEFAULT_EXAMPLES = 20
DEFAULT_NEGATIVE = 6
TIMES = [{"startDate": "2030-03-01T09:00:00Z", "endDate": "2030-03-01T11:00:00Z"}]
# Body fields the API checks beyond their schema (tz database names, future times, real
# organizer keys, unique emails): pinned examples use these so success paths are reached too.
REPORT_RANGE = {"startDate": "2000-01-01T00:00:00Z", "endDate": "2100-01-01T00:00:00Z"}
TEXT_FIELDS = ("name", "givenName", "surname")


@dataclass
class Keys:
    """Path-parameter values that exist in the seeded sandbox, by parameter name."""

    values: dict[str, list[str]] = field(default_factory=dict)
    co_organizers: list[int] = field(default_factory=list)

    def add(self, name: str, value: object) -> None:
        self.values.setdefault(name, []).append(str(value))

    def fix_body(self, body: Any, serial: int, *, fill_text: bool = False) -> Any:
        """``body`` with the fields the sandbox checks beyond the schema set to valid values;
        with ``fill_text`` also its blank names (the schema allows empty strings, the API not)."""
        if not isinstance(body, dict):
            return body
        body = dict(body)
        if fill_text:
            for name in TEXT_FIELDS:
                value = body.get(name)
                if isinstance(value, str) and not value.strip():
                    body[name] = f"Fuzz {serial}"
        if "timeZone" in body:
            body["timeZone"] = "Europe/Berlin"
        if "times" in body:
            body["times"] = TIMES
        if "startDate" in body and "endDate" in body:
            body.update(REPORT_RANGE)
        if "email" in body:
            body["email"] = f"fuzz-{serial}@example.com"
        if isinstance(body.get("organizers"), list):
            body["organizers"] = self.co_organizers[:1]
        return body


def seed(sandbox: Any) -> Keys:
    """Reset the sandbox and create data over HTTP; return the keys that now exist."""
    sandbox.reset()
    keys = Keys()
    keys.add("organizerKey", sandbox.organizer_key)
    keys.add("accountKey", sandbox.account_key)
    keys.co_organizers = [int(k) for k in sandbox.co_organizer_keys]
    org = sandbox.organizer_key
    headers = {"Authorization": f"Bearer {sandbox.token}"}
    with httpx.Client(base_url=sandbox.url, headers=headers, timeout=10) as http:

        def create(name: str) -> str:
            body = {"name": name, "timeZone": "Europe/Berlin", "times": TIMES}
            resp = http.post(f"/organizers/{org}/trainings", json=body)
            resp.raise_for_status()
            return str(resp.json())

        scheduled = create("Scheduled")
        completed = create("Completed")
        for training in (scheduled, completed):
            keys.add("trainingKey", training)
            person = {"email": f"ada-{training}@example.com", "givenName": "Ada", "surname": "L"}
            resp = http.post(f"/organizers/{org}/trainings/{training}/registrants", json=person)
            resp.raise_for_status()
            keys.add("registrantKey", resp.json()["registrantKey"])
    sandbox.complete_training(completed, attendance_rate=1.0)
    with httpx.Client(base_url=sandbox.url, headers=headers, timeout=10) as http:
        sessions = http.get(f"/reports/organizers/{org}/trainings/{completed}").json()
        for session in sessions:
            keys.add("sessionKey", session["sessionKey"])
        recordings = http.get(f"/trainings/{completed}/recordings").json()
        for recording in recordings.get("recordingList", []):
            keys.add("recordingId", recording["recordingId"])
    return keys


@dataclass
class OperationResult:
    label: str
    calls: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failure: str | None = None


def _failure_text(exc: BaseException, last_request: str) -> str:
    """Each schemathesis failure as ``title: message`` (message cut to a few lines)."""
    failures = list(exc.exceptions) if isinstance(exc, BaseExceptionGroup) else [exc]
    out = [f"request: {last_request}"]
    for failure in failures:
        title = getattr(failure, "title", type(failure).__name__)
        message = str(getattr(failure, "message", failure)).strip()
        lines = [line.rstrip() for line in message.splitlines() if line.strip()][:8]
        out.append(f"{title}: " + "\n      ".join(lines))
    return "\n    ".join(out)


def run_operation(
    operation: Any,
    sandbox: Any,
    keys: Keys,
    examples: int,
    negative: int,
) -> OperationResult:
    result = OperationResult(operation.label)
    headers = {"Authorization": f"Bearer {sandbox.token}"}
    last = ["(none)"]

    def call(case: Any) -> None:
        has_body = case.body is not None and type(case.body).__name__ != "NotSet"
        body = f" {json.dumps(case.body, default=repr)[:300]}" if has_body else ""
        query = f" query={case.query}" if case.query else ""
        last[0] = f"{case.method} {case.formatted_path}{query}{body}"
        response = case.call(
            base_url=sandbox.url, headers=headers, allow_redirects=False, timeout=10
        )
        result.calls += 1
        result.statuses[response.status_code] = result.statuses.get(response.status_code, 0) + 1
        case.validate_response(response, checks=CHECKS)

    params = [p.name for p in operation.path_parameters]
    known = {n: keys.values[n] for n in params if n in keys.values}
    combinations = [
        dict(zip(known, values, strict=True)) for values in itertools.product(*known.values())
    ]
    positives = itertools.count()

    def run(mode: GenerationMode, n: int) -> None:
        if n <= 0:
            return
        strategy = operation.as_strategy(generation_mode=mode)

        @settings(
            max_examples=n,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
        )
        @given(case=strategy)
        def test(case: Any) -> None:
            if mode is GenerationMode.POSITIVE:
                index = next(positives)
                if index % 4:  # every fourth example keeps hypothesis' own (random) keys
                    turn = index - index // 4 - 1
                    pinned = combinations[turn % len(combinations)]
                    case.path_parameters = {**(case.path_parameters or {}), **pinned}
                    # The first round is a valid request for every combination, so reaching
                    # the success path never depends on what hypothesis drew.
                    first_round = turn < len(combinations)
                    case.body = keys.fix_body(case.body, result.calls, fill_text=first_round)
            call(case)

        test()

    try:
        run(GenerationMode.POSITIVE, examples)
        run(GenerationMode.NEGATIVE, negative)
    except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - reported, not raised
        result.failure = _failure_text(exc, last[0])
    return result


def check(
    examples: int = DEFAULT_EXAMPLES,
    negative: int = DEFAULT_NEGATIVE,
    operations: Sequence[str] | None = None,
    spec_path: Path = OPENAPI3,
    sandbox_factory: Callable[[], Any] | None = None,
) -> Report:
    report = Report("sandbox against the spec (schemathesis)")
    schema = schemathesis.openapi.from_path(str(spec_path))
    if sandbox_factory is None:
        from gototraining.sandbox import Sandbox

        def sandbox_factory() -> Any:
            return Sandbox(seed=0)

    started = time.monotonic()
    total_calls = 0
    with sandbox_factory() as sandbox:
        sandbox.validate = False  # schemathesis is the oracle; see module docstring
        report.lines.append(
            f"sandbox {sandbox.url}; {examples} positive + {negative} negative example(s) "
            "per operation"
        )
        for loaded in schema.get_all_operations():
            if not isinstance(loaded, Ok):
                report.errors.append(f"schemathesis cannot load an operation: {loaded.err()}")
                continue
            operation = loaded.ok()
            op_id = operation.definition.raw.get("operationId", operation.label)
            if operations is not None and op_id not in operations:
                continue
            keys = seed(sandbox)
            result = run_operation(operation, sandbox, keys, examples, negative)
            total_calls += result.calls
            statuses = ", ".join(f"{s}x{n}" for s, n in sorted(result.statuses.items()))
            verdict = "ok" if result.failure is None else "FAILED"
            report.lines.append(f"{op_id:<38} {result.calls:>3} call(s) [{statuses}] {verdict}")
            if result.failure is not None:
                report.errors.append(f"{op_id} ({result.label}):\n    {result.failure}")
    report.lines.append(f"{total_calls} call(s) in {time.monotonic() - started:.1f}s")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--examples", type=int, default=DEFAULT_EXAMPLES)
    parser.add_argument("--negative", type=int, default=DEFAULT_NEGATIVE)
    parser.add_argument("--operation", action="append", help="operationId (repeatable)")
    args = parser.parse_args(argv)
    return finish(check(args.examples, args.negative, args.operation))


if __name__ == "__main__":
    sys.exit(main())
