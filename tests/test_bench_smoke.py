"""Smoke run of the benchmark harness (``make bench``) with tiny counts: it must still work.

Not a timing test: it only checks that ``python -m benchmarks --smoke`` runs end to end
(loopback server, pyperf suite, import timing, peak-RSS children) and writes a well-formed
result for every contender.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

from gototraining.sandbox.spec import default_spec

from benchmarks.contenders import GROUPS, contenders, facade_available
from benchmarks.payloads import (
    ORGANIZER_KEY,
    registrant_created,
    registrants,
    training,
)

REPO_ROOT = Path(__file__).resolve().parent.parent


def _positive(x: object) -> bool:
    return isinstance(x, int | float) and math.isfinite(x) and x > 0


def test_canned_payloads_are_spec_valid() -> None:
    spec = default_spec()
    spec.check_response("getTraining", 200, "application/json", b"x", training())
    spec.check_response("registerForTraining", 201, "application/json", b"x", registrant_created(1))
    spec.check_response("getRegistrants", 200, "application/json", b"x", registrants(50))
    assert ORGANIZER_KEY > 0


def test_harness_smoke_run(tmp_path: Path) -> None:
    out = tmp_path / "smoke.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--output", str(out)],
        check=False,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "| Benchmark |" in proc.stdout
    doc = json.loads(out.read_text())

    expected = {c.name for c in contenders(facade_available())}
    assert expected >= {"percall-httpx", "percall-generated", "bulk-httpx", "decode-json"}
    assert set(doc["timed"]) == expected
    for name, entry in doc["timed"].items():
        assert entry["count"] >= 1, name
        assert _positive(entry["min"]) and _positive(entry["median"]), name
        assert entry["min"] <= entry["median"], name

    for module in ("httpx", "gototraining", "httpx-env", "gototraining-env"):
        entry = doc["import"][f"import-{module}"]
        assert _positive(entry["min"]) and _positive(entry["median"]), module

    plugin = doc["plugin"]
    for name in ("load", "run-on", "run-off"):
        assert _positive(plugin[name]["min"]) and _positive(plugin[name]["median"]), name
    assert plugin["heavy_modules"] == [], plugin["new_modules"]

    mem = doc["memory"]
    assert mem["payload_bytes"] > 0
    assert {"json", "generated"} <= set(mem["modes"])
    for mode in mem["modes"].values():
        assert _positive(mem["baseline_peak_rss_bytes"]) and _positive(mode["peak_rss_bytes"])

    ratios = {r["contender"]: r for r in doc["ratios"]}
    for name in expected - {spec["baseline"] for spec in GROUPS.values()}:
        assert _positive(ratios[name]["ratio_median"]) and _positive(ratios[name]["ratio_min"])
    targets = [r for r in doc["ratios"] if "target" in r]
    assert all(isinstance(r["met"], bool) for r in targets)
    if facade_available():
        assert {r["contender"] for r in targets} == {
            "percall-facade",
            "bulk-facade",
            "decode-facade",
            "import-gototraining",
            "plugin-load",
            "cli-import-large",
            "register-many-async",
            "register-many-sync",
            "shared-quota-sqlite-2",
            "shared-quota-redis-2",
        }
    cli = doc["cli_import"]
    for size in (cli["small"], cli["large"]):
        assert _positive(cli["sizes"][str(size)]["rows_per_second_median"]), size
    assert "| CLI import, rows/s (unthrottled sandbox) |" in proc.stdout
    for flavor in ("async", "sync"):
        run = doc["register_many"]["runs"][flavor]
        assert run["registered"] == run["people"] == 30 and run["too_many_requests"] == 0, run
        assert _positive(run["achieved_rate"]) and run["requests"] == 31
    assert "| register_many, 30 people, sandbox at 10 requests/s" in proc.stdout
    quota = doc["shared_quota"]
    assert [(r["backend"], r["processes"]) for r in quota["runs"]] == [
        ("per-process", 2),
        ("sqlite", 2),
        ("redis", 2),
    ]
    for run in quota["runs"]:
        assert run["failures"] == run["duplicates"] == run["missing"] == 0, run
        assert run["outcomes"] == {"registered": 10}, run
    assert set(quota["overhead_seconds"]) == {"in-process", "sqlite", "redis"}
    assert all(_positive(v) for v in quota["overhead_seconds"].values())
    assert "| 2 processes share one quota: 10 people" in proc.stdout


def test_import_gototraining_defers_the_generated_client() -> None:
    """The import-time target relies on this: the generated client, and the HTTP clients and
    httpcore, load on first use."""
    code = (
        "import sys, gototraining\n"
        "bad = [m for m in sys.modules if m.startswith(('gototraining_api', 'gototraining.sandbox',"
        " 'dateutil', 'starlette', 'uvicorn', 'yaml', 'httpcore', 'gototraining._http_client',"
        " 'gototraining._default_client', 'gototraining._generated.default_client'))]\n"
        "assert not bad, bad\n"
        "assert gototraining.DefaultHttpxClient.__name__ == 'DefaultHttpxClient'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)
