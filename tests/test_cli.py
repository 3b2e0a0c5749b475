"""The ipmask command, driven as a real program in a subprocess (coverage follows it there)."""

from __future__ import annotations

import gzip
import io
import json
import os
import pty
import re
import select
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from ipmask import Counts, LineFilter, get_filter
from ipmask.modes import Request, stream

COMMAND = [sys.executable, "-m", "ipmask"]
#: Upper bound for anything that should take a moment; a hung test fails instead of hanging.
TIMEOUT = 30

SAMPLE = b"a 78.46.198.140 b\nc 2a01:4f8:1c17:413b::1 d\n"
MASKED = b"a 78.46.198.XXX b\nc 2a01:4f8:1c1X:XXXX:XXXX:XXXX:XXXX:XXXX d\n"


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without IPMASK_* settings from outside, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPMASK_")}
    env.update(extra)
    return env


def run(*args: str, data: bytes = b"", env: dict[str, str] | None = None, **kwargs):
    """Run ipmask to completion with ``data`` on standard input."""
    return subprocess.run(
        [*COMMAND, *args],
        input=data,
        capture_output=True,
        timeout=TIMEOUT,
        env=env or clean_env(),
        check=False,
        **kwargs,
    )


def start(*args: str, **kwargs) -> subprocess.Popen[bytes]:
    """Start ipmask with pipes for its standard streams."""
    kwargs.setdefault("stdout", subprocess.PIPE)
    return subprocess.Popen(
        [*COMMAND, *args],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
        **kwargs,
    )


def read_until(fd: int, needle: bytes, timeout: float) -> bytes:
    """Read from ``fd`` until ``needle`` has been seen or ``timeout`` seconds pass."""
    got = b""
    deadline = time.monotonic() + timeout
    while needle not in got:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        data = os.read(fd, 65536)
        if not data:
            break
        got += data
    return got


def wait_for(predicate, timeout: float = TIMEOUT) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def send(proc: subprocess.Popen[bytes], data: bytes) -> None:
    """Write into the child's standard input and flush it through the pipe."""
    assert proc.stdin is not None
    proc.stdin.write(data)
    proc.stdin.flush()


def finish(proc: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    """Close the child's input and collect the rest of its output."""
    out, err = proc.communicate(timeout=TIMEOUT)
    return out or b"", err


def ready(proc: subprocess.Popen[bytes]) -> None:
    """Wait until the child masks a first line: its signal handlers are in place by then."""
    assert proc.stdout is not None
    send(proc, b"ready 192.0.2.1\n")
    assert read_until(proc.stdout.fileno(), b"\n", TIMEOUT) == b"ready 192.0.2.XXX\n"


# -- bytes in, bytes out ------------------------------------------------------------------------


def test_bad_bytes_pass_through_byte_for_byte():
    """Invalid UTF-8, NUL, CRLF and a missing final newline survive; only addresses change."""
    data = b"\xff\xfe 78.46.198.140\x00 x\r\n\x00\n\xc3( [2001:db8::1]:443\r\nend 10.1.2.3"
    result = run(data=data)
    assert result.returncode == 0
    assert result.stdout == (
        b"\xff\xfe 78.46.198.XXX\x00 x\r\n\x00\n\xc3( [2001:db8:000X:XXXX:XXXX:XXXX:XXXX:XXXX]:443"
        b"\r\nend 10.1.2.XXX"
    )
    assert result.stderr == b""


def test_empty_input_gives_empty_output():
    """No input, no output, exit 0."""
    result = run()
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")


def test_files_are_read_in_order_with_dash_as_standard_input(tmp_path):
    """FILE arguments are read in order; '-' among them is standard input."""
    first, last = tmp_path / "first.log", tmp_path / "last.log"
    first.write_bytes(b"1 10.0.0.1\n")
    last.write_bytes(b"3 10.0.0.3")
    result = run(str(first), "-", str(last), data=b"2 10.0.0.2\n")
    assert result.stdout == b"1 10.0.0.XXX\n2 10.0.0.XXX\n3 10.0.0.XXX"
    assert result.returncode == 0


def test_compressed_standard_input_is_read_decompressed():
    """gzip data on standard input is detected by its magic bytes and decompressed."""
    result = run(data=gzip.compress(SAMPLE))
    assert result.stdout == MASKED


def test_long_line_is_masked_in_pieces_and_counted_unfit():
    """A 3 MiB line is masked completely, passed through whole, and counted as not fitting."""
    unit = b'from=78.46.198.140 "q" 2a01:4f8:1c17:413b::1,'
    line = unit * (3 * (1 << 20) // len(unit)) + b"\n"
    result = run("--stats", data=line + SAMPLE)
    expected = line.replace(b"78.46.198.140", b"78.46.198.XXX").replace(
        b"2a01:4f8:1c17:413b::1", b"2a01:4f8:1c1X:XXXX:XXXX:XXXX:XXXX:XXXX"
    )
    assert result.stdout == expected + MASKED
    assert b", 1 lines did not fit the format," in result.stderr


def test_huge_line_runs_in_flat_memory():
    """A single 200 MiB line, arriving through a pipe, is masked within the 40 MiB memory target."""
    # VmHWM is the peak of this process image alone; ru_maxrss would also count the parent's
    # size at the fork.
    wrapper = (
        "import sys\n"
        "from ipmask.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "finally:\n"
        "    with open('/proc/self/status') as status:\n"
        "        peak = [line for line in status if line.startswith('VmHWM:')]\n"
        "    print(*peak, file=sys.stderr)\n"
    )
    unit = b"from=78.46.198.140 " + b"abcdefghij " * 6000
    chunk = unit * ((1 << 20) // len(unit))
    count = (200 << 20) // len(chunk) + 1
    proc = subprocess.Popen(
        [sys.executable, "-c", wrapper, "--stats"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=clean_env(),
    )
    assert proc.stdin is not None
    for _ in range(count):
        proc.stdin.write(chunk)
    proc.stdin.write(b"\n")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    size = count * len(chunk) + 1
    assert size > 200 << 20
    assert f"1 lines, {size} bytes, masked {count * chunk.count(b'78.46')} IPv4".encode() in err
    peak_kib = int(re.search(rb"VmHWM:\s+(\d+) kB", err).group(1))
    assert peak_kib < 40 * 1024, peak_kib


# -- live pipes and signals ---------------------------------------------------------------------


def test_line_in_an_open_pipe_comes_out_within_a_second():
    """A line written into the pipe is masked and written at once, while the pipe stays open."""
    proc = start()
    try:
        ready(proc)
        send(proc, b"live 78.46.198.140\n")
        begun = time.monotonic()
        got = read_until(proc.stdout.fileno(), b"\n", 1.0)
        assert got == b"live 78.46.198.XXX\n"
        assert time.monotonic() - begun < 1.0
    finally:
        finish(proc)
    assert proc.returncode == 0


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stop_signal_after_n_lines_loses_none(signum):
    """SIGTERM or SIGINT right after N lines: all N come out masked, and the exit code is 0."""
    proc = start()
    ready(proc)
    lines = b"".join(b"%05d 203.0.113.%d\n" % (i, i % 256) for i in range(2000))
    send(proc, lines + b"unfinished 198.51.100.7")
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=TIMEOUT)  # stdin stays open until after the signal
    expected = b"".join(b"%05d 203.0.113.XXX\n" % i for i in range(2000))
    assert out == expected + b"unfinished 198.51.100.XXX"
    assert proc.returncode == 0
    assert err == b""


def test_sigterm_still_takes_lines_written_until_the_pipe_closes():
    """After SIGTERM, a line the writer sends a moment later is still masked and written."""
    proc = start()
    ready(proc)
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.1)  # Apache's old workers write their last lines after the signal
    send(proc, b"late 198.51.100.7\n")
    out, err = proc.communicate(timeout=TIMEOUT)
    assert (proc.returncode, out, err) == (0, b"late 198.51.100.XXX\n", b"")


def test_sigint_ends_while_the_pipe_stays_open():
    """SIGINT (a person) ends the run without waiting for the writer to close the pipe."""
    proc = start()
    ready(proc)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=TIMEOUT) == 0  # standard input is still open here
    finish(proc)


def test_stop_signal_leaves_the_remaining_inputs_unread(tmp_path):
    """After SIGTERM while reading standard input, the FILEs after it are not read."""
    later = tmp_path / "later.log"
    later.write_bytes(b"later 10.0.0.1\n")
    proc = start("-", str(later))
    ready(proc)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=TIMEOUT)
    assert (proc.returncode, out, err) == (0, b"", b"")


def test_stop_signal_with_stats_still_prints_the_summary():
    """After SIGTERM, --stats still reports what was done."""
    proc = start("--stats")
    ready(proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0
    assert err.startswith(b"ipmask: 1 lines, 16 bytes, masked 1 IPv4 and 0 IPv6 addresses")


def test_output_file_follows_rename_and_delete(tmp_path):
    """-o: after a rename later lines land in a new file, after a delete too; none lost."""
    log, rotated = tmp_path / "access.log", tmp_path / "access.log.1"
    proc = start("-o", str(log))
    try:
        send(proc, b"one 10.0.0.1\n")
        assert wait_for(lambda: log.exists() and log.read_bytes() == b"one 10.0.0.XXX\n")
        log.rename(rotated)
        send(proc, b"two 10.0.0.2\n")
        assert wait_for(lambda: log.exists() and log.read_bytes() == b"two 10.0.0.XXX\n")
        assert stat.S_IMODE(log.stat().st_mode) == 0o640
        log.unlink()
        send(proc, b"three 10.0.0.3\n")
    finally:
        finish(proc)
    assert proc.returncode == 0
    assert rotated.read_bytes() == b"one 10.0.0.XXX\n"
    assert log.read_bytes() == b"three 10.0.0.XXX\n"


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGUSR1])
def test_reopen_signal_creates_the_new_file_at_once(tmp_path, signum):
    """SIGHUP and SIGUSR1 reopen -o right away, before any further line arrives."""
    log, rotated = tmp_path / "access.log", tmp_path / "access.log.1"
    proc = start("-o", str(log), "--verbose")
    try:
        send(proc, b"one 10.0.0.1\n")
        assert wait_for(lambda: log.exists() and log.stat().st_size > 0)
        log.rename(rotated)
        proc.send_signal(signum)
        assert wait_for(log.exists)
        send(proc, b"two 10.0.0.2\n")
    finally:
        _, err = finish(proc)
    assert proc.returncode == 0
    assert rotated.read_bytes() == b"one 10.0.0.XXX\n"
    assert log.read_bytes() == b"two 10.0.0.XXX\n"
    assert f"ipmask: reopened {log} (signal)".encode() in err


def test_closed_downstream_pipe_exits_quietly(tmp_path):
    """When the reader of our output goes away: exit 0, nothing on standard error."""
    big = tmp_path / "big.log"
    big.write_bytes(b"192.0.2.1 - - GET / 200\n" * 400_000)
    proc = subprocess.Popen(
        [*COMMAND, str(big)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env()
    )
    assert proc.stdout is not None
    assert proc.stdout.read(100)
    proc.stdout.close()
    with proc.stderr:
        err = proc.stderr.read()
    proc.wait(timeout=TIMEOUT)
    assert (proc.returncode, err) == (0, b"")


def test_help_into_a_closed_pipe_exits_quietly():
    """Even --help into a reader that has gone: no traceback, nothing on standard error."""
    proc = subprocess.Popen(
        [*COMMAND, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env()
    )
    proc.stdout.close()
    with proc.stderr:
        err = proc.stderr.read()
    proc.wait(timeout=TIMEOUT)
    assert err == b""


def test_non_blocking_standard_output_gets_every_byte(tmp_path):
    """Standard output left non-blocking by the parent, read slowly: nothing is lost."""
    data = b"192.0.2.1 - - GET / 200\n" * 100_000
    log = tmp_path / "big.log"
    log.write_bytes(data)
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)  # shared with the child's descriptor 1
    proc = subprocess.Popen([*COMMAND, str(log)], stdout=write_end, env=clean_env())
    os.close(write_end)
    got = bytearray()
    while chunk := os.read(read_end, 65536):
        got += chunk
        time.sleep(0.002)  # a slow reader: ipmask meets a full pipe, again and again
    os.close(read_end)
    assert proc.wait(timeout=TIMEOUT) == 0
    assert bytes(got) == data.replace(b"192.0.2.1", b"192.0.2.XXX")


# -- exit codes ---------------------------------------------------------------------------------


def test_missing_file_is_named_and_the_others_are_processed(tmp_path):
    """A missing input: an error naming it, the other files still masked, exit 1."""
    good = tmp_path / "good.log"
    good.write_bytes(b"10.9.8.7\n")
    missing = tmp_path / "missing.log"
    result = run(str(missing), str(good), "-", data=b"10.1.1.1\n")
    assert result.returncode == 1
    assert result.stdout == b"10.9.8.XXX\n10.1.1.XXX\n"
    assert result.stderr == f"ipmask: cannot read {missing}: No such file or directory\n".encode()


@pytest.mark.parametrize(
    ("redirect", "args", "message"),
    [
        ("<&-", (), b"ipmask: cannot read standard input: it is closed\n"),
        (">&-", (), b"ipmask: cannot write to standard output: it is closed\n"),
        ("<&- >&-", ("-o", "{out}"), b"ipmask: cannot read standard input: it is closed\n"),
    ],
)
def test_closed_standard_descriptor_is_named(tmp_path, redirect, args, message):
    """Standard input or output closed by whoever started ipmask: an error naming it, exit 1."""
    out = tmp_path / "out.log"
    script = f'exec "$0" -m ipmask "$@" {redirect}'
    result = subprocess.run(
        ["/bin/sh", "-c", script, sys.executable, *(a.format(out=out) for a in args)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=TIMEOUT,
        env=clean_env(),
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr == message
    if args:  # the output file did not take the place of standard input or output
        assert out.read_bytes() == b""


def test_unreadable_compressed_file_is_named(tmp_path):
    """A corrupt compressed input: the lines before the damage, an error naming it, exit 1."""
    broken = tmp_path / "broken.gz"
    broken.write_bytes(gzip.compress(b"10.0.0.1\n" * 100_000)[:-50])
    result = run(str(broken))
    assert result.returncode == 1
    assert result.stderr.startswith(f"ipmask: cannot read {broken}: ".encode())
    assert result.stdout.startswith(b"10.0.0.XXX\n")
    assert b"10.0.0.1" not in result.stdout


@pytest.mark.parametrize("target", ["-o", "stdout"])
def test_write_failure_is_one_line_and_exit_1(target):
    """A full disk (/dev/full): one clear line on standard error, exit 1."""
    if target == "-o":
        result = run("-o", "/dev/full", data=SAMPLE)
        name = "/dev/full"
    else:
        with open("/dev/full", "wb") as full:
            result = subprocess.run(
                COMMAND,
                input=SAMPLE,
                stdout=full,
                stderr=subprocess.PIPE,
                env=clean_env(),
                timeout=TIMEOUT,
                check=False,
            )
        name = "standard output"
    assert result.returncode == 1
    assert result.stderr == f"ipmask: cannot write to {name}: No space left on device\n".encode()


def test_output_that_cannot_be_opened_is_exit_1(tmp_path):
    """-o naming a directory: one line naming it, exit 1."""
    result = run("-o", str(tmp_path), data=SAMPLE)
    assert result.returncode == 1
    assert result.stderr == f"ipmask: cannot open {tmp_path}: Is a directory\n".encode()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bogus"], "No such option"),
        (["--ipv4-prefix", "7"], "--ipv4-prefix: 7 is not a multiple of 8"),
        (["--ipv4-prefix", "seven"], "not a valid integer"),
        (["--ipv6-prefix", "129", "--style", "zero"], "out of range"),
        (["--format", "nope"], "'nope' is not one of"),
        (["--style", "stars"], "'stars' is not one of"),
        (["--apache-format", "%{X-Forwarded-For"], "unknown directive"),
        (["--keep", "10.0.0.0/99"], "--keep: prefix /99"),
        (["--in-place"], "--in-place needs the files"),
        (["--in-place", "-"], "--in-place needs the files"),
        (["--check", "--rsyslog"], "--check and --rsyslog cannot be combined"),
        (["--rsyslog", "-o", "x"], "--output cannot be used with --rsyslog"),
        (["--rsyslog", "file"], "FILE arguments cannot be used with --rsyslog"),
        (["--in-place", "-o", "x", "file"], "--output cannot be used with --in-place"),
        (["--in-place", "--jobs", "2", "file"], "--jobs cannot be used with --in-place"),
        (["--check", "--jobs", "2"], "--jobs cannot be used with --check"),
        (["--rsyslog", "--jobs", "2"], "--jobs cannot be used with --rsyslog"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(args, message):
    """Bad options: exactly one line on standard error, naming the problem; exit 2."""
    result = run(*args, data=SAMPLE)
    assert result.returncode == 2
    assert result.stdout == b""
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("ipmask: ")
    assert message in lines[0]


# -- options and the environment ----------------------------------------------------------------


def test_every_setting_can_come_from_the_environment(tmp_path):
    """IPMASK_* variables set the options: prefixes, style, keep, output, stats."""
    out = tmp_path / "out.log"
    env = clean_env(
        IPMASK_IPV4_PREFIX="16",
        IPMASK_IPV6_PREFIX="32",
        IPMASK_STYLE="zero",
        IPMASK_KEEP="private 198.51.100.0/24",
        IPMASK_OUTPUT=str(out),
        IPMASK_STATS="1",
        IPMASK_FORMAT="any",
    )
    data = b"78.46.198.140 10.1.2.3 198.51.100.9 2a01:4f8:1c17:413b::1\n"
    result = run(data=data, env=env)
    assert result.returncode == 0
    assert out.read_bytes() == b"78.46.0.0 10.1.2.3 198.51.100.9 2a01:4f8::\n"
    assert b"masked 1 IPv4 and 1 IPv6" in result.stderr


def test_bad_value_in_the_environment_is_a_usage_error():
    """A bad IPMASK_* value is reported like a bad option: one line, exit 2."""
    result = run(data=SAMPLE, env=clean_env(IPMASK_IPV6_PREFIX="lots"))
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1


#: The reason Settings gives for a /12 IPv4 prefix with style x.
NOT_OCTETS = "12 is not a multiple of 8, which style 'x' needs"


def test_bad_value_from_the_environment_names_the_variable_and_its_value():
    """A value the settings refuse, read from IPMASK_*: the variable and its value as set."""
    result = run(data=SAMPLE, env=clean_env(IPMASK_IPV4_PREFIX="12"))
    assert (result.returncode, result.stdout) == (2, b"")
    assert result.stderr.decode().startswith(f"ipmask: IPMASK_IPV4_PREFIX='12': {NOT_OCTETS}")
    assert result.stderr.count(b"\n") == 1


@pytest.mark.parametrize(
    ("variables", "origin", "reason"),
    [
        pytest.param(
            {"IPMASK_IPV6_PREFIX": "129"},
            "IPMASK_IPV6_PREFIX='129'",
            "129 is out of range",
        ),
        ({"IPMASK_APACHE_FORMAT": "%{X"}, "IPMASK_APACHE_FORMAT='%{X'", "unknown directive"),
        pytest.param(
            {"IPMASK_KEEP": "private 10.0.0.0/99"},
            "IPMASK_KEEP='private 10.0.0.0/99'",
            "prefix /99",
        ),
        (
            {"IPMASK_FORMAT": "combined", "IPMASK_APACHE_FORMAT": "%h"},
            "IPMASK_FORMAT='combined'",
            "a format template replaces the format name",
        ),
    ],
)
def test_environment_errors_quote_the_variable_as_set(variables, origin, reason):
    """Every setting read from the environment is named with the text the variable holds."""
    result = run(data=SAMPLE, env=clean_env(**variables))
    assert result.returncode == 2
    assert result.stderr.decode().startswith(f"ipmask: {origin}: ")
    assert reason in result.stderr.decode()


def test_bad_value_from_the_option_names_the_option():
    """The same value given as an option names the option, also over a good variable."""
    for env in (clean_env(), clean_env(IPMASK_IPV4_PREFIX="16")):
        result = run("--ipv4-prefix", "12", data=SAMPLE, env=env)
        assert (result.returncode, result.stdout) == (2, b"")
        assert result.stderr.decode().startswith(f"ipmask: --ipv4-prefix: {NOT_OCTETS}")
        assert result.stderr.count(b"\n") == 1
        assert b"IPMASK_" not in result.stderr


def test_good_option_overrides_a_bad_variable():
    """An option given on the command line wins over the environment's bad value."""
    result = run("--ipv4-prefix", "16", data=SAMPLE, env=clean_env(IPMASK_IPV4_PREFIX="12"))
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout.startswith(b"a 78.46.XXX.XXX b\n")


def test_options_on_the_command_line_apply():
    """--ipv4-prefix, --ipv6-prefix, --style and --keep shape the masking."""
    result = run(
        "--ipv4-prefix",
        "8",
        "--ipv6-prefix",
        "16",
        "--keep",
        "loopback",
        data=b"78.46.198.140 ::1 2a01:4f8::1\n",
    )
    assert result.stdout == b"78.XXX.XXX.XXX ::1 2a01:XXXX:XXXX:XXXX:XXXX:XXXX:XXXX:XXXX\n"


def test_format_option_is_passed_to_the_filter():
    """-f combined masks the client field of a combined log line."""
    line = b'78.46.198.140 - - [22/Nov/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "x"\n'
    result = run("-f", "combined", "--stats", data=line)
    assert result.returncode == 0
    assert result.stdout == line.replace(b"78.46.198.140", b"78.46.198.XXX")
    assert b"0 lines did not fit" in result.stderr


def test_help_shows_worked_examples():
    """--help explains the options and shows Apache, logrotate and tail -F examples."""
    result = run("--help")
    assert result.returncode == 0
    for needle in (b"CustomLog", b"|", b"logrotate", b"tail -F", b"IPMASK_", b"--ipv4-prefix"):
        assert needle in result.stdout


def test_version_is_printed():
    """--version prints the package version."""
    from ipmask import __version__

    result = run("--version")
    assert result.returncode == 0
    assert __version__.encode() in result.stdout


def test_stats_summary_is_one_line_on_standard_error():
    """--stats: lines, bytes, addresses per family, unfit lines, seconds, lines per second."""
    data = SAMPLE + b"no address\n"
    result = run("--stats", data=data)
    assert result.stdout == MASKED + b"no address\n"
    summary = result.stderr.decode()
    assert summary.count("\n") == 1
    assert re.fullmatch(
        rf"ipmask: 3 lines, {len(data)} bytes, masked 1 IPv4 and 1 IPv6 addresses, "
        r"0 lines did not fit the format, \d+\.\d\d s, \d+ lines/s\n",
        summary,
    )


def test_verbose_names_each_input(tmp_path):
    """--verbose says, per input, how many lines went through which format."""
    log = tmp_path / "a.log"
    log.write_bytes(SAMPLE)
    result = run("--verbose", str(log))
    assert result.stderr == f"ipmask: {log}: 2 lines, format any\n".encode()


def test_progress_bar_only_on_a_terminal(tmp_path):
    """Reading a file with standard error on a terminal shows a progress bar there."""
    log = tmp_path / "a.log"
    log.write_bytes(SAMPLE * 1000)
    main_fd, side_fd = pty.openpty()
    proc = subprocess.Popen(
        [*COMMAND, str(log)], stdout=subprocess.PIPE, stderr=side_fd, env=clean_env()
    )
    os.close(side_fd)
    shown = b""
    while True:
        try:
            data = os.read(main_fd, 4096) if select.select([main_fd], [], [], TIMEOUT)[0] else b""
        except OSError:  # the terminal's other side closed
            data = b""
        if not data:
            break
        shown += data
    out = proc.communicate(timeout=TIMEOUT)[0]
    os.close(main_fd)
    assert out == MASKED * 1000
    assert str(log).encode() in shown
    assert b"100%" in shown
    assert run(str(log)).stderr == b""  # not a terminal: no bar


def test_in_place_mode_rewrites_the_files(tmp_path):
    """--in-place hands the files to the in-place rewriter."""
    log = tmp_path / "access.log.1"
    log.write_bytes(SAMPLE)
    result = run("--in-place", str(log))
    assert result.returncode == 0
    assert log.read_bytes() == MASKED


def test_check_mode_reports_addresses_in_clear(tmp_path):
    """--check reports an address left in clear and exits 1."""
    log = tmp_path / "access.log"
    log.write_bytes(SAMPLE)
    result = run("--check", str(log))
    assert result.returncode == 1
    assert b"78.46.198.140" in result.stdout


def test_rsyslog_mode_answers_with_the_masked_message():
    """--rsyslog serves mmexternal: one JSON reply per message, masked with the format."""
    result = run("--rsyslog", data=b"client 78.46.198.140 said hi\n")
    assert result.returncode == 0
    assert result.stdout == b'{"msg": "client 78.46.198.XXX said hi"}\n'


RSYSLOG_JSON = (
    json.dumps({"msg": " from 78.46.198.140", "rawmsg": "<22> from 78.46.198.140"}).encode() + b"\n"
)


@pytest.mark.parametrize(
    ("args", "env", "reply"),
    [
        ((), {}, {"msg": " from 78.46.198.XXX"}),
        (("--rsyslog-input", "fulljson"), {}, {"msg": " from 78.46.198.XXX"}),
        (("--rsyslog-input", "auto"), {}, {"msg": " from 78.46.198.XXX"}),
        (
            ("--rsyslog-input", "msg"),
            {},
            {"msg": RSYSLOG_JSON.rstrip(b"\n").decode().replace(".140", ".XXX")},
        ),
        (
            (),
            {"IPMASK_RSYSLOG_INPUT": "msg"},
            {"msg": RSYSLOG_JSON.rstrip(b"\n").decode().replace(".140", ".XXX")},
        ),
    ],
)
def test_rsyslog_input_option_reaches_the_protocol(args, env, reply):
    """--rsyslog-input: with msg, a first line that looks like rsyslog's JSON is a plain
    message (masked whole); auto and fulljson take its msg property alone."""
    result = run("--rsyslog", *args, data=RSYSLOG_JSON, env=clean_env(**env))
    assert (result.returncode, result.stderr) == (0, b"")
    assert json.loads(result.stdout) == reply
    assert result.stdout.count(b"\n") == 1


def test_rsyslog_input_fulljson_refuses_plain_text():
    """--rsyslog-input fulljson: a plain first line is bad JSON; {} and one line on stderr."""
    result = run("--rsyslog", "--rsyslog-input", "fulljson", data=b" from 78.46.198.140\n")
    assert (result.returncode, result.stdout) == (0, b"{}\n")
    assert result.stderr.startswith(b"ipmask: line 1: not valid JSON")


def test_rsyslog_input_value_is_checked():
    """--rsyslog-input takes auto, msg or fulljson only: a usage error otherwise."""
    result = run("--rsyslog", "--rsyslog-input", "rawmsg", data=b"x\n")
    assert (result.returncode, result.stdout) == (2, b"")
    assert result.stderr.count(b"\n") == 1
    assert b"--rsyslog-input" in result.stderr


@pytest.mark.parametrize(
    ("args", "env"),
    [(("--rsyslog-input", "msg"), {}), ((), {"IPMASK_RSYSLOG_INPUT": "msg"})],
)
def test_rsyslog_input_without_rsyslog_is_refused(args, env):
    """--rsyslog-input (or its variable) without --rsyslog is a usage error, nothing read."""
    result = run(*args, data=b"x 203.0.113.7\n", env=clean_env(**env))
    assert (result.returncode, result.stdout) == (2, b"")
    assert result.stderr == b"ipmask: --rsyslog-input needs --rsyslog\n"


def test_hostnames_flag_reaches_the_filter():
    """--hostnames masks a host name spelling an address; --no-hostnames leaves it."""
    line = b"lookup 72-53-132-234.example.net done\n"
    on, off = run("--hostnames", data=line), run("--no-hostnames", data=line)
    assert (on.returncode, off.returncode) == (0, 0)
    assert off.stdout == line
    assert b"-234." not in on.stdout
    assert on.stdout.endswith(b".example.net done\n")


# -- in-process: a filter that fails -----------------------------------------------------------


class _Broken:
    """A line filter with a bug: raises on every block."""

    name = "broken"

    def __init__(self, counts: Counts | None = None) -> None:
        self.fallback = get_filter(counts=counts)

    def __call__(self, block: bytes) -> bytes:
        raise RuntimeError("bug")


@dataclass(frozen=True)
class _WithFilter(Request):
    """A request whose inputs go through ``make``'s filter instead of the format's."""

    make: Callable[[Counts | None], LineFilter] = _Broken

    def make_filter(self, counts: Counts | None = None) -> LineFilter:
        return self.make(counts)


def test_filter_bug_falls_back_to_the_any_rules(tmp_path):
    """A filter that raises does not stop the logger: the block is masked with the any rules,
    the failure is said once, and --stats counts as without the bug."""
    log, out_path = tmp_path / "in.log", tmp_path / "out.log"
    log.write_bytes(SAMPLE)
    err = io.StringIO()
    request = _WithFilter(files=(str(log),), output=str(out_path), stats=True, err=err)
    assert stream(request) == 0
    assert out_path.read_bytes() == MASKED
    said = err.getvalue().splitlines()
    assert said[0] == (
        "ipmask: internal error in the broken filter (RuntimeError); "
        "masking with the any rules instead"
    )
    assert said[1].startswith(
        f"ipmask: 2 lines, {len(SAMPLE)} bytes, masked 1 IPv4 and 1 IPv6 addresses, "
        "0 lines did not fit the format, "
    )
    assert len(said) == 2


def test_filter_bug_is_said_once_per_run(tmp_path):
    """However many inputs the broken filter fails on, the failure is said once."""
    log, out_path = tmp_path / "in.log", tmp_path / "out.log"
    log.write_bytes(SAMPLE)
    err = io.StringIO()
    request = _WithFilter(files=(str(log), str(log)), output=str(out_path), err=err)
    assert stream(request) == 0
    assert out_path.read_bytes() == MASKED * 2
    assert err.getvalue() == (
        "ipmask: internal error in the broken filter (RuntimeError); "
        "masking with the any rules instead\n"
    )
