"""Apache LogFormat and nginx log_format templates: what parses, and which fields are addresses."""

from __future__ import annotations

import pytest

from ipmask import ConfigError
from ipmask.formats import _templates as templates

T = b"[10/Oct/2023:13:55:36 +0200]"

APACHE_LETTERS = "aAbBCDefhHiIklLmnoOpPqrRsStTuUvVX"


def _fits(template: str, line: bytes, *, nginx: bool = False) -> bool:
    compiled = templates.compile_nginx(template) if nginx else templates.compile_apache(template)
    return compiled.line.fullmatch(line) is not None


def test_stock_combined_has_one_host_field() -> None:
    """Apache's combined masks its %h and keeps everything else in one group."""
    assert templates.compile_apache(templates.APACHE_STOCK["combined"]).roles == (
        templates.HOST,
        templates.KEEP,
    )


def test_stock_vhost_combined_keeps_the_server_name() -> None:
    """vhost_combined keeps %v:%p and masks the %h after it."""
    assert templates.compile_apache(templates.APACHE_STOCK["vhost_combined"]).roles == (
        templates.KEEP,
        templates.HOST,
        templates.KEEP,
    )


def test_stock_nginx_masks_remote_addr() -> None:
    """nginx's combined masks $remote_addr."""
    assert templates.compile_nginx(templates.NGINX_STOCK).roles == (templates.ADDR, templates.KEEP)


@pytest.mark.parametrize("letter", APACHE_LETTERS)
def test_every_apache_directive_parses(letter: str) -> None:
    """Every directive letter mod_log_config knows is accepted."""
    templates.compile_apache(f"%h %{letter}")


@pytest.mark.parametrize(
    "directive",
    [
        "%>s",
        "%<s",
        "%{%d/%b/%Y %T}t",
        "%{sec}t",
        "%{begin:msec_frac}t",
        "%400,501{User-agent}i",
        "%!200,304,302{Referer}i",
        "%{UNIQUE_ID}e",
        "%{remote}p",
        "%{tid}P",
        "%{ms}T",
        "%{Foo}^ti",
        "%%",
    ],
)
def test_apache_directive_forms_parse(directive: str) -> None:
    """Modifiers, conditions, parameters and the literal %% parse."""
    templates.compile_apache(f"%h {directive}")


def test_apache_config_escapes_are_read() -> None:
    """A template copied from apache2.conf with \\" escapes equals the unescaped one."""
    escaped = r"%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\""
    assert (
        templates.compile_apache(escaped).line.pattern
        == templates.compile_apache(templates.APACHE_STOCK["combined"]).line.pattern
    )


def test_apache_custom_time_with_spaces_fits() -> None:
    """A strftime %{...}t holding spaces matches its line."""
    line = b'203.0.113.5 [2023-10-11 13:55:36] "GET / HTTP/1.1" 200'
    assert _fits('%h [%{%Y-%m-%d %H:%M:%S}t] "%r" %>s', line)


@pytest.mark.parametrize("header", ["X-Forwarded-For", "x-forwarded-for", "X-FORWARDED-FOR"])
def test_forwarded_for_header_is_a_list(header: str) -> None:
    """%{X-Forwarded-For}i is a list field, whatever the case of the header name."""
    assert templates.LIST in templates.compile_apache(f'%h "%{{{header}}}i"').roles


def test_real_ip_header_and_peer_address_are_addresses() -> None:
    """%{X-Real-IP}i and %{c}a are single address fields."""
    assert templates.compile_apache('%{c}a "%{X-Real-IP}i" %r').roles == (
        templates.ADDR,
        templates.KEEP,
        templates.ADDR,
        templates.KEEP,
    )


def test_other_headers_are_kept() -> None:
    """A header that does not carry a client address is a field to leave alone."""
    assert templates.compile_apache('%a "%{True-Client-Host}i"').roles == (
        templates.ADDR,
        templates.KEEP,
    )


@pytest.mark.parametrize(
    "variable",
    [
        "$remote_addr",
        "$realip_remote_addr",
        "$http_x_forwarded_for",
        "$proxy_add_x_forwarded_for",
        "$http_x_real_ip",
    ],
)
def test_nginx_address_variables(variable: str) -> None:
    """Each of nginx's client address variables is masked."""
    roles = templates.compile_nginx(f'"{variable}" $status').roles
    assert any(role != templates.KEEP for role in roles)


def test_nginx_braced_variables_parse() -> None:
    """${name} is read like $name."""
    assert (
        templates.compile_nginx("${remote_addr}-$status").roles
        == templates.compile_nginx("$remote_addr-$status").roles
    )


def test_nginx_unknown_variables_are_kept() -> None:
    """Variables of other modules are accepted as text to keep."""
    compiled = templates.compile_nginx(
        '$remote_addr "$geoip2_data_city_name" $upstream_http_x_cache'
    )
    assert compiled.roles == (templates.ADDR, templates.KEEP)


@pytest.mark.parametrize("template", ["%h %Z", "%h %", "%h %{Foo}", "%h %{Foo}^tx"])
def test_unknown_apache_directive_is_a_config_error(template: str) -> None:
    """An unknown or unfinished directive is refused, naming the allowed ones."""
    with pytest.raises(ConfigError, match="allowed: %A"):
        templates.compile_apache(template)


@pytest.mark.parametrize("template", ["$remote_addr $", "$remote_addr ${}", "$ $remote_addr"])
def test_bad_nginx_variable_is_a_config_error(template: str) -> None:
    """A '$' without a name is refused."""
    with pytest.raises(ConfigError, match="without a variable name"):
        templates.compile_nginx(template)


@pytest.mark.parametrize(
    ("compile_", "template"),
    [
        (templates.compile_apache, '%l %u %t "%r"'),
        (templates.compile_nginx, '$remote_user "$request"'),
    ],
)
def test_template_without_address_is_a_config_error(compile_: object, template: str) -> None:
    """A template with nothing to mask is refused: it is probably the wrong template."""
    with pytest.raises(ConfigError, match="no client address field"):
        compile_(template)  # type: ignore[operator]


def test_template_spanning_lines_is_a_config_error() -> None:
    """A template with a line break cannot describe one log line."""
    with pytest.raises(ConfigError, match="one-line"):
        templates.compile_apache("%h\\n%r")


def test_combined_gets_a_fast_split() -> None:
    """combined ends in a quoted field after its client, so it has the fast split."""
    assert templates.compile_apache(templates.APACHE_STOCK["combined"]).fast is not None


@pytest.mark.parametrize("template", [templates.APACHE_STOCK["common"], '%r "%h"', "%h %u"])
def test_templates_without_free_text_tail_have_no_fast_split(template: str) -> None:
    """A template not ending in '"' after free text only has the exact split."""
    assert templates.compile_apache(template).fast is None


def _line(client: bytes) -> bytes:
    return client + b" - - " + T + b' "GET / HTTP/1.1" 200 5 "-" "ua"'


def test_fast_split_cuts_at_every_line_break() -> None:
    """Each break gives one match: the client of a fitting line, the break alone otherwise."""
    fast = templates.compile_apache(templates.APACHE_STOCK["combined"]).fast
    assert fast is not None
    block = b"\n".join([_line(b"192.0.2.1"), _line(b"192.0.2.2"), b"error from 203.0.113.9"])
    assert fast.split(block)[1::2] == [b"\n192.0.2.2", b"\n"]


def test_fast_split_needs_the_line_before_to_end_in_a_quote() -> None:
    """A line after one that does not end in '"' leaves its break alone."""
    fast = templates.compile_apache(templates.APACHE_STOCK["combined"]).fast
    assert fast is not None
    block = b"\n".join([_line(b"192.0.2.1"), _line(b"192.0.2.2") + b" 7", _line(b"192.0.2.3")])
    assert fast.split(block)[1::2] == [b"\n192.0.2.2", b"\n"]


def test_fast_split_leaves_later_groups_empty_for_a_line_that_does_not_fit() -> None:
    """With several groups, a line that does not fit has the break alone and empty groups."""
    fast = templates.compile_apache(templates.APACHE_STOCK["vhost_combined"]).fast
    assert fast is not None
    parts = fast.split(
        b"\n".join([b"h:80 " + _line(b"192.0.2.%d" % i) for i in (1, 2)] + [b"h:80 x"])
    )
    assert parts[1:3] == [b"\nh:80 ", b"192.0.2.2"]
    assert parts[4:6] == [b"\n", b""]


def test_quotes_are_counted_per_line() -> None:
    """The template's own quotes are what the fast way expects on every line."""
    assert templates.compile_apache(templates.APACHE_STOCK["combined"]).quotes == 6


def test_escaped_quotes_fit_a_quoted_field() -> None:
    r"""Apache's \" and nginx's \x22 inside a quoted field keep the line fitting."""
    apache = b"203.0.113.5 - - " + T + b' "GET /\\"x\\" HTTP/1.1" 200 5 "-" "a \\"b\\""'
    nginx = b"203.0.113.5 - - " + T + b' "GET /\\x22x HTTP/1.1" 200 5 "-" "a \\x22b\\x22"'
    assert _fits(templates.APACHE_STOCK["combined"], apache)
    assert _fits(templates.NGINX_STOCK, nginx, nginx=True)


def test_raw_quote_inside_a_field_does_not_fit() -> None:
    """A raw quote inside a quoted field cannot be told apart from the field's end."""
    line = b"203.0.113.5 - - " + T + b' "GET /"x HTTP/1.1" 200 5 "-" "-"'
    assert not _fits(templates.APACHE_STOCK["combined"], line)


def test_user_with_a_space_does_not_fit() -> None:
    """%u is read as one word, so a line cannot be re-aligned around a space in it."""
    line = b"203.0.113.5 - john doe " + T + b' "GET / HTTP/1.1" 200 5 "-" "-"'
    assert not _fits(templates.APACHE_STOCK["combined"], line)
