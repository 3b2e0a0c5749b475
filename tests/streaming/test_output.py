"""The -o file: append, mode 0640, reopen when asked or when its path names another file."""

from __future__ import annotations

import contextlib
import os
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from ipmask import DownstreamClosedError, OutputError
from ipmask.streaming import FILE_MODE, Output


@contextmanager
def umask(mask: int) -> Iterator[None]:
    """Run with a different umask."""
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(path) -> int:
    """The permission bits of ``path``."""
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("mask", [0o000, 0o022, 0o077])
def test_new_file_gets_mode_0640_whatever_the_umask(tmp_path, mask):
    """A file ipmask creates has mode 0640 exactly."""
    path = tmp_path / "access.log"
    with umask(mask):
        out = Output(str(path))
    out.close()
    assert mode(path) == FILE_MODE == 0o640


def test_existing_file_is_appended_to_and_keeps_its_mode(tmp_path):
    """An existing file is appended to, and its mode is left as the admin set it."""
    path = tmp_path / "access.log"
    path.write_bytes(b"old\n")
    path.chmod(0o600)
    out = Output(str(path))
    out.write(b"new\n")
    out.close()
    assert path.read_bytes() == b"old\nnew\n"
    assert mode(path) == 0o600


def test_rename_sends_later_writes_to_a_new_file(tmp_path):
    """After the file is renamed, the next write lands in a new file at the path."""
    path, rotated = tmp_path / "access.log", tmp_path / "access.log.1"
    notes: list[str] = []
    out = Output(str(path), note=notes.append)
    out.write(b"before\n")
    path.rename(rotated)
    out.write(b"after\n")
    out.close()
    assert rotated.read_bytes() == b"before\n"
    assert path.read_bytes() == b"after\n"
    assert mode(path) == 0o640
    assert notes == [f"reopened {path} (its path no longer names it)"]


def test_delete_sends_later_writes_to_a_new_file(tmp_path):
    """After the file is deleted, the next write creates it again."""
    path = tmp_path / "access.log"
    out = Output(str(path))
    out.write(b"before\n")
    path.unlink()
    out.write(b"after\n")
    out.close()
    assert path.read_bytes() == b"after\n"


def test_reopen_creates_the_new_file_at_once(tmp_path):
    """reopen() (SIGHUP) opens the path afresh without waiting for the next line."""
    path, rotated = tmp_path / "access.log", tmp_path / "access.log.1"
    out = Output(str(path))
    path.rename(rotated)
    out.reopen("signal")
    assert path.exists()
    assert out.reopens == 1
    out.close()


def test_failed_reopen_warns_once_and_keeps_writing_to_the_open_file(tmp_path):
    """If the path cannot be opened again, lines go on into the file still open."""
    folder = tmp_path / "logs"
    folder.mkdir()
    path = folder / "access.log"
    warnings: list[str] = []
    out = Output(str(path), warn=warnings.append)
    fd = os.open(path, os.O_RDONLY)
    path.unlink()
    folder.rmdir()
    out.write(b"one\n")
    out.write(b"two\n")
    out.close()
    assert os.read(fd, 100) == b"one\ntwo\n"
    os.close(fd)
    assert len(warnings) == 1
    assert "cannot reopen" in warnings[0]
    assert "No such file or directory" in warnings[0]


def test_output_that_cannot_be_opened_is_an_output_error(tmp_path):
    """A path that cannot be opened raises OutputError naming it."""
    with pytest.raises(OutputError, match=r"cannot open .*: Is a directory"):
        Output(str(tmp_path))


def test_full_disk_is_an_output_error():
    """A write that fails (ENOSPC) raises OutputError with the reason."""
    out = Output("/dev/full")
    with pytest.raises(OutputError, match="cannot write to /dev/full: No space left on device"):
        out.write(b"line\n")
    out.close()


def test_closed_reader_is_downstream_closed(tmp_path):
    """Writing into a pipe nobody reads any more raises DownstreamClosedError."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    out = Output(str(fifo))
    os.close(reader)
    with pytest.raises(DownstreamClosedError):
        out.write(b"line\n")
    out.close()


def test_large_write_into_a_pipe_is_written_whole(tmp_path):
    """A block larger than the pipe's buffer is written in full, across partial writes."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    out = Output(str(fifo))
    data = os.urandom(1 << 20)
    received = bytearray()

    def drain() -> None:
        os.set_blocking(reader, True)
        while len(received) < len(data):
            received.extend(os.read(reader, 1 << 16))

    thread = threading.Thread(target=drain)
    thread.start()
    out.write(data)
    thread.join(timeout=20)
    out.close()
    os.close(reader)
    assert bytes(received) == data


def test_standard_output_is_never_reopened():
    """Output(None) writes to descriptor 1 and reopen() leaves it alone."""
    out = Output(None)
    out.reopen()
    assert out.name == "standard output"
    assert out.reopens == 0
    out.close()
    os.fstat(1)


def test_full_non_blocking_output_is_waited_for():
    """A non-blocking descriptor whose pipe is full: the write waits, then goes through whole."""
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    filler = b"x" * 4096
    filled = 0
    with contextlib.suppress(BlockingIOError):
        while True:
            filled += os.write(write_end, filler)
    received = bytearray()

    def drain() -> None:
        time.sleep(0.1)
        while len(received) < filled + 5:
            received.extend(os.read(read_end, 65536))

    saved = os.dup(1)
    os.dup2(write_end, 1)  # shares the pipe, non-blocking flag included
    thread = threading.Thread(target=drain)
    try:
        thread.start()
        Output(None).write(b"line\n")
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        thread.join(timeout=20)
    os.close(read_end)
    os.close(write_end)
    assert bytes(received[filled:]) == b"line\n"
