"""``gototraining login|logout|whoami``."""

from __future__ import annotations

import os
import time
import webbrowser
from typing import Annotated

import httpx
import typer
from rich.text import Text

from gototraining import DEFAULT_AUTHORIZE_URL, DEFAULT_BASE_URL, DEFAULT_TOKEN_URL, OAuth2
from gototraining.token_store import StoredTokens

from ..context import UsageError
from ..errors import error_line
from ..login import LoginError, authorize
from ..output import console, plain, print_json
from ..sanitize import printable, without_userinfo
from . import JsonFlag, parse_key, state

__all__ = ["register"]


def login(
    ctx: typer.Context,
    client_id: Annotated[
        str | None,
        typer.Option(
            "--client-id",
            metavar="ID",
            envvar="GOTO_CLIENT_ID",
            show_envvar=True,
            help="OAuth client ID.",
        ),
    ] = None,
    client_secret: Annotated[
        str | None,
        typer.Option(
            "--client-secret",
            metavar="SECRET",
            envvar="GOTO_CLIENT_SECRET",
            show_envvar=True,
            help="OAuth client secret (prefer the environment variable: argv is visible to "
            "other users).",
        ),
    ] = None,
    authorize_url: Annotated[
        str, typer.Option("--authorize-url", metavar="URL", help="Authorization endpoint.")
    ] = DEFAULT_AUTHORIZE_URL,
    token_url: Annotated[
        str, typer.Option("--token-url", metavar="URL", help="Token endpoint.")
    ] = DEFAULT_TOKEN_URL,
    organizer_key: Annotated[
        str | None,
        typer.Option(
            "--organizer-key",
            metavar="KEY",
            help="Organizer key, if the token response does not carry one.",
        ),
    ] = None,
    browser: Annotated[
        bool,
        typer.Option("--browser/--no-browser", help="Open the browser (else only print the URL)."),
    ] = True,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            metavar="SECONDS",
            min=1,
            help="Seconds the whole login may take: the browser's redirect and the token request.",
        ),
    ] = 300.0,
    json: JsonFlag = False,
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
        # A message, not the command's data: stdout stays for --json (and is empty otherwise).
        typer.echo(f"{verb}:\n  {url}", err=True)

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
    if not org:
        typer.echo(
            "warning: the token response named no organizer; pass --organizer-key or set "
            "GOTO_ORGANIZER_KEY",
            err=True,
        )
    if json:
        print_json({"token_store": str(st.store.path), "organizer_key": org})
        return
    typer.echo(printable(f"Logged in. Tokens stored in {st.store.path} (mode 0600)."), err=True)
    if org:
        typer.echo(f"Organizer key: {printable(org)}", err=True)


def logout(ctx: typer.Context, json: JsonFlag = False) -> None:
    """Delete the stored tokens."""
    st = state(ctx)
    removed = st.store.delete()
    if json:
        print_json({"token_store": str(st.store.path), "removed": removed})
    elif removed:
        typer.echo(printable(f"Removed {st.store.path}"), err=True)
    else:
        typer.echo("Not logged in.", err=True)


def whoami(ctx: typer.Context, json: JsonFlag = False) -> None:
    """Where the credentials come from (never prints a token): the library's order."""
    st = state(ctx)
    out = console()

    def line(label: str, value: object) -> None:
        out.print(Text.assemble(f"{label:<15}", plain(value)))

    credentials = st.credentials()
    source = credentials.source
    from_store = source.startswith("token store")
    client_id = credentials.auth.client_id if isinstance(credentials.auth, OAuth2) else None
    organizer = os.environ.get("GOTO_ORGANIZER_KEY") or credentials.organizer_key
    base_url = st.base_url or credentials.base_url
    if base_url is not None:
        base_url = without_userinfo(base_url)  # a password in the URL is a credential
    stored = st.store.load() if from_store else None
    # A stored login is sent only to the API host it was issued for (commands refuse others).
    issued_for = (stored.base_url or DEFAULT_BASE_URL) if stored is not None else None
    elsewhere = (
        issued_for is not None and base_url is not None and _origin(base_url) != _origin(issued_for)
    )
    expires_in = (
        int(stored.expires_at - time.time())
        if stored is not None and stored.expires_at is not None
        else None
    )
    if json:
        document: dict[str, object] = {
            "credentials": "token store" if from_store else "environment",
            "source": source,
            "organizer_key": organizer,
            "base_url": base_url,
        }
        if client_id is not None:
            document["client_id"] = client_id
        if from_store:
            document["token_store"] = str(st.store.path)
            document["access_token_expires_in"] = expires_in
            document["issued_for"] = without_userinfo(issued_for or "")
        print_json(document)
        return
    line("credentials:", source if from_store else f"{source} (environment)")
    if client_id is not None:
        line("OAuth client:", client_id)
    line("organizer key:", organizer or "(not set)")
    line("base URL:", base_url or "(default)")
    if elsewhere:
        line(
            "",
            f"(the stored login is for {without_userinfo(issued_for or '')}: commands refuse "
            "to send its tokens to another host)",
        )
    if stored is not None:
        left = (
            f"expires in {expires_in} s (refreshed automatically)"
            if expires_in is not None
            else "no expiry"
        )
        line("access token:", left)


def _origin(url: str) -> tuple[str, str, int | None]:
    parsed = httpx.URL(url)
    return parsed.scheme, parsed.host, parsed.port


def register(app: typer.Typer) -> None:
    """Add the commands to the root app."""
    app.command()(login)
    app.command()(logout)
    app.command()(whoami)
