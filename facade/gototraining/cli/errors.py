"""How errors reach the user: one readable line, exit code 1 (API) or 2 (usage).

``--debug`` adds the full traceback (with ``__cause__`` chain), passed through the redactor
so that tokens and client secrets never appear even there.
"""

from __future__ import annotations

import http
import sys
import traceback

import httpx

from gototraining import APIError, GoToTrainingError, QueueTimeoutError, ValidationError

from .redact import redactor
from .sanitize import printable

__all__ = ["error_line", "exit_code", "one_line", "report"]


def _path(url: str) -> str:
    """``/G2T/rest/organizers/1/trainings/2`` -> ``/organizers/1/trainings/2``: shorter, and
    the host is in ``--debug`` output anyway."""
    try:
        path = httpx.URL(url).path
    except (httpx.InvalidURL, TypeError, ValueError):
        return url
    return path.split("/G2T/rest", 1)[-1] or path


def one_line(exc: BaseException) -> str:
    """``404 Not Found: training 123 does not exist (GET /organizers/1/trainings/123)``."""
    if isinstance(exc, APIError):
        try:
            phrase = http.HTTPStatus(exc.status).phrase
        except ValueError:
            phrase = "HTTP error"
        message = " ".join(str(exc.message).split())
        # The error code adds nothing when it just repeats the status ("NotFound").
        redundant = (exc.error_code or "").replace("_", "").lower() == phrase.replace(
            " ", ""
        ).lower()
        code = f" [{exc.error_code}]" if exc.error_code and not redundant else ""
        where = f" ({exc.method} {_path(exc.url)})" if exc.method else ""
        incident = f" [incident {exc.incident}]" if exc.incident else ""
        hint = f" -- {exc.hint}" if exc.hint else ""
        text = f"{exc.status} {phrase}: {message}{code}{where}{incident}{hint}"
    elif isinstance(exc, ValidationError):
        text = f"invalid {exc}"
    elif isinstance(exc, QueueTimeoutError):
        text = (
            f"{' '.join(str(exc).split())} -- the quota asked for a longer wait than "
            "--max-queue-wait allows: raise it, or leave it out to wait as long as it takes"
        )
    else:
        text = " ".join(str(exc).split()) or type(exc).__name__
    return printable(redactor(text))


def exit_code(exc: BaseException) -> int:
    """2 for input the facade rejected before sending; 1 for everything the API/transport did."""
    return 2 if isinstance(exc, ValidationError) else 1


def error_line(message: str) -> None:
    """``error: <message>`` on stderr: one line, redacted, API text shown literally."""
    sys.stderr.write(f"error: {printable(redactor(' '.join(message.split())))}\n")


def report(exc: GoToTrainingError, *, debug: bool) -> int:
    """Print ``exc`` (and with ``debug`` its redacted traceback) to stderr; return the exit code."""
    if debug:
        trace = "".join(traceback.format_exception(exc))
        sys.stderr.write(printable(redactor(trace), multiline=True))
    sys.stderr.write(f"error: {one_line(exc)}\n")
    return exit_code(exc)
