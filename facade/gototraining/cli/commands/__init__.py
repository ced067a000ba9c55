"""The sub-commands, one module per noun; shared argument helpers live here."""

from __future__ import annotations

import typer

from gototraining import ValidationError, validate_key

from ..context import State, UsageError

__all__ = ["parse_key", "state"]


def state(ctx: typer.Context) -> State:
    """The invocation's ``State`` (set by the root callback)."""
    found = ctx.find_object(State)
    if found is None:  # a sub-app invoked on its own (tests): default options
        found = ctx.ensure_object(State)
    return found


def parse_key(value: str, name: str) -> str:
    """A GoTo key from the command line, or a usage error (exit 2) before anything is sent."""
    try:
        return validate_key(value.strip(), name)
    except ValidationError:
        raise UsageError(f"{name} must be a numeric key, got {value!r}") from None
