"""The pyperf script for the timed contenders (per call, async bulk, decoding).

pyperf re-runs this module (``python -m benchmarks.suite``) in worker processes, calibrates
loops, and writes/appends a JSON benchmark suite. Normally started by ``python -m benchmarks``
(``make bench``), which starts the loopback server and passes ``--server-url``.
"""

from __future__ import annotations

import argparse

import pyperf

from .contenders import BULK_CONCURRENCY, BULK_REQUESTS, DECODE_REGISTRANTS, contenders


def _add_cmdline_args(cmd: list[str], args: argparse.Namespace) -> None:
    """Pass our own options on to pyperf's worker processes."""
    cmd.extend(["--server-url", args.server_url])
    cmd.extend(["--bulk-requests", str(args.bulk_requests)])
    cmd.extend(["--bulk-concurrency", str(args.bulk_concurrency)])
    cmd.extend(["--decode-registrants", str(args.decode_registrants)])
    if args.only:
        cmd.extend(["--only", args.only])
    if args.reverse:
        cmd.append("--reverse")
    if args.no_facade:
        cmd.append("--no-facade")


def main() -> None:
    """Run (or, in a worker, serve) the benchmarks."""
    runner = pyperf.Runner(
        program_args=("-m", "benchmarks.suite"), add_cmdline_args=_add_cmdline_args
    )
    parser = runner.argparser
    parser.add_argument("--server-url", required=True)
    parser.add_argument("--bulk-requests", type=int, default=BULK_REQUESTS)
    parser.add_argument("--bulk-concurrency", type=int, default=BULK_CONCURRENCY)
    parser.add_argument("--decode-registrants", type=int, default=DECODE_REGISTRANTS)
    parser.add_argument("--only", default="", help="comma-separated contender names")
    parser.add_argument("--reverse", action="store_true", help="run contenders in reverse order")
    parser.add_argument("--no-facade", action="store_true", help="skip the facade contenders")
    args = runner.parse_args()
    opts = {
        "bulk_requests": args.bulk_requests,
        "bulk_concurrency": args.bulk_concurrency,
        "decode_registrants": args.decode_registrants,
    }
    selected = contenders(include_facade=False if args.no_facade else None)
    if args.only:
        wanted = set(args.only.split(","))
        selected = [c for c in selected if c.name in wanted]
    if args.reverse:
        selected.reverse()
    for contender in selected:
        runner.bench_time_func(
            contender.name,
            contender.make(args.server_url, opts),
            metadata={"description": contender.label, "group": contender.group},
        )


if __name__ == "__main__":
    main()
