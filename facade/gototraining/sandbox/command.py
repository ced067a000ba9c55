"""``gototraining sandbox`` / ``python -m gototraining.sandbox``: serve until stopped.

``serve`` is the command; ``gototraining sandbox`` (the CLI's, with the help every command has)
and ``python -m gototraining.sandbox`` (argparse: the ``sandbox`` extra alone is enough) both
call it. What it prints once listening depends on ``output``:

- ``text``: the URL, the credentials and ``export`` lines, for people; serves in the
  foreground until Ctrl-C / SIGTERM.
- ``json``: the same as one JSON line (for programs that start it); foreground too.
- ``env``: only ``export`` lines, for ``eval "$(gototraining sandbox --env)"``: like
  ``ssh-agent -s`` the sandbox goes on in the background (its own session, output discarded)
  and the command returns; ``GOTO_SANDBOX_PID`` is the process to ``kill`` to stop it.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .server import Sandbox

__all__ = ["Output", "build_parser", "export_lines", "main", "serve"]

Output = Literal["text", "json", "env"]

#: Printed by ``text`` output after the credentials (and checked by ``--help``'s tests).
COMPLETE_HINT = (
    "In another shell, 'gototraining sandbox complete TRAINING [--attendance-rate FRACTION] "
    "[--json]' completes a training in the running sandbox (found through --base-url or "
    "GOTO_BASE_URL): its sessions, attendance and recordings appear."
)


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """Arguments of ``python -m gototraining.sandbox``."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Run a local GoToTraining API sandbox until Ctrl-C / SIGTERM.",
        epilog=COMPLETE_HINT,
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
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument(
        "--json",
        action="store_true",
        help="print the URL and credentials as one JSON line once listening",
    )
    shown.add_argument(
        "--env",
        action="store_true",
        help="print only 'export' lines and go on in the background, for "
        'eval "$(... --env)" (stop it with kill $GOTO_SANDBOX_PID)',
    )
    # Internal: the background process of --env (see ``_detach``).
    parser.add_argument("--detached", action="store_true", help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    """``python -m gototraining.sandbox``: parse ``argv`` and ``serve``."""
    args = build_parser(prog).parse_args(argv)
    output: Output = "env" if args.env else "json" if args.json else "text"
    return serve(
        host=args.host,
        port=args.port,
        seed=args.seed,
        rate_limit=args.rate_limit,
        token=args.token,
        validate=not args.no_validate,
        output=output,
        detached=args.detached,
    )


def export_lines(info: dict[str, Any], pid: int | None = None) -> list[str]:
    """The ``export`` lines for a sandbox described by ``info`` (``--json``'s document),
    quoted for a POSIX shell."""
    names = {
        "GOTO_BASE_URL": info["url"],
        "GOTO_ACCESS_TOKEN": info["access_token"],
        "GOTO_ORGANIZER_KEY": info["organizer_key"],
    }
    if pid is not None:
        names["GOTO_SANDBOX_PID"] = str(pid)
    return [f"export {name}={shlex.quote(value)}" for name, value in names.items()]


def _info(sandbox: Sandbox) -> dict[str, Any]:
    return {
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


def _text(sandbox: Sandbox) -> str:
    info = _info(sandbox)
    return "\n".join(
        [
            f"GoToTraining sandbox listening on {sandbox.url}",
            f"  access token:   {sandbox.token}",
            f"  organizer key:  {sandbox.organizer_key}",
            f"  account key:    {sandbox.account_key}",
            f"  co-organizers:  {' '.join(sandbox.co_organizer_keys)}",
            f"  OAuth token:    {sandbox.token_url}",
            f"  OAuth client:   {sandbox.client_id} / {sandbox.client_secret}",
            f"  refresh token:  {sandbox.refresh_token}",
            f"  admin:          {sandbox.root_url}/_sandbox/state",
            "",
            *export_lines(info),
            "",
            "Press Ctrl-C to stop.",
        ]
    )


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8089,
    seed: int = 0,
    rate_limit: float | None = None,
    token: str | None = None,
    validate: bool = True,
    output: Output = "text",
    detached: bool = False,
) -> int:
    """Run the sandbox (in the background for ``output="env"``); returns the exit code."""
    if output == "env":
        return _detach(host, port, seed, rate_limit, token, validate)
    try:
        from .server import Sandbox
    except ImportError as exc:
        sys.stderr.write(
            f"error: the sandbox needs the 'sandbox' extra: pip install 'gototraining[sandbox]' "
            f"({exc})\n"
        )
        return 1
    sandbox = Sandbox(
        host=host, port=port, seed=seed, rate_limit=rate_limit, validate=validate, token=token
    )

    def ready() -> None:
        text = json.dumps(_info(sandbox)) if output == "json" else _text(sandbox)
        print(text, flush=True)  # flush: callers read this from a pipe
        if detached:  # nobody reads our output any more: the pipes must not stay open
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.close(devnull)

    sandbox.serve_forever(on_ready=ready)
    return 0


def _detach(
    host: str, port: int, seed: int, rate_limit: float | None, token: str | None, validate: bool
) -> int:
    """Start the sandbox in a process of its own session that outlives this one, wait until
    it listens, print the ``export`` lines. ``$(...)`` returns once this process exits and
    the child has let go of the pipe (it does once listening)."""
    argv = [sys.executable, "-m", "gototraining.sandbox", "--json", "--detached"]
    argv += ["--host", host, "--port", str(port), "--seed", str(seed)]
    if rate_limit is not None:
        argv += ["--rate-limit", str(rate_limit)]
    if token is not None:
        argv += ["--token", token]
    if not validate:
        argv.append("--no-validate")
    child = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # no SIGINT/SIGHUP from this terminal
    )
    assert child.stdout is not None and child.stderr is not None
    line = child.stdout.readline()
    if not line:  # it stopped before listening (a port in use, a missing extra, ...)
        reason = child.stderr.read().strip().splitlines()
        child.wait()
        sys.stderr.write(
            "error: the sandbox did not start"
            + (f": {reason[-1].removeprefix('error: ')}" if reason else "")
            + "\n"
        )
        return 1
    child.stdout.close()
    child.stderr.close()
    print("\n".join(export_lines(json.loads(line), child.pid)), flush=True)
    return 0
