"""ipmask: truncate IP addresses in log streams (78.46.198.140 -> 78.46.198.XXX).

>>> import ipmask
>>> ipmask.mask_ip("78.46.198.140")
'78.46.198.XXX'
>>> ipmask.mask_text(b"client=[2a01:4f8:1c17:413b::1]")
b'client=[2a01:4f8:1c1X:XXXX:XXXX:XXXX:XXXX:XXXX]'
>>> ipmask.get_filter(format="combined")(b'78.46.198.140 - - [-] "GET /" 200 5 "-" "Edg/120.0.0.0"')
b'78.46.198.XXX - - [-] "GET /" 200 5 "-" "Edg/120.0.0.0"'

The layers, from the bottom: :mod:`ipmask.masking` (the pure engine), :mod:`ipmask.formats`
(where addresses stand in each log format), :mod:`ipmask.streaming` (reading, writing, the
block loop), :mod:`ipmask.modes` (what the command does), :mod:`ipmask.cli`; beside them the
integrations (:mod:`ipmask.logfilter`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

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
from ipmask.masking import Masker, Policy, Settings, mask_ip, mask_text

if TYPE_CHECKING:
    from ipmask.formats import FORMAT_NAMES, Counts, LineFilter, get_filter

__version__ = "0.1.0"

__all__ = [
    "FORMAT_NAMES",
    "AddressError",
    "BusyError",
    "ConfigError",
    "Counts",
    "DownstreamClosedError",
    "InputError",
    "IpmaskError",
    "LineFilter",
    "Masker",
    "OutputError",
    "Policy",
    "RefusedError",
    "Settings",
    "WorkerError",
    "__version__",
    "get_filter",
    "mask_ip",
    "mask_text",
]

#: Names imported on first use: the formats compile their templates when imported, which a
#: program that only calls mask_text should not pay for at start-up.
_LAZY = dict.fromkeys(("FORMAT_NAMES", "Counts", "LineFilter", "get_filter"), "ipmask.formats")


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ipmask' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
