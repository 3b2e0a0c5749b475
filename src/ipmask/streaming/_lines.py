"""Blocks of whole lines: what every mode hands a line filter.

:class:`LineBlocks` turns chunks (as they arrive from a pipe, or large blocks from a file)
into blocks of whole lines, so a line written into a pipe is passed on at once while a file
goes through in large blocks. Memory stays flat: a line that grows beyond :data:`LINE_CAP`
without a newline is handed on in pieces, each cut where no address can straddle the cut (see
:func:`cut_point`).
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable, Iterator

from ipmask.errors import ConfigError
from ipmask.formats import Counts

__all__ = ["BLOCK_SIZE", "LINE_CAP", "LineBlocks", "cut_point"]

#: How much is read at once: a file goes through in blocks of this size.
BLOCK_SIZE = 1 << 17
#: A line longer than this is handed on in pieces (and masked with the `any` rules).
LINE_CAP = 1 << 20

# Where a long line may be cut: right after a byte that is never inside an address or a host
# name and never part of what the address rules look at around one. A blank qualifies unless it
# sits inside a name-address pair ("name [addr]", "name (addr)", "(helo) [addr]", "name,
# arg2=addr"), which the host-name pass must see whole; "(", ")", "," and "=" are left out for
# the same reason, and letters are, because a cut inside a host name would hide its copy of an
# address from that pass. What follows the cut must be in the data, so a cut never falls on
# the end of a window, where the next byte is unknown.
_CUT_AFTER = bytes(range(0x20)) + b"\x7f\"';<>|{}&?!*`^$#@\\+"
_LAST_CUT = re.compile(rb"(?s).*(?:[%s]|(?<![,()]) )(?=[^ (\[])" % re.escape(_CUT_AFTER))


def cut_point(data: bytes, start: int = 0, end: int | None = None) -> int:
    """Where ``data[start:end]`` (part of one over-long line) can be cut: the last safe
    position in it, or ``start`` if there is none.

    A safe position lies right after a byte that no address or its decoration can contain, or
    between two letters that cannot start, end or touch an address. Masking the two sides apart
    then gives the same bytes as masking them together.
    """
    match = _LAST_CUT.match(data, start, len(data) if end is None else end)
    return match.end() if match else start


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
    about ``block_size`` long, so a long line costs no more memory than a block). Adds to
    ``counts`` as it goes: ``bytes``, each over-long line as ``unfit`` (it gets the `any`
    rules, not its format's), and ``lines`` unless ``count_lines`` is False (counting is a
    pass over every byte; a run that reports no totals skips it).
    """

    def __init__(
        self,
        chunks: Iterable[bytes],
        *,
        line_cap: int = LINE_CAP,
        block_size: int = BLOCK_SIZE,
        count_lines: bool = True,
        counts: Counts | None = None,
    ) -> None:
        # A chunk never holds a whole line longer than the cap, so a line is cut into pieces
        # exactly when it is longer than the cap, wherever the chunk boundaries fall.
        if block_size > line_cap:
            raise ConfigError("must not exceed line_cap", setting="block_size")
        self._chunks = chunks
        self._cap = line_cap
        self._block = block_size
        self._count_lines = count_lines
        self.counts = Counts() if counts is None else counts

    def __iter__(self) -> Iterator[tuple[bytes, bool]]:
        pending: list[bytes] = []  # the start of a line whose newline has not arrived yet
        size = 0
        long = False  # the line in pending is longer than the cap; some of it went on already
        clean = 0  # how much of pending is known to hold no safe cut (see _pieces)
        cap = self._cap
        count_lines = self._count_lines
        for chunk in self._chunks:
            self.counts.bytes += len(chunk)
            last = chunk.rfind(b"\n") + 1
            if last:
                if count_lines:
                    self.counts.lines += chunk.count(b"\n")
                first = chunk.index(b"\n") + 1 if long or size else 0
                if long or size + first > cap:
                    if not long:
                        self.counts.unfit += 1
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
                    self.counts.unfit += 1
                long = True
                rest, clean = yield from self._pieces(b"".join(pending), clean, final=False)
                pending = [rest] if rest else []
                size = len(rest)
        if (pending or long) and count_lines:  # a last line without newline
            self.counts.lines += 1
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
