"""``GOTO_LOG``: the SDK's log lines without writing code (as ``OPENAI_LOG`` does for openai).

The package logs to the ``gototraining`` logger and, like any library, adds no handler of its
own: the application decides. ``GOTO_LOG=debug`` (every request: method, path, status,
attempt, time, time queued for the quota) or ``GOTO_LOG=info`` (retries, waits, refreshes)
adds one handler writing to stderr, once, when ``gototraining`` is imported;
``show_logs(level)`` does the same from code (the CLI's ``--verbose``). No record holds a
secret: requests are logged by method and path, never headers or bodies.

Every record of a request also carries its fields as attributes (``extra``), so a JSON
formatter or a per-tenant filter needs no regex: ``operation`` (the spec's operationId),
``method``, ``path_template`` (``/organizers/{organizerKey}/trainings``), ``organizer_key``,
``attempt`` (1 for the first send), ``status`` (``None`` when no answer came), ``elapsed``
(seconds of the round trip, ``None`` when nothing was sent) and ``queued`` (seconds waited
for the quota first); a record announcing a retry adds ``retry_in`` (seconds).
"""

from __future__ import annotations

import logging
import os
import sys

__all__ = ["FORMAT", "LEVELS", "show_logs", "show_logs_from_env"]

#: ``GOTO_LOG`` values and the logger level each sets.
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
FORMAT = "[%(asctime)s %(name)s %(levelname)s] %(message)s"

logger = logging.getLogger("gototraining")


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler ``show_logs`` adds (recognised, so that it is added only once). It writes
    to the ``sys.stderr`` of the moment, whatever replaced it since (a test runner's capture)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def show_logs(level: int | str = logging.DEBUG) -> None:
    """Write the ``gototraining`` logger's records of ``level`` and above to stderr (one handler,
    however often this is called; a later call changes the level)."""
    if isinstance(level, str):
        level = LEVELS[level.strip().lower()]
    logger.setLevel(level)
    if not any(isinstance(h, _Handler) for h in logger.handlers):
        handler = _Handler(sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        logger.addHandler(handler)


def show_logs_from_env() -> None:
    """``show_logs`` at ``GOTO_LOG``'s level when it is ``debug`` or ``info`` (any case)."""
    value = os.environ.get("GOTO_LOG", "").strip().lower()
    if value in LEVELS:
        show_logs(value)
