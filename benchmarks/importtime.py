"""Import time of ``gototraining`` vs ``httpx``, each in fresh interpreters.

Every run is a new ``python -c`` process that times the ``import`` statement alone with
``time.perf_counter`` (interpreter start-up is the same for both and would only dilute the
ratio). Runs alternate between the two modules so that machine noise hits both alike.

Two variants: ``plain`` hides ``click``/``rich``/``pygments`` (httpx imports its optional CLI
when they are installed, which a plain ``pip install gototraining`` does not bring; the dev
environment has them through the ``cli`` extra), and ``env`` imports as installed here. The
target is checked on ``plain``: there ``import httpx`` is smallest, so the ratio is strictest.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

MODULES = ("httpx", "gototraining")

_PLAIN = "import sys\nsys.modules.update(click=None, rich=None, pygments=None)\n"
_CODE = (
    "import time, json, sys\n"
    "t0 = time.perf_counter()\n"
    "import {module}\n"
    "t1 = time.perf_counter()\n"
    "print(json.dumps({{'seconds': t1 - t0, 'modules': len(sys.modules)}}))\n"
)


def time_import(module: str, plain: bool = True) -> tuple[float, int]:
    """Seconds to ``import module`` in a fresh interpreter, and the modules loaded then."""
    code = (_PLAIN if plain else "") + _CODE.format(module=module)
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data = json.loads(out)
    return float(data["seconds"]), int(data["modules"])


def measure(runs: int) -> dict[str, dict[str, object]]:
    """``{name: {"values": [...], "min": s, "median": s, "modules": n}}`` where ``name`` is
    the module (plain variant) or ``<module>-env`` (as installed)."""
    names = [*MODULES, *(f"{m}-env" for m in MODULES)]
    values: dict[str, list[float]] = {n: [] for n in names}
    modules: dict[str, int] = {}
    for module in MODULES:  # one untimed run each: warm the OS page cache and .pyc files
        time_import(module)
    for _ in range(runs):
        for name in names:
            module, _, env = name.partition("-")
            seconds, count = time_import(module, plain=not env)
            values[name].append(seconds)
            modules[name] = count
    return {
        m: {
            "values": v,
            "min": min(v),
            "median": statistics.median(v),
            "modules": modules[m],
        }
        for m, v in values.items()
    }
