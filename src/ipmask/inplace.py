"""``--in-place``: rewrite rotated logs with their addresses masked, atomically.

This runs as root from logrotate's ``postrotate``, often in directories that other users or
daemons can write to, so every step is built to fail safe:

- everything happens relative to one open directory descriptor, so a parent directory swapped
  for a symbolic link half-way through cannot redirect a step;
- the original is opened without following links and must be a regular file with one link:
  rewriting a hard link would replace only one of its names, and a link or a device could point
  anywhere;
- the new content goes to a temporary file created exclusively next to the original, is synced,
  gets the original's owner, group, mode, extended attributes and times, and only then is renamed
  over the original; after a crash or ``kill -9`` at any moment the path holds either the old
  file or the fully masked one;
- the temporary files carry a name of our own (``.NAME.ipmask-HEX.tmp``), so a later run can
  remove what a killed run left behind without touching anything else;
- a file that grows while it is read (a daemon still finishing its lines after the rotation) is
  not replaced by a copy missing those lines: it is read again after a pause, or left alone.

A file whose masked content equals its content is left alone (no new inode, same bytes, same
times): running twice changes nothing the second time, also for compressed files, which would
otherwise be recompressed into different bytes.
"""

from __future__ import annotations

import bz2
import contextlib
import errno
import fcntl
import gzip
import io
import lzma
import os
import re
import secrets
import stat
import struct
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Protocol, TextIO, cast

from ipmask.errors import IpmaskError
from ipmask.streams import BLOCK_SIZE, LineBlocks

if TYPE_CHECKING:
    from ipmask.formats import LineFilter

__all__ = [
    "RETRY_PAUSES",
    "BusyError",
    "Codec",
    "RefusedError",
    "Result",
    "detect_codec",
    "rewrite_file",
    "run_in_place",
]

#: How the compression modules report corrupt or truncated data, besides a bare OSError.
_BAD_DATA: tuple[type[Exception], ...] = (EOFError, zlib.error, lzma.LZMAError, gzip.BadGzipFile)

#: Our temporary files: ``.`` + the target's name + a random tag. Names too long to extend are
#: replaced by a digest-like stand-in so the pattern still fits in NAME_MAX.
_TMP_TEMPLATE = ".{stem}.ipmask-{tag}.tmp"
_TAG_BYTES = 6
_MAX_STEM = 200


class RefusedError(IpmaskError):
    """The path is not something ipmask rewrites (a link, a device, a hard-linked file...)."""


class BusyError(RefusedError):
    """The file was written to while it was being rewritten."""


#: Pauses before trying a file again that grew while it was read; one more try follows the last.
RETRY_PAUSES: tuple[float, ...] = (0.2, 1.0)


class _Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...

    def close(self) -> None: ...


class _FdWriter:
    """Writes everything it is given to a descriptor (``os.write`` may write less).

    Once detached it drops what it gets: a compressor abandoned after an error (even one whose
    constructor failed half-way) flushes when the garbage collector closes it, and that must
    not reach whatever file has reused the descriptor's number by then.
    """

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    def write(self, data: bytes, /) -> int:
        if self._fd is not None:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view) :]
        return len(data)

    def detach(self) -> None:
        """Stop writing to the descriptor, which is about to be closed."""
        self._fd = None

    def flush(self) -> None:
        """Nothing is buffered here; the compressors call this."""

    def close(self) -> None:
        """The descriptor belongs to the caller."""


class _Source(Protocol):
    def read(self, size: int, /) -> bytes: ...

    def close(self) -> None: ...


def _gzip_header(head: bytes) -> tuple[str, int]:
    """The original name and time stored in a gzip header, so the rewrite keeps them.

    A header too short to hold them gives none; reading such a file fails anyway.
    """
    if len(head) < 12:
        return "", 0
    flags, mtime = head[3], struct.unpack_from("<I", head, 4)[0]
    pos = 10
    if flags & 0x04:  # FEXTRA: a length-prefixed field before the name
        pos += 2 + struct.unpack_from("<H", head, pos)[0]
    name = b""
    if flags & 0x08:  # FNAME: zero-terminated, ISO 8859-1
        end = head.find(b"\0", pos)
        name = head[pos:end] if end >= 0 else b""
    return name.decode("latin-1"), int(mtime)


def _read_gzip(raw: BinaryIO) -> _Source:
    return gzip.GzipFile(fileobj=raw, mode="rb")


def _write_gzip(raw: BinaryIO, head: bytes) -> _Sink:
    name, mtime = _gzip_header(head)
    # Level 6 is what gzip(1) and logrotate use by default.
    return gzip.GzipFile(filename=name, mode="wb", compresslevel=6, fileobj=raw, mtime=mtime)


def _read_bzip2(raw: BinaryIO) -> _Source:
    return bz2.BZ2File(raw, "rb")


def _write_bzip2(raw: BinaryIO, head: bytes) -> _Sink:
    return bz2.BZ2File(raw, "wb", compresslevel=9)  # bzip2(1)'s default


def _read_xz(raw: BinaryIO) -> _Source:
    return lzma.LZMAFile(raw, "rb", format=lzma.FORMAT_XZ)


def _write_xz(raw: BinaryIO, head: bytes) -> _Sink:
    return lzma.LZMAFile(raw, "wb", format=lzma.FORMAT_XZ, preset=6)  # xz(1)'s default


@dataclass(frozen=True)
class Codec:
    """A compression format recognised by its magic bytes, read and written back the same way.

    ``writer`` gets the original's first bytes, to carry header fields over.
    """

    name: str
    magic: re.Pattern[bytes]
    reader: Callable[[BinaryIO], _Source]
    writer: Callable[[BinaryIO, bytes], _Sink]


#: Told by content, never by name, with the same magic numbers as reading (ipmask.streams):
#: bzip2's includes the first block's (or the empty stream's) signature, so that a plain line
#: starting with "BZh9" is not taken for one.
_CODECS: tuple[Codec, ...] = (
    Codec("gzip", re.compile(b"\x1f\x8b\x08"), _read_gzip, _write_gzip),
    Codec("bzip2", re.compile(rb"BZh[1-9](?:1AY&SY|\x17rE8P\x90)"), _read_bzip2, _write_bzip2),
    Codec("xz", re.compile(b"\xfd7zXZ\x00"), _read_xz, _write_xz),
)

#: Enough of a file's start to recognise it and to read a gzip header with a long name.
_HEAD_SIZE = 4096


def detect_codec(head: bytes) -> Codec | None:
    """The compression format whose magic bytes start ``head``, or None for plain text."""
    return next((codec for codec in _CODECS if codec.magic.match(head)), None)


def _read_chunks(read: Callable[[int], bytes]) -> Iterator[bytes]:
    while chunk := read(BLOCK_SIZE):
        yield chunk


# Why a non-regular file is refused, by file type.
_KINDS: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _refuse_unless_plain(st: os.stat_result) -> None:
    if not stat.S_ISREG(st.st_mode):
        kind = next((kind for test, kind in _KINDS if test(st.st_mode)), "not a regular file")
        raise RefusedError(f"is {kind}, not a regular file; not rewritten")
    if st.st_nlink != 1:
        raise RefusedError(f"has {st.st_nlink} hard links; not rewritten")


def _open_original(name: str, dir_fd: int) -> int:
    # O_NONBLOCK: opening a FIFO must not wait for a writer before we can refuse it.
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    try:
        fd = os.open(name, flags, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise RefusedError("is a symbolic link; not rewritten") from None
        if exc.errno == errno.ENXIO:  # a socket cannot be opened at all: say what it is
            _refuse_unless_plain(os.stat(name, dir_fd=dir_fd, follow_symlinks=False))
        raise
    try:
        _refuse_unless_plain(os.fstat(fd))
    except BaseException:
        os.close(fd)
        raise
    return fd


def _stem(name: str) -> str:
    if len(os.fsencode(name)) <= _MAX_STEM:
        return name
    return "long-" + format(zlib.crc32(os.fsencode(name)), "08x")


def _temp_pattern(name: str) -> re.Pattern[str]:
    tag = rf"[0-9a-f]{{{2 * _TAG_BYTES}}}"
    return re.compile(re.escape(_TMP_TEMPLATE.format(stem=_stem(name), tag="@")).replace("@", tag))


def _remove_leftovers(name: str, dir_fd: int) -> None:
    """Delete temporary files a killed run left for ``name``; skip those a live run holds."""
    pattern = _temp_pattern(name)
    with os.scandir(dir_fd) as entries:
        names = [entry.name for entry in entries if pattern.fullmatch(entry.name)]
    for leftover in names:
        try:
            flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
            fd = os.open(leftover, flags, dir_fd=dir_fd)
        except OSError:
            continue  # gone meanwhile, or a link: not one of ours
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # another ipmask is writing it right now
            if _same_file(os.fstat(fd), os.stat(leftover, dir_fd=dir_fd, follow_symlinks=False)):
                os.unlink(leftover, dir_fd=dir_fd)
        finally:
            os.close(fd)


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _create_temp(name: str, dir_fd: int) -> tuple[str, int]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    while True:
        temp = _TMP_TEMPLATE.format(stem=_stem(name), tag=secrets.token_hex(_TAG_BYTES))
        try:
            fd = os.open(temp, flags, 0o600, dir_fd=dir_fd)
        except FileExistsError:  # pragma: no cover - 48 random bits colliding
            continue
        # The lock tells a concurrent run's clean-up that this file is alive.
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return temp, fd


def _copy_metadata(src: int, dst: int, before: os.stat_result, after: os.stat_result) -> None:
    """Owner, group, mode, extended attributes (ACLs, SELinux labels) and times of the original."""
    mine = os.fstat(dst)
    # Only when needed: an unprivileged user may rewrite their own file but not chown it.
    if (mine.st_uid, mine.st_gid) != (after.st_uid, after.st_gid):
        os.fchown(dst, after.st_uid, after.st_gid)
    try:
        names = os.listxattr(src)
    except OSError as exc:
        if exc.errno not in (errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        names = []
    for attr in names:
        os.setxattr(dst, attr, os.getxattr(src, attr))
    # Last, so that it is exact whatever an ACL copied above implied for the group bits.
    os.fchmod(dst, stat.S_IMODE(after.st_mode))
    # Our own reading may have touched the access time: keep the one from before it.
    os.utime(dst, ns=(before.st_atime_ns, after.st_mtime_ns))


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
        src = _open_original(self._name, self._dir_fd)
        try:
            return self._from(src)
        finally:
            os.close(src)

    def _from(self, src: int) -> Result:
        before = os.fstat(src)
        codec = detect_codec(os.pread(src, _HEAD_SIZE, 0))
        result = Result(codec.name if codec else "plain", self._filter.name)
        temp, dst = _create_temp(self._name, self._dir_fd)
        renamed = False
        raw = _FdWriter(dst)
        try:
            # The compressors only call write() and flush(), which _FdWriter has.
            sink = (
                codec.writer(cast("BinaryIO", raw), os.pread(src, _HEAD_SIZE, 0)) if codec else raw
            )
            self._mask(src, codec, sink, result)
            sink.close()
            after = os.fstat(src)
            if not result.changed:
                return result
            _copy_metadata(src, dst, before, after)
            os.fsync(dst)
            self._check_unchanged(src, after, temp, dst)
            os.rename(temp, self._name, src_dir_fd=self._dir_fd, dst_dir_fd=self._dir_fd)
            renamed = True
            os.fsync(self._dir_fd)
            return result
        finally:
            raw.detach()
            if not renamed:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temp, dir_fd=self._dir_fd)
            os.close(dst)

    def _mask(self, src: int, codec: Codec | None, sink: _Sink, result: Result) -> None:
        line_filter, progress = self._filter, self._progress
        if codec is None:
            chunks = _read_chunks(lambda size: os.read(src, size))
            decoded: _Source | None = None
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
        except _BAD_DATA as exc:
            raise IpmaskError(f"cannot decompress ({result.codec}): {exc}") from None
        except OSError as exc:
            if codec is None or exc.filename is not None or exc.errno is not None:
                raise
            # bz2 and lzma report corrupt data as a bare OSError without errno.
            raise IpmaskError(f"cannot decompress ({result.codec}): {exc}") from None
        finally:
            if decoded is not None:
                decoded.close()

    def _check_unchanged(self, src: int, after: os.stat_result, temp: str, dst: int) -> None:
        """Refuse to rename unless both names still point at the files we worked on and
        nobody wrote to the original since we read it."""
        dir_fd, now = self._dir_fd, os.fstat(src)
        if not _same_file(now, os.stat(self._name, dir_fd=dir_fd, follow_symlinks=False)):
            raise RefusedError("was replaced while being rewritten; left as it is")
        if now.st_nlink != 1:
            raise RefusedError("got a hard link while being rewritten; left as it is")
        read = os.lseek(src, 0, os.SEEK_CUR)
        if (now.st_size, now.st_mtime_ns) != (
            after.st_size,
            after.st_mtime_ns,
        ) or read != now.st_size:
            raise BusyError(
                "was written to while being rewritten (is a daemon still logging to it?); "
                "left as it is"
            )
        if not _same_file(os.fstat(dst), os.stat(temp, dir_fd=dir_fd, follow_symlinks=False)):
            raise RefusedError("lost its temporary file while being rewritten; left as it is")


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
    directory, name = os.path.split(path)
    if not name:
        raise RefusedError("is a directory, not a regular file; not rewritten")
    dir_fd = os.open(directory or ".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        _remove_leftovers(name, dir_fd)
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
