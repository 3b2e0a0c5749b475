"""The masking policy: what is kept of each family, how the rest is written, what is exempt."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ipmask.errors import ConfigError
from ipmask.masking import _grammar as grammar
from ipmask.masking._parse import parse_ipv4, parse_ipv6
from ipmask.masking._render import RENDERERS

__all__ = ["NAMED_NETWORKS", "STYLES", "Network", "Policy"]

STYLES = tuple(RENDERERS)

#: Names accepted in ``keep`` besides CIDR text.
NAMED_NETWORKS: dict[str, tuple[str, ...]] = {
    # RFC 1918 and RFC 4193 (unique local addresses).
    "private": ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"),
    # RFC 1122 section 3.2.1.3 and RFC 4291 section 2.5.3.
    "loopback": ("127.0.0.0/8", "::1/128"),
}

_IPV4 = re.compile(grammar.IPV4)
_IPV6 = re.compile(grammar.IPV6)
#: A prefix length: ASCII digits only (str.isdigit also takes "²").
_PREFIX = re.compile(r"[0-9]{1,3}")
#: family -> (address pattern, parser, width in bits)
_FAMILIES = {4: (_IPV4, parse_ipv4, 32), 6: (_IPV6, parse_ipv6, 128)}


@dataclass(frozen=True)
class Network:
    """A network given in ``keep``: its family, first address and prefix length."""

    family: int
    value: int
    prefix: int

    @classmethod
    def parse(cls, text: str) -> Network:
        """Read ``a.b.c.d/n``, ``x::/n`` or a single address; ConfigError if malformed."""
        address, slash, length = text.strip().partition("/")
        family = 6 if ":" in address else 4
        pattern, parse, width = _FAMILIES[family]
        if not pattern.fullmatch(address) or (slash and not _PREFIX.fullmatch(length)):
            raise ConfigError(
                f"{text!r} is not a network; use CIDR such as 198.51.100.0/24 or "
                f"2a01:4f8:1c17::/48, a single address, or one of {', '.join(NAMED_NETWORKS)}",
                setting="keep",
            )
        prefix = int(length) if length else width
        if prefix > width:
            raise ConfigError(
                f"prefix /{prefix} in {text!r} is larger than {width}", setting="keep"
            )
        value = parse(address.encode("ascii"))
        # Host bits set ("192.0.2.1/24") are cleared rather than refused, as most tools do.
        return cls(family, value >> (width - prefix) << (width - prefix), prefix)

    def contains(self, family: int, value: int) -> bool:
        """Whether an address of ``family`` with ``value`` lies in this network."""
        if family != self.family:
            return False
        shift = (32 if family == 4 else 128) - self.prefix
        return value >> shift == self.value >> shift


def _check_prefix(name: str, value: object, width: int, step: int, style: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{value!r} is not a whole number of bits (0 to {width})", setting=name)
    if not 0 <= value <= width:
        raise ConfigError(f"{value} is out of range; use 0 to {width} bits", setting=name)
    if style == "x" and value % step:
        raise ConfigError(
            f"{value} is not a multiple of {step}, which style 'x' needs "
            f"(it hides whole {'octets' if width == 32 else 'hex digits'}); "
            f"use a multiple of {step} or style 'zero'",
            setting=name,
        )
    return value


@dataclass(frozen=True)
class Policy:
    """Validated masking settings. Build it with :meth:`create`."""

    ipv4_prefix: int = 24
    ipv6_prefix: int = 44
    style: str = "x"
    keep: tuple[Network, ...] = ()

    @classmethod
    def create(
        cls,
        ipv4_prefix: int = 24,
        ipv6_prefix: int = 44,
        style: str = "x",
        keep: Iterable[str] = (),
    ) -> Policy:
        """Validate the settings; raise ConfigError saying what is wrong and what is allowed."""
        if style not in RENDERERS:
            raise ConfigError(
                f"{style!r} is unknown; use one of {', '.join(STYLES)}", setting="style"
            )
        if isinstance(keep, (str, bytes)):
            raise ConfigError("give a list of networks, not a single string", setting="keep")
        networks: list[Network] = []
        for entry in keep:
            if not isinstance(entry, str):
                raise ConfigError(f"{entry!r} is not a string", setting="keep")
            names = NAMED_NETWORKS.get(entry.strip().lower(), (entry,))
            networks += map(Network.parse, names)
        return cls(
            _check_prefix("ipv4_prefix", ipv4_prefix, 32, 8, style),
            _check_prefix("ipv6_prefix", ipv6_prefix, 128, 4, style),
            style,
            tuple(networks),
        )

    def keeps(self, family: int, value: int) -> bool:
        """Whether the address is in a keep network and must stay as written."""
        return any(network.contains(family, value) for network in self.keep)
