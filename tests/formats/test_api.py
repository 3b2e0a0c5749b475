"""get_filter: names, options and errors, and what every filter promises."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipmask.core import Masker
from ipmask.errors import ConfigError
from ipmask.formats import FORMAT_NAMES, FilterStats, get_filter

NAMES = [name for name in FORMAT_NAMES if name != "auto"]
GOLDEN = Path(__file__).parent / "golden"

# Lines to build blocks from: every golden input line, cut anywhere, glued to random bytes and
# to address-like tokens, so that the formats' own shapes come out half-broken too.
_LINES = sorted(
    {line for path in GOLDEN.glob("*.in.log") for line in path.read_bytes().split(b"\n")}
)
_TOKENS = [
    b"203.0.113.5",
    b"2001:db8::1:51234",
    b"::ffff:198.51.100.8",
    b"72-53-132-234.example.net[72.53.132.234]",
    b"session=<e5ARIjNEyAHLAHEJ>",
    b'\\"',
    b'"',
    b"Chrome/120.0.0.0",
]
_piece = st.one_of(
    st.binary(max_size=20),
    st.sampled_from(_TOKENS),
    st.builds(lambda line, cut: line[:cut], st.sampled_from(_LINES), st.integers(0, 300)),
)
_line = st.lists(_piece, max_size=4).map(b"".join).map(lambda b: b.replace(b"\n", b" "))


def test_format_names_list_every_format() -> None:
    """FORMAT_NAMES holds the issue's formats, `any` first and `auto` last."""
    assert FORMAT_NAMES == (
        "any",
        "common",
        "combined",
        "vhost_combined",
        "nginx",
        "apache-error",
        "nginx-error",
        "postfix",
        "dovecot",
        "syslog",
        "auto",
    )


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_every_name_gives_a_fresh_filter(name: str) -> None:
    """Each call returns a new filter with its name and zeroed statistics."""
    masker = Masker()
    one, two = get_filter(name, masker), get_filter(name, masker)
    assert one is not two
    assert one.name == name
    assert one.stats == FilterStats()


def test_any_calls_the_core() -> None:
    """`any` masks every address in the block."""
    assert get_filter("any", Masker())(b"a 203.0.113.5 b 2001:db8::1\n") == (
        b"a 203.0.113.XXX b 2001:db8:000X:XXXX:XXXX:XXXX:XXXX:XXXX\n"
    )


def test_any_counts_when_asked() -> None:
    """count=True makes `any` count addresses by family; count=False leaves stats at zero."""
    counted, silent = get_filter("any", Masker(), count=True), get_filter("any", Masker())
    for f in (counted, silent):
        f(b"203.0.113.5 ::ffff:192.0.2.1 2001:db8::1\n")
    assert (counted.stats.ipv4, counted.stats.ipv6) == (2, 1)
    assert silent.stats == FilterStats()


def test_any_masks_lone_host_names_only_when_asked() -> None:
    """hostnames=True turns on names standing alone in `any`."""
    line = b"connection from 198-51-100-7.dyn.example.net\n"
    assert get_filter("any", Masker())(line) == line
    assert b"198-51-100-7." not in get_filter("any", Masker(), hostnames=True)(line)


def test_unknown_format_lists_the_allowed_names() -> None:
    """An unknown name is a ConfigError that names every allowed format."""
    with pytest.raises(ConfigError, match=r"choose one of: any, common, .*, auto"):
        get_filter("apache", Masker())


def test_two_templates_are_refused() -> None:
    """An Apache and an nginx template cannot both describe one log."""
    with pytest.raises(ConfigError, match="not both"):
        get_filter("any", Masker(), apache_format="%h", nginx_format="$remote_addr")


def test_template_with_a_format_name_is_refused() -> None:
    """A template replaces the format, so a format name beside it is a mistake."""
    with pytest.raises(ConfigError, match="replaces the format name"):
        get_filter("combined", Masker(), apache_format="%h %r")


@pytest.mark.parametrize(
    ("option", "template", "name"),
    [
        ("apache_format", '%a "%r"', "apache-format"),
        ("nginx_format", '$remote_addr "$request"', "nginx-format"),
    ],
)
def test_templates_give_named_filters(option: str, template: str, name: str) -> None:
    """--apache-format and --nginx-format filters say which they are."""
    f = get_filter("any", Masker(), **{option: template})  # type: ignore[arg-type]
    assert f.name == name
    assert f(b'203.0.113.5 "GET / HTTP/1.1"\n') == b'203.0.113.XXX "GET / HTTP/1.1"\n'


@pytest.mark.parametrize("name", FORMAT_NAMES)
@settings(max_examples=40, deadline=None)
@given(st.lists(_line, max_size=8))
def test_any_bytes_come_out_line_for_line(name: str, lines: list[bytes]) -> None:
    """Arbitrary bytes never raise, and every line comes out, in order, masked as alone."""
    block = b"\n".join(lines)
    out = get_filter(name, Masker())(block)
    assert out.count(b"\n") == block.count(b"\n")
    if name != "auto":  # auto may pick another format for a single line
        f = get_filter(name, Masker())
        assert out.split(b"\n") == [f(line) for line in lines] or not lines


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=40, deadline=None)
@given(st.lists(_line, max_size=8))
def test_masking_twice_changes_nothing(name: str, lines: list[bytes]) -> None:
    """Every filter is idempotent: its output masked again is the same."""
    f = get_filter(name, Masker())
    once = f(b"\n".join(lines))
    assert get_filter(name, Masker())(once) == once
