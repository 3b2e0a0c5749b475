"""rsyslog's ``mmexternal`` protocol: one message in per line, one JSON reply out per message.

rsyslog writes each message to the plugin's standard input, ended by a line feed, and then waits
(half-duplex) for exactly one line back: a JSON object holding only the properties to change, or
``{}``. What rsyslog writes depends on the action's ``interface.input``:

- ``msg`` (rsyslog's default): the MSG property as raw bytes. rsyslog does not check that they
  are UTF-8, so neither do we: invalid bytes are carried into the reply's JSON string unchanged
  (rsyslog's JSON parser takes a string's bytes as they are).
- ``fulljson``: the whole message object (rsyslog's ``jsonmesg``), which always holds the string
  properties ``msg`` and ``rawmsg``; bytes that are not UTF-8 arrive raw inside its strings too.

``rawmsg`` input is not supported: the header would be masked into the MSG property.

Two facts of rsyslog shape this module. First, every reply must be flushed at once, or both
sides wait for each other forever. Second, mmexternal connects the plugin's standard error to
the same pipe as its standard output, so a diagnostic written there would be read as the reply
to a message, and every later reply would belong to the message before it. When standard error
is that same pipe, diagnostics are therefore dropped; they are written when a person runs the
command with standard error apart (a terminal, a file).
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Callable
from typing import BinaryIO, TextIO

from ipmask.errors import ConfigError, InputError
from ipmask.modes._request import Request
from ipmask.streaming import Engine

__all__ = ["INTERFACES", "Mask", "rsyslog", "serve"]

#: Masks one message, given as bytes without its line feed.
Mask = Callable[[bytes], bytes]

#: The reply that leaves a message as it is.
NO_CHANGE = b"{}\n"

#: What ``serve`` accepts for ``interface``: rsyslog's two supported inputs, or ``auto``.
INTERFACES = ("auto", "msg", "fulljson")


class _NoMessageError(InputError):
    """A fulljson line that carries no message to mask; the reason is safe to print."""


def _encode_text(text: str) -> bytes:
    """Turn a decoded JSON string back into the bytes rsyslog holds for it."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        # A lone surrogate written as a \\u escape in the JSON text (not something rsyslog
        # writes): keep its code unit rather than refusing the line.
        return text.encode("utf-8", "surrogatepass")


def _msg_reply(masked: bytes) -> bytes:
    """The reply that sets MSG to ``masked``, with any non-UTF-8 bytes carried raw."""
    text = masked.decode("utf-8", "surrogateescape")
    # ensure_ascii=False keeps non-ASCII text (and the escaped raw bytes) as bytes; \\u escapes
    # would turn a raw byte into a different UTF-8 character on rsyslog's side.
    body = json.dumps({"msg": text}, ensure_ascii=False)
    return body.encode("utf-8", "surrogateescape") + b"\n"


def _load_fulljson(line: bytes) -> str:
    """The MSG property of one fulljson line; _NoMessageError if there is none."""
    try:
        document = json.loads(line.decode("utf-8", "surrogateescape"))
    except (ValueError, RecursionError) as exc:
        # The exception text may quote the line, which holds addresses in clear: name the type.
        raise _NoMessageError(f"not valid JSON ({type(exc).__name__})") from None
    if not isinstance(document, dict):
        raise _NoMessageError(f"JSON {type(document).__name__}, not an object")
    message = document.get("msg")
    if not isinstance(message, str):
        raise _NoMessageError('JSON object without a "msg" string')
    return message


def _is_fulljson(line: bytes) -> bool:
    """Whether ``line`` looks like rsyslog's jsonmesg object (it always has msg and rawmsg)."""
    if not line.lstrip().startswith(b"{"):
        return False
    try:
        document = json.loads(line.decode("utf-8", "surrogateescape"))
    except (ValueError, RecursionError):
        return False
    return (
        isinstance(document, dict)
        and isinstance(document.get("msg"), str)
        and isinstance(document.get("rawmsg"), str)
    )


class _Session:
    """Turns each input line into its reply; set up once, then called per message."""

    def __init__(self, mask: Mask, report: Callable[[str], None], interface: str) -> None:
        self._mask = mask
        self._report = report
        self._line = 0
        readers: dict[str, Callable[[bytes], bytes]] = {
            "auto": self._first,
            "msg": self._plain,
            "fulljson": self._fulljson,
        }
        self._read = readers[interface]

    def __call__(self, line: bytes) -> bytes:
        self._line += 1
        return self._read(line[:-1] if line.endswith(b"\n") else line)

    def _first(self, message: bytes) -> bytes:
        # rsyslog feeds one kind of input for the whole life of the process, so the first line
        # decides for all that follow.
        self._read = self._fulljson if _is_fulljson(message) else self._plain
        return self._read(message)

    def _plain(self, message: bytes) -> bytes:
        masked = self._mask(message)
        return NO_CHANGE if masked == message else _msg_reply(masked)

    def _fulljson(self, line: bytes) -> bytes:
        try:
            message = _encode_text(_load_fulljson(line))
        except _NoMessageError as exc:
            self._report(f"ipmask: line {self._line}: {exc}; replied {{}} (message unchanged)")
            return NO_CHANGE
        return self._plain(message)


def _shares_pipe(stdout: BinaryIO, stderr: TextIO) -> bool:
    """Whether standard error is the very pipe or socket that carries the replies."""
    try:
        out, err = os.fstat(stdout.fileno()), os.fstat(stderr.fileno())
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        return False
    same = (out.st_dev, out.st_ino) == (err.st_dev, err.st_ino)
    return same and (stat.S_ISFIFO(out.st_mode) or stat.S_ISSOCK(out.st_mode))


def _reporter(stdout: BinaryIO, stderr: TextIO) -> Callable[[str], None]:
    if _shares_pipe(stdout, stderr):
        return lambda text: None

    def report(text: str) -> None:
        stderr.write(text + "\n")
        stderr.flush()

    return report


def serve(
    stdin: BinaryIO,
    stdout: BinaryIO,
    stderr: TextIO,
    mask: Mask,
    *,
    interface: str = "auto",
) -> int:
    """Answer rsyslog's mmexternal requests from ``stdin`` on ``stdout`` until end of input.

    ``interface`` is the action's ``interface.input``: ``msg``, ``fulljson``, or ``auto``
    (the default), which takes fulljson when the first line is a JSON object with the string
    properties ``msg`` and ``rawmsg`` (as rsyslog's always has), and msg otherwise.
    Returns the exit code: 0 at end of input, 1 when rsyslog stopped reading the replies.
    """
    if interface not in INTERFACES:
        raise ConfigError(
            f"{interface!r} is not supported; use one of: {', '.join(INTERFACES)}",
            setting="rsyslog_input",
        )
    report = _reporter(stdout, stderr)
    session = _Session(mask, report, interface)
    try:
        for line in stdin:
            stdout.write(session(line))
            stdout.flush()
    except BrokenPipeError:
        report("ipmask: rsyslog closed the reply pipe; stopping")
        return 1
    return 0


def rsyslog(request: Request) -> int:
    """``--rsyslog``: serve mmexternal on standard input and output, one message a block."""
    # Diagnostics go where serve() sends its own: nowhere while stderr is the reply pipe.
    report = _reporter(sys.stdout.buffer, request.err)
    engine = Engine(
        request.make_filter,
        on_failure=lambda name, exc: report(
            f"ipmask: internal error in the {name} filter ({type(exc).__name__}); "
            "masking with the any rules instead"
        ),
    )
    return serve(
        sys.stdin.buffer,
        sys.stdout.buffer,
        request.err,
        engine.mask,
        interface=request.rsyslog_input,
    )
