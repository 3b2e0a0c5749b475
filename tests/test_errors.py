"""ipmask.errors: one hierarchy under IpmaskError, whose type tells whose fault it was."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import ipmask
import ipmask.errors
from ipmask.errors import (
    AddressError,
    BusyError,
    ConfigError,
    DownstreamClosedError,
    InputError,
    IpmaskError,
    OutputError,
    RefusedError,
    WorkerError,
)


def _ipmask_modules() -> list[str]:
    """Every module of the package, except ``__main__`` (importing it runs the command)."""
    found = pkgutil.walk_packages(ipmask.__path__, "ipmask.")
    return sorted(info.name for info in found if not info.name.endswith("__main__"))


def _exception_classes() -> dict[str, type[BaseException]]:
    """Every exception class that ipmask defines, by its qualified name."""
    classes: dict[str, type[BaseException]] = {}
    for name in _ipmask_modules():
        for _, value in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if issubclass(value, BaseException) and value.__module__.startswith("ipmask"):
                classes[f"{value.__module__}.{value.__qualname__}"] = value
    return classes


def test_the_search_finds_the_errors_module_and_others() -> None:
    """The search below looks at ipmask.errors and beyond (so it is not vacuous)."""
    classes = _exception_classes()
    assert {f"ipmask.errors.{name}" for name in ipmask.errors.__all__} <= set(classes)
    assert len(_ipmask_modules()) > 20


def test_every_exception_ipmask_defines_is_an_ipmask_error() -> None:
    """A caller can catch all of ipmask's deliberate errors with one except IpmaskError."""
    classes = _exception_classes()
    assert [name for name, cls in classes.items() if not issubclass(cls, IpmaskError)] == []


def test_ipmask_error_is_an_exception() -> None:
    """IpmaskError is an ordinary Exception, not a BaseException that escapes except Exception."""
    assert IpmaskError.__bases__ == (Exception,)


@pytest.mark.parametrize("name", ipmask.errors.__all__)
def test_package_reexports_each_error(name: str) -> None:
    """Each error of ipmask.errors is offered by ipmask itself, as the same class."""
    assert name in ipmask.__all__
    assert getattr(ipmask, name) is getattr(ipmask.errors, name)


@pytest.mark.parametrize(
    ("error", "parent"),
    [
        (ConfigError, IpmaskError),
        (AddressError, IpmaskError),
        (InputError, IpmaskError),
        (RefusedError, InputError),
        (BusyError, RefusedError),
        (OutputError, IpmaskError),
        (DownstreamClosedError, OutputError),
        (WorkerError, IpmaskError),
    ],
)
def test_each_error_has_its_documented_parent(
    error: type[IpmaskError], parent: type[IpmaskError]
) -> None:
    """The tree of the module's docstring: each error's nearest ipmask parent."""
    nearest = next(base for base in error.__mro__[1:] if issubclass(base, IpmaskError))
    assert nearest is parent


def test_worker_error_is_no_input_error() -> None:
    """A dead --jobs worker is not the input's fault (it used to be an InputError)."""
    assert not issubclass(WorkerError, InputError)


@pytest.mark.parametrize("error", [ConfigError, AddressError])
def test_the_caller_s_mistakes_are_value_errors(error: type[IpmaskError]) -> None:
    """Bad settings and a bad address are ValueErrors, as Python's own bad arguments are."""
    assert issubclass(error, ValueError)


@pytest.mark.parametrize(
    "error",
    [InputError, RefusedError, BusyError, OutputError, DownstreamClosedError, WorkerError],
)
def test_the_other_errors_are_no_value_errors(error: type[IpmaskError]) -> None:
    """What goes wrong with files, pipes and workers is no bad argument."""
    assert not issubclass(error, ValueError)


def test_config_error_names_its_setting() -> None:
    """ConfigError keeps the setting and the reason apart; str() gives "setting: reason"."""
    error = ConfigError("33 is out of range", setting="ipv4_prefix")
    assert (error.setting, error.reason) == ("ipv4_prefix", "33 is out of range")
    assert str(error) == "ipv4_prefix: 33 is out of range"


def test_config_error_without_a_setting_is_its_reason() -> None:
    """A problem of several settings together names none; str() is the reason alone."""
    error = ConfigError("give a format or a template, not both")
    assert error.setting is None
    assert str(error) == "give a format or a template, not both"
