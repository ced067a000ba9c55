"""``@operation("<operationId>")``: which spec operation a facade method calls.

Sets ``__gototraining_operation__`` on the function and returns it unchanged (no wrapper, no
runtime cost). The contract check ``scripts/contract/coverage.py`` reads it to prove that every
spec operation has a sync and an async method.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])

OPERATION_ATTR = "__gototraining_operation__"


def operation(operation_id: str) -> Callable[[F], F]:
    """Mark a facade method as calling the spec operation ``operation_id``."""

    def mark(func: F) -> F:
        setattr(func, OPERATION_ATTR, operation_id)
        return func

    return mark
