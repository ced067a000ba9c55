"""Peak RSS of decoding a large getRegistrants body, each decoder in a fresh process.

A child process reads the JSON body from a file, imports everything a decoder needs, and
reports its peak RSS (``VmHWM``); a ``baseline`` child does the same without decoding. The figure is
the difference, i.e. the peak memory the decoding itself adds (with its result alive).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from typing import Any

from . import payloads

MODES = ("baseline", "json", "generated", "facade")


def _decoder(mode: str) -> Callable[[bytes], Any] | None:
    if mode == "baseline":
        return None
    if mode == "json":
        return json.loads
    if mode == "generated":
        from gototraining_api.models import Registrant

        return lambda b: [Registrant.from_dict(d) for d in json.loads(b)]
    from .contenders import facade_registrants_decoder

    return facade_registrants_decoder()


def child(mode: str, path: str) -> None:
    """Run in the child: import, read, decode, print peak RSS (KiB) as JSON."""
    import gototraining  # noqa: F401  - same imports in every mode
    import gototraining_api.models  # noqa: F401

    decode = _decoder(mode)
    # Unbuffered: FileIO.readall allocates the body once (a buffered read() of a large
    # file joins chunks, briefly holding it twice, which would inflate the baseline peak).
    with open(path, "rb", buffering=0) as f:
        body = f.readall()
    count = None
    if decode is not None:
        result = decode(body)
        count = len(result)
    print(json.dumps({"maxrss_kib": _peak_rss_kib(), "count": count}))


def _peak_rss_kib() -> int:
    """This process's peak RSS in KiB.

    Linux: ``VmHWM`` from ``/proc/self/status``. Not ``ru_maxrss``, which Linux carries over
    ``execve``: a child forked from a large parent would report the parent's size.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KiB on Linux, bytes on macOS


def measure(count: int, runs: int, modes: tuple[str, ...]) -> dict[str, Any]:
    """Peak RSS per mode (median of ``runs`` fresh processes) and the delta over baseline."""
    fd, path = tempfile.mkstemp(suffix=".json", prefix="bench-registrants-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payloads.registrants_bytes(count))
        size = os.path.getsize(path)
        peaks: dict[str, list[int]] = {m: [] for m in ("baseline", *modes)}
        repo_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        for _ in range(runs):
            for mode, values in peaks.items():
                out = subprocess.run(
                    [sys.executable, "-m", "benchmarks.memory", mode, path],
                    check=True,
                    capture_output=True,
                    text=True,
                    cwd=repo_root,
                ).stdout
                data = json.loads(out)
                if mode != "baseline" and data["count"] != count:
                    raise AssertionError(f"{mode} decoded {data['count']} of {count}")
                values.append(int(data["maxrss_kib"]) * 1024)
    finally:
        os.unlink(path)
    base = statistics.median(peaks["baseline"])
    return {
        "registrants": count,
        "payload_bytes": size,
        "baseline_peak_rss_bytes": base,
        "modes": {
            m: {
                "peak_rss_bytes": statistics.median(v),
                "decode_peak_rss_bytes": statistics.median(v) - base,
                "values": v,
            }
            for m, v in peaks.items()
            if m != "baseline"
        },
    }


if __name__ == "__main__":
    child(sys.argv[1], sys.argv[2])
