"""Writing a masked address in one of the two styles.

``x`` is the privacy policy's form: hidden parts become ``X`` at a fixed width, so the text
does not leak how long the hidden number was, and IPv6 is never compressed, so the shape of
the hidden part does not leak either. ``zero`` is a valid address (the network address) for
log analysers, in its standard text form.

A renderer is made once per prefix (the work that depends only on the prefix is done then)
and is called for every address not seen before, so it stays short.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = [
    "RENDERERS",
    "Renderer",
    "RendererFactory",
    "format_ipv4",
    "format_ipv6",
    "ipv4_text_rule",
]

#: value -> masked text, for one family, style and prefix.
Renderer = Callable[[int], bytes]
#: prefix -> Renderer
RendererFactory = Callable[[int], Renderer]


def format_ipv4(value: int) -> bytes:
    """Dotted decimal without leading zeros."""
    return b"%d.%d.%d.%d" % (value >> 24, (value >> 16) & 255, (value >> 8) & 255, value & 255)


def format_ipv6(value: int) -> bytes:
    """RFC 5952 text: lowercase, no leading zeros, the longest run of 2+ zero groups as "::"."""
    digits = b"%032x" % value
    groups = [digits[i : i + 4].lstrip(b"0") or b"0" for i in range(0, 32, 4)]
    best_start, best_len, run_start = -1, 1, -1
    for i, group in enumerate([*groups, b"1"]):
        if group == b"0":
            if run_start < 0:
                run_start = i
        elif run_start >= 0:
            # Section 4.2.3: the first of equally long runs is the one compressed.
            if i - run_start > best_len:
                best_start, best_len = run_start, i - run_start
            run_start = -1
    if best_start < 0:
        return b":".join(groups)
    head = b":".join(groups[:best_start])
    tail = b":".join(groups[best_start + best_len :])
    return head + b"::" + tail


def _network_mask(prefix: int, width: int) -> int:
    """The value that keeps the first ``prefix`` of ``width`` bits."""
    return ((1 << width) - 1) ^ ((1 << (width - prefix)) - 1)


def _ipv4_x(prefix: int) -> Renderer:
    kept = prefix // 8
    hidden = b".XXX" * (4 - kept)
    if kept == 0:
        return lambda value: b"XXX.XXX.XXX.XXX"
    shift = 32 - 8 * kept

    def render(value: int) -> bytes:
        # The kept octets are the top bytes; format them as an address of `kept` octets.
        return format_ipv4(value >> shift).split(b".", 4 - kept)[-1] + hidden

    return render


def _ipv6_x(prefix: int) -> Renderer:
    full, bits = divmod(prefix, 16)
    nibbles = bits // 4
    # Hidden groups after the kept ones (and after a partly kept group, if any).
    tail = [b"XXXX"] * (8 - full - (1 if nibbles else 0))
    partial_x = b"X" * (4 - nibbles)

    def render(value: int) -> bytes:
        digits = b"%032x" % value
        groups = [digits[i : i + 4].lstrip(b"0") or b"0" for i in range(0, 4 * full, 4)]
        if nibbles:
            groups.append(digits[4 * full : 4 * full + nibbles] + partial_x)
        return b":".join(groups + tail)

    return render


def _ipv4_zero(prefix: int) -> Renderer:
    mask = _network_mask(prefix, 32)
    return lambda value: format_ipv4(value & mask)


def _ipv6_zero(prefix: int) -> Renderer:
    mask = _network_mask(prefix, 128)
    return lambda value: format_ipv6(value & mask)


#: style -> (IPv4 renderer factory, IPv6 renderer factory)
RENDERERS: dict[str, tuple[RendererFactory, RendererFactory]] = {
    "x": (_ipv4_x, _ipv6_x),
    "zero": (_ipv4_zero, _ipv6_zero),
}


def ipv4_text_rule(style: str, prefix: int) -> tuple[int, bytes] | None:
    """How to mask a canonical dotted quad (no leading zeros) as text, or None.

    When the prefix keeps whole octets, masking is "keep the first octets as written, replace
    the others", in both styles, so the text need not be read as a number: returns (octets
    kept, what replaces the others, dots included). That is most of the cost of an address
    seen for the first time, and most addresses in a log are seen once.
    """
    kept, bits = divmod(prefix, 8)
    if bits:
        return None
    hidden = b"XXX" if style == "x" else b"0"
    return kept, b".".join([hidden] * (4 - kept))
