"""Measure sandbox throughput: keep-alive GET getTraining requests per second on loopback.

Standalone (not part of ``make test``)::

    .venv/bin/python benchmarks/sandbox_throughput.py [--seconds 3]

Prints requests/s for one httpx.Client and for 4 threads sharing one client, with spec
validation on and off. Bounded in time; talks to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import threading
import time

import httpx
from gototraining.sandbox import Sandbox


def _run(client: httpx.Client, path: str, seconds: float, counter: list[int]) -> None:
    deadline = time.perf_counter() + seconds
    done = 0
    while time.perf_counter() < deadline:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"unexpected {response.status_code}: {response.text}")
        done += 1
    counter.append(done)


def measure(validate: bool, threads: int, seconds: float) -> float:
    """Requests/s for ``threads`` threads sharing one keep-alive client."""
    with Sandbox(validate=validate) as sb:
        headers = {"Authorization": f"Bearer {sb.token}"}
        limits = httpx.Limits(max_keepalive_connections=threads, max_connections=threads)
        with httpx.Client(base_url=sb.url, headers=headers, limits=limits) as client:
            created = client.post(
                f"/organizers/{sb.organizer_key}/trainings",
                json={
                    "name": "Benchmark",
                    "timeZone": "Europe/Berlin",
                    "times": [
                        {"startDate": "2030-01-01T10:00:00Z", "endDate": "2030-01-01T11:00:00Z"}
                    ],
                },
            )
            path = f"/organizers/{sb.organizer_key}/trainings/{created.json()}"
            _run(client, path, 0.3, [])  # warm up connections
            counts: list[int] = []
            workers = [
                threading.Thread(target=_run, args=(client, path, seconds, counts))
                for _ in range(threads)
            ]
            start = time.perf_counter()
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            elapsed = time.perf_counter() - start
    return sum(counts) / elapsed


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    for validate in (True, False):
        for threads in (1, 4):
            rate = measure(validate, threads, args.seconds)
            print(f"validate={'on ' if validate else 'off'} threads={threads}: {rate:,.0f} GET/s")


if __name__ == "__main__":
    main()
