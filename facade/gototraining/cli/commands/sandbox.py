"""``gototraining sandbox``: the local API sandbox (``gototraining.sandbox.command.serve``), and
``gototraining sandbox complete``, which completes a training in a running one."""

from __future__ import annotations

import re
from typing import Annotated, Any, NoReturn

import httpx
import typer
from rich.text import Text

from gototraining import DEFAULT_BASE_URL

from ..context import UsageError
from ..errors import error_line
from ..output import err_console, plain, print_json
from ..sanitize import printable
from . import JsonFlag, TrainingArg, new_app, parse_key, state

__all__ = ["app"]

#: Its help is the callback's docstring: the group is a command itself.
app = new_app(None, invoke_without_command=True)

#: Hosts that are GoTo's own API: admin calls never go there.
_GOTO_HOSTS = frozenset({httpx.URL(DEFAULT_BASE_URL).host, "api.citrixonline.com"})


@app.callback()
def sandbox(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", metavar="HOST", help="The interface to listen on.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", metavar="PORT", min=0, help="The port; 0 for a free one.")
    ] = 8089,
    seed: Annotated[
        int, typer.Option("--seed", metavar="N", help="Seed of the keys and of random faults.")
    ] = 0,
    rate_limit: Annotated[
        float | None,
        typer.Option(
            "--rate-limit",
            metavar="PER_SECOND",
            min=0,
            help="Answer 429 above this many requests per second [default: no limit].",
            show_default=False,
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            metavar="TOKEN",
            help="The access token to accept [default: a generated one].",
            show_default=False,
        ),
    ] = None,
    no_validate: Annotated[
        bool, typer.Option("--no-validate", help="Do not check traffic against the spec.")
    ] = False,
    env: Annotated[
        bool,
        typer.Option(
            "--env",
            help="Print only the export lines and go on in the background, for "
            'eval "$(gototraining sandbox --env)"; kill $GOTO_SANDBOX_PID stops it.',
        ),
    ] = False,
    json: Annotated[
        bool,
        typer.Option("--json", help="The URL and credentials as one JSON line on stdout."),
    ] = False,
    drift: Annotated[
        str | None,
        typer.Option(
            "--drift",
            metavar="KINDS",
            help="Answers stray from the spec like a real API's, seeded by --seed: 'all', or "
            "a comma-separated list of: missing, null, wrong type, empty, padded, unknown "
            "enum, unknown field.",
            show_default=False,
        ),
    ] = None,
    drift_rate: Annotated[
        float,
        typer.Option(
            "--drift-rate",
            metavar="FRACTION",
            min=0,
            max=1,
            help="With --drift: the share of JSON objects that stray.",
        ),
    ] = 1.0,
) -> None:
    """Run a local GoToTraining API sandbox until Ctrl-C or SIGTERM.

    Prints its URL, credentials and the export lines that point this command at it. 'sandbox
    complete TRAINING' (in another shell) completes a training in the running sandbox.
    """
    if ctx.invoked_subcommand is not None:
        return
    if env and json:
        raise UsageError("--env and --json both choose what is printed; give one")
    from gototraining.sandbox.command import drift_config, serve

    try:
        drift_config(drift, drift_rate)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    raise typer.Exit(
        serve(
            host=host,
            port=port,
            seed=seed,
            rate_limit=rate_limit,
            token=token,
            validate=not no_validate,
            output="env" if env else "json" if json else "text",
            drift=drift,
            drift_rate=drift_rate,
        )
    )


def _admin_root(base_url: str | None) -> str:
    """The sandbox's root URL (its admin endpoints are there), from the API base URL."""
    if not base_url:
        raise UsageError(
            "sandbox complete needs the sandbox's URL: --base-url or GOTO_BASE_URL "
            "(e.g. http://127.0.0.1:8089/G2T/rest)"
        )
    url = httpx.URL(base_url)
    if url.host in _GOTO_HOSTS:
        raise UsageError(f"{printable(base_url)} is GoTo's API, not a sandbox")
    path = url.path.rstrip("/").removesuffix("/G2T/rest")
    return str(url.copy_with(path=path or "/", query=None, fragment=None)).rstrip("/")


@app.command()
def complete(
    ctx: typer.Context,
    training: TrainingArg,
    attendance_rate: Annotated[
        float,
        typer.Option(
            "--attendance-rate",
            metavar="FRACTION",
            min=0.0,
            max=1.0,
            help="Share of the registrants who attended.",
        ),
    ] = 0.8,
    sessions: Annotated[
        int | None,
        typer.Option(
            "--sessions",
            metavar="N",
            min=1,
            help="Hold only the next N sessions not held yet [default: all of them].",
            show_default=False,
        ),
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Complete a training in a running sandbox: its sessions take place (attendance and
    recordings appear; after the last one the training leaves 'trainings list')."""
    key = parse_key(training, "TRAINING")
    st = state(ctx)
    root = _admin_root(st.base_url)
    try:
        # Nothing is posted to a server that does not say it is a sandbox.
        if _json_body(httpx.get(f"{root}/_sandbox/health", timeout=30.0)) != {"ok": True}:
            _not_a_sandbox(root)
        response = httpx.post(
            f"{root}/_sandbox/trainings/{key}/complete",
            json={"attendance_rate": attendance_rate, "sessions": sessions},
            timeout=30.0,
        )
    except httpx.HTTPError as exc:
        error_line(f"no sandbox answered at {root}: {type(exc).__name__}")
        raise typer.Exit(1) from None
    body = _json_body(response)
    if response.status_code != 200:
        reason = body.get("error") if isinstance(body, dict) else None
        error_line(f"sandbox at {root}: {response.status_code} {reason or response.reason_phrase}")
        raise typer.Exit(1)
    if not (
        isinstance(body, dict)
        and isinstance(body.get("sessions"), list)
        and isinstance(body.get("recordings"), list)
    ):
        _not_a_sandbox(root)
    if json:
        print_json(_as_cli_json(body))
        return
    err_console().print(
        Text.assemble(
            "Completed training ",
            plain(key, "bold"),
            f": {len(body.get('sessions', []))} session(s), "
            f"{len(body.get('recordings', []))} recording(s)",
        )
    )


def _json_body(response: httpx.Response) -> Any:
    """The JSON body of a JSON answer; ``None`` for anything else (HTML, garbage)."""
    if not response.headers.get("content-type", "").startswith("application/json"):
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _not_a_sandbox(root: str) -> NoReturn:
    error_line(
        f"{printable(root)} is not a gototraining sandbox (its /_sandbox/health or its answer "
        "is not the sandbox's): check --base-url / GOTO_BASE_URL"
    )
    raise typer.Exit(1)


def _snake_case(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _as_cli_json(value: Any, name: str = "") -> Any:
    """The sandbox's answer spelled like every other ``--json`` output: snake_case names, and
    keys and ids as strings (a 19-digit number loses digits in JavaScript's JSON)."""
    if isinstance(value, dict):
        return {_snake_case(k): _as_cli_json(v, _snake_case(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_cli_json(item, name) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and name.endswith(("_id", "_key")):
        return str(value)
    return value
