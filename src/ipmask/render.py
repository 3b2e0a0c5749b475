"""Writing a masked address in one of the two styles.

``x`` is the privacy policy's form: hidden parts become ``X`` at a fixed width, so the text
does not leak how long the hidden number was, and IPv6 is never compressed, so the shape of
the hidden part does not leak either. ``zero`` is a valid address (the network address) for
log analysers, in its standard text form.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["RENDERERS", "Renderer", "format_ipv4", "format_ipv6"]

#: (value, prefix) -> text; one per family and style.
Renderer = Callable[[int, int], str]


def _network(value: int, prefix: int, width: int) -> int:
    """Return ``value`` with all but its first ``prefix`` of ``width`` bits cleared."""
    return value & ~((1 << (width - prefix)) - 1)


def format_ipv4(value: int) -> str:
    """Dotted decimal without leading zeros."""
    return f"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}"


def format_ipv6(value: int) -> str:
    """RFC 5952 text: lowercase, no leading zeros, the longest run of 2+ zero groups as "::"."""
    groups = [(value >> (112 - 16 * i)) & 0xFFFF for i in range(8)]
    best_start, best_len, run_start = -1, 1, -1
    for i, group in enumerate([*groups, 1]):
        if group == 0:
            if run_start < 0:
                run_start = i
        elif run_start >= 0:
            # Section 4.2.3: the first of equally long runs is the one compressed.
            if i - run_start > best_len:
                best_start, best_len = run_start, i - run_start
            run_start = -1
    if best_start < 0:
        return ":".join(f"{g:x}" for g in groups)
    head = ":".join(f"{g:x}" for g in groups[:best_start])
    tail = ":".join(f"{g:x}" for g in groups[best_start + best_len :])
    return f"{head}::{tail}"


def _ipv4_x(value: int, prefix: int) -> str:
    kept = prefix // 8
    octets = format_ipv4(value).split(".")
    return ".".join(octets[:kept] + ["XXX"] * (4 - kept))


def _ipv6_x(value: int, prefix: int) -> str:
    parts = []
    for i in range(8):
        group = (value >> (112 - 16 * i)) & 0xFFFF
        kept_nibbles = min(max(prefix - 16 * i, 0), 16) // 4
        if kept_nibbles == 4:
            parts.append(f"{group:x}")
        else:
            parts.append(f"{group:04x}"[:kept_nibbles] + "X" * (4 - kept_nibbles))
    return ":".join(parts)


def _ipv4_zero(value: int, prefix: int) -> str:
    return format_ipv4(_network(value, prefix, 32))


def _ipv6_zero(value: int, prefix: int) -> str:
    return format_ipv6(_network(value, prefix, 128))


#: style -> (IPv4 renderer, IPv6 renderer)
RENDERERS: dict[str, tuple[Renderer, Renderer]] = {
    "x": (_ipv4_x, _ipv6_x),
    "zero": (_ipv4_zero, _ipv6_zero),
}
