"""Helpers shared by the tests that drive real daemons (Apache, nginx, rsyslog).

The docs hold the configurations users copy; the tests read those blocks from the pages
(marked ``<!-- config: NAME -->`` before a fenced block), so the docs and what is tested
cannot drift apart.
"""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"
#: Where the docs say `pip install` puts the command.
DOCS_BINARY = "/usr/local/bin/ipmask"
#: How long any wait on a daemon may take before the test fails.
TIMEOUT = 15.0

_BLOCK = re.compile(r"^<!-- config: (?P<name>[\w-]+) -->\n```\w*\n(?P<body>.*?)^```", re.S | re.M)


def doc_block(page: str, name: str, replace: Mapping[str, str] | None = None) -> str:
    """The configuration block ``name`` of ``docs/<page>``, with ``replace`` applied.

    Each text to replace must occur in the block, so a changed doc fails here loudly.
    """
    text = (DOCS / page).read_text(encoding="utf-8")
    body = {m["name"]: m["body"] for m in _BLOCK.finditer(text)}[name]
    for old, new in (replace or {}).items():
        assert old in body, f"docs block {name!r} no longer contains {old!r}"
        body = body.replace(old, new)
    return body


def free_port(
    *, also: tuple[int, int, str] = (socket.AF_INET, socket.SOCK_DGRAM, "127.0.0.1")
) -> int:
    """A TCP port on 127.0.0.1 that is also free for ``also`` (family, type, host)."""
    family, kind, host = also
    for _ in range(100):
        with (
            socket.socket(socket.AF_INET, socket.SOCK_STREAM) as first,
            socket.socket(family, kind) as second,
        ):
            first.bind(("127.0.0.1", 0))
            port: int = first.getsockname()[1]
            try:
                second.bind((host, port))
            except OSError:
                continue
            return port
    raise AssertionError(f"no port free on 127.0.0.1 and {host}")


#: For servers that listen on both loopback addresses.
TCP6 = (socket.AF_INET6, socket.SOCK_STREAM, "::1")


def wait_for(check: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    """Poll ``check`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def accepts(host: str, port: int) -> bool:
    """Whether something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def read_lines(path: Path) -> list[bytes]:
    """The lines of a log file so far (none while it does not exist yet)."""
    return path.read_bytes().splitlines() if path.exists() else []


def stop(process: subprocess.Popen[bytes]) -> None:
    """End a daemon the test started: SIGTERM, then SIGKILL if it does not go in time."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(TIMEOUT)
