"""Import time of ``gototraining`` vs ``httpx``, each in fresh interpreters.

Every run is a new ``python -c`` process that times the ``import`` statement alone with
``time.perf_counter`` (interpreter start-up is the same for both and would only dilute the
ratio). Runs alternate between the two modules so that machine noise hits both alike.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

MODULES = ("httpx", "gototraining")

_CODE = (
    "import time, json, sys\n"
    "t0 = time.perf_counter()\n"
    "import {module}\n"
    "t1 = time.perf_counter()\n"
    "print(json.dumps({{'seconds': t1 - t0, 'modules': len(sys.modules)}}))\n"
)


def time_import(module: str) -> tuple[float, int]:
    """Seconds to ``import module`` in a fresh interpreter, and the modules loaded then."""
    out = subprocess.run(
        [sys.executable, "-c", _CODE.format(module=module)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data = json.loads(out)
    return float(data["seconds"]), int(data["modules"])


def measure(runs: int) -> dict[str, dict[str, object]]:
    """``{module: {"values": [...], "min": s, "median": s, "modules": n}}``."""
    values: dict[str, list[float]] = {m: [] for m in MODULES}
    modules: dict[str, int] = {}
    for module in MODULES:  # one untimed run each: warm the OS page cache and .pyc files
        time_import(module)
    for _ in range(runs):
        for module in MODULES:
            seconds, count = time_import(module)
            values[module].append(seconds)
            modules[module] = count
    return {
        m: {
            "values": v,
            "min": min(v),
            "median": statistics.median(v),
            "modules": modules[m],
        }
        for m, v in values.items()
    }
