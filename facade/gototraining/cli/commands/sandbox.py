"""``gototraining sandbox``: the local API sandbox (``gototraining.sandbox.command``)."""

from __future__ import annotations

import typer

__all__ = ["register"]


def sandbox(ctx: typer.Context) -> None:
    """Run a local GoToTraining API sandbox until Ctrl-C (see 'gototraining sandbox --help')."""
    from gototraining.sandbox.command import main

    raise typer.Exit(main(list(ctx.args), prog="gototraining sandbox"))


def register(app: typer.Typer) -> None:
    """Add the command to the root app; every argument (``--help`` too) goes to argparse."""
    app.command(
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
        add_help_option=False,
    )(sandbox)
