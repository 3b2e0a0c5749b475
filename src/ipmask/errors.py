"""One error hierarchy; the type tells whose fault it was."""

from __future__ import annotations

__all__ = ["AddressError", "ConfigError", "IpmaskError"]


class IpmaskError(Exception):
    """Base of every error ipmask raises on purpose."""


class ConfigError(IpmaskError, ValueError):
    """A setting is wrong: a prefix, a style, a keep entry, a format or a template.

    The message says what is wrong and what is allowed. Log content never raises this.
    """


class AddressError(IpmaskError, ValueError):
    """A single address was asked for (``mask_ip``), and the text given is not one."""
