"""Reading the inputs: files or standard input, compressed or not, live or in large blocks.

Nothing here knows about addresses. A :class:`Source` hands out chunks as they become
available (``os.read`` returns what a pipe holds, a full block from a file);
:class:`~ipmask.streaming._lines.LineBlocks` makes blocks of whole lines of them.

Reading waits through :class:`~ipmask.streaming._signals.Signals`, so that a signal wakes it.
"""

from __future__ import annotations

import io
import os
import stat
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from ipmask.errors import InputError
from ipmask.streaming._compression import DAMAGE, could_be_magic, detect_codec
from ipmask.streaming._lines import BLOCK_SIZE

if TYPE_CHECKING:
    from ipmask.streaming._signals import Signals

__all__ = [
    "DRAIN_SECONDS",
    "Source",
    "claim_standard_fds",
    "describe_oserror",
    "open_source",
]

#: After a stop request, how long a pipe may still be read from (see Signals.stop_at_eof).
DRAIN_SECONDS = 1.0

#: What a damaged compressed stream raises (bz2 and lzma: a bare OSError).
_CORRUPT: tuple[type[Exception], ...] = (OSError, *DAMAGE)


def describe_oserror(exc: OSError) -> str:
    """The reason of an OSError as a person reads it (``No such file or directory``)."""
    return exc.strerror or str(exc)


class _ChunkStream(io.RawIOBase):
    """Chunks as a raw binary stream, for a decompressor to read from."""

    def __init__(self, head: bytes, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self._rest = head
        self._chunks = chunks

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if not self._rest:
            self._rest = next(self._chunks, b"")
        size = min(len(buffer), len(self._rest))
        buffer[:size] = self._rest[:size]
        self._rest = self._rest[size:]
        return size


class Source:
    """One input: a file or standard input, read as it becomes available.

    ``position`` counts the bytes read from the descriptor (compressed bytes for a compressed
    input), ``size`` is the file's size when known; both serve a progress display.
    """

    def __init__(self, name: str, fd: int, *, owned: bool) -> None:
        self.name = name
        self.fd = fd
        self._owned = owned
        info = os.fstat(fd)
        # A regular file is always readable: "what is there now" would be all of it.
        self.regular = stat.S_ISREG(info.st_mode)
        self.size = info.st_size if self.regular else 0
        self.position = 0
        self.compressed = False

    def close(self) -> None:
        """Close the descriptor if it was opened here (standard input stays open)."""
        if self._owned:
            os.close(self.fd)

    def chunks(self, signals: Signals, block_size: int = BLOCK_SIZE) -> Iterator[bytes]:
        """Yield the input's bytes (decompressed) until its end or a stop request.

        Raises InputError when reading fails; the chunks already yielded stay valid.
        """
        raw = self._raw(signals, block_size)
        head = b""
        for data in raw:
            head += data
            # Wait for more only while the input could still turn out compressed; a strict
            # beginning of a magic number holds no newline, so no line is held back.
            if not could_be_magic(head):
                break
        codec = detect_codec(head)
        if codec is not None:
            self.compressed = True
            reader = codec.reader(_buffered(head, raw, block_size))
            yield from self._decompressed(reader, signals, block_size)
            return
        if head:
            yield head
        yield from raw

    def _raw(self, signals: Signals, block_size: int) -> Iterator[bytes]:
        """The descriptor's bytes as they arrive, until its end or a stop request.

        After a stop, a pipe is still read: what it holds, or (``signals.linger``) until its
        writers close it; either way for at most DRAIN_SECONDS. A regular file is not: all of
        it is "there".
        """
        deadline = None
        while True:
            if signals.stopping:
                if self.regular:
                    return
                if deadline is None:
                    deadline = time.monotonic() + DRAIN_SECONDS
                left = deadline - time.monotonic()
                if left <= 0 or not signals.wait(self.fd, left if signals.linger else 0):
                    return
            elif not signals.wait(self.fd):
                continue
            data = self._read(block_size)
            if data is None:
                continue
            if not data:
                return
            yield data

    def _read(self, block_size: int) -> bytes | None:
        """One read; None when a descriptor left non-blocking by our parent has nothing yet."""
        try:
            data = os.read(self.fd, block_size)
        except BlockingIOError:
            return None
        except OSError as exc:
            raise InputError(f"cannot read {self.name}: {describe_oserror(exc)}") from exc
        self.position += len(data)
        return data

    def _decompressed(
        self, reader: io.BufferedIOBase, signals: Signals, block_size: int
    ) -> Iterator[bytes]:
        """Decompressed blocks; on damage, first everything that came before it."""
        parts: list[bytes] = []
        size = 0
        with reader:
            while True:
                try:
                    # read1 hands over what one step decompressed, so nothing before a damaged
                    # spot is lost with it; the parts are gathered into full blocks here.
                    data = reader.read1(block_size - size)
                except _CORRUPT as exc:
                    if parts:
                        yield b"".join(parts)
                    if signals.stopping:  # the stream was cut short on purpose
                        return
                    raise InputError(f"cannot read {self.name}: {_describe(exc)}") from exc
                if not data:
                    break
                parts.append(data)
                size += len(data)
                if size >= block_size:
                    yield b"".join(parts)
                    parts, size = [], 0
        if parts:
            yield b"".join(parts)


def _buffered(head: bytes, chunks: Iterator[bytes], block_size: int) -> BinaryIO:
    return io.BufferedReader(_ChunkStream(head, chunks), block_size)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return "compressed data ends too early"
    return f"corrupt compressed data ({exc})"


def claim_standard_fds() -> frozenset[int]:
    """Put /dev/null on each of descriptors 0, 1, 2 found closed; return which ones were.

    Otherwise the next pipe or file opened gets that number, and "standard input" would read
    our own signal pipe, or "standard output" write into an input file.
    """
    closed = set()
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            closed.add(fd)
            # The lowest free number: this one, as the lower ones are taken by now.
            os.open(os.devnull, os.O_RDWR)
    return frozenset(closed)


def open_source(path: str) -> Source:
    """Open ``path`` for reading (``-`` is standard input); InputError names it on failure."""
    if path == "-":
        try:
            return Source("standard input", 0, owned=False)
        except OSError as exc:
            raise InputError(f"cannot read standard input: {describe_oserror(exc)}") from exc
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {describe_oserror(exc)}") from exc
    try:
        return Source(path, fd, owned=True)
    except OSError as exc:  # pragma: no cover - fstat of a descriptor just opened
        os.close(fd)
        raise InputError(f"cannot read {path}: {describe_oserror(exc)}") from exc
