"""Several processes on one account's quota: does the shared limiter keep them within it
together, and use all of it? (``make bench`` rows "shared quota"; the soak and test runs of
``tests/reliability/test_shared_quota_processes.py`` call ``run`` too.)

The setting: a sandbox enforcing 10 requests/s (``Sandbox(rate_limit=10)``, 429 above it)
with 150 ms of latency on every API request, in a process of its own (the *host*); ``processes``
worker processes, each a ``GoToTraining`` client with the default ``rate_limit=10`` registering
its share of ``people`` with ``registrants.register_many`` (default concurrency 8). The workers
start together (each says ``ready`` once its client -- and so its store -- is set up, then all
are told ``go``). Backends:

- ``per-process``: no ``GOTO_RATE_LIMIT_URL``: each worker has its own adaptive limiter (what
  the SDK did before; they find the limit through 429s);
- ``sqlite``: ``GOTO_RATE_LIMIT_URL=sqlite:///<dir>/quota.sqlite3`` (one machine);
- ``redis``: ``GOTO_RATE_LIMIT_URL=redis://...`` (a real ``redis-server``, started here).

Figures from the server's side (``Sandbox.requests``: arrival and status of every request):
the rate of accepted registrations (201s after the first, over the time from the first to the
last), its ratio to the limit, the share of 429s, failures (registrations ``register_many``
reported FAILED), duplicates and people missing on the training. Target for a shared backend:
>= 0.95x, no 429, no failure, no duplicate. And the overhead per request of each backend: an
``acquire`` + ``wait`` on a limiter whose slot is always free (one store transaction), against
the in-process limiter.

Standalone::

    python -m benchmarks.shared_quota [--processes 2 4 8] [--people 400] [--backends ...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import IO, Any

REPO_ROOT = Path(__file__).resolve().parent.parent
#: GoTo's documented limit, enforced by the sandbox and kept by the clients.
RATE = 10.0
#: Latency injected into every API request, seconds.
LATENCY = 0.150
#: Accepted rate / RATE must be at least this with a shared backend.
TARGET = 0.95
BACKENDS = ("per-process", "sqlite", "redis")
#: Bound on how long one run may take (people / RATE + this), so a hang fails instead.
SLACK = 120.0


# -- the host: the sandbox in a process of its own --------------------------------------------


def _host(rate: float, latency: float) -> None:
    """Serve a sandbox; print its coordinates; on ``report`` print what it saw; exit on EOF."""
    from datetime import UTC, datetime, timedelta

    from gototraining.sandbox import Sandbox

    with Sandbox(rate_limit=rate, validate=False) as sb:
        with sb.client() as setup:  # unthrottled: the set-up is not measured
            start = datetime.now(UTC) + timedelta(days=30)
            training = setup.trainings.create(
                name="Shared quota", times=[(start, start + timedelta(hours=1))], time_zone="UTC"
            )
        sb.faults.add(None, latency=latency)
        mark = len(sb.requests)
        print(json.dumps({"url": sb.url, "token": sb.token, "organizer_key": sb.organizer_key,
                          "training": training}), flush=True)  # fmt: skip
        for line in sys.stdin:
            if line.strip() != "report":
                continue
            records = sb.requests[mark:]
            emails = Counter(_email(r).lower() for r in sb.registrants(training))
            print(json.dumps({
                "statuses": dict(Counter(str(r.status) for r in records)),
                "accepted": sorted(r.received_at for r in records if 200 <= r.status < 300),
                "all": sorted(r.received_at for r in records),
                "timeline": [(r.received_at, r.status) for r in records],
                "registrants": dict(emails),
            }), flush=True)  # fmt: skip


def _email(registrant: Any) -> str:
    """A sandbox registrant's email (a JSON object or a model, depending on the version)."""
    email = registrant["email"] if isinstance(registrant, dict) else registrant.email
    return str(email)


# -- a worker: one process of the fleet ---------------------------------------------------------


def _worker(coordinates: str, people_file: str) -> None:
    """Make a client (its limiter, its store), say ``ready``, wait for ``go``, register."""
    from gototraining import GoToTraining, Person, RegistrationOutcome

    where = json.loads(coordinates)
    emails = Path(people_file).read_text().split()
    people = [Person(email, "Shared", f"Quota{n}") for n, email in enumerate(emails)]
    with GoToTraining(
        access_token=where["token"], organizer_key=where["organizer_key"], base_url=where["url"]
    ) as client:
        limiter = client.options.rate_limiter
        print(json.dumps({"ready": type(limiter).__name__}), flush=True)
        if sys.stdin.readline().strip() != "go":
            return
        began = time.monotonic()
        results = client.registrants.register_many(where["training"], people)
        elapsed = time.monotonic() - began
    failed = [r for r in results if r.outcome is RegistrationOutcome.FAILED]
    print(json.dumps({
        "outcomes": dict(Counter(r.outcome.value for r in results)),
        "failures": [repr(r.error)[:300] for r in failed[:5]],
        "seconds": elapsed,
    }), flush=True)  # fmt: skip


# -- one run ---------------------------------------------------------------------------------


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "benchmarks.shared_quota", *args],
        cwd=REPO_ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _line(process: subprocess.Popen[str], what: str) -> dict[str, Any]:
    stdout: IO[str] | None = process.stdout
    assert stdout is not None
    line = stdout.readline()
    if not line:
        stderr = process.stderr.read() if process.stderr else ""
        raise RuntimeError(f"{what} ended without answering:\n{stderr[-3000:]}")
    result: dict[str, Any] = json.loads(line)
    return result


def _rate(times: list[float]) -> float:
    if len(times) < 2 or times[-1] <= times[0]:
        return 0.0
    return (len(times) - 1) / (times[-1] - times[0])


def run(
    backend: str,
    processes: int,
    people: int,
    *,
    redis_url: str | None = None,
    workdir: Path | None = None,
    latency: float = LATENCY,
) -> dict[str, Any]:
    """``processes`` workers register ``people`` people (split evenly) through ``backend``;
    the figures (see the module docstring). ``redis_url``: the server for ``redis`` (its
    database is flushed first)."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}")
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        directory = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("GOTO_")}
        env["GOTO_CONFIG_DIR"] = str(directory / "config")  # never the user's login
        if backend == "sqlite":
            env["GOTO_RATE_LIMIT_URL"] = f"sqlite://{directory / 'quota.sqlite3'}"
        elif backend == "redis":
            if redis_url is None:
                raise ValueError("the redis backend needs redis_url")
            import redis

            with redis.Redis.from_url(redis_url) as flush:
                flush.flushdb()
            env["GOTO_RATE_LIMIT_URL"] = redis_url
        host = _spawn(["host", "--rate", str(RATE), "--latency", str(latency)], env)
        workers: list[subprocess.Popen[str]] = []
        try:
            coordinates = _line(host, "the sandbox host")
            emails = [f"p{n:05d}@example.com" for n in range(people)]
            for index in range(processes):
                share = directory / f"people-{index}.txt"
                share.write_text("\n".join(emails[index::processes]))
                workers.append(_spawn(["worker", json.dumps(coordinates), str(share)], env))
            kinds = {_line(w, "a worker")["ready"] for w in workers}
            for worker in workers:  # together: the fleet starts at once
                assert worker.stdin is not None
                worker.stdin.write("go\n")
                worker.stdin.flush()
            deadline = time.monotonic() + people / RATE + SLACK
            reports = []
            for worker in workers:
                reports.append(_line(worker, "a worker"))
                worker.wait(timeout=max(1.0, deadline - time.monotonic()))
            assert host.stdin is not None
            host.stdin.write("report\n")
            host.stdin.flush()
            seen = _line(host, "the sandbox host")
        finally:
            for process in [*workers, host]:
                if process.stdin:
                    process.stdin.close()
                if process.poll() is None:
                    try:
                        process.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()
    statuses = Counter(seen["statuses"])
    requests = sum(statuses.values())
    outcomes: Counter[str] = Counter()
    for report in reports:
        outcomes.update(report["outcomes"])
    registrants = seen["registrants"]
    accepted_rate = _rate(seen["accepted"])
    result = {
        "backend": backend,
        "processes": processes,
        "people": people,
        "limiters": sorted(kinds),
        "requests": requests,
        "statuses": dict(sorted(statuses.items())),
        "too_many_requests": statuses.get("429", 0),
        "share_429": statuses.get("429", 0) / requests if requests else 0.0,
        "outcomes": dict(outcomes),
        "failures": outcomes.get("failed", 0),
        "failure_examples": [f for report in reports for f in report["failures"]][:5],
        "duplicates": sum(n - 1 for n in registrants.values() if n > 1),
        "missing": people - len(registrants),
        "accepted_rate": accepted_rate,
        "ratio": accepted_rate / RATE,
        "request_rate": _rate(seen["all"]),
        "slowest_worker_seconds": max(r["seconds"] for r in reports),
        "rate_limit": RATE,
        "latency_seconds": latency,
    }
    result["met"] = backend == "per-process" or (
        result["ratio"] >= TARGET
        and result["too_many_requests"] == 0
        and result["failures"] == 0
        and result["duplicates"] == 0
        and result["missing"] == 0
    )
    return result


# -- overhead per request ------------------------------------------------------------------------


def overhead(redis_url: str | None, *, requests: int = 2000) -> dict[str, float]:
    """Seconds per ``acquire`` + ``wait`` of a limiter whose slot is always free: in-process,
    and one store transaction of each shared backend (median of 5 rounds)."""
    import statistics

    from gototraining import RateLimiter

    with tempfile.TemporaryDirectory() as tmp:
        limiters: dict[str, RateLimiter] = {"in-process": RateLimiter(1e6)}
        limiters["sqlite"] = RateLimiter.shared(
            f"sqlite://{Path(tmp) / 'quota.sqlite3'}", account="1", rate=1e6
        )
        if redis_url is not None:
            limiters["redis"] = RateLimiter.shared(redis_url, account="1", rate=1e6)
        figures: dict[str, float] = {}
        for name, limiter in limiters.items():
            rounds = []
            for _ in range(5):
                began = time.perf_counter()
                for _ in range(requests):
                    ticket = limiter.acquire()
                    while ticket.wait() > 0:
                        pass
                rounds.append((time.perf_counter() - began) / requests)
            figures[name] = statistics.median(rounds)
            close = getattr(limiter, "close", None)
            if close is not None:
                close()
    return figures


# -- make bench ----------------------------------------------------------------------------------


def measure(
    processes: tuple[int, ...],
    people: int,
    backends: tuple[str, ...] = BACKENDS,
    *,
    people_at_most: dict[int, int] | None = None,
) -> dict[str, Any]:
    """Every backend for every fleet size (sizes in turn, backends in turn within a size, so
    that load on the machine hits all backends of a size alike), a ``redis-server`` of its own,
    and the overhead figures."""
    from .redis_server import RedisServer

    server = None
    try:
        redis_url = None
        if "redis" in backends:
            server = RedisServer(Path(tempfile.mkdtemp(prefix="bench-redis-"))).start()
            redis_url = server.url
        runs = []
        for n in processes:
            size = (people_at_most or {}).get(n, people)
            for backend in backends:
                runs.append(run(backend, n, size, redis_url=redis_url))
        per_request = overhead(redis_url)
    finally:
        if server is not None:
            server.stop()
    return {
        "target": TARGET,
        "rate_limit": RATE,
        "latency_seconds": LATENCY,
        "runs": runs,
        "overhead_seconds": per_request,
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def describe(run_: dict[str, Any]) -> str:
    return (
        f"{run_['backend']:>11} x{run_['processes']}: {run_['people']} people, "
        f"{run_['accepted_rate']:.3f}/s = {run_['ratio']:.3f}x of {RATE:g}, "
        f"429: {run_['too_many_requests']}/{run_['requests']} ({run_['share_429']:.1%}), "
        f"failures {run_['failures']}, duplicates {run_['duplicates']}, "
        f"missing {run_['missing']} -> {'met' if run_['met'] else 'NOT met'}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    host = sub.add_parser("host")
    host.add_argument("--rate", type=float, default=RATE)
    host.add_argument("--latency", type=float, default=LATENCY)
    worker = sub.add_parser("worker")
    worker.add_argument("coordinates")
    worker.add_argument("people_file")
    parser.add_argument("--processes", type=int, nargs="+", default=[2, 4, 8])
    parser.add_argument("--people", type=int, default=400)
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    parser.add_argument("--json", metavar="FILE", help="write the figures there too")
    args = parser.parse_args(argv)
    if args.command == "host":
        _host(args.rate, args.latency)
        return
    if args.command == "worker":
        _worker(args.coordinates, args.people_file)
        return
    result = measure(tuple(args.processes), args.people, tuple(args.backends))
    for run_ in result["runs"]:
        print(describe(run_))
    for name, seconds in result["overhead_seconds"].items():
        print(f"overhead per request, {name}: {seconds * 1e6:.1f} µs")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
