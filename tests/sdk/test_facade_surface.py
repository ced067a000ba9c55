"""The public surface: sync and async twins cannot drift; exports and docstrings exist."""

from __future__ import annotations

import inspect

import gototraining
import pytest
from gototraining import AsyncGoToTraining, GoToTraining


def _resources(cls: type) -> dict[str, type]:
    hints = inspect.get_annotations(cls, eval_str=True)
    return {name: tp for name, tp in hints.items() if isinstance(tp, type) and name[0] != "_"}


def _public_methods(cls: type) -> dict[str, object]:
    return {n: f for n, f in inspect.getmembers(cls, inspect.isfunction) if not n.startswith("_")}


SYNC, ASYNC = _resources(GoToTraining), _resources(AsyncGoToTraining)


def test_same_resource_namespaces() -> None:
    assert set(SYNC) == set(ASYNC) >= {"trainings", "registrants", "organizers"}


@pytest.mark.parametrize("resource", sorted(SYNC))
def test_async_twin_has_identical_signatures(resource: str) -> None:
    sync_methods, async_methods = _public_methods(SYNC[resource]), _public_methods(ASYNC[resource])
    assert set(sync_methods) == set(async_methods), resource
    assert sync_methods, f"{resource} has no public methods"
    for name, sync_fn in sync_methods.items():
        async_fn = async_methods[name]
        assert not inspect.iscoroutinefunction(sync_fn), f"{resource}.{name}"
        assert inspect.iscoroutinefunction(async_fn), f"async {resource}.{name} must be async def"
        # The annotations are compared as written (strings; `from __future__ import annotations`):
        # `async def f() -> T` is annotated T, so "modulo Awaitable" is plain equality here.
        assert callable(sync_fn) and callable(async_fn)
        s, a = inspect.signature(sync_fn), inspect.signature(async_fn)
        assert list(s.parameters.values()) == list(a.parameters.values()), f"{resource}.{name}"
        assert s.return_annotation == a.return_annotation, f"{resource}.{name}"
        assert "timeout" in s.parameters, f"{resource}.{name} needs a per-call timeout"
        assert sync_fn.__doc__ and async_fn.__doc__ == sync_fn.__doc__, (
            f"{resource}.{name} docstring"
        )


def test_clients_have_the_same_constructor() -> None:
    s = inspect.signature(GoToTraining.__init__).parameters
    a = inspect.signature(AsyncGoToTraining.__init__).parameters
    assert list(s) == list(a)
    for name in s:
        if name != "http_client":
            assert s[name] == a[name], name


def test_exports_are_documented() -> None:
    for name in gototraining.__all__:
        obj = getattr(gototraining, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert obj.__doc__, f"{name} lacks a docstring"
    assert not any(mod.startswith("gototraining_api") for mod in _leaked_types())


def _leaked_types() -> set[str]:
    """Modules of every type named in the public methods' annotations (generated must not leak)."""
    modules: set[str] = set()
    for resources in (SYNC, ASYNC):
        for cls in resources.values():
            for fn in _public_methods(cls).values():
                for hint in inspect.get_annotations(fn, eval_str=True).values():  # type: ignore[arg-type]
                    for arg in (hint, *getattr(hint, "__args__", ())):
                        modules.add(getattr(arg, "__module__", ""))
    return modules
