"""Deferred imports of the generated client's operation modules.

``import gototraining`` must stay cheap (issue 8: <= 1.5x ``import httpx``). Importing any
``gototraining_api.api.*`` module pulls in ``gototraining_api.models`` (every generated model)
and ``gototraining_api.client``, ~13 ms on the benchmark machine, so the resources bind the
operation modules to :class:`LazyModule` stand-ins at import time (type checkers see the real
imports) and the generated client loads on the first API call. After the first attribute
read the value sits in the instance ``__dict__``, so the hot path pays no extra cost.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["LazyModule"]


class LazyModule:
    """Stands in for module ``name`` until an attribute is first read (thread-safe: the
    import system serializes the import; caching the same value twice is harmless)."""

    def __init__(self, name: str) -> None:
        self.__dict__["_lazy_name"] = name

    def __getattr__(self, attr: str) -> Any:
        value = getattr(importlib.import_module(self.__dict__["_lazy_name"]), attr)
        self.__dict__[attr] = value
        return value

    def __repr__(self) -> str:
        return f"<lazy module {self.__dict__['_lazy_name']!r}>"
