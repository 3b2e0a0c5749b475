"""--in-place: the atomic rewrite of rotated logs, its refusals and its failure paths."""

from __future__ import annotations

import bz2
import contextlib
import dataclasses
import errno
import gc
import gzip
import io
import lzma
import os
import random
import re
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import on_first_fsync
from ipmask import Counts, LineFilter, Masker, Settings, get_filter
from ipmask.modes import Request, Result, in_place, rewrite_file
from ipmask.streaming import LINE_CAP, Engine, detect_codec

MASK = Masker().mask_bytes
SAMPLE = (
    b"78.46.198.140 - - [01/Jan/2024] GET / 200\n"
    b"client [2a01:4f8:1c17:413b::1]:443 and ::ffff:10.1.2.3\r\n"
    b"bad utf-8 \xff\xfe 192.0.2.77 nul \x00 end\n"
    b"Chrome/120.0.0.0 stays, v2.3.19.1 stays\n"
    b"last line 203.0.113.9 without newline"
)
MASKED = MASK(SAMPLE)
# Compressors as the real tools write them, by the name ipmask reports.
COMPRESS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "bzip2": bz2.compress,
    "xz": lzma.compress,
}
DECOMPRESS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.decompress,
    "bzip2": bz2.decompress,
    "xz": lzma.decompress,
}
TOOLS = {"gzip": "gzip", "bzip2": "bzip2", "xz": "xz"}
NOBODY = 65534


def engine() -> Engine:
    """A fresh counting block loop with the default settings (the `any` rules)."""
    return Request().engine(count=True)


def in_pieces(chunks: Iterable[bytes], size: int) -> Iterator[bytes]:
    """``chunks`` cut again into pieces of at most ``size`` bytes."""
    for chunk in chunks:
        for start in range(0, len(chunk), size):
            yield chunk[start : start + size]


@dataclass(frozen=True)
class SmallBlocks(Request):
    """A Request whose block loop gets the file ``size`` bytes at a time, not in large blocks."""

    size: int = 1

    def engine(self, *, count: bool | None = None, report: bool = True) -> Engine:
        size = self.size

        class InPieces(Engine):
            def run(self, chunks: Iterable[bytes]) -> Iterator[tuple[bytes, bytes]]:
                return super().run(in_pieces(chunks, size))

        return InPieces(self.make_filter, count=self.stats if count is None else count)


def temps(directory: Path) -> list[str]:
    """ipmask's temporary files in ``directory``."""
    return sorted(p.name for p in directory.iterdir() if ".ipmask-" in p.name)


def write(path: Path, data: bytes, mode: int = 0o640) -> Path:
    """Create ``path`` with ``data`` and a known mode and old times."""
    path.write_bytes(data)
    path.chmod(mode)
    os.utime(path, ns=(1_600_000_000_123_456_789, 1_500_000_000_987_654_321))
    return path


def run(*paths: Path, stats: bool = False, request: Request | None = None) -> tuple[int, str]:
    """--in-place over ``paths`` (with ``request``'s settings and block loop); return (exit
    code, standard error)."""
    err = io.StringIO()
    files = tuple(str(p) for p in paths)
    base = Request() if request is None else request
    code = in_place(dataclasses.replace(base, files=files, stats=stats, err=err))
    return code, err.getvalue()


@contextlib.contextmanager
def unprivileged() -> Iterator[None]:
    """Act as nobody (effective ids only) when running as root, so permissions apply."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(NOBODY)
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


# -- what a rewrite produces ---------------------------------------------------------------


def test_masks_a_plain_file(tmp_path):
    """A plain file is rewritten with every address masked and all other bytes kept."""
    log = write(tmp_path / "access.log.1", SAMPLE)
    assert run(log) == (0, "")
    assert log.read_bytes() == MASKED


def test_replaces_the_file_by_a_new_one(tmp_path):
    """The masked content is a new inode renamed over the path; no temporary file remains."""
    log = write(tmp_path / "access.log.1", SAMPLE)
    before = log.stat().st_ino
    run(log)
    assert log.stat().st_ino != before
    assert temps(tmp_path) == []


def test_second_run_changes_nothing(tmp_path):
    """Running again leaves the file alone: same bytes, same inode, same times."""
    log = write(tmp_path / "access.log.1", SAMPLE)
    run(log)
    before = log.stat()
    code, err = run(log, stats=True)
    after = log.stat()
    assert code == 0
    assert "left unchanged" in err
    assert log.read_bytes() == MASKED
    assert (after.st_ino, after.st_mtime_ns, after.st_ctime_ns) == (
        before.st_ino,
        before.st_mtime_ns,
        before.st_ctime_ns,
    )


def test_empty_file_is_left_alone(tmp_path):
    """An empty file has nothing to mask and keeps its inode."""
    log = write(tmp_path / "empty.log.1", b"")
    before = log.stat().st_ino
    assert run(log) == (0, "")
    assert log.stat().st_ino == before


@pytest.mark.parametrize("block", [1, 7, 64, 4096])
def test_lines_across_block_boundaries(tmp_path, block):
    """Reading in small blocks gives the same result as masking the whole file at once."""
    log = write(tmp_path / "access.log.1", SAMPLE * 3)
    assert run(log, request=SmallBlocks(size=block)) == (0, "")
    assert log.read_bytes() == MASK(SAMPLE * 3)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(
        st.sampled_from(
            [b"10.0.0.1 x", b"2001:db8::7 y", b"", b"z 203.0.113.5:80", b"\r", b"plain"]
        ),
        max_size=30,
    ),
    newline_at_end=st.booleans(),
    block=st.integers(1, 50),
)
def test_any_text_any_block_size(tmp_path, lines, newline_at_end, block):
    """Whatever the lines and the block size, the file comes out as its masked content."""
    data = b"\n".join(lines) + (b"\n" if newline_at_end and lines else b"")
    log = write(tmp_path / "random.log.1", data)
    run(log, request=SmallBlocks(size=block))
    assert log.read_bytes() == MASK(data)


def test_relative_path_in_the_current_directory(tmp_path, monkeypatch):
    """A bare file name is rewritten in the current directory."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "access.log.1", SAMPLE)
    assert run(Path("access.log.1")) == (0, "")
    assert (tmp_path / "access.log.1").read_bytes() == MASKED


def test_stats_per_file(tmp_path):
    """--stats reports each file's lines and the addresses masked, on standard error."""
    one = write(tmp_path / "one.log", SAMPLE)
    two = write(tmp_path / "two.log", b"nothing here\n")
    code, err = run(one, two, stats=True)
    assert code == 0
    first, second = err.splitlines()
    assert first.startswith(f"ipmask: {one}: 5 lines (plain), 4 IPv4 and 1 IPv6 addresses masked")
    assert first.endswith("; rewritten")
    assert second.startswith(f"ipmask: {two}: 1 line (plain), 0 IPv4 and 0 IPv6")
    assert second.endswith("left unchanged")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal(tmp_path):
    """On a terminal a bar is drawn while a file is read, then erased."""
    log = write(tmp_path / "access.log.1", SAMPLE)
    err = _Terminal()
    assert in_place(Request(files=(str(log),), err=err)) == 0
    shown = err.getvalue()
    assert f"\r{log} [" in shown
    assert "100%" in shown
    assert shown.endswith("\r")


def test_progress_bar_redraws_at_most_ten_times_a_second(tmp_path):
    """Many small blocks do not flood the terminal: the bar is redrawn every 0.1 s at most."""
    log = write(tmp_path / "access.log.1", SAMPLE * 20)
    err = _Terminal()
    assert in_place(SmallBlocks(files=(str(log),), err=err, size=1)) == 0
    assert 1 <= err.getvalue().count("[") < 5


def test_progress_bar_is_erased_before_an_error(tmp_path):
    """An error after the bar was drawn is written on a clean line: the bar is wiped first."""
    data = gzip.compress(SAMPLE * 2000)
    log = write(tmp_path / "access.log.2.gz", data[: len(data) // 2])
    err = _Terminal()
    assert in_place(Request(files=(str(log),), err=err)) == 1
    *_, drawn, wipe, message = err.getvalue().split("\r")
    assert drawn.startswith(f"{log} [")
    assert wipe == " " * len(wipe)
    assert len(wipe) >= len(drawn)
    assert message.startswith(f"ipmask: {log}: cannot decompress (gzip)")


def test_no_bar_to_erase_before_an_early_error(tmp_path):
    """A file that fails before anything is read draws no bar and wipes none: only the error."""
    err = _Terminal()
    missing = tmp_path / "gone.log"
    assert in_place(Request(files=(str(missing),), err=err)) == 1
    assert err.getvalue() == f"ipmask: {missing}: No such file or directory\n"


def test_no_progress_bar_elsewhere(tmp_path):
    """Without a terminal nothing at all is written for a successful file."""
    log = write(tmp_path / "access.log.1", SAMPLE)
    assert run(log) == (0, "")


# -- compressed files ------------------------------------------------------------------------


@pytest.mark.parametrize("codec", sorted(COMPRESS))
def test_compressed_file_is_masked_and_recompressed(tmp_path, codec):
    """A compressed file comes back compressed the same way, with its content masked."""
    log = write(tmp_path / "access.log.2.z", COMPRESS[codec](SAMPLE))
    code, err = run(log, stats=True)
    assert code == 0
    assert f"({codec})" in err
    data = log.read_bytes()
    assert detect_codec(data) is not None
    assert detect_codec(data).name == codec
    assert DECOMPRESS[codec](data) == MASKED


@pytest.mark.real
@pytest.mark.parametrize("codec", sorted(COMPRESS))
def test_real_tools_read_the_rewrite(tmp_path, codec, require_program):
    """gzip, bzip2 and xz themselves test and decompress what ipmask wrote."""
    tool = require_program(TOOLS[codec])
    log = write(tmp_path / "access.log.2.z", COMPRESS[codec](SAMPLE))
    run(log)
    subprocess.run([tool, "-t", str(log)], check=True, timeout=30)
    out = subprocess.run([tool, "-dc", str(log)], check=True, capture_output=True, timeout=30)
    assert out.stdout == MASKED


@pytest.mark.real
def test_file_compressed_by_gzip_itself(tmp_path, require_program):
    """A file gzip(1) compressed is rewritten and keeps its stored name and time."""
    tool = require_program("gzip")
    plain = write(tmp_path / "access.log.2", SAMPLE)
    subprocess.run([tool, "-N", str(plain)], check=True, timeout=30)
    log = tmp_path / "access.log.2.gz"
    stored = log.read_bytes()[4:8]
    run(log)
    listing = subprocess.run(
        [tool, "-lN", str(log)], check=True, capture_output=True, text=True, timeout=30
    )
    assert listing.stdout.split()[-1].endswith("access.log.2")
    assert log.read_bytes()[4:8] == stored
    assert gzip.decompress(log.read_bytes()) == MASKED


def test_gzip_header_name_and_time_are_kept(tmp_path):
    """The gzip header's original name and time survive the rewrite."""
    raw = io.BytesIO()
    with gzip.GzipFile(filename="access.log.2", mode="wb", fileobj=raw, mtime=1_234_567) as out:
        out.write(SAMPLE)
    log = write(tmp_path / "access.log.2.gz", raw.getvalue())
    run(log)
    data = log.read_bytes()
    assert data[3] & 0x08
    assert int.from_bytes(data[4:8], "little") == 1_234_567
    assert data[10 : data.index(b"\0", 10)] == b"access.log.2"


@pytest.mark.parametrize("codec", sorted(COMPRESS))
def test_compressed_second_run_changes_nothing(tmp_path, codec):
    """An already masked compressed file is not recompressed: same bytes, same inode."""
    log = write(tmp_path / "access.log.2.z", COMPRESS[codec](MASKED))
    before = log.read_bytes(), log.stat().st_ino
    assert run(log) == (0, "")
    assert (log.read_bytes(), log.stat().st_ino) == before


@pytest.mark.parametrize("codec", sorted(COMPRESS))
def test_corrupt_compressed_file_is_left_alone(tmp_path, codec):
    """A truncated compressed file is an error naming it; it stays as it was."""
    data = COMPRESS[codec](SAMPLE * 50)
    cut = data[: len(data) // 2]
    log = write(tmp_path / "access.log.2.z", cut)
    code, err = run(log)
    assert code == 1
    assert err.startswith(f"ipmask: {log}: ")
    assert log.read_bytes() == cut
    assert temps(tmp_path) == []


@pytest.mark.parametrize(
    ("codec", "magic"),
    [("gzip", b"\x1f\x8b\x08"), ("bzip2", b"BZh91AY&SY"), ("xz", b"\xfd7zXZ\x00")],
)
def test_garbage_after_magic_is_an_error(tmp_path, codec, magic):
    """Bytes that only start like a compressed file are reported, not passed or half written."""
    data = magic + b"not really compressed at all\n" * 10
    log = write(tmp_path / "access.log.2.z", data)
    code, err = run(log)
    assert code == 1
    assert f"cannot decompress ({codec})" in err
    assert log.read_bytes() == data


@pytest.mark.parametrize("magic", [b"\x1f\x8b\x08", b"\x1f\x8b\x08\x04" + b"\0" * 8, b"BZh91AY&SY"])
def test_file_that_is_only_a_header(tmp_path, magic):
    """A file cut right after its magic number (or mid-header) is an error, not a crash."""
    log = write(tmp_path / "access.log.2.z", magic)
    code, err = run(log)
    assert code == 1
    assert err.startswith(f"ipmask: {log}: cannot decompress")
    assert log.read_bytes() == magic


# -- refusals ----------------------------------------------------------------------------------


def test_refuses_a_symbolic_link(tmp_path):
    """A symbolic link is refused; neither the link nor its target change."""
    target = write(tmp_path / "target.log", SAMPLE)
    link = tmp_path / "access.log.1"
    link.symlink_to(target)
    code, err = run(link)
    assert code == 1
    assert err == f"ipmask: {link}: is a symbolic link; not rewritten\n"
    assert link.is_symlink()
    assert target.read_bytes() == SAMPLE
    assert temps(tmp_path) == []


def test_refuses_a_hard_linked_file(tmp_path):
    """A file with two names is refused: rewriting would split them."""
    log = write(tmp_path / "access.log.1", SAMPLE)
    os.link(log, tmp_path / "other-name")
    code, err = run(log)
    assert code == 1
    assert err == f"ipmask: {log}: has 2 hard links; not rewritten\n"
    assert log.read_bytes() == SAMPLE
    assert log.stat().st_nlink == 2


def test_refuses_a_fifo_without_blocking(tmp_path):
    """A FIFO is refused at once (opening it does not wait for a writer)."""
    fifo = tmp_path / "access.log.1"
    os.mkfifo(fifo)
    code, err = run(fifo)
    assert code == 1
    assert err == f"ipmask: {fifo}: is a FIFO, not a regular file; not rewritten\n"
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert temps(tmp_path) == []


def test_refuses_a_directory(tmp_path):
    """A directory is refused, written with or without a trailing slash."""
    folder = tmp_path / "logs"
    folder.mkdir()
    err = io.StringIO()
    code = in_place(Request(files=(str(folder), str(folder) + "/"), err=err))
    assert code == 1
    assert err.getvalue().count("is a directory, not a regular file; not rewritten") == 2


def test_missing_file(tmp_path):
    """A missing file is an error naming it."""
    code, err = run(tmp_path / "gone.log")
    assert code == 1
    assert err == f"ipmask: {tmp_path / 'gone.log'}: No such file or directory\n"


def test_other_files_go_on_after_a_refusal(tmp_path):
    """A refused file does not stop the others; the exit code says something failed."""
    target = write(tmp_path / "target.log", SAMPLE)
    link = tmp_path / "link.log"
    link.symlink_to(target)
    good = write(tmp_path / "good.log", SAMPLE)
    code, err = run(link, good)
    assert code == 1
    assert err.count("\n") == 1
    assert "link.log" in err
    assert good.read_bytes() == MASKED
    assert target.read_bytes() == SAMPLE


def test_unreadable_file(tmp_path, monkeypatch):
    """A file the user may not read is an error; it stays as it was."""
    monkeypatch.chdir(tmp_path)
    tmp_path.chmod(0o777)
    log = write(tmp_path / "secret.log", SAMPLE, mode=0o200)
    with unprivileged():
        code, err = run(Path("secret.log"))
    assert code == 1
    assert err == "ipmask: secret.log: Permission denied\n"
    assert log.read_bytes() == SAMPLE


def test_directory_without_write_permission(tmp_path, monkeypatch):
    """No temporary file can be made: an error, the original intact, nothing left behind."""
    monkeypatch.chdir(tmp_path)
    tmp_path.chmod(0o755)
    log = write(tmp_path / "readable.log", SAMPLE, mode=0o666)
    with unprivileged():
        code, err = run(Path("readable.log"))
    assert code == 1
    assert err == "ipmask: readable.log: Permission denied\n"
    assert log.read_bytes() == SAMPLE
    assert temps(tmp_path) == []


def test_cannot_give_the_file_away(tmp_path, monkeypatch):
    """A user who could write the file but not chown a copy to its owner gets an error."""
    monkeypatch.chdir(tmp_path)
    tmp_path.chmod(0o777)
    log = write(tmp_path / "theirs.log", SAMPLE, mode=0o666)
    if os.geteuid() != 0:
        pytest.skip("needs root to create a file owned by someone else")  # pragma: no cover
    os.chown(log, 0, 0)
    with unprivileged():
        code, err = run(Path("theirs.log"))
    assert code == 1
    assert err == "ipmask: theirs.log: Operation not permitted\n"
    assert log.read_bytes() == SAMPLE
    assert temps(tmp_path) == []


# -- failures while writing --------------------------------------------------------------------


def _failing_after(real: Callable[..., object], calls: int, code: int) -> Callable[..., object]:
    """Wrap ``real`` so that its call number ``calls`` (and later ones) raise OSError(code)."""
    count = 0

    def fake(*args: object, **kwargs: object) -> object:
        nonlocal count
        count += 1
        if count >= calls:
            raise OSError(code, os.strerror(code))
        return real(*args, **kwargs)

    return fake


@pytest.mark.parametrize("codec", ["plain", "gzip"])
@pytest.mark.parametrize("calls", [1, 3])
def test_disk_full_while_writing(tmp_path, monkeypatch, codec, calls):
    """os.write failing (disk full) leaves the original byte for byte, and no temporary file."""
    data = SAMPLE * 40
    original = data if codec == "plain" else gzip.compress(data, compresslevel=0)
    log = write(tmp_path / "access.log.1", original)
    monkeypatch.setattr(os, "write", _failing_after(os.write, calls, errno.ENOSPC))
    code, err = run(log, request=SmallBlocks(size=64))
    monkeypatch.undo()
    assert code == 1
    assert err == f"ipmask: {log}: No space left on device\n"
    assert log.read_bytes() == original
    assert temps(tmp_path) == []


@pytest.mark.parametrize("calls", [1, 2])
def test_abandoned_compressor_writes_nowhere(tmp_path, monkeypatch, calls):
    """A compressor left behind by a failed rewrite, collected only after its descriptor's
    number was reused, writes nothing into the file that has the number now."""
    log = write(tmp_path / "access.log.2.gz", gzip.compress(SAMPLE * 40, compresslevel=0))
    monkeypatch.setattr(os, "write", _failing_after(os.write, calls, errno.ENOSPC))
    with pytest.raises(OSError, match="No space left") as failure:
        rewrite_file(str(log), engine)
    monkeypatch.undo()
    # The traceback still holds the compressor; these files take the freed numbers.
    others = [(tmp_path / f"other{n}").open("wb") for n in range(3)]
    del failure
    gc.collect()
    for other in others:
        other.close()
    assert [(tmp_path / f"other{n}").read_bytes() for n in range(3)] == [b""] * 3


def test_fsync_failure(tmp_path, monkeypatch):
    """os.fsync failing (an I/O error) leaves the original byte for byte."""
    log = write(tmp_path / "access.log.1", SAMPLE)
    monkeypatch.setattr(os, "fsync", _failing_after(os.fsync, 1, errno.EIO))
    code, err = run(log)
    monkeypatch.undo()
    assert code == 1
    assert err == f"ipmask: {log}: Input/output error\n"
    assert log.read_bytes() == SAMPLE
    assert temps(tmp_path) == []


def test_rename_failure(tmp_path, monkeypatch):
    """os.rename failing leaves the original byte for byte and removes the temporary file."""
    log = write(tmp_path / "access.log.1", SAMPLE)
    monkeypatch.setattr(os, "rename", _failing_after(os.rename, 1, errno.EACCES))
    code, err = run(log)
    monkeypatch.undo()
    assert code == 1
    assert err == f"ipmask: {log}: Permission denied\n"
    assert log.read_bytes() == SAMPLE
    assert temps(tmp_path) == []


def test_interrupt_removes_the_temporary_file(tmp_path):
    """Ctrl-C in the middle leaves the original and removes the temporary file."""
    log = write(tmp_path / "access.log.1", SAMPLE)

    class Stop:
        name = "stop"
        fallback = get_filter()

        def __call__(self, block: bytes) -> bytes:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rewrite_file(str(log), lambda: Engine(lambda counts: Stop()))
    assert log.read_bytes() == SAMPLE
    assert temps(tmp_path) == []


def test_file_written_to_meanwhile_is_tried_again(tmp_path, monkeypatch):
    """Lines appended during the rewrite are not lost: the file is read again, whole."""
    paused: list[float] = []
    monkeypatch.setattr(time, "sleep", paused.append)
    log = write(tmp_path / "access.log.1", SAMPLE + b"\n")

    def late_line() -> None:
        with log.open("ab") as out:
            out.write(b"late 198.51.100.7\n")

    monkeypatch.setattr(os, "fsync", on_first_fsync(late_line))
    code, err = run(log)
    monkeypatch.undo()
    assert (code, err) == (0, "")
    assert log.read_bytes() == MASK(SAMPLE + b"\nlate 198.51.100.7\n")
    assert temps(tmp_path) == []
    assert len(paused) == 1


def test_file_that_keeps_growing_is_left_alone(tmp_path, monkeypatch):
    """A file written to at every attempt is left as it is, with an error saying why."""
    paused: list[float] = []
    monkeypatch.setattr(time, "sleep", paused.append)
    log = write(tmp_path / "access.log.1", SAMPLE + b"\n")
    real = os.fsync
    grown = []

    def busy(fd: int) -> None:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            with log.open("ab") as out:
                out.write(b"more\n")
            grown.append(1)
        real(fd)

    monkeypatch.setattr(os, "fsync", busy)
    code, err = run(log)
    monkeypatch.undo()
    assert code == 1
    assert "was written to while being rewritten" in err
    assert len(grown) == 3
    assert len(paused) == 2
    assert all(pause > 0 for pause in paused)
    assert log.read_bytes() == SAMPLE + b"\n" + b"more\n" * 3
    assert temps(tmp_path) == []


# -- the same block loop as the other modes ------------------------------------------------------


class Raising:
    """A filter with a bug: it raises on every block; its fallback is the `any` filter."""

    name = "raising"

    def __init__(self, counts: Counts | None = None) -> None:
        self.fallback = get_filter(counts=counts)

    def __call__(self, block: bytes) -> bytes:
        raise RuntimeError("a bug in a filter")


@dataclass(frozen=True)
class RaisingRequest(Request):
    """A Request whose filter raises."""

    def make_filter(self, counts: Counts | None = None) -> LineFilter:
        return Raising(counts)


def test_filter_that_raises_falls_back_to_the_any_rules(tmp_path):
    """A bug in a filter does not crash --in-place: the file is masked by the `any` rules, and
    the failure is reported once, not once per block."""
    data = SAMPLE * 2000  # several blocks
    log = write(tmp_path / "access.log.1", data)
    code, err = run(log, request=RaisingRequest())
    assert code == 0
    assert err == (
        "ipmask: internal error in the raising filter (RuntimeError); "
        "masking with the any rules instead\n"
    )
    assert log.read_bytes() == MASK(data)


def test_rewrite_with_a_filter_that_raises_counts_the_failure(tmp_path):
    """rewrite_file with a failing filter masks by its fallback, counts everything and names
    the failed filter in the counts."""
    log = write(tmp_path / "access.log.1", SAMPLE)
    result = rewrite_file(str(log), lambda: RaisingRequest().engine(count=True, report=False))
    assert result == Result(
        codec="plain",
        format="raising",
        counts=Counts(lines=5, bytes=len(SAMPLE), ipv4=4, ipv6=1, failed={"raising"}),
        changed=True,
    )
    assert log.read_bytes() == MASKED


LONG_PAIR = b"from 72-53-132-234.example.net[72.53.132.234] "
LONG_LOG = (
    b'78.46.198.140 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-"\n'
    + b"word " * (LINE_CAP // 5)
    + LONG_PAIR
    + b"end\n"
    + b'2001:db8::7 - - [01/Jan/2024:00:00:01 +0000] "GET / HTTP/1.1" 200 5 "-" "-"\n'
)


def stream_stats(path: Path, *options: str) -> tuple[bytes, str]:
    """``ipmask --stats OPTIONS PATH``: the masked bytes and the --stats line."""
    proc = subprocess.run(
        [sys.executable, "-m", "ipmask", "--stats", *options, str(path)],
        capture_output=True,
        timeout=60,
        check=True,
    )
    return proc.stdout, proc.stderr.decode()


def test_over_long_line_counts_once_as_in_the_stream(tmp_path):
    """A line over LINE_CAP is one line that did not fit, in --in-place as when streaming."""
    log = write(tmp_path / "access.log.1", LONG_LOG)
    _, streamed = stream_stats(log, "--format", "combined")
    code, err = run(log, stats=True, request=Request(Settings(format="combined")))
    assert code == 0
    stream_counts = re.fullmatch(
        r"ipmask: (\d+) lines, \d+ bytes, masked (\d+) IPv4 and (\d+) IPv6 addresses, "
        r"(\d+) lines did not fit the format, .*\n",
        streamed,
    )
    in_place_counts = re.fullmatch(
        rf"ipmask: {re.escape(str(log))}: (\d+) lines \(plain\), (\d+) IPv4 and (\d+) IPv6 "
        r"addresses masked, (\d+) lines did not fit the format combined; rewritten\n",
        err,
    )
    assert stream_counts, streamed
    assert in_place_counts, err
    assert stream_counts.groups() == in_place_counts.groups() == ("3", "2", "1", "1")


def test_over_long_line_is_masked_as_in_the_stream(tmp_path):
    """The pieces of a line over LINE_CAP get the format's fallback with host names: the file
    comes out as the stream writes it."""
    log = write(tmp_path / "access.log.1", LONG_LOG)
    streamed, _ = stream_stats(log, "--format", "combined")
    assert run(log, request=Request(Settings(format="combined"))) == (0, "")
    masked = log.read_bytes()
    assert masked == streamed
    assert b"from 72-53-132-XXX.example.net[72.53.132.XXX] end\n" in masked


# -- temporary files left by a killed run ------------------------------------------------------


def test_leftovers_are_removed_first(tmp_path):
    """A rewrite first removes what killed runs left for the same file, and only that."""
    log = write(tmp_path / "access.log.1", SAMPLE)
    ours = tmp_path / ".access.log.1.ipmask-0123456789ab.tmp"
    theirs = tmp_path / ".access.log.2.ipmask-0123456789ab.tmp"
    for leftover in (ours, theirs):
        leftover.write_bytes(b"partial")
    assert run(log) == (0, "")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["access.log.1", theirs.name])


# -- kill -9 at random moments -----------------------------------------------------------------

KILL_CHILD = """
import sys
from ipmask.modes import Request, rewrite_file
sys.stdout.write("ready\\n")
sys.stdout.flush()
rewrite_file(sys.argv[1], Request().engine)
sys.stdout.write("done\\n")
"""
KILLS = 12


def _big_log() -> bytes:
    """About 3 MB of web log lines; like real logs, the same clients come back often."""
    rng = random.Random(42)
    clients = [b"%d.%d.%d.%d" % tuple(rng.randrange(1, 224) for _ in range(4)) for _ in range(2000)]
    return b"".join(
        b'%s - - [01/Jan/2024:00:00:%02d +0000] "GET /p/%d HTTP/1.1" 200 %d\n'
        % (rng.choice(clients), i % 60, i, rng.randrange(10**6))
        for i in range(40_000)
    )


def _start_child(log: Path) -> subprocess.Popen[bytes]:
    """Start a rewrite of ``log`` in a new process; return once it is about to begin."""
    child = subprocess.Popen([sys.executable, "-c", KILL_CHILD, str(log)], stdout=subprocess.PIPE)
    assert child.stdout is not None
    assert child.stdout.readline() == b"ready\n"
    return child


@pytest.mark.slow
def test_kill_at_random_moments(tmp_path):
    """SIGKILL at any moment leaves the original or the fully masked file; a later run
    cleans up the temporary files and finishes the job."""
    original = _big_log()
    masked = MASK(original)
    log = write(tmp_path / "access.log.1", original)
    # How long one rewrite takes in such a process, so the kills spread over all of it.
    child = _start_child(log)
    started = time.monotonic()
    assert child.communicate(timeout=60)[0] == b"done\n"
    duration = time.monotonic() - started
    assert log.read_bytes() == masked
    rng = random.Random(6)
    # Spread over twice the duration: half land during a rewrite, half after it.
    delays = [(i + rng.random()) / KILLS * 2 * duration for i in range(KILLS)]
    rng.shuffle(delays)
    seen = {"original": 0, "masked": 0, "temporary file left": 0}
    for delay in delays:
        if log.read_bytes() != original:
            write(log, original)
        child = _start_child(log)
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=60)
        content = log.read_bytes()
        assert content in (original, masked)
        seen["original" if content == original else "masked"] += 1
        if temps(tmp_path):
            seen["temporary file left"] += 1
            rewrite_file(str(log), engine)
            assert temps(tmp_path) == []
            assert log.read_bytes() == masked
    # The kills did land in the middle of rewrites, and some after them.
    assert seen["temporary file left"] > 0, seen
    assert seen["original"] > 0, seen
    assert seen["masked"] > 0, seen


# -- the command -------------------------------------------------------------------------------


def test_command_in_place(tmp_path):
    """`ipmask --in-place --stats` rewrites the files given and reports each."""
    plain = write(tmp_path / "access.log.1", SAMPLE)
    packed = write(tmp_path / "access.log.2.gz", gzip.compress(SAMPLE))
    proc = subprocess.run(
        [sys.executable, "-m", "ipmask", "--in-place", "--stats", str(plain), str(packed)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert plain.read_bytes() == MASKED
    assert gzip.decompress(packed.read_bytes()) == MASKED
    assert len(re.findall(r"; rewritten$", proc.stderr, re.MULTILINE)) == 2


def test_command_in_place_refusal(tmp_path):
    """`ipmask --in-place` on a symbolic link exits 1 with a one-line error naming it."""
    target = write(tmp_path / "target.log", SAMPLE)
    link = tmp_path / "access.log.1"
    link.symlink_to(target)
    proc = subprocess.run(
        [sys.executable, "-m", "ipmask", "--in-place", str(link)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr == f"ipmask: {link}: is a symbolic link; not rewritten\n"
    assert target.read_bytes() == SAMPLE
