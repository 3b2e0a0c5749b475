"""Address text to integers, without the ``ipaddress`` module.

These functions trust their input to have passed the grammar already: the scanner only hands
over text that the regular expressions accepted, so they convert and do not validate.
"""

from __future__ import annotations

__all__ = ["MAPPED_PREFIX", "parse_ipv4", "parse_ipv6"]

#: ::ffff:0:0/96 (RFC 4291 section 2.5.5.2), as the value of the top 96 bits.
MAPPED_PREFIX = 0xFFFF


def parse_ipv4(text: bytes) -> int:
    """Return the 32-bit value of a dotted-quad (leading zeros are decimal)."""
    a, b, c, d = text.split(b".")
    return (int(a) << 24) | (int(b) << 16) | (int(c) << 8) | int(d)


def parse_ipv6(text: bytes) -> int:
    """Return the 128-bit value of an RFC 4291 text form (any case, "::", dotted tail)."""
    if b"." in text:
        # Rewrite a dotted tail as the two groups it stands for, then read it as usual.
        head, _, quad = text.rpartition(b":")
        tail_value = parse_ipv4(quad)
        text = head + b":%x:%x" % (tail_value >> 16, tail_value & 0xFFFF)
    # One int() for the whole address: every group padded to four hex digits, and the gap
    # that "::" stands for filled with zero groups.
    head, _, tail = text.partition(b"::")
    left = head.split(b":") if head else []
    right = tail.split(b":") if tail else []
    gap = b"0000" * (8 - len(left) - len(right))
    padded = [g.rjust(4, b"0") for g in left] + [gap] + [g.rjust(4, b"0") for g in right]
    return int(b"".join(padded), 16)
