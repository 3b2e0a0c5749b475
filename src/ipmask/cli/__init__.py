"""The ``ipmask`` command: options, wiring and exit codes (click is used only in this package).

Exit codes: 0 done (also after SIGTERM/SIGINT, and when the reader of our output went away),
1 an input could not be read or the output could not be written, 2 bad usage.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click
from click.core import ParameterSource

from ipmask import __version__
from ipmask.errors import ConfigError
from ipmask.formats import FORMAT_NAMES
from ipmask.masking import STYLES, Settings
from ipmask.modes import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    INTERFACES,
    Mode,
    Request,
    check,
    in_place,
    rsyslog,
    stream,
)
from ipmask.streaming import claim_standard_fds

__all__ = ["main"]


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


#: Mode option -> (mode, options that make no sense with it). No mode option: stream.
_MODES: dict[str, tuple[Mode, tuple[str, ...]]] = {
    "in_place": (in_place, ("output",)),
    "check": (check, ("output", "stats")),
    "rsyslog": (rsyslog, ("output", "stats", "files")),
}

#: A setting whose option is not called as the setting is.
_OPTION_OF = {"format": "format_name"}


def _option_name(name: str) -> str:
    return "FILE arguments" if name == "files" else "--" + name.replace("_", "-")


def _origin(setting: str | None) -> str:
    """Where the value of ``setting`` came from, as the user wrote it: the option, or the
    environment variable it was read from."""
    if setting is None:
        return ""
    context = click.get_current_context()
    name = _OPTION_OF.get(setting, setting)
    if context.get_parameter_source(name) is ParameterSource.ENVIRONMENT:
        option = next(p for p in context.command.params if p.name == name)
        variable = option.envvar if isinstance(option.envvar, str) else f"IPMASK_{name.upper()}"
        # The text as set, not click's conversion of it (a tuple for --keep).
        return f"{variable}={option.resolve_envvar_value(context)!r}: "
    return f"{_option_name(setting)}: "


def _pick_mode(given: dict[str, object]) -> Mode:
    """The mode for the mode options given; UsageError for a combination that cannot be."""
    chosen = [mode for mode in _MODES if given[mode]]
    if not chosen:
        return stream
    if len(chosen) > 1:
        raise click.UsageError(f"{' and '.join(map(_option_name, chosen))} cannot be combined")
    mode, refused = _MODES[chosen[0]]
    # --jobs is 1 unless given, so it counts as given only when it asks for more.
    for name in (*refused, "jobs"):
        if given[name] != 1 if name == "jobs" else given[name]:
            raise click.UsageError(
                f"{_option_name(name)} cannot be used with {_option_name(chosen[0])}"
            )
    return mode


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
    "--rsyslog-input",
    type=click.Choice(INTERFACES),
    default="auto",
    show_default=True,
    help="With --rsyslog: what rsyslog sends (the action's interface.input).",
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
    rsyslog_input: str,
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
    mode = _pick_mode({**given, "output": output, "stats": stats, "files": files, "jobs": jobs})
    if in_place and (not files or "-" in files):
        raise click.UsageError("--in-place needs the files to rewrite (not standard input)")
    source = click.get_current_context().get_parameter_source("rsyslog_input")
    if not rsyslog and source is not ParameterSource.DEFAULT:
        raise click.UsageError("--rsyslog-input needs --rsyslog")
    try:
        settings = Settings(
            ipv4_prefix=ipv4_prefix,
            ipv6_prefix=ipv6_prefix,
            style=style,
            keep=keep,
            format=format_name,
            apache_format=apache_format,
            nginx_format=nginx_format,
            hostnames=hostnames,
        )
        request = Request(
            settings,
            files=files or ("-",),
            output=output,
            stats=stats,
            verbose=verbose,
            jobs=jobs,
            rsyslog_input=rsyslog_input,
            closed_fds=claim_standard_fds(),
        )
        request.make_filter()  # a bad template is a usage error now, not after reading
    except ConfigError as exc:
        raise click.UsageError(_origin(exc.setting) + exc.reason) from exc
    return mode(request)


def _fail(message: str, code: int) -> None:
    click.echo(f"ipmask: {message}", err=True)
    sys.exit(code)


def main(args: Sequence[str] | None = None) -> None:
    """The console script: run the command, turning every failure into one line and a code."""
    try:
        code = command.main(args=args, prog_name="ipmask", standalone_mode=False)
    except click.UsageError as exc:
        _fail(exc.format_message(), EXIT_USAGE)
    except click.Abort:  # pragma: no cover - SIGINT while click parses, before our handlers
        _fail("interrupted", EXIT_FAILED)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
