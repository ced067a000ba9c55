"""Load: many concurrent async registrations against the sandbox while 5% of all requests
answer 503 and 1% have their connection reset -- half of each *after* the request was applied
(the response is lost), half before. Afterwards every intended registrant exists exactly once
and nothing else does; every call succeeded and returned the registrant the sandbox holds.

``make test`` runs 500 registrations; ``make soak`` runs 10,000 and prints the figures that
docs/reliability.md quotes.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import pytest
from gototraining import AsyncGoToTraining, GoToTraining, Registration, RetryPolicy

from .helpers import END, START, assert_registered_exactly_once, client_kwargs

#: Fast backoff, and enough retries that 6% faults essentially never exhaust them
#: (P(9 faults in a row) ~ 1e-11 per request).
LOAD_RETRY = RetryPolicy(max_retries=8, backoff_base=0.002, backoff_max=0.05, retry_after_cap=0.05)
CONCURRENCY = 32
PER_TRAINING = 200  # registrants per training (the 409 fallback lists one training's registrants)


def run_load(sb: Any, n: int) -> dict[str, Any]:
    kwargs = client_kwargs(sb)
    with kwargs["http_client"], GoToTraining(**kwargs) as setup:
        trainings = [
            setup.trainings.create(name=f"Load {i}", times=[(START, END)], time_zone="UTC")
            for i in range(max(1, n // PER_TRAINING))
        ]
    wanted = [(trainings[i % len(trainings)], f"person{i:05d}@example.com") for i in range(n)]
    sb.core.clear_logs()
    for apply in (True, False):  # response lost after the request was applied / never applied
        # times: a status fault otherwise fires len(statuses) times only
        sb.faults.add(None, statuses=[503], probability=0.025, apply=apply, times=10**9)
        sb.faults.add(None, reset=True, probability=0.005, apply=apply)

    results: dict[tuple[str, str], Registration] = {}
    failures: list[BaseException] = []

    async def main() -> float:
        akw = client_kwargs(sb, is_async=True, retry_policy=LOAD_RETRY)
        async with akw["http_client"], AsyncGoToTraining(**akw) as client:
            todo = iter(wanted)

            async def worker() -> None:
                for tk, email in todo:
                    try:
                        results[tk, email] = await client.registrants.register(
                            tk, email=email, given_name="Load", surname="Test", if_exists="return"
                        )
                    except Exception as exc:  # noqa: BLE001 - counted and reported
                        failures.append(exc)

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
            return time.perf_counter() - started

    elapsed = asyncio.run(main())
    statuses = Counter((r.method, r.status) for r in sb.requests)
    hits = sum(f.hits for f in sb.faults.list())
    sb.faults.clear()
    stats = {
        "registrations": n,
        "trainings": len(trainings),
        "seconds": round(elapsed, 2),
        "per_second": round(n / elapsed),
        "failures": len(failures),
        "posts": sum(v for (m, _), v in statuses.items() if m == "POST"),
        "list_gets": sum(v for (m, _), v in statuses.items() if m == "GET"),
        "faults_injected": hits,
        "503": statuses["POST", 503] + statuses["GET", 503],
        "resets": statuses["POST", 0] + statuses["GET", 0],
        "409_replays": statuses["POST", 409],
        "created_false": sum(not r.created for r in results.values()),
    }
    stats["retries"] = stats["posts"] + stats["list_gets"] - n - statuses["POST", 409]
    print(f"\n[load] {stats}")

    assert not failures, f"{len(failures)} registrations failed, e.g. {failures[:3]!r}"
    assert stats["faults_injected"] > 0
    by_training: dict[str, list[str]] = {}
    for tk, email in wanted:
        by_training.setdefault(tk, []).append(email)
    for tk, emails in by_training.items():
        assert_registered_exactly_once(sb, tk, emails)
        keys = {r.email: r.registrant_key for r in sb.registrants(tk)}
        for email in emails:
            assert results[tk, email].registrant_key == keys[email]
    return stats


def test_load_500_registrations(sb: Any) -> None:
    stats = run_load(sb, 500)
    assert stats["created_false"] == stats["409_replays"]


@pytest.mark.soak
def test_load_10000_registrations(sb: Any) -> None:
    stats = run_load(sb, 10_000)
    assert stats["created_false"] == stats["409_replays"]
