"""The scanning patterns of ipmask.masking._grammar (SCAN_V6, SCAN_V4) at the boundaries their
quick rejections and rewrites touch.

Each case names what a scan reports: (lead, body), the lead being the first group captured by
a lookbehind (None for "::1") and the body the text matched from the first separator on.
"""

from __future__ import annotations

import re

from ipmask.masking import _grammar as grammar

_V6 = re.compile(grammar.SCAN_V6.encode("ascii"))
_V4 = re.compile(grammar.SCAN_V4.encode("ascii"))

Found = list[tuple["bytes | None", bytes]]


def _scan(pattern: re.Pattern[bytes], data: bytes) -> Found:
    """Return (lead, body) for each match, as the scanner (ipmask.masking._scan) builds its keys."""
    out: Found = []
    for match in pattern.finditer(data):
        lead = next((g for g in match.groups()[1:] if g is not None), None)
        out.append((lead, match[1]))
    return out


def v6(data: bytes) -> Found:
    """What the IPv6 scan finds in ``data``."""
    return _scan(_V6, data)


def v4(data: bytes) -> Found:
    """What the IPv4 scan finds in ``data``."""
    return _scan(_V4, data)


def _groups(pattern: re.Pattern[bytes], data: bytes) -> tuple[bytes | None, ...]:
    """Return the groups of the first match in ``data``."""
    match = pattern.search(data)
    assert match is not None
    return match.groups()


def test_group_layout_is_body_then_one_lead_per_width() -> None:
    """SCAN_V6 has body + leads of width 4, 3, 2, 1; SCAN_V4 body + leads of width 3, 2, 1."""
    assert _V6.groups == 5
    assert _V4.groups == 4
    assert _groups(_V6, b"2001:db8::1") == (b":db8::1", b"2001", None, None, None)
    assert _groups(_V6, b"a::1") == (b"::1", None, None, None, b"a")
    assert _groups(_V4, b"10.0.0.1") == (b".0.0.1", None, b"10", None)


def test_double_colon_at_start_of_data() -> None:
    """At the very start of the data, "::1" is an address with no lead."""
    assert v6(b"::1 rest") == [(None, b"::1")]


def test_lead_at_start_of_data() -> None:
    """A lead at the very start of the data needs no character before it."""
    assert v6(b"1::1") == [(b"1", b"::1")]


def test_glued_lead_at_start_of_data() -> None:
    """At the start, ":1::2" has no address: "1" is glued to a ":" with nothing before it."""
    assert v6(b":1::2") == []


def test_glued_to_letter_at_start_of_data() -> None:
    """At the start, "g1::2" has no address: "1" is glued to the letter before it."""
    assert v6(b"g1::2") == []


def test_tag_at_start_of_data() -> None:
    """At the start, the tag frees the lead after it ("IPv6:1::2")."""
    assert v6(b"IPv6:1::2") == [(b"1", b"::2")]


def test_lead_six_at_start_of_data() -> None:
    """At the start, "6:1::2" is an address whose lead is "6"."""
    assert v6(b"6:1::2") == [(b"6", b":1::2")]


def test_stray_colons_at_start_of_data() -> None:
    """At the start, ":::1" has no address: "::" is glued to another ":"."""
    assert v6(b":::1") == []


def test_double_colon_after_tag() -> None:
    """The tag followed by "::1" ("IPv6:::1") gives "::1"."""
    assert v6(b"IPv6:::1") == [(None, b"::1")]


def test_tag_with_one_colon_before_group() -> None:
    """The tag followed by ":1" ("IPv6::1") gives no address."""
    assert v6(b"IPv6::1") == []


def test_one_digit_lead_after_tag() -> None:
    """A one-digit lead right after the tag, in any case ("ipv6:1::2"), is found."""
    assert v6(b"ipv6:1::2") == [(b"1", b"::2")]


def test_four_digit_lead_after_tag() -> None:
    """The address literal of RFC 5321 keeps its tag out of the address."""
    assert v6(b"helo=<[IPv6:2001:db8::1]>") == [(b"2001", b":db8::1")]


def test_partial_tag_is_no_boundary() -> None:
    """A ":" after "6" that ends no whole tag ("v6:1::2") is no boundary."""
    assert v6(b"v6:1::2") == []


def test_lead_glued_to_letter() -> None:
    """A lead glued to a letter ("xg1:1::2") is no address, nor is the rest."""
    assert v6(b"xg1:1::2") == []


def test_lead_glued_to_colon_after_six() -> None:
    """A ":" after "6" frees no lead: "16:1::2" is one address, "x6:1:1::2" none."""
    assert v6(b" 16:1::2") == [(b"16", b":1::2")]
    assert v6(b"x6:1:1::2") == []


def test_bracketed_double_colon() -> None:
    """A bracket is a boundary before "::" ("[::1]")."""
    assert v6(b"[::1]") == [(None, b"::1")]


def test_hex_letter_before_double_colon_is_the_lead() -> None:
    """A hex letter glued to "::" ("a::1") is the first group."""
    assert v6(b"a::1") == [(b"a", b"::1")]


def test_other_letter_before_double_colon() -> None:
    """Glued to a letter on the left, "g::1" and "xa::1" are no addresses."""
    assert v6(b"g::1") == []
    assert v6(b"xa::1") == []


def test_mapped_ipv4() -> None:
    """A mapped IPv4 ("::ffff:1.2.3.4") is one IPv6 match, dotted tail included."""
    assert v6(b"rip=::ffff:1.2.3.4,") == [(None, b"::ffff:1.2.3.4")]


def test_too_many_groups_glued_to_colons() -> None:
    """Nine groups are no address, at any of their ":"."""
    assert v6(b"1:1:1:1:1:1:1:1:1") == []
    assert v6(b":".join([b"ffff"] * 9)) == []


def test_eight_groups() -> None:
    """Eight groups are an address, found at the first ":"."""
    assert v6(b"1:2:3:4:5:6:7:8") == [(b"1", b":2:3:4:5:6:7:8")]


def test_double_colon_after_seventh_group() -> None:
    """An address may end with "::" after its seventh group."""
    assert v6(b"1:2:3:4:5:6:7:: ") == [(b"1", b":2:3:4:5:6:7::")]


def test_dotted_tail_after_six_groups() -> None:
    """Six groups and a dotted IPv4 make eight groups."""
    assert v6(b"1:2:3:4:5:6:1.2.3.4") == [(b"1", b":2:3:4:5:6:1.2.3.4")]


def test_time_is_no_address() -> None:
    """A time after a year ("2025:00:00:00"): four groups and no "::" are no address."""
    assert v6(b"[22/Nov/2025:00:00:00 +0100]") == []


def test_lead_longer_than_a_group() -> None:
    """Five hex digits ("fffff:1::2") cannot be a lead."""
    assert v6(b"fffff:1::2") == []


def test_ipv4_at_start_of_data() -> None:
    """An IPv4 address at the very start of the data has its lead."""
    assert v4(b"1.2.3.4") == [(b"1", b".2.3.4")]


def test_ipv4_glued_on_the_left() -> None:
    """Glued to a letter, "_" or "." on the left, an IPv4 is no address."""
    for text in (b"a1.2.3.4", b"_1.2.3.4", b".1.2.3.4", b"v2.3.19.1"):
        assert v4(text) == [], text


def test_ipv4_run_of_dots() -> None:
    """A run of five numbers ("1.1.1.1.1") is no address, at any of its "."."""
    assert v4(b"1.1.1.1.1") == []


def test_ipv4_lead_widths() -> None:
    """Leads of two and three digits; a three-digit lead must be an octet."""
    assert v4(b" 12.1.1.1") == [(b"12", b".1.1.1")]
    assert v4(b"192.030.0.6") == [(b"192", b".030.0.6")]
    assert v4(b"300.1.1.1") == []
    assert v4(b"1234.1.1.1") == []


def test_ipv4_last_octet() -> None:
    """The last octet is read whole: 255 is one, 256 makes no address."""
    assert v4(b"1.2.3.255") == [(b"1", b".2.3.255")]
    assert v4(b"1.2.3.256") == []


def test_product_version() -> None:
    """After "letter/", x.y.0.0 is a product version; other addresses after "/" are not."""
    assert v4(b"Chrome/120.0.0.0") == []
    assert v4(b"a/12.0.0.0") == []
    assert v4(b"Chrome/120.0.0.1") == [(b"120", b".0.0.1")]
    assert v4(b"/1.0.0.0") == [(b"1", b".0.0.0")]


def test_dotted_port() -> None:
    """An IPv4 then "." and 256-65535 ("203.0.113.8.40123") is an address and a port."""
    assert v4(b"203.0.113.8.40123") == [(b"203", b".0.113.8")]


def test_ipv4_after_colon() -> None:
    """Two addresses joined by ":" ("1.1.1.1:1.1.1.1") are both found."""
    assert v4(b"1.1.1.1:1.1.1.1") == [(b"1", b".1.1.1"), (b"1", b".1.1.1")]
