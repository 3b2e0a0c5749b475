"""What test modules share: the policy's example addresses, the two default maskers, an oracle
that writes the masking contract's text with the ``ipaddress`` module (not with ipmask), text
forms of addresses to feed it, and a way to find the caches an object holds.

Import it as ``import helpers`` or ``from helpers import ...`` (``tests/`` is on ``sys.path``).
"""

from __future__ import annotations

import gc
import ipaddress
import os
from collections.abc import Callable

from hypothesis import strategies as st

from ipmask.masking import Cache, Masker

__all__ = [
    "OCTETS",
    "V4",
    "V4_MASKED",
    "V6",
    "V6_MASKED",
    "ZERO",
    "X",
    "caches_in",
    "hex_groups",
    "on_first_fsync",
    "oracle_v4",
    "oracle_v6",
    "v4_text",
    "v6_texts",
]

# -- the privacy policy's examples --------------------------------------------------------------

#: The policy's IPv4 example and what masking writes for it (24 bits kept).
V4 = "78.46.198.140"
V4_MASKED = "78.46.198.XXX"
#: The policy's IPv6 example and what masking writes for it (44 bits kept: "1c1X").
V6 = "2a01:4f8:1c17:413b::1"
V6_MASKED = "2a01:4f8:1c1X:XXXX:XXXX:XXXX:XXXX:XXXX"

#: The default masker (style x) and the one of style zero, shared: their caches carry over.
X = Masker()
ZERO = Masker(style="zero")

# -- an independent oracle, built on the ipaddress module ---------------------------------------


def oracle_v4(value: int, prefix: int = 24, style: str = "x") -> str:
    """The contract's text for an IPv4 address, computed without ipmask."""
    if style == "zero":
        net = ipaddress.IPv4Network((value, prefix), strict=False)
        return str(net.network_address)
    octets = str(ipaddress.IPv4Address(value)).split(".")
    kept = prefix // 8
    return ".".join(octets[:kept] + ["XXX"] * (4 - kept))


def oracle_v6(value: int, prefix: int = 44, style: str = "x", ipv4_prefix: int = 24) -> str:
    """The contract's text for an IPv6 address, computed without ipmask."""
    mapped = ipaddress.IPv6Address(value).ipv4_mapped
    if mapped is not None:
        return "::ffff:" + oracle_v4(int(mapped), ipv4_prefix, style)
    if style == "zero":
        return str(ipaddress.IPv6Network((value, prefix), strict=False).network_address)
    out = []
    for i, group in enumerate(hex_groups(value)):
        nibbles = min(max(prefix - 16 * i, 0), 16) // 4
        out.append(
            group.lstrip("0") or "0" if nibbles == 4 else group[:nibbles] + "X" * (4 - nibbles)
        )
    return ":".join(out)


def hex_groups(value: int) -> list[str]:
    """The eight groups of an IPv6 value, four hex digits each.

    Built from the integer, because ``IPv6Address.exploded`` writes mapped addresses with a
    dotted tail on Python 3.13 and later.
    """
    return [f"{(value >> (112 - 16 * i)) & 0xFFFF:04x}" for i in range(8)]


# -- text forms of addresses --------------------------------------------------------------------


def v4_text(value: int, pads: list[int]) -> str:
    """IPv4 text with each octet padded by leading zeros to the given width (at most three)."""
    octets = str(ipaddress.IPv4Address(value)).split(".")
    return ".".join(o.zfill(min(3, max(len(o), p))) for o, p in zip(octets, pads, strict=True))


#: The four octets of a random IPv4 address.
OCTETS = st.tuples(*[st.integers(0, 255)] * 4)


@st.composite
def v6_texts(draw: st.DrawFn) -> tuple[int, str]:
    """An IPv6 value and one of its many text forms."""
    value = draw(
        st.one_of(
            st.integers(0, 2**128 - 1),
            st.integers(0, 2**32 - 1).map(lambda v: 0xFFFF << 32 | v),  # mapped
            st.integers(0, 2**16 - 1).map(lambda v: 0x2A0104F8 << 96 | v),  # many zeros
        )
    )
    addr = ipaddress.IPv6Address(value)
    form = draw(st.sampled_from(["compressed", "exploded", "upper", "nolead", "dotted"]))
    if form == "compressed":
        text = addr.compressed
    elif form == "exploded":
        text = ":".join(hex_groups(value))
    elif form == "upper":
        text = addr.compressed.upper()
    elif form == "nolead":
        text = ":".join(g.lstrip("0") or "0" for g in hex_groups(value))
    else:
        head = ":".join(g.lstrip("0") or "0" for g in hex_groups(value)[:6])
        text = head + ":" + str(ipaddress.IPv4Address(value & 0xFFFFFFFF))
    return value, text


# -- caches -------------------------------------------------------------------------------------


def caches_in(owner: object) -> list[Cache[object, object]]:
    """Every :class:`ipmask.masking.Cache` that ``owner`` holds, however deep in ipmask's objects.

    Found through the garbage collector's references, so that a test can bound the caches
    without naming the attributes that hold them. A :class:`Masker` reached from another object
    is not searched: its caches are its own.
    """
    found: list[Cache[object, object]] = []
    seen: set[int] = set()
    todo = [owner]
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, Cache):
            found.append(item)
        elif item is owner or isinstance(item, _CONTAINERS) or _searched(item):
            todo.extend(gc.get_referents(item))
            todo.extend(getattr(item, "__dict__", {}).values())
    return found


_CONTAINERS = (list, tuple, dict, set, frozenset)


def _searched(item: object) -> bool:
    """Whether ``caches_in`` looks inside ``item``: an ipmask object other than a masker."""
    return type(item).__module__.startswith("ipmask.") and not isinstance(item, Masker)


def on_first_fsync(action: Callable[[], None]) -> Callable[[int], None]:
    """An ``os.fsync`` that runs ``action`` once, at the first sync (a rewrite's temporary file),
    for racing a rewrite against what another process does meanwhile."""
    real = os.fsync
    done = False

    def fake(fd: int) -> None:
        nonlocal done
        if not done:
            done = True
            action()
        real(fd)

    return fake
