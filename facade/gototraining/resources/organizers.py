"""``client.organizers``: account-level organizer listing (deprecated upstream)."""

from __future__ import annotations

import builtins
import warnings
from typing import TYPE_CHECKING

from .. import _models as m
from .._lazy import LazyModule
from .._operation import operation
from .._transport import Call, decode_json
from .._types import NOT_GIVEN, NotGiven, TimeoutTypes
from ._base import AsyncResource, Key, SyncResource, mirror_docs, path_key

if TYPE_CHECKING:  # the generated client loads on first use (see .._lazy)
    from gototraining_api.api.organizers import get_all_organisers
else:  # wire models are imported inside the builders that use them
    get_all_organisers = LazyModule("gototraining_api.api.organizers.get_all_organisers")

__all__ = ["AsyncOrganizers", "Organizers"]

_DEPRECATED = (
    "organizers.list_for_account() uses GoToTraining's deprecated 'get all organizers' operation; "
    "GoTo recommends the Admin API's 'Get all users' instead"
)


def _list_for_account(
    account_key: Key, timeout: TimeoutTypes | NotGiven
) -> Call[list[m.Organizer]]:
    kwargs = get_all_organisers._get_kwargs(path_key(account_key, "account_key"))
    # stacklevel 3: builder <- public method <- the user's line
    warnings.warn(_DEPRECATED, DeprecationWarning, stacklevel=3)
    return Call("getAllOrganisers", kwargs, decode_json(m.decode_organizers), timeout)


class Organizers(SyncResource):
    """Organizers of an account (``client.organizers``)."""

    @operation("getAllOrganisers")
    def list_for_account(
        self, account_key: Key, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN
    ) -> builtins.list[m.Organizer]:
        """All organizers of an account.

        Deprecated upstream: emits ``DeprecationWarning`` (GoTo points to the Admin API).
        """
        return self._request(_list_for_account(account_key, timeout))


@mirror_docs(Organizers)
class AsyncOrganizers(AsyncResource):
    @operation("getAllOrganisers")
    async def list_for_account(
        self, account_key: Key, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN
    ) -> builtins.list[m.Organizer]:
        return await self._request(_list_for_account(account_key, timeout))
