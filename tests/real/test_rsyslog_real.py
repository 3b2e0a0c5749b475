"""A real rsyslogd runs the configurations of docs/integrations.md with ``ipmask --rsyslog``.

Each test starts ``rsyslogd -n`` in the foreground with its own configuration, work directory
and pid file in a temporary folder. It uses no system socket (no imuxsock, no imklog; internal
messages are processed, not sent to /dev/log) and listens on 127.0.0.1 only. ``logger`` sends
Postfix and Dovecot lines; the test checks that they arrive masked, in order, none lost.

The rsyslog configuration is the block from docs/integrations.md, with only paths and ports
changed, so the documentation cannot drift from what is tested. The ``Rsyslogd`` runner here
is shared with tests/real/test_nginx_real.py; the generic helpers live in tests/real/tools.py.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from ipmask import get_filter, mask_ip
from real import tools as realtools
from real.tools import DOCS_BINARY, TIMEOUT, free_port, read_lines, wait_for

pytestmark = pytest.mark.real


def doc_block(name: str, replace: Mapping[str, str]) -> str:
    """A configuration block of docs/integrations.md, with ``replace`` applied."""
    return realtools.doc_block("integrations.md", name, replace)


def ipmask_command() -> str:
    """How mmexternal runs ipmask here: this interpreter, as ``binary="..."`` splits it."""
    # mmexternal splits its binary setting at spaces and runs it with an empty environment.
    assert " " not in sys.executable, "mmexternal cannot run an interpreter path with spaces"
    return f"{sys.executable} -m ipmask"


class Rsyslogd:
    """rsyslogd in the foreground with a private configuration; a context manager."""

    def __init__(self, program: str, folder: Path, body: str, inputs: str = "") -> None:
        self.folder = folder
        self.other = folder / "other.log"  # what the rest of a stock rsyslog.conf would get
        work = folder / "work"
        work.mkdir()
        self.config = folder / "rsyslog.conf"
        self.config.write_text(
            "# Test harness: private work directory; rsyslog's own messages are processed\n"
            "# here instead of being sent to the system's /dev/log.\n"
            f'global(workDirectory="{work}" processInternalMessages="on" net.enableDNS="off")\n'
            f"{inputs}\n"
            "# ---- from docs/integrations.md ----\n"
            f"{body}"
            "# ---- the rest of the system's rules ----\n"
            f'action(type="omfile" file="{self.other}")\n',
            encoding="utf-8",
        )
        self.command = [program, "-n", "-f", str(self.config), "-i", str(folder / "rsyslogd.pid")]
        self.log = folder / "rsyslogd.out"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Rsyslogd:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT)
        wait_for(self._started, "rsyslogd to start")
        return self

    def _started(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"rsyslogd exited at start:\n{self.diagnostics()}")
        return b"] start" in self.other.read_bytes() if self.other.exists() else False

    def diagnostics(self) -> str:
        """rsyslogd's own output and internal messages, for a failing assertion."""
        parts = [p.read_text(errors="replace") for p in (self.log, self.other) if p.exists()]
        return "\n".join(parts)

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        realtools.stop(self.process)


@dataclass(frozen=True)
class Line:
    """A log message with ``{}`` where addresses go, and the addresses."""

    template: str
    addresses: tuple[str, ...] = ()
    #: bytes that are not UTF-8 put at the end (a Latin-1 user name, say)
    tail: bytes = b""

    @property
    def clear(self) -> bytes:
        return self.template.format(*self.addresses).encode() + self.tail

    def masked(self, fmt: str) -> bytes:
        """What ``--format fmt`` makes of the message as rsyslog passes it (with its space)."""
        return get_filter(format=fmt)(b" " + self.clear)


V6 = "2a01:4f8:1c17:413b::1"
#: A Dovecot session id (base64 of a time stamp, a counter and the client's address bits).
SESSION = "kX1bM9AYJNwqAAAB"
#: A HELO name that spells the client's address of its line.
HELO = "78-46-198-144.dyn.example.net"

POSTFIX = [
    Line("connect from unknown[{}]", ("78.46.198.140",)),
    Line(
        "NOQUEUE: reject: RCPT from unknown[{}]: 554 5.7.1 <spam@example.net>: Relay access "
        "denied; from=<a@example.org> to=<spam@example.net> proto=ESMTP helo=<[IPv6:{}]>",
        (V6, V6),
    ),
    Line("3F2A01234: client=mail.example.org[{}]", ("203.0.113.25",)),
    Line(
        "3F2A01234: to=<b@example.com>, relay=mx.example.com[{}]:25, delay=0.41, "
        "delays=0.1/0/0.2/0.11, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 9C1D2)",
        ("198.51.100.7",),
    ),
    Line(
        "disconnect from unknown[{}] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4",
        ("::ffff:78.46.198.141",),
    ),
    Line("lost connection after CONNECT from unknown[{}]", ("2001:db8:4711::25",)),
    Line(
        "warning: unknown[{}]: SASL LOGIN authentication failed: UGFzc3dvcmQ6", ("78.46.198.142",)
    ),
    Line(
        "statistics: max connection rate 1/60s for (smtp:{}) at May  6 10:11:12", ("78.46.198.143",)
    ),
    Line(
        "NOQUEUE: reject: RCPT from unknown[{}]: 450 4.7.1 Client host rejected: cannot find "
        "your hostname, [{}]; from=<x@example.org> to=<y@example.com> proto=ESMTP helo=<"
        + HELO
        + ">",
        ("78.46.198.144", "78.46.198.144"),
    ),
    Line("3F2A01234: removed"),
]

DOVECOT = [
    Line(
        "imap-login: Login: user=<anna@example.org>, method=PLAIN, rip={}, lip={}, mpid=4712, "
        "TLS, session=<" + SESSION + ">",
        ("78.46.198.140", "192.0.2.10"),
    ),
    Line(
        "pop3-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<jörg@example.org>, "
        "method=PLAIN, rip={}, lip={}, TLS, session=<x>",
        (V6, "2001:db8::10"),
    ),
    Line(
        "auth: pam(anna@example.org,{},<" + SESSION + ">): pam_authenticate() failed: "
        "Authentication failure (password mismatch?)",
        ("203.0.113.9",),
    ),
    Line("imap(anna@example.org)<4712><" + SESSION + ">: Disconnected: Logged out in=123 out=4567"),
    Line(
        "managesieve-login: Disconnected: Too many invalid commands: rip={}, lip={}, user=",
        ("::ffff:203.0.113.10", "::ffff:192.0.2.10"),
        tail=b"<j\xf6rg>",
    ),
]


def send(
    logger: str,
    port: int,
    lines: Sequence[Line],
    *,
    tag: str,
    transport: str = "--tcp",
    pid: int | None = None,
) -> None:
    """Send ``lines`` as mail-facility syslog messages from one ``logger`` run, in order."""
    command = [logger, "--server", "127.0.0.1", "--port", str(port), transport, "--rfc3164"]
    command += ["-p", "mail.info", "-t", tag] + ([f"--id={pid}"] if pid else [])
    data = b"".join(line.clear + b"\n" for line in lines)
    subprocess.run(command, input=data, check=True, timeout=TIMEOUT)


#: (syslog tag, message, the format its mmexternal action uses)
Expected = tuple[bytes, Line, str]


def assert_arrived_masked(path: Path, expected: Sequence[Expected], daemon: Rsyslogd) -> None:
    """``path`` holds exactly the ``expected`` messages, in order, each masked by its format."""
    wait_for(lambda: len(read_lines(path)) >= len(expected), f"{len(expected)} lines in {path}")
    got = read_lines(path)
    assert len(got) == len(expected), daemon.diagnostics()
    for written, (tag, line, fmt) in zip(got, expected, strict=True):
        # Byte for byte what the library makes of the message: the pipe changed nothing else.
        assert written.endswith(tag + line.masked(fmt)), (written, line.masked(fmt))
        # And, independently of the filter, every address is there masked and not in clear.
        for address in line.addresses:
            assert mask_ip(address).encode() in written
            assert address.encode() not in written.replace(mask_ip(address).encode(), b"")
    text = path.read_bytes()
    # What only the daemons' formats mask: Dovecot's session ids, a HELO name that spells
    # the client's address. Their absence shows that the daemon's --format was in effect.
    if any(fmt == "dovecot" for _, _, fmt in expected):
        assert f"session=<{SESSION}>".encode() not in text
    if any(fmt == "postfix" for _, _, fmt in expected):
        assert HELO.encode() not in text


def postfix(lines: Sequence[Line]) -> list[Expected]:
    return [(b"postfix/smtpd[4711]:", line, "postfix") for line in lines]


def dovecot(lines: Sequence[Line]) -> list[Expected]:
    return [(b"dovecot:", line, "dovecot") for line in lines]


@pytest.fixture
def programs(require_program: Callable[[str], str]) -> tuple[str, str]:
    """(rsyslogd, logger) paths."""
    return require_program("rsyslogd"), require_program("logger")


def test_mail_dropin_masks_postfix_and_dovecot(tmp_path: Path, programs: tuple[str, str]):
    """The docs' drop-in for a mail server: Postfix and Dovecot arrive masked, in order, all."""
    rsyslogd, logger = programs
    port = free_port()
    mail_log = tmp_path / "mail.log"
    body = doc_block(
        "rsyslog-mail", {DOCS_BINARY: ipmask_command(), "/var/log/mail.log": str(mail_log)}
    )
    # A local TCP input stands in for the system socket that Postfix and Dovecot write to.
    inputs = f'module(load="imtcp")\ninput(type="imtcp" address="127.0.0.1" port="{port}")\n'
    with Rsyslogd(rsyslogd, tmp_path, body, inputs) as daemon:
        send(logger, port, POSTFIX, tag="postfix/smtpd", pid=4711)
        wait_for(lambda: len(read_lines(mail_log)) >= len(POSTFIX), "the Postfix lines")
        send(logger, port, DOVECOT, tag="dovecot")
        assert_arrived_masked(mail_log, postfix(POSTFIX) + dovecot(DOVECOT), daemon)
        other = daemon.other.read_bytes()
    # "stop" keeps the mail messages from the system's other rules, where they would be clear.
    assert b"postfix" not in other
    assert b"dovecot" not in other


def test_central_log_host_masks_what_the_fleet_sends(tmp_path: Path, programs: tuple[str, str]):
    """The docs' central log host: TCP and UDP from servers land masked, per host and program."""
    rsyslogd, logger = programs
    port = free_port()
    fleet = tmp_path / "fleet"
    body = doc_block(
        "rsyslog-central",
        {
            DOCS_BINARY: ipmask_command(),
            "/var/log/fleet": str(fleet),
            # both inputs, TCP and UDP, listen on loopback only
            'port="514"': f'address="127.0.0.1" port="{port}"',
        },
    )
    with Rsyslogd(rsyslogd, tmp_path, body) as daemon:
        send(logger, port, POSTFIX, tag="postfix/smtpd", pid=4711)
        send(logger, port, DOVECOT, tag="dovecot", transport="--udp")
        wait_for(lambda: len(list(fleet.glob("*/*.log"))) == 2, "a file per program")
        (postfix_log,) = fleet.glob("*/postfix.log")
        (dovecot_log,) = fleet.glob("*/dovecot.log")
        assert_arrived_masked(postfix_log, postfix(POSTFIX), daemon)
        assert_arrived_masked(dovecot_log, dovecot(DOVECOT), daemon)
    assert postfix_log.parent.name == socket.gethostname().split(".")[0]
