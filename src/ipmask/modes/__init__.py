"""The modes of a run, each a function of a :class:`Request` that returns the exit code:
stream (the default), ``--check``, ``--in-place``, ``--rsyslog``; ``--jobs`` is the stream's
way with a large file. All of them run the one block loop, :class:`ipmask.streaming.Engine`.
The modules named ``_x`` are this layer's inside.
"""

from ipmask.modes._check import EXIT_UNCHECKED, check
from ipmask.modes._inplace import Result, in_place, rewrite_file
from ipmask.modes._request import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Mode, Request
from ipmask.modes._rsyslog import INTERFACES, rsyslog, serve
from ipmask.modes._stream import stream

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_UNCHECKED",
    "EXIT_USAGE",
    "INTERFACES",
    "Mode",
    "Request",
    "Result",
    "check",
    "in_place",
    "rewrite_file",
    "rsyslog",
    "serve",
    "stream",
]
