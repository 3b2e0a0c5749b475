"""What the host-name tests share: the two ways of running the pass, name templates and shapes,
the plans of the masker, and a search for copies of an address left in clear.

The maskers (``X``, ``ZERO``) and the address oracle are in ``tests/helpers.py``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from helpers import X
from ipmask.masking import Masker
from ipmask.masking.hostnames import HostnameMasker
from ipmask.masking.hostnames._plans import Plans, V4Plan, V6Plan

#: Templates of names: {0}..{3} are the address's octets (as text) in the name.
TEMPLATES = [
    "{0}-{1}-{2}-{3}.cpe.example.net",
    "ip-{0}-{1}-{2}-{3}.example.net",
    "s{0}-{1}-{2}-{3}",
    "{3}-{2}-{1}-{0}-dedicated.example.com",
    "{0}.{1}.{2}.{3}.static.example.net",
    "static.{3}.{2}.{1}.{0}.clients.example.de",
    "{3}.{2}.{1}.{0}.in-addr.arpa",
    "dsl{0:03d}{1:03d}{2:03d}{3:03d}.example.net",
]
#: Pair shapes: {name} and {addr}.
SHAPES = ["from {name}[{addr}]:", "relay={name} [{addr}],", "x {addr} ({name}) y"]


def both(line: str, masker: Masker = X, *, standalone: bool = False) -> str:
    """The line after the host-name pass and then the masker, as the line filters run them."""
    names = HostnameMasker(masker, standalone=standalone)
    return masker.mask_bytes(names(line.encode())).decode()


def names_only(line: str, masker: Masker = X, *, standalone: bool = False) -> str:
    """The line after the host-name pass alone."""
    return HostnameMasker(masker, standalone=standalone)(line.encode()).decode()


def render(template: str, values: Sequence[object]) -> str:
    """A name template filled in."""
    return template.format(*values)


def copies_in_clear(text: str, octets: Sequence[object]) -> list[str]:
    """The copies of an IPv4 address (its octets) that ``text`` spells in a usual notation:
    joined by "-" or ".", forwards or backwards, or as twelve zero-padded digits."""
    digits = [str(octet) for octet in octets]
    spellings = [sep.join(seq) for sep in "-." for seq in (digits, digits[::-1])]
    found = [s for s in spellings if re.search(rf"(?<![0-9]){re.escape(s)}(?![0-9])", text)]
    padded = "".join(f"{int(octet):03d}" for octet in octets)
    return found + ([padded] if padded in text else [])


def v4_plan(addr: bytes, masker: Masker = X) -> V4Plan:
    """The masker's plan for an IPv4 address."""
    plan = Plans(masker)(addr)
    assert isinstance(plan, V4Plan)
    return plan


def v6_plan(addr: bytes, masker: Masker = X) -> V6Plan:
    """The masker's plan for an IPv6 address."""
    plan = Plans(masker)(addr)
    assert isinstance(plan, V6Plan)
    return plan
