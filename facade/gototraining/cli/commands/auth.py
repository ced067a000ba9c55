"""``gototraining login|logout|whoami``."""

from __future__ import annotations

import os
import time
import webbrowser
from typing import Annotated

import typer
from rich.text import Text

from gototraining import DEFAULT_TOKEN_URL

from ..config import StoredTokens
from ..context import UsageError
from ..errors import error_line
from ..login import DEFAULT_AUTHORIZE_URL, LoginError, authorize
from ..output import console, plain
from ..sanitize import printable
from . import parse_key, state

__all__ = ["register"]


def login(
    ctx: typer.Context,
    client_id: Annotated[
        str | None,
        typer.Option(envvar="GOTO_CLIENT_ID", show_envvar=True, help="OAuth client ID."),
    ] = None,
    client_secret: Annotated[
        str | None,
        typer.Option(
            envvar="GOTO_CLIENT_SECRET",
            show_envvar=True,
            help="OAuth client secret (prefer the environment variable: argv is visible to "
            "other users).",
        ),
    ] = None,
    authorize_url: Annotated[str, typer.Option(help="Authorization endpoint.")] = (
        DEFAULT_AUTHORIZE_URL
    ),
    token_url: Annotated[str, typer.Option(help="Token endpoint.")] = DEFAULT_TOKEN_URL,
    organizer_key: Annotated[
        str | None,
        typer.Option(help="Organizer key, if the token response does not carry one."),
    ] = None,
    browser: Annotated[
        bool, typer.Option(help="Open the browser (else only print the URL).")
    ] = True,
    timeout: Annotated[
        float,
        typer.Option(
            min=1,
            help="Seconds the whole login may take: the browser's redirect and the token request.",
        ),
    ] = 300.0,
) -> None:
    """Log in with OAuth2 in the browser; stores the tokens (mode 0600) for later commands.

    Listens once on http://127.0.0.1:<free port>/callback for the redirect. Register that
    redirect URI (any port) with your OAuth client.
    """
    st = state(ctx)
    if not client_id or not client_secret:
        raise UsageError("login needs --client-id and --client-secret (or GOTO_CLIENT_ID/SECRET)")
    if organizer_key is not None:
        organizer_key = parse_key(organizer_key, "--organizer-key")
    st.store.check_writable()  # not after the user went through the browser

    def announce(url: str) -> None:
        verb = (
            "Opening your browser to log in; if it does not open, visit"
            if browser
            else ("Open this URL in your browser to log in")
        )
        typer.echo(f"{verb}:\n  {url}")

    try:
        tokens = authorize(
            client_id=client_id,
            client_secret=client_secret,
            authorize_url=authorize_url,
            token_url=token_url,
            announce=announce,
            open_browser=webbrowser.open if browser else None,
            timeout=timeout,
        )
    except LoginError as exc:
        error_line(f"login failed: {exc}")
        raise typer.Exit(1) from None
    org = tokens.organizer_key or organizer_key
    st.store.save(
        StoredTokens(
            client_id=client_id,
            client_secret=client_secret,
            token_url=token_url,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            expires_at=tokens.expires_at,
            organizer_key=org,
            base_url=st.base_url,
        )
    )
    typer.echo(printable(f"Logged in. Tokens stored in {st.store.path} (mode 0600)."))
    if org:
        typer.echo(f"Organizer key: {printable(org)}")
    else:
        typer.echo(
            "warning: the token response named no organizer; pass --organizer-key or set "
            "GOTO_ORGANIZER_KEY",
            err=True,
        )


def logout(ctx: typer.Context) -> None:
    """Delete the stored tokens."""
    st = state(ctx)
    if st.store.delete():
        typer.echo(printable(f"Removed {st.store.path}"))
    else:
        typer.echo("Not logged in.")


def whoami(ctx: typer.Context) -> None:
    """Where the credentials come from (never prints a token)."""
    st = state(ctx)
    out = console()

    def line(label: str, value: object) -> None:
        out.print(Text.assemble(f"{label:<15}", plain(value)))

    if os.environ.get("GOTO_ACCESS_TOKEN"):
        line("credentials:", "GOTO_ACCESS_TOKEN (environment)")
        line("organizer key:", os.environ.get("GOTO_ORGANIZER_KEY") or "(not set)")
        line("base URL:", st.base_url or "(default)")
        return
    stored = st.store.load()
    if stored is None:
        raise UsageError("not logged in: run 'gototraining login' or set GOTO_ACCESS_TOKEN")
    left = (
        f"expires in {int(stored.expires_at - time.time())} s (refreshed automatically)"
        if stored.expires_at is not None
        else "no expiry"
    )
    line("credentials:", f"{st.store.path} (OAuth client {stored.client_id})")
    line("organizer key:", os.environ.get("GOTO_ORGANIZER_KEY") or stored.organizer_key or "-")
    line("base URL:", st.base_url or stored.base_url or "(default)")
    line("access token:", left)


def register(app: typer.Typer) -> None:
    """Add the commands to the root app."""
    app.command()(login)
    app.command()(logout)
    app.command()(whoami)
