"""ipmask.modes._safefile: replacing a file safely (no links followed, exclusive temporary files,
metadata kept, checks before the rename, leftovers of killed runs removed)."""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import socket
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import on_first_fsync
from ipmask import BusyError, RefusedError

# The module under test: its pieces are the inside of --in-place, with no public name.
from ipmask.modes._safefile import FdWriter, Replacement, open_directory, remove_leftovers

OLD = b"old content 192.0.2.1\n"
NEW = b"new content 192.0.2.XXX\n"
TEMP = re.compile(r"\.(.+)\.ipmask-[0-9a-f]{12}\.tmp")


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[int]:
    """A descriptor of tmp_path, as the in-place rewrite holds its directory."""
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    yield fd
    os.close(fd)


def write(path: Path, data: bytes = OLD, mode: int = 0o640) -> Path:
    """Create ``path`` with ``data``, a known mode and old times."""
    path.write_bytes(data)
    path.chmod(mode)
    os.utime(path, ns=(1_600_000_000_123_456_789, 1_500_000_000_987_654_321))
    return path


def temps(directory: Path) -> list[str]:
    """ipmask's temporary files in ``directory``."""
    return sorted(p.name for p in directory.iterdir() if ".ipmask-" in p.name)


def read_all(fd: int) -> bytes:
    """Everything left to read from ``fd`` (so the offset ends at the file's end)."""
    parts = []
    while part := os.read(fd, 1 << 16):
        parts.append(part)
    return b"".join(parts)


def replace(name: str, dir_fd: int, data: bytes = NEW) -> None:
    """Replace ``name`` by ``data`` the way the in-place rewrite does."""
    with Replacement(name, dir_fd) as target:
        read_all(target.src)
        target.writer.write(data)
        target.commit()


def _failing(code: int) -> Callable[..., object]:
    def fail(*args: object, **kwargs: object) -> object:
        raise OSError(code, os.strerror(code))

    return fail


# -- the directory -------------------------------------------------------------------------------


def test_open_directory_splits_the_path(tmp_path):
    """The parent is opened as a directory; the last component is the name inside it."""
    fd, name = open_directory(str(tmp_path / "access.log.1"))
    try:
        assert name == "access.log.1"
        assert os.path.samestat(os.fstat(fd), tmp_path.stat())
    finally:
        os.close(fd)


def test_open_directory_of_a_bare_name(tmp_path, monkeypatch):
    """A bare name lives in the current directory."""
    monkeypatch.chdir(tmp_path)
    fd, name = open_directory("access.log.1")
    try:
        assert (name, os.path.samestat(os.fstat(fd), tmp_path.stat())) == ("access.log.1", True)
    finally:
        os.close(fd)


def test_trailing_slash_is_a_directory(tmp_path):
    """A path ending in a slash names a directory, which is refused."""
    with pytest.raises(RefusedError, match=r"^is a directory, not a regular file; not rewritten$"):
        open_directory(str(tmp_path) + "/")


# -- what is refused -----------------------------------------------------------------------------


def _symlink(path: Path) -> None:
    path.symlink_to(write(path.with_name("target")))


def _hard_link(path: Path) -> None:
    os.link(write(path), path.with_name("second-name"))


def _device(path: Path) -> None:
    if os.geteuid() != 0:  # pragma: no cover - only root may make device nodes
        pytest.skip("needs root to make a device node")
    os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))


def _socket(path: Path) -> None:
    # Bound by its bare name: a Unix socket's path is limited to about 100 bytes.
    server = socket.socket(socket.AF_UNIX)
    cwd = Path.cwd()
    os.chdir(path.parent)
    try:
        server.bind(path.name)
    finally:
        os.chdir(cwd)
        server.close()


MAKERS: dict[str, tuple[Callable[[Path], None], str]] = {
    "symbolic link": (_symlink, "is a symbolic link; not rewritten"),
    "hard link": (_hard_link, "has 2 hard links; not rewritten"),
    "FIFO": (os.mkfifo, "is a FIFO, not a regular file; not rewritten"),
    "directory": (Path.mkdir, "is a directory, not a regular file; not rewritten"),
    "device": (_device, "is a character device, not a regular file; not rewritten"),
    "socket": (_socket, "is a socket, not a regular file; not rewritten"),
}


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_refuses_all_but_a_plain_file(tmp_path, folder, kind):
    """Links, hard-linked files and non-regular files are refused, saying what they are,
    before any temporary file is made."""
    make, message = MAKERS[kind]
    make(tmp_path / "access.log.1")
    with pytest.raises(RefusedError) as refused:
        Replacement("access.log.1", folder)
    assert str(refused.value) == message
    assert temps(tmp_path) == []


def test_missing_file_is_a_system_error(folder):
    """A name that does not exist raises the system's error, not a refusal."""
    with pytest.raises(FileNotFoundError):
        Replacement("gone.log", folder)


def _open_descriptors() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


def test_failed_set_up_closes_the_original(tmp_path, folder, monkeypatch):
    """When no temporary file can be made, the original's descriptor is not leaked."""
    write(tmp_path / "access.log.1")
    real = os.open

    def no_room(path: str, flags: int, *args: object, **kwargs: object) -> int:
        if flags & os.O_CREAT:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    before = _open_descriptors()
    monkeypatch.setattr(os, "open", no_room)
    with pytest.raises(OSError, match="No space left"):
        Replacement("access.log.1", folder)
    monkeypatch.undo()
    assert _open_descriptors() == before


# -- the temporary file ------------------------------------------------------------------------


def test_temporary_file_is_private_and_locked(tmp_path, folder):
    """The new content goes to a dot file of our pattern, readable by nobody else and locked
    so that a concurrent run's clean-up leaves it alone."""
    write(tmp_path / "access.log.1")
    with Replacement("access.log.1", folder):
        (name,) = temps(tmp_path)
        assert TEMP.fullmatch(name)
        assert TEMP.fullmatch(name).group(1) == "access.log.1"
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
        with (tmp_path / name).open("rb") as other, pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_original_untouched_until_commit(tmp_path, folder):
    """Until the commit the path holds the original, same inode, same bytes."""
    log = write(tmp_path / "access.log.1")
    inode = log.stat().st_ino
    with Replacement("access.log.1", folder) as target:
        target.writer.write(NEW)
        assert (log.read_bytes(), log.stat().st_ino) == (OLD, inode)


def test_leaving_without_commit_removes_the_temporary_file(tmp_path, folder):
    """Leaving the block without a commit keeps the original and removes the new file."""
    log = write(tmp_path / "access.log.1")

    def interrupted() -> None:
        with Replacement("access.log.1", folder) as target:
            target.writer.write(NEW)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert log.read_bytes() == OLD
    assert temps(tmp_path) == []


def test_very_long_name(tmp_path, folder):
    """A name too long to extend gets a short stand-in in its temporary file's name."""
    name = "x" * 240 + ".log"
    write(tmp_path / name)
    with Replacement(name, folder):
        (temp,) = temps(tmp_path)
        assert len(temp) < 255
        assert TEMP.fullmatch(temp).group(1).startswith("long-")
    replace(name, folder)
    assert (tmp_path / name).read_bytes() == NEW


# -- the commit --------------------------------------------------------------------------------


def test_commit_puts_the_new_file_in_place(tmp_path, folder):
    """After the commit the path holds the new content, as a new inode; no temporary file."""
    log = write(tmp_path / "access.log.1")
    inode = log.stat().st_ino
    replace("access.log.1", folder)
    assert log.read_bytes() == NEW
    assert log.stat().st_ino != inode
    assert temps(tmp_path) == []


def test_commit_keeps_mode_owner_group_and_times(tmp_path, folder):
    """Mode, owner, group, access and modification times are the original's."""
    log = write(tmp_path / "mail.log.1", mode=0o604)
    owner = (1234, 5678) if os.geteuid() == 0 else (os.getuid(), os.getgid())
    os.chown(log, *owner)
    replace("mail.log.1", folder)
    info = log.stat()
    assert stat.S_IMODE(info.st_mode) == 0o604
    assert (info.st_uid, info.st_gid) == owner
    assert info.st_atime_ns == 1_600_000_000_123_456_789
    assert info.st_mtime_ns == 1_500_000_000_987_654_321


def test_commit_keeps_extended_attributes(tmp_path, folder):
    """Extended attributes (where ACLs and security labels live) are copied."""
    log = write(tmp_path / "app.log.1")
    os.setxattr(log, "user.ipmask-test", b"kept")
    replace("app.log.1", folder)
    assert os.getxattr(log, "user.ipmask-test") == b"kept"


def test_filesystem_without_extended_attributes(tmp_path, folder, monkeypatch):
    """Where the file system has no extended attributes, there is nothing to copy."""
    log = write(tmp_path / "app.log.1")
    monkeypatch.setattr(os, "listxattr", _failing(errno.ENOTSUP))
    replace("app.log.1", folder)
    assert log.read_bytes() == NEW


def test_extended_attributes_unreadable(tmp_path, folder, monkeypatch):
    """Attributes that exist but cannot be read fail the commit: nothing is half copied."""
    log = write(tmp_path / "app.log.1")
    monkeypatch.setattr(os, "listxattr", _failing(errno.EIO))
    with pytest.raises(OSError, match="Input/output error"):
        replace("app.log.1", folder)
    monkeypatch.undo()
    assert log.read_bytes() == OLD
    assert temps(tmp_path) == []


def test_file_and_directory_are_synced(tmp_path, folder, monkeypatch):
    """The new file is synced before the rename, and the directory after it."""
    log = write(tmp_path / "access.log.1")
    real, synced = os.fsync, []

    def record(fd: int) -> None:
        synced.append((stat.S_IFMT(os.fstat(fd).st_mode), log.read_bytes() == NEW))
        real(fd)

    monkeypatch.setattr(os, "fsync", record)
    replace("access.log.1", folder)
    assert synced == [(stat.S_IFREG, False), (stat.S_IFDIR, True)]


def test_path_swapped_before_the_rename(tmp_path, folder, monkeypatch):
    """If the path is replaced meanwhile, the file there now is kept."""
    log = write(tmp_path / "access.log.1")
    other = write(tmp_path / "other", b"someone else's file\n")
    monkeypatch.setattr(os, "fsync", on_first_fsync(lambda: os.replace(other, log)))
    with pytest.raises(RefusedError, match=r"^was replaced while being rewritten; left as it is$"):
        replace("access.log.1", folder)
    assert log.read_bytes() == b"someone else's file\n"
    assert temps(tmp_path) == []


def test_path_swapped_for_a_symlink_before_the_rename(tmp_path, folder, monkeypatch):
    """A symbolic link put in the file's place meanwhile is neither replaced nor followed."""
    log = write(tmp_path / "access.log.1")
    victim = write(tmp_path / "victim", b"precious\n")

    def swap() -> None:
        log.unlink()
        log.symlink_to(victim)

    monkeypatch.setattr(os, "fsync", on_first_fsync(swap))
    with pytest.raises(RefusedError, match="was replaced"):
        replace("access.log.1", folder)
    assert log.is_symlink()
    assert victim.read_bytes() == b"precious\n"


def test_hard_link_made_before_the_rename(tmp_path, folder, monkeypatch):
    """A hard link made meanwhile is noticed; the file is left as it is."""
    log = write(tmp_path / "access.log.1")
    monkeypatch.setattr(os, "fsync", on_first_fsync(lambda: os.link(log, tmp_path / "extra")))
    with pytest.raises(RefusedError, match=r"^got a hard link while being rewritten"):
        replace("access.log.1", folder)
    assert log.read_bytes() == OLD


def test_temporary_file_swapped_before_the_rename(tmp_path, folder, monkeypatch):
    """If our temporary name is taken over meanwhile, it is not renamed over the original."""
    log = write(tmp_path / "access.log.1")

    def swap() -> None:
        (name,) = temps(tmp_path)
        (tmp_path / name).unlink()
        (tmp_path / name).symlink_to("/etc/passwd")

    monkeypatch.setattr(os, "fsync", on_first_fsync(swap))
    with pytest.raises(RefusedError, match=r"^lost its temporary file while being rewritten"):
        replace("access.log.1", folder)
    assert log.read_bytes() == OLD
    assert not log.is_symlink()
    assert temps(tmp_path) == []


def test_written_to_during_the_commit(tmp_path, folder, monkeypatch):
    """Lines appended after the original was read make the commit fail as busy."""
    log = write(tmp_path / "access.log.1")

    def late_line() -> None:
        with log.open("ab") as out:
            out.write(b"late line\n")

    monkeypatch.setattr(os, "fsync", on_first_fsync(late_line))
    with pytest.raises(BusyError, match=r"^was written to while being rewritten"):
        replace("access.log.1", folder)
    assert log.read_bytes() == OLD + b"late line\n"
    assert temps(tmp_path) == []


def test_not_read_to_the_end(tmp_path, folder):
    """A commit before the original was read to its end (it grew meanwhile) fails as busy."""
    log = write(tmp_path / "access.log.1")
    with Replacement("access.log.1", folder) as target:
        os.read(target.src, 5)
        with pytest.raises(BusyError):
            target.commit()
    assert log.read_bytes() == OLD


# -- leftovers of killed runs --------------------------------------------------------------------


def test_removes_leftovers(tmp_path, folder):
    """Temporary files of ours for this file are removed; anything else stays."""
    ours = [".access.log.1.ipmask-0123456789ab.tmp", ".access.log.1.ipmask-ba9876543210.tmp"]
    others = [
        "access.log.1",
        ".access.log.2.ipmask-0123456789ab.tmp",  # another file's: its own run cleans it
        ".access.log.1.ipmask-XYZ.tmp",  # not our pattern
        "access.log.1.ipmask-0123456789ab.tmp",
    ]
    for name in ours + others:
        (tmp_path / name).write_bytes(b"partial")
    remove_leftovers("access.log.1", folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(others)


def test_leftover_in_use_is_kept(tmp_path, folder):
    """A temporary file another run holds locked is not removed."""
    busy = tmp_path / ".access.log.1.ipmask-0123456789ab.tmp"
    busy.write_bytes(b"being written")
    with busy.open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        remove_leftovers("access.log.1", folder)
    assert busy.exists()


def test_leftover_named_link_is_not_followed(tmp_path, folder):
    """A symbolic link named like a leftover is neither followed nor removed."""
    victim = write(tmp_path / "victim", b"precious\n")
    trap = tmp_path / ".access.log.1.ipmask-0123456789ab.tmp"
    trap.symlink_to(victim)
    remove_leftovers("access.log.1", folder)
    assert trap.is_symlink()
    assert victim.read_bytes() == b"precious\n"


def test_leftover_named_directory_is_kept(tmp_path, folder):
    """A directory named like a leftover is not ours and stays."""
    odd = tmp_path / ".access.log.1.ipmask-0123456789ab.tmp"
    odd.mkdir()
    remove_leftovers("access.log.1", folder)
    assert odd.is_dir()


def test_leftover_replaced_while_being_removed(tmp_path, folder, monkeypatch):
    """A leftover whose name is given to another file meanwhile is not removed."""
    leftover = tmp_path / ".access.log.1.ipmask-0123456789ab.tmp"
    leftover.write_bytes(b"partial")
    newcomer = write(tmp_path / "newcomer", b"not ours\n")
    real = fcntl.flock

    def swap_then_lock(fd: int, operation: int) -> None:
        if newcomer.exists():
            os.replace(newcomer, leftover)
        real(fd, operation)

    monkeypatch.setattr(fcntl, "flock", swap_then_lock)
    remove_leftovers("access.log.1", folder)
    monkeypatch.undo()
    assert leftover.read_bytes() == b"not ours\n"


# Names as logrotate makes them, up to NAME_MAX bytes, some beyond the length kept as is.
NAMES = st.text(st.sampled_from("abcxyz019._-+~é"), min_size=1, max_size=127).filter(
    lambda name: name not in (".", "..") and len(os.fsencode(name)) <= 255
)


@settings(max_examples=40)
@given(name=NAMES, other=NAMES)
def test_a_killed_runs_file_is_recognised_as_its_own(name, other):
    """Whatever the file's name, the temporary file made for it fits in a directory and is
    removed as a leftover of that file, and of no other file."""
    directory = Path(tempfile.mkdtemp())
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        write(directory / name)
        with Replacement(name, fd):
            (temp,) = temps(directory)
        (directory / temp).write_bytes(b"left by a killed run")
        if other != name:
            remove_leftovers(other, fd)
            assert temps(directory) == [temp]
        remove_leftovers(name, fd)
        assert temps(directory) == []
    finally:
        os.close(fd)
        shutil.rmtree(directory)


# -- writing to the descriptor -------------------------------------------------------------------


def test_writer_finishes_short_writes(tmp_path, monkeypatch):
    """Everything is written even when each os.write takes only a few bytes."""
    real = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real(fd, bytes(data[:3])))
    with (tmp_path / "out").open("wb") as out:
        assert FdWriter(out.fileno()).write(NEW) == len(NEW)
    assert (tmp_path / "out").read_bytes() == NEW


def test_detached_writer_writes_nowhere(tmp_path):
    """Once detached, what the writer gets goes nowhere (its descriptor may be reused)."""
    with (tmp_path / "out").open("wb") as out:
        writer = FdWriter(out.fileno())
        writer.detach()
        assert writer.write(NEW) == len(NEW)
        writer.flush()
        writer.close()
    assert (tmp_path / "out").read_bytes() == b""
