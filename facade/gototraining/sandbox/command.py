"""``gototraining sandbox`` / ``python -m gototraining.sandbox``: serve until stopped."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """Arguments of the sandbox command."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Run a local GoToTraining API sandbox until Ctrl-C / SIGTERM.",
        epilog="In another shell, 'gototraining sandbox complete TRAINING [--attendance-rate "
        "FRACTION] [--json]' completes a training in the running sandbox (found through "
        "--base-url or GOTO_BASE_URL): its sessions, attendance and recordings appear.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8089, help="port, 0 for a free one (default 8089)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for keys and faults (default 0)")
    parser.add_argument("--rate-limit", type=float, default=None, help="requests/s before 429")
    parser.add_argument(
        "--token", default=None, help="use this access token instead of a generated one"
    )
    parser.add_argument(
        "--no-validate", action="store_true", help="do not check traffic against the spec"
    )
    parser.add_argument(
        "--drift",
        nargs="?",
        const="all",
        default=None,
        metavar="KINDS",
        help="answers stray from the spec like a real API's, seeded by --seed: every kind, or "
        "a comma-separated list of: missing, null, wrong type, empty, padded, unknown enum, "
        "unknown field (wrong_type, unknown-enum, ... work too)",
    )
    parser.add_argument(
        "--drift-rate",
        type=float,
        default=1.0,
        metavar="FRACTION",
        help="with --drift: the share of JSON objects that stray (default 1: every one)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the URL and credentials as one JSON line once listening",
    )
    return parser


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    """Run the sandbox in the foreground; prints the URL and credentials first."""
    args = build_parser(prog).parse_args(argv)
    try:
        from .drift import DriftConfig
        from .server import Sandbox
    except ImportError as exc:
        print(f"the sandbox needs the 'sandbox' extra: pip install 'gototraining[sandbox]' ({exc})")
        return 1
    drift = None
    if args.drift is not None:
        try:
            parsed = DriftConfig.parse(args.drift)
            drift = (
                None
                if parsed is None
                else DriftConfig.parse({"kinds": parsed.kinds, "rate": args.drift_rate})
            )
        except ValueError as exc:
            build_parser(prog).error(str(exc))
    sandbox = Sandbox(
        drift=drift,
        host=args.host,
        port=args.port,
        seed=args.seed,
        rate_limit=args.rate_limit,
        validate=not args.no_validate,
        token=args.token,
    )

    def ready() -> None:
        if args.json:
            info = {
                "url": sandbox.url,
                "root_url": sandbox.root_url,
                "access_token": sandbox.token,
                "organizer_key": sandbox.organizer_key,
                "account_key": sandbox.account_key,
                "co_organizer_keys": sandbox.co_organizer_keys,
                "token_url": sandbox.token_url,
                "client_id": sandbox.client_id,
                "client_secret": sandbox.client_secret,
                "refresh_token": sandbox.refresh_token,
            }
            print(json.dumps(info), flush=True)
            return
        lines = [
            f"GoToTraining sandbox listening on {sandbox.url}",
            f"  access token:   {sandbox.token}",
            f"  organizer key:  {sandbox.organizer_key}",
            f"  account key:    {sandbox.account_key}",
            f"  co-organizers:  {' '.join(sandbox.co_organizer_keys)}",
            f"  OAuth token:    {sandbox.token_url}",
            f"  OAuth client:   {sandbox.client_id} / {sandbox.client_secret}",
            f"  refresh token:  {sandbox.refresh_token}",
            f"  admin:          {sandbox.root_url}/_sandbox/state",
            *(
                [f"  drift:          {', '.join(drift.kinds)} (rate {drift.rate:g})"]
                if drift is not None
                else []
            ),
            "",
            f"export GOTO_BASE_URL={sandbox.url}",
            f"export GOTO_ACCESS_TOKEN={sandbox.token}",
            f"export GOTO_ORGANIZER_KEY={sandbox.organizer_key}",
            "",
            "Press Ctrl-C to stop.",
        ]
        print("\n".join(lines), flush=True)  # flush: callers read this from a pipe

    sandbox.serve_forever(on_ready=ready)
    return 0
