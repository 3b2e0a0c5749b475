"""One error hierarchy; the type tells whose fault it was.

::

    IpmaskError
    ├── ConfigError          the settings are wrong (the caller's or the operator's fault)
    ├── AddressError         mask_ip() was given something that is no address (the caller's)
    ├── InputError           an input cannot be opened, read or decompressed
    │   └── RefusedError     a file --in-place will not rewrite (a link, a device, ...)
    │       └── BusyError    a file that was written to while it was being rewritten
    ├── OutputError          the output cannot be opened or written
    │   └── DownstreamClosedError   whoever reads the output has gone away
    └── WorkerError          a --jobs worker process died

Log content never raises any of these: bad bytes are passed on, not refused.
"""

from __future__ import annotations

__all__ = [
    "AddressError",
    "BusyError",
    "ConfigError",
    "DownstreamClosedError",
    "InputError",
    "IpmaskError",
    "OutputError",
    "RefusedError",
    "WorkerError",
]


class IpmaskError(Exception):
    """Base of every error ipmask raises on purpose."""


class ConfigError(IpmaskError, ValueError):
    """A setting is wrong: a prefix, a style, a keep entry, a format or a template.

    ``setting`` names the setting as :class:`ipmask.Settings` does (``ipv4_prefix``), or is
    None for a problem of several settings together; ``reason`` says what is wrong and what is
    allowed. ``str()`` gives both, so a library user sees which setting it was, and the
    command line can name its own option or environment variable instead.
    """

    def __init__(self, reason: str, *, setting: str | None = None) -> None:
        super().__init__(f"{setting}: {reason}" if setting else reason)
        self.reason = reason
        self.setting = setting


class AddressError(IpmaskError, ValueError):
    """A single address was asked for (``mask_ip``), and the text given is not one."""


class InputError(IpmaskError):
    """An input could not be opened, read or decompressed; the message names it."""


class RefusedError(InputError):
    """A path ``--in-place`` will not rewrite (a link, a device, a hard-linked file...)."""


class BusyError(RefusedError):
    """The file was written to while it was being rewritten."""


class OutputError(IpmaskError):
    """The output cannot be opened or written; the message names it and says why."""


class DownstreamClosedError(OutputError):
    """Whoever reads our output has gone (EPIPE): stop quietly."""


class WorkerError(IpmaskError):
    """A ``--jobs`` worker process died before it had masked its range."""
