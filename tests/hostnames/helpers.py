"""What the host-name tests share: maskers, the two ways of running the pass, name templates."""

from __future__ import annotations

from hypothesis import strategies as st

from ipmask.core import Masker
from ipmask.hostnames import HostnameMasker

X = Masker()
ZERO = Masker(style="zero")

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
#: The four octets of a random IPv4 address.
OCTETS = st.tuples(*[st.integers(0, 255)] * 4)


def both(line: str, masker: Masker = X, *, standalone: bool = False) -> str:
    """The line after the host-name pass and then the core, as the line filters run them."""
    names = HostnameMasker(masker, standalone=standalone)
    return masker.mask_bytes(names(line.encode())).decode()


def names_only(line: str, masker: Masker = X, *, standalone: bool = False) -> str:
    """The line after the host-name pass alone."""
    return HostnameMasker(masker, standalone=standalone)(line.encode()).decode()


def render(template: str, values: list[object]) -> str:
    """A name template filled in."""
    return template.format(*values)
