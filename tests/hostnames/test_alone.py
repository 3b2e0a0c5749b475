"""ipmask.hostnames.alone: a name alone that spells a whole address loses what it would hide."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hostnames.helpers import OCTETS, TEMPLATES, ZERO, X, names_only, render
from ipmask.core import Masker
from ipmask.hostnames import HostnameMasker
from ipmask.hostnames.alone import _ALONE_DOT, _spot_dotted

# A name alone gives no order: whatever the forward or the backward reading hides is hidden.
ALONE_X = [
    (
        "pam_unix(sshd:auth): authentication failure; rhost=s166-62-100-187 user=root",
        "pam_unix(sshd:auth): authentication failure; rhost=sXXX-62-100-XXX user=root",
    ),
    (
        "authentication failure; rhost=71-13-115-12.static.example.com  user=root",
        "authentication failure; rhost=XXX-13-115-XXX.static.example.com  user=root",
    ),
    (
        "client static.140.198.46.78.clients.your-server.example",
        "client static.XXX.198.46.XXX.clients.your-server.example",
    ),
    (
        "helo=<4.3.2.1.dialup.example>",
        "helo=<XXX.3.2.XXX.dialup.example>",
    ),
    (
        "Received disconnect from ip-172-31-3-150.compute.internal: 11: Bye",
        "Received disconnect from ip-XXX-31-3-XXX.compute.internal: 11: Bye",
    ),
    (
        "host dsl-072053132234-static.example.net",
        "host dsl-XXX053132XXX-static.example.net",
    ),
    # in-addr.arpa says which way it is read
    (
        "PTR 234.132.53.72.in-addr.arpa",
        "PTR XXX.132.53.72.in-addr.arpa",
    ),
    (
        "host 2a01-4f8-1c17-413b--1.static.example",
        "host 2a01-4f8-1c1X-XXXX-XXXX-XXXX-XXXX-XXXX.static.example",
    ),
    (
        "PTR 1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.b.3.1.4.7.1.c.1.8.f.4.0.1.0.a.2.ip6.arpa",
        "PTR X.X.X.X.X.X.X.X.X.X.X.X.X.X.X.X.X.X.X.X.X.1.c.1.8.f.4.0.1.0.a.2.ip6.arpa",
    ),
    # a name next to another address still spells an address of its own
    (
        "connect from 1-2-3-4.example.net[5.6.7.8]",
        "connect from XXX-2-3-XXX.example.net[5.6.7.8]",
    ),
]


@pytest.mark.parametrize(("line", "expected"), ALONE_X)
def test_names_alone_with_standalone(line: str, expected: str) -> None:
    """With standalone on, a name that spells a whole address on its own is masked."""
    assert names_only(line, standalone=True) == expected


@pytest.mark.parametrize(("line", "_expected"), ALONE_X)
def test_names_alone_without_standalone(line: str, _expected: str) -> None:
    """With standalone off, a name without its address next to it stays."""
    assert names_only(line) == line


def test_names_alone_in_zero_style() -> None:
    """Style zero: both readings clear their octets; padded numbers keep their width."""
    assert names_only("rhost=71-13-115-12.static.example.com", ZERO, standalone=True) == (
        "rhost=0-13-115-0.static.example.com"
    )
    assert names_only("host dsl-072053132234-static.example.net", ZERO, standalone=True) == (
        "host dsl-000053132000-static.example.net"
    )


def test_names_alone_where_both_readings_clear_the_same_octet() -> None:
    """Style zero at /8: the two readings overlap in the middle, and both clear it."""
    masker = Masker(ipv4_prefix=8, style="zero")
    assert names_only("rhost=s166-62-100-187", masker, standalone=True) == "rhost=s0-0-0-0"


def test_twelve_digits_alone_before_a_dot() -> None:
    """Twelve digits ending a label, in a dotted name, are a name alone too."""
    assert names_only("helo=<dsl072053132234.example.net>", standalone=True) == (
        "helo=<dslXXX053132XXX.example.net>"
    )


def test_ip6_arpa_name_of_a_kept_address_stays() -> None:
    """An ip6.arpa name of a kept address is left as it is."""
    masker = Masker(keep=["2a01:4f8::/32"])
    line = "PTR 1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.b.3.1.4.7.1.c.1.8.f.4.0.1.0.a.2.ip6.arpa"
    assert names_only(line, masker, standalone=True) == line


def test_name_alone_spelling_a_kept_address_stays() -> None:
    """A name that spells a kept address in either reading is taken to be one's own."""
    masker = Masker(keep=["78.46.198.0/24"])
    line = "mx static.140.198.46.78.clients.your-server.example"
    assert names_only(line, masker, standalone=True) == line


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (b"81-14-219-37.cable.example.net", b"XXX-14-219-XXX.cable.example.net"),
        (b"mx01.example.net", b"mx01.example.net"),
        (b"2001-db8--1.example", b"2001-db8-000X-XXXX-XXXX-XXXX-XXXX-XXXX.example"),
        (b"", b""),
    ],
)
def test_mask_name(name: bytes, expected: bytes) -> None:
    """mask_name applies the rules for names alone to one name."""
    assert HostnameMasker(X, standalone=True).mask_name(name) == expected


def test_mask_name_without_standalone_changes_nothing() -> None:
    """With standalone off, mask_name returns the name as it was."""
    name = b"81-14-219-37.cable.example.net"
    assert HostnameMasker(X, standalone=False).mask_name(name) == name


@settings(max_examples=200, deadline=None)
@given(o=OCTETS, template=st.sampled_from(TEMPLATES[:-2]), prefix=st.sampled_from([8, 16, 24]))
def test_property_alone_name_loses_what_either_reading_hides(o, template, prefix):
    """A random IPv4 in a name alone: what either reading hides is XXX, the rest intact."""
    kept = prefix // 8
    name = render(template, list(o))
    # Position in the name order: a forward template writes octet i at position i.
    order = [0, 1, 2, 3] if template.index("{0") < template.index("{3") else [3, 2, 1, 0]
    by_position = [o[i] for i in order]
    hidden = {p for p in range(4) if p >= kept or 3 - p >= kept}
    values: list[object] = ["XXX" if p in hidden else by_position[p] for p in range(4)]
    expected = render(template, [values[order.index(i)] for i in range(4)])
    masker = Masker(ipv4_prefix=prefix)
    assert names_only(f"host {name} x", masker, standalone=True) == f"host {expected} x"


_LABELS = st.one_of(
    st.integers(0, 999).map(str),
    st.sampled_from(["0", "1234", "072053132234", "0720531322345", "00"]),
    st.sampled_from(
        ["a", "x", "ip", "static", "in-addr", "arpa", "ip6", "IP6", "f", "b", "ip6.arpa"]
    ),
    st.tuples(*[st.integers(0, 999)] * 4).map(lambda quad: ".".join(map(str, quad))),
    st.lists(st.sampled_from("0123456789abcdef"), min_size=31, max_size=33).map(".".join),
    st.sampled_from(
        [
            "072053132234.net",
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.b.3.1.4.7.1.c.1.8.f.4.0.1.0.a.2.ip6.arpa",
            "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.a.9.8.7.6.5.4.3.2.1.d.f.ip6.arpa",
        ]
    ),
)
#: Texts of labels and separators, mostly dots: many of them end names alone, many do not.
_DOTTED = st.lists(
    st.tuples(_LABELS, st.sampled_from([".", ".", ".", "-", " ", ":", "_", ""])), max_size=24
).map(lambda parts: "".join(label + sep for label, sep in parts))


@settings(max_examples=400, deadline=None)
@given(text=_DOTTED)
def test_property_dot_pattern_skips_only_dots_without_a_name(text: str) -> None:
    """The dotted pattern turns down in C only dots where no name alone ends."""
    block = text.encode()
    rblock = block[::-1]
    every = {_spot_dotted(m, block, rblock) for m in re.finditer(rb"\.(?=[A-Za-z])", block)}
    kept = {_spot_dotted(m, block, rblock) for m in _ALONE_DOT.finditer(block)}
    assert kept - {("", -1, -1)} == every - {("", -1, -1)}


def test_ip6_arpa_name_ending_in_a_letter() -> None:
    """An ip6.arpa name whose address starts with a letter nibble (fd00::/8) is found too."""
    name = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.a.9.8.7.6.5.4.3.2.1.d.f.ip6.arpa"
    masked = "X." * 21 + "9.8.7.6.5.4.3.2.1.d.f.ip6.arpa"
    assert names_only(f"PTR {name}", standalone=True) == f"PTR {masked}"
