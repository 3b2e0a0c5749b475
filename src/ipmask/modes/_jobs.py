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
(:data:`ipmask.streaming.BLOCK_SIZE`), so :class:`ipmask.streaming.LineBlocks` cuts over-long lines
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
from dataclasses import dataclass

from ipmask.errors import InputError, WorkerError
from ipmask.formats import Counts
from ipmask.modes._ranges import RANGE_SIZE, RANGE_SLACK, SCAN, chunks, plan, refusal
from ipmask.modes._request import Request
from ipmask.streaming import LineBlocks, Signals, describe_oserror

__all__ = ["RANGE_SIZE", "RANGE_SLACK", "mask_file", "refusal"]

#: How often a worker checks that its parent is still there.
_WATCH_SECONDS = 0.5

#: Where masked output goes; a worker's output is handed over as a view of shared memory.
_Write = Callable[[bytes | memoryview], object]
#: A worker's answer for one range: the masked bytes (or their length, when they were put in
#: the range's shared-memory slot), its counts, the filter's name.
_Result = tuple["bytes | int", Counts, str]


def _never() -> bool:
    return False


class _Masking:
    """One process's block loop for one file: masks ranges, counts each one apart."""

    def __init__(self, path: str, fd: int, request: Request) -> None:
        self._path = path
        self._fd = fd
        # The parent reports failing filters once, from the counts.
        self._engine = request.engine(report=False)
        self._prime()

    def _prime(self) -> None:
        """Show the filter the file's first block of lines, as in one process, then forget it."""
        for data, whole in LineBlocks(chunks(self._fd, 0, os.fstat(self._fd).st_size, _never)):
            if whole:
                self._engine.mask(data)
                break
        self._engine.counts.take()

    def __call__(
        self,
        start: int,
        end: int,
        write: Callable[[bytes], object],
        stopping: Callable[[], bool] = _never,
    ) -> tuple[Counts, str]:
        """Mask ``[start, end)`` into ``write``; return its counts and the filter's name."""
        engine = self._engine
        try:
            for _, masked in engine.run(chunks(self._fd, start, end, stopping)):
                write(masked)
        except OSError as exc:
            raise InputError(f"cannot read {self._path}: {describe_oserror(exc)}") from exc
        return engine.counts.take(), engine.name


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


def _start_worker(path: str, identity: tuple[int, int], request: Request, slots: _Slots) -> None:
    """Pool initializer: signals as a plain worker, the file opened, the block loop built.

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
        _worker = _Masking(path, fd, request)
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
    counts, name = _worker(start, end, parts.append)
    length = _slots.put(slot, parts) if _slots is not None else None
    data = b"".join(parts) if length is None else length
    return data, counts, name


def mask_file(
    path: str,
    request: Request,
    *,
    write: _Write,
    signals: Signals | None = None,
    range_size: int = RANGE_SIZE,
    range_slack: int = RANGE_SLACK,
) -> tuple[Counts, str]:
    """Mask the regular file ``path`` with ``request.jobs`` processes, writing in order.

    Each process runs the block loop of one process (:meth:`Request.engine`), so the bytes
    and the counts are those of one process. ``signals``, when given, is polled between
    ranges: once it is stopping, no new range is started, and the ranges already read are
    masked and written. Returns the counts and the filter's name. Raises InputError when the
    file cannot be read, WorkerError when a worker died.
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
            request,
            write=write,
            signals=signals,
            range_size=range_size,
            range_slack=range_slack,
        )
    finally:
        os.close(fd)


def _run(
    path: str,
    fd: int,
    info: os.stat_result,
    request: Request,
    *,
    write: _Write,
    signals: Signals | None,
    range_size: int,
    range_slack: int,
) -> tuple[Counts, str]:
    counts = Counts()
    name = ""

    def stopping() -> bool:
        if signals is None:
            return False
        signals.dispatch()
        return signals.stopping

    jobs = request.jobs
    window = 2 * jobs  # ranges in flight: one being masked and one waiting, per worker
    # Room for a range, its slack and the growth of short addresses being masked.
    slots = _Slots.create(window, 2 * (range_size + range_slack) + SCAN)
    in_flight: deque[tuple[Future[_Result], int]] = deque()

    def collect() -> None:
        nonlocal name
        future, slot = in_flight.popleft()
        data, done, name = future.result()
        if isinstance(data, int):
            with slots.view(slot, data) as view:
                write(view)
        else:
            write(data)
        counts.merge(done)

    parent: _Masking | None = None
    initargs = (path, (info.st_dev, info.st_ino), request, slots)
    # Forked (see refusal): the request, its filters and the slots are inherited, never pickled.
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(jobs, context, initializer=_start_worker, initargs=initargs)
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
                parent = _Masking(path, fd, request)
            done, name = parent(start, end, write, stopping)
            counts.merge(done)
        while in_flight:
            collect()
    except BrokenProcessPool as exc:
        # A worker was killed (out of memory, a signal): say so instead of waiting forever.
        raise WorkerError(f"cannot mask {path}: a worker process died ({exc})") from exc
    finally:
        # On an error, ranges not started yet are dropped; those being masked end first.
        pool.shutdown(wait=True, cancel_futures=True)
        slots.memory.close()
    return counts, name
