"""Where masked lines go: standard output, or an ``-o`` file that logrotate can rotate.

An output file is opened for appending and created with mode 0640 exactly. It is reopened when
asked (SIGHUP, SIGUSR1) and, without being asked, as soon as its path no longer names the file
that is open (renamed or deleted by logrotate): before each write the path's device and inode
are compared with the open file's. That costs one ``stat`` per write, which is small beside the
write itself (see docs/cli.md for the measurement), and means no line is written to a rotated
file after the rotation, so logrotate needs neither ``copytruncate`` nor a signal.
"""

from __future__ import annotations

import errno
import os
import select
from collections.abc import Callable

from ipmask.errors import DownstreamClosedError, OutputError

__all__ = ["FILE_MODE", "Output"]

#: Mode of an output file ipmask creates, whatever the umask (owner rw, group r).
FILE_MODE = 0o640

_APPEND = os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC


def _identity(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


def _open_append(path: str) -> int:
    """Open ``path`` for appending, creating it with mode 0640 if it does not exist."""
    try:
        fd = os.open(path, _APPEND | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return os.open(path, _APPEND)
    # The umask may have taken bits away; the mode is part of the promise.
    os.fchmod(fd, FILE_MODE)
    return fd


def _names(path: str, identity: tuple[int, int] | None) -> bool:
    """Whether ``path`` names the file with ``identity`` (device, inode) right now."""
    try:
        return _identity(os.stat(path)) == identity
    except OSError:
        return False


class Output:
    """Writes whole blocks to a descriptor; for a file, follows its path across rotations.

    ``path`` None means standard output. ``warn`` receives a one-line message when a reopen
    fails (writing then goes on into the file still open); ``note`` receives one when the file
    was reopened (for ``--verbose``).
    """

    def __init__(
        self,
        path: str | None,
        *,
        warn: Callable[[str], None] = lambda message: None,
        note: Callable[[str], None] = lambda message: None,
    ) -> None:
        self.path = path
        self.name = path if path is not None else "standard output"
        self._warn = warn
        self._note = note
        self._failing = False
        self.reopens = 0
        if path is None:
            self._fd = 1
            self._identity: tuple[int, int] | None = None
            return
        try:
            self._fd = _open_append(path)
        except OSError as exc:
            raise OutputError(f"cannot open {path}: {exc.strerror or exc}") from exc
        self._identity = _identity(os.fstat(self._fd))

    def write(self, data: bytes | memoryview) -> None:
        """Write all of ``data`` (after following a rotation of the output file)."""
        path = self.path
        if path is not None and not _names(path, self._identity):
            self.reopen("its path no longer names it")
        written = self._write_some(data)
        if written < len(data):
            # A pipe took part of it (a full pipe, or one left non-blocking by our parent):
            # wait until it takes more.
            view = memoryview(data)[written:]
            while view:
                select.select([], [self._fd], [])
                view = view[self._write_some(view) :]

    def _write_some(self, data: bytes | memoryview) -> int:
        """One write; 0 when a non-blocking descriptor takes nothing now."""
        try:
            return os.write(self._fd, data)
        except BlockingIOError:
            return 0
        except OSError as exc:
            raise self._error(exc) from exc

    def _error(self, exc: OSError) -> Exception:
        if exc.errno == errno.EPIPE:
            return DownstreamClosedError()
        return OutputError(f"cannot write to {self.name}: {exc.strerror or exc}")

    def reopen(self, reason: str = "asked to") -> None:
        """Open the path afresh and switch to it; on failure keep writing to the open file."""
        if self.path is None:
            return
        try:
            fd = _open_append(self.path)
        except OSError as exc:
            if not self._failing:
                self._warn(
                    f"cannot reopen {self.path}: {exc.strerror or exc}; "
                    "writing on into the file still open"
                )
            self._failing = True
            return
        self._failing = False
        os.close(self._fd)
        self._fd = fd
        self._identity = _identity(os.fstat(fd))
        self.reopens += 1
        self._note(f"reopened {self.path} ({reason})")

    def close(self) -> None:
        """Close an output file (standard output is left to the interpreter)."""
        if self.path is not None:
            os.close(self._fd)
