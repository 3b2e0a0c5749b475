"""ipmask.masking.Masker, mask_ip and mask_text: finding and masking addresses, as the
masking contract says (ipmask.masking._masker, with the scanner of ipmask.masking._scan)."""

from __future__ import annotations

import ipaddress
import re

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

import ipmask
import ipmask.masking
from helpers import caches_in, oracle_v4, oracle_v6, v4_text, v6_texts
from ipmask import AddressError, ConfigError
from ipmask.masking import Limits, Masker, mask_ip, mask_text

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


def _isort_order(name: str) -> tuple[int, str]:
    """Ruff's order for ``__all__`` (RUF022): CONSTANTS, then Classes (and "X"), then the rest."""
    return (0 if len(name) > 1 and name.isupper() else 1 if name[:1].isupper() else 2, name)


@pytest.mark.parametrize("package", [ipmask, ipmask.masking])
def test_package_all_is_sorted_and_importable(package: object) -> None:
    """Each name of a package's __all__ exists, and __all__ is in ruff's order."""
    names = list(package.__all__)  # type: ignore[attr-defined]
    assert names == sorted(names, key=_isort_order)
    assert [name for name in names if not hasattr(package, name)] == []


def test_package_reexports_the_masking_api() -> None:
    """ipmask offers the engine's public names themselves, not copies."""
    for name in ("Masker", "Policy", "Settings", "mask_ip", "mask_text"):
        assert getattr(ipmask, name) is getattr(ipmask.masking, name)


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
    "kwargs", [{"ipv4_prefix": 33}, {"style": "hash"}, {"keep": ["banana"]}, {"keep": "private"}]
)
def test_bad_settings_raise_config_error(kwargs: dict[str, object]) -> None:
    """Masker refuses bad settings as Settings does (test_settings.py tries every setting)."""
    with pytest.raises(ConfigError) as info:
        Masker(**kwargs)  # type: ignore[arg-type]
    assert info.value.setting == next(iter(kwargs))


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
    assert masker.mask_field(field) == expected  # and again: nothing it did stays behind


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


def test_caches_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan caches turn over between blocks once full, and results stay right."""
    monkeypatch.setattr(Limits, "ADDRESSES", 4)
    masker = Masker()
    for i in range(20):
        line = f"10.0.0.{i} 010.0.{i}.1 2001:db8::{i:x}\n".encode()
        assert masker.mask_bytes(line) == (
            b"10.0.0.XXX 10.0.%d.XXX 2001:db8:000X:XXXX:XXXX:XXXX:XXXX:XXXX\n" % i
        )
        assert masker.mask_field(b"192.0.2.%d" % i) == b"192.0.2.XXX"
    caches = caches_in(masker)
    assert caches
    # Full before a block: turned over; then the block adds at most its two IPv4 keys.
    assert max(map(len, caches)) <= 4 + 2


def test_old_generation_keeps_rewritten_leads(monkeypatch: pytest.MonkeyPatch) -> None:
    """A match found again after a turnover still has its rewritten lead cut and is counted."""
    monkeypatch.setattr(Limits, "ADDRESSES", 2)
    masker = Masker()
    lines = [b"a 010.0.%d.1 b\n" % i for i in range(3)]
    for line in lines:
        masker.mask_bytes(line)
    # One block with all three: the first two now sit in the old generation.
    out, ipv4, ipv6 = masker.mask_bytes_counted(b"".join(lines))
    assert out == b"a 10.0.0.XXX b\na 10.0.1.XXX b\na 10.0.2.XXX b\n"
    assert (ipv4, ipv6) == (3, 0)


def _relead_line(i: int) -> tuple[bytes, bytes]:
    """Line ``i`` of distinct addresses whose leads masking rewrites, and its masked form.

    The IPv4 address has a zero-padded first octet (``010.``), the IPv6 address an upper-case
    first group (``A0C3:``): the masked text starts otherwise than the matched text.
    """
    v4 = (10 << 24) + 7 * i
    v6 = (0xA000 + i % 0x1000) << 112 | 0xBEEF << 64 | i
    text = ipaddress.IPv6Address(v6).compressed.upper()
    line = b"a %s b [%s]:443\n" % (v4_text(v4, [3, 1, 1, 1]).encode(), text.encode())
    return line, b"a %s b [%s]:443\n" % (oracle_v4(v4).encode(), oracle_v6(v6).encode())


def test_turnovers_keep_rewritten_leads_right() -> None:
    """Over several turnovers of the scan caches, rewritten leads and counts stay right.

    Every key needs its lead rewritten. The first line comes back now and then, so that at
    each turnover it is revived from the old generation; then it stays away until it is
    forgotten, and comes back once more.
    """
    limit, size = Limits.ADDRESSES, 64
    masker = Masker()
    first, first_masked = _relead_line(0)
    assert masker.mask_bytes(first) == first_masked
    lines = [_relead_line(i) for i in range(1, 5 * limit)]
    revived = 3 * limit  # lines during which the first one comes back
    for n, start in enumerate(range(0, len(lines), size)):
        block = lines[start : start + size]
        if start < revived and n % 40 == 0:
            block.append((first, first_masked))
        data, expected = (b"".join(side) for side in zip(*block, strict=True))
        if n % 2:
            assert masker.mask_bytes(data) == expected
        else:
            assert masker.mask_bytes_counted(data) == (expected, len(block), len(block))
    # The caches did turn over: no generation holds every key seen.
    assert max(map(len, caches_in(masker))) <= limit + size
    assert masker.mask_bytes_counted(first) == (first_masked, 1, 1)
    assert masker.mask_bytes(first * 2) == first_masked * 2


#: Addresses whose leads masking rewrites, kept ones, mapped ones and plain ones.
_POOL = [
    *(b"078.46.198.%d" % i for i in range(4)),
    *(b"2A01:4F8::%X" % i for i in range(4)),
    b"10.0.0.1",
    b"::FFFF:010.1.2.3",
    b"fe80::1",
    b"127.0.0.1",
    b"::1",
]


@settings(max_examples=150)
@given(
    limit=st.integers(1, 4),
    keep=st.sampled_from([(), ("loopback",), ("10.0.0.0/8",)]),
    blocks=st.lists(
        st.tuples(
            st.sampled_from(["mask_bytes", "mask_bytes_counted", "addresses"]),
            st.lists(st.sampled_from(_POOL), max_size=6),
        ),
        max_size=10,
    ),
)
def test_small_caches_answer_as_a_fresh_masker_does(
    limit: int, keep: tuple[str, ...], blocks: list[tuple[str, list[bytes]]]
) -> None:
    """Whatever turns the scan caches over between blocks, each block's answer is unchanged."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Limits, "ADDRESSES", limit)
        masker = Masker(keep=keep)
        for method, addresses in blocks:
            block = b"".join(b"a %s b\n" % address for address in addresses)
            expected = getattr(Masker(keep=keep), method)(block)
            assert getattr(masker, method)(block) == expected


def test_addresses_keeps_its_caches_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """addresses() alone, over many distinct addresses, holds no more than mask_bytes does."""
    monkeypatch.setattr(Limits, "ADDRESSES", 16)
    masker = Masker()
    for i in range(200):
        assert masker.addresses(b"x 10.0.%d.1 y" % i) == [b"10.0.%d.1" % i]
    assert max(map(len, caches_in(masker))) <= 16 + 1


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


@pytest.mark.parametrize("given", [24, "x", {"ipv4_prefix": 16}])
def test_masker_refuses_anything_but_settings_positionally(given: object) -> None:
    """A positional argument that is no Settings (an old-style prefix) is a TypeError."""
    with pytest.raises(TypeError, match="give a Settings or keywords"):
        Masker(given)  # type: ignore[arg-type]
