"""``registrants import`` throughput as the import grows: rows/s at a large size against rows/s at
a small one, against an unthrottled sandbox (``make bench`` row "CLI import").

A bulk import must not slow down as it grows (its results file is journaled, not rewritten per
flush: ``gototraining.cli.results``). Both sizes run in the same way, one after the other:

* the sandbox (``python -m gototraining.sandbox``, spec validation on, no rate limit) runs in its
  own process, as it would for a user;
* rounds alternate the order of the sizes (drift on a noisy machine hits both alike);
* each import runs in a fresh child process that first imports the CLI, then times
  ``gototraining.cli.main([... "registrants", "import", ...])`` alone (``--rate-limit 0``, the
  default concurrency of 8, a new training each time, results file on disk), so interpreter
  start-up does not flatter the small size.

Standalone: ``python -m benchmarks.cli_import [--rows 2000 20000] [--runs 1]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
#: rows/s at the large size must be at least this fraction of rows/s at the small size.
TARGET = 0.8


@contextmanager
def sandbox() -> Iterator[dict[str, str]]:
    """A sandbox in its own process; yields the ``GOTO_*`` variables that reach it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "gototraining.sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        env: dict[str, str] = {}
        while "GOTO_ORGANIZER_KEY" not in env:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError("the sandbox did not start")
            if line.startswith("export "):
                name, _, value = line.removeprefix("export ").strip().partition("=")
                env[name] = value
        yield env
    finally:
        proc.terminate()
        proc.wait(60)


def _training(env: dict[str, str]) -> str:
    response = httpx.post(
        f"{env['GOTO_BASE_URL']}/organizers/{env['GOTO_ORGANIZER_KEY']}/trainings",
        headers={"Authorization": f"Bearer {env['GOTO_ACCESS_TOKEN']}"},
        json={
            "name": "Import benchmark",
            "timeZone": "UTC",
            "times": [{"startDate": "2030-01-01T10:00:00Z", "endDate": "2030-01-01T11:00:00Z"}],
        },
        timeout=60,
    )
    response.raise_for_status()
    key: str = response.json()
    return key


def _people(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["email", "given_name", "surname"])
        for i in range(rows):
            writer.writerow([f"person{i:06d}@example.com", f"Given{i}", f"Surname{i}"])


def run_once(env: dict[str, str], rows: int, workdir: Path) -> dict[str, Any]:
    """One import of ``rows`` new people into a new training; its wall time and rows/s."""
    people = workdir / f"people-{rows}.csv"
    _people(people, rows)
    results = workdir / f"people-{rows}.results.csv"
    timing = workdir / "timing.json"
    training = _training(env)
    proc = subprocess.run(
        [
            sys.executable, "-m", "benchmarks.cli_import", "--child", str(timing),
            "--rate-limit", "0", "registrants", "import", training, str(people),
            "--results", str(results), "--no-progress", "--json",
        ],
        env={**os.environ, **env},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"import of {rows} rows failed ({proc.returncode}): {proc.stderr}")
    seconds = float(json.loads(timing.read_text())["seconds"])
    summary = json.loads(proc.stdout)
    if summary["registered"] != rows:
        raise RuntimeError(f"import of {rows} rows registered {summary['registered']}")
    return {"rows": rows, "seconds": seconds, "rows_per_second": rows / seconds}


def measure(sizes: Sequence[int], runs: int) -> dict[str, Any]:
    """rows/s for each size (median of ``runs``) and the ratio largest/smallest."""
    samples: dict[int, list[dict[str, Any]]] = {rows: [] for rows in sizes}
    with sandbox() as env, tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        # Rounds in alternating order, so that drift on a noisy machine hits both sizes alike.
        for round_no in range(runs):
            for rows in sizes if round_no % 2 == 0 else list(reversed(sizes)):
                samples[rows].append(run_once(env, rows, Path(tmp)))
    by_size: dict[str, Any] = {}
    for rows, taken in samples.items():
        rates = [s["rows_per_second"] for s in taken]
        by_size[str(rows)] = {
            "rows": rows,
            "runs": runs,
            "rows_per_second_median": statistics.median(rates),
            "rows_per_second_max": max(rates),
            "seconds": [s["seconds"] for s in taken],
        }
    small, large = by_size[str(min(sizes))], by_size[str(max(sizes))]
    ratio = large["rows_per_second_median"] / small["rows_per_second_median"]
    return {
        "sizes": by_size,
        "small": min(sizes),
        "large": max(sizes),
        "ratio_median": ratio,
        "ratio_max": large["rows_per_second_max"] / small["rows_per_second_max"],
        "target": TARGET,
        "met": ratio >= TARGET,
    }


def _child(timing: str, argv: list[str]) -> int:
    """Import the CLI, then time one ``main(argv)``; the seconds go to ``timing``."""
    from gototraining.cli import main
    from gototraining.cli.app import app  # noqa: F401 - the typer app's import, not timed

    started = time.perf_counter()
    code = main(argv)
    seconds = time.perf_counter() - started
    Path(timing).write_text(json.dumps({"seconds": seconds}))
    return code


def main(argv: list[str] | None = None) -> int:
    """Print rows/s per size and the ratio."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--child"]:
        return _child(args[1], args[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--runs", type=int, default=1)
    options = parser.parse_args(args)
    doc = measure(options.rows, options.runs)
    for size in doc["sizes"].values():
        print(f"{size['rows']:>7,} rows: {size['rows_per_second_median']:,.0f} rows/s")
    verdict = "met" if doc["met"] else "MISSED"
    print(f"ratio {doc['large']:,}/{doc['small']:,}: {doc['ratio_median']:.2f} "
          f"(target >= {TARGET}: {verdict})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
