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


def _groups(part: bytes) -> list[int]:
    """Return the 16-bit groups of one side of "::", a dotted tail counting as two."""
    if not part:
        return []
    out: list[int] = []
    for field in part.split(b":"):
        if b"." in field:
            value = parse_ipv4(field)
            out += (value >> 16, value & 0xFFFF)
        else:
            out.append(int(field, 16))
    return out


def parse_ipv6(text: bytes) -> int:
    """Return the 128-bit value of an RFC 4291 text form (any case, "::", dotted tail)."""
    head, sep, tail = text.partition(b"::")
    groups = _groups(head)
    if sep:
        right = _groups(tail)
        groups += [0] * (8 - len(groups) - len(right)) + right
    value = 0
    for group in groups:
        value = (value << 16) | group
    return value
