"""Access-log filters: the address fields are masked, every other field stays byte for byte."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipmask import Counts, Masker
from ipmask.formats import get_filter

T = b"[10/Oct/2023:13:55:36 +0200]"
UA = b"Mozilla/5.0 (X11) Chrome/120.0.0.0 Safari/537.36 Monitor/1.2.3.4 from 198.51.100.9"


def combined(client: bytes, ua: bytes = UA, request: bytes = b"GET / HTTP/1.1") -> bytes:
    return client + b" - - " + T + b' "' + request + b'" 200 512 "-" "' + ua + b'"\n'


def mask(fmt: str, block: bytes, **options: Any) -> bytes:
    return get_filter(format=fmt, **options)(block)


def test_client_is_masked() -> None:
    """The client field is masked by the policy."""
    assert mask("combined", combined(b"78.46.198.140")) == combined(b"78.46.198.XXX")


def test_user_agent_is_never_changed() -> None:
    """Look-alikes and even real addresses in the user agent stay as they are."""
    out = mask("combined", combined(b"2a01:4f8:1c17:413b::1") * 3)
    assert out == combined(b"2a01:4f8:1c1X:XXXX:XXXX:XXXX:XXXX:XXXX") * 3


def test_request_and_referrer_are_never_changed() -> None:
    """Addresses in the request line stay: only the client field is the client's."""
    line = combined(b"192.0.2.1", request=b"GET /ip/203.0.113.50 HTTP/1.1")
    assert mask("combined", line) == combined(
        b"192.0.2.XXX", request=b"GET /ip/203.0.113.50 HTTP/1.1"
    )


def test_mapped_client_is_masked_as_ipv4() -> None:
    """An IPv4-mapped client keeps its ::ffff: and is masked with the IPv4 prefix."""
    assert mask("combined", combined(b"::FFFF:203.0.113.9")) == combined(b"::ffff:203.0.113.XXX")


def test_host_name_client_is_masked_by_default() -> None:
    """A %h host name that spells an address is masked (HostnameLookups On)."""
    out = mask("combined", combined(b"198-51-100-7.dyn.example.net"))
    assert b"198-51-100-7." not in out
    assert out.endswith(combined(b"x")[1:])


def test_host_names_can_be_left_alone() -> None:
    """hostnames=False leaves a %h host name as written."""
    line = combined(b"198-51-100-7.dyn.example.net")
    assert mask("combined", line, hostnames=False) == line


def test_plain_host_name_stays() -> None:
    """A %h host name that spells no address is not touched."""
    line = combined(b"crawler.example.org")
    assert mask("combined", line) == line


def test_zero_style_and_keep_networks_apply() -> None:
    """The masker's policy decides: zero style, and networks kept as written."""
    masker, counts = Masker(style="zero", keep=["192.0.2.0/24"]), Counts()
    f = get_filter(masker.settings, masker, format="combined", counts=counts)
    out = f(combined(b"78.46.198.140") + combined(b"192.0.2.7"))
    assert out == combined(b"78.46.198.0") + combined(b"192.0.2.7")
    assert (counts.ipv4, counts.ipv6) == (1, 0)


def test_forwarded_for_lists_are_masked_entry_by_entry() -> None:
    """Every entry of an X-Forwarded-For list is masked; separators and 'unknown' stay."""
    f = get_filter(apache_format='%a "%{X-Forwarded-For}i" "%r"')
    line = b'192.0.2.1 "203.0.113.7, unknown,[2001:db8::6]:443,  198.51.100.23:80" "GET /"\n'
    assert f(line) == (
        b'192.0.2.XXX "203.0.113.XXX, unknown,[2001:db8:000X:XXXX:XXXX:XXXX:XXXX:XXXX]:443,'
        b'  198.51.100.XXX:80" "GET /"\n'
    )


def test_unquoted_forwarded_for_list_fits() -> None:
    """An unquoted list field stops at the first blank that is not after a comma."""
    counts = Counts()
    f = get_filter(nginx_format="$http_x_forwarded_for $status", counts=counts)
    assert f(b"203.0.113.7, 198.51.100.23 200\n") == b"203.0.113.XXX, 198.51.100.XXX 200\n"
    assert counts.unfit == 0


def test_nginx_escapes_parse() -> None:
    r"""nginx's \x22 in a quoted field keeps the line fitting."""
    counts = Counts()
    f = get_filter(format="nginx", counts=counts)
    line = combined(b"203.0.113.5", ua=b"quote \\x22 and backslash \\x5C")
    assert f(line) == combined(b"203.0.113.XXX", ua=b"quote \\x22 and backslash \\x5C")
    assert counts.unfit == 0


def test_unfit_line_gets_the_any_rules_and_is_counted() -> None:
    """A line that is not an access-log line is masked everywhere and counted."""
    counts = Counts()
    f = get_filter(format="combined", counts=counts)
    out = f(combined(b"192.0.2.1") + b"error from 203.0.113.9\n" + combined(b"192.0.2.2"))
    assert out == combined(b"192.0.2.XXX") + b"error from 203.0.113.XXX\n" + combined(
        b"192.0.2.XXX"
    )
    assert (counts.unfit, counts.ipv4) == (1, 3)


def test_extra_quoted_field_in_the_middle_of_a_block_is_unfit() -> None:
    """A line with one field more than the template is caught even between fitting lines."""
    counts = Counts()
    f = get_filter(format="combined", counts=counts)
    odd = combined(b"192.0.2.2")[:-1] + b' "203.0.113.7"\n'
    out = f(combined(b"192.0.2.1") + odd + combined(b"192.0.2.3"))
    assert b'"203.0.113.XXX"' in out
    assert counts.unfit == 1


def test_line_not_ending_in_a_quote_is_unfit() -> None:
    """A line with an unquoted field appended is caught between fitting lines."""
    counts = Counts()
    f = get_filter(format="combined", counts=counts)
    odd = combined(b"192.0.2.2")[:-1] + b" 203.0.113.7\n"
    out = f(combined(b"192.0.2.1") + odd + combined(b"192.0.2.3"))
    assert out.endswith(b" 203.0.113.XXX\n" + combined(b"192.0.2.XXX"))
    assert counts.unfit == 1


@pytest.mark.parametrize("where", [0, 2])
def test_extra_unquoted_field_in_the_first_or_last_line_is_unfit(where: int) -> None:
    """The first and last line of a block are matched in full, field by field."""
    counts = Counts()
    f = get_filter(format="combined", counts=counts)
    lines = [combined(b"192.0.2.%d" % i) for i in range(3)]
    lines[where] = lines[where].replace(b" 200 512 ", b" 200 512 203.0.113.7 ")
    out = f(b"".join(lines)).splitlines(keepends=True)
    assert b" 200 512 203.0.113.XXX " in out[where]
    assert counts.unfit == 1


def test_escaped_quotes_do_not_make_up_for_a_missing_field() -> None:
    """Escaped quotes are not the template's own: a line short of a field is still unfit."""
    counts = Counts()
    f = get_filter(format="combined", counts=counts)
    short = combined(b"192.0.2.2").replace(b' 200 512 "-" ', b" 200 512 ")
    out = f(combined(b"192.0.2.1") + short + combined(b"192.0.2.3", ua=b'say \\"hi\\"'))
    assert out.splitlines()[1].endswith(b' from 198.51.100.XXX"')
    assert counts.unfit == 1


def test_a_block_of_fitting_lines_takes_the_fast_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fitting lines are not split with the whole template, except the block's first line."""
    # The fast way leaves no trace in the output; a spy on the filter's exact split (an inside
    # of the web filter, which no other test touches) shows which lines took it.
    f = get_filter(format="combined")
    exact_led = f._exact_led  # type: ignore[attr-defined]
    lines: list[int] = []

    def spy(block: bytes) -> bytes:
        lines.append(block.count(b"\n"))
        out: bytes = exact_led(block)
        return out

    monkeypatch.setattr(f, "_exact_led", spy)
    assert f(combined(b"192.0.2.1") * 5) == combined(b"192.0.2.XXX") * 5
    assert lines == [1]


def test_empty_client_between_fitting_lines_fits() -> None:
    """A line with an empty client field fits (the exact way reads it), and nothing changes."""
    counts = Counts()
    f = get_filter(format="combined", counts=counts)
    out = f(combined(b"192.0.2.1") + combined(b"") + combined(b"192.0.2.3"))
    assert out == combined(b"192.0.2.XXX") + combined(b"") + combined(b"192.0.2.XXX")
    assert counts.unfit == 0


def test_bad_field_before_the_last_address_is_unfit() -> None:
    """A line whose time does not parse is unfit, even when later fields look right."""
    template = '%a %t "%{X-Forwarded-For}i" %{c}a "%r"'
    counts = Counts()
    f = get_filter(apache_format=template, counts=counts)

    def line(when: bytes) -> bytes:
        return b"192.0.2.1 " + when + b' "203.0.113.7" 198.51.100.1 "GET /"\n'

    out = f(line(T) + line(b"[yesterday]") + line(T))
    assert out.splitlines()[1] == b'192.0.2.XXX [yesterday] "203.0.113.XXX" 198.51.100.XXX "GET /"'
    assert counts.unfit == 1


def test_one_line_blocks_mask_like_longer_ones() -> None:
    """A block of one line, as a pipe gives it, is masked like the same line in a block."""
    counts = Counts()
    f = get_filter(format="combined", counts=counts)
    lines = [combined(b"192.0.2.%d" % i) for i in range(3)]
    assert b"".join(map(f, lines)) == get_filter(format="combined")(b"".join(lines))
    assert (counts.ipv4, counts.unfit) == (3, 0)


@pytest.mark.parametrize("ending", [b"\r\n", b""])
def test_line_endings_survive(ending: bytes) -> None:
    """A CRLF line keeps its \\r, and a last line without a newline gets none."""
    line = combined(b"192.0.2.1")[:-1] + ending
    assert mask("combined", line) == combined(b"192.0.2.XXX")[:-1] + ending


def test_empty_block_gives_empty_output() -> None:
    """Nothing in, nothing out."""
    assert mask("combined", b"") == b""


def test_addresses_are_counted_by_family() -> None:
    """With count=True the filter counts IPv4 (mapped included) and IPv6 clients."""
    counts = Counts()
    f = get_filter(format="combined", counts=counts)
    f(combined(b"192.0.2.1") * 2 + combined(b"::ffff:192.0.2.2") + combined(b"2001:db8::1"))
    assert (counts.ipv4, counts.ipv6, counts.unfit) == (3, 1, 0)


# -- lines that do not fit: the `any` rules with the host-name pass (issue 13) --------------

#: A line no access log has, with a host name beside the address it spells.
GARBAGE = b"garbage line from 72-53-132-234.example.net[72.53.132.234]\n"

#: get_filter options of every web filter, and a line that fits it.
WEB: dict[str, tuple[dict[str, Any], bytes]] = {
    "common": ({"format": "common"}, combined(b"192.0.2.1").split(b' "-"')[0] + b"\n"),
    "combined": ({"format": "combined"}, combined(b"192.0.2.1")),
    "vhost_combined": (
        {"format": "vhost_combined"},
        b"www.example.org:80 " + combined(b"192.0.2.1"),
    ),
    "nginx": ({"format": "nginx"}, combined(b"192.0.2.1")),
    "apache-format": (
        {"apache_format": '%a "%r" "%{User-Agent}i"'},
        b'192.0.2.1 "GET / HTTP/1.1" "' + UA + b'"\n',
    ),
    "nginx-format": (
        {"nginx_format": '$remote_addr "$request"'},
        b'192.0.2.1 "GET / HTTP/1.1"\n',
    ),
}


@pytest.mark.parametrize("which", WEB)
def test_every_web_filter_has_a_line_that_fits(which: str) -> None:
    """The lines the tests below put around an unfit line do fit their format."""
    options, line = WEB[which]
    counts = Counts()
    assert get_filter(**options, counts=counts)(line) != line
    assert counts.unfit == 0


@pytest.mark.parametrize("which", WEB)
def test_unfit_line_masks_the_name_beside_its_address(which: str) -> None:
    """A line that does not fit is masked as under `any`, its host name included."""
    out = get_filter(**WEB[which][0])(GARBAGE)
    assert out == get_filter(format="any")(GARBAGE)
    assert out == b"garbage line from 72-53-132-XXX.example.net[72.53.132.XXX]\n"


@pytest.mark.parametrize("which", WEB)
def test_unfit_line_between_fitting_lines_masks_the_name(which: str) -> None:
    """Between fitting lines too, an unfit line's host name is masked as under `any`."""
    options, line = WEB[which]
    f = get_filter(**options)
    fitting = f(line)
    assert f(line + GARBAGE + line) == fitting + get_filter(format="any")(GARBAGE) + fitting


@pytest.mark.parametrize("which", WEB)
def test_unfit_line_masks_the_name_with_names_alone_off(which: str) -> None:
    """hostnames=False does not turn off a name standing beside the address it spells."""
    out = get_filter(**WEB[which][0], hostnames=False)(GARBAGE)
    assert out == get_filter(format="any", hostnames=False)(GARBAGE)
    assert b"72-53-132-234" not in out


# -- properties ---------------------------------------------------------------------------

_ipv4 = st.integers(0, 2**32 - 1).map(lambda n: str(ipaddress.IPv4Address(n)).encode())
_ipv6 = st.integers(0, 2**128 - 1).map(lambda n: str(ipaddress.IPv6Address(n)).encode())
_client = st.one_of(_ipv4, _ipv6, _ipv4.map(lambda a: b"::ffff:" + a), st.just(b"host.example"))
# Field text as Apache writes it: printable bytes, with '"' and '\' escaped.
_text = st.lists(
    st.one_of(
        st.binary(min_size=1, max_size=3).filter(lambda b: not set(b) & set(b'"\\\n\r')),
        st.sampled_from([b'\\"', b"\\\\", b"\\x16", b"Chrome/120.0.0.0", b" 203.0.113.4 "]),
    ),
    max_size=8,
).map(b"".join)
_fitting = st.builds(lambda c, r, u: combined(c, ua=u, request=r), _client, _text, _text)
_unfit = st.binary(max_size=40).filter(lambda b: b"\n" not in b).map(lambda b: b + b"\n")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_fitting, _fitting, _unfit), max_size=12))
def test_a_block_masks_like_its_lines_one_by_one(lines: list[bytes]) -> None:
    """Masking a block equals masking its lines one at a time (fast and exact ways agree)."""
    block = b"".join(lines)
    whole = get_filter(format="combined")(block)
    f = get_filter(format="combined")
    assert whole == b"".join(map(f, lines))
    assert whole.count(b"\n") == block.count(b"\n")


# Fitting lines without escapes (blocks the fast way takes), and lines the fast way must turn
# down: a field or the last '"' missing, an empty client, a CRLF line end.
_plain = st.builds(
    lambda c, r, u: combined(c, ua=u, request=r),
    _client,
    st.sampled_from([b"GET / HTTP/1.1", b"GET /203.0.113.50 HTTP/1.1"]),
    st.sampled_from([UA, b"Chrome/120.0.0.0", b""]),
)
_odd = st.one_of(
    _unfit,
    _plain.map(lambda line: line.replace(b' 200 512 "-" ', b" 200 512 ", 1)),
    _plain.map(lambda line: line[:-2] + b"\n"),
    _plain.map(lambda line: line[line.index(b" ") :]),
    _plain.map(lambda line: line.replace(b"\n", b"\r\n")),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_plain, _plain, _plain, _plain, _fitting, _odd), max_size=12))
def test_the_fast_way_masks_like_the_exact_way(lines: list[bytes]) -> None:
    """A block gives the same bytes and counts as its lines one at a time (each the exact way)."""
    whole, piecewise = Counts(), Counts()
    block = b"".join(lines)
    out = get_filter(format="combined", counts=whole)(block)
    f = get_filter(format="combined", counts=piecewise)
    assert out == b"".join(map(f, lines))
    assert whole == piecewise


@settings(max_examples=150, deadline=None)
@given(st.lists(_fitting, min_size=1, max_size=12))
def test_fitting_lines_change_only_in_the_client_field(lines: list[bytes]) -> None:
    """For fitting lines, everything after the client field is returned byte for byte."""
    out = get_filter(format="combined", hostnames=False)(b"".join(lines))
    for before, after in zip(lines, out.splitlines(keepends=True), strict=True):
        assert after.split(b" ", 1)[1] == before.split(b" ", 1)[1]
