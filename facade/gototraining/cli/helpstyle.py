"""One help style across typer versions: an argument shows its metavar, never its type.

typer 0.29 prints an argument's type beside its metavar in help (``TRAINING <str>``) and,
from 0.27 on, braces around required arguments in the usage line (``{TRAINING}``); the CLI's
help shows the metavar alone (``TRAINING``), as click does and as the docs promise. Every
command of the CLI is made by ``Typer.command`` of the ``Typer`` here, whose commands give
their arguments this behaviour.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import typer
from typer.core import TyperArgument, TyperCommand

__all__ = ["Typer"]

F = TypeVar("F", bound=Callable[..., Any])


class _Argument(TyperArgument):
    def display_type_rich(self, ctx: Any) -> str | None:
        """No type beside a metavar (``TRAINING``, not ``TRAINING <str>``)."""
        if self.metavar is not None:
            return None
        shown: str | None = super().display_type_rich(ctx)
        return shown

    def _usage_display_name(self) -> str:
        """``TRAINING`` in the usage line (click's spelling), ``[NAME]`` when optional."""
        name = self.metavar or self.name or ""
        if not self.required:
            name = f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")


class _Command(TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if type(param) is TyperArgument:
                # typer builds its own TyperArgument for every parameter: give it ours.
                param.__class__ = _Argument


class Typer(typer.Typer):
    """``typer.Typer`` whose commands show arguments in the CLI's help style."""

    def command(
        self, *args: Any, cls: type[TyperCommand] | None = None, **kwargs: Any
    ) -> Callable[[F], F]:
        decorator: Callable[[F], F] = super().command(*args, cls=cls or _Command, **kwargs)
        return decorator
