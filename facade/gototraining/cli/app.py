"""The ``gototraining`` Typer application: global options, error handling, sub-commands."""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from collections.abc import Iterator
from typing import Annotated, Any, TextIO

import typer
from typer.core import TyperGroup

from gototraining import DEFAULT_RATE_LIMIT, AuthenticationError, GoToTrainingError, __version__
from gototraining.token_store import TokenStoreError

from .context import State, UsageError
from .errors import error_line, report
from .helpstyle import Typer
from .redact import redactor
from .sanitize import printable

__all__ = ["app"]


# Click's own exceptions (usage errors, --help exits) must pass through untouched. Recent
# typer versions vendor click, older ones use the click package: find the class via typer.
_CLICK_EXCEPTION: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
)
_PASSTHROUGH: tuple[type[BaseException], ...] = (
    _CLICK_EXCEPTION,
    typer.Exit,
    typer.Abort,
    KeyboardInterrupt,
)


class _Group(TyperGroup):
    """Turns errors raised anywhere below into one ``error:`` line and an exit code: 2 for
    usage errors, token-store problems (and input the facade rejected before sending), 1 for
    API and transport errors and anything unexpected, with the redacted traceback under
    ``--debug``. Every line is redacted and shows API text literally (``printable``).

    Whatever the outcome, a refreshed token set that could not be saved during the command
    is saved once more at the end, or reported (exit 2): never lost silently."""

    def invoke(self, ctx: Any) -> Any:  # ctx: click's Context (vendored or not)
        try:
            result = self._invoke(ctx)
        except BaseException:
            _save_refreshed_tokens(ctx)
            raise
        _save_refreshed_tokens(ctx)
        return result

    def _invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (UsageError, TokenStoreError) as exc:
            error_line(str(exc))
            raise typer.Exit(2) from None
        except GoToTrainingError as exc:
            if isinstance(exc, AuthenticationError) and os.environ.get("GOTO_ACCESS_TOKEN"):
                # The library's advice is for code; on the command line the token is an
                # environment variable, and the stored login refreshes itself.
                exc.hint = (
                    "GOTO_ACCESS_TOKEN was refused (GoTo's access tokens expire after 60 "
                    "minutes): set a new one, or unset it and use 'gototraining login', whose "
                    "tokens are refreshed automatically"
                )
            raise typer.Exit(report(exc, debug=_debug(ctx))) from None
        except _PASSTHROUGH:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug or environment problem: one line, no secrets
            if _debug(ctx):
                import traceback

                trace = redactor("".join(traceback.format_exception(exc)))
                sys.stderr.write(printable(trace, multiline=True))
            error_line(f"{type(exc).__name__}: {exc}")
            if not _debug(ctx):
                sys.stderr.write("(run with --debug for the traceback)\n")
            raise typer.Exit(1) from None


def _save_refreshed_tokens(ctx: Any) -> None:
    state = ctx.find_object(State)
    if state is None:
        return
    try:
        state.save_refreshed_tokens()
    except UsageError as exc:
        error_line(str(exc))
        raise typer.Exit(2) from None


def _debug(ctx: typer.Context) -> bool:
    state = ctx.find_object(State)
    return bool(state and state.debug)


app = Typer(
    name="gototraining",
    cls=_Group,
    help="Schedule and change GoToTraining trainings, register people (in bulk too), export "
    "rosters, read reports and download recordings: the whole API.",
    no_args_is_help=True,
    add_completion=False,
    # Rich's pretty tracebacks print local variables on request and never redact: off.
    pretty_exceptions_enable=False,
    # Plain help: one style for every command, and no parameter types in it (rich help shows
    # "<str>" beside arguments and, in some typer versions, "<bool>" beside flags).
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@contextlib.contextmanager
def drift_warnings_on_stderr() -> Iterator[None]:
    """While a command runs, a ``DriftWarning`` (once per kind of drift: the library says
    each once) is one ``warning:`` line on stderr, like the CLI's other warnings; stdout
    (``--json``) gets none of it."""
    from gototraining import DriftWarning

    with warnings.catch_warnings():
        previous = warnings.showwarning

        def show(
            message: Warning | str,
            category: type[Warning],
            filename: str,
            lineno: int,
            file: TextIO | None = None,
            line: str | None = None,
        ) -> None:
            if issubclass(category, DriftWarning):
                typer.echo(f"warning: {printable(redactor(str(message)))}", err=True)
            else:
                previous(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        warnings.simplefilter("default", DriftWarning)
        yield


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gototraining {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            metavar="URL",
            envvar="GOTO_BASE_URL",
            help="API root, e.g. a sandbox's http://127.0.0.1:8089/G2T/rest "
            "[default: the one stored at login, else GoTo's API]",
            show_envvar=True,
        ),
    ] = None,
    rate_limit: Annotated[
        float,
        typer.Option(
            "--rate-limit",
            metavar="PER_SECOND",
            min=0,
            help="Client-side limit in requests/second (GoTo documents 10); 0 = off.",
        ),
    ] = DEFAULT_RATE_LIMIT,
    rate_limit_url: Annotated[
        str | None,
        typer.Option(
            "--rate-limit-url",
            metavar="URL",
            envvar="GOTO_RATE_LIMIT_URL",
            help="Where the account's quota is shared with other processes: sqlite:// (the "
            "processes of this machine: a private file beside the login), sqlite:///path, "
            "redis://[:password@]host:6379/0 (processes on many machines), memory:// "
            "(this process only). [default: sqlite://]",
            show_envvar=True,
        ),
    ] = None,
    max_queue_wait: Annotated[
        float | None,
        typer.Option(
            "--max-queue-wait",
            metavar="SECONDS",
            min=0,
            help="Give up a request that would wait longer than this for the quota (the "
            "rate limit, a Retry-After) [default: wait as long as it takes; Ctrl-C stops].",
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks (secrets redacted).")
    ] = False,
    strict: Annotated[
        bool | None,
        typer.Option(
            "--strict/--tolerant",
            help="Refuse (--strict) or decode and report (--tolerant) answers that stray from "
            "the API's spec [default: $GOTO_STRICT, else --tolerant]",
            show_default=False,
        ),
    ] = None,
    record_drift: Annotated[
        str | None,
        typer.Option(
            "--record-drift",
            metavar="FILE",
            envvar="GOTO_RECORD_DRIFT",
            help="Append how the API's answers strayed from its spec to FILE (JSON lines), "
            "for 'make apply-drift'.",
            show_envvar=True,
        ),
    ] = None,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            "-v",
            help="Log every API request on stderr: method, path, status, attempt, time, time "
            "queued (no secrets; GOTO_LOG=debug does the same).",
        ),
    ] = False,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = None,
) -> None:
    """Work with GoToTraining from the command line.

    Credentials: GOTO_ACCESS_TOKEN and GOTO_ORGANIZER_KEY from the environment, else the
    tokens stored by 'gototraining login' (refreshed automatically).
    Exit codes: 0 success, 1 API error, 2 usage error.
    """
    if verbose:
        from gototraining import show_logs

        show_logs("debug")
    ctx.obj = State(
        base_url=base_url,
        debug=debug,
        rate_limit=rate_limit or None,
        strict=strict,
        record_drift=record_drift,
        rate_limit_url=rate_limit_url,
        max_queue_wait=max_queue_wait,
    )
    ctx.with_resource(drift_warnings_on_stderr())


def _register() -> None:
    from .commands import auth, organizers, recordings, registrants, reports, sandbox, trainings

    app.add_typer(trainings.app, name="trainings")
    app.add_typer(registrants.app, name="registrants")
    app.add_typer(reports.app, name="reports")
    app.add_typer(recordings.app, name="recordings")
    app.add_typer(organizers.app, name="organizers")
    app.add_typer(sandbox.app, name="sandbox")
    auth.register(app)


_register()
