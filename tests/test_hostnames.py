"""ipmask.hostnames: copies of an address inside host names are masked like the address."""

from __future__ import annotations

import ipaddress
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conftest import CORPUS
from ipmask.core import Masker
from ipmask.hostnames import HostnameMasker

X = Masker()
ZERO = Masker(style="zero")


def both(line: str, masker: Masker = X, *, standalone: bool = False) -> str:
    """The line after the host-name pass and then the core, as the line filters run them."""
    names = HostnameMasker(masker, standalone=standalone)
    return masker.mask_bytes(names(line.encode())).decode()


def names_only(line: str, masker: Masker = X, *, standalone: bool = False) -> str:
    """The line after the host-name pass alone."""
    return HostnameMasker(masker, standalone=standalone)(line.encode()).decode()


# -- names next to their address -----------------------------------------------------------------

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


def test_pass_leaves_the_address_to_the_core() -> None:
    """The pass itself changes only the name; the bracketed address is the core's to mask."""
    line = "connect from 81-14-219-37.cable.example.net[81.14.219.37]"
    assert names_only(line) == "connect from 81-14-219-XXX.cable.example.net[81.14.219.37]"


def test_name_that_is_an_address_is_left_to_the_core() -> None:
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


def test_zero_style_name_starting_with_four_numbers_is_read_by_the_core_too() -> None:
    """Style zero leaves a valid address at a name's start, which the core masks once more."""
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


# -- look-alikes ---------------------------------------------------------------------------------

LOOK_ALIKES = [
    "connect from mx01.example.net[203.0.113.9]",
    "connect from mail2.example.com[203.0.113.2]",
    "connect from node-2024-11-22.example.net[203.0.113.22]",
    "connect from host-203-0-113.example.net[203.0.113.9]",  # only the kept octets
    "connect from unknown[203.0.113.9]",
    "postfix/smtpd[12345]: disconnect from unknown[2001:db8::1]",
    "Dovecot v2.3.19.1 (9b53102964) starting up for imap, pop3",
    "GET /phpMyAdmin-2.8.2.3/scripts/setup.php HTTP/1.1",
    "backup-2024-11-22-10-30-00.tar.gz written",
    "call 030-123-45-67 now",
    "uuid 550e8400-e29b-41d4-a716-446655440000",
    "ids 1-2-3-4-5.example and 1.2.3.4.5.example",
    "session=<LgDINsQCkttVIMPg> 1VxHRO-000NiI-Ly",
    "xn--mnchen-3ya.example 2001-db8 2024-11-22T10:30:00",
    "order 123456789012 shipped",
    "PTR 1.0.ip6.arpa",
    "host ip-300-1-2-3.example",
    "host 2001-1-2-3-4-5--6-7-8-9.example",
    "ruleset=check_relay , arg2=203.0.113.9",
    "Address unknown maps to mx01.example.net, but this does not map back",
]


def test_name_spelling_another_address_stays_without_standalone() -> None:
    """Next to another address, a name's numbers are no copy of that address."""
    line = "connect from 1-2-3-4.example.net[5.6.7.8]"
    assert names_only(line) == line


@pytest.mark.parametrize("line", LOOK_ALIKES)
def test_look_alikes_stay(line: str) -> None:
    """Names that only look numeric, and numbers that are not in names, are left alone."""
    assert names_only(line, standalone=True) == line
    assert names_only(line, ZERO, standalone=True) == line


# -- names alone ---------------------------------------------------------------------------------

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


def test_repr_names_the_masker_and_the_mode() -> None:
    """The repr says which masker and whether names alone are masked."""
    assert repr(HostnameMasker(X, standalone=True)) == f"HostnameMasker({X!r}, standalone=True)"


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


# -- whole blocks ------------------------------------------------------------------------------


def test_many_lines_in_one_block() -> None:
    """A block of lines is masked line by line, with the bytes between names unchanged."""
    block = (
        b"a 81-14-219-37.example.net[81.14.219.37]\r\n"
        b"\xff\xfe not utf-8 \x00 from 9-8-7-6.example [9.8.7.6]\n"
        b"no final newline from 2001-db8--1.example[2001:db8::1]"
    )
    assert HostnameMasker(X, standalone=False)(block) == (
        b"a 81-14-219-XXX.example.net[81.14.219.37]\r\n"
        b"\xff\xfe not utf-8 \x00 from 9-8-7-XXX.example [9.8.7.6]\n"
        b"no final newline from 2001-db8-000X-XXXX-XXXX-XXXX-XXXX-XXXX.example[2001:db8::1]"
    )


def test_repeated_names_come_from_the_cache() -> None:
    """The same name twice (and in later blocks) is masked the same way each time."""
    names = HostnameMasker(X, standalone=True)
    line = b"from 81-14-219-37.example.net[81.14.219.37]\n"
    first = names(line * 3)
    assert first == b"from 81-14-219-XXX.example.net[81.14.219.37]\n" * 3
    assert names(line * 3) == first


# -- properties ----------------------------------------------------------------------------------

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
octets = st.tuples(*[st.integers(0, 255)] * 4)


def _rotations(o: tuple[int, ...]) -> set[tuple[int, ...]]:
    forward, backward = list(o), list(reversed(o))
    return {tuple(seq[i:] + seq[:i]) for seq in (forward, backward) for i in range(4)}


def _name(template: str, values: list[object]) -> str:
    return template.format(*values)


def _expected_pair(template: str, o: tuple[int, ...], prefix: int, style: str) -> str:
    """The name with the hidden octets written the way the address writes them (the oracle)."""
    net = ipaddress.ip_network(f"{'.'.join(map(str, o))}/{prefix}", strict=False)
    kept = prefix // 8
    values: list[object] = []
    for i, value in enumerate(o):
        if style == "x":
            values.append(value if i < kept else "XXX")
        else:
            values.append(int(str(net.network_address).split(".")[i]))
    if "{0:03d}" in template:
        text = [f"{v:03d}" if isinstance(v, int) else v for v in values]
        return template.replace(":03d", "").format(*text)
    return _name(template, values)


@settings(max_examples=300, deadline=None)
@given(
    o=octets,
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
    name = _name(template, list(o))
    addr = ".".join(map(str, o))
    line = shape.format(name=name, addr=addr)
    out = names_only(line, masker)
    assert out == shape.format(name=_expected_pair(template, o, prefix, style), addr=addr)


@settings(max_examples=200, deadline=None)
@given(o=octets, template=st.sampled_from(TEMPLATES[:-2]), prefix=st.sampled_from([8, 16, 24]))
def test_property_alone_name_loses_what_either_reading_hides(o, template, prefix):
    """A random IPv4 in a name alone: what either reading hides is XXX, the rest intact."""
    kept = prefix // 8
    name = _name(template, list(o))
    # Position in the name order: a forward template writes octet i at position i.
    order = [0, 1, 2, 3] if template.index("{0") < template.index("{3") else [3, 2, 1, 0]
    by_position = [o[i] for i in order]
    hidden = {p for p in range(4) if p >= kept or 3 - p >= kept}
    values: list[object] = ["XXX" if p in hidden else by_position[p] for p in range(4)]
    expected = _name(template, [values[order.index(i)] for i in range(4)])
    masker = Masker(ipv4_prefix=prefix)
    assert names_only(f"host {name} x", masker, standalone=True) == f"host {expected} x"


@settings(max_examples=200, deadline=None)
@given(o=octets, template=st.sampled_from(TEMPLATES), shape=st.sampled_from(SHAPES))
def test_property_no_copy_left_in_clear(o, template, shape):
    """Whatever the octets (repeats included), no copy of the whole address stays in the name."""
    name = _name(template, list(o))
    addr = ".".join(map(str, o))
    out = both(shape.format(name=name, addr=addr), standalone=True)
    digits = [str(v) for v in o]
    for sep in "-.":
        for seq in (digits, digits[::-1]):
            assert not re.search(rf"(?<![0-9]){re.escape(sep.join(seq))}(?![0-9])", out)
    assert "".join(f"{v:03d}" for v in o) not in out


@settings(max_examples=150, deadline=None)
@given(o=octets, template=st.sampled_from(TEMPLATES), shape=st.sampled_from(SHAPES))
def test_property_masking_twice_changes_nothing(o, template, shape):
    """The pass and the core together are idempotent, in both styles."""
    line = shape.format(name=_name(template, list(o)), addr=".".join(map(str, o)))
    for masker in (X, ZERO):
        once = both(line, masker, standalone=True)
        assert both(once, masker, standalone=True) == once


def _skeleton(data: bytes) -> tuple[bytes, int]:
    """The bytes a name edit may not touch, and the number of lines."""
    return re.sub(rb"[0-9A-Fa-fX:.\-]+", b"_", data), data.count(b"\n")


NAMEISH = st.binary().map(bytes) | st.text(
    alphabet="0123456789abcdefip-.:[]() ,=Xarpn\n\r", max_size=200
).map(str.encode)


@settings(max_examples=400, deadline=None)
@given(data=NAMEISH, standalone=st.booleans())
def test_property_any_bytes_never_raise_and_keep_their_shape(data, standalone):
    """Any bytes: no exception, the same number of lines, and nothing outside numbers changed."""
    for masker in (X, ZERO):
        names = HostnameMasker(masker, standalone=standalone)
        out = names(data)
        assert _skeleton(out) == _skeleton(data)
        assert _skeleton(names.mask_name(data)) == _skeleton(data)


# -- the fail2ban samples, when present ----------------------------------------------------------

_LABEL = re.compile(r'^#\s*failJSON:.*"host":\s*"([0-9]{1,3}(?:\.[0-9]{1,3}){3})"')


def _labelled_ipv4_lines() -> list[tuple[str, bytes]]:
    """(address, line) for each sample line labelled with an IPv4 client address."""
    out = []
    for path in sorted(CORPUS.iterdir()):
        lines = path.read_bytes().splitlines()
        for i, raw in enumerate(lines[:-1]):
            label = _LABEL.match(raw.decode("utf-8", "replace"))
            if label:
                following = (x for x in lines[i + 1 :] if not x.startswith(b"#"))
                line = next(following, None)
                if line is not None:
                    out.append((label[1], line))
    return out


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the fail2ban samples are not beside the checkout")
def test_corpus_no_labelled_address_left_in_names() -> None:
    """In the fail2ban samples, no labelled address is left spelled out after masking."""
    cases = _labelled_ipv4_lines()
    assert len(cases) > 500
    names = HostnameMasker(X, standalone=True)
    left = []
    for addr, line in cases:
        out = X.mask_bytes(names(line)).decode("utf-8", "replace")
        digits = addr.split(".")
        for sep in "-.":
            for seq in (digits, digits[::-1]):
                if re.search(rf"(?<![0-9]){re.escape(sep.join(seq))}(?![0-9])", out):
                    left.append(out)
    assert left == []


def test_caches_are_emptied_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a tiny cache limit, results stay right and the caches stay small."""
    monkeypatch.setattr("ipmask.hostnames.CACHE_LIMIT", 2)
    names = HostnameMasker(X, standalone=True)
    for last in range(10):
        line = f"from 81-14-219-{last}.example.net[81.14.219.{last}] rhost=ip-9-9-9-{last}.example"
        assert names(line.encode()) == (
            b"from 81-14-219-XXX.example.net[81.14.219.%d] rhost=ip-XXX-9-9-XXX.example" % last
        )
        assert names.mask_name(b"s1-2-3-%d" % last) == b"sXXX-2-3-XXX"
    assert len(names._names) <= 2
    assert len(names._alone) <= 3
