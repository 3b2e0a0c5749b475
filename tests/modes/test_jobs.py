"""--jobs: a file masked in several processes comes out exactly as one process writes it."""

from __future__ import annotations

import gzip
import io
import itertools
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipmask import Counts, InputError, LineFilter, Settings, WorkerError, get_filter
from ipmask.modes import Request, _jobs, _ranges
from ipmask.streaming import BLOCK_SIZE, LINE_CAP, Signals, open_source

#: Small ranges, so that even small test files are split into many of them.
SMALL = {"range_size": 4096, "range_slack": 8192}

WEB_LINE = (
    b'{addr} - - [22/Nov/2025:20:54:01 +0100] "GET /index.php HTTP/1.1" 200 5123 '
    b'"https://example.com/" "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.0.0 Safari/537.36"'
)
ADDRESSES = [
    b"78.46.198.140",
    b"2a01:4f8:1c17:413b::1",
    b"::ffff:203.0.113.7",
    b"[2001:db8::1]:443",
    b"192.030.0.6",
    b"1.2.3.4.5",
]


@dataclass(frozen=True)
class Custom(Request):
    """A request whose filter is a test's own, made by ``make`` (given the counts to fill)."""

    make: Callable[[Counts | None], LineFilter] | None = None

    def make_filter(self, counts: Counts | None = None) -> LineFilter:
        return super().make_filter(counts) if self.make is None else self.make(counts)


def web(fmt: str = "combined", *, jobs: int = 2, stats: bool = True) -> Request:
    return Request(Settings(format=fmt), jobs=jobs, stats=stats)


def one_process(path: Path, request: Request) -> tuple[bytes, Counts, str]:
    """What `ipmask FILE` writes (the one block loop over the reader's blocks), and counts."""
    engine = request.engine(report=False)
    source = open_source(str(path))
    signals = Signals()
    try:
        out = b"".join(masked for _, masked in engine.run(source.chunks(signals)))
    finally:
        signals.close()
        source.close()
    return out, engine.counts, engine.name


def in_jobs(path: Path, request: Request, **kw: int) -> tuple[bytes, Counts, str]:
    """What `ipmask --jobs N FILE` writes, its counts and the filter's name."""
    out = io.BytesIO()
    counts, name = _jobs.mask_file(str(path), request, write=out.write, **{**SMALL, **kw})
    return out.getvalue(), counts, name


def awkward_log() -> bytes:
    """Web lines, CRLF, bad UTF-8, NUL, empty, long and over-long lines, no final newline."""
    rng = random.Random(7)
    lines = []
    for i in range(3000):
        addr = ADDRESSES[i % len(ADDRESSES)]
        line = WEB_LINE.replace(b"{addr}", addr)
        kind = i % 50
        if kind == 1:
            line += b"\r"
        elif kind == 2:
            line = b"\xff\xfe invalid \xc3( utf-8 from " + addr
        elif kind == 3:
            line = b"nul \x00 byte " + addr + b" \x00"
        elif kind == 4:
            line = b""
        elif kind == 5:
            # longer than a worker's range may stretch: the parent masks it
            line = b" ".join([addr] * rng.randrange(1500, 3000))
        lines.append(line)
    # one line longer than the reader's cap: masked in pieces cut at safe places
    lines.insert(1700, b"x " + b" word ".join(ADDRESSES * (LINE_CAP // 100)))
    return b"\n".join(lines) + b"\n" + WEB_LINE.replace(b"{addr}", ADDRESSES[1])


@pytest.fixture(scope="module")
def awkward(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("parallel") / "awkward.log"
    path.write_bytes(awkward_log())
    return path


@pytest.mark.parametrize("fmt", ["combined", "any", "auto"])
def test_same_bytes_as_one_process(awkward: Path, fmt: str) -> None:
    """Two jobs write exactly the bytes one process writes: CRLF, bad UTF-8, NUL, long lines;
    and name the filter as one process does (``auto`` settles on the same format)."""
    expected, _, expected_name = one_process(awkward, web(fmt))
    got, _, name = in_jobs(awkward, web(fmt))
    assert got == expected
    assert name == expected_name
    assert got.count(b"\n") == awkward.read_bytes().count(b"\n")
    assert not got.endswith(b"\n")
    assert b"78.46.198.140" not in got


def test_three_jobs_with_default_ranges(awkward: Path) -> None:
    """The default range sizes give the same bytes too."""
    expected, _, _ = one_process(awkward, web())
    got, _, _ = in_jobs(
        awkward, web(jobs=3), range_size=_jobs.RANGE_SIZE, range_slack=_jobs.RANGE_SLACK
    )
    assert got == expected


def test_counts_match_one_process(awkward: Path) -> None:
    """Lines, bytes, over-long lines, unfit lines and masked addresses: one process's counts."""
    data = awkward.read_bytes()
    _, expected, _ = one_process(awkward, web())
    _, counts, _ = in_jobs(awkward, web())
    assert counts == expected
    assert counts.lines == data.count(b"\n") + 1  # the last line has no newline
    assert counts.bytes == len(data)
    assert counts.ipv4 > 0
    assert counts.ipv6 > 0
    assert counts.unfit > 1  # the over-long line, and the lines that are no web lines
    assert counts.failed == set()


def test_lines_left_uncounted_change_nothing_else(awkward: Path) -> None:
    """Without --stats or --verbose, the same bytes; only bytes and over-long lines counted."""
    counted_out, counted, _ = in_jobs(awkward, web(stats=True))
    out, counts, _ = in_jobs(awkward, web(stats=False))
    assert out == counted_out
    assert counts.bytes == counted.bytes
    assert (counts.lines, counts.ipv4, counts.ipv6) == (0, 0, 0)
    assert counted.lines > 0
    assert counts.unfit == 1 < counted.unfit  # the one line over the cap


class SlowFilter:
    """The `any` rules, after a random pause: ranges finish in a shuffled order."""

    name = "slow"

    def __init__(self, counts: Counts | None = None) -> None:
        self.fallback = get_filter(counts=counts)
        self._random = random.Random(os.getpid())

    def __call__(self, block: bytes) -> bytes:
        time.sleep(self._random.random() * 0.004)
        return self.fallback(block)


def test_order_kept_when_later_ranges_finish_first(tmp_path: Path) -> None:
    """Output follows the input's order even when workers finish out of order."""
    path = tmp_path / "numbered.log"
    path.write_bytes(b"".join(b"%06d client 203.0.113.%d\n" % (i, i % 256) for i in range(20000)))
    got, _, name = in_jobs(path, Custom(jobs=3, make=SlowFilter))
    numbers = [int(line.split(b" ")[0]) for line in got.splitlines()]
    assert numbers == list(range(20000))
    assert b"203.0.113.XXX" in got
    assert name == "slow"


class RaisingFilter:
    """Raises on a block holding b"boom", like a filter with a bug."""

    name = "raising"

    def __init__(self, counts: Counts | None = None) -> None:
        self._web = get_filter(format="combined", counts=counts)
        self.fallback = self._web.fallback

    def __call__(self, block: bytes) -> bytes:
        if b"boom" in block:
            raise ValueError("a bug")
        return self._web(block)


def test_a_failing_filter_falls_back_to_any_and_is_named(tmp_path: Path) -> None:
    """A block whose filter raises is masked with the `any` rules, and the filter is named."""
    path = tmp_path / "boom.log"
    lines = [WEB_LINE.replace(b"{addr}", ADDRESSES[i % 3]) for i in range(2000)]
    lines[1500] = b"boom 198.51.100.23"
    path.write_bytes(b"\n".join(lines) + b"\n")
    request = Custom(jobs=2, stats=True, make=RaisingFilter)
    expected, expected_counts, _ = one_process(path, request)
    got, counts, _ = in_jobs(path, request)
    assert got == expected
    assert b"boom 198.51.100.XXX" in got
    assert counts.failed == {"raising"}
    assert counts == expected_counts


class FirstBlockFilter:
    """Settles on its first block whether to mask at all, as `auto` settles the format."""

    name = "first-block"

    def __init__(self, counts: Counts | None = None) -> None:
        self.fallback = get_filter(counts=counts)
        self._masking: bool | None = None

    def __call__(self, block: bytes) -> bytes:
        if self._masking is None:
            self._masking = block.startswith(b"#mask")
        return self.fallback(block) if self._masking else block


def test_filters_settle_on_the_files_first_block(tmp_path: Path) -> None:
    """Every worker's filter sees the file's first block first, as one process's filter does."""
    path = tmp_path / "header.log"
    path.write_bytes(
        b"#mask\n" + b"".join(b"client 198.51.100.%d\n" % (i % 256) for i in range(9000))
    )
    request = Custom(jobs=3, make=FirstBlockFilter)
    expected, _, _ = one_process(path, request)
    got, _, _ = in_jobs(path, request)
    assert got == expected
    assert b"198.51.100." in got
    assert b"198.51.100.1\n" not in got


class DyingFilter:
    """Kills its own process on a block holding b"die", as the out-of-memory killer would."""

    name = "dying"

    def __init__(self, counts: Counts | None = None) -> None:
        self.fallback = get_filter(counts=counts)

    def __call__(self, block: bytes) -> bytes:
        if b"die" in block:
            os.kill(os.getpid(), signal.SIGKILL)
        return block


def test_a_killed_worker_is_an_error_not_a_hang(tmp_path: Path) -> None:
    """When a worker dies, masking stops with an error naming the file instead of waiting."""
    path = tmp_path / "victim.log"
    # past the first block, which every worker's filter sees first
    path.write_bytes(b"198.51.100.1 fine\n" * 80000 + b"die\n" + b"198.51.100.2 fine\n" * 5000)

    def too_long(signum: int, frame: object) -> None:
        raise TimeoutError("mask_file hung after a worker died")

    previous = signal.signal(signal.SIGALRM, too_long)
    signal.alarm(60)
    try:
        with pytest.raises(WorkerError, match=r"victim\.log.*worker process died"):
            in_jobs(path, Custom(jobs=2, make=DyingFilter))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


_KILLED_PARENT = """
import os, sys, time
from dataclasses import dataclass
from ipmask import get_filter
from ipmask.modes import Request, _jobs

class Slow:
    name = "slow"

    def __init__(self, counts):
        self.fallback = get_filter(counts=counts)

    def __call__(self, block):
        os.write(1, b"%d\\n" % os.getpid())  # one write: the workers' lines cannot interleave
        time.sleep(0.2)
        return block

@dataclass(frozen=True)
class SlowRequest(Request):
    def make_filter(self, counts=None):
        return Slow(counts)

_jobs.mask_file(sys.argv[1], SlowRequest(jobs=2), write=lambda data: None,
                range_size=4096, range_slack=4096)
"""


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\tZ" not in status.split("State:", 1)[1].split("\n", 1)[0]


def test_workers_end_when_the_parent_is_killed(tmp_path: Path) -> None:
    """Workers of a parent killed with SIGKILL do not linger: they end within seconds."""
    path = tmp_path / "slow.log"
    path.write_bytes(b"client 203.0.113.7\n" * 20000)
    with subprocess.Popen(
        [sys.executable, "-c", _KILLED_PARENT, str(path)], stdout=subprocess.PIPE
    ) as parent:
        assert parent.stdout is not None
        workers: set[int] = set()
        while len(workers) < 2:
            workers.add(int(parent.stdout.readline()))
        parent.kill()
    deadline = time.monotonic() + 10
    try:
        while any(map(_running, workers)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(map(_running, workers))
    finally:
        for pid in filter(_running, workers):
            os.kill(pid, signal.SIGKILL)  # the ones this test started, should it fail


def test_stop_writes_what_was_read_and_nothing_after(awkward: Path) -> None:
    """After a stop request, the ranges in flight are written and no new one is started."""
    expected, _, _ = one_process(awkward, web())
    signals = Signals()
    out = io.BytesIO()

    def write(data: bytes) -> None:
        out.write(data)
        signals.stop()

    try:
        _jobs.mask_file(str(awkward), web(), write=write, signals=signals, **SMALL)
    finally:
        signals.close()
    got = out.getvalue()
    assert got
    assert len(got) < len(expected)
    assert expected.startswith(got)
    assert got.endswith(b"\n")


def test_without_fork_one_process_does_the_work(
    awkward: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the platform cannot fork, --jobs falls back to one process, and says why."""
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert "cannot fork" in (_jobs.refusal(str(awkward), 2) or "")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    pieces=st.lists(
        st.sampled_from([*ADDRESSES, b" ", b"\n", b"\r\n", b"x", b"\xff", b"\x00", b":", b"."]),
        max_size=400,
    ),
    range_size=st.integers(1, 300),
    slack=st.integers(1, 300),
    jobs=st.integers(2, 3),
)
def test_any_split_gives_the_same_bytes(
    tmp_path: Path, pieces: list[bytes], range_size: int, slack: int, jobs: int
) -> None:
    """Whatever the bytes and the range sizes, the output and counts equal one process's."""
    path = tmp_path / "random.log"
    path.write_bytes(b"".join(pieces))
    request = Request(jobs=jobs, stats=True)
    expected, expected_counts, _ = one_process(path, request)
    got, counts, _ = in_jobs(path, request, range_size=range_size, range_slack=slack)
    assert got == expected
    assert counts == expected_counts
    assert counts.bytes == path.stat().st_size


def test_output_larger_than_its_slot_comes_through_the_pipe(tmp_path: Path) -> None:
    """Masking can make a range ten times longer (::1); such output still arrives in order."""
    path = tmp_path / "short.log"
    path.write_bytes(b"".join(b"::1\n" * 999 + b"%d\n" % i for i in range(60)))
    request = Request(jobs=2)
    expected, _, _ = one_process(path, request)
    # A slot holds twice a range and its slack, and a scan: this output does not fit.
    assert len(expected) > 5 * path.stat().st_size
    got, _, _ = in_jobs(path, request, range_size=16384, range_slack=16384)
    assert got == expected


def test_reads_at_the_readers_block_offsets(tmp_path: Path) -> None:
    """A range's reads end on the same absolute offsets as the one-process reader's blocks."""
    path = tmp_path / "blocks.log"
    path.write_bytes(b"a\n" * (BLOCK_SIZE + 10))
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = list(_ranges.chunks(fd, 1000, 2 * BLOCK_SIZE + 6, lambda: False))
    finally:
        os.close(fd)
    ends = []
    pos = 1000
    for chunk in chunks:
        pos += len(chunk)
        ends.append(pos)
    assert ends == [BLOCK_SIZE, 2 * BLOCK_SIZE, 2 * BLOCK_SIZE + 6]


def test_plan_covers_the_file_with_ranges_ending_lines(awkward: Path) -> None:
    """The ranges follow each other without gap and each ends right after a newline."""
    data = awkward.read_bytes()
    fd = os.open(awkward, os.O_RDONLY)
    try:
        plan = list(_ranges.plan(fd, len(data), 4096, 8192))
    finally:
        os.close(fd)
    assert plan[0][1] == 0
    assert plan[-1][2] == len(data)
    for (_, _, end), (_, start, _) in itertools.pairwise(plan):
        assert end == start
        assert data[end - 1 : end] == b"\n"
    assert sum(not for_worker for for_worker, _, _ in plan) > 10  # lines over the slack
    assert max(end - start for ok, start, end in plan if ok) <= 4096 + 8192


def test_refusal_reasons(tmp_path: Path) -> None:
    """Standard input, FIFOs, compressed and small files are left to one process."""
    big = tmp_path / "big.log"
    with big.open("wb") as f:
        f.truncate(2 * _jobs.RANGE_SIZE)
    small = tmp_path / "small.log"
    small.write_bytes(b"1.2.3.4\n")
    packed = tmp_path / "packed"
    packed.write_bytes(gzip.compress(b"1.2.3.4\n"))
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert _jobs.refusal(str(big), 2) is None
    assert "one job" in (_jobs.refusal(str(big), 1) or "")
    assert "standard input" in (_jobs.refusal("-", 2) or "")
    assert "regular" in (_jobs.refusal(str(fifo), 2) or "")
    assert "compressed" in (_jobs.refusal(str(packed), 2) or "")
    assert "small" in (_jobs.refusal(str(small), 2) or "")


def test_broken_compressed_file_is_left_to_one_process(tmp_path: Path) -> None:
    """A file with gzip's magic but broken data is refused (one process reports the error)."""
    broken = tmp_path / "broken.gz"
    broken.write_bytes(b"\x1f\x8b\x08" + b"not really gzip" * 100)
    assert "compressed" in (_jobs.refusal(str(broken), 2) or "")


def test_a_file_that_shrinks_ends_where_its_data_ends(tmp_path: Path) -> None:
    """Reads past the end (the file shrank after its size was taken) stop without error."""
    path = tmp_path / "short.log"
    path.write_bytes(b"no newline here")
    fd = os.open(path, os.O_RDONLY)
    try:
        plan = list(_ranges.plan(fd, 1000, 4, 5000))
        assert plan[0] == (True, 0, 15)  # the line ends where the data ends
        assert b"".join(_ranges.chunks(fd, 0, 1000, lambda: False)) == b"no newline here"
    finally:
        os.close(fd)
    assert plan[-1][2] == 1000
    for (_, _, end), (_, start, _) in itertools.pairwise(plan):
        assert end == start


def test_one_huge_line_is_masked_by_the_parent(tmp_path: Path) -> None:
    """A file that is one line longer than the reader's cap comes out as one process writes it."""
    path = tmp_path / "huge.log"
    path.write_bytes(b" ".join(ADDRESSES * (LINE_CAP // 30)))
    expected, expected_counts, _ = one_process(path, web())
    got, counts, _ = in_jobs(path, web())
    assert got == expected
    assert counts == expected_counts
    assert counts.unfit == 1
    assert counts.lines == 1


def _broken_filter(counts: Counts | None) -> LineFilter:
    raise ValueError("cannot build")


def test_a_worker_that_cannot_start_reports_why(awkward: Path) -> None:
    """An error while a worker builds its filter reaches the caller instead of hanging."""
    with pytest.raises(ValueError, match="cannot build"):
        in_jobs(awkward, Custom(jobs=2, make=_broken_filter))


@pytest.mark.parametrize(
    ("change", "message"), [("remove", "No such file"), ("replace", "replaced while being read")]
)
def test_worker_checks_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str, message: str
) -> None:
    """A worker refuses a file that is gone, or is no longer the one planned, once the
    parent opened it and before the workers open it by name."""
    path = tmp_path / "moving.log"
    path.write_bytes(b"client 198.51.100.1\n" * 5000)
    planned = _jobs.plan

    def change_then_plan(fd: int, *args: int) -> Iterator[tuple[bool, int, int]]:
        if change == "remove":
            path.unlink()
        else:
            other = tmp_path / "other.log"
            other.write_bytes(b"client 198.51.100.2\n" * 5000)
            other.replace(path)
        yield from planned(fd, *args)

    monkeypatch.setattr(_jobs, "plan", change_then_plan)
    with pytest.raises(InputError, match=message):
        in_jobs(path, Request(jobs=2))


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    """A file that is not there is reported with its name, before and during masking."""
    missing = str(tmp_path / "gone.log")
    with pytest.raises(InputError, match=r"gone\.log"):
        _jobs.refusal(missing, 2)
    with pytest.raises(InputError, match=r"gone\.log"):
        in_jobs(Path(missing), Request(jobs=2))


def test_a_fifo_is_not_split(tmp_path: Path) -> None:
    """mask_file refuses a FIFO at once instead of waiting for a writer."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        in_jobs(fifo, Request(jobs=2))


COMMAND = [sys.executable, "-m", "ipmask"]


def _stats(stderr: bytes) -> bytes:
    """The --stats summary without its timing."""
    line = stderr.strip().splitlines()[-1]
    return line[: line.index(b"format,") + len(b"format,")]


@pytest.fixture(scope="module")
def big_awkward(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The awkward log three times over: large enough for --jobs to split it."""
    path = tmp_path_factory.mktemp("parallel-cli") / "big.log"
    path.write_bytes(awkward_log() * 3)
    assert path.stat().st_size >= 2 * _jobs.RANGE_SIZE
    return path


def test_command_jobs_writes_the_same_bytes(big_awkward: Path) -> None:
    """`ipmask --jobs 2 FILE` writes exactly what `ipmask FILE` writes, and counts the same."""
    args = [*COMMAND, "--format", "combined", "--stats", str(big_awkward)]
    one = subprocess.run(args, capture_output=True, check=True, timeout=120)
    two = subprocess.run([*args, "--jobs", "2", "-v"], capture_output=True, check=True, timeout=120)
    assert two.stdout == one.stdout
    assert _stats(two.stderr) == _stats(one.stderr)
    assert b"format combined, 2 jobs" in two.stderr


def test_command_jobs_on_standard_input_uses_one(big_awkward: Path) -> None:
    """Standard input is masked by one process, and --verbose says so."""
    with big_awkward.open("rb") as inp:
        done = subprocess.run(
            [*COMMAND, "--jobs", "2", "-v"], stdin=inp, capture_output=True, check=True, timeout=120
        )
    assert b"standard input is read by one process; using 1 job" in done.stderr
    assert done.stdout.count(b"\n") == big_awkward.read_bytes().count(b"\n")


def test_command_jobs_must_be_positive() -> None:
    """--jobs 0 is a usage error: one line, exit 2."""
    done = subprocess.run([*COMMAND, "--jobs", "0"], capture_output=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr.count(b"\n") == 1
    assert b"--jobs" in done.stderr
