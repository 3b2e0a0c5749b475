"""The default mode: every input in order through the block loop to standard output or the
``-o`` file, following the file across rotations and reacting to signals between blocks."""

from __future__ import annotations

import signal
import time
from functools import partial

from ipmask.errors import DownstreamClosedError, InputError, OutputError, WorkerError
from ipmask.formats import Counts
from ipmask.modes._request import EXIT_FAILED, EXIT_OK, Request
from ipmask.streaming import Output, Progress, Signals, Source, no_progress, open_source

__all__ = ["stream", "summary"]


def summary(counts: Counts, seconds: float) -> str:
    """The ``--stats`` line for a run."""
    rate = counts.lines / seconds if seconds > 0 else 0.0
    return (
        f"{counts.lines} lines, {counts.bytes} bytes, masked {counts.ipv4} IPv4 and "
        f"{counts.ipv6} IPv6 addresses, {counts.unfit} lines did not fit the format, "
        f"{seconds:.2f} s, {rate:.0f} lines/s"
    )


class _Run:
    """One streaming run: every input in order through the block loop to the output."""

    def __init__(self, request: Request, output: Output, signals: Signals) -> None:
        self._request = request
        self._output = output
        self._signals = signals
        self.counts = Counts()
        self.status = EXIT_OK
        # A progress bar is for a person waiting on files, never for a pipe from a daemon.
        self._show_progress = any(path != "-" for path in request.files) and request.err.isatty()

    def __call__(self) -> int:
        request = self._request
        for path in request.files:
            # A signal may have come together with the end of the last input, unseen so far.
            self._signals.dispatch()
            if self._signals.stopping:
                break
            if path == "-" and 0 in request.closed_fds:
                self._fail("cannot read standard input: it is closed")
                continue
            if request.jobs > 1 and self._in_parallel(path):
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
        self._request.say(message)
        self.status = EXIT_FAILED

    def _in_parallel(self, path: str) -> bool:
        """--jobs: mask a large regular file in several processes; False: read it as usual."""
        from ipmask.modes import _jobs  # noqa: PLC0415 - only --jobs needs multiprocessing

        request = self._request
        try:
            reason = _jobs.refusal(path, request.jobs)
        except InputError:
            return False  # reading it as usual reports the error
        if reason is not None:
            if request.verbose:
                request.say(f"{path}: {reason}; using 1 job")
            return False
        try:
            counts, name = _jobs.mask_file(
                path, request, write=self._output.write, signals=self._signals
            )
        except (InputError, WorkerError) as exc:
            self._fail(str(exc))
            return True
        for failed in sorted(counts.failed):
            request.filter_failed(failed)
        self.counts.merge(counts)
        if request.verbose:
            request.say(f"{path}: {counts.lines} lines, format {name}, {request.jobs} jobs")
        return True

    def _one(self, source: Source) -> None:
        request = self._request
        engine = request.engine()
        write = self._output.write
        progress = (
            Progress(request.err, source.name, source.size)
            if self._show_progress and source.size
            else None
        )
        advance = progress or no_progress
        try:
            for _, masked in engine.run(source.chunks(self._signals)):
                write(masked)
                advance(source.position)
        finally:
            if progress is not None:
                progress.clear()
            self.counts.merge(engine.counts)
            if request.verbose:
                request.say(f"{source.name}: {engine.counts.lines} lines, format {engine.name}")


def stream(request: Request) -> int:
    """Mask the inputs to standard output or the ``-o`` file; the default mode."""
    started = time.monotonic()
    if request.output is None and 1 in request.closed_fds:
        request.say("cannot write to standard output: it is closed")
        return EXIT_FAILED
    try:
        output = Output(
            request.output,
            warn=request.say,
            note=request.say if request.verbose else lambda message: None,
        )
    except OutputError as exc:
        request.say(str(exc))
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
    run = _Run(request, output, signals)
    try:
        status = run()
    except DownstreamClosedError:
        status = run.status
    except OutputError as exc:
        request.say(str(exc))
        status = EXIT_FAILED
    finally:
        signals.close()
        output.close()
    if request.stats:
        request.say(summary(run.counts, time.monotonic() - started))
    return status
