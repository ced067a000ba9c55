"""Small shared types."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeAlias

import httpx

__all__ = ["NOT_GIVEN", "Body", "Headers", "NotGiven", "Query", "TimeoutTypes"]


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

#: Extra request headers: names to values.
Headers: TypeAlias = Mapping[str, str]
#: Extra query parameters: names to strings, numbers or bools.
Query: TypeAlias = Mapping[str, str | int | float | bool]
#: Extra fields for a JSON request body (any JSON value each).
Body: TypeAlias = Mapping[str, Any]
