"""Where ``--jobs`` may split a file, and where its ranges fall.

A file can be split only when it is a regular, uncompressed file large enough to be worth it;
its ranges end right after a newline, and a range is read at the same block offsets as one
process reads the whole file, so over-long lines are cut at the same places.
"""

from __future__ import annotations

import multiprocessing
import os
import stat
from collections.abc import Callable, Iterator

from ipmask.errors import InputError
from ipmask.streaming import BLOCK_SIZE, Signals, Source, describe_oserror, open_source

__all__ = ["RANGE_SIZE", "RANGE_SLACK", "SCAN", "chunks", "plan", "refusal"]

#: Bytes per range handed to a worker: large enough that the hand-over costs little, small
#: enough that the ranges in flight stay a few MiB.
RANGE_SIZE = 4 << 20
#: How far past its planned end a range may reach for a newline before the parent takes over.
RANGE_SLACK = 4 << 20
#: How much is read at a time while looking for the end of a line.
SCAN = 64 << 10


def refusal(path: str, jobs: int) -> str | None:
    """Why ``path`` is masked by one process after all, or None when it can be split.

    Raises InputError when the file cannot be opened (the caller reports it as for one process).
    """
    if jobs <= 1:
        return "one job asked for"
    if path == "-":
        return "standard input is read by one process"
    if "fork" not in multiprocessing.get_all_start_methods():
        return "this platform cannot fork worker processes"
    return _file_refusal(path)


def _file_refusal(path: str) -> str | None:
    """Why this file cannot be split: not regular, compressed, or small."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {describe_oserror(exc)}") from exc
    # Checked before opening: opening a FIFO would wait for, and then lose, its writer.
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a pipe or device is read by one process)"
    source = open_source(path)
    try:
        if _compressed(source):
            return "compressed files are read by one process"
        if source.size < 2 * RANGE_SIZE:
            return "too small to be worth splitting"
    finally:
        source.close()
    return None


def _compressed(source: Source) -> bool:
    """Whether the input is compressed, as the reader itself tells (by magic bytes)."""
    signals = Signals()
    try:
        next(source.chunks(signals, block_size=64), b"")
    except InputError:
        return True  # a broken compressed stream: one process reports it properly
    finally:
        signals.close()
    return source.compressed


def _line_end(fd: int, pos: int, size: int, limit: int) -> int | None:
    """Offset right after the first newline at or after ``pos`` (``size`` if none).

    None when that is more than ``limit`` bytes past ``pos``.
    """
    offset = pos
    while offset < size and offset - pos <= limit:
        window = os.pread(fd, min(SCAN, size - offset), offset)
        if not window:
            break  # the file shrank under us; end at what is there
        found = window.find(b"\n")
        if found >= 0:
            end = offset + found + 1
            return end if end - pos <= limit else None
        offset += len(window)
    return min(offset, size) if offset - pos <= limit else None


def plan(fd: int, size: int, range_size: int, slack: int) -> Iterator[tuple[bool, int, int]]:
    """Yield ``(for_worker, start, end)`` ranges covering the file, each ending a line."""
    start = 0
    while start < size:
        target = start + range_size
        if target >= size:
            yield True, start, size
            return
        end = _line_end(fd, target - 1, size, slack)
        if end is not None:
            yield True, start, end
        else:
            # A line too long for a worker's range: the parent streams through to its end.
            end = _line_end(fd, target - 1, size, size) or size
            yield False, start, end
        start = end


def chunks(fd: int, start: int, end: int, stopping: Callable[[], bool]) -> Iterator[bytes]:
    """The bytes of ``[start, end)``, read at the same block offsets as one process reads."""
    pos = start
    while pos < end and not stopping():
        step = min(BLOCK_SIZE - pos % BLOCK_SIZE, end - pos)
        data = os.pread(fd, step, pos)
        if not data:
            return
        pos += len(data)
        yield data
