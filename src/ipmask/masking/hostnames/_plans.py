"""What masking does to one address, worked out once so that its copies in names follow suit.

A plan says, for each octet of an IPv4 address (or each nibble of an IPv6 address), whether
masking keeps it and what it writes instead; the spelling module then rewrites a name's copy
of the address the same way. Plans come from the masker itself (``Masker.mask_ip``), so a name
is never masked differently from its address: style, prefixes and keep networks all agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ipmask.errors import AddressError
from ipmask.masking import _grammar as grammar
from ipmask.masking._cache import Cache, Limits
from ipmask.masking._parse import MAPPED_PREFIX, parse_ipv4, parse_ipv6

if TYPE_CHECKING:
    from ipmask.masking._masker import Masker
    from ipmask.masking._policy import Policy

__all__ = ["BACKWARD", "FORWARD", "IPV6", "Plans", "V4Plan", "V6Plan", "dotted", "octet_changes"]

_IPV4 = re.compile(grammar.IPV4.encode("ascii"))
#: A whole IPv6 address (any RFC 4291 form), for text read out of names.
IPV6 = re.compile(grammar.IPV6.encode("ascii"))


def _orders() -> dict[tuple[int, ...], None]:
    """Octet orders a name may use, by preference: forwards, backwards, then rotations of each
    (``161.pool85-60-238`` is 85.60.238.161 with the last octet moved to the front)."""
    forward, backward = (0, 1, 2, 3), (3, 2, 1, 0)
    out: dict[tuple[int, ...], None] = {forward: None, backward: None}
    for base in (forward, backward):
        for shift in (1, 2, 3):
            out[base[shift:] + base[:shift]] = None
    return out


#: Position in the name -> octet of the address, one tuple per order.
_ORDERS = tuple(_orders())
FORWARD, BACKWARD = _ORDERS[0], _ORDERS[1]


@dataclass(frozen=True)
class V4Plan:
    """An IPv4 address and what masking does to each octet (None: the octet stays)."""

    octets: tuple[int, ...]
    masked: tuple[bytes | None, ...]
    #: The octets as a name may write them (in name order) -> position -> octet.
    orders: dict[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class V6Plan:
    """An IPv6 address, its masked text, and its 32 masked nibbles (hex digit or ``X``)."""

    value: int
    masked: bytes
    nibbles: bytes
    hides: bool


def octet_changes(octets: tuple[int, ...], masked: str) -> tuple[bytes | None, ...]:
    """Per octet, the text masking writes for it, or None where it stays as it was."""
    out: list[bytes | None] = []
    for value, text in zip(octets, masked.split("."), strict=True):
        out.append(None if text.isdigit() and int(text) == value else text.encode("ascii"))
    return tuple(out)


def dotted(octets: tuple[int, ...]) -> str:
    """The dotted-quad text of four octets."""
    return ".".join(map(str, octets))


def _octets(value: int) -> tuple[int, ...]:
    return (value >> 24, (value >> 16) & 255, (value >> 8) & 255, value & 255)


def _nibbles(masked: bytes) -> bytes:
    """The 32 nibbles of a masked IPv6 text: hex digits, ``X`` where the style hides them."""
    if b"X" not in masked:
        return b"%032x" % parse_ipv6(masked)
    # Style x writes all eight groups; a group with an X is always four characters long.
    return b"".join(g if b"X" in g else b"%04x" % int(g, 16) for g in masked.split(b":"))


class Plans:
    """Plans for the addresses of one masker, each worked out once while it recurs."""

    def __init__(self, masker: Masker) -> None:
        self._masker = masker
        self.policy: Policy = masker.policy
        self._plans: Cache[bytes, V4Plan | V6Plan | None] = Cache(self._plan, Limits.NAMES)

    def __call__(self, addr: bytes) -> V4Plan | V6Plan | None:
        """The plan for an address from a pair; None if it is no address."""
        return self._plans[addr]

    def _plan(self, addr: bytes) -> V4Plan | V6Plan | None:
        plan: V4Plan | V6Plan | None = None
        if _IPV4.fullmatch(addr):
            plan = self.v4(_octets(parse_ipv4(addr)))
        elif IPV6.fullmatch(addr):
            value = parse_ipv6(addr)
            # The masker masks a mapped address as the IPv4 address it is, and so do names.
            plan = self.v6(addr) or self.v4(_octets(value & 0xFFFFFFFF))
        return plan

    def v4(self, octets: tuple[int, ...]) -> V4Plan:
        """The plan for an IPv4 address given by its octets."""
        masked = octet_changes(octets, self.mask(dotted(octets)))
        orders: dict[tuple[int, ...], tuple[int, ...]] = {}
        for order in _ORDERS:
            orders.setdefault(tuple(octets[i] for i in order), order)
        return V4Plan(octets, masked, orders)

    def v6(self, addr: bytes) -> V6Plan | None:
        """The plan for an IPv6 address (grammar-checked text); None for an IPv4-mapped one."""
        value = parse_ipv6(addr)
        if value >> 32 == MAPPED_PREFIX:
            return None
        masked = self.mask(addr.decode("ascii")).encode("ascii")
        hides = b"X" in masked or parse_ipv6(masked) != value
        return V6Plan(value, masked, _nibbles(masked), hides)

    def mask(self, address: str) -> str:
        """The address as the masker writes it."""
        try:
            return self._masker.mask_ip(address)
        except AddressError:  # pragma: no cover - callers pass grammar-checked text only
            return address
