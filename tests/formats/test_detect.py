"""Telling a log's format from its first lines, and the `auto` filter."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipmask import Counts, Masker, Settings
from ipmask.formats import AutoFilter, detect_format, get_filter

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize(
    "name",
    [
        "common",
        "combined",
        "vhost_combined",
        "nginx",
        "apache-error",
        "nginx-error",
        "postfix",
        "dovecot",
        "syslog",
    ],
)
def test_each_format_is_recognised_from_its_sample(name: str) -> None:
    """The golden input of each format is detected as that format."""
    assert detect_format((GOLDEN / f"{name}.in.log").read_bytes()) == name


@pytest.mark.parametrize(
    "sample",
    [
        b"",
        b"\n\n",
        b"hello world\nno format here 203.0.113.5\n",
        (GOLDEN / "any.in.log").read_bytes(),
    ],
)
def test_nothing_recognisable_is_any(sample: bytes) -> None:
    """Empty, blank or mixed text falls back to `any`."""
    assert detect_format(sample) == "any"


def test_nginx_is_told_from_apache_by_its_escapes() -> None:
    r"""A combined line with \x22 is nginx's; one with \" or \x16 only is Apache's."""
    line = b'203.0.113.5 - - [10/Oct/2023:13:55:36 +0200] "GET /%s HTTP/1.1" 200 1 "-" "-"\n'
    assert detect_format(line % b"\\x22") == "nginx"
    assert detect_format(line % b'\\"') == "combined"
    assert detect_format(line % b"\\x16") == "combined"


def test_a_syslog_file_of_one_daemon_is_that_daemon() -> None:
    """A mail log mostly of Postfix lines is postfix; other syslog lines are syslog."""
    postfix = b"Oct 11 14:32:52 mx1 postfix/smtpd[1]: connect from unknown[203.0.113.5]\n"
    sshd = b"Oct 11 14:32:52 web1 sshd[1]: Failed password from 203.0.113.5\n"
    assert detect_format(postfix * 3 + sshd) == "postfix"
    assert detect_format(sshd * 3 + postfix) == "syslog"


def test_auto_decides_on_its_first_block_and_says_so() -> None:
    """`auto` names no format before its first block, then keeps the one it chose."""
    f = get_filter(format="auto")
    assert isinstance(f, AutoFilter)
    assert (f.chosen, f.name) == (None, "auto")
    assert f(b"") == b""
    assert f.chosen is None
    f(b"Oct 11 14:32:52 mx1 postfix/smtpd[1]: connect from unknown[203.0.113.5]\n")
    assert (f.chosen, f.name) == ("postfix", "postfix (auto)")
    f(b"[Sun Jun 09 07:57:47 2013] [error] [client 203.0.113.6] x\n")
    assert f.chosen == "postfix"


def test_auto_counts_into_the_counts_given() -> None:
    """The chosen filter counts into the Counts given to `auto`."""
    counts = Counts()
    f = get_filter(format="auto", counts=counts)
    f(b'203.0.113.5 - - [10/Oct/2023:13:55:36 +0200] "GET / HTTP/1.1" 200 1 "-" "-"\n')
    f(b"garbage 2001:db8::1\n")
    assert (counts.ipv4, counts.ipv6, counts.unfit) == (1, 1, 1)


def test_auto_picks_afresh_for_each_filter() -> None:
    """Each input gets its own filter, so its own detection."""
    masker = Masker()
    web, mail = (
        get_filter(Settings(format="auto"), masker),
        get_filter(Settings(format="auto"), masker),
    )
    web(b'203.0.113.5 - - [10/Oct/2023:13:55:36 +0200] "GET / HTTP/1.1" 200 1 "-" "-"\n')
    mail(b"Oct 11 14:32:52 mx1 dovecot: imap-login: Login: rip=203.0.113.5\n")
    assert (web.name, mail.name) == ("combined (auto)", "dovecot (auto)")
