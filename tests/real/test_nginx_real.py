"""A real nginx logs over syslog into a real rsyslogd that masks with ``ipmask --rsyslog``.

nginx runs in the foreground (``daemon off``) with its own configuration, pid file, error log
and temporary folders under a tmp folder, on a free loopback port of 127.0.0.1 and ::1. Its
access log goes to syslog on 127.0.0.1, as docs/integrations.md says; the rsyslog side is the
docs' block too. Requests over IPv4 and IPv6 must arrive masked, in order, none lost, with the
rest of each line exactly as nginx writes it.
"""

from __future__ import annotations

import http.client
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ipmask import mask_ip
from real.test_rsyslog_real import Rsyslogd, doc_block, ipmask_command
from real.tools import DOCS_BINARY, TCP6, TIMEOUT, accepts, free_port, read_lines, wait_for

pytestmark = pytest.mark.real

USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
REFERER = "https://shop.example/downloads"
#: The configured port in the docs' blocks, replaced by the test's own.
DOCS_PORT = "5140"


def nginx_config(prefix: Path, port: int, access_log: str) -> str:
    """A whole nginx.conf around the docs' access_log line, confined to ``prefix``."""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""\
worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} info;
events {{ worker_connections 64; }}
http {{
{temp}
    # ---- from docs/integrations.md ----
    {access_log}
    # ----
    server {{
        listen 127.0.0.1:{port};
        listen [::1]:{port};
        location / {{ return 200 "ok\\n"; }}
    }}
}}
"""


@pytest.fixture
def nginx(require_program: Callable[[str], str], tmp_path: Path) -> Iterator[Callable[..., None]]:
    """Starts nginx with a docs access_log line; stops it at the end of the test."""
    program = require_program("nginx")
    processes: list[subprocess.Popen[bytes]] = []

    def start(access_log: str) -> None:
        prefix = tmp_path / "nginx"
        prefix.mkdir()
        port = free_port(also=TCP6)
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_config(prefix, port, access_log), encoding="utf-8")
        command = [program, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]
        with (prefix / "nginx.out").open("wb") as out:
            processes.append(
                subprocess.Popen(
                    [*command, "-g", "daemon off;"], stdout=out, stderr=subprocess.STDOUT
                )
            )
        try:
            wait_for(lambda: accepts("127.0.0.1", port) and accepts("::1", port), "nginx")
        except AssertionError:
            logs = [p.read_text(errors="replace") for p in prefix.glob("*.out")]
            raise AssertionError(f"nginx did not start: {logs}") from None
        start.port = port  # type: ignore[attr-defined]

    yield start
    for process in processes:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(TIMEOUT)


def get(host: str, port: int, path: str) -> int:
    connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    try:
        connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Referer": REFERER})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_nginx_access_log_through_rsyslog_is_masked(
    tmp_path: Path, require_program: Callable[[str], str], nginx: Callable[..., None]
):
    """Requests over 127.0.0.1 and ::1 land in the access log masked, in order, none lost."""
    rsyslogd = require_program("rsyslogd")
    syslog_port = free_port()
    access_log = tmp_path / "access.log"
    rsyslog_body = doc_block(
        "rsyslog-nginx",
        {
            DOCS_BINARY: ipmask_command(),
            "/var/log/nginx/access.log": str(access_log),
            DOCS_PORT: str(syslog_port),
        },
    )
    nginx_line = doc_block("nginx", {DOCS_PORT: str(syslog_port)}).strip()
    (tmp_path / "rsyslog").mkdir()
    with Rsyslogd(rsyslogd, tmp_path / "rsyslog", rsyslog_body) as daemon:
        nginx(nginx_line)
        port = nginx.port  # type: ignore[attr-defined]
        clients = ["127.0.0.1", "::1"] * 4
        for n, client in enumerate(clients):
            assert get(client, port, f"/downloads/{n}?lang=de") == 200
        wait_for(lambda: len(read_lines(access_log)) >= len(clients), "the access log lines")
        got = read_lines(access_log)
        assert len(got) == len(clients), daemon.diagnostics()
    for n, (line, client) in enumerate(zip(got, clients, strict=True)):
        # The line is exactly nginx's "combined", the client field masked.
        head, _, tail = line.decode().partition(" [")
        assert head == f"{mask_ip(client)} - -"
        assert tail.endswith(
            f'] "GET /downloads/{n}?lang=de HTTP/1.1" 200 3 "{REFERER}" "{USER_AGENT}"'
        ), line
    assert b"127.0.0.1" not in access_log.read_bytes()
