"""A real Apache logs through ``ipmask`` as a piped logger, across a graceful restart.

Apache (Debian's apache2) runs in the foreground with its own configuration, pid file, error
log and mutex folder under a tmp folder, on a free loopback port of 127.0.0.1 and ::1. Its two
CustomLog lines are the ones in docs/cli.md, with this interpreter standing in for the installed
command. Requests over IPv4 and IPv6 must land in the logs masked, none lost, none doubled, also
after a graceful restart (which stops the old loggers with SIGTERM and starts new ones).
"""

from __future__ import annotations

import http.client
import os
import pwd
import re
import signal
import socket
import stat
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ipmask import Masker
from real import tools as realtools
from real.tools import TCP6, TIMEOUT, accepts, free_port, read_lines, wait_for

pytestmark = pytest.mark.real

#: How the docs' blocks name the installed command and the log folder.
DOCS_COMMAND = realtools.DOCS_BINARY
DOCS_LOGS = "/var/log/apache2"
MODULES = "/usr/lib/apache2/modules"
#: Every wait here ends within this many seconds.

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.0.0 Safari/537.36"
FORWARDED = "78.46.198.140, 2a01:4f8:1c17:413b::1"
MASKER = Masker()


def doc_block(name: str) -> str:
    """A configuration block of docs/cli.md."""
    return realtools.doc_block("cli.md", name)


def apache_config(root: Path, port: int, log_lines: str) -> str:
    """A whole configuration for a throw-away Apache confined to ``root``."""
    modules = "\n".join(
        f"LoadModule {name}_module {MODULES}/mod_{name}.so" for name in ("mpm_event", "authz_core")
    )
    # As root, Apache hands requests to an unprivileged user; it must exist.
    user = ""
    if os.geteuid() == 0:
        name = next(n for n in ("www-data", "nobody", "daemon") if _user_exists(n))
        user = f"User {name}\nGroup #{pwd.getpwnam(name).pw_gid}"
    return f"""\
ServerRoot "{root}"
ServerName localhost
PidFile "{root}/httpd.pid"
ErrorLog "{root}/error.log"
LogLevel notice
DefaultRuntimeDir "{root}"
Mutex file:{root} default
Listen 127.0.0.1:{port}
Listen [::1]:{port}
{modules}
{user}
DocumentRoot "{root}"
<Directory />
    AllowOverride None
    Require all granted
</Directory>
# ---- from docs/cli.md ----
{log_lines}
# ----
"""


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class Apache:
    """apache2 in the foreground, stopped (and waited for) at the end of the test."""

    def __init__(self, program: str, root: Path, config: str, port: int) -> None:
        self.root = root
        self.port = port
        self.conf = root / "httpd.conf"
        self.conf.write_text(config, encoding="utf-8")
        with (root / "apache.out").open("wb") as out:
            self.process = subprocess.Popen(
                [program, "-d", str(root), "-f", str(self.conf), "-DFOREGROUND"],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for(lambda: accepts("127.0.0.1", port) and accepts("::1", port), "Apache")
        except AssertionError:
            self.stop()
            raise AssertionError(f"Apache did not start: {self.diagnostics()}") from None

    def diagnostics(self) -> str:
        return " | ".join(
            p.read_text(errors="replace")
            for p in (self.root / "apache.out", self.error_log)
            if p.exists()
        )

    @property
    def error_log(self) -> Path:
        return self.root / "error.log"

    def graceful(self) -> None:
        """Graceful restart (what ``apachectl graceful`` sends), then wait until it is done."""
        done = self.error_log.read_text(errors="replace").count("resuming normal operations")
        self.process.send_signal(signal.SIGUSR1)
        wait_for(
            lambda: (
                self.error_log.read_text(errors="replace").count("resuming normal operations")
                > done
            ),
            "the graceful restart",
        )

    def stop(self) -> None:
        realtools.stop(self.process)


@pytest.fixture
def apache(require_program: Callable[[str], str], tmp_path: Path) -> Iterator[Apache]:
    """A throw-away Apache logging through the docs' CustomLog lines into tmp_path."""
    program = require_program("apache2")
    if not socket.has_ipv6 or not _ipv6_loopback():
        if os.environ.get("IPMASK_REQUIRE_REAL") == "1":
            pytest.fail("this machine has no ::1 to test Apache over IPv6")
        pytest.skip("no IPv6 loopback (::1) on this machine")
    # Mind the gap: the docs write the command as installed; here it is this interpreter.
    log_lines = doc_block("apache").replace(DOCS_COMMAND, f"{sys.executable} -m ipmask")
    log_lines = log_lines.replace(DOCS_LOGS, str(tmp_path))
    port = free_port(also=TCP6)
    server = Apache(program, tmp_path, apache_config(tmp_path, port, log_lines), port)
    try:
        yield server
    finally:
        server.stop()


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


def get(host: str, port: int, path: str) -> None:
    """One request, with a forwarded-for header and a browser's user agent."""
    connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    try:
        connection.request(
            "GET", path, headers={"User-Agent": USER_AGENT, "X-Forwarded-For": FORWARDED}
        )
        connection.getresponse().read()
    finally:
        connection.close()


def send_requests(port: int, first: int, count: int) -> list[bytes]:
    """Requests /r/<n> alternately over 127.0.0.1 and ::1; returns the paths."""
    paths = []
    for n in range(first, first + count):
        path = f"/r/{n}"
        get("127.0.0.1" if n % 2 == 0 else "::1", port, path)
        paths.append(path.encode() + b" ")
    return paths


def requested(log: list[bytes]) -> Counter[bytes]:
    """How often each request path occurs in the log lines."""
    return Counter(m.group(0) for line in log if (m := re.search(rb"/r/\d+ ", line)))


CLIENTS = (b"127.0.0.XXX ", MASKER.mask_ip("::1").encode() + b" ")
PROXIED = (MASKER.mask_text(FORWARDED).encode() + b" ",)


def assert_masked(log: list[bytes], starts: tuple[bytes, ...]) -> None:
    """No address left in clear in any line, and each starts with a masked address."""
    for line in log:
        assert MASKER.addresses(line) == [], line
        assert line.startswith(starts), line


def test_apache_piped_logs_are_masked_across_a_graceful_restart(apache: Apache, tmp_path: Path):
    """Lines over 127.0.0.1 and ::1 arrive masked in both logs; a restart loses, doubles none."""
    combined, proxied = tmp_path / "access.log", tmp_path / "proxied.log"
    before = send_requests(apache.port, 0, 20)
    wait_for(
        lambda: len(read_lines(combined)) >= 20 and len(read_lines(proxied)) >= 20, "20 log lines"
    )
    apache.graceful()
    after = send_requests(apache.port, 20, 20)
    wait_for(
        lambda: len(read_lines(combined)) >= 40 and len(read_lines(proxied)) >= 40, "40 log lines"
    )
    apache.stop()
    for log, starts in ((combined, CLIENTS), (proxied, PROXIED)):
        content = read_lines(log)
        assert len(content) == 40, apache.diagnostics()
        # Workers may write their lines in another order than the requests came; every request
        # must be there exactly once.
        assert requested(content) == Counter(before + after)
        assert_masked(content, starts)
        assert stat.S_IMODE(log.stat().st_mode) == 0o640
    # A browser's version number looks like an address, and is none.
    assert all(USER_AGENT.encode() in line for line in read_lines(combined))
