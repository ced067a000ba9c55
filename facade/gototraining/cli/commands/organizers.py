"""``gototraining organizers list``: the account's organizers (an operation GoTo deprecated)."""

from __future__ import annotations

import warnings
from typing import Annotated

import typer

from ..output import console, organizers_table, print_json
from . import JsonFlag, new_app, parse_key, state

__all__ = ["app"]

app = new_app("Organizers of an account (GoTo deprecated this operation; see 'list --help').")


@app.command("list")
def list_(
    ctx: typer.Context,
    account: Annotated[
        str, typer.Argument(metavar="ACCOUNT", help="Account key.", show_default=False)
    ],
    json: JsonFlag = False,
) -> None:
    """All organizers of a multi-user account.

    GoTo has deprecated this operation in favour of the Admin API's 'Get all users'; it may
    stop working. A training's own organizers: 'trainings organizers TRAINING'.
    """
    key = parse_key(account, "ACCOUNT")
    with state(ctx).client() as client, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeprecationWarning)
        found = client.organizers.list_for_account(key)
    for warning in caught:  # the facade's DeprecationWarning, said once, on stderr
        typer.echo(f"warning: {warning.message}", err=True)
    if json:
        print_json(found)
        return
    console().print(organizers_table(found, f"{len(found)} organizer(s) of account {key}"))
