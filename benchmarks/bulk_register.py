"""``registrants.register_many`` against GoTo's rate limit: does it use the whole limit, and
never exceed it? (``make bench`` rows "register_many at 10 requests/s".)

The setting of the claim: a sandbox that enforces 10 requests/s (``Sandbox(rate_limit=10)``,
429 above it) with 150 ms of latency injected into every API request, and a client with its
default limiter (10 requests/s) registering ``people`` people with the default concurrency.
The sandbox's own records (``Sandbox.requests``: arrival time and status of every request)
give the achieved rate from the server's side: requests after the first, divided by the time
from the first arrival to the last. Targets: at least 0.97 x 10 requests/s, and no 429.

Each flavor runs in a fresh child process (sandbox and client together; at 10 requests/s the
shared interpreter is idle most of the time). Standalone::

    python -m benchmarks.bulk_register [--people 1000] [--flavor async sync]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
#: GoTo's documented limit, enforced by the sandbox and kept by the client.
RATE = 10.0
#: Latency injected into every API request, seconds.
LATENCY = 0.150
#: Achieved rate / RATE must be at least this.
TARGET = 0.97
FLAVORS = ("async", "sync")


def _run(people: int, flavor: str) -> dict[str, Any]:
    """One measurement in this process."""
    from datetime import UTC, datetime, timedelta

    from gototraining import Person
    from gototraining.sandbox import Sandbox

    with Sandbox(rate_limit=RATE, validate=True) as sb:
        with sb.client() as setup:  # unthrottled: the set-up is not measured
            start = datetime.now(UTC) + timedelta(days=30)
            key = setup.trainings.create(
                name="Bench", times=[(start, start + timedelta(hours=1))], time_zone="UTC"
            )
        crowd = [Person(f"p{n}@example.com", "Bench", f"Person{n}") for n in range(people)]
        sb.faults.add(None, latency=LATENCY)
        mark = len(sb.requests)
        options: dict[str, Any] = {"rate_limit": RATE}  # the client's default limiter
        began = time.perf_counter()
        if flavor == "sync":
            with sb.client(**options) as client:
                results = client.registrants.register_many(key, crowd)
        else:

            async def run() -> Any:
                async with sb.async_client(**options) as client:
                    return await client.registrants.register_many(key, crowd)

            results = asyncio.run(run())
        elapsed = time.perf_counter() - began
        records = sb.requests[mark:]
        registered = len(sb.registrants(key))
    outcomes = Counter(r.outcome.value for r in results)
    statuses = Counter(r.status for r in records)
    span = records[-1].received_at - records[0].received_at
    achieved = (len(records) - 1) / span
    return {
        "flavor": flavor,
        "people": people,
        "requests": len(records),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "outcomes": dict(outcomes),
        "registered": registered,
        "server_span_seconds": span,
        "client_seconds": elapsed,
        "achieved_rate": achieved,
        "ratio": achieved / RATE,
        "too_many_requests": statuses.get(429, 0),
        "concurrency": 8,
        "latency_seconds": LATENCY,
        "rate_limit": RATE,
    }


def measure(people: int, flavors: tuple[str, ...] = FLAVORS) -> dict[str, Any]:
    """Each flavor in its own child process; the rows' figures and whether the targets hold."""
    runs: dict[str, Any] = {}
    for flavor in flavors:
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.bulk_register", "--people", str(people),
             "--flavor", flavor, "--json"],
            cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=people + 120,
        ).stdout  # fmt: skip
        run = json.loads(out.strip().splitlines()[-1])
        run["met"] = (
            run["ratio"] >= TARGET
            and run["too_many_requests"] == 0
            and run["registered"] == people
            and run["outcomes"] == {"registered": people}
        )
        runs[flavor] = run
    return {"target": TARGET, "rate_limit": RATE, "latency_seconds": LATENCY, "runs": runs}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--flavor", nargs="+", choices=FLAVORS, default=list(FLAVORS))
    parser.add_argument("--json", action="store_true", help="one run: print its JSON (children)")
    args = parser.parse_args(argv)
    if args.json:
        print(json.dumps(_run(args.people, args.flavor[0])))
        return
    result = measure(args.people, tuple(args.flavor))
    for flavor, run in result["runs"].items():
        print(
            f"{flavor:5} {run['people']:,} people: {run['achieved_rate']:.3f} requests/s "
            f"({run['ratio']:.3f}x of {RATE:g}, target >= {TARGET}), "
            f"429s: {run['too_many_requests']}, registered: {run['registered']:,}, "
            f"{run['client_seconds']:.1f} s -> {'met' if run['met'] else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
