"""Small shared types."""

from __future__ import annotations

from typing import Final, TypeAlias

import httpx

__all__ = ["NOT_GIVEN", "NotGiven", "TimeoutTypes"]


class NotGiven:
    """Sentinel type for "argument not passed" where ``None`` means something (no timeout).

    Use the ``NOT_GIVEN`` instance; test with ``isinstance(x, NotGiven)``.
    """

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> bool:
        return False


NOT_GIVEN: Final = NotGiven()

#: A timeout: seconds, an ``httpx.Timeout`` for connect/read/write/pool, or ``None`` for none.
TimeoutTypes: TypeAlias = float | httpx.Timeout | None
