"""The ``ipmask`` command: options, wiring and exit codes (the only module that imports click).

Exit codes: 0 done (also after SIGTERM/SIGINT, and when the reader of our output went away),
1 an input could not be read or the output could not be written, 2 bad usage.
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial

import click

from ipmask import __version__
from ipmask.core import Masker
from ipmask.errors import ConfigError
from ipmask.formats import FORMAT_NAMES, LineFilter, get_filter
from ipmask.output import DownstreamClosedError, Output, OutputError
from ipmask.policy import STYLES
from ipmask.streams import (
    InputError,
    LineBlocks,
    Signals,
    Source,
    claim_standard_fds,
    open_source,
)

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

_EPILOG = """\b
Every option can also be set in the environment: IPMASK_ and the long option name in capitals,
"-" written "_" (IPMASK_FORMAT=combined, IPMASK_KEEP="private 192.0.2.0/24", IPMASK_STATS=1).

\b
Examples:
  Apache, piped logging (in the site's configuration, then restart Apache):
    CustomLog "|/usr/bin/ipmask --format combined -o /var/log/apache2/access.log" combined
  A custom LogFormat: give ipmask the same template (Apache turns \\" into "):
    LogFormat "%{X-Forwarded-For}i %l %u %t \\"%r\\" %>s %b" proxied
    CustomLog "|/usr/bin/ipmask --apache-format '%{X-Forwarded-For}i %l %u %t \\"%r\\" %>s %b'
      -o /var/log/apache2/proxied.log" proxied   (all on one line)
  logrotate: ipmask follows the renamed file, no copytruncate and no signal needed:
    /var/log/apache2/access.log {
        daily
        rotate 7
        compress
        delaycompress
    }
  Follow a log as it grows:
    tail -F /var/log/nginx/access.log | ipmask --format nginx
  Mask rotated archives (gzip, bzip2 and xz are read transparently):
    ipmask --stats access.log.2.gz access.log.1 > masked.log
"""


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
        blocks = LineBlocks(source.chunks(self._signals))
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


def _stream(settings: Settings) -> int:
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


def _in_place(settings: Settings) -> int:
    from ipmask.inplace import run_in_place  # noqa: PLC0415 - only this mode needs it

    return run_in_place(settings.files, settings.make_filter, stats=settings.stats, err=sys.stderr)


def _check(settings: Settings) -> int:
    from ipmask.audit import run_check  # noqa: PLC0415 - only this mode needs it

    return run_check(settings.files, settings.make_filter, out=sys.stdout, err=sys.stderr)


def _rsyslog(settings: Settings) -> int:
    from ipmask.rsyslog import serve  # noqa: PLC0415 - only this mode needs it

    line_filter = settings.make_filter()
    return serve(sys.stdin.buffer, sys.stdout.buffer, sys.stderr, line_filter)


#: Mode option -> (runner, options that make no sense with it). No mode option: _stream.
_MODES: dict[str, tuple[Callable[[Settings], int], tuple[str, ...]]] = {
    "in_place": (_in_place, ("output",)),
    "check": (_check, ("output", "stats")),
    "rsyslog": (_rsyslog, ("output", "stats", "files")),
}


#: The policy names its settings as the library does; on the command line they are options.
_SETTING_OPTIONS = {
    "ipv4_prefix: ": "--ipv4-prefix: ",
    "ipv6_prefix: ": "--ipv6-prefix: ",
    "style: ": "--style: ",
    "keep: ": "--keep: ",
}


def _as_option(message: str) -> str:
    """A ConfigError message, naming the option instead of the setting."""
    for setting, option in _SETTING_OPTIONS.items():
        if message.startswith(setting):
            return option + message.removeprefix(setting)
    return message


def _option_name(name: str) -> str:
    return "FILE arguments" if name == "files" else "--" + name.replace("_", "-")


def _pick_mode(given: dict[str, object]) -> Callable[[Settings], int]:
    """The runner for the mode options given; UsageError for a combination that cannot be."""
    chosen = [mode for mode in _MODES if given[mode]]
    if not chosen:
        return _stream
    if len(chosen) > 1:
        raise click.UsageError(f"{' and '.join(map(_option_name, chosen))} cannot be combined")
    runner, refused = _MODES[chosen[0]]
    # --jobs is 1 unless given, so it counts as given only when it asks for more.
    for name in (*refused, "jobs"):
        if given[name] != 1 if name == "jobs" else given[name]:
            raise click.UsageError(
                f"{_option_name(name)} cannot be used with {_option_name(chosen[0])}"
            )
    return runner


@click.command(
    context_settings={"auto_envvar_prefix": "IPMASK", "help_option_names": ["-h", "--help"]},
    epilog=_EPILOG,
)
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option(
    "-f",
    "--format",
    "format_name",
    envvar="IPMASK_FORMAT",
    type=click.Choice(FORMAT_NAMES),
    default="any",
    show_default=True,
    help="Log format: where the addresses stand. 'any' masks every address anywhere.",
)
@click.option("--apache-format", metavar="TEMPLATE", help="Apache LogFormat template of the log.")
@click.option("--nginx-format", metavar="TEMPLATE", help="nginx log_format template of the log.")
@click.option(
    "--ipv4-prefix",
    type=int,
    default=24,
    show_default=True,
    metavar="BITS",
    help="Leading bits of an IPv4 address kept (a multiple of 8 for style x).",
)
@click.option(
    "--ipv6-prefix",
    type=int,
    default=44,
    show_default=True,
    metavar="BITS",
    help="Leading bits of an IPv6 address kept (a multiple of 4 for style x).",
)
@click.option(
    "--style",
    type=click.Choice(STYLES),
    default="x",
    show_default=True,
    help="x: 78.46.198.XXX; zero: 78.46.198.0, a valid address for log analysers.",
)
@click.option(
    "--keep",
    multiple=True,
    metavar="CIDR|private|loopback",
    help="Leave addresses in this network as they are (repeatable).",
)
@click.option(
    "--hostnames/--no-hostnames",
    default=None,
    help="Also mask copies of an address inside host names.  [default: per format]",
)
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    help="Append to FILE (created with mode 0640); reopened on SIGHUP and SIGUSR1 and when "
    "it was renamed or deleted.",
)
@click.option("--in-place", is_flag=True, help="Rewrite the FILEs masked (rotated logs).")
@click.option("--check", is_flag=True, help="Report addresses still in clear; exit 1 if any.")
@click.option(
    "--rsyslog", is_flag=True, help="Serve rsyslog's mmexternal protocol on stdin/stdout."
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    metavar="N",
    help="Mask a large FILE in N processes, output in order (regular, uncompressed files; "
    "standard input and pipes use one).",
)
@click.option("--stats", is_flag=True, help="Print a summary on standard error at the end.")
@click.option("-v", "--verbose", is_flag=True, help="Say what is being done on standard error.")
@click.version_option(__version__, "--version", prog_name="ipmask")
def command(
    *,
    files: tuple[str, ...],
    format_name: str,
    apache_format: str | None,
    nginx_format: str | None,
    ipv4_prefix: int,
    ipv6_prefix: int,
    style: str,
    keep: tuple[str, ...],
    hostnames: bool | None,
    output: str | None,
    in_place: bool,
    check: bool,
    rsyslog: bool,
    stats: bool,
    verbose: bool,
    jobs: int,
) -> int:
    """Mask the IP addresses in log lines: 78.46.198.140 -> 78.46.198.XXX.

    Reads the FILEs in order (none or '-': standard input) and writes each line with its
    addresses masked to standard output or the -o FILE. Lines arriving through a pipe are
    written as soon as they are complete; files go through in large blocks.
    """
    given = {"in_place": in_place, "check": check, "rsyslog": rsyslog}
    runner = _pick_mode({**given, "output": output, "stats": stats, "files": files, "jobs": jobs})
    if in_place and (not files or "-" in files):
        raise click.UsageError("--in-place needs the files to rewrite (not standard input)")
    count = stats or verbose
    try:
        masker = Masker(ipv4_prefix, ipv6_prefix, style, keep)
        make_filter = partial(
            get_filter,
            format_name,
            masker,
            apache_format=apache_format,
            nginx_format=nginx_format,
            hostnames=hostnames,
            count=count,
        )
        make_filter()  # a bad template is a usage error now, not after reading
    except ConfigError as exc:
        raise click.UsageError(_as_option(str(exc))) from exc
    settings = Settings(
        files=files or ("-",),
        output=output,
        stats=stats,
        verbose=verbose,
        make_filter=make_filter,
        make_any=partial(get_filter, "any", masker, hostnames=hostnames, count=count),
        jobs=jobs,
        closed_fds=claim_standard_fds(),
    )
    return runner(settings)


def _fail(message: str, code: int) -> None:
    click.echo(f"ipmask: {message}", err=True)
    sys.exit(code)


def main(args: Sequence[str] | None = None) -> None:
    """The console script: run the command, turning every failure into one line and a code."""
    try:
        code = command.main(args=args, prog_name="ipmask", standalone_mode=False)
    except click.UsageError as exc:
        _fail(exc.format_message(), EXIT_USAGE)
    except ConfigError as exc:  # pragma: no cover - a mode's own setting check, kept as usage
        _fail(str(exc), EXIT_USAGE)
    except click.Abort:  # pragma: no cover - SIGINT while click parses, before our handlers
        _fail("interrupted", EXIT_FAILED)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
