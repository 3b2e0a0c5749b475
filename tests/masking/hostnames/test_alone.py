"""Names alone (ipmask.masking.hostnames._alone, through HostnameMasker with standalone): a name
that spells a whole address on its own loses what either reading of it would hide."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import OCTETS, ZERO, X, oracle_v4
from ipmask.masking import Masker
from ipmask.masking.hostnames import HostnameMasker
from masking.hostnames.helpers import TEMPLATES, names_only, render

#: Name positions of an address's octets, read forwards and read backwards.
FORWARD, BACKWARD = (0, 1, 2, 3), (3, 2, 1, 0)

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


def _hidden(
    octets: tuple[int, ...], masker: Masker, readings: tuple[tuple[int, ...], ...]
) -> list[str | None]:
    """Per position of a name alone, the octet as masking writes it if a reading hides it.

    The oracle: each reading is an address (the name's numbers in that order) masked by
    ``oracle_v4``; a position is hidden when one reading changes the octet standing there.
    Prefixes are multiples of 8 here, so a hidden octet is all hidden ("XXX" or "0").
    """
    policy = masker.policy
    hidden: list[str | None] = [None] * 4
    for order in readings:
        address = [octets[p] for p in order]
        value = int.from_bytes(bytes(address), "big")
        masked = oracle_v4(value, policy.ipv4_prefix, policy.style).split(".")
        for i, position in enumerate(order):
            if masked[i] != str(address[i]):
                hidden[position] = masked[i]
    return hidden


@settings(max_examples=200, deadline=None)
@given(o=OCTETS, template=st.sampled_from(TEMPLATES[:-2]), prefix=st.sampled_from([8, 16, 24]))
def test_property_alone_name_loses_what_either_reading_hides(o, template, prefix):
    """A random IPv4 in a name alone: what either reading hides is XXX, the rest intact."""
    masker = Masker(ipv4_prefix=prefix)
    # A forward template writes octet i at position i; a backward one at position 3 - i.
    order = FORWARD if template.index("{0") < template.index("{3") else BACKWARD
    by_position = [o[i] for i in order]
    hidden = _hidden(tuple(by_position), masker, (FORWARD, BACKWARD))
    values = [by_position[p] if hidden[p] is None else hidden[p] for p in range(4)]
    expected = render(template, [values[order.index(i)] for i in range(4)])
    name = render(template, o)
    assert names_only(f"host {name} x", masker, standalone=True) == f"host {expected} x"


@st.composite
def _dotted_names_alone(draw: st.DrawFn, masker: Masker) -> tuple[str, str]:
    """A name alone in one of the dotted notations (four numbers before a label, twelve digits
    before a label, ip6.arpa), in a context that lets it stand alone, and how it is masked."""
    notation = draw(st.sampled_from(["quad", "padded", "arpa"]))
    if notation == "arpa":
        value = draw(st.integers(1 << 125, 2**128 - 1))  # global unicast: never IPv4-mapped
        nibbles = list(f"{value:032x}"[::-1])
        if draw(st.booleans()):
            nibbles = [n.upper() for n in nibbles]
        kept = masker.policy.ipv6_prefix // 4
        hide = "X" if masker.policy.style == "x" else "0"
        masked = [hide if i < 32 - kept else n for i, n in enumerate(nibbles)]
        arpa = draw(st.sampled_from([".ip6.arpa", ".IP6.ARPA", ".ip6.arpa."]))
        left = draw(st.sampled_from(["", "PTR ", "<", "name="]))
        return left + ".".join(nibbles) + arpa, left + ".".join(masked) + arpa
    octets = draw(OCTETS)
    label = draw(st.sampled_from(["example", "dialup.example", "Static.example.net", "x1.de"]))
    if notation == "padded":
        label = draw(st.sampled_from(["", "dsl", "ip-", "a."])) + "%s." + label
        hidden = _hidden(octets, masker, (FORWARD, BACKWARD))
        digits = [
            f"{o:03d}" if h is None else h.rjust(3, "0")
            for o, h in zip(octets, hidden, strict=True)
        ]
        return label % "".join(f"{o:03d}" for o in octets), label % "".join(digits)
    reverse = draw(st.booleans())
    if reverse:
        label = draw(st.sampled_from(["in-addr.arpa", "IN-ADDR.ARPA"]))
    left = draw(st.sampled_from(["", "host ", "rhost=", "helo=<", "mx.", "a-b."]))
    hidden = _hidden(octets, masker, (BACKWARD,) if reverse else (FORWARD, BACKWARD))
    written = [str(o) if h is None else h for o, h in zip(octets, hidden, strict=True)]
    name = ".".join(map(str, octets))
    return f"{left}{name}.{label}", f"{left}{'.'.join(written)}.{label}"


#: Texts of labels and separators, mostly dots: many of them end names alone, many do not.
_NOISE = st.lists(
    st.tuples(
        st.one_of(
            st.integers(0, 999).map(str),
            st.sampled_from(["0", "1234", "072053132234", "0720531322345", "00"]),
            st.sampled_from(["a", "x", "ip", "static", "in-addr", "arpa", "ip6", "IP6", "f"]),
            st.tuples(*[st.integers(0, 999)] * 4).map(lambda quad: ".".join(map(str, quad))),
            st.lists(st.sampled_from("0123456789abcdef"), min_size=31, max_size=33).map(".".join),
        ),
        st.sampled_from([".", ".", ".", "-", ":", "_", ""]),
    ),
    max_size=12,
).map(lambda parts: "".join(label + sep for label, sep in parts))


@settings(max_examples=250, deadline=None)
@given(
    data=st.data(),
    masker=st.sampled_from([X, ZERO, Masker(ipv4_prefix=16, ipv6_prefix=32)]),
    before=_NOISE,
    after=_NOISE,
)
def test_property_every_dotted_name_alone_is_found(data, masker, before, after):
    """However its digits and context look, a dotted name alone is found and masked."""
    name, expected = data.draw(_dotted_names_alone(masker))
    line = f"{before} {name} {after}"
    masked_before, masked_after = (names_only(t, masker, standalone=True) for t in (before, after))
    assert names_only(line, masker, standalone=True) == (
        f"{masked_before} {expected} {masked_after}"
    )


def test_ip6_arpa_name_ending_in_a_letter() -> None:
    """An ip6.arpa name whose address starts with a letter nibble (fd00::/8) is found too."""
    name = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.a.9.8.7.6.5.4.3.2.1.d.f.ip6.arpa"
    masked = "X." * 21 + "9.8.7.6.5.4.3.2.1.d.f.ip6.arpa"
    assert names_only(f"PTR {name}", standalone=True) == f"PTR {masked}"
