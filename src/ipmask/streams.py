"""Reading the inputs: files or standard input, compressed or not, live or in large blocks.

Nothing here knows about addresses. A :class:`Source` hands out chunks as they become
available (``os.read`` returns what a pipe holds, a full block from a file), and
:class:`LineBlocks` turns those chunks into blocks of whole lines for a line filter, so a line
written into a pipe is passed on at once while a file goes through in large blocks.

Memory stays flat: a line that grows beyond :data:`LINE_CAP` without a newline is handed on in
pieces, each cut where no address can straddle the cut (see :func:`cut_point`).

Reading waits through :class:`ipmask.signals.Signals`, so that a signal wakes it.
"""

from __future__ import annotations

import io
import os
import re
import stat
import time
from collections.abc import Generator, Iterable, Iterator
from typing import TYPE_CHECKING, BinaryIO

from ipmask.compression import DAMAGE, could_be_magic, detect_codec

if TYPE_CHECKING:
    from ipmask.signals import Signals

__all__ = [
    "BLOCK_SIZE",
    "LINE_CAP",
    "InputError",
    "LineBlocks",
    "Source",
    "claim_standard_fds",
    "cut_point",
    "describe_oserror",
    "open_source",
]

#: How much is read at once: a file goes through in blocks of this size.
BLOCK_SIZE = 1 << 17
#: A line longer than this is handed on in pieces (and masked with the `any` rules).
LINE_CAP = 1 << 20
#: After a stop request, how long a pipe may still be read from (see Signals.stop_at_eof).
DRAIN_SECONDS = 1.0

# Where a long line may be cut: right after a byte that is never inside an address or a host
# name and never part of what the address rules look at around one. A blank qualifies unless it
# sits inside a name-address pair ("name [addr]", "name (addr)", "(helo) [addr]", "name,
# arg2=addr"), which the host-name pass must see whole; "(", ")", "," and "=" are left out for
# the same reason, and letters are, because a cut inside a host name would hide its copy of an
# address from that pass. What follows the cut must be in the data, so a cut never falls on
# the end of a window, where the next byte is unknown.
_CUT_AFTER = bytes(range(0x20)) + b"\x7f\"';<>|{}&?!*`^$#@\\+"
_LAST_CUT = re.compile(rb"(?s).*(?:[%s]|(?<![,()]) )(?=[^ (\[])" % re.escape(_CUT_AFTER))

#: What a damaged compressed stream raises (bz2 and lzma: a bare OSError).
_CORRUPT: tuple[type[Exception], ...] = (OSError, *DAMAGE)


class InputError(Exception):
    """An input could not be opened or read; the message names it."""


def describe_oserror(exc: OSError) -> str:
    """The reason of an OSError as a person reads it (``No such file or directory``)."""
    return exc.strerror or str(exc)


def cut_point(data: bytes, start: int = 0, end: int | None = None) -> int:
    """Where ``data[start:end]`` (part of one over-long line) can be cut: the last safe
    position in it, or ``start`` if there is none.

    A safe position lies right after a byte that no address or its decoration can contain, or
    between two letters that cannot start, end or touch an address. Masking the two sides apart
    then gives the same bytes as masking them together.
    """
    match = _LAST_CUT.match(data, start, len(data) if end is None else end)
    return match.end() if match else start


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


def _join(pending: list[bytes], chunk: bytes, end: int) -> bytes:
    """``pending`` followed by ``chunk[:end]``, copied once."""
    if not pending:
        return chunk if end == len(chunk) else chunk[:end]
    # A memoryview slice is not a copy, so join copies each byte once.
    return b"".join([*pending, memoryview(chunk)[:end]])


class LineBlocks:
    """Splits chunks into blocks of whole lines, and over-long lines into safe pieces.

    Iterating yields ``(data, whole)``: ``whole`` is True for a block of whole lines (each
    ending in a newline, except possibly the input's last), and False for a piece of a line
    longer than ``line_cap`` (every piece of it, up to and including its newline; pieces are
    about ``block_size`` long, so a long line costs no more memory than a block). Counts
    ``bytes`` and ``long_lines`` as it goes, and ``lines`` unless ``count_lines`` is False
    (counting is a pass over every byte; a run that reports no totals skips it).
    """

    def __init__(
        self,
        chunks: Iterable[bytes],
        *,
        line_cap: int = LINE_CAP,
        block_size: int = BLOCK_SIZE,
        count_lines: bool = True,
    ) -> None:
        # A chunk never holds a whole line longer than the cap, so a line is cut into pieces
        # exactly when it is longer than the cap, wherever the chunk boundaries fall.
        if block_size > line_cap:
            raise ValueError("block_size must not exceed line_cap")
        self._chunks = chunks
        self._cap = line_cap
        self._block = block_size
        self._count_lines = count_lines
        self.lines = 0
        self.bytes = 0
        self.long_lines = 0

    def __iter__(self) -> Iterator[tuple[bytes, bool]]:
        pending: list[bytes] = []  # the start of a line whose newline has not arrived yet
        size = 0
        long = False  # the line in pending is longer than the cap; some of it went on already
        clean = 0  # how much of pending is known to hold no safe cut (see _pieces)
        cap = self._cap
        count_lines = self._count_lines
        for chunk in self._chunks:
            self.bytes += len(chunk)
            last = chunk.rfind(b"\n") + 1
            if last:
                if count_lines:
                    self.lines += chunk.count(b"\n")
                first = chunk.index(b"\n") + 1 if long or size else 0
                if long or size + first > cap:
                    if not long:
                        self.long_lines += 1
                    data = _join(pending, chunk, first)
                    yield from self._pieces(data, clean, final=True)
                    if first < last:
                        yield chunk[first:last], True
                else:
                    yield _join(pending, chunk, last), True
                pending = [chunk[last:]] if last < len(chunk) else []
                size = len(chunk) - last
                long = False
                clean = 0
            else:
                pending.append(chunk)
                size += len(chunk)
            if size > (self._block if long else cap):
                if not long:
                    self.long_lines += 1
                long = True
                rest, clean = yield from self._pieces(b"".join(pending), clean, final=False)
                pending = [rest] if rest else []
                size = len(rest)
        if (pending or long) and count_lines:  # a last line without newline
            self.lines += 1
        if pending:
            yield b"".join(pending), not long

    def _pieces(
        self, data: bytes, clean: int, *, final: bool
    ) -> Generator[tuple[bytes, bool], None, tuple[bytes, int]]:
        """Hand on ``data``, part of a long line, in pieces of about a block.

        ``data[:clean]`` is known to hold no safe cut, so it is not searched again: a run
        without one is searched once, not once per chunk. Returns what is left and how much of
        it is known to hold no safe cut. With ``final`` (``data`` ends the line) nothing is
        left; otherwise what is left is shorter than a block, or holds no safe cut and is not
        longer than the cap.
        """
        block, cap = self._block, self._cap
        pos, size = 0, len(data)
        while size - pos > block:
            # A cut needs the byte after it, so the last byte searched before is searched again.
            start = max(pos, clean - 1)
            cut = cut_point(data, start, pos + block) if start < pos + block else start
            if cut == start:
                # No safe place within a block: the last one within the cap, or else the cap's
                # end (a run that long without a blank or punctuation is no log text).
                start = max(start, pos + block - 1)
                cut = cut_point(data, start, pos + cap)
                if cut == start:
                    if size - pos <= cap and not final:
                        return data[pos:], size - pos
                    cut = min(pos + cap, size)
            yield data[pos:cut], False
            pos = cut
            clean = 0
        if not final:
            return data[pos:], 0
        if pos < size:
            yield data[pos:], False
        return b"", 0
