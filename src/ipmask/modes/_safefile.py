"""Replacing a file by a new version safely, as root, in a directory others may write to.

Every step is built to fail safe:

- everything happens relative to one open directory descriptor, so a parent directory swapped
  for a symbolic link half-way through cannot redirect a step;
- the original is opened without following links and must be a regular file with one link:
  rewriting a hard link would replace only one of its names, and a link or a device could point
  anywhere;
- the new content goes to a temporary file created exclusively next to the original, is synced,
  gets the original's owner, group, mode, extended attributes and times, and only then is renamed
  over the original; after a crash or ``kill -9`` at any moment the path holds either the old
  file or the complete new one;
- the rename happens only if both names still lead to the files worked on and nobody wrote to
  the original meanwhile (:class:`BusyError`: a daemon still finishing its lines);
- the temporary files carry a name of our own (``.NAME.ipmask-HEX.tmp``), so a later run can
  remove what a killed run left behind without touching anything else.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import stat
import zlib
from collections.abc import Callable
from types import TracebackType

from ipmask.errors import BusyError, RefusedError

__all__ = [
    "FdWriter",
    "Replacement",
    "open_directory",
    "remove_leftovers",
]

#: Our temporary files: ``.`` + the target's name + a random tag. Names too long to extend are
#: replaced by a digest-like stand-in so the pattern still fits in NAME_MAX.
_TMP_TEMPLATE = ".{stem}.ipmask-{tag}.tmp"
_TAG_BYTES = 6
_MAX_STEM = 200


class FdWriter:
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


def open_directory(path: str) -> tuple[int, str]:
    """Open the directory holding ``path``; return its descriptor and the name inside it.

    A path ending in a slash names a directory, which is refused.
    """
    directory, name = os.path.split(path)
    if not name:
        raise RefusedError("is a directory, not a regular file; not rewritten")
    return os.open(directory or ".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC), name


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


def remove_leftovers(name: str, dir_fd: int) -> None:
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
        temp = _TMP_TEMPLATE.format(stem=_stem(name), tag=os.urandom(_TAG_BYTES).hex())
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


class Replacement:
    """One file about to be replaced: the original open for reading, a temporary file open
    for the new content.

    Used as a context manager. Read from ``src`` (its offset must end at the file's end, which
    :meth:`commit` checks to notice growth), write through ``writer``, then :meth:`commit`;
    leaving the block without a commit removes the temporary file and leaves the original as it
    was. Raises RefusedError for a path that is not a plain, singly linked file.
    """

    def __init__(self, name: str, dir_fd: int) -> None:
        self._name, self._dir_fd = name, dir_fd
        self.src = _open_original(name, dir_fd)
        try:
            self.before = os.fstat(self.src)
            self._temp, self._dst = _create_temp(name, dir_fd)
        except BaseException:
            os.close(self.src)
            raise
        self.writer = FdWriter(self._dst)
        self._renamed = False

    def __enter__(self) -> Replacement:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def commit(self) -> None:
        """Give the new file the original's metadata, sync it and rename it over the original.

        Raises BusyError if the original changed since it was read, RefusedError if either name
        no longer leads to the file worked on; OSError as the system reports it.
        """
        src, dst = self.src, self._dst
        after = os.fstat(src)
        _copy_metadata(src, dst, self.before, after)
        os.fsync(dst)
        self._check_unchanged(after)
        dir_fd = self._dir_fd
        os.rename(self._temp, self._name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        self._renamed = True
        os.fsync(dir_fd)

    def close(self) -> None:
        """Remove the temporary file unless it was renamed into place; close both files."""
        self.writer.detach()
        try:
            if not self._renamed:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self._temp, dir_fd=self._dir_fd)
        finally:
            os.close(self._dst)
            os.close(self.src)

    def _check_unchanged(self, after: os.stat_result) -> None:
        """Refuse to rename unless both names still point at the files we worked on and
        nobody wrote to the original since we read it."""
        dir_fd, src, now = self._dir_fd, self.src, os.fstat(self.src)
        if not _same_file(now, os.stat(self._name, dir_fd=dir_fd, follow_symlinks=False)):
            raise RefusedError("was replaced while being rewritten; left as it is")
        if now.st_nlink != 1:
            raise RefusedError("got a hard link while being rewritten; left as it is")
        read = os.lseek(src, 0, os.SEEK_CUR)
        if (now.st_size, now.st_mtime_ns) != (after.st_size, after.st_mtime_ns) or (
            read != now.st_size
        ):
            raise BusyError(
                "was written to while being rewritten (is a daemon still logging to it?); "
                "left as it is"
            )
        temp = os.stat(self._temp, dir_fd=dir_fd, follow_symlinks=False)
        if not _same_file(os.fstat(self._dst), temp):
            raise RefusedError("lost its temporary file while being rewritten; left as it is")
