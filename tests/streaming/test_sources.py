"""Reading inputs: compression by content, live chunks from pipes, signals."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipmask import InputError
from ipmask.streaming import CODECS, DRAIN_SECONDS, Signals, Source, detect_codec, open_source

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


class Feeder(Signals):
    """Signals whose every wait first writes the next part into a pipe (and at the end closes
    it), so each read of the pipe gets exactly one part, with no timing involved."""

    def __init__(self, parts: list[bytes]) -> None:
        super().__init__()
        self.read_end, self._write_end = os.pipe()
        self._parts = [part for part in parts if part]
        self.fed = 0

    def wait(self, fd: int, timeout: float | None = None) -> bool:
        if self.fed < len(self._parts):
            os.write(self._write_end, self._parts[self.fed])
            self.fed += 1
        elif self._write_end >= 0:
            os.close(self._write_end)
            self._write_end = -1
        return True

    def close(self) -> None:
        if self._write_end >= 0:
            os.close(self._write_end)
        os.close(self.read_end)
        super().close()


def read_parts(parts: list[bytes]) -> tuple[str, bytes]:
    """What a pipe yields when ``parts`` arrive one read at a time: ("ok", the bytes), or
    ("error", b"") if reading raised InputError."""
    feeder = Feeder(parts)
    source = Source("pipe", feeder.read_end, owned=False)
    try:
        return "ok", b"".join(source.chunks(feeder))
    except InputError:
        return "error", b""
    finally:
        feeder.close()


MAGICS = [magic for codec in CODECS for magic in codec.magics]


@pytest.mark.parametrize("kind", sorted(COMPRESSORS))
def test_compressed_pipe_split_inside_its_magic_is_still_decompressed(kind):
    """A compressed stream whose magic number arrives in two reads is still recognised."""
    packed = COMPRESSORS[kind](TEXT)
    codec = detect_codec(packed)
    assert codec is not None
    magic = next(magic for magic in codec.magics if packed.startswith(magic))
    for cut in range(1, len(magic) + 1):
        assert read_parts([packed[:cut], packed[cut:]]) == ("ok", TEXT), cut


@pytest.mark.parametrize(
    "head", [b"2001:db8::1\n", b"BZh9x", b"BZh0", b"\x1f\x8b\x09", b"\xfd7zXY", b"plain"]
)
def test_text_that_cannot_start_a_magic_is_passed_on_at_once(head):
    """As soon as the bytes read can start no magic number they are yielded, unwaited."""
    feeder = Feeder([head, b" and more\n"])
    source = Source("pipe", feeder.read_end, owned=False)
    chunks = source.chunks(feeder)
    try:
        assert next(chunks) == head
        assert feeder.fed == 1
        assert b"".join(chunks) == b" and more\n"
    finally:
        chunks.close()
        feeder.close()


def test_no_beginning_of_a_magic_holds_a_newline():
    """Waiting for the rest of a magic number never holds back a whole line."""
    assert not any(b"\n" in magic[:size] for magic in MAGICS for size in range(len(magic)))


@settings(max_examples=200, deadline=None)
@given(
    data=st.one_of(
        st.binary(min_size=1, max_size=24),
        st.builds(lambda m, b: m + b, st.sampled_from(MAGICS), st.binary(max_size=12)),
        st.builds(lambda m, b: m[:-1] + b, st.sampled_from(MAGICS), st.binary(max_size=12)),
    ),
    cut=st.integers(1, 24),
)
def test_how_a_pipe_is_read_never_changes_what_it_gives(data, cut):
    """Bytes arriving in two reads give what they give in one: the decision plain or
    compressed waits for as many bytes as it needs."""
    assert read_parts([data[:cut], data[cut:]]) == read_parts([data])


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


def test_stop_at_eof_gives_up_after_the_drain_time(signals):
    """A writer that never closes the pipe holds the end back for DRAIN_SECONDS, no longer."""
    read_end, write_end = os.pipe()
    source = Source("pipe", read_end, owned=True)
    signals.stop_at_eof()
    started = time.monotonic()
    assert list(source.chunks(signals)) == []
    waited = time.monotonic() - started
    os.close(write_end)
    source.close()
    assert DRAIN_SECONDS - 0.05 <= waited < DRAIN_SECONDS + 5


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
