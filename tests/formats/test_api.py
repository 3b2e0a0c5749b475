"""get_filter: names, settings and errors, and what every filter promises."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipmask import ConfigError, Counts, Masker, Settings
from ipmask.formats import FORMAT_NAMES, get_filter

NAMES = [name for name in FORMAT_NAMES if name != "auto"]
GOLDEN = Path(__file__).parent / "golden"

#: The custom templates, as get_filter options.
APACHE_FORMAT: dict[str, Any] = {"apache_format": '%a "%r"'}
NGINX_FORMAT: dict[str, Any] = {"nginx_format": '$remote_addr "$request"'}

#: get_filter options for every filter that is not `auto`: the format names and the templates.
FILTERS: dict[str, dict[str, Any]] = {
    **{name: {"format": name} for name in NAMES},
    "apache-format": APACHE_FORMAT,
    "nginx-format": NGINX_FORMAT,
}

T = b"[10/Oct/2023:13:55:36 +0200]"
_COMBINED = b"192.0.2.1 - - " + T + b' "GET / HTTP/1.1" 200 512 "-" "-"\n'
_SYSLOG = b"Oct 11 14:32:52 web1 sshd[1]: Failed password from 192.0.2.1\n"

#: One line that fits each filter, with the one IPv4 address 192.0.2.1 in it.
FITTING = {
    "any": b"client 192.0.2.1\n",
    "common": b"192.0.2.1 - - " + T + b' "GET / HTTP/1.1" 200 512\n',
    "combined": _COMBINED,
    "vhost_combined": b"www.example.org:443 " + _COMBINED,
    "nginx": _COMBINED,
    "apache-error": b"[Wed Oct 11 14:32:52 2023] [error] [client 192.0.2.1] x\n",
    "nginx-error": b"2023/10/11 14:32:52 [error] 1#1: *1 x, client: 192.0.2.1, server: _\n",
    "postfix": b"Oct 11 14:32:52 mx1 postfix/smtpd[1]: connect from unknown[192.0.2.1]\n",
    "dovecot": b"Oct 11 14:32:52 mx1 dovecot: imap-login: Login: rip=192.0.2.1\n",
    "syslog": _SYSLOG,
    "apache-format": b'192.0.2.1 "GET / HTTP/1.1"\n',
    "nginx-format": b'192.0.2.1 "GET / HTTP/1.1"\n',
}

#: A line no format but `any` has: a host name beside the IPv4 address it spells, and an IPv6.
UNFIT = b"garbage line from 72-53-132-234.example.net[72.53.132.234] and 2001:db8::1\n"
#: A host name standing alone that spells an address.
LONE = b"connection from 198-51-100-7.dyn.example.net\n"

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
    """Each call returns a new filter with its name, and making it counts nothing."""
    masker, counts = Masker(), Counts()
    one = get_filter(Settings(format=name), masker, counts=counts)
    two = get_filter(Settings(format=name), masker, counts=counts)
    assert one is not two
    assert one.name == name
    assert counts == Counts()


def test_options_apply_to_the_settings_given() -> None:
    """Keyword options override the fields of the Settings passed."""
    f = get_filter(Settings(format="combined", ipv4_prefix=16), format="any")
    assert f.name == "any"
    assert f(b"a 203.0.113.5\n") == b"a 203.0.XXX.XXX\n"


def test_a_masker_with_the_same_policy_is_shared() -> None:
    """A masker made from other settings with the same masking policy is accepted."""
    masker = Masker(ipv4_prefix=16)
    f = get_filter(Settings(format="combined", ipv4_prefix=16), masker)
    assert f(_COMBINED) == _COMBINED.replace(b"192.0.2.1 ", b"192.0.XXX.XXX ")


def test_any_calls_the_core() -> None:
    """`any` masks every address in the block."""
    assert get_filter(format="any")(b"a 203.0.113.5 b 2001:db8::1\n") == (
        b"a 203.0.113.XXX b 2001:db8:000X:XXXX:XXXX:XXXX:XXXX:XXXX\n"
    )


def test_any_counts_into_the_counts_given() -> None:
    """`any` adds the addresses it masks, by family, to the Counts it was given."""
    counts = Counts()
    get_filter(format="any", counts=counts)(b"203.0.113.5 ::ffff:192.0.2.1 2001:db8::1\n")
    assert (counts.ipv4, counts.ipv6, counts.unfit) == (2, 1, 0)


def test_any_masks_lone_host_names_only_when_asked() -> None:
    """hostnames=True turns on names standing alone in `any`."""
    assert get_filter(format="any")(LONE) == LONE
    assert b"198-51-100-7." not in get_filter(format="any", hostnames=True)(LONE)


def test_unknown_format_lists_the_allowed_names() -> None:
    """An unknown name is a ConfigError that names every allowed format."""
    with pytest.raises(ConfigError, match=r"choose one of: any, common, .*, auto"):
        get_filter(format="apache")


def test_two_templates_are_refused() -> None:
    """An Apache and an nginx template cannot both describe one log."""
    with pytest.raises(ConfigError, match="not both"):
        get_filter(apache_format="%h", nginx_format="$remote_addr")


def test_template_with_a_format_name_is_refused() -> None:
    """A template replaces the format, so a format name beside it is a mistake."""
    with pytest.raises(ConfigError, match="replaces the format name"):
        get_filter(format="combined", apache_format="%h %r")


@pytest.mark.parametrize(
    ("options", "name"),
    [(APACHE_FORMAT, "apache-format"), (NGINX_FORMAT, "nginx-format")],
)
def test_templates_give_named_filters(options: dict[str, Any], name: str) -> None:
    """--apache-format and --nginx-format filters say which they are."""
    f = get_filter(**options)
    assert f.name == name
    assert f(b'203.0.113.5 "GET / HTTP/1.1"\n') == b'203.0.113.XXX "GET / HTTP/1.1"\n'


@pytest.mark.parametrize("name", FORMAT_NAMES)
@settings(max_examples=40, deadline=None)
@given(st.lists(_line, max_size=8))
def test_any_bytes_come_out_line_for_line(name: str, lines: list[bytes]) -> None:
    """Arbitrary bytes never raise, and every line comes out, in order, masked as alone."""
    block = b"\n".join(lines)
    out = get_filter(format=name)(block)
    assert out.count(b"\n") == block.count(b"\n")
    if name != "auto":  # auto may pick another format for a single line
        f = get_filter(format=name)
        assert out.split(b"\n") == [f(line) for line in lines] or not lines


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=40, deadline=None)
@given(st.lists(_line, max_size=8))
def test_masking_twice_changes_nothing(name: str, lines: list[bytes]) -> None:
    """Every filter is idempotent: its output masked again is the same."""
    once = get_filter(format=name)(b"\n".join(lines))
    assert get_filter(format=name)(once) == once


# -- the fallback: the `any` filter with the host-name pass --------------------------------


@pytest.mark.parametrize("which", FILTERS)
def test_every_fallback_is_an_any_filter_that_is_its_own_fallback(which: str) -> None:
    """A filter's fallback is named `any`, and its fallback is itself."""
    fallback = get_filter(**FILTERS[which]).fallback
    assert fallback.name == "any"
    assert fallback.fallback is fallback


def test_the_any_filter_is_its_own_fallback() -> None:
    """The `any` filter falls back to itself."""
    f = get_filter(format="any")
    assert f.fallback is f


@pytest.mark.parametrize("hostnames", [None, True, False])
@pytest.mark.parametrize("which", FILTERS)
def test_every_fallback_masks_like_any(which: str, hostnames: bool | None) -> None:
    """The fallback masks addresses and the names beside them exactly as `any` does."""
    fallback = get_filter(**FILTERS[which], hostnames=hostnames).fallback
    out = fallback(UNFIT)
    assert out == get_filter(format="any")(UNFIT)
    assert b"72-53-132-234" not in out


@pytest.mark.parametrize("hostnames", [True, False])
@pytest.mark.parametrize("which", FILTERS)
def test_every_fallback_honours_the_hostnames_setting(which: str, hostnames: bool) -> None:
    """hostnames=True makes the fallback mask names standing alone; False leaves them."""
    fallback = get_filter(**FILTERS[which], hostnames=hostnames).fallback
    assert (fallback(LONE) != LONE) is hostnames


@pytest.mark.parametrize("which", FILTERS)
def test_every_fallback_leaves_names_alone_as_any_does(which: str) -> None:
    """Without a hostnames setting the fallback is `any`'s: names standing alone stay."""
    fallback = get_filter(**FILTERS[which]).fallback
    assert fallback(LONE) == LONE == get_filter(format="any")(LONE)


def test_auto_falls_back_to_any_until_it_has_chosen() -> None:
    """Before its first block, `auto`'s fallback is `any`'s: names alone stay."""
    f = get_filter(format="auto")
    assert f.fallback.name == "any"
    assert f.fallback(LONE) == LONE
    assert f.fallback(UNFIT) == get_filter(format="any")(UNFIT)


@pytest.mark.parametrize(("sample", "chosen"), [(_COMBINED, "combined"), (_SYSLOG, "syslog")])
def test_auto_fallback_follows_the_chosen_format(sample: bytes, chosen: str) -> None:
    """Once `auto` has chosen, its fallback is the chosen filter's, an `any` filter."""
    f = get_filter(format="auto", hostnames=True)
    first = f.fallback
    f(sample)
    assert f.name == f"{chosen} (auto)"
    assert f.fallback is not first
    assert f.fallback.name == "any"
    assert b"198-51-100-7." not in f.fallback(LONE)


def test_auto_fallback_follows_the_hostnames_setting_once_chosen() -> None:
    """hostnames=False still holds for the fallback of the format `auto` chose."""
    f = get_filter(format="auto", hostnames=False)
    f(_COMBINED)
    assert f.fallback(LONE) == LONE


# -- counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("which", FILTERS)
def test_counts_are_added_to_the_counts_given(which: str) -> None:
    """A filter adds its addresses and unfit lines to what the Counts already holds."""
    counts = Counts(lines=5, bytes=6, ipv4=10, ipv6=20, unfit=30)
    get_filter(**FILTERS[which], counts=counts)(FITTING[which] + UNFIT)
    unfit = 0 if which == "any" else 1
    assert counts == Counts(lines=5, bytes=6, ipv4=12, ipv6=21, unfit=30 + unfit)


@pytest.mark.parametrize("which", FILTERS)
def test_unfit_lines_are_counted_once_in_any_block(which: str) -> None:
    """Addresses of unfit lines count once, whether in one block or a line at a time."""
    lines = [FITTING[which], UNFIT, FITTING[which], UNFIT, UNFIT, FITTING[which]]
    whole, piecewise = Counts(), Counts()
    get_filter(**FILTERS[which], counts=whole)(b"".join(lines))
    f = get_filter(**FILTERS[which], counts=piecewise)
    for line in lines:
        f(line)
    unfit = 0 if which == "any" else 3
    assert whole == piecewise == Counts(ipv4=6, ipv6=3, unfit=unfit)


@pytest.mark.parametrize("which", FILTERS)
def test_the_fallback_counts_into_the_same_counts(which: str) -> None:
    """What the fallback masks (for the block loop) is added to the filter's Counts."""
    counts = Counts()
    get_filter(**FILTERS[which], counts=counts).fallback(UNFIT)
    assert (counts.ipv4, counts.ipv6) == (1, 1)


def test_auto_and_its_first_fallback_count_into_one_counts() -> None:
    """The fallback `auto` has before choosing, and the format it chooses, share one Counts."""
    counts = Counts()
    f = get_filter(format="auto", counts=counts)
    f.fallback(b"203.0.113.5\n")
    f(_COMBINED + UNFIT)
    assert counts == Counts(ipv4=3, ipv6=1, unfit=1)


@pytest.mark.parametrize("which", FILTERS)
def test_a_filter_without_counts_counts_nothing(which: str) -> None:
    """A filter made without counts masks the same bytes and adds to no one's Counts."""
    masker, counts = Masker(), Counts()
    block = FITTING[which] + UNFIT
    counted = get_filter(Settings(**FILTERS[which]), masker, counts=counts)
    silent = get_filter(Settings(**FILTERS[which]), masker)
    assert silent(block) == counted(block)
    silent.fallback(UNFIT)
    assert counts == Counts(ipv4=2, ipv6=1, unfit=0 if which == "any" else 1)


# -- errors ---------------------------------------------------------------------------------


def test_unknown_format_names_the_format_setting() -> None:
    """An unknown format is a ConfigError of the `format` setting."""
    with pytest.raises(ConfigError) as caught:
        get_filter(format="apache")
    assert caught.value.setting == "format"


def test_unknown_format_in_settings_is_refused_when_the_filter_is_made() -> None:
    """Settings take any format name; get_filter refuses an unknown one."""
    unknown = Settings(format="apache")
    with pytest.raises(ConfigError) as caught:
        get_filter(unknown)
    assert caught.value.setting == "format"


@pytest.mark.parametrize(
    ("options", "setting"),
    [
        ({"apache_format": "%h %Z"}, "apache_format"),
        ({"apache_format": '%l %u "%r"'}, "apache_format"),
        ({"nginx_format": "$remote_addr $"}, "nginx_format"),
        ({"nginx_format": '$remote_user "$request"'}, "nginx_format"),
    ],
)
def test_bad_template_names_its_setting(options: dict[str, Any], setting: str) -> None:
    """A template that does not compile is a ConfigError of its own setting."""
    with pytest.raises(ConfigError) as caught:
        get_filter(**options)
    assert caught.value.setting == setting


@pytest.mark.parametrize(
    "other", [{"ipv4_prefix": 16}, {"ipv6_prefix": 48}, {"style": "zero"}, {"keep": ["private"]}]
)
def test_a_masker_with_another_policy_is_refused(other: dict[str, Any]) -> None:
    """A masker made with other masking settings is a ConfigError of no one setting."""
    with pytest.raises(ConfigError, match="other masking settings") as caught:
        get_filter(Settings(format="combined"), Masker(**other))
    assert caught.value.setting is None
