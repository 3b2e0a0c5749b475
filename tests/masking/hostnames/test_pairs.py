"""Pairs (ipmask.masking.hostnames._pairs, through HostnameMasker): a name next to its address
loses what the address loses."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpers import OCTETS, ZERO, X, oracle_v4
from ipmask.masking import Masker
from ipmask.masking.hostnames._pairs import pairs
from ipmask.masking.hostnames._plans import Plans, V4Plan
from ipmask.masking.hostnames._spelling import find_v4, find_v6
from masking.hostnames.helpers import SHAPES, TEMPLATES, both, names_only, render

# Shapes of real log lines whose host name spells the client address (the fail2ban samples show
# them for Postfix, sendmail, Exim, UW IMAP, ProFTPD, sshd, ...), written with other values.
PAIRS_X = [
    # Postfix "name[addr]": dashed, letters before and after
    (
        "NOQUEUE: reject: RCPT from 81-14-219-37.cable.example.net[81.14.219.37]: 554",
        "NOQUEUE: reject: RCPT from 81-14-219-XXX.cable.example.net[81.14.219.XXX]: 554",
    ),
    (
        "improper command pipelining after RSET from 98-7-65-43-Firm-Town.biz.example.com"
        "[98.7.65.43]",
        "improper command pipelining after RSET from 98-7-65-XXX-Firm-Town.biz.example.com"
        "[98.7.65.XXX]",
    ),
    (
        "connect from 5-6-7-8-example.org[5.6.7.8]",
        "connect from 5-6-7-XXX-example.org[5.6.7.XXX]",
    ),
    (
        "warning: 121-33-44-5.dynamic.example.tw[121.33.44.5]: SASL LOGIN failed",
        "warning: 121-33-44-XXX.dynamic.example.tw[121.33.44.XXX]: SASL LOGIN failed",
    ),
    # sendmail "relay=name [addr]": dotted forwards and backwards, letters glued to the numbers
    (
        "relay=203.61.82.19.isp.example [203.61.82.19] (may be forged), reject=553",
        "relay=203.61.82.XXX.isp.example [203.61.82.XXX] (may be forged), reject=553",
    ),
    (
        "relay=19.82.61.203.dsl.static.example.net [203.61.82.19] (may be forged)",
        "relay=XXX.82.61.203.dsl.static.example.net [203.61.82.XXX] (may be forged)",
    ),
    (
        "relay=r177-44-120-9.dialup.adsl.example.net.uy [177.44.120.9], reject=550",
        "relay=r177-44-120-XXX.dialup.adsl.example.net.uy [177.44.120.XXX], reject=550",
    ),
    (
        "s1MD2hsd004030: rrcs-31-72-200-194.se.biz.example.com [31.72.200.194]: EXPN root",
        "s1MD2hsd004030: rrcs-31-72-200-XXX.se.biz.example.com [31.72.200.XXX]: EXPN root",
    ),
    # the last octet moved to the front ("161.pool85-60-238" style)
    (
        "relay=7.pool88-12-240.dynamic.example.es [88.12.240.7]",
        "relay=XXX.pool88-12-240.dynamic.example.es [88.12.240.XXX]",
    ),
    # sendmail check_relay: "arg1=name, arg2=addr"
    (
        "ruleset=check_relay, arg1=187-30-205-74.dsl.example.br, arg2=187.30.205.74, relay=x",
        "ruleset=check_relay, arg1=187-30-205-XXX.dsl.example.br, arg2=187.30.205.XXX, relay=x",
    ),
    # UW IMAP "host=name [addr]", backwards and dashed
    (
        "Login failed user=info auth=info host=74-115-52-199-dedicated.example.com [199.52.115.74]",
        "Login failed user=info auth=info host=XXX-115-52-199-dedicated.example.com"
        " [199.52.115.XXX]",
    ),
    # Exim: "name (helo) [addr]" and "(helo) [addr]"; the HELO name is masked too
    (
        "login authenticator failed for static-ip-85-25-92-177.inaddr.example.com (USER)"
        " [85.25.92.177]: 535",
        "login authenticator failed for static-ip-85-25-92-XXX.inaddr.example.com (USER)"
        " [85.25.92.XXX]: 535",
    ),
    (
        "H=mail.example.com (ip-9-8-7-6.example) [9.8.7.6] F=<a@b.example> rejected",
        "H=mail.example.com (ip-9-8-7-XXX.example) [9.8.7.XXX] F=<a@b.example> rejected",
    ),
    (
        "H=(9-8-7-6.example) [9.8.7.6]:41234 rejected",
        "H=(9-8-7-XXX.example) [9.8.7.XXX]:41234 rejected",
    ),
    # Exim's spam report: "(host=name [addr])"
    (
        "From <x@example.es> (host=45.76.188.61.dynamic.example.es [61.188.76.45]) for me",
        "From <x@example.es> (host=XXX.76.188.61.dynamic.example.es [61.188.76.XXX]) for me",
    ),
    # ProFTPD: "(name[addr])" and "from name [addr]"
    (
        "proftpd[123] ftp.example.com (host-12-34-56-78.example.com[12.34.56.78]): USER x",
        "proftpd[123] ftp.example.com (host-12-34-56-XXX.example.com[12.34.56.XXX]): USER x",
    ),
    (
        "no such user found from 12-34-56-78.example.com [12.34.56.78] to 10.1.2.3:21",
        "no such user found from 12-34-56-XXX.example.com [12.34.56.XXX] to 10.1.2.XXX:21",
    ),
    # ProFTPD with an IPv4-mapped address
    (
        "ftp (cpe-67-227-224-66.example.net[::ffff:67.227.224.66]): USER x",
        "ftp (cpe-67-227-224-XXX.example.net[::ffff:67.227.224.XXX]): USER x",
    ),
    # "name (addr)" and "addr (name)"
    (
        "Connection from ip-198-51-100-23.example.net (198.51.100.23) port 22",
        "Connection from ip-198-51-100-XXX.example.net (198.51.100.XXX) port 22",
    ),
    (
        "repeated login failures from 198.51.100.23 (ip-198-51-100-23.example.net)",
        "repeated login failures from 198.51.100.XXX (ip-198-51-100-XXX.example.net)",
    ),
    # sshd: "Address addr maps to name"
    (
        "Address 4.3.2.1 maps to 1.2.3.4.dialup.example, but this does not map back",
        "Address 4.3.2.XXX maps to XXX.2.3.4.dialup.example, but this does not map back",
    ),
    # zero-padded: twelve digits
    (
        "connect from dsl072053132234.example.net[72.53.132.234]",
        "connect from dsl072053132XXX.example.net[72.53.132.XXX]",
    ),
    (
        "connect from 072-053-132-234.example.net[72.53.132.234]",
        "connect from 072-053-132-XXX.example.net[72.53.132.XXX]",
    ),
    # every copy in one name
    (
        "connect from a1-2-3-4.b4-3-2-1.example[1.2.3.4]",
        "connect from a1-2-3-XXX.bXXX-3-2-1.example[1.2.3.XXX]",
    ),
    # reverse DNS names: backwards, then in-addr.arpa
    (
        "connect from 234.132.53.72.in-addr.arpa[72.53.132.234]",
        "connect from XXX.132.53.72.in-addr.arpa[72.53.132.XXX]",
    ),
]


@pytest.mark.parametrize(("line", "expected"), PAIRS_X)
def test_pair_names_masked_like_their_address(line: str, expected: str) -> None:
    """A name next to its address loses exactly the octets the address loses (style x)."""
    assert both(line) == expected


@pytest.mark.parametrize(("line", "expected"), PAIRS_X)
def test_pair_names_the_same_with_standalone(line: str, expected: str) -> None:
    """Names alone being on does not change how a name next to its address is masked."""
    assert both(line, standalone=True) == expected


def test_pass_leaves_the_address_to_the_masker() -> None:
    """The pass itself changes only the name; the bracketed address is the masker's to mask."""
    line = "connect from 81-14-219-37.cable.example.net[81.14.219.37]"
    assert names_only(line) == "connect from 81-14-219-XXX.cable.example.net[81.14.219.37]"


def test_name_that_is_an_address_is_left_to_the_masker() -> None:
    """ProFTPD's "192.0.2.13[192.0.2.13]" is two addresses; the pass leaves both alone."""
    line = "proftpd[1]: 192.0.2.13 (192.0.2.13[192.0.2.13]) - SECURITY VIOLATION"
    assert names_only(line) == line
    assert both(line) == "proftpd[1]: 192.0.2.XXX (192.0.2.XXX[192.0.2.XXX]) - SECURITY VIOLATION"


PAIRS_ZERO = [
    (
        "from 81-14-219-37.cable.example.net[81.14.219.37]",
        "from 81-14-219-0.cable.example.net[81.14.219.0]",
    ),
    # zero-padded numbers keep their width
    (
        "from dsl072053132234.example.net[72.53.132.234]",
        "from dsl072053132000.example.net[72.53.132.0]",
    ),
    (
        "from 072-053-132-234.example.net[72.53.132.234]",
        "from 072-053-132-000.example.net[72.53.132.0]",
    ),
    (
        "relay=static.19.82.61.203.example.net [203.61.82.19]",
        "relay=static.0.82.61.203.example.net [203.61.82.0]",
    ),
]


def test_zero_style_name_starting_with_four_numbers_is_read_by_the_masker_too() -> None:
    """Style zero leaves a valid address at a name's start, which the masker masks once more."""
    line = "relay=19.82.61.203.dsl.example.net [203.61.82.19]"
    assert names_only(line, ZERO) == "relay=0.82.61.203.dsl.example.net [203.61.82.19]"
    assert both(line, ZERO) == "relay=0.82.61.0.dsl.example.net [203.61.82.0]"


@pytest.mark.parametrize(("line", "expected"), PAIRS_ZERO)
def test_pair_names_in_zero_style(line: str, expected: str) -> None:
    """Style zero writes the masked octet's value into the name, at the name's width."""
    assert both(line, ZERO) == expected


def test_zero_style_prefix_not_a_multiple_of_eight() -> None:
    """With /20 the third octet keeps only its top bits, in the name as in the address."""
    masker = Masker(ipv4_prefix=20, style="zero")
    line = "from 72-53-132-234.example.net[72.53.132.234]"
    assert both(line, masker) == "from 72-53-128-0.example.net[72.53.128.0]"


def test_prefix_sixteen_hides_two_octets() -> None:
    """With /16 the name loses its last two octets, as the address does."""
    masker = Masker(ipv4_prefix=16)
    line = "from 78-46-198-140.example.net[78.46.198.140]"
    assert both(line, masker) == "from 78-46-XXX-XXX.example.net[78.46.XXX.XXX]"


def test_kept_ipv6_address_keeps_its_name() -> None:
    """An IPv6 address in a keep network keeps its name too."""
    masker = Masker(keep=["2001:db8::/32"])
    line = "from 2001-db8--1.example[2001:db8::1]"
    assert both(line, masker) == line


def test_kept_address_keeps_its_name() -> None:
    """An address in a keep network is written unchanged, and so is its name."""
    masker = Masker(keep=["198.51.100.0/24"])
    line = "from 198-51-100-7.example.net[198.51.100.7]"
    assert both(line, masker) == line
    assert both(line, masker, standalone=True) == line


PAIRS_V6 = [
    (
        "from 2001-db8--1.example[2001:db8::1]",
        "from 2001-db8-000X-XXXX-XXXX-XXXX-XXXX-XXXX.example"
        "[2001:db8:000X:XXXX:XXXX:XXXX:XXXX:XXXX]",
    ),
    (
        "from ip6-2a01-4f8-1c17-413b-0-0-0-1.example[2a01:4f8:1c17:413b::1]",
        "from ip6-2a01-4f8-1c1X-XXXX-XXXX-XXXX-XXXX-XXXX.example"
        "[2a01:4f8:1c1X:XXXX:XXXX:XXXX:XXXX:XXXX]",
    ),
    (
        "from 2a01-04f8-1c17-413b-0000-0000-0000-0001.example[2a01:4f8:1c17:413b::1]",
        "from 2a01-04f8-1c1X-XXXX-XXXX-XXXX-XXXX-XXXX.example"
        "[2a01:4f8:1c1X:XXXX:XXXX:XXXX:XXXX:XXXX]",
    ),
]


@pytest.mark.parametrize(("line", "expected"), PAIRS_V6)
def test_ipv6_pair_names(line: str, expected: str) -> None:
    """A name spelling its IPv6 address with "-" loses what the address loses."""
    assert both(line) == expected


def test_ipv6_pair_names_in_zero_style() -> None:
    """Style zero: a compressed spelling takes the network address, a full one keeps its form."""
    assert both("from 2001-db8--1.example[2001:db8::1]", ZERO) == (
        "from 2001-db8--.example[2001:db8::]"
    )
    assert both("from 2001-0db8-0000-0000-0000-0000-0000-0001.example[2001:db8::1]", ZERO) == (
        "from 2001-0db8-0000-0000-0000-0000-0000-0000.example[2001:db8::]"
    )


def test_name_spelling_another_address_stays_without_standalone() -> None:
    """Next to another address, a name's numbers are no copy of that address."""
    line = "connect from 1-2-3-4.example.net[5.6.7.8]"
    assert names_only(line) == line


def _rotations(o: tuple[int, ...]) -> set[tuple[int, ...]]:
    forward, backward = list(o), list(reversed(o))
    return {tuple(seq[i:] + seq[:i]) for seq in (forward, backward) for i in range(4)}


def _expected_pair(template: str, o: tuple[int, ...], prefix: int, style: str) -> str:
    """The name with the hidden octets written the way the address writes them (the oracle)."""
    masked = oracle_v4(int.from_bytes(bytes(o), "big"), prefix, style).split(".")
    if "{0:03d}" in template:
        padded = [v.zfill(3) if v.isdigit() else v for v in masked]
        return template.replace(":03d", "").format(*padded)
    return render(template, masked)


@settings(max_examples=300, deadline=None)
@given(
    o=OCTETS,
    template=st.sampled_from(TEMPLATES),
    shape=st.sampled_from(SHAPES),
    prefix=st.sampled_from([8, 16, 24]),
    style=st.sampled_from(["x", "zero"]),
)
def test_property_pair_name_loses_exactly_the_hidden_octets(o, template, shape, prefix, style):
    """A random IPv4 in a name template: its hidden octets are gone, the kept ones intact."""
    # Repeated octets can make two orders read the same; that case has its own test.
    assume(len(_rotations(o)) == 8)
    masker = Masker(ipv4_prefix=prefix, style=style)
    name = render(template, o)
    addr = ".".join(map(str, o))
    line = shape.format(name=name, addr=addr)
    out = names_only(line, masker)
    assert out == shape.format(name=_expected_pair(template, o, prefix, style), addr=addr)


# -- what the patterns let through to Python ------------------------------------------------------


def _found(line: bytes) -> list[tuple[bytes, bytes]]:
    """(address, name) of each pair the patterns find in ``line``."""
    return [(addr, name) for addr, _, _, name in pairs(line, line[::-1])]


@pytest.mark.parametrize(
    "line",
    [
        b"postfix/smtpd[123]: connect from unknown[203.0.113.9]",
        b"postfix/smtpd[123]: 4F3EAC29FC: client=mail-12345.example.net[203.0.113.9]",
        b"postfix/smtp[123]: 4F3EAC29FC: relay=mx.example.net[203.0.113.9]:25, delay=0.45",
        b"connect from mail-wr1-f54.google.example[209.85.221.54]",
        b"connect from node-2024-11-22.example.net[203.0.113.22]",
        b"Connection from mail.example.org (2001:db8::1) port 22",
        b"Address 203.0.113.9 maps to mx01.example.net, but this does not map back",
        b"arg1=mx01.example.net, arg2=203.0.113.9, relay=x",
    ],
)
def test_names_that_cannot_spell_an_address_never_reach_python(line: bytes) -> None:
    """Names with too few numbers (and no IPv6 shape) are turned down by the patterns."""
    assert _found(line) == []


@pytest.mark.parametrize(
    ("line", "name"),
    [
        (b"connect from 1-2-3-4.example.net[5.6.7.8]", b"1-2-3-4.example.net"),
        (b"connect from dsl072053132234.example.net[5.6.7.8]", b"dsl072053132234.example.net"),
        (b"connect from x-072053132234-1.example[5.6.7.8]", b"x-072053132234-1.example"),
        (b"connect from 2001-db8--1.example[2001:db8::2]", b"2001-db8--1.example"),
        (b"connect from a-b-c-d-e-f-g-1.example[2001:db8::2]", b"a-b-c-d-e-f-g-1.example"),
        (b"from 1.2.3.4.dialup.example (5.6.7.8) port 22", b"1.2.3.4.dialup.example"),
        (b"Address 5.6.7.8 maps to 4-3-2-1.example, but", b"4-3-2-1.example"),
    ],
)
def test_names_that_may_spell_an_address_reach_python(line: bytes, name: bytes) -> None:
    """Four numbers, twelve digits, "--" or eight "-"-joined groups: the name is looked at."""
    assert [found for _, found in _found(line)] == [name]


_SEGMENTS = st.one_of(
    st.integers(0, 999).map(str),
    st.integers(0, 255).map("{:03d}".format),
    st.integers(0, 10**12 - 1).map("{:012d}".format),
    st.integers(0, 10**15).map(str),
    st.sampled_from(["-", ".", "--", "_", "ip", "dsl", "static", "pool", "x"]),
    st.sampled_from(["2001", "db8", "2a01", "4f8", "0", "1", "ffff", "abcd", "f"]),
)


@st.composite
def _names_with_addresses(draw: st.DrawFn) -> tuple[str, str]:
    """A name made of numbers and labels, and an address that it often spells."""
    if draw(st.integers(0, 3)) == 0:
        value = ipaddress.IPv6Address(draw(st.integers(1 << 125, (1 << 126) - 1)))
        spelled = value.exploded if draw(st.booleans()) else value.compressed
        name = draw(st.sampled_from(["", "ip6-", "x."])) + spelled.replace(":", "-") + ".example"
        return name, str(value)
    name = "".join(draw(st.lists(_SEGMENTS, min_size=1, max_size=12)))
    numbers = [int(n) for n in "".join(c if c.isdigit() else " " for c in name).split()]
    octets = [n for n in numbers if n < 256]
    if len(octets) >= 4 and draw(st.integers(0, 3)) > 0:
        start = draw(st.integers(0, len(octets) - 4))
        quad = octets[start : start + 4]
        return name, ".".join(map(str, quad[:: draw(st.sampled_from([1, -1]))]))
    return name, str(ipaddress.IPv4Address(draw(st.integers(0, 2**32 - 1))))


@settings(max_examples=500, deadline=None)
@given(pair=_names_with_addresses(), shape=st.sampled_from(["{n}[{a}]", "{a} ({n})"]))
def test_property_names_turned_down_hold_no_copy(pair: tuple[str, str], shape: str) -> None:
    """A name that holds a copy of its address is never turned down by the patterns."""
    name, addr = pair
    # A name that could itself be an address ("012345678912") reads as "name (addr)" first.
    assume(shape.startswith("{n}") or name.strip("0123456789abcdefABCDEF.:") != "")
    plan = Plans(X)(addr.encode())
    assert plan is not None
    find = find_v4 if isinstance(plan, V4Plan) else find_v6
    line = ("from " + shape.format(n=name, a=addr) + " x").encode()
    if find(name.encode(), plan) is not None:
        assert (addr.encode(), name.encode()) in _found(line)


def test_name_after_maps_to_without_an_address_pairs_with_nothing() -> None:
    """sshd's "maps to" pairs a name only with the address before it."""
    line = b"Address unknown maps to 4-3-2-1.example, but this does not map back"
    assert _found(line) == []
    assert names_only(line.decode()) == line.decode()
