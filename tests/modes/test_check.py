"""--check: reporting the addresses a log still holds in clear."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipmask import Counts, LineFilter, Masker, Settings, get_filter
from ipmask.modes import Request
from ipmask.modes import check as run_check
from ipmask.streaming import LINE_CAP, Engine

SAMPLE = (
    b"78.46.198.140 - - [01/Jan/2024] GET / 200\n"
    b"nothing here, Chrome/120.0.0.0 and v2.3.19.1 included\n"
    b"client [2001:db8::1]:443 then 192.0.2.7:5678\n"
    b"postfix: connect from unknown[203.0.113.9] helo=<[IPv6:2001:db8::2]>\n"
    b"rip=::ffff:10.1.2.3, lip=10.0.0.1\n"
    b"last 198.51.100.4"
)
REPORT = [
    "1: 78.46.198.140",
    "3: 2001:db8::1",
    "3: 192.0.2.7",
    "4: 203.0.113.9",
    "4: 2001:db8::2",
    "5: ::ffff:10.1.2.3",
    "5: 10.0.0.1",
    "6: 198.51.100.4",
]


def check(*paths, request: type[Request] = Request, **options) -> tuple[int, str, str]:
    """--check over ``paths`` with the settings ``options`` (default: the `any` rules); return
    (exit code, standard output, standard error)."""
    out, err = io.StringIO(), io.StringIO()
    files = tuple(str(p) for p in paths)
    code = run_check(request(Settings(**options), files=files, err=err), out=out)
    return code, out.getvalue(), err.getvalue()


class Replacing:
    """A stand-in filter that replaces ``old`` by ``new`` in every block."""

    name = "replacing"

    def __init__(self, old: bytes, new: bytes) -> None:
        self._old, self._new = old, new

    @property
    def fallback(self) -> LineFilter:
        return get_filter()

    def __call__(self, block: bytes) -> bytes:
        return block.replace(self._old, self._new)


def replacing(old: bytes, new: bytes) -> type[Request]:
    """A Request whose filter is ``Replacing(old, new)``."""

    @dataclass(frozen=True)
    class ReplacingRequest(Request):
        def make_filter(self, counts: Counts | None = None) -> LineFilter:
            return Replacing(old, new)

    return ReplacingRequest


def in_pieces(chunks: Iterable[bytes], size: int) -> Iterator[bytes]:
    """``chunks`` cut again into pieces of at most ``size`` bytes."""
    for chunk in chunks:
        for start in range(0, len(chunk), size):
            yield chunk[start : start + size]


class SmallChunks(Engine):
    """The block loop fed 5-byte chunks, as from a slow pipe."""

    def run(self, chunks: Iterable[bytes]) -> Iterator[tuple[bytes, bytes]]:
        return super().run(in_pieces(chunks, 5))


@dataclass(frozen=True)
class SmallChunksRequest(Request):
    """A Request whose block loop gets its input 5 bytes at a time."""

    def engine(self, *, count: bool | None = None, report: bool = True) -> Engine:
        return SmallChunks(self.make_filter, count=bool(count))


def test_reports_every_address_in_clear(tmp_path):
    """Each address in clear is printed as FILE:LINE: ADDRESS, then a summary; exit 1."""
    log = tmp_path / "mail.log"
    log.write_bytes(SAMPLE)
    code, out, err = check(log)
    assert code == 1
    assert err == ""
    *lines, summary = out.splitlines()
    assert lines == [f"{log}:{entry}" for entry in REPORT]
    assert summary == "ipmask: 8 addresses in clear in 1 of 1 file (6 lines)"


def test_masked_file_is_clean(tmp_path):
    """A masked log has nothing in clear: only the summary, exit 0."""
    log = tmp_path / "mail.log"
    log.write_bytes(Masker().mask_bytes(SAMPLE))
    assert check(log) == (0, "ipmask: no address in clear in 1 file (6 lines)\n", "")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.sampled_from(
            [b"10.0.0.1", b"2001:db8::7", b" ", b":", b"[", b"]", b"x", b"\n", b"/", b"=", b"9"]
        ),
        max_size=40,
    )
)
def test_whatever_was_masked_checks_clean(tmp_path, pieces):
    """Text masked by ipmask always passes the check (masking is idempotent)."""
    log = tmp_path / "random.log"
    log.write_bytes(Masker().mask_bytes(b"".join(pieces)))
    code, out, _ = check(log)
    assert code == 0, out


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    before=st.sampled_from([b"", b"a ", b"[", b"x=", b"(", b"/q/"]),
    address=st.sampled_from([b"10.9.8.7", b"2001:db8:1234::5", b"::ffff:1.2.3.4"]),
    # Not ":80": after an unbracketed IPv6 address it is one more group, by the contract.
    after=st.sampled_from([b"", b" z", b"]", b"#80", b",", b")"]),
)
def test_an_address_in_clear_is_found_exactly(tmp_path, before, address, after):
    """An address standing anywhere in a line is reported as itself."""
    log = tmp_path / "one.log"
    log.write_bytes(b"first line\n" + before + address + after + b"\n")
    code, out, _ = check(log)
    assert code == 1
    assert out.splitlines()[0] == f"{log}:2: {address.decode()}"


def test_keep_networks_are_not_reported(tmp_path):
    """Addresses the policy keeps (--keep) are not in clear by mistake: not reported."""
    log = tmp_path / "access.log"
    log.write_bytes(b"192.0.2.1 ours\n198.51.100.1 theirs\n")
    code, out, _ = check(log, keep=["192.0.2.0/24"])
    assert code == 1
    assert out.splitlines()[:-1] == [f"{log}:2: 198.51.100.1"]


def test_prefix_and_style_are_honoured(tmp_path):
    """Under a zero-style /16 policy, an address zeroed only to /24 is still in clear."""
    log = tmp_path / "access.log"
    log.write_bytes(b"78.46.198.0\n78.46.0.0\n")
    code, out, _ = check(log, ipv4_prefix=16, style="zero")
    assert code == 1
    assert out.splitlines()[:-1] == [f"{log}:1: 78.46.198.0"]


@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress, lzma.compress])
def test_reads_compressed_files(tmp_path, compress):
    """gzip, bzip2 and xz files are checked by their content."""
    log = tmp_path / "mail.log.2.gz"
    log.write_bytes(compress(SAMPLE))
    code, out, _ = check(log)
    assert code == 1
    assert out.splitlines()[:-1] == [f"{log}:{entry}" for entry in REPORT]


def test_line_numbers_across_blocks(tmp_path):
    """Line numbers stay right when the file comes in many small blocks."""
    log = tmp_path / "access.log"
    log.write_bytes(b"a\n" * 7 + b"10.0.0.1\n" + b"b\n" * 3 + b"x 10.0.0.2 y")
    code, out, _ = check(log, request=SmallChunksRequest)
    assert code == 1
    assert out.splitlines()[:-1] == [f"{log}:8: 10.0.0.1", f"{log}:12: 10.0.0.2"]


def test_line_numbers_across_block_calls(tmp_path):
    """Line numbers carry over from one block to the next (a file larger than a block)."""
    log = tmp_path / "big.log"
    filler = b"filler line without anything to mask\n" * 60_000
    log.write_bytes(filler + b"at the end 10.0.0.3\n")
    code, out, _ = check(log)
    assert code == 1
    assert out.splitlines()[0] == f"{log}:60001: 10.0.0.3"


def test_several_files(tmp_path):
    """Files are checked in order; the summary counts those with addresses in clear."""
    dirty, clean = tmp_path / "a.log", tmp_path / "b.log"
    dirty.write_bytes(b"10.0.0.1\n")
    clean.write_bytes(b"10.0.0.XXX\n")
    code, out, _ = check(dirty, clean)
    assert code == 1
    assert out.splitlines()[-1] == "ipmask: 1 address in clear in 1 of 2 files (2 lines)"


def test_unreadable_file_is_not_clean(tmp_path):
    """A file that cannot be read is an error naming it; the others are checked; exit 2."""
    clean = tmp_path / "b.log"
    clean.write_bytes(b"nothing\n")
    code, out, err = check(tmp_path / "missing.log", clean)
    assert code == 2
    assert "missing.log" in err
    assert "No such file or directory" in err
    assert out.splitlines()[-1] == (
        "ipmask: no address in clear in 2 files (1 line); 1 file could not be read"
    )


def test_corrupt_compressed_file_is_not_clean(tmp_path):
    """A broken compressed file is an error, not a pass."""
    log = tmp_path / "mail.log.2.gz"
    log.write_bytes(gzip.compress(SAMPLE * 100)[:200])
    code, _, err = check(log)
    assert code == 2
    assert str(log) in err


@pytest.mark.parametrize("args", [[], ["-"]])
def test_standard_input(args):
    """Without files, or with -, standard input is checked; its lines are named -."""
    proc = subprocess.run(
        [sys.executable, "-m", "ipmask", "--check", *args],
        input=gzip.compress(b"x 10.0.0.1\n"),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.decode().splitlines() == [
        "-:1: 10.0.0.1",
        "ipmask: 1 address in clear in 1 of 1 file (1 line)",
    ]


def test_host_name_words_are_reported_whole(tmp_path):
    """A changed word that holds no plain address (a host name spelling one) is shown whole."""
    log = tmp_path / "mail.log"
    log.write_bytes(b"from 72-53-132-234.example.net[10.0.0.1]\n")
    code, out, _ = check(log, request=replacing(b"72-53-132-234", b"72-53-132-XXX"))
    assert code == 1
    assert out.splitlines()[0] == f"{log}:1: 72-53-132-234.example.net"


def test_filter_changing_the_word_layout_reports_the_line(tmp_path):
    """If a filter changes more than words, the whole line is shown rather than nothing."""
    log = tmp_path / "odd.log"
    log.write_bytes(b"a secret line\r\n")
    code, out, _ = check(log, request=replacing(b"secret", b"se cret"))
    assert code == 1
    assert out.splitlines()[0] == f"{log}:1: a secret line"


def test_invalid_utf8_in_a_word(tmp_path):
    """Bytes that are not UTF-8 are shown escaped, never crash the report."""
    log = tmp_path / "bytes.log"
    log.write_bytes(b"a\xffb\n")
    code, out, _ = check(log, request=replacing(b"\xff", b"X"))
    assert code == 1
    assert out.splitlines()[0] == f"{log}:1: a\\xffb"


def test_command_check(tmp_path):
    """`ipmask --check` prints the report on standard output and exits 1, then 0 once masked."""
    log = tmp_path / "mail.log.2.gz"
    log.write_bytes(gzip.compress(SAMPLE))
    command = [sys.executable, "-m", "ipmask", "--check", str(log)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.splitlines()[:-1] == [f"{log}:{entry}" for entry in REPORT]
    subprocess.run([sys.executable, "-m", "ipmask", "--in-place", str(log)], check=True, timeout=60)
    proc = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0
    assert proc.stdout == "ipmask: no address in clear in 1 file (6 lines)\n"


# -- the same block loop as the other modes ------------------------------------------------------


def test_host_name_in_a_web_line_that_does_not_fit_is_reported(tmp_path):
    """Under a web format, a line that does not fit it still has its host names checked."""
    log = tmp_path / "access.log"
    log.write_bytes(b"garbage line from 72-53-132-234.example.net[72.53.132.234]\n")
    code, out, _ = check(log, format="combined")
    assert code == 1
    assert out.splitlines()[:-1] == [
        f"{log}:1: 72-53-132-234.example.net",
        f"{log}:1: 72.53.132.234",
    ]


def test_over_long_line_counts_as_one_line_as_in_the_stream(tmp_path):
    """A line over LINE_CAP is one line in the summary, as --stats counts it when streaming,
    and the lines after it keep their numbers."""
    long_line = b"word " * (LINE_CAP // 5 + 100) + b"10.0.0.2\n"
    log = tmp_path / "long.log"
    log.write_bytes(b"first 10.0.0.1\n" + long_line + b"last 10.0.0.3\n")
    code, out, _ = check(log, format="combined")
    assert code == 1
    assert out.splitlines() == [
        f"{log}:1: 10.0.0.1",
        f"{log}:2: 10.0.0.2",
        f"{log}:3: 10.0.0.3",
        "ipmask: 3 addresses in clear in 1 of 1 file (3 lines)",
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "ipmask", "--stats", "--format", "combined", str(log)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert proc.stderr.startswith("ipmask: 3 lines, ")


def test_filter_that_raises_falls_back_to_the_any_rules(tmp_path):
    """A bug in a filter neither stops the check nor hides an address: the `any` rules find it."""

    class Raising(Replacing):
        name = "raising"

        def __call__(self, block: bytes) -> bytes:
            raise RuntimeError(block[:10])

    @dataclass(frozen=True)
    class RaisingRequest(Request):
        def make_filter(self, counts: Counts | None = None) -> LineFilter:
            return Raising(b"", b"")

    log = tmp_path / "access.log"
    log.write_bytes(b"one 10.0.0.1\n")
    code, out, err = check(log, request=RaisingRequest)
    assert code == 1
    assert out.splitlines()[0] == f"{log}:1: 10.0.0.1"
    assert err == (
        "ipmask: internal error in the raising filter (RuntimeError); "
        "masking with the any rules instead\n"
    )
