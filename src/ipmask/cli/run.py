"""Running the command's modes: the streaming run (inputs through the filter to the output)
and the dispatch to --in-place, --check and --rsyslog. Part of the CLI, so it may use click
for messages and the progress bar; the options themselves are in ``ipmask.cli``.
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial

import click

from ipmask.formats import LineFilter
from ipmask.output import DownstreamClosedError, Output, OutputError
from ipmask.signals import Signals
from ipmask.streams import (
    InputError,
    LineBlocks,
    Source,
    open_source,
)

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "Settings",
    "Totals",
    "check",
    "in_place",
    "rsyslog",
    "stream",
]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


@dataclass
class Settings:
    """The command line, checked and gathered."""

    files: tuple[str, ...]
    output: str | None
    stats: bool
    verbose: bool
    make_filter: Callable[[], LineFilter]
    make_any: Callable[[], LineFilter]
    jobs: int = 1
    #: Standard descriptors that were closed when ipmask started (now on /dev/null).
    closed_fds: frozenset[int] = frozenset()


@dataclass
class Totals:
    """What a run did, summed over its inputs, for ``--stats``."""

    lines: int = 0
    bytes: int = 0
    ipv4: int = 0
    ipv6: int = 0
    unfit: int = 0
    started: float = field(default_factory=time.monotonic)

    def add(self, blocks: LineBlocks, *filters: LineFilter) -> None:
        self.lines += blocks.lines
        self.bytes += blocks.bytes
        self.unfit += blocks.long_lines
        for line_filter in filters:
            self.ipv4 += line_filter.stats.ipv4
            self.ipv6 += line_filter.stats.ipv6
            self.unfit += line_filter.stats.unfit

    def summary(self) -> str:
        seconds = time.monotonic() - self.started
        rate = self.lines / seconds if seconds > 0 else 0.0
        return (
            f"ipmask: {self.lines} lines, {self.bytes} bytes, masked {self.ipv4} IPv4 and "
            f"{self.ipv6} IPv6 addresses, {self.unfit} lines did not fit the format, "
            f"{seconds:.2f} s, {rate:.0f} lines/s"
        )


def _say(message: str) -> None:
    click.echo(message, err=True)


def _quiet(message: str) -> None:
    """Where notes go without --verbose."""


class _Run:
    """One streaming run: every input in order through the filter to the output."""

    def __init__(self, settings: Settings, output: Output, signals: Signals) -> None:
        self._settings = settings
        self._output = output
        self._signals = signals
        self.totals = Totals()
        self.status = EXIT_OK
        self._failed_filters: set[str] = set()
        # A progress bar is for a person waiting on files, never for a pipe from a daemon.
        self._show_progress = any(path != "-" for path in settings.files) and sys.stderr.isatty()

    def __call__(self) -> int:
        for path in self._settings.files:
            # A signal may have come together with the end of the last input, unseen so far.
            self._signals.dispatch()
            if self._signals.stopping:
                break
            if path == "-" and 0 in self._settings.closed_fds:
                self._fail("cannot read standard input: it is closed")
                continue
            if self._settings.jobs > 1 and self._in_parallel(path):
                continue
            try:
                source = open_source(path)
            except InputError as exc:
                self._fail(str(exc))
                continue
            try:
                self._one(source)
            except InputError as exc:
                self._fail(str(exc))
            finally:
                source.close()
        return self.status

    def _fail(self, message: str) -> None:
        _say(f"ipmask: {message}")
        self.status = EXIT_FAILED

    def _in_parallel(self, path: str) -> bool:
        """--jobs: mask a large regular file in several processes; False: read it as usual."""
        from ipmask import parallel  # noqa: PLC0415 - only --jobs needs multiprocessing

        jobs, verbose = self._settings.jobs, self._settings.verbose
        try:
            reason = parallel.refusal(path, jobs)
        except InputError:
            return False  # reading it as usual reports the error
        if reason is not None:
            if verbose:
                _say(f"ipmask: {path}: {reason}; using 1 job")
            return False
        try:
            counts = parallel.mask_file(
                path,
                jobs=jobs,
                make_filter=self._settings.make_filter,
                make_any=self._settings.make_any,
                write=self._output.write,
                signals=self._signals,
                count_lines=self._settings.stats or verbose,
            )
        except InputError as exc:
            self._fail(str(exc))
            return True
        for name in sorted(counts.failed_filters):
            _say(f"ipmask: internal error in the {name} filter; masking with the any rules instead")
        totals = self.totals
        totals.lines += counts.lines
        totals.bytes += counts.bytes
        totals.ipv4 += counts.ipv4
        totals.ipv6 += counts.ipv6
        totals.unfit += counts.unfit + counts.long_lines
        if verbose:
            _say(f"ipmask: {path}: {counts.lines} lines, format {counts.format}, {jobs} jobs")
        return True

    def _one(self, source: Source) -> None:
        line_filter = self._settings.make_filter()
        any_filter = self._settings.make_any()
        settings = self._settings
        blocks = LineBlocks(
            source.chunks(self._signals), count_lines=settings.stats or settings.verbose
        )
        write = self._output.write
        try:
            with self._progress(source) as progress:
                for data, whole in blocks:
                    write(self._mask(line_filter, any_filter, data) if whole else any_filter(data))
                    progress(source.position)
        finally:
            self.totals.add(blocks, line_filter, any_filter)
            if self._settings.verbose:
                _say(f"ipmask: {source.name}: {blocks.lines} lines, format {line_filter.name}")

    def _mask(self, line_filter: LineFilter, any_filter: LineFilter, data: bytes) -> bytes:
        try:
            return line_filter(data)
        except Exception as exc:  # a daemon's logger must outlive a bug in a filter
            # Mask the block with the core's `any` rules instead, so no line is lost or left
            # in clear, and say so once.
            if line_filter.name not in self._failed_filters:
                self._failed_filters.add(line_filter.name)
                _say(
                    f"ipmask: internal error in the {line_filter.name} filter "
                    f"({type(exc).__name__}); masking with the any rules instead"
                )
            return any_filter(data)

    @contextmanager
    def _progress(self, source: Source) -> Iterator[Callable[[int], None]]:
        if not (self._show_progress and source.size):
            yield lambda position: None
            return
        done = 0
        with click.progressbar(length=source.size, label=source.name, file=sys.stderr) as bar:

            def advance(position: int) -> None:
                nonlocal done
                bar.update(position - done)
                done = position

            yield advance


def stream(settings: Settings) -> int:
    """Mask the inputs to standard output or the ``-o`` file; the default mode."""

    def warn(message: str) -> None:
        _say(f"ipmask: {message}")

    if settings.output is None and 1 in settings.closed_fds:
        warn("cannot write to standard output: it is closed")
        return EXIT_FAILED
    try:
        output = Output(settings.output, warn=warn, note=warn if settings.verbose else _quiet)
    except OutputError as exc:
        _say(f"ipmask: {exc}")
        return EXIT_FAILED
    signals = Signals()
    reopen = partial(output.reopen, "signal")
    signals.install(
        {
            signal.SIGTERM: signals.stop_at_eof,
            signal.SIGINT: signals.stop,
            signal.SIGHUP: reopen,
            signal.SIGUSR1: reopen,
        }
    )
    run = _Run(settings, output, signals)
    try:
        status = run()
    except DownstreamClosedError:
        status = run.status
    except OutputError as exc:
        _say(f"ipmask: {exc}")
        status = EXIT_FAILED
    finally:
        signals.close()
        output.close()
    if settings.stats:
        _say(run.totals.summary())
    return status


def in_place(settings: Settings) -> int:
    from ipmask.inplace import run_in_place  # noqa: PLC0415 - only this mode needs it

    return run_in_place(settings.files, settings.make_filter, stats=settings.stats, err=sys.stderr)


def check(settings: Settings) -> int:
    from ipmask.audit import run_check  # noqa: PLC0415 - only this mode needs it

    return run_check(settings.files, settings.make_filter, out=sys.stdout, err=sys.stderr)


def rsyslog(settings: Settings) -> int:
    from ipmask.rsyslog import serve  # noqa: PLC0415 - only this mode needs it

    line_filter = settings.make_filter()
    return serve(sys.stdin.buffer, sys.stdout.buffer, sys.stderr, line_filter)
