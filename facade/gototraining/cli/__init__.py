"""The ``gototraining`` command line (extra ``gototraining[cli]``: typer and rich).

``import gototraining`` never imports this package; only the console script does, and this
module itself imports typer/rich lazily in ``main``, so that a missing extra produces a
one-line hint instead of a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["HINT", "main"]

HINT = "the gototraining command needs the 'cli' extra: pip install 'gototraining[cli]'"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gototraining`` script; returns the exit code.

    0 success, 1 API error, 2 usage error (130 after Ctrl-C in an import).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        import rich  # noqa: F401
        import typer  # noqa: F401
    except ImportError:
        if args[:1] == ["sandbox"] and args[1:2] != ["complete"]:
            # The sandbox server needs only the 'sandbox' extra: its plain argparse command.
            from gototraining.sandbox.command import main as sandbox_main

            return sandbox_main(args[1:], prog="gototraining sandbox")
        print(f"error: {HINT}", file=sys.stderr)
        return 2
    from .app import app

    try:
        app(args=args, prog_name="gototraining", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return 0
        return code if isinstance(code, int) else 1
    return 0
