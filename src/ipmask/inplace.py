"""``--in-place``: rewrite rotated logs with their addresses masked, atomically.

This runs as root from logrotate's ``postrotate``, often in directories that other users or
daemons can write to. The file operations that make that safe (no links followed, one link
only, a temporary file renamed over the original, leftovers of killed runs removed) live in
:mod:`ipmask.safefile`; compression (told by magic bytes, written back the same way) in
:mod:`ipmask.compression`. This module reads, masks and reports.

A file that grows while it is read (a daemon still finishing its lines after the rotation) is
not replaced by a copy missing those lines: it is read again after a pause, or left alone.

A file whose masked content equals its content is left alone (no new inode, same bytes, same
times): running twice changes nothing the second time, also for compressed files, which would
otherwise be recompressed into different bytes.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Protocol, TextIO, cast

from ipmask.compression import HEAD_SIZE, Codec, detect_codec, is_damage
from ipmask.errors import IpmaskError
from ipmask.safefile import BusyError, RefusedError, Replacement, open_directory, remove_leftovers
from ipmask.streams import BLOCK_SIZE, LineBlocks

if TYPE_CHECKING:
    from ipmask.formats import LineFilter

__all__ = [
    "RETRY_PAUSES",
    "BusyError",
    "RefusedError",
    "Result",
    "rewrite_file",
    "run_in_place",
]

#: Pauses before trying a file again that grew while it was read; one more try follows the last.
RETRY_PAUSES: tuple[float, ...] = (0.2, 1.0)


class _Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...

    def close(self) -> None: ...


def _read_chunks(read: Callable[[int], bytes]) -> Iterator[bytes]:
    while chunk := read(BLOCK_SIZE):
        yield chunk


@dataclass
class Result:
    """What happened to one file: its size in lines and (uncompressed) bytes, whether it was
    rewritten, and what the filter counted."""

    codec: str
    format: str
    lines: int = 0
    size: int = 0
    changed: bool = False
    ipv4: int = 0
    ipv6: int = 0
    unfit: int = 0


class _Progress:
    """A one-line bar on a terminal, redrawn at most ten times a second."""

    WIDTH = 30

    def __init__(self, err: TextIO, label: str, total: int) -> None:
        self._err, self._label, self._total = err, label, max(total, 1)
        self._next = 0.0

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + 0.1
        share = min(done / self._total, 1.0)
        filled = int(share * self.WIDTH)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self._err.write(f"\r{self._label} [{bar}] {share:4.0%}")
        self._err.flush()

    def clear(self) -> None:
        width = len(self._label) + self.WIDTH + 8
        self._err.write("\r" + " " * width + "\r")
        self._err.flush()


def _no_progress(done: int) -> None:
    """Used when standard error is not a terminal."""


class _Rewrite:
    """One file's rewrite; ``run`` either renames a complete new file into place or leaves
    the original untouched and removes its temporary file."""

    def __init__(
        self, name: str, dir_fd: int, line_filter: LineFilter, progress: Callable[[int], None]
    ) -> None:
        self._name, self._dir_fd = name, dir_fd
        self._filter, self._progress = line_filter, progress

    def run(self) -> Result:
        with Replacement(self._name, self._dir_fd) as target:
            head = os.pread(target.src, HEAD_SIZE, 0)
            codec = detect_codec(head)
            result = Result(codec.name if codec else "plain", self._filter.name)
            # The compressors only call write() and flush(), which the writer has.
            raw = target.writer
            sink: _Sink = codec.writer(cast("BinaryIO", raw), head) if codec else raw
            self._mask(target.src, codec, sink, result)
            sink.close()
            if result.changed:
                target.commit()
            return result

    def _mask(self, src: int, codec: Codec | None, sink: _Sink, result: Result) -> None:
        line_filter, progress = self._filter, self._progress
        if codec is None:
            chunks = _read_chunks(lambda size: os.read(src, size))
            decoded: io.BufferedIOBase | None = None
        else:
            decoded = codec.reader(io.FileIO(src, "rb", closefd=False))
            chunks = _read_chunks(decoded.read)
        try:
            # Pieces of over-long lines (not whole) are cut where no address can straddle the cut.
            blocks = LineBlocks(chunks)
            for block, _whole in blocks:
                masked = line_filter(block)
                sink.write(masked)
                result.changed = result.changed or masked != block
                progress(os.lseek(src, 0, os.SEEK_CUR))
            result.lines, result.size = blocks.lines, blocks.bytes
            counts = line_filter.stats
            result.ipv4, result.ipv6 = counts.ipv4, counts.ipv6
            result.unfit = counts.unfit + blocks.long_lines
        except Exception as exc:
            # Only a decompressor says the data is damaged; plain reading fails with errno.
            if codec is None or not is_damage(exc):
                raise
            raise IpmaskError(f"cannot decompress ({result.codec}): {exc}") from None
        finally:
            if decoded is not None:
                decoded.close()


def rewrite_file(
    path: str,
    make_filter: Callable[[], LineFilter],
    progress: Callable[[int], None] = _no_progress,
) -> Result:
    """Mask one file in place (see the module's docstring); ``progress`` gets bytes read so far.

    A file that grows while it is read (a daemon writing its last lines after rotation) is
    tried again after a pause, with a fresh filter so that statistics are not counted twice.
    Raises RefusedError for paths it will not rewrite, IpmaskError for undecodable compressed
    files and OSError for system errors; in every such case the original is untouched.
    """
    dir_fd, name = open_directory(path)
    try:
        remove_leftovers(name, dir_fd)
        for pause in RETRY_PAUSES:
            try:
                return _Rewrite(name, dir_fd, make_filter(), progress).run()
            except BusyError:
                time.sleep(pause)
        return _Rewrite(name, dir_fd, make_filter(), progress).run()
    finally:
        os.close(dir_fd)


def _describe(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error)


def _stats_line(path: str, result: Result) -> str:
    outcome = "rewritten" if result.changed else "nothing to mask, left unchanged"
    return (
        f"ipmask: {path}: {result.lines} line{'' if result.lines == 1 else 's'} ({result.codec}), "
        f"{result.ipv4} IPv4 and {result.ipv6} IPv6 addresses masked, "
        f"{result.unfit} lines did not fit the format {result.format}; {outcome}\n"
    )


def run_in_place(
    paths: Iterable[str],
    make_filter: Callable[[], LineFilter],
    *,
    stats: bool,
    err: TextIO,
) -> int:
    """Rewrite each file masked; report problems (and ``stats``) on ``err``.

    Returns the exit code: 0 if every file was rewritten or had nothing to mask, 1 if any file
    was refused or failed (the others are still processed).
    """
    status = 0
    tty = err.isatty()
    for path in paths:
        bar = _Progress(err, path, _size_or_zero(path)) if tty else None
        try:
            result = rewrite_file(path, make_filter, bar or _no_progress)
        except (IpmaskError, OSError) as exc:
            status = 1
            message = f"ipmask: {path}: {_describe(exc)}\n"
        else:
            message = _stats_line(path, result) if stats else ""
        if bar is not None:
            bar.clear()
        err.write(message)
    return status


def _size_or_zero(path: str) -> int:
    try:
        return os.lstat(path).st_size
    except OSError:
        return 0
