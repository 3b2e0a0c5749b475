"""``--in-place``: rewrite rotated logs with their addresses masked, atomically.

This runs as root from logrotate's ``postrotate``, often in directories that other users or
daemons can write to. The file operations that make that safe (no links followed, one link
only, a temporary file renamed over the original, leftovers of killed runs removed) live in
:mod:`ipmask.modes._safefile`; compression (told by magic bytes, written back the same way) in
:mod:`ipmask.streaming._compression`. This module reads, masks and reports.

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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol, cast

from ipmask.errors import BusyError, InputError, IpmaskError
from ipmask.formats import Counts
from ipmask.modes._request import EXIT_FAILED, EXIT_OK, Request
from ipmask.modes._safefile import Replacement, open_directory, remove_leftovers
from ipmask.streaming import (
    BLOCK_SIZE,
    HEAD_SIZE,
    Codec,
    Engine,
    Progress,
    detect_codec,
    is_damage,
    no_progress,
)

__all__ = ["RETRY_PAUSES", "Result", "in_place", "rewrite_file"]

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
    """What happened to one file: how it was stored, its filter's name, whether it was
    rewritten, and what the block loop counted (sizes are uncompressed)."""

    codec: str
    format: str
    counts: Counts
    changed: bool = False


class _Rewrite:
    """One file's rewrite; ``run`` either renames a complete new file into place or leaves
    the original untouched and removes its temporary file."""

    def __init__(
        self, name: str, dir_fd: int, engine: Engine, progress: Callable[[int], None]
    ) -> None:
        self._name, self._dir_fd = name, dir_fd
        self._engine, self._progress = engine, progress

    def run(self) -> Result:
        with Replacement(self._name, self._dir_fd) as target:
            head = os.pread(target.src, HEAD_SIZE, 0)
            codec = detect_codec(head)
            result = Result(codec.name if codec else "plain", "", self._engine.counts)
            # The compressors only call write() and flush(), which the writer has.
            raw = target.writer
            sink: _Sink = codec.writer(cast("BinaryIO", raw), head) if codec else raw
            self._mask(target.src, codec, sink, result)
            sink.close()
            if result.changed:
                target.commit()
            return result

    def _mask(self, src: int, codec: Codec | None, sink: _Sink, result: Result) -> None:
        engine, progress = self._engine, self._progress
        if codec is None:
            chunks = _read_chunks(lambda size: os.read(src, size))
            decoded: io.BufferedIOBase | None = None
        else:
            decoded = codec.reader(io.FileIO(src, "rb", closefd=False))
            chunks = _read_chunks(decoded.read)
        try:
            for block, masked in engine.run(chunks):
                sink.write(masked)
                result.changed = result.changed or masked != block
                progress(os.lseek(src, 0, os.SEEK_CUR))
            result.format = engine.name
        except Exception as exc:
            # Only a decompressor says the data is damaged; plain reading fails with errno.
            if codec is None or not is_damage(exc):
                raise
            raise InputError(f"cannot decompress ({result.codec}): {exc}") from None
        finally:
            if decoded is not None:
                decoded.close()


def rewrite_file(
    path: str,
    make_engine: Callable[[], Engine],
    progress: Callable[[int], None] = no_progress,
) -> Result:
    """Mask one file in place (see the module's docstring); ``progress`` gets bytes read so far.

    A file that grows while it is read (a daemon writing its last lines after rotation) is
    tried again after a pause, with a fresh block loop so that nothing is counted twice.
    Raises RefusedError for paths it will not rewrite, InputError for undecodable compressed
    files and OSError for system errors; in every such case the original is untouched.
    """
    dir_fd, name = open_directory(path)
    try:
        remove_leftovers(name, dir_fd)
        for pause in RETRY_PAUSES:
            try:
                return _Rewrite(name, dir_fd, make_engine(), progress).run()
            except BusyError:
                time.sleep(pause)
        return _Rewrite(name, dir_fd, make_engine(), progress).run()
    finally:
        os.close(dir_fd)


def _describe(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error)


def _stats_line(path: str, result: Result) -> str:
    outcome = "rewritten" if result.changed else "nothing to mask, left unchanged"
    counts = result.counts
    return (
        f"{path}: {counts.lines} line{'' if counts.lines == 1 else 's'} ({result.codec}), "
        f"{counts.ipv4} IPv4 and {counts.ipv6} IPv6 addresses masked, "
        f"{counts.unfit} lines did not fit the format {result.format}; {outcome}"
    )


def in_place(request: Request) -> int:
    """Rewrite each file masked; report problems (and ``--stats``) on standard error.

    Returns the exit code: 0 if every file was rewritten or had nothing to mask, 1 if any file
    was refused or failed (the others are still processed).
    """
    status = EXIT_OK
    err = request.err
    tty = err.isatty()
    for path in request.files:
        bar = Progress(err, path, _size_or_zero(path)) if tty else None
        try:
            result = rewrite_file(path, request.engine, bar or no_progress)
        except (IpmaskError, OSError) as exc:
            status = EXIT_FAILED
            message: str | None = f"{path}: {_describe(exc)}"
        else:
            message = _stats_line(path, result) if request.stats else None
        if bar is not None:
            bar.clear()
        if message is not None:
            request.say(message)
    return status


def _size_or_zero(path: str) -> int:
    try:
        return os.lstat(path).st_size
    except OSError:
        return 0
