"""``gototraining sandbox``: the local API sandbox (``gototraining.sandbox.command``), and
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
from ..output import console, plain, print_json
from ..sanitize import printable
from . import JsonFlag, TrainingArg, parse_key, state

__all__ = ["complete_app", "register"]

#: ``sandbox complete``: a command of its own, reached through ``sandbox`` (whose other
#: arguments belong to the server's argparse command).
complete_app = typer.Typer(
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

#: Hosts that are GoTo's own API: admin calls never go there.
_GOTO_HOSTS = frozenset({httpx.URL(DEFAULT_BASE_URL).host, "api.citrixonline.com"})


def sandbox(ctx: typer.Context) -> None:
    """Run a local GoToTraining API sandbox until Ctrl-C; 'sandbox complete TRAINING' completes
    a training in a running one (see 'gototraining sandbox --help')."""
    if ctx.args[:1] == ["complete"]:
        command = typer.main.get_command(complete_app)
        # Not standalone: errors reach the root app's handler (one ``error:`` line); an exit
        # code comes back as the return value.
        code = command.main(
            args=list(ctx.args[1:]),
            prog_name="gototraining sandbox complete",
            obj=state(ctx),
            standalone_mode=False,
        )
        if isinstance(code, int) and code:
            raise typer.Exit(code)
        return
    from gototraining.sandbox.command import main

    raise typer.Exit(main(list(ctx.args), prog="gototraining sandbox"))


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


@complete_app.command()
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
    json: JsonFlag = False,
) -> None:
    """Complete a training in a running sandbox: its sessions take place (attendance and
    recordings appear, the training leaves 'trainings list')."""
    key = parse_key(training, "TRAINING")
    st = state(ctx)
    root = _admin_root(st.base_url)
    try:
        # Nothing is posted to a server that does not say it is a sandbox.
        if _json_body(httpx.get(f"{root}/_sandbox/health", timeout=30.0)) != {"ok": True}:
            _not_a_sandbox(root)
        response = httpx.post(
            f"{root}/_sandbox/trainings/{key}/complete",
            json={"attendance_rate": attendance_rate},
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
    console().print(
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


def register(app: typer.Typer) -> None:
    """Add the command to the root app; every other argument (``--help`` too) goes to
    argparse."""
    app.command(
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
        add_help_option=False,
    )(sandbox)


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
