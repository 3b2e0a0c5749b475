"""Tests for ipmask.core: finding and masking addresses, against the masking contract."""

from __future__ import annotations

import ipaddress
import re

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

import ipmask
from ipmask import core
from ipmask.core import Masker, mask_ip, mask_text
from ipmask.errors import AddressError, ConfigError

# -- an independent oracle, built on the ipaddress module ---------------------------------


def oracle_v4(value: int, prefix: int, style: str) -> str:
    """The contract's text for an IPv4 address, computed without ipmask."""
    if style == "zero":
        net = ipaddress.IPv4Network((value, prefix), strict=False)
        return str(net.network_address)
    octets = str(ipaddress.IPv4Address(value)).split(".")
    kept = prefix // 8
    return ".".join(octets[:kept] + ["XXX"] * (4 - kept))


def oracle_v6(value: int, prefix: int, style: str, ipv4_prefix: int = 24) -> str:
    """The contract's text for an IPv6 address, computed without ipmask."""
    mapped = ipaddress.IPv6Address(value).ipv4_mapped
    if mapped is not None:
        return "::ffff:" + oracle_v4(int(mapped), ipv4_prefix, style)
    if style == "zero":
        return str(ipaddress.IPv6Network((value, prefix), strict=False).network_address)
    groups = hex_groups(value)
    out = []
    for i, group in enumerate(groups):
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


def v4_text(value: int, pads: list[int]) -> str:
    """IPv4 text with each octet padded by leading zeros to the given width."""
    octets = str(ipaddress.IPv4Address(value)).split(".")
    return ".".join(o.zfill(min(3, max(len(o), p))) for o, p in zip(octets, pads, strict=True))


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


V4_PREFIX_X = st.sampled_from([0, 8, 16, 24, 32])
V6_PREFIX_X = st.integers(0, 32).map(lambda n: 4 * n)
LEFT = st.sampled_from([" ", "[", "(", "<", "=", ",", '"', "'", "\t", "client "])
# "" is the end of the text; the tests put nothing after it.
RIGHT = st.sampled_from([" ", "]", ")", ">", ",", ";", '"', "'", "\n", "\r\n", ""])

# -- the policy's own examples ------------------------------------------------------------


def test_policy_ipv4_example() -> None:
    """The privacy policy's IPv4 example, verbatim."""
    assert mask_ip("78.46.198.140") == "78.46.198.XXX"


def test_policy_ipv6_example() -> None:
    """The privacy policy's IPv6 example, with 44 bits kept (written 1c1X, not 1c1XX)."""
    assert mask_ip("2a01:4f8:1c17:413b::1") == "2a01:4f8:1c1X:XXXX:XXXX:XXXX:XXXX:XXXX"


def test_package_exports_api() -> None:
    """The public names are importable from the package and __all__ is sorted."""
    assert ipmask.mask_ip is mask_ip
    assert ipmask.mask_text is mask_text
    assert ipmask.Masker is Masker
    assert list(ipmask.__all__) == sorted(ipmask.__all__)


# -- single addresses ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kwargs", "expected"),
    [
        ("78.46.198.140", {"ipv4_prefix": 16}, "78.46.XXX.XXX"),
        ("78.46.198.140", {"style": "zero"}, "78.46.198.0"),
        ("2a01:4f8:1c17:413b::1", {"style": "zero"}, "2a01:4f8:1c10::"),
        ("2a01:4f8:1c17:413b::1", {"ipv6_prefix": 48}, "2a01:4f8:1c17:XXXX:XXXX:XXXX:XXXX:XXXX"),
        ("2a01:4f8::", {"ipv6_prefix": 20}, "2a01:0XXX:XXXX:XXXX:XXXX:XXXX:XXXX:XXXX"),
        ("192.030.0.6", {}, "192.30.0.XXX"),
        ("::ffff:78.46.198.140", {}, "::ffff:78.46.198.XXX"),
        ("::FFFF:4e2e:c68c", {}, "::ffff:78.46.198.XXX"),
        ("0:0:0:0:0:ffff:78.46.198.140", {"style": "zero"}, "::ffff:78.46.198.0"),
        ("fe80::1%eth0", {"style": "zero"}, "fe80::%eth0"),
        ("2A01:04F8::1", {"ipv6_prefix": 32}, "2a01:4f8:XXXX:XXXX:XXXX:XXXX:XXXX:XXXX"),
    ],
)
def test_mask_ip_examples(address: str, kwargs: dict[str, object], expected: str) -> None:
    """Worked examples from the contract: prefixes, styles, mapped, zones, case, zeros."""
    assert mask_ip(address, **kwargs) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text", ["", "x", "1.2.3", "256.1.1.1", "1.2.3.4.5", "1::2::3", ":::", " 1.2.3.4"]
)
def test_mask_ip_rejects_non_addresses(text: str) -> None:
    """A string that is not one address raises AddressError, a ValueError naming the input."""
    with pytest.raises(AddressError, match=re.escape(repr(text))) as info:
        mask_ip(text)
    assert isinstance(info.value, ValueError)


@given(
    value=st.integers(0, 2**32 - 1),
    prefix=V4_PREFIX_X,
    pads=st.lists(st.integers(1, 3), min_size=4, max_size=4),
)
def test_ipv4_x_matches_oracle(value: int, prefix: int, pads: list[int]) -> None:
    """Any IPv4 text (leading zeros too) masks to the contract's x form."""
    assert mask_ip(v4_text(value, pads), ipv4_prefix=prefix) == oracle_v4(value, prefix, "x")


@given(value=st.integers(0, 2**32 - 1), prefix=st.integers(0, 32))
def test_ipv4_zero_matches_oracle(value: int, prefix: int) -> None:
    """Zero style writes the network address for any prefix."""
    text = str(ipaddress.IPv4Address(value))
    assert mask_ip(text, ipv4_prefix=prefix, style="zero") == oracle_v4(value, prefix, "zero")


@settings(max_examples=500)
@given(v6=v6_texts(), prefix=V6_PREFIX_X)
def test_ipv6_x_matches_oracle(v6: tuple[int, str], prefix: int) -> None:
    """Any IPv6 text form masks to the contract's x form (mapped ones as IPv4)."""
    value, text = v6
    assert mask_ip(text, ipv6_prefix=prefix) == oracle_v6(value, prefix, "x")


@settings(max_examples=500)
@given(v6=v6_texts(), prefix=st.integers(0, 128))
def test_ipv6_zero_matches_oracle(v6: tuple[int, str], prefix: int) -> None:
    """Zero style is the RFC 5952 network address; mapped addresses use the IPv4 prefix."""
    value, text = v6
    assert mask_ip(text, ipv6_prefix=prefix, style="zero") == oracle_v6(value, prefix, "zero")


@given(v6=v6_texts(), zone=st.from_regex(r"\A%[a-z0-9]{1,8}\Z"))
def test_zone_id_is_kept(v6: tuple[int, str], zone: str) -> None:
    """A zone id stays as written after the masked address."""
    _, text = v6
    assert mask_ip(text + zone).endswith(zone)
    assert mask_ip(text + zone) == mask_ip(text) + zone


# -- addresses in text --------------------------------------------------------------------


@settings(max_examples=300)
@given(
    value=st.integers(0, 2**32 - 1),
    pads=st.lists(st.integers(1, 3), min_size=4, max_size=4),
    left=LEFT,
    right=RIGHT,
    style=st.sampled_from(["x", "zero"]),
)
def test_ipv4_found_in_text(value: int, pads: list[int], left: str, right: str, style: str) -> None:
    """An IPv4 address between boundary characters is found and masked exactly."""
    text = f"a{left}{v4_text(value, pads)}{right}"
    assert mask_text(text, style=style) == f"a{left}{oracle_v4(value, 24, style)}{right}"


@settings(max_examples=300)
@given(v6=v6_texts(), left=LEFT, right=RIGHT, style=st.sampled_from(["x", "zero"]))
def test_ipv6_found_in_text(v6: tuple[int, str], left: str, right: str, style: str) -> None:
    """An IPv6 address between boundary characters is found and masked exactly."""
    _, addr = v6
    assume(addr != "::")  # "::" alone is not an address in text (contract)
    expected = mask_ip(addr, style=style)
    assert mask_text(f"a{left}{addr}{right}", style=style) == f"a{left}{expected}{right}"


@given(v6=v6_texts(), port=st.integers(0, 65535))
def test_bracketed_ipv6_with_port(v6: tuple[int, str], port: int) -> None:
    """Brackets and the port after them stay; the address inside is masked."""
    _, addr = v6
    assume(addr != "::")
    assert mask_text(f"[{addr}]:{port}") == f"[{mask_ip(addr)}]:{port}"


@given(value=st.integers(0, 2**32 - 1), port=st.integers(0, 65535))
def test_ipv4_with_port(value: int, port: int) -> None:
    """An IPv4 address keeps its :port."""
    addr = str(ipaddress.IPv4Address(value))
    assert mask_text(f"from {addr}:{port} ok") == f"from {oracle_v4(value, 24, 'x')}:{port} ok"


@settings(max_examples=300)
@given(
    parts=st.lists(
        st.one_of(
            st.integers(0, 2**32 - 1).map(lambda v: str(ipaddress.IPv4Address(v))),
            v6_texts().map(lambda t: t[1]),
            st.sampled_from(
                [" ", "[", "]", "=", ", ", "\n", "host ", ":443 ", "Chrome/120.0.0.0 "]
            ),
        ),
        max_size=12,
    ),
    style=st.sampled_from(["x", "zero"]),
)
def test_masking_is_idempotent(parts: list[str], style: str) -> None:
    """Masking already masked text changes nothing."""
    once = mask_text("".join(parts), style=style)
    assert mask_text(once, style=style) == once


DANGEROUS = st.binary() | st.lists(
    st.sampled_from(
        [
            b"1",
            b"9",
            b"0",
            b"a",
            b"F",
            b":",
            b".",
            b"::",
            b" ",
            b"\n",
            b"\r\n",
            b"\x00",
            b"\xff",
            b"/",
            b"[",
            b"]",
            b"%",
            b"ffff",
            b"255",
            b"IPv6:",
            b"X",
            b"\xc3\xa9",
        ]
    ),
    max_size=60,
).map(b"".join)
_ADDRESS_CHARS = re.compile(rb"[0-9A-Fa-fX.:]")


@settings(max_examples=1000)
@given(data=DANGEROUS, style=st.sampled_from(["x", "zero"]))
@example(data=b"1.2.3.4\r\n\x00\xff::1", style="x")
def test_random_bytes_never_raise_and_keep_other_bytes(data: bytes, style: str) -> None:
    """Random bytes never raise; lines and every byte that cannot be in an address survive."""
    out = Masker(style=style).mask_bytes(data)
    assert out.count(b"\n") == data.count(b"\n")
    assert _ADDRESS_CHARS.sub(b"", out) == _ADDRESS_CHARS.sub(b"", data)


@pytest.mark.parametrize(
    "text",
    [
        "v2.3.19.1",
        "a1.2.3.4",
        "1.2.3.4.5",
        "256.1.1.1",
        "1.2.3",
        "Mozilla/5.0 Chrome/120.0.0.0 Safari/537.36",
        "Edg/120.0.0.0 OPR/105.0.0.0",
        "00:1a:2b:3c:4d:5e",
        "at 23:59:59 today",
        "2026-11-22T10:15:32.123+01:00",
        "SHA256:4b:3a:9f:00:11:22:33:44:55:66:77:88:99:aa:bb:cc",
        "5b:20:96:8b:5b:20:96:8b:5b:20:96:8b:5b:20:96:8b",
        "std::vector<int>",
        "::",
        "[::]:443",
        "x_1.2.3.4",
        "1::2::3",
        "1:2:3:4:5:6:7:8:9",
        "78.46.198.XXX",
        "2a01:4f8:1c1X:XXXX:XXXX:XXXX:XXXX:XXXX",
    ],
)
def test_look_alikes_stay_untouched(text: str) -> None:
    """Versions, MACs, times, fingerprints, C++ scopes and masked text are not addresses."""
    assert mask_text(text) == text
    assert mask_text(text, style="zero") == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("unknown[192.0.2.1]:25", "unknown[192.0.2.XXX]:25"),
        ("rip=::ffff:1.2.3.4, lip=", "rip=::ffff:1.2.3.XXX, lip="),
        ("helo=<[IPv6:2001:db8::1]>", "helo=<[IPv6:2001:db8:000X:XXXX:XXXX:XXXX:XXXX:XXXX]>"),
        ("[IPv6:::1]", "[IPv6:0:0:000X:XXXX:XXXX:XXXX:XXXX:XXXX]"),
        ("2001:db8::1234:58430", "2001:db8:000X:XXXX:XXXX:XXXX:XXXX:XXXX:58430"),
        ("2001:db8::1:443", "2001:db8:000X:XXXX:XXXX:XXXX:XXXX:XXXX"),
        ("IPV4/UDP/203.0.113.7/5060", "IPV4/UDP/203.0.113.XXX/5060"),
        ("/query/ip/203.0.113.7", "/query/ip/203.0.113.XXX"),
        ("Chrome/120.0.0.1", "Chrome/120.0.0.XXX"),
        ("203.0.113.8.40123", "203.0.113.XXX.40123"),
        ("1.2.3.4.example.net", "1.2.3.XXX.example.net"),
        ("pam(alice,203.0.113.9,<x>)", "pam(alice,203.0.113.XXX,<x>)"),
        ("fe80::1%eth0 up", "fe80:0:000X:XXXX:XXXX:XXXX:XXXX:XXXX%eth0 up"),
        ("end 1.2.3.4.", "end 1.2.3.XXX."),
        ("2001:db8::1.2.3.4", "2001:db8:000X:XXXX:XXXX:XXXX:XXXX:XXXX"),
        ("078.046.198.140", "78.46.198.XXX"),
        ("1.2.3.4 5.6.7.8", "1.2.3.XXX 5.6.7.XXX"),
        ("2A01:4F8:1C17::1", "2a01:4f8:1c1X:XXXX:XXXX:XXXX:XXXX:XXXX"),
    ],
)
def test_real_shapes_are_masked(text: str, expected: str) -> None:
    """Shapes from real daemons' logs are masked with their decorations intact."""
    assert mask_text(text) == expected


def test_str_and_bytes_keep_their_type() -> None:
    """mask_text returns str for str and bytes for bytes, with non-ASCII text intact."""
    assert mask_text("é 1.2.3.4 ü") == "é 1.2.3.XXX ü"
    assert mask_text(b"\xe9 1.2.3.4 \xff") == b"\xe9 1.2.3.XXX \xff"


def test_lone_surrogates_survive_in_str() -> None:
    """A str holding undecodable bytes (surrogateescape) comes back unchanged around addresses."""
    text = b"\xff 1.2.3.4".decode("utf-8", "surrogateescape")
    assert mask_text(text) == b"\xff 1.2.3.XXX".decode("utf-8", "surrogateescape")


def test_bytes_survive_byte_for_byte() -> None:
    """NUL, CR LF, invalid UTF-8, trailing spaces and no final newline pass through."""
    data = b"a\x00 1.2.3.4\r\n\xff\xfe [::1]  \r\nno newline 10.0.0.1"
    assert mask_text(data) == (
        b"a\x00 1.2.3.XXX\r\n\xff\xfe [0:0:000X:XXXX:XXXX:XXXX:XXXX:XXXX]  \r\n"
        b"no newline 10.0.0.XXX"
    )


# -- keep ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keep", "text", "expected"),
    [
        (["198.51.100.0/24"], "198.51.100.7 198.51.101.7", "198.51.100.7 198.51.101.XXX"),
        (
            ["2a01:4f8:1c17::/48"],
            "2a01:4f8:1c17::1 2a01:4f8:1c18::1",
            "2a01:4f8:1c17::1 2a01:4f8:1c1X:XXXX:XXXX:XXXX:XXXX:XXXX",
        ),
        (
            ["private"],
            "10.1.2.3 172.16.0.1 192.168.9.9 fd00::1 8.8.8.8",
            "10.1.2.3 172.16.0.1 192.168.9.9 fd00::1 8.8.8.XXX",
        ),
        (["loopback"], "127.0.0.1 ::1 128.0.0.1", "127.0.0.1 ::1 128.0.0.XXX"),
        (["203.0.113.9"], "203.0.113.9 203.0.113.10", "203.0.113.9 203.0.113.XXX"),
        (["10.0.0.0/8"], "::ffff:10.1.2.3 ::ffff:11.1.2.3", "::ffff:10.1.2.3 ::ffff:11.1.2.XXX"),
        (["192.0.2.77/24"], "192.0.2.1", "192.0.2.1"),
    ],
)
def test_keep_networks_stay_as_written(keep: list[str], text: str, expected: str) -> None:
    """Addresses inside keep networks (CIDR, names, mapped) are left exactly as written."""
    assert mask_text(text, keep=keep) == expected


# -- configuration errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ipv4_prefix": 33}, "0 to 32"),
        ({"ipv4_prefix": -1}, "0 to 32"),
        ({"ipv6_prefix": 129}, "0 to 128"),
        ({"ipv4_prefix": 20}, "multiple of 8"),
        ({"ipv6_prefix": 45}, "multiple of 4"),
        ({"ipv4_prefix": "24"}, "whole number"),
        ({"ipv4_prefix": True}, "whole number"),
        ({"style": "hash"}, "x, zero"),
        ({"keep": ["10.0.0.0/33"]}, "larger than 32"),
        ({"keep": ["banana"]}, "not a network"),
        ({"keep": ["10.0.0.0/x"]}, "not a network"),
        ({"keep": "private"}, "list of networks"),
        ({"keep": [42]}, "not a string"),
    ],
)
def test_bad_settings_raise_config_error(kwargs: dict[str, object], message: str) -> None:
    """Each bad setting raises ConfigError (a ValueError) saying what is allowed."""
    with pytest.raises(ConfigError, match=re.escape(message)) as info:
        Masker(**kwargs)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError)


def test_zero_style_takes_any_prefix() -> None:
    """Prefixes that are no multiple of 8 or 4 are fine in zero style."""
    assert (
        Masker(ipv4_prefix=20, ipv6_prefix=45, style="zero").mask_ip("78.46.198.140")
        == "78.46.192.0"
    )


def test_mask_text_rejects_a_lone_keep_string() -> None:
    """mask_text(keep="private") is refused like Masker does, not read letter by letter."""
    with pytest.raises(ConfigError):
        mask_text("1.2.3.4", keep="private")


# -- Masker extras for formats and the CLI ------------------------------------------------


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        (b"78.46.198.140", b"78.46.198.XXX"),
        (b"[2001:db8::1]:443", b"[2001:db8:000X:XXXX:XXXX:XXXX:XXXX:XXXX]:443"),
        (b"[IPv6:2001:db8::1]", b"[IPv6:2001:db8:000X:XXXX:XXXX:XXXX:XXXX:XXXX]"),
        (b"1.2.3.4:5678", b"1.2.3.XXX:5678"),
        (b"203.0.113.8.40123", b"203.0.113.XXX.40123"),
        (b"fe80::1%eth0", b"fe80:0:000X:XXXX:XXXX:XXXX:XXXX:XXXX%eth0"),
        (b"2001:db8::1234:58430", b"2001:db8:000X:XXXX:XXXX:XXXX:XXXX:XXXX:58430"),
        (b"-", None),
        (b"example.net", None),
        (b"1.2.3.4 5.6.7.8", None),
        (b"[1.2.3.4", None),
    ],
)
def test_mask_field(field: bytes, expected: bytes | None) -> None:
    """mask_field masks a field holding exactly one (decorated) address, else None."""
    masker = Masker()
    assert masker.mask_field(field) == expected
    assert masker.mask_field(field) == expected  # and again, from its cache


@pytest.mark.parametrize("keep", [(), ("192.0.2.0/24",)])
def test_field_masker_agrees_with_mask_field(keep: tuple[str, ...]) -> None:
    """field_masker(lead) masks lead + field as mask_field masks the field, lead kept."""
    masker = Masker(keep=keep)
    first = masker.field_masker(b"\n")
    for field in [b"78.46.198.140", b"192.0.2.7", b"078.46.198.140", b"[2001:db8::1]:443", b"-"]:
        expected = masker.mask_field(field)
        assert first(b"\n" + field) == (None if expected is None else b"\n" + expected)
    assert first(b"78.46.198.140") is None  # no lead


@given(
    value=st.integers(0, 2**32 - 1),
    prefix=st.integers(0, 32),
    style=st.sampled_from(["x", "zero"]),
    pads=st.lists(st.integers(1, 3), min_size=4, max_size=4),
)
def test_field_masker_matches_oracle(value: int, prefix: int, style: str, pads: list[int]) -> None:
    """The quick way for canonical addresses and the general way agree with the contract."""
    assume(style == "zero" or prefix % 8 == 0)
    masker = Masker(ipv4_prefix=prefix, style=style)
    text = v4_text(value, pads).encode()
    expected = b"<" + oracle_v4(value, prefix, style).encode()
    assert masker.field_masker(b"<")(b"<" + text) == expected
    assert masker.mask_bytes(b"<" + text) == expected


def test_mask_bytes_counted_counts_per_family() -> None:
    """Counts: mapped addresses are IPv4, kept ones and look-alikes are not counted."""
    masker = Masker(keep=["loopback"])
    data = b"1.2.3.4 ::ffff:5.6.7.8 2001:db8::1 127.0.0.1 ::1 Chrome/120.0.0.0\n"
    out, v4, v6 = masker.mask_bytes_counted(data)
    assert out == masker.mask_bytes(data)
    assert (v4, v6) == (2, 1)
    assert masker.mask_bytes_counted(b"nothing here") == (b"nothing here", 0, 0)


def test_addresses_lists_what_masking_changes() -> None:
    """addresses() returns the clear addresses in order, not kept or already masked ones."""
    masker = Masker(keep=["198.51.100.0/24"])
    data = b"2001:db8::1.2.3.4 9.9.9.9 198.51.100.1 78.46.198.XXX ::ffff:1.2.3.4 078.1.1.1"
    assert masker.addresses(data) == [
        b"2001:db8::1.2.3.4",
        b"9.9.9.9",
        b"::ffff:1.2.3.4",
        b"078.1.1.1",
    ]


def test_changed_lead_is_fixed_on_cache_hits() -> None:
    """A lead rewritten by masking (leading zeros, upper case) is fixed on every later block too."""
    masker = Masker()
    for _ in range(3):
        assert masker.mask_bytes(b"a 010.1.2.3 b 2A01:DB8::1\n") == (
            b"a 10.1.2.XXX b 2a01:db8:000X:XXXX:XXXX:XXXX:XXXX:XXXX\n"
        )


def test_short_prefix_rewrites_the_lead() -> None:
    """With fewer bits kept than the first group holds, the first group is masked too."""
    masker = Masker(ipv4_prefix=0, ipv6_prefix=8)
    assert masker.mask_bytes(b"x=78.46.198.140 y=2a01:4f8::1") == (
        b"x=XXX.XXX.XXX.XXX y=2aXX:XXXX:XXXX:XXXX:XXXX:XXXX:XXXX:XXXX"
    )


def test_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The caches rotate between blocks once full, and results stay right."""
    monkeypatch.setattr(core, "CACHE_LIMIT", 4)
    masker = Masker()
    for i in range(20):
        line = f"10.0.0.{i} 010.0.{i}.1 2001:db8::{i:x}\n".encode()
        assert masker.mask_bytes(line) == (
            b"10.0.0.XXX 10.0.%d.XXX 2001:db8:000X:XXXX:XXXX:XXXX:XXXX:XXXX\n" % i
        )
        assert masker.mask_field(b"192.0.2.%d" % i) == b"192.0.2.XXX"
    assert len(masker._v4.repl) <= 4 + 2
    assert len(masker._v4._old[0]) <= 4 + 2


def test_old_generation_keeps_rewritten_leads(monkeypatch: pytest.MonkeyPatch) -> None:
    """A match found again after a rotation still has its rewritten lead cut and is counted."""
    monkeypatch.setattr(core, "CACHE_LIMIT", 2)
    masker = Masker()
    lines = [b"a 010.0.%d.1 b\n" % i for i in range(3)]
    for line in lines:
        masker.mask_bytes(line)
    # One block with all three: the first two now sit in the old generation.
    out, ipv4, ipv6 = masker.mask_bytes_counted(b"".join(lines))
    assert out == b"a 10.0.0.XXX b\na 10.0.1.XXX b\na 10.0.2.XXX b\n"
    assert (ipv4, ipv6) == (3, 0)


def test_repr_names_the_policy() -> None:
    """The repr shows the settings, which helps when debugging a configuration."""
    assert (
        repr(Masker(style="zero"))
        == "Masker(ipv4_prefix=24, ipv6_prefix=44, style='zero', keep=0 networks)"
    )


def test_many_lines_in_one_block() -> None:
    """A block of many lines masks the same as each line alone, with no line lost."""
    lines = [f"{i} 10.{i % 256}.0.{i % 7} ::ffff:1.2.3.{i % 256} x\n".encode() for i in range(2000)]
    masker = Masker()
    assert masker.mask_bytes(b"".join(lines)) == b"".join(
        Masker().mask_bytes(line) for line in lines
    )


def test_oracle_helpers_agree_with_contract_examples() -> None:
    """The test oracle itself reproduces the contract's worked examples."""
    assert oracle_v6(int(ipaddress.IPv6Address("2a01:4f8:1c17:413b::1")), 44, "x") == (
        "2a01:4f8:1c1X:XXXX:XXXX:XXXX:XXXX:XXXX"
    )
    assert oracle_v6(int(ipaddress.IPv6Address("2a01:4f8::")), 20, "x") == (
        "2a01:0XXX:XXXX:XXXX:XXXX:XXXX:XXXX:XXXX"
    )
