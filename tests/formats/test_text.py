"""Syslog, mail and error-log filters: the `any` rules plus what each format knows."""

from __future__ import annotations

import base64
import ipaddress
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipmask import Counts
from ipmask.formats import get_filter


def mask(fmt: str, block: bytes, **options: Any) -> bytes:
    return get_filter(format=fmt, **options)(block)


#: A server's name that spells an address, and how the host-name pass masks it in a message.
HOST = b"ip-198-51-100-7"
MASKED_HOST = b"ip-XXX-51-100-XXX"


@pytest.mark.parametrize(
    "header",
    [
        b"Oct 11 14:32:52 %s sshd[1]:",
        b"Oct  1 04:05:06 %s sshd[1]:",
        b"Oct 11 14:32:52.123456 %s sshd[1]:",
        b"<34>Oct 11 14:32:52 %s su:",
        b"2023-10-11T14:32:52.123456+02:00 %s sshd[1]:",
        b"2023-10-11T14:32:52+0200 %s sshd[1]:",
        b"2023-10-11T14:32:52Z %s sshd[1]:",
        b"<165>1 2023-10-11T14:32:52.003Z %s.example.com app - ID47 -",
        b"Wed 2023-10-11 14:32:52 CEST %s sshd[1]:",
    ],
)
def test_syslog_headers_are_recognised(header: bytes) -> None:
    """rsyslog's, journald's and RFC 5424 stamps fit, and their HOSTNAME field is found."""
    counts = Counts()
    head = header % HOST
    out = get_filter(format="syslog", counts=counts)(head + b" rhost=" + HOST + b"\n")
    assert out == head + b" rhost=" + MASKED_HOST + b"\n"
    assert counts.unfit == 0


@pytest.mark.parametrize(
    "line",
    [
        b"Jan 29 09:33:58 pop3-login: Info: x",
        b"2023-10-11 14:32:52 auth-worker(1): Info: x",
        b"@400000004c91b044077a9e94 sshd[1]: x",
    ],
)
def test_daemons_own_stamps_fit(line: bytes) -> None:
    """Stamps that daemons write in their own log files (no HOSTNAME field) fit."""
    counts = Counts()
    get_filter(format="syslog", counts=counts)(line + b"\n")
    assert counts.unfit == 0


@pytest.mark.parametrize(
    "line", [b"web1 sshd[1]: x", b"Oct 11 web1: x", b"   at java.Foo(Foo.java)"]
)
def test_lines_without_a_stamp_do_not_fit(line: bytes) -> None:
    """A line without a syslog stamp is counted as unfit (and still masked)."""
    counts = Counts()
    f = get_filter(format="syslog", counts=counts)
    f(line + b" 203.0.113.5\n")
    assert counts.unfit == 1


def test_syslog_hostname_field_is_not_taken_for_a_client_name() -> None:
    """The writing machine's name is left alone though it spells an address."""
    line = b"Oct 11 14:32:58 ip-172-31-20-5 sshd[1]: Failed password from 203.0.113.5\n"
    assert mask("syslog", line) == line.replace(b"203.0.113.5", b"203.0.113.XXX")


def test_client_names_in_the_message_are_masked() -> None:
    """A name in the message that spells an address is masked (on by default in syslog)."""
    line = b"Oct 11 14:32:58 web1 sshd[1]: Connection from 198-51-100-7.dyn.example.net\n"
    assert b"198-51-100-7." not in mask("syslog", line)


def test_hostnames_off_still_masks_names_beside_their_address() -> None:
    """hostnames=False turns off names alone, not names standing beside their address."""
    lone = b"Oct 11 14:32:58 web1 sshd[1]: Connection from 198-51-100-7.dyn.example.net\n"
    pair = b"Oct 11 14:32:58 web1 sshd[1]: from 72-53-132-234.example.net [72.53.132.234]\n"
    assert mask("syslog", lone, hostnames=False) == lone
    assert mask("syslog", pair, hostnames=False) == pair.replace(b"234", b"XXX")


def test_hostname_field_that_is_an_address_is_masked() -> None:
    """An address literal is masked wherever it stands, the HOSTNAME field included."""
    line = b"Oct 11 14:32:58 10.1.2.3 sshd[1]: x\n"
    assert mask("syslog", line) == b"Oct 11 14:32:58 10.1.2.XXX sshd[1]: x\n"


def test_nul_bytes_do_not_confuse_the_hostname_pass() -> None:
    """A block holding NUL bytes is still masked line for line."""
    block = (
        b"Oct 11 14:32:58 web1 a[1]: \x00 203.0.113.5\nOct 11 14:32:59 web2 b[2]: 198.51.100.7\n"
    )
    assert mask("syslog", block) == block.replace(b".5\n", b".XXX\n").replace(b".7\n", b".XXX\n")


_stamp = st.builds(
    lambda mo, d, h, m, s, frac: b"%s %2d %02d:%02d:%02d%s" % (mo, d, h, m, s, frac),
    st.sampled_from([b"Jan", b"Feb", b"Oct", b"Dec"]),
    st.integers(1, 31),
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 59),
    st.sampled_from([b"", b".123456", b".5"]),
) | st.builds(
    lambda y, mo, d, h, m, s, tz: b"%04d-%02d-%02dT%02d:%02d:%02d%s" % (y, mo, d, h, m, s, tz),
    st.integers(1970, 2100),
    st.integers(1, 12),
    st.integers(1, 28),
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 59),
    st.sampled_from([b"Z", b"+02:00", b"-0530", b".123+01:00"]),
)


@settings(max_examples=200, deadline=None)
@given(_stamp)
def test_timestamps_are_never_taken_for_addresses(stamp: bytes) -> None:
    """No stamp rsyslog or journald writes is changed by masking."""
    line = stamp + b" web1 sshd[1]: at 12:34:56 from 203.0.113.5\n"
    assert mask("syslog", line) == line.replace(b".5\n", b".XXX\n")


# -- postfix ------------------------------------------------------------------------------


def test_postfix_helo_name_is_paired_with_the_client_address() -> None:
    """A HELO name spelling the client address backwards is masked where the address hides.

    It is paired with the line's client address, so this holds with names alone off too; the
    contract alone would read the name's start as an address and mask the wrong number.
    """
    line = (
        b"Oct 11 14:32:54 mx1 postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown"
        b"[198.51.100.7]: 450 x; proto=ESMTP helo=<7.100.51.198.dyn.example.org>\n"
    )
    assert b"helo=<XXX.100.51.198.dyn.example.org>" in mask("postfix", line, hostnames=False)
    assert b"helo=<7.100.51.XXX.dyn.example.org>" in mask("any", line)


def test_postfix_reverse_dns_warnings_are_paired() -> None:
    """Names in 'does not resolve to address' and 'verification failed' are masked."""
    block = (
        b"Oct 11 14:32:54 mx1 postfix/smtpd[1]: warning: hostname 7.100.51.198.example.org"
        b" does not resolve to address 198.51.100.7: Name or service not known\n"
        b"Oct 11 14:32:55 mx1 postfix/smtpd[1]: warning: 192.0.2.33: hostname "
        b"h33-2-0-192.example.net verification failed: Name or service not known\n"
    )
    out = mask("postfix", block)
    assert b"hostname XXX.100.51.198.example.org does" in out
    assert b"hostname hXXX-2-0-192.example.net verification" in out


def test_postfix_helo_without_an_address_on_its_line_stays() -> None:
    """A HELO name with no client address on its line has nothing to be paired with."""
    line = b"Oct 11 14:32:54 mx1 postfix/smtpd[1]: helo=<mail.example.org>\n"
    assert mask("postfix", line) == line


# -- dovecot ------------------------------------------------------------------------------


def _session(address: str, port: int = 51234) -> bytes:
    raw = bytes(range(6)) + port.to_bytes(2, "little") + ipaddress.ip_address(address).packed
    return base64.b64encode(raw)


def _session_address(session: bytes) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(base64.b64decode(session)[8:])


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2a01:4f8:1c17:413b::1", "2a01:4f8:1c10::/44"),
        ("::ffff:198.51.100.8", "::ffff:198.51.100.0/120"),
    ],
)
def test_dovecot_session_ids_keep_only_the_masked_address(address: str, network: str) -> None:
    """The address inside a session id is cut to the same prefix as the address in text."""
    sid = _session(address)
    line = b"Oct 11 14:32:52 mx1 dovecot: imap-login: Login: user=<a>, session=<" + sid + b">\n"
    out = mask("dovecot", line)
    masked = out.split(b"session=<")[1][: len(sid)]
    assert _session_address(masked) == ipaddress.ip_network(network).network_address
    assert base64.b64decode(masked)[:8] == base64.b64decode(sid)[:8]


@pytest.mark.parametrize(
    "shape",
    [b"session=<%s>", b"imap(user)<3101><%s>: Logged out", b"auth: sql(user,192.0.2.10,<%s>): x"],
)
def test_dovecot_session_ids_are_found_where_dovecot_writes_them(shape: bytes) -> None:
    """session=<id>, the mail process prefix <pid><id> and passdb(user,ip,<id>) are masked."""
    sid = _session("203.0.113.77")
    line = b"Oct 11 14:32:52 mx1 dovecot: " + shape % sid + b"\n"
    assert sid not in mask("dovecot", line)


def test_dovecot_session_ids_in_kept_networks_stay() -> None:
    """A session id of a client in a keep network is left as written."""
    sid = _session("192.0.2.10")
    line = b"Oct 11 14:32:52 mx1 dovecot: imap-login: Login: session=<" + sid + b">\n"
    assert sid in mask("dovecot", line, keep=["192.0.2.0/24"])


def test_other_ids_in_angle_brackets_stay() -> None:
    """Ids of other lengths (lmtp's 22-character ids) are not session ids."""
    line = b"Oct 11 14:33:01 mx1 dovecot: lmtp(a)<4001><OKPUH2bZ1WNDEAAAtCkSsA>: saved\n"
    assert mask("dovecot", line) == line


def test_dovecot_own_log_file_fits() -> None:
    """Dovecot's own log file (no HOSTNAME field) fits the dovecot format."""
    counts = Counts()
    f = get_filter(format="dovecot", counts=counts)
    out = f(b"Jan 29 09:33:58 pop3-login: Info: Aborted login: rip=212.9.180.3, lip=10.0.0.1\n")
    assert out.endswith(b"rip=212.9.180.XXX, lip=10.0.0.XXX\n")
    assert counts.unfit == 0


# -- error logs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "line"),
    [
        (
            "apache-error",
            b"[Wed Oct 11 14:32:52.123456 2023] [core:error] [pid 1] [client 203.0.113.5:58032] x",
        ),
        ("apache-error", b"[Sun Jun 09 07:57:47 2013] [error] [client 203.0.113.5] x"),
        ("nginx-error", b"2023/10/11 14:32:52 [error] 1#1: *1 x, client: 203.0.113.5, server: _"),
    ],
)
def test_error_log_lines_fit_and_are_masked(fmt: str, line: bytes) -> None:
    """Apache 2.2/2.4 and nginx error lines fit, and their client is masked."""
    counts = Counts()
    f = get_filter(format=fmt, counts=counts)
    assert b"203.0.113.XXX" in f(line + b"\n")
    assert (counts.unfit, counts.ipv4) == (0, 1)


def test_error_log_keeps_a_five_digit_port() -> None:
    """Apache 2.4's unbracketed [client IPv6:port] keeps its port when it cannot be a group."""
    line = b"[Wed Oct 11 14:32:53.000001 2023] [core:error] [pid 1] [client 2001:db8::1:51234] x\n"
    out = mask("apache-error", line)
    assert b"[client 2001:db8:000X:XXXX:XXXX:XXXX:XXXX:XXXX:51234]" in out


def test_error_log_line_of_another_program_is_unfit() -> None:
    """A line without the server's stamp is counted as unfit and masked all the same."""
    counts = Counts()
    f = get_filter(format="nginx-error", counts=counts)
    assert f(b"nginx: [emerg] bind() to 192.0.2.1:80 failed\n").count(b"XXX") == 1
    assert counts.unfit == 1


@pytest.mark.parametrize("fmt", ["syslog", "postfix", "dovecot"])
def test_hostname_field_is_not_taken_for_a_client_name(fmt: str) -> None:
    """The HOSTNAME field names the server: it keeps its digits while the same name in the
    message, a client's, is masked."""
    line = b"Nov 22 10:15:32 s166-62-100-187 sshd[1]: rhost=s166-62-100-187 from 203.0.113.9\n"
    assert get_filter(format=fmt)(line) == (
        b"Nov 22 10:15:32 s166-62-100-187 sshd[1]: rhost=sXXX-62-100-XXX from 203.0.113.XXX\n"
    )
