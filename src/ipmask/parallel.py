"""``--jobs N``: mask one large regular file in N worker processes, output in the original order.

The file is planned as a series of byte ranges, each ending right after a newline. Workers mask
ranges (each reads its range itself with ``pread``, and a forked worker leaves the masked output
in shared memory, so almost nothing crosses a pipe), and the parent writes the results strictly
in range order. At most ``2 * jobs`` ranges are in
flight, so memory stays bounded however large the file is: a range is about
:data:`RANGE_SIZE`, and a range that would need more than :data:`RANGE_SLACK` extra bytes to
reach a newline (a huge line) is masked by the parent itself, streaming, after the ranges
before it are written.

The output is byte for byte what one process writes (``ipmask FILE``): inside a range, the
reads fall on the same absolute offsets as the single-process reader's blocks
(:data:`ipmask.streams.BLOCK_SIZE`), so :class:`ipmask.streams.LineBlocks` cuts over-long lines
at the same places; every filter masks line by line; and each worker's filter first sees the
file's first block of lines, as the single-process filter does, so a filter that settles
something on its first block (``auto`` picks the format there) settles it the same way.

Standard input, pipes and compressed files are read by one process: the plan needs to know
where lines end before masking them, which only a regular, uncompressed file allows. Workers
are forked, so they share the filters' set-up (compiled patterns, templates) and the output
slots without pickling anything; where a platform cannot fork, one process does the work.
"""

from __future__ import annotations

import contextlib
import mmap
import multiprocessing
import os
import signal
import stat
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial

from ipmask.formats import LineFilter
from ipmask.ranges import RANGE_SIZE, RANGE_SLACK, SCAN, chunks, plan, refusal
from ipmask.signals import Signals
from ipmask.streams import (
    InputError,
    LineBlocks,
    describe_oserror,
)

__all__ = ["RANGE_SIZE", "RANGE_SLACK", "Counts", "WorkerError", "mask_file", "refusal"]

#: How often a worker checks that its parent is still there.
_WATCH_SECONDS = 0.5

_Make = Callable[[], LineFilter]
#: Where masked output goes; a worker's output is handed over as a view of shared memory.
_Write = Callable[[bytes | memoryview], object]
#: A worker's answer for one range: the masked bytes (or their length, when they were put in
#: the range's shared-memory slot), counts, failed filters, the filter's name.
_Result = tuple["bytes | int", tuple[int, ...], frozenset[str], str]


class WorkerError(InputError):
    """A worker process died before it had masked its range; the output is incomplete."""


@dataclass
class Counts:
    """What masking one file did, summed over all ranges (for ``--stats``)."""

    lines: int = 0
    bytes: int = 0
    long_lines: int = 0
    ipv4: int = 0
    ipv6: int = 0
    unfit: int = 0
    #: Names of filters that raised; their blocks were masked with the `any` rules instead.
    failed_filters: set[str] = field(default_factory=set)
    #: The format's filter's name, as the filter gives it (``auto`` says what it picked).
    format: str = ""

    def add(self, numbers: tuple[int, ...], failed: frozenset[str], name: str) -> None:
        lines, size, long_lines, ipv4, ipv6, unfit = numbers
        self.format = name
        self.lines += lines
        self.bytes += size
        self.long_lines += long_lines
        self.ipv4 += ipv4
        self.ipv6 += ipv6
        self.unfit += unfit
        self.failed_filters |= failed


def _never() -> bool:
    return False


class _Masking:
    """One process's filters for one file: masks ranges, counts what it did."""

    def __init__(
        self, path: str, fd: int, make_filter: _Make, make_any: _Make, *, count_lines: bool = True
    ) -> None:
        self._path = path
        self._fd = fd
        self._count_lines = count_lines
        self._filter = make_filter()
        self._any = make_any()
        self._prime()

    def _prime(self) -> None:
        """Show the filter the file's first block of lines, as in one process, then forget it."""
        for data, whole in LineBlocks(chunks(self._fd, 0, os.fstat(self._fd).st_size, _never)):
            if whole:
                # A filter that raises here raises again on the real block, and falls back there.
                with contextlib.suppress(Exception):
                    self._filter(data)
                return

    def _numbers(self) -> tuple[int, int, int]:
        one, two = self._filter.stats, self._any.stats
        return one.ipv4 + two.ipv4, one.ipv6 + two.ipv6, one.unfit + two.unfit

    def __call__(
        self,
        start: int,
        end: int,
        write: Callable[[bytes], object],
        stopping: Callable[[], bool] = _never,
    ) -> tuple[tuple[int, ...], frozenset[str], str]:
        """Mask ``[start, end)`` into ``write``; return counts, failed filters, filter name."""
        before = self._numbers()
        failed: set[str] = set()
        line_filter, any_filter = self._filter, self._any
        try:
            blocks = LineBlocks(
                chunks(self._fd, start, end, stopping), count_lines=self._count_lines
            )
            for data, whole in blocks:
                if not whole:
                    write(any_filter(data))
                    continue
                try:
                    write(line_filter(data))
                except Exception:  # as in one process: never die on a filter's bug
                    failed.add(line_filter.name)
                    write(any_filter(data))
        except OSError as exc:
            raise InputError(f"cannot read {self._path}: {describe_oserror(exc)}") from exc
        after = self._numbers()
        delta = tuple(a - b for a, b in zip(after, before, strict=True))
        numbers = (blocks.lines, blocks.bytes, blocks.long_lines, *delta)
        return numbers, frozenset(failed), line_filter.name


# -- the workers --------------------------------------------------------------------------------

_worker: _Masking | Exception | None = None
#: Workers put a range's output in shared memory, one slot per range in flight, so that the
#: parent writes it out without it being pickled and piped (which costs the parent about as
#: much as masking costs a worker).
_slots: _Slots | None = None


@dataclass(frozen=True)
class _Slots:
    """Shared memory for the output of the ranges in flight, ``count`` slots of ``size``."""

    memory: mmap.mmap
    size: int
    count: int

    @classmethod
    def create(cls, count: int, size: int) -> _Slots:
        # An anonymous shared mapping: inherited by forked workers, and only the pages
        # written to take memory.
        return cls(mmap.mmap(-1, count * size), size, count)

    def put(self, slot: int, parts: list[bytes]) -> int | None:
        """Copy ``parts`` into ``slot``; their total length, or None if they do not fit."""
        total = sum(map(len, parts))
        if total > self.size:
            return None
        pos = slot * self.size
        for part in parts:
            self.memory[pos : pos + len(part)] = part
            pos += len(part)
        return total

    @contextlib.contextmanager
    def view(self, slot: int, length: int) -> Iterator[memoryview]:
        """The first ``length`` bytes of ``slot``, without copying them."""
        start = slot * self.size
        # Both views must be released before the mapping can be closed.
        with memoryview(self.memory) as whole, whole[start : start + length] as part:
            yield part


def _start_worker(
    path: str,
    identity: tuple[int, int],
    make_filter: _Make,
    make_any: _Make,
    slots: _Slots,
    *,
    count_lines: bool = True,
) -> None:
    """Pool initializer: signals as a plain worker, the file opened, the filters built.

    A failure is kept and raised by the first task, with its own message (a pool whose
    initializer raises only says that it is broken).
    """
    global _worker, _slots  # noqa: PLW0603 - one per worker process, set once
    _slots = slots
    # A forked worker inherits the parent's handlers and wake-up pipe: the parent alone reacts
    # to signals, and a worker sent SIGTERM ends.
    signal.set_wakeup_fd(-1)
    for signum in (signal.SIGINT, signal.SIGHUP, signal.SIGUSR1):
        signal.signal(signum, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_end_with, args=(os.getppid(),), daemon=True).start()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        info = os.fstat(fd)
        if (info.st_dev, info.st_ino) != identity:
            _worker = InputError(f"cannot read {path}: it was replaced while being read")
            return
        _worker = _Masking(path, fd, make_filter, make_any, count_lines=count_lines)
    except OSError as exc:
        _worker = InputError(f"cannot read {path}: {describe_oserror(exc)}")
    except Exception as exc:  # handed to the parent with the first task
        _worker = exc


def _end_with(parent: int) -> None:
    """End this worker once its parent is gone (killed with SIGKILL, it cannot say so)."""
    while os.getppid() == parent:
        time.sleep(_WATCH_SECONDS)
    os._exit(1)


def _mask_range(start: int, end: int, slot: int) -> _Result:
    """Pool task: one range, masked, in its shared-memory slot or as one bytes object."""
    if not isinstance(_worker, _Masking):
        raise _worker or RuntimeError("worker not started")
    parts: list[bytes] = []
    numbers, failed, name = _worker(start, end, parts.append)
    length = _slots.put(slot, parts) if _slots is not None else None
    data = b"".join(parts) if length is None else length
    return data, numbers, failed, name


def mask_file(
    path: str,
    *,
    jobs: int,
    make_filter: _Make,
    make_any: _Make,
    write: _Write,
    signals: Signals | None = None,
    range_size: int = RANGE_SIZE,
    range_slack: int = RANGE_SLACK,
    count_lines: bool = True,
) -> Counts:
    """Mask the regular file ``path`` with ``jobs`` processes, writing in the original order.

    ``make_filter`` and ``make_any`` return fresh filters (the format's and the `any` rules for
    pieces of over-long lines), as for one process. Lines are counted only with
    ``count_lines`` (see :class:`ipmask.streams.LineBlocks`). ``signals``, when given, is
    polled between ranges: once it is stopping, no new range is started, and the ranges
    already read are masked and written. Raises InputError when the file cannot be read.
    """
    try:
        # O_NONBLOCK: a FIFO given by mistake is refused below instead of waited for.
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {describe_oserror(exc)}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"cannot split {path}: not a regular file")
        return _run(
            path,
            fd,
            info,
            jobs=jobs,
            make_filter=make_filter,
            make_any=make_any,
            write=write,
            signals=signals,
            range_size=range_size,
            range_slack=range_slack,
            count_lines=count_lines,
        )
    finally:
        os.close(fd)


def _run(
    path: str,
    fd: int,
    info: os.stat_result,
    *,
    jobs: int,
    make_filter: _Make,
    make_any: _Make,
    write: _Write,
    signals: Signals | None,
    range_size: int,
    range_slack: int,
    count_lines: bool,
) -> Counts:
    counts = Counts()

    def stopping() -> bool:
        if signals is None:
            return False
        signals.dispatch()
        return signals.stopping

    window = 2 * jobs  # ranges in flight: one being masked and one waiting, per worker
    # Room for a range, its slack and the growth of short addresses being masked.
    slots = _Slots.create(window, 2 * (range_size + range_slack) + SCAN)
    in_flight: deque[tuple[Future[_Result], int]] = deque()

    def collect() -> None:
        future, slot = in_flight.popleft()
        data, numbers, failed, name = future.result()
        if isinstance(data, int):
            with slots.view(slot, data) as view:
                write(view)
        else:
            write(data)
        counts.add(numbers, failed, name)

    parent: _Masking | None = None
    initargs = (path, (info.st_dev, info.st_ino), make_filter, make_any, slots)
    # Forked (see refusal): the filters and slots are inherited, never pickled.
    context = multiprocessing.get_context("fork")
    start_worker = partial(_start_worker, count_lines=count_lines)
    pool = ProcessPoolExecutor(jobs, context, initializer=start_worker, initargs=initargs)
    try:
        for number, (for_worker, start, end) in enumerate(
            plan(fd, info.st_size, range_size, range_slack)
        ):
            if stopping():
                break
            if for_worker:
                # The window guarantees this slot's previous range was written already.
                slot = number % window
                in_flight.append((pool.submit(_mask_range, start, end, slot), slot))
                while len(in_flight) >= window:
                    collect()
                continue
            while in_flight:
                collect()
            if parent is None:
                parent = _Masking(path, fd, make_filter, make_any, count_lines=count_lines)
            counts.add(*parent(start, end, write, stopping))
        while in_flight:
            collect()
    except BrokenProcessPool as exc:
        # A worker was killed (out of memory, a signal): say so instead of waiting forever.
        raise WorkerError(f"cannot mask {path}: a worker process died ({exc})") from exc
    finally:
        # On an error, ranges not started yet are dropped; those being masked end first.
        pool.shutdown(wait=True, cancel_futures=True)
        slots.memory.close()
    return counts
