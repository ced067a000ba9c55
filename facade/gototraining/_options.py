"""``CallOptions``: the per-call options every resource method takes.

Each field is one keyword-only parameter at the end of every public method, sync and async:
``scripts/facade_codegen`` reads this class (annotation and default of each field) when it
prints ``gototraining/resources/``, and every method passes its values here. Adding a per-call
option is therefore one field below (plus what the pipeline does with it) and a regeneration.
"""

from __future__ import annotations

import attrs

from . import _validation as v
from ._types import NOT_GIVEN, NotGiven, TimeoutTypes

__all__ = ["DEFAULT_OPTIONS", "CallOptions"]


def _check_timeout(instance: object, attribute: object, value: object) -> None:
    """Reject a bad per-call ``timeout`` before anything is sent."""
    v.timeout(value)


@attrs.frozen
class CallOptions:
    """Options of one call (validated when the call is made, before any request).

    Attributes:
        timeout: per-call timeout (seconds, an ``httpx.Timeout``, or ``None`` for none);
            ``NOT_GIVEN``: the client's default.
    """

    timeout: TimeoutTypes | NotGiven = attrs.field(default=NOT_GIVEN, validator=_check_timeout)


#: The options of a call made without any.
DEFAULT_OPTIONS = CallOptions()
