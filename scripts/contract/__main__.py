"""Run every contract check, print each report and a summary; exit 1 if any failed.

Run: ``python -m scripts.contract`` (what ``make contract`` does). ``--skip NAME`` skips a check.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable

from scripts.contract import api_snapshot, cassettes, coverage, sandbox_fuzz, spec_lint
from scripts.contract._common import ROOT, Report


def _generated_in_sync() -> Report:
    report = Report("generated code in sync (scripts/regenerate.sh --check)")
    proc = subprocess.run(
        [str(ROOT / "scripts" / "regenerate.sh"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    report.lines.extend(proc.stdout.splitlines())
    if proc.returncode != 0:
        report.lines.extend(proc.stderr.splitlines()[-5:])
        report.errors.append(
            "openapi/openapi3.yaml or generated/ differ from a fresh regeneration: run "
            "scripts/regenerate.sh and commit the result"
        )
    return report


CHECKS: dict[str, Callable[[], Report]] = {
    "spec": spec_lint.check,
    "generated": _generated_in_sync,
    "cassettes": cassettes.check,
    "coverage": coverage.check,
    "api": api_snapshot.check,
    "sandbox": sandbox_fuzz.check,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--skip", action="append", default=[], choices=sorted(CHECKS))
    args = parser.parse_args(argv)
    summary: list[str] = []
    failed = 0
    for name, run in CHECKS.items():
        if name in args.skip:
            summary.append(f"  {name:<10} skipped")
            continue
        started = time.monotonic()
        report = run()
        elapsed = time.monotonic() - started
        print(report.render(), end="\n\n", flush=True)
        verdict = "ok" if report.ok else f"FAILED ({len(report.errors)} error(s))"
        summary.append(f"  {name:<10} {verdict:<22} {elapsed:5.1f}s  {report.title}")
        failed += not report.ok
    print("== contract checks")
    print("\n".join(summary))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
