"""What gototraining's pytest plugin costs a project that never requests its fixture.

pytest loads every ``pytest11`` entry point into every run, so this cost lands on everyone who
installs gototraining. Two measurements, each in fresh interpreters, runs alternating:

- ``load``: the import of the entry point's module alone, timed inside a process that has
  already imported pytest and looked the entry point up (what pytest does before loading it);
  also reports which heavy modules that import brought in (none is the design);
- ``run-on`` / ``run-off``: the wall time of a whole ``pytest`` run of a one-test project with
  the plugin loaded and with ``-p no:gototraining``; their difference is the per-run cost, but it
  sits in the noise of a ~0.5 s process start, which is why ``load`` is the figure to judge.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

#: The target: loading the plugin must cost a project that never uses it less than this.
LOAD_TARGET_SECONDS = 0.020
#: Top-level modules whose import by the plugin would mean it is not lazy.
HEAVY = ("gototraining", "gototraining_api", "httpx", "attrs", "uvicorn", "starlette", "yaml")

_LOAD = (
    "import importlib.metadata, json, sys, time\n"
    "import pytest\n"
    "[ep] = [e for e in importlib.metadata.entry_points(group='pytest11')"
    " if e.name == 'gototraining']\n"
    "before = set(sys.modules)\n"
    "t0 = time.perf_counter()\n"
    "ep.load()\n"
    "t1 = time.perf_counter()\n"
    "new = sorted(set(sys.modules) - before)\n"
    "print(json.dumps({'seconds': t1 - t0, 'new_modules': new}))\n"
)


def time_load() -> tuple[float, list[str]]:
    """Seconds to import the plugin module, and the modules that import added."""
    out = subprocess.run(
        [sys.executable, "-c", _LOAD], check=True, capture_output=True, text=True
    ).stdout
    data = json.loads(out)
    return float(data["seconds"]), list(data["new_modules"])


def time_run(project: str, *, plugin: bool) -> float:
    """Wall seconds of ``pytest -q`` on ``project`` with the plugin loaded or disabled."""
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    if not plugin:
        args += ["-p", "no:gototraining"]
    t0 = time.perf_counter()
    subprocess.run(args, cwd=project, check=True, capture_output=True)
    return time.perf_counter() - t0


def _stats(values: list[float]) -> dict[str, Any]:
    return {"values": values, "min": min(values), "median": statistics.median(values)}


def measure(runs: int) -> dict[str, Any]:
    """``{"load": {...}, "run-on": {...}, "run-off": {...}, "heavy_modules": [...]}``."""
    load: list[float] = []
    run_on: list[float] = []
    run_off: list[float] = []
    new_modules: list[str] = []
    with tempfile.TemporaryDirectory(prefix="plugin-bench-") as project:
        with open(os.path.join(project, "test_nothing.py"), "w", encoding="utf-8") as f:
            f.write("def test_nothing() -> None:\n    pass\n")
        time_load()  # untimed: warm the page cache and .pyc files
        time_run(project, plugin=True)
        for i in range(runs):
            seconds, new_modules = time_load()
            load.append(seconds)
            order = (True, False) if i % 2 == 0 else (False, True)
            for plugin in order:
                (run_on if plugin else run_off).append(time_run(project, plugin=plugin))
    heavy = sorted(m for m in new_modules if m.partition(".")[0] in HEAVY)
    return {
        "load": _stats(load),
        "run-on": _stats(run_on),
        "run-off": _stats(run_off),
        "new_modules": new_modules,
        "heavy_modules": heavy,
        "target_seconds": LOAD_TARGET_SECONDS,
    }
