"""Issue 13, "one pipeline": the same bytes and the same counts whatever the mode.

The same inputs go through the real command in each mode: the stream (``--stats``), ``--jobs
2`` (on a file large enough to be split), ``--in-place --stats`` (on a copy) and ``--check``
(on the original, then on the masked copy). The bytes written must be identical, the counts
in the ``--stats`` lines identical, and ``--check`` must flag exactly the lines that masking
changes. Then a filter with a bug is injected in-process, and every mode must handle it the
same way: the `any` rules for its blocks, the failure recorded, nothing raised.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ipmask import Counts, Settings, get_filter
from ipmask.formats._web import WebFilter
from ipmask.modes import EXIT_FAILED, EXIT_OK, Request, _jobs, check, in_place, rsyslog, stream
from ipmask.streaming import LINE_CAP

#: The command as installed (the venv's bin is on PATH in CI); else this interpreter's.
IPMASK = [found] if (found := shutil.which("ipmask")) else [sys.executable, "-m", "ipmask"]
TIMEOUT = 300

pytestmark = pytest.mark.slow

#: A host name spelling its address, beside that address: the host-name pass masks both.
PAIR = b"54-56-24-102.dyn.example.net[54.56.24.102]"
UA = b'"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0.0.0 Safari/537.36"'


def huge_line(n: int) -> bytes:
    """A line over the reader's cap (so masked in pieces), with ``PAIR`` in its middle and
    addresses spread over it."""
    half = b"".join(
        b"word %d from 198.51.%d.%d and [2001:db8:%x::7]:443 lorem ipsum; "
        % (k, n % 256, k % 256, k)
        for k in range(LINE_CAP // 110)
    )
    return b"huge " + half + b" peer " + PAIR + b" said " + half + b"end\n"


def web_unit(n: int) -> bytes:
    """Web lines: fitting ones (IPv4, IPv6 and mapped clients, addresses in the request and
    referrer), unfit ones (one with a host-name pair, one with nothing to mask), one over the
    cap, CRLF and bytes that are not UTF-8."""
    a, b = n % 256, (n * 7) % 256
    fitting = [
        b'78.46.%d.140 - - [22/Nov/2025:20:54:01 +0100] "GET /?ip=78.46.%d.141 HTTP/1.1" '
        b'200 5123 "https://example.com/" ' % (a, b) + UA,
        b'2a01:4f8:1c17:%x::1 - - [22/Nov/2025:20:54:02 +0100] "GET /a HTTP/2.0" 404 196 '
        b'"http://[2001:db8::%x]/" "curl/8.5.0"' % (n, b),
        b'::ffff:203.0.113.%d - alice [22/Nov/2025:20:54:03 +0100] "POST /login HTTP/1.1" '
        b'302 0 "-" "caf\xe9 \xff agent"' % a,
        b'192.0.2.%d - - [22/Nov/2025:20:54:04 +0100] "GET / HTTP/1.1" 200 10 "-" "x"\r' % b,
    ]
    unfit = [
        b"garbage line from 72-53-132-234.example.net[72.53.132.234] port %d" % n,
        b"-- MARK --",
    ]
    lines = [*fitting, unfit[0], *fitting, unfit[1], *fitting]
    return b"\n".join(lines) + b"\n" + (huge_line(n) if n % 3 == 0 else b"")


def mail_unit(n: int) -> bytes:
    """Postfix lines: host-name pairs, IPv6 clients, a helo address, one line not in the
    syslog format."""
    a, b = n % 256, (n * 7) % 256
    lines = [
        b"Nov 22 20:54:01 mx1 postfix/smtpd[%d]: connect from 54-56-%d-102.dyn.example.net"
        b"[54.56.%d.102]" % (1000 + a, a, a),
        b"Nov 22 20:54:01 mx1 postfix/smtpd[%d]: NOQUEUE: reject: RCPT from unknown"
        b"[2a01:4f8:1c17:%x::1]: 554 5.7.1 Relay access denied; from=<a@example.org> "
        b"to=<b@example.net> proto=ESMTP helo=<[78.46.%d.140]>" % (1000 + a, n, b),
        b"Nov 22 20:54:02 mx1 postfix/smtpd[%d]: 4SgR1x0Z1mz9sWN: client=mail.example.org"
        b"[203.0.113.%d], sasl_method=PLAIN, sasl_username=alice" % (1000 + a, a),
        b"Nov 22 20:54:02 mx1 postfix/smtpd[%d]: disconnect from unknown[192.0.2.%d] ehlo=1 "
        b"quit=1 commands=2" % (1000 + a, b),
        b"Nov 22 20:54:03 mx1 postfix/qmgr[900]: 4SgR1x0Z1mz9sWN: removed",
        b"not a syslog line: 198.51.100.%d knocked" % a,
    ]
    return b"\n".join(lines) + b"\n"


@dataclass(frozen=True)
class Case:
    name: str
    format: str
    unit: Callable[[int], bytes]


CASES = [
    Case("web", "combined", web_unit),
    Case("web-auto", "auto", web_unit),
    Case("mail", "postfix", mail_unit),
]


def build(unit: Callable[[int], bytes], least: int = 2 * _jobs.RANGE_SIZE) -> bytes:
    """Units until the data is at least ``least`` bytes (by default, large enough for ``--jobs
    2`` to split it), and a last line without a newline."""
    parts: list[bytes] = []
    size = n = 0
    while size < least:
        part = unit(n)
        parts.append(part)
        size += len(part)
        n += 1
    return b"".join(parts) + b"last 203.0.113.77 without newline"


@dataclass
class Runs:
    """What each mode did with one input."""

    case: Case
    original: Path
    data: bytes
    stream: subprocess.CompletedProcess[bytes]
    jobs: subprocess.CompletedProcess[bytes]
    in_place: subprocess.CompletedProcess[bytes]
    rewritten: bytes
    check: subprocess.CompletedProcess[bytes]
    check_masked: subprocess.CompletedProcess[bytes]


def ipmask(*args: str) -> subprocess.CompletedProcess[bytes]:
    """Run the command to its end, with no IPMASK_* setting from outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPMASK_")}
    return subprocess.run(
        [*IPMASK, *args], capture_output=True, timeout=TIMEOUT, env=env, check=False
    )


@pytest.fixture(scope="module", params=CASES, ids=[case.name for case in CASES])
def runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    case: Case = request.param
    folder = tmp_path_factory.mktemp(case.name)
    original = folder / f"{case.name}.log"
    data = build(case.unit)
    original.write_bytes(data)
    copy = folder / f"{case.name}.log.1"
    shutil.copyfile(original, copy)
    fmt = ("--format", case.format)
    stream_run = ipmask(*fmt, "--stats", str(original))
    jobs_run = ipmask(*fmt, "--stats", "-v", "--jobs", "2", str(original))
    in_place_run = ipmask(*fmt, "--in-place", "--stats", str(copy))
    check_run = ipmask(*fmt, "--check", str(original))
    check_masked = ipmask(*fmt, "--check", str(copy))
    assert original.read_bytes() == data  # no mode but --in-place writes to its input
    return Runs(
        case,
        original,
        data,
        stream_run,
        jobs_run,
        in_place_run,
        copy.read_bytes(),
        check_run,
        check_masked,
    )


# The numbers each mode reports: lines, IPv4, IPv6, lines that did not fit.
_STREAM_STATS = re.compile(
    rb"^ipmask: (\d+) lines, (\d+) bytes, masked (\d+) IPv4 and (\d+) IPv6 addresses, "
    rb"(\d+) lines did not fit the format, ",
    re.M,
)
_IN_PLACE_STATS = re.compile(
    rb"^ipmask: .*: (\d+) lines? \(plain\), (\d+) IPv4 and (\d+) IPv6 addresses masked, "
    rb"(\d+) lines did not fit the format (.+); (rewritten|nothing to mask, left unchanged)$",
    re.M,
)


def stream_counts(stderr: bytes) -> tuple[int, int, int, int, int]:
    """(lines, bytes, IPv4, IPv6, unfit) of a --stats summary; there must be exactly one."""
    (found,) = _STREAM_STATS.findall(stderr)
    lines, size, ipv4, ipv6, unfit = map(int, found)
    return lines, size, ipv4, ipv6, unfit


def lines_changed(before: bytes, after: bytes) -> set[int]:
    """The numbers (from 1) of the lines that differ."""
    pairs = zip(before.split(b"\n"), after.split(b"\n"), strict=True)
    return {number for number, (old, new) in enumerate(pairs, 1) if old != new}


def test_every_mode_exits_zero(runs: Runs) -> None:
    """Stream, jobs and in-place succeed; --check finds addresses in the original only."""
    for done in (runs.stream, runs.jobs, runs.in_place):
        assert done.returncode == 0, done.stderr
    assert runs.check.returncode == 1, runs.check.stderr
    assert runs.check_masked.returncode == 0, runs.check_masked.stdout[-500:]


def test_jobs_really_split_the_file(runs: Runs) -> None:
    """--jobs 2 took the file in two processes (not one, after a refusal)."""
    assert len(runs.data) >= 2 * _jobs.RANGE_SIZE
    assert b", 2 jobs\n" in runs.jobs.stderr
    assert b"using 1 job" not in runs.jobs.stderr


def test_same_bytes_in_every_mode(runs: Runs) -> None:
    """The stream's output, --jobs 2's output and the file --in-place wrote are one."""
    assert runs.stream.stdout == runs.jobs.stdout
    assert runs.stream.stdout == runs.rewritten
    masked = runs.stream.stdout
    assert masked != runs.data
    assert masked.count(b"\n") == runs.data.count(b"\n")
    assert masked.endswith(b"last 203.0.113.XXX without newline")


def test_masking_reached_every_kind_of_line(runs: Runs) -> None:
    """No address of the input is left, also in unfit lines and in the over-long lines."""
    masked = runs.stream.stdout
    for clear in (b"72.53.132.234", b"54.56.24.102", b"-102.dyn.example.net", b"78.46.0.140"):
        assert clear not in masked
    if runs.case.unit is web_unit:  # the pair in the middle of an over-long line
        assert b"from 72-53-132-XXX.example.net[72.53.132.XXX]" in masked
        assert b" peer 54-56-24-XXX.dyn.example.net[54.56.24.XXX] said " in masked


def test_same_counts_in_every_mode(runs: Runs) -> None:
    """Lines, IPv4, IPv6 and lines that did not fit: the same in stream, jobs and in-place."""
    stream_numbers = stream_counts(runs.stream.stderr)
    jobs_numbers = stream_counts(runs.jobs.stderr)
    assert jobs_numbers == stream_numbers
    lines, size, ipv4, ipv6, unfit = stream_numbers
    (found,) = _IN_PLACE_STATS.findall(runs.in_place.stderr)
    assert found[-1] == b"rewritten"
    assert tuple(map(int, found[:4])) == (lines, ipv4, ipv6, unfit)
    # and the numbers are those of the data
    assert lines == runs.data.count(b"\n") + 1
    assert size == len(runs.data)
    assert ipv4 > 0
    assert ipv6 > 0


def test_each_over_long_line_counts_once_as_unfit(runs: Runs) -> None:
    """An over-long line counts once as "did not fit" (not once per piece), with the lines
    of the input that are not in the format."""
    lines = runs.data.split(b"\n")
    huge = sum(len(line) > LINE_CAP for line in lines)
    unfit_lines = sum(
        line.startswith((b"garbage line", b"-- MARK --", b"not a syslog line", b"last "))
        for line in lines
    )
    unfit = stream_counts(runs.stream.stderr)[4]
    assert unfit == huge + unfit_lines
    if runs.case.unit is web_unit:
        assert huge > 2
        assert all(len(line) < 4 * LINE_CAP for line in lines)  # pieces, not one block


_REPORT = re.compile(rb"^(.*):(\d+): (.*)$")


def test_check_flags_exactly_the_lines_masking_changes(runs: Runs) -> None:
    """--check reports addresses on exactly the lines the stream changes, each one text of
    the line in clear; then its summary counts the file's lines."""
    *reports, summary = runs.check.stdout.splitlines()
    flagged: dict[int, list[bytes]] = {}
    name = str(runs.original).encode()
    for report in reports:
        match = _REPORT.match(report)
        assert match, report
        assert match[1] == name
        flagged.setdefault(int(match[2]), []).append(match[3])
    assert set(flagged) == lines_changed(runs.data, runs.stream.stdout)
    lines = runs.data.split(b"\n")
    for number, words in flagged.items():
        line, pos = lines[number - 1], 0
        for word in words:  # in the order they stand in the line
            pos = line.find(word, pos)
            assert pos >= 0, (number, word)
            pos += len(word)
    line_count = runs.data.count(b"\n") + 1
    assert summary.startswith(b"ipmask: %d addresses in clear in 1 of 1 file" % len(reports))
    assert summary.endswith(b"(%d lines)" % line_count)


def test_check_names_the_pairs_it_finds(runs: Runs) -> None:
    """The host names that spell an address are reported, also inside an over-long line."""
    words = {line.rsplit(b": ", 1)[1] for line in runs.check.stdout.splitlines()[:-1]}
    if runs.case.unit is web_unit:
        assert {b"72-53-132-234.example.net", b"72.53.132.234"} <= words
        assert {b"54-56-24-102.dyn.example.net", b"54.56.24.102"} <= words
    else:
        assert {b"54-56-0-102.dyn.example.net", b"54.56.0.102"} <= words


def test_check_finds_nothing_in_the_masked_output(runs: Runs) -> None:
    """On what masking wrote, --check finds nothing: exit 0, and the summary says so."""
    line_count = runs.data.count(b"\n") + 1
    assert runs.check_masked.stdout == (
        b"ipmask: no address in clear in 1 file (%d lines)\n" % line_count
    )


# -- a filter with a bug, in every mode --------------------------------------------------------


def _raise(self: WebFilter, block: bytes) -> bytes:
    raise RuntimeError("a bug in the web filter")


FAILED = (
    "ipmask: internal error in the combined filter (RuntimeError); "
    "masking with the any rules instead"
)


@pytest.fixture(scope="module")
def web_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("failing") / "access.log"
    path.write_bytes(build(web_unit))  # large enough for --jobs 2 to split it
    return path


def test_a_failing_filter_is_handled_alike_in_every_mode(
    web_log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The web filter raising on every block: each mode writes the `any` output (with the
    host-name pass the web formats use), records the failure, counts alike, never raises."""
    data = web_log.read_bytes()
    expected = get_filter(format="any", hostnames=True)(data)
    # The web filter leaves the request's addresses alone: its output is told apart.
    assert data != expected != get_filter(format="combined")(data)
    monkeypatch.setattr(WebFilter, "__call__", _raise)
    settings = Settings(format="combined")

    # the stream, to an -o file
    out = tmp_path / "out.log"
    err = io.StringIO()
    request = Request(settings, files=(str(web_log),), output=str(out), stats=True, err=err)
    assert stream(request) == EXIT_OK
    assert out.read_bytes() == expected
    said = err.getvalue().splitlines()
    assert said[0] == FAILED
    assert len(said) == 2  # the failure, once; the summary
    stream_numbers = stream_counts(err.getvalue().encode())

    # the stream with --jobs 2: the file is split, the failure told once, counted alike
    out = tmp_path / "out-jobs.log"
    err = io.StringIO()
    request = Request(
        settings, files=(str(web_log),), output=str(out), stats=True, verbose=True, jobs=2, err=err
    )
    assert stream(request) == EXIT_OK
    assert out.read_bytes() == expected
    said = err.getvalue().splitlines()
    assert said[1].endswith(", format combined, 2 jobs")
    assert len(said) == 3
    assert said[0].startswith("ipmask: internal error in the combined filter")
    assert said[0].endswith("; masking with the any rules instead")
    assert stream_counts(err.getvalue().encode()) == stream_numbers

    # --jobs: forked workers inherit the bug
    request = Request(settings, stats=True, jobs=2, err=io.StringIO())
    written = io.BytesIO()
    counts, name = _jobs.mask_file(
        str(web_log), request, write=written.write, range_size=1 << 18, range_slack=1 << 18
    )
    assert written.getvalue() == expected
    assert counts.failed == {"combined"}
    assert name == "combined"
    assert (counts.lines, counts.bytes, counts.ipv4, counts.ipv6, counts.unfit) == (stream_numbers)

    # --in-place, on a copy
    copy = tmp_path / "access.log.1"
    shutil.copyfile(web_log, copy)
    err = io.StringIO()
    assert in_place(Request(settings, files=(str(copy),), stats=True, err=err)) == EXIT_OK
    assert copy.read_bytes() == expected
    said = err.getvalue().splitlines()
    assert said[0] == FAILED
    (found,) = _IN_PLACE_STATS.findall(err.getvalue().encode())
    lines, _, ipv4, ipv6, unfit = stream_numbers
    assert tuple(map(int, found[:4])) == (lines, ipv4, ipv6, unfit)
    assert found[4:] == (b"combined", b"rewritten")

    # --check, on the original: what the `any` rules change is what is reported
    err, report = io.StringIO(), io.StringIO()
    assert check(Request(settings, files=(str(web_log),), err=err), out=report) == EXIT_FAILED
    assert err.getvalue().splitlines() == [FAILED]
    *found_lines, summary = report.getvalue().encode().splitlines()
    flagged = {int(_REPORT.match(line)[2]) for line in found_lines}  # type: ignore[index]
    assert flagged == lines_changed(data, expected)
    assert summary.endswith(b"(%d lines)" % lines)


def test_a_failing_filter_in_rsyslog_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """--rsyslog: each message the raising filter fails on is answered masked by the `any`
    rules, and the daemon's plugin goes on to the end of its input."""
    messages = web_unit(1).split(b"\n")[:-1]
    combined, any_rules = get_filter(format="combined"), get_filter(format="any", hostnames=True)
    assert any(combined(message) != any_rules(message) for message in messages)
    monkeypatch.setattr(WebFilter, "__call__", _raise)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\n".join(messages) + b"\n")))
    replies = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(replies, write_through=True))
    err = io.StringIO()
    request = Request(Settings(format="combined"), rsyslog_input="msg", err=err)
    assert rsyslog(request) == EXIT_OK
    # Standard error is apart from the reply pipe here, so the failure is said, once.
    assert err.getvalue() == (
        "ipmask: internal error in the combined filter (RuntimeError); "
        "masking with the any rules instead\n"
    )
    got = [
        json.loads(line.decode("utf-8", "surrogateescape"))
        for line in replies.getvalue().splitlines()
    ]
    assert len(got) == len(messages)
    for message, reply in zip(messages, got, strict=True):
        masked = any_rules(message)
        assert reply == (
            {} if masked == message else {"msg": masked.decode("utf-8", "surrogateescape")}
        )


def test_counts_record_is_what_the_modes_share() -> None:
    """The record the modes fill: merge adds, take hands over and starts again."""
    first = Counts(lines=2, bytes=10, ipv4=1, ipv6=0, unfit=1, failed={"combined"})
    second = Counts(lines=1, bytes=5, ipv4=0, ipv6=2, unfit=0)
    first.merge(second)
    assert first == Counts(lines=3, bytes=15, ipv4=1, ipv6=2, unfit=1, failed={"combined"})
    taken = first.take()
    assert taken == Counts(lines=3, bytes=15, ipv4=1, ipv6=2, unfit=1, failed={"combined"})
    assert first == Counts()
