"""An idle client meets a burst and one 429: how long until every call is done? (real time)

The multi-tenant workload: an ``AsyncGoToTraining`` with its default limiter (10 requests/s)
makes ``--warmup`` calls, is idle for ``--idle`` seconds, then ``--calls`` concurrent
``trainings.list()`` calls start at once; the first request of the burst is answered 429 with
``Retry-After: --retry-after`` (a sandbox fault; the sandbox itself enforces
``--server-limit`` requests/s). The same burst without the fault is the baseline. Figures: the
burst's duration as a ratio of the baseline, how far it is past ``baseline + Retry-After``, the
server's arrivals per second, and the limiter's rate over time. Not a test: real time, run by
hand before and after a change to the limiter::

    python -m benchmarks.idle_burst [--calls 50] [--latency 0.1] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any


async def _burst(
    *,
    calls: int,
    warmup: int,
    idle: float,
    latency: float,
    retry_after: int | None,
    server_limit: float | None,
    give_up: float,
) -> dict[str, Any]:
    from gototraining.sandbox import Sandbox

    with Sandbox(rate_limit=server_limit) as sb:
        if retry_after is not None:  # the first request after the warm-up (first match wins)
            sb.faults.add(
                "getAllTrainings", statuses=[429], retry_after=retry_after, latency=latency,
                after=warmup, times=1,
            )  # fmt: skip
        if latency:
            sb.faults.add(None, latency=latency)
        async with sb.async_client(rate_limit=10) as client:
            limiter = client.options.rate_limiter
            assert limiter is not None
            for _ in range(warmup):
                await client.trainings.list()
            await asyncio.sleep(idle)
            mark = len(sb.requests)
            rates: list[tuple[float, float]] = []
            finished: list[float] = []
            began = time.monotonic()

            async def one() -> None:
                await client.trainings.list()
                finished.append(time.monotonic() - began)

            async def sample() -> None:
                while True:
                    rates.append((time.monotonic() - began, limiter.current_rate))
                    await asyncio.sleep(0.25)

            sampler = asyncio.create_task(sample())
            tasks = [asyncio.create_task(one()) for _ in range(calls)]
            done, pending = await asyncio.wait(tasks, timeout=give_up)
            elapsed = time.monotonic() - began
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            sampler.cancel()
            errors = [repr(t.exception()) for t in done if t.exception() is not None]
            records = sb.requests[mark:]
    arrivals = [r.received_at - began for r in records]
    lowest = min((rate for _, rate in rates), default=10.0)
    low_at = next(at for at, rate in rates if rate == lowest) if rates else 0.0
    recovered = next((at for at, rate in rates if at > low_at and rate >= 10.0), None)
    per_10s = [sum(1 for a in arrivals if 10 * k <= a < 10 * (k + 1)) for k in range(6)]
    return {
        "calls": calls,
        "done": len(finished),
        "still_waiting": len(pending),
        "errors": errors,
        "seconds": round(max(finished) if not pending else elapsed, 2),
        "requests": len(records),
        "statuses": sorted({r.status for r in records}),
        "lowest_rate": round(lowest, 3),
        "rate_back_at_10_after": None if recovered is None else round(recovered, 1),
        "server_arrivals_per_10s": per_10s,
    }


def measure(
    *,
    calls: int = 50,
    latency: float = 0.0,
    retry_after: int = 3,
    warmup: int = 10,
    idle: float = 5.0,
    server_limit: float | None = 10.0,
    give_up: float = 600.0,
) -> dict[str, Any]:
    """The burst without and with the 429; ratios against the baseline."""
    common: dict[str, Any] = {
        "calls": calls, "warmup": warmup, "idle": idle, "latency": latency,
        "server_limit": server_limit, "give_up": give_up,
    }  # fmt: skip
    baseline = asyncio.run(_burst(retry_after=None, **common))
    faulted = asyncio.run(_burst(retry_after=retry_after, **common))
    bound = baseline["seconds"] + retry_after
    return {
        "setting": {**common, "retry_after": retry_after},
        "baseline": baseline,
        "one_429": faulted,
        "ratio_to_baseline": round(faulted["seconds"] / baseline["seconds"], 2),
        "ratio_to_baseline_plus_retry_after": round(faulted["seconds"] / bound, 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per API request")
    parser.add_argument("--retry-after", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=10, help="calls before the idle gap")
    parser.add_argument("--idle", type=float, default=5.0)
    parser.add_argument("--server-limit", type=float, default=10.0, help="0: no server limit")
    parser.add_argument("--give-up", type=float, default=600.0, help="stop waiting after")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(
        calls=args.calls, latency=args.latency, retry_after=args.retry_after,
        warmup=args.warmup, idle=args.idle, server_limit=args.server_limit or None,
        give_up=args.give_up,
    )  # fmt: skip
    if args.json:
        print(json.dumps(result))
        return
    base, hit = result["baseline"], result["one_429"]
    print(
        f"{args.calls} calls after {args.idle:g} s idle, latency {args.latency:g} s: "
        f"no fault {base['seconds']} s; one 429 (Retry-After {args.retry_after}) "
        f"{hit['seconds']} s ({hit['done']} done, {hit['still_waiting']} still waiting) = "
        f"{result['ratio_to_baseline']}x the baseline, "
        f"{result['ratio_to_baseline_plus_retry_after']}x baseline + Retry-After"
    )
    print(
        f"  limiter: lowest {hit['lowest_rate']}/s, back at 10/s after "
        f"{hit['rate_back_at_10_after']} s; server arrivals per 10 s: "
        f"{hit['server_arrivals_per_10s']}; statuses {hit['statuses']}; errors {hit['errors']}"
    )


if __name__ == "__main__":
    main()
