"""Minimal ``gototraining`` command; its only subcommand is ``sandbox``.

A placeholder until the full CLI lands; keep ``gototraining sandbox`` delegating to
:func:`gototraining.sandbox.command.main`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

USAGE = "usage: gototraining sandbox [--port PORT] [--seed N] [--rate-limit R] [-h]"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gototraining`` script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["sandbox"]:
        from gototraining.sandbox.command import main as sandbox_main

        return sandbox_main(args[1:], prog="gototraining sandbox")
    print(USAGE, file=sys.stderr)
    return 0 if args[:1] in (["-h"], ["--help"]) else 2
