"""Reading inputs: compression by content, live chunks, line blocks, over-long lines, signals."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import re
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipmask import streams
from ipmask.core import Masker
from ipmask.hostnames import HostnameMasker
from ipmask.signals import Signals
from ipmask.streams import (
    InputError,
    LineBlocks,
    Source,
    cut_point,
    open_source,
)

TEXT = b"a 78.46.198.140 b\r\n\xff\x00 [2001:db8::1]:443\nlast line, no newline"

COMPRESSORS = {"gzip": gzip.compress, "bzip2": bz2.compress, "xz": lzma.compress}


@pytest.fixture
def signals() -> Iterator[Signals]:
    """A Signals object, closed after the test."""
    sig = Signals()
    yield sig
    sig.close()


def read_all(path: Path | str, signals: Signals) -> bytes:
    """Everything open_source yields for ``path``."""
    source = open_source(str(path))
    try:
        return b"".join(source.chunks(signals))
    finally:
        source.close()


def split_lines(data: bytes) -> list[bytes]:
    """``data`` cut after each newline (only b"\\n" ends a line), the last line kept."""
    return re.findall(rb"[^\n]*\n|[^\n]+\Z", data)


def chunked(data: bytes, chunk_sizes: list[int]) -> list[bytes]:
    """``data`` cut into chunks of the given sizes (cycled)."""
    chunks, i, k = [], 0, 0
    while i < len(data):
        size = chunk_sizes[k % len(chunk_sizes)]
        chunks.append(data[i : i + size])
        i += size
        k += 1
    return chunks


def blocks_of(data: bytes, chunk_sizes: list[int], cap: int) -> tuple[LineBlocks, list]:
    """Run LineBlocks over ``data`` cut into chunks of the given sizes (cycled)."""
    blocks = LineBlocks(chunked(data, chunk_sizes), line_cap=cap, block_size=max(chunk_sizes))
    return blocks, list(blocks)


# -- compressed input, told by content ---------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(COMPRESSORS))
def test_compressed_file_is_read_decompressed(tmp_path, signals, kind):
    """A gzip, bzip2 or xz file comes out decompressed, byte for byte."""
    path = tmp_path / "log"
    path.write_bytes(COMPRESSORS[kind](TEXT))
    assert read_all(path, signals) == TEXT


def test_compression_is_told_by_content_not_name(tmp_path, signals):
    """A plain file named .gz stays plain; gzip data named .txt is decompressed."""
    plain, packed = tmp_path / "plain.gz", tmp_path / "packed.txt"
    plain.write_bytes(TEXT)
    packed.write_bytes(gzip.compress(TEXT))
    assert read_all(plain, signals) == TEXT
    assert read_all(packed, signals) == TEXT


def test_concatenated_gzip_members_are_all_read(tmp_path, signals):
    """A gzip file of several members (cat a.gz b.gz) yields all of them."""
    path = tmp_path / "log.gz"
    path.write_bytes(gzip.compress(b"one\n") + gzip.compress(b"two\n"))
    assert read_all(path, signals) == b"one\ntwo\n"


@pytest.mark.parametrize(
    "head", [b"BZh9 is how a plain line may start\n", b"\x1f\x8b", b"\xfd7zX", b"B"]
)
def test_plain_text_starting_like_a_magic_number_stays_plain(tmp_path, signals, head):
    """Text that begins like a magic number but is none passes through unchanged."""
    path = tmp_path / "log"
    path.write_bytes(head)
    assert read_all(path, signals) == head


def test_large_compressed_file_comes_in_bounded_chunks(tmp_path, signals):
    """Decompressed chunks never exceed the block size, however well the data compresses."""
    path = tmp_path / "log.gz"
    path.write_bytes(gzip.compress(b"x" * (5 << 20)))
    source = open_source(str(path))
    sizes = [len(chunk) for chunk in source.chunks(signals, block_size=1 << 16)]
    source.close()
    assert sum(sizes) == 5 << 20
    assert max(sizes) <= 1 << 16


def test_truncated_compressed_file_is_an_input_error(tmp_path, signals):
    """A gzip file cut short raises InputError naming the file, after the data before it."""
    path = tmp_path / "cut.gz"
    path.write_bytes(gzip.compress(TEXT * 1000)[:-20])
    with pytest.raises(InputError, match=r"cut\.gz: compressed data ends too early"):
        read_all(path, signals)


def test_corrupt_compressed_file_is_an_input_error(tmp_path, signals):
    """Garbage after a valid magic number raises InputError naming the file."""
    path = tmp_path / "bad.xz"
    path.write_bytes(b"\xfd7zXZ\x00" + b"garbage" * 10)
    with pytest.raises(InputError, match=r"bad\.xz: corrupt compressed data"):
        read_all(path, signals)


# -- opening ------------------------------------------------------------------------------------


def test_missing_file_is_an_input_error_naming_it(tmp_path):
    """A missing file raises InputError with its name and the reason."""
    with pytest.raises(InputError, match=r"cannot read .*nope\.log: No such file or directory"):
        open_source(str(tmp_path / "nope.log"))


def test_directory_is_an_input_error_when_read(tmp_path, signals):
    """A directory opens but cannot be read: InputError naming it."""
    with pytest.raises(InputError, match="Is a directory"):
        read_all(tmp_path, signals)


def test_dash_is_standard_input_and_stays_open(signals):
    """'-' reads descriptor 0 and closing the source leaves it open."""
    source = open_source("-")
    assert source.fd == 0
    assert source.name == "standard input"
    source.close()
    os.fstat(0)  # still open


def test_closed_standard_input_is_an_input_error():
    """'-' when descriptor 0 is closed raises InputError naming standard input."""
    saved = os.dup(0)
    os.close(0)
    try:
        with pytest.raises(InputError, match="cannot read standard input: Bad file descriptor"):
            open_source("-")
    finally:
        os.dup2(saved, 0)
        os.close(saved)


# -- live reading from a pipe -------------------------------------------------------------------


def test_pipe_chunk_arrives_without_waiting_for_a_full_block(signals):
    """A line written into a pipe is yielded while the writer keeps the pipe open."""
    read_end, write_end = os.pipe()
    source = Source("pipe", read_end, owned=True)
    chunks = source.chunks(signals)
    os.write(write_end, b"first line\n")
    assert next(chunks) == b"first line\n"
    os.write(write_end, b"second\n")
    assert next(chunks) == b"second\n"
    os.close(write_end)
    assert list(chunks) == []
    source.close()


def test_stop_signal_ends_a_wait_and_keeps_what_the_pipe_holds(signals):
    """On a stop signal the pipe is drained of what is there, then reading ends."""
    read_end, write_end = os.pipe()
    signals.install({signal.SIGUSR2: signals.stop})
    source = Source("pipe", read_end, owned=True)
    chunks = source.chunks(signals)
    os.write(write_end, b"before\n")
    assert next(chunks) == b"before\n"
    os.write(write_end, b"still in the pipe\n")
    os.kill(os.getpid(), signal.SIGUSR2)
    # The writer is still open: without the stop this would block for ever.
    assert b"".join(chunks) == b"still in the pipe\n"
    assert signals.stopping
    os.close(write_end)
    source.close()


def test_stop_signal_during_a_blocked_wait_ends_it(signals):
    """A signal that arrives while the reader waits on a silent pipe ends the wait."""
    read_end, write_end = os.pipe()
    signals.install({signal.SIGUSR2: signals.stop})
    source = Source("pipe", read_end, owned=True)
    timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGUSR2))
    timer.start()
    assert list(source.chunks(signals)) == []
    timer.join()
    os.close(write_end)
    source.close()


def test_stop_at_eof_waits_for_the_writers_to_close_the_pipe(signals):
    """After SIGTERM's stop, lines written later are still read, up to the pipe's end."""
    read_end, write_end = os.pipe()
    source = Source("pipe", read_end, owned=True)
    chunks = source.chunks(signals)
    os.write(write_end, b"before\n")
    assert next(chunks) == b"before\n"
    signals.stop_at_eof()

    def late_writer() -> None:
        os.write(write_end, b"late line\n")
        os.close(write_end)

    timer = threading.Timer(0.1, late_writer)
    timer.start()
    assert b"".join(chunks) == b"late line\n"
    timer.join()
    source.close()


def test_stop_at_eof_gives_up_after_the_drain_time(signals, monkeypatch):
    """A writer that never closes the pipe holds the end back only for DRAIN_SECONDS."""
    monkeypatch.setattr(streams, "DRAIN_SECONDS", 0.2)
    read_end, write_end = os.pipe()
    source = Source("pipe", read_end, owned=True)
    signals.stop_at_eof()
    assert list(source.chunks(signals)) == []
    os.close(write_end)
    source.close()


def test_stop_drain_ends_at_the_end_of_the_pipe(signals):
    """After a stop, draining a pipe whose writer has gone ends at its end."""
    read_end, write_end = os.pipe()
    os.write(write_end, b"last words\n")
    os.close(write_end)
    source = Source("pipe", read_end, owned=True)
    signals.stop()
    assert list(source.chunks(signals)) == [b"last words\n"]
    source.close()


def test_stop_during_a_compressed_pipe_ends_quietly(signals):
    """A compressed stream cut short by a stop ends without an error, after what it gave."""
    read_end, write_end = os.pipe()
    packed = gzip.compress(b"early line\n" * 1000)
    os.write(write_end, packed[: len(packed) // 2])
    signals.install({signal.SIGUSR2: signals.stop})
    source = Source("pipe", read_end, owned=True)
    timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGUSR2))
    timer.start()
    data = b"".join(source.chunks(signals))
    timer.join()
    assert data
    assert (b"early line\n" * 1000).startswith(data)
    os.close(write_end)
    source.close()


class _EagerSignals(Signals):
    """Says the descriptor is readable at once, as select may for a shared descriptor."""

    def wait(self, fd: int, timeout: float | None = None) -> bool:
        return True


def test_empty_read_on_a_non_blocking_descriptor_is_retried():
    """A descriptor left non-blocking: "nothing yet" is retried, not taken for the end."""
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    eager = _EagerSignals()
    source = Source("pipe", read_end, owned=True)
    chunks = source.chunks(eager)
    timer = threading.Timer(0.1, os.write, (write_end, b"late\n"))
    timer.start()
    assert next(chunks) == b"late\n"
    timer.join()
    os.close(write_end)
    assert list(chunks) == []
    source.close()
    eager.close()


def test_stop_reads_no_further_from_a_regular_file(tmp_path, signals):
    """After a stop, a regular file is not read on: 'what is there' would be all of it."""
    path = tmp_path / "big.log"
    path.write_bytes(b"line\n" * 100_000)
    source = open_source(str(path))
    chunks = source.chunks(signals, block_size=4096)
    assert next(chunks) == (b"line\n" * 1000)[:4096]
    signals.stop()
    assert list(chunks) == []
    source.close()


def test_signal_without_an_action_is_passed_over(signals):
    """A signal noted in the wake-up pipe that has no action here is ignored."""
    signals.install({signal.SIGUSR1: lambda: None})
    previous = signal.signal(signal.SIGUSR2, lambda signum, frame: None)
    try:
        os.kill(os.getpid(), signal.SIGUSR2)
        read_end, write_end = os.pipe()
        assert signals.wait(read_end, 0) is False
        os.close(read_end)
        os.close(write_end)
    finally:
        signal.signal(signal.SIGUSR2, previous)


def test_signal_actions_run_in_the_loop_and_handlers_are_restored(signals):
    """An installed action runs at the next wait; close() puts the old handler back."""
    seen: list[str] = []
    previous = signal.getsignal(signal.SIGUSR2)
    signals.install({signal.SIGUSR2: lambda: seen.append("usr2")})
    os.kill(os.getpid(), signal.SIGUSR2)
    assert seen == []  # not in the handler itself
    read_end, write_end = os.pipe()
    assert signals.wait(read_end, 0) is False
    assert seen == ["usr2"]
    os.close(read_end)
    os.close(write_end)
    closing = Signals()
    closing.install({signal.SIGUSR1: lambda: None})
    closing.close()
    assert signal.getsignal(signal.SIGUSR1) is not None
    assert signal.getsignal(signal.SIGUSR2) is not previous  # ours until the fixture closes


# -- line blocks --------------------------------------------------------------------------------

lines_strategy = st.lists(
    st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=30
).map(b"\n".join)


@settings(max_examples=200, deadline=None)
@given(
    data=st.one_of(lines_strategy, lines_strategy.map(lambda d: d + b"\n")),
    chunk_sizes=st.lists(st.integers(1, 16), min_size=1, max_size=5),
    cap=st.integers(16, 40),
)
def test_line_blocks_keep_every_byte_and_cut_exactly_the_long_lines(data, chunk_sizes, cap):
    """Blocks join back to the input; whole blocks hold whole lines; only long lines are cut."""
    blocks, out = blocks_of(data, chunk_sizes, cap)
    assert b"".join(part for part, _ in out) == data
    lines = split_lines(data)
    assert blocks.lines == len(lines)
    assert blocks.bytes == len(data)
    assert blocks.long_lines == sum(len(line) > cap for line in lines)
    whole_lines = [line for part, whole in out if whole for line in split_lines(part)]
    assert whole_lines == [line for line in lines if len(line) <= cap]
    for part, whole in out[:-1]:
        if whole:
            assert part.endswith(b"\n")


@settings(max_examples=100, deadline=None)
@given(
    data=st.one_of(lines_strategy, lines_strategy.map(lambda d: d + b"\n")),
    chunk_sizes=st.lists(st.integers(1, 16), min_size=1, max_size=5),
)
def test_line_blocks_without_counting_give_the_same_blocks(data, chunk_sizes):
    """count_lines=False changes only the line count (left at 0), never the blocks."""
    counted, expected = blocks_of(data, chunk_sizes, 24)
    uncounted = LineBlocks(
        chunked(data, chunk_sizes), line_cap=24, block_size=max(chunk_sizes), count_lines=False
    )
    assert list(uncounted) == expected
    assert (uncounted.lines, uncounted.bytes) == (0, counted.bytes)
    assert uncounted.long_lines == counted.long_lines


def test_line_blocks_pass_a_slow_pipe_line_by_line():
    """Each chunk ending in a newline comes out as its own block at once."""
    blocks = LineBlocks(iter([b"one\n", b"tw", b"o\nthr", b"ee\n"]))
    assert list(blocks) == [(b"one\n", True), (b"two\n", True), (b"three\n", True)]


def test_last_line_without_newline_comes_out_as_it_is():
    """An unterminated last line is yielded at the end, no newline added."""
    assert list(LineBlocks(iter([b"a\nb"]))) == [(b"a\n", True), (b"b", True)]


def test_long_line_pieces_stay_bounded_and_cut_after_separators():
    """A line far longer than the cap comes in pieces no larger than a block."""
    line = b"word " * 10_000 + b"\n"
    blocks, out = blocks_of(line, [1000], cap=4096)
    assert all(not whole for _, whole in out)
    assert max(len(part) for part, _ in out) <= 1000
    assert all(part.endswith((b" ", b"\n")) for part, _ in out)
    assert blocks.long_lines == 1


def test_long_token_without_a_safe_cut_is_cut_anyway():
    """A run with no safe cut point longer than the cap is still passed on, in bounded pieces."""
    line = b"0123456789abcdef" * 1000
    _, out = blocks_of(line, [512], cap=1024)
    assert b"".join(part for part, _ in out) == line
    assert max(len(part) for part, _ in out) <= 1024 + 512


def test_block_size_above_the_cap_is_refused():
    """The cap must be at least a block, or a long line could hide inside one chunk."""
    with pytest.raises(ValueError, match="block_size"):
        LineBlocks([], line_cap=10, block_size=11)


# -- cut points ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a 1.2.3.4 b", 10),  # after the last space
        (b'x="1.2.3.4"', 3),  # after the opening quote; never at the very end
        (b"1.2.3.4:abcgh", 0),  # nothing safe: address and name characters only
        (b"1.2.3.4:abc::1%en0", 0),  # nothing safe: address characters only
        (b"Chrome/120.0.0.0", 0),  # never inside a word or after the slash
        (b"[IPv6:2001:db8::1]", 0),  # never inside the IPv6 tag or after "["
        (b"from a.example [192.0.2.1]", 5),  # never inside "name [addr]"
        (b"x a.example (192.0.2.1)", 2),  # never inside "name (addr)"
        (b"arg1=a.example, arg2=192.0.2.1", 0),  # never inside sendmail's pair
    ],
)
def test_cut_point(data, expected):
    """The cut falls at the last safe position, or nowhere."""
    assert cut_point(data) == expected


def test_cut_point_looks_only_inside_its_window():
    """With start and end, the cut falls inside them, and start means nowhere."""
    assert cut_point(b"a b c d", 2, 5) == 4
    assert cut_point(b"a b c d", 2, 3) == 2


def test_long_run_without_a_safe_cut_is_searched_about_once(monkeypatch):
    """A run with no safe cut is not searched again for every chunk that lengthens it."""
    searched = []

    def counting(data: bytes, start: int = 0, end: int | None = None) -> int:
        searched.append(min(len(data), len(data) if end is None else end) - start)
        return cut_point(data, start, end)

    monkeypatch.setattr(streams, "cut_point", counting)
    line = b"1" * 50_000 + b"\n"
    _, out = blocks_of(line, [100], cap=4_000)
    assert b"".join(part for part, _ in out) == line
    assert sum(searched) < 2 * len(line)


def test_cutting_a_long_line_keeps_host_name_pairs_whole():
    """A name that spells its address is masked however a long line is cut into pieces."""
    pair = b"connect from 54-56-24-102.dyn.example.net[54.56.24.102] "
    masked = b"connect from 54-56-24-XXX.dyn.example.net[54.56.24.XXX] "
    line = pair * 200 + b"\n"
    names = HostnameMasker(MASKER, standalone=False)
    for size in (7, 100, 333, 1000):
        blocks = LineBlocks(chunked(line, [size]), line_cap=2000, block_size=1000)
        pieces = [MASKER.mask_bytes(names(part)) for part, _ in blocks]
        assert b"".join(pieces) == masked * 200 + b"\n"


SAMPLE_ALPHABET = (
    list(b"0123456789abcdefABCDEF.:%[]/_-") + list(b" \t,;\"'()<>=&|") + list(b"ghkmxyzCIPv")
)
MASKER = Masker()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    b"78.46.198.140",
                    b"2a01:4f8:1c17:413b::1",
                    b"[2001:db8::1]:443",
                    b"fe80::1%eth0",
                    b"Chrome/120.0.0.0",
                    b"IPv6:2001:db8::2",
                    b"::ffff:1.2.3.4",
                ]
            ),
            st.binary(min_size=1, max_size=3).map(
                lambda b: bytes(SAMPLE_ALPHABET[x % len(SAMPLE_ALPHABET)] for x in b)
            ),
        ),
        max_size=12,
    ).map(b"".join),
    st.integers(0, 200),
)
def test_masking_both_sides_of_a_cut_equals_masking_the_whole(text, end):
    """Cutting at cut_point never changes what the `any` rules make of the text."""
    head = text[:end]
    cut = cut_point(head)
    if cut:
        left, right = text[:cut], text[cut:]
        assert MASKER.mask_bytes(left) + MASKER.mask_bytes(right) == MASKER.mask_bytes(text)
