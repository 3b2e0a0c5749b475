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
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ipmask.core import Masker

pytestmark = pytest.mark.real

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
#: How the docs' blocks name the installed command and the log folder.
DOCS_COMMAND = "/usr/bin/ipmask"
DOCS_LOGS = "/var/log/apache2"
MODULES = "/usr/lib/apache2/modules"
#: Every wait here ends within this many seconds.
TIMEOUT = 15.0

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.0.0 Safari/537.36"
FORWARDED = "78.46.198.140, 2a01:4f8:1c17:413b::1"
MASKER = Masker()

_BLOCK = re.compile(r"^<!-- config: (?P<name>[\w-]+) -->\n```\w*\n(?P<body>.*?)^```", re.S | re.M)


def doc_block(name: str) -> str:
    """Configuration block ``name`` of docs/cli.md, pointed at this interpreter and tmp logs."""
    blocks = {m["name"]: m["body"] for m in _BLOCK.finditer(DOCS.read_text(encoding="utf-8"))}
    return blocks[name]


def free_port() -> int:
    """A TCP port free on both 127.0.0.1 and ::1."""
    for _ in range(100):
        with (
            socket.socket(socket.AF_INET, socket.SOCK_STREAM) as v4,
            socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as v6,
        ):
            v4.bind(("127.0.0.1", 0))
            port: int = v4.getsockname()[1]
            try:
                v6.bind(("::1", port))
            except OSError:
                continue
            return port
    raise AssertionError("no port free on both 127.0.0.1 and ::1")


def wait_for(check: Callable[[], bool], what: str) -> None:
    """Poll ``check`` until it holds; fail naming ``what`` after TIMEOUT seconds."""
    deadline = time.monotonic() + TIMEOUT
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {TIMEOUT} s waiting for {what}")
        time.sleep(0.02)


def accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines() if path.exists() else []


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
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(TIMEOUT)


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
    port = free_port()
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
    wait_for(lambda: len(lines(combined)) >= 20 and len(lines(proxied)) >= 20, "20 log lines")
    apache.graceful()
    after = send_requests(apache.port, 20, 20)
    wait_for(lambda: len(lines(combined)) >= 40 and len(lines(proxied)) >= 40, "40 log lines")
    apache.stop()
    for log, starts in ((combined, CLIENTS), (proxied, PROXIED)):
        content = lines(log)
        assert len(content) == 40, apache.diagnostics()
        # Workers may write their lines in another order than the requests came; every request
        # must be there exactly once.
        assert requested(content) == Counter(before + after)
        assert_masked(content, starts)
        assert stat.S_IMODE(log.stat().st_mode) == 0o640
    # A browser's version number looks like an address, and is none.
    assert all(USER_AGENT.encode() in line for line in lines(combined))
