"""ipmask --in-place under a real logrotate, and the stanzas of docs/logrotate.md."""

from __future__ import annotations

import gzip
import os
import re
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ipmask import Masker

pytestmark = pytest.mark.real

MASK = Masker().mask_bytes
IPMASK = [sys.executable, "-m", "ipmask"]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "logrotate.md"
STANZA = re.compile(r"```logrotate\n(.*?)```", re.DOTALL)
ROUNDS = 10
TIMEOUT = 60


def logrotate(program: str, config: Path, state: Path, env: dict[str, str] | None = None) -> None:
    """Force one rotation with our own state file; logrotate must report no error."""
    proc = subprocess.run(
        [program, "-s", str(state), "-f", str(config)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


def content(path: Path) -> bytes:
    """A log file's lines, decompressed if it is gzip."""
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def check_clean(*paths: Path) -> None:
    """`ipmask --check` finds no address in clear in ``paths``."""
    proc = subprocess.run(
        [*IPMASK, "--check", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


class Writer(threading.Thread):
    """Appends numbered lines with addresses to a log, opening it anew for each line (as a
    daemon that reopens its log would), until stopped."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.lines: list[bytes] = []
        self._done = threading.Event()

    def line(self, number: int) -> bytes:
        """The line with this number: an IPv4 or an IPv6 client, both unique."""
        if number % 3:
            client = b"10.%d.%d.%d" % (number >> 16 & 255, number >> 8 & 255, number & 255)
        else:
            client = b"2001:db8:%x::%x" % (number >> 16, number & 0xFFFF)
        return b"%d client %s request\n" % (number, client)

    def write_one(self) -> None:
        """Append the next line."""
        line = self.line(len(self.lines))
        with self.path.open("ab") as log:
            log.write(line)
        self.lines.append(line)

    def run(self) -> None:
        while not self._done.wait(0.002):
            self.write_one()

    def stop(self) -> None:
        """Stop appending and wait for the thread."""
        self._done.set()
        self.join(timeout=TIMEOUT)


def test_logrotate_masks_rotated_files(tmp_path, require_program):
    """logrotate -f, run again and again while the live log is appended to, leaves the live
    log untouched and every rotated file masked, with no line lost and at most 7 kept."""
    program = require_program("logrotate")
    live = tmp_path / "app.log"
    config = tmp_path / "logrotate.conf"
    command = " ".join(shlex.quote(part) for part in IPMASK)
    config.write_text(
        f"{live} {{\n"
        "    daily\n    rotate 7\n    compress\n    delaycompress\n    missingok\n"
        "    postrotate\n"
        f'        {command} --in-place "$2"\n'
        "    endscript\n}\n"
    )
    writer = Writer(live)
    writer.write_one()
    writer.start()
    try:
        for _ in range(ROUNDS):
            time.sleep(0.05)
            logrotate(program, config, tmp_path / "state")
    finally:
        writer.stop()
    rotated = [tmp_path / f"app.log.{n}" for n in (1, *range(2, 8))]
    rotated = [rotated[0]] + [p.with_name(p.name + ".gz") for p in rotated[1:]]
    names = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("app.log"))
    assert names == sorted(["app.log", *(p.name for p in rotated)])
    assert rotated[0].read_bytes()[:2] != b"\x1f\x8b"
    assert all(p.read_bytes()[:2] == b"\x1f\x8b" for p in rotated[1:])
    # Oldest to newest, the rotated files hold a run of the lines written, masked; the live
    # log holds the lines written after them, exactly as written.
    kept = b"".join(content(p) for p in reversed(rotated))
    live_lines = live.read_bytes().splitlines(keepends=True)
    end = len(writer.lines) - len(live_lines)
    assert live_lines == writer.lines[end:]
    start = end - kept.count(b"\n")
    assert kept == MASK(b"".join(writer.lines[start:end]))
    assert MASK(b"".join(live_lines)) != b"".join(live_lines)
    check_clean(*rotated)


# -- the stanzas of docs/logrotate.md -------------------------------------------------------------

#: Stand-ins for the commands that would touch real services: each notes its call.
STUBS = ("invoke-rc.d", "pgrep", "logger", "doveadm", "sleep", "rsyslog-rotate")
#: Log files made for a stanza's glob.
GLOB_NAMES = ("access.log", "error.log")


def stanzas() -> dict[str, str]:
    """The stanzas of docs/logrotate.md by the file they are meant for."""
    found = {}
    for block in STANZA.findall(DOCS.read_text(encoding="utf-8")):
        target = block.splitlines()[0].removeprefix("# ").split()[0]
        found[target] = block
    return found


def test_docs_have_the_four_stanzas():
    """The page carries stanzas for Apache, nginx, mail.log and Dovecot."""
    assert sorted(stanzas()) == [
        "/etc/logrotate.d/apache2",
        "/etc/logrotate.d/dovecot",
        "/etc/logrotate.d/mail",
        "/etc/logrotate.d/nginx",
    ]


def _stub_dir(tmp_path: Path) -> Path:
    stubs = tmp_path / "bin"
    stubs.mkdir()
    calls = tmp_path / "calls"
    for name in STUBS:
        script = stubs / name
        # logger reads what is piped into it, as the real one does.
        body = "cat > /dev/null\n" if name == "logger" else ""
        script.write_text(f'#!/bin/sh\n{body}echo "{name} $*" >> {shlex.quote(str(calls))}\n')
        script.chmod(0o755)
    wrapper = stubs / "ipmask"
    wrapper.write_text(
        f'#!/bin/sh\necho "ipmask $*" >> {shlex.quote(str(calls))}\n'
        f'exec {" ".join(shlex.quote(part) for part in IPMASK)} "$@"\n'
    )
    wrapper.chmod(0o755)
    return stubs


def _logs_of(stanza: str) -> list[str]:
    """The log paths a stanza names, globs filled in with a few names."""
    head = stanza.split("{", 1)[0]
    paths = [line.strip() for line in head.splitlines() if line.startswith("/")]
    return [p.replace("*.log", name) if "*" in p else p for p in paths for name in GLOB_NAMES]


def _localised(stanza: str, root: Path, stubs: Path) -> str:
    text = stanza.replace("/var/log/", f"{root}/var/log/")
    text = text.replace("/usr/lib/rsyslog/rsyslog-rotate", str(stubs / "rsyslog-rotate"))
    if os.geteuid() != 0:  # pragma: no cover - CI runs as root; elsewhere create as oneself
        text = re.sub(r"create (\d+) \S+ \S+", r"create \1", text)
    return text


@pytest.mark.parametrize("target", sorted(stanzas()))
def test_docs_stanza_through_logrotate(tmp_path, require_program, target):
    """Each stanza of docs/logrotate.md, run by logrotate twice, masks what it rotates, after
    telling the daemon to reopen its logs."""
    program = require_program("logrotate")
    stubs = _stub_dir(tmp_path)
    logs = sorted({Path(f"{tmp_path}{p}") for p in _logs_of(stanzas()[target])})
    assert logs
    for log in logs:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.parent.chmod(0o755)
    config = tmp_path / "logrotate.conf"
    config.write_text(_localised(stanzas()[target], tmp_path, stubs))
    env = {**os.environ, "PATH": f"{stubs}{os.pathsep}{os.environ['PATH']}"}
    batches = []
    for round_ in range(2):
        batch = b"day %d: connect from unknown[192.0.2.%d] and [2001:db8::%d]\n" % (
            round_,
            round_ + 10,
            round_ + 1,
        )
        batches.append(batch)
        for log in logs:
            with log.open("ab") as out:
                out.write(batch)
        logrotate(program, config, tmp_path / "state", env)
    for log in logs:
        first, second = Path(f"{log}.2.gz"), Path(f"{log}.1")
        assert gzip.decompress(first.read_bytes()) == MASK(batches[0])
        assert second.read_bytes() == MASK(batches[1])
        check_clean(first, second)
    calls = (tmp_path / "calls").read_text().splitlines()
    reopen = next(i for i, call in enumerate(calls) if call.split()[0] in _REOPEN)
    masking = next(i for i, call in enumerate(calls) if call.startswith("ipmask --in-place"))
    assert reopen < masking, calls
    assert any(call.startswith("sleep ") for call in calls[reopen:masking]), calls


#: The calls that tell a daemon to reopen its logs.
_REOPEN = {"invoke-rc.d", "rsyslog-rotate", "doveadm"}
