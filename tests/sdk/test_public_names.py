"""Public exceptions (and warnings) present the module users import them from, in tracebacks
and reprs of the class, not the private module that defines them."""

from __future__ import annotations

import inspect
import pickle
import traceback
import typing

import gototraining
import pytest
from gototraining import DriftWarning, InvalidPeopleError, MissingFieldError, Person

PUBLIC_CLASSES = [
    value for name in gototraining.__all__ if inspect.isclass(value := getattr(gototraining, name))
]
EXCEPTIONS = [cls for cls in PUBLIC_CLASSES if issubclass(cls, BaseException)]


def test_there_are_exceptions_to_check() -> None:
    assert InvalidPeopleError in EXCEPTIONS and DriftWarning in EXCEPTIONS
    assert len(EXCEPTIONS) > 20


@pytest.mark.parametrize("cls", EXCEPTIONS, ids=lambda cls: cls.__name__)
def test_an_exception_names_the_public_module(cls: type[BaseException]) -> None:
    assert cls.__module__ == "gototraining"
    assert getattr(gototraining, cls.__qualname__) is cls
    assert pickle.loads(pickle.dumps(cls)) is cls


def test_a_traceback_names_the_exception_as_users_import_it() -> None:
    from gototraining._builders.registrants import register_many

    with pytest.raises(InvalidPeopleError) as caught:
        register_many("1", 1, [Person("not an email", "A", "B")])
    line = traceback.format_exception_only(caught.value)[-1]
    assert line.startswith("gototraining.InvalidPeopleError: people"), line


def test_an_exception_with_its_own_reduce_still_pickles() -> None:
    error = MissingFieldError(
        model="Training", field="name", operation="getTraining", path="$.name", kind="missing"
    )
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is MissingFieldError and str(again) == str(error)


@pytest.mark.parametrize("cls", PUBLIC_CLASSES, ids=lambda cls: cls.__name__)
def test_type_hints_of_every_public_class_resolve(cls: type) -> None:
    # __module__ is where get_type_hints looks names up: the reason only exceptions moved
    typing.get_type_hints(cls)
