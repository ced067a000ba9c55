"""Run every benchmark, print one table of ratios, write JSON (``make bench``).

::

    python -m benchmarks [--name latest] [--update-docs] [--smoke]

Steps, all in this one run: start the minimal loopback server (separate process); run the
pyperf suite group by group in several rounds, reversing the contender order every other
round so that drift on a noisy machine hits all contenders alike (pyperf ``--append`` merges
the rounds); time imports and the pytest plugin's load in fresh interpreters; measure peak RSS of decoding 100,000
registrants; then compute min- and median-based ratios against each group's baseline and
check the targets. Then ``registrants import`` throughput at two sizes against a
sandbox in its own process (``benchmarks/cli_import.py``): the large size must keep 0.8x of the
small size's rows/s. Then ``registrants.register_many`` against a sandbox enforcing 10
requests/s with 150 ms of latency (``benchmarks/bulk_register.py``): the achieved rate must be
at least 0.97x of the limit, with no 429. Last, several processes on that one quota
(``benchmarks/shared_quota.py``): 2, 4 and 8 processes through Redis, through SQLite and with a
limiter each, in turn; the shared backends must reach 0.95x of the limit with no 429, failure
or duplicate; and each backend's overhead per request.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Any

import pyperf

from . import bulk_register, cli_import, importtime, memory, plugin, shared_quota
from .contenders import GROUPS, contenders, facade_available
from .server import serve

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS_DIR = os.path.join(REPO_ROOT, "benchmarks", "results")
PERFORMANCE_DOC = os.path.join(REPO_ROOT, "docs", "performance.md")
TABLE_START = "<!-- bench-table:start -->"
TABLE_END = "<!-- bench-table:end -->"

IMPORT_TARGET = 1.5


@dataclass(frozen=True)
class Profile:
    """How much to run: pyperf options per group, rounds, and the non-pyperf sizes."""

    rounds: int
    pyperf: dict[str, list[str]]
    bulk_requests: int
    decode_registrants: int
    import_runs: int
    plugin_runs: int
    memory_registrants: int
    memory_runs: int
    cli_import_rows: tuple[int, int]
    cli_import_runs: int
    register_many_people: int
    shared_quota_processes: tuple[int, ...]
    shared_quota_people: int
    #: People per run for some fleet sizes (8 processes: the issue's 800).
    shared_quota_people_for: tuple[tuple[int, int], ...]


FULL = Profile(
    rounds=4,
    pyperf={
        "percall": ["--processes", "5", "--values", "3", "--warmups", "1"],
        "bulk": ["--processes", "2", "--values", "2", "--warmups", "1", "--loops", "1"],
        "decode": ["--processes", "5", "--values", "3", "--warmups", "1"],
    },
    bulk_requests=1000,
    decode_registrants=10_000,
    import_runs=20,
    plugin_runs=10,
    memory_registrants=100_000,
    memory_runs=3,
    cli_import_rows=(2_000, 20_000),
    cli_import_runs=2,
    register_many_people=1000,
    shared_quota_processes=(2, 4, 8),
    shared_quota_people=400,
    shared_quota_people_for=((8, 800),),
)

# Seconds, not minutes: one worker, one value, one loop per contender; tiny payloads.
SMOKE = Profile(
    rounds=2,
    pyperf={
        g: ["--processes", "1", "--values", "1", "--warmups", "0", "--loops", "1"] for g in GROUPS
    },
    bulk_requests=32,
    decode_registrants=100,
    import_runs=1,
    plugin_runs=1,
    memory_registrants=200,
    memory_runs=1,
    cli_import_rows=(50, 200),
    cli_import_runs=1,
    register_many_people=30,
    shared_quota_processes=(2,),
    shared_quota_people=10,
    shared_quota_people_for=(),
)


def run_suite(
    base_url: str, profile: Profile, out: str, include_facade: bool, quiet: bool
) -> pyperf.BenchmarkSuite:
    """Run the pyperf suite group by group, round by round, appending to ``out``."""
    for group in GROUPS:
        names = [c.name for c in contenders(include_facade) if c.group == group]
        for round_no in range(profile.rounds):
            cmd = [
                sys.executable,
                "-m",
                "benchmarks.suite",
                "--server-url",
                base_url,
                "--only",
                ",".join(names),
                "--bulk-requests",
                str(profile.bulk_requests),
                "--decode-registrants",
                str(profile.decode_registrants),
                "--append",
                out,
                "--quiet",
                *profile.pyperf[group],
            ]
            if round_no % 2:
                cmd.append("--reverse")
            if not include_facade:
                cmd.append("--no-facade")
            subprocess.run(
                cmd,
                check=True,
                cwd=REPO_ROOT,
                stdout=subprocess.DEVNULL if quiet else None,
            )
    return pyperf.BenchmarkSuite.load(out)


def _stats(values: list[float]) -> dict[str, Any]:
    ordered = sorted(values)
    n = len(ordered)
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    return {"min": ordered[0], "median": median, "count": n}


def summarize(
    suite: pyperf.BenchmarkSuite,
    imports: dict[str, dict[str, Any]],
    mem: dict[str, Any],
    plugin_cost: dict[str, Any],
    imports_cli: dict[str, Any],
    bulk: dict[str, Any],
    quota: dict[str, Any],
    profile: Profile,
    include_facade: bool,
) -> dict[str, Any]:
    """The results document (also the source of the printed table)."""
    by_name = {b.get_name(): b for b in suite.get_benchmarks()}
    timed: dict[str, Any] = {}
    for c in contenders(include_facade):
        bench = by_name[c.name]
        timed[c.name] = {
            "group": c.group,
            "label": c.label,
            "unit": "seconds per call"
            if c.group == "percall"
            else "seconds per batch"
            if c.group == "bulk"
            else "seconds per decode",
            **_stats(list(bench.get_values())),
            "runs": bench.get_nrun(),
        }
        if c.group == "bulk":
            timed[c.name]["throughput_max"] = profile.bulk_requests / timed[c.name]["min"]
            timed[c.name]["throughput_median"] = profile.bulk_requests / timed[c.name]["median"]

    ratios: list[dict[str, Any]] = []
    for group, spec in GROUPS.items():
        base = timed[spec["baseline"]]
        target_name, kind, limit = spec["target"]
        for name, entry in timed.items():
            if entry["group"] != group or name == spec["baseline"]:
                continue
            if kind == "throughput":  # contender throughput / baseline throughput
                r_med = base["median"] / entry["median"]
                r_min = base["min"] / entry["min"]
            else:  # contender time / baseline time
                r_med = entry["median"] / base["median"]
                r_min = entry["min"] / base["min"]
            row: dict[str, Any] = {
                "group": group,
                "contender": name,
                "baseline": spec["baseline"],
                "metric": kind,
                "ratio_median": r_med,
                "ratio_min": r_min,
            }
            if name == target_name:
                row["target"] = (">= " if kind == "throughput" else "<= ") + f"{limit}"
                row["met"] = r_med >= limit if kind == "throughput" else r_med <= limit
            ratios.append(row)

    for suffix in ("", "-env"):
        imp_ratio_med = (
            imports[f"gototraining{suffix}"]["median"] / imports[f"httpx{suffix}"]["median"]
        )
        imp_ratio_min = imports[f"gototraining{suffix}"]["min"] / imports[f"httpx{suffix}"]["min"]
        row = {
            "group": "import",
            "contender": f"import-gototraining{suffix}",
            "baseline": f"import-httpx{suffix}",
            "metric": "time",
            "ratio_median": imp_ratio_med,
            "ratio_min": imp_ratio_min,
        }
        if not suffix:
            row["target"] = f"<= {IMPORT_TARGET}"
            row["met"] = imp_ratio_med <= IMPORT_TARGET
        ratios.append(row)
    run_off = plugin_cost["run-off"]
    ratios.append(
        {
            "group": "plugin",
            "contender": "plugin-run-on",
            "baseline": "plugin-run-off",
            "metric": "time",
            "ratio_median": plugin_cost["run-on"]["median"] / run_off["median"],
            "ratio_min": plugin_cost["run-on"]["min"] / run_off["min"],
        }
    )
    load = plugin_cost["load"]
    ratios.append(
        {
            "group": "plugin",
            "contender": "plugin-load",
            "baseline": "import-httpx",
            "metric": "time",
            "ratio_median": load["median"] / imports["httpx"]["median"],
            "ratio_min": load["min"] / imports["httpx"]["min"],
            "target": f"< {plugin_cost['target_seconds'] * 1e3:.0f} ms",
            "met": load["median"] < plugin_cost["target_seconds"]
            and not plugin_cost["heavy_modules"],
        }
    )
    ratios.append(
        {
            "group": "cli-import",
            "contender": "cli-import-large",
            "baseline": "cli-import-small",
            "metric": "throughput",
            "ratio_median": imports_cli["ratio_median"],
            "ratio_min": imports_cli["ratio_max"],  # best runs, as "min" is for times
            "target": f">= {imports_cli['target']}",
            "met": imports_cli["met"],
        }
    )
    for flavor, run in bulk["runs"].items():
        ratios.append(
            {
                "group": "register-many",
                "contender": f"register-many-{flavor}",
                "baseline": "rate-limit",
                "metric": "rate",
                "ratio_median": run["ratio"],
                "ratio_min": run["ratio"],
                "target": f">= {bulk['target']}, no 429",
                "met": run["met"],
            }
        )
    for run in quota["runs"]:
        shared = run["backend"] != "per-process"
        ratios.append(
            {
                "group": "shared-quota",
                "contender": f"shared-quota-{run['backend']}-{run['processes']}",
                "baseline": "rate-limit",
                "metric": "rate",
                "ratio_median": run["ratio"],
                "ratio_min": run["ratio"],
                **(
                    {"target": f">= {quota['target']}, no 429", "met": run["met"]} if shared else {}
                ),
            }
        )
    return {
        "schema": 1,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git_rev": _git_rev(),
        "facade": include_facade,
        "machine": {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
        },
        "config": {
            "rounds": profile.rounds,
            "pyperf_args": profile.pyperf,
            "bulk_requests": profile.bulk_requests,
            "bulk_concurrency": 16,
            "decode_registrants": profile.decode_registrants,
            "import_runs": profile.import_runs,
            "plugin_runs": profile.plugin_runs,
            "memory_registrants": profile.memory_registrants,
            "memory_runs": profile.memory_runs,
            "cli_import_rows": list(profile.cli_import_rows),
            "cli_import_runs": profile.cli_import_runs,
            "register_many_people": profile.register_many_people,
            "shared_quota_processes": list(profile.shared_quota_processes),
            "shared_quota_people": profile.shared_quota_people,
            "shared_quota_people_for": dict(profile.shared_quota_people_for),
            "server": "benchmarks/server.py (httptools + uvloop, separate process, loopback)",
        },
        "timed": timed,
        "import": {f"import-{m}": {k: v for k, v in d.items()} for m, d in imports.items()},
        "memory": mem,
        "plugin": plugin_cost,
        "cli_import": imports_cli,
        "register_many": bulk,
        "shared_quota": quota,
        "ratios": ratios,
    }


def _git_rev() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return out + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return None


def _fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def _fmt_ratio(ratio: float) -> str:
    # Two decimals, except for ratios far below 1 (the plugin load vs an import).
    return f"{ratio:.2f}x" if ratio >= 0.1 else f"{ratio:.2g}x"


def render_table(doc: dict[str, Any]) -> str:
    """The one table of ratios (Markdown)."""
    ratio = {r["contender"]: r for r in doc["ratios"]}
    lines = [
        "| Benchmark | Contender | min | median | ratio (median) | ratio (min) | target | met |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]

    def row(bench: str, label: str, lo: str, med: str, name: str) -> None:
        r = ratio.get(name)
        if r is None:
            lines.append(f"| {bench} | {label} | {lo} | {med} | 1.00 (baseline) | 1.00 | | |")
            return
        met = "" if "met" not in r else ("yes" if r["met"] else "**no**")
        lines.append(
            f"| {bench} | {label} | {lo} | {med} | {_fmt_ratio(r['ratio_median'])} | "
            f"{_fmt_ratio(r['ratio_min'])} | {r.get('target', '')} | {met} |"
        )

    bench_names = {
        "percall": "Per call (sync getTraining)",
        "bulk": "Async bulk, throughput",
        "decode": "Decode 10k registrants",
    }
    for group, spec in GROUPS.items():
        names = [spec["baseline"]] + [
            n for n, e in doc["timed"].items() if e["group"] == group and n != spec["baseline"]
        ]
        for name in names:
            e = doc["timed"][name]
            if group == "bulk":
                lo = f"{e['throughput_median']:,.0f} req/s"
                lo, med = f"{e['throughput_max']:,.0f} req/s (best)", lo
            else:
                lo, med = _fmt_time(e["min"]), _fmt_time(e["median"])
            row(bench_names[group], e["label"], lo, med, name)
    for name, bench in (
        ("httpx", "Import (fresh interpreter, plain install)"),
        ("gototraining", "Import (fresh interpreter, plain install)"),
        ("httpx-env", "Import (as installed here: + click/rich)"),
        ("gototraining-env", "Import (as installed here: + click/rich)"),
    ):
        e = doc["import"][f"import-{name}"]
        row(
            bench,
            f"import {name.removesuffix('-env')}",
            _fmt_time(e["min"]),
            _fmt_time(e["median"]),
            f"import-{name}",
        )
    cost = doc["plugin"]
    bench = "pytest plugin, project not using the fixture (fresh interpreters)"
    for name, label in (
        ("run-off", "pytest run, -p no:gototraining"),
        ("run-on", "pytest run, plugin loaded"),
        ("load", "plugin module load alone (ratio: vs import httpx)"),
    ):
        e = cost[name]
        row(bench, label, _fmt_time(e["min"]), _fmt_time(e["median"]), f"plugin-{name}")
    mem = doc["memory"]
    for mode, label in (
        ("json", "json.loads"),
        ("generated", "generated models"),
        ("facade", "facade models"),
    ):
        m = mem["modes"].get(mode)
        if m is None:
            continue
        # The absolute peak and the part of it the decoding adds over a process that only
        # imports and reads the same body.
        lines.append(
            f"| Peak RSS, decode {mem['registrants']:,} registrants "
            f"({mem['payload_bytes'] / 1e6:.1f} MB JSON) | {label} | | "
            f"{m['peak_rss_bytes'] / 2**20:.0f} MiB (+{m['decode_peak_rss_bytes'] / 2**20:.0f} "
            "MiB over baseline) | | | report | |"
        )
    cli = doc["cli_import"]
    for size, name in ((cli["small"], "cli-import-small"), (cli["large"], "cli-import-large")):
        entry = cli["sizes"][str(size)]
        row(
            "CLI import, rows/s (unthrottled sandbox)",
            f"{size:,} rows",
            f"{entry['rows_per_second_max']:,.0f} rows/s (best)",
            f"{entry['rows_per_second_median']:,.0f} rows/s",
            name,
        )
    bulk = doc["register_many"]
    for flavor, run in bulk["runs"].items():
        client = "AsyncGoToTraining" if flavor == "async" else "GoToTraining"
        row(
            f"register_many, {run['people']:,} people, sandbox at {run['rate_limit']:g} "
            f"requests/s + {run['latency_seconds'] * 1e3:.0f} ms latency (ratio: vs the limit)",
            f"{client}, concurrency {run['concurrency']}",
            f"{run['too_many_requests']} x 429",
            f"{run['achieved_rate']:.2f} requests/s",
            f"register-many-{flavor}",
        )
    quota = doc["shared_quota"]
    for run in quota["runs"]:
        row(
            f"{run['processes']} processes share one quota: {run['people']:,} people, sandbox at "
            f"{run['rate_limit']:g} requests/s + {run['latency_seconds'] * 1e3:.0f} ms latency "
            "(ratio: accepted rate vs the limit)",
            {"per-process": "a limiter each", "sqlite": "SQLite", "redis": "Redis"}[run["backend"]],
            f"{run['too_many_requests']} x 429 ({run['share_429']:.1%}), "
            f"{run['failures']} failed, {run['duplicates']} duplicates",
            f"{run['accepted_rate']:.2f} registrations/s",
            f"shared-quota-{run['backend']}-{run['processes']}",
        )
    base = quota["overhead_seconds"]["in-process"]
    for name, seconds in quota["overhead_seconds"].items():
        lines.append(
            f"| Shared quota, overhead per request (free slot: one store operation) | {name} | | "
            f"{seconds * 1e6:,.0f} µs | {seconds / base:.0f}x | | report | |"
        )
    return "\n".join(lines)


def update_doc(table: str, doc: dict[str, Any]) -> None:
    """Replace the table between the markers in docs/performance.md."""
    with open(PERFORMANCE_DOC, encoding="utf-8") as f:
        text = f.read()
    start, end = text.index(TABLE_START), text.index(TABLE_END)
    stamp = (
        f"<!-- {doc['created']}, git {doc['git_rev']}, Python {doc['machine']['python']}, "
        f"{doc['machine']['cpu_count']} CPUs -->"
    )
    text = text[: start + len(TABLE_START)] + "\n" + stamp + "\n" + table + "\n" + text[end:]
    with open(PERFORMANCE_DOC, "w", encoding="utf-8") as f:
        f.write(text)


def main(argv: list[str] | None = None) -> int:
    """Entry point for ``python -m benchmarks``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="latest", help="results/<name>.json")
    parser.add_argument("--output", help="explicit results path (overrides --name)")
    parser.add_argument("--smoke", action="store_true", help="tiny counts: check the harness")
    parser.add_argument(
        "--update-docs", action="store_true", help="write the table into docs/performance.md"
    )
    parser.add_argument("--no-facade", action="store_true", help="skip the facade contenders")
    parser.add_argument("--rounds", type=int, help="override the number of pyperf rounds")
    args = parser.parse_args(argv)

    profile = SMOKE if args.smoke else FULL
    if args.rounds:
        profile = Profile(**{**profile.__dict__, "rounds": args.rounds})
    include_facade = facade_available() and not args.no_facade
    output = args.output or os.path.join(RESULTS_DIR, f"{args.name}.json")
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        raw = os.path.join(tmp, "pyperf.json")
        with serve(registrants=100) as server:
            suite = run_suite(server.base_url, profile, raw, include_facade, quiet=args.smoke)
        imports = importtime.measure(profile.import_runs)
        plugin_cost = plugin.measure(profile.plugin_runs)
        modes = ("json", "generated", "facade") if include_facade else ("json", "generated")
        mem = memory.measure(profile.memory_registrants, profile.memory_runs, modes)
        imports_cli = cli_import.measure(profile.cli_import_rows, profile.cli_import_runs)
        bulk = bulk_register.measure(profile.register_many_people)
        quota = shared_quota.measure(
            profile.shared_quota_processes,
            profile.shared_quota_people,
            people_at_most=dict(profile.shared_quota_people_for),
        )
        doc = summarize(
            suite, imports, mem, plugin_cost, imports_cli, bulk, quota, profile, include_facade
        )
        with open(raw, encoding="utf-8") as f:
            doc["pyperf_suite"] = json.load(f)

    with open(output, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    table = render_table(doc)
    print(table)
    missed = [r["contender"] for r in doc["ratios"] if r.get("met") is False]
    print(f"\nresults: {os.path.relpath(output, REPO_ROOT)}")
    print("targets: " + ("all met" if not missed else "missed: " + ", ".join(missed)))
    if not include_facade:
        print("note: facade contenders skipped (gototraining.GoToTraining not available)")
    if args.update_docs:
        update_doc(table, doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
