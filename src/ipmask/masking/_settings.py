"""The one settings object: what the library, the formats, the logging filter and the command
line are told. A new setting is a new field here; every layer takes a :class:`Settings`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from ipmask.errors import ConfigError
from ipmask.masking._policy import Policy

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["Options", "Settings"]


class Options(TypedDict, total=False):
    """The fields of :class:`Settings` as keywords (``Masker(ipv4_prefix=16)``); a test keeps
    the two in step."""

    ipv4_prefix: int
    ipv6_prefix: int
    style: str
    keep: Sequence[str]
    format: str
    apache_format: str | None
    nginx_format: str | None
    hostnames: bool | None


@dataclass(frozen=True)
class Settings:
    """Validated settings; ConfigError (naming the setting) when one is wrong.

    ``ipv4_prefix``/``ipv6_prefix`` are the leading bits kept, ``style`` is ``x`` or ``zero``,
    ``keep`` lists networks written unchanged (CIDR, single addresses, ``private``,
    ``loopback``). ``format`` names the log format (one of ``ipmask.formats.FORMAT_NAMES``,
    checked when a filter is made), or ``apache_format``/``nginx_format`` gives a template;
    ``hostnames`` says whether host names standing alone are masked too (None: the format's
    default). ``policy`` is the masking part, worked out once.

    >>> Settings(ipv4_prefix=16).replace(style="zero").policy.ipv4_prefix
    16
    """

    ipv4_prefix: int = 24
    ipv6_prefix: int = 44
    style: str = "x"
    keep: Sequence[str] = ()
    format: str = "any"
    apache_format: str | None = None
    nginx_format: str | None = None
    hostnames: bool | None = None
    policy: Policy = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keep: object = self.keep
        if isinstance(keep, (str, bytes)):
            raise ConfigError("give a list of networks, not a single string", setting="keep")
        try:
            keep = tuple(keep)  # type: ignore[arg-type]
        except TypeError:
            raise ConfigError(f"{keep!r} is not a list of networks", setting="keep") from None
        object.__setattr__(self, "keep", keep)
        if not isinstance(self.format, str):
            raise ConfigError(f"{self.format!r} is not a format name", setting="format")
        for name in ("apache_format", "nginx_format"):
            if not isinstance(getattr(self, name), (str, type(None))):
                raise ConfigError(f"{getattr(self, name)!r} is not a template", setting=name)
        if not isinstance(self.hostnames, (bool, type(None))):
            raise ConfigError(f"{self.hostnames!r} is not True, False or None", setting="hostnames")
        policy = Policy.create(self.ipv4_prefix, self.ipv6_prefix, self.style, keep)
        object.__setattr__(self, "policy", policy)

    def replace(self, **changes: Unpack[Options]) -> Settings:
        """A copy with ``changes`` applied (and validated)."""
        return dataclasses.replace(self, **changes)
