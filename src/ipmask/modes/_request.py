"""What a mode is asked to do: the settings, and the run's own options."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from ipmask.formats import Counts, LineFilter, get_filter
from ipmask.masking import Masker, Settings
from ipmask.streaming import Engine

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "Mode", "Request"]

#: Exit codes: done; an input or the output failed (or --check found addresses); bad usage.
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True)
class Request:
    """One run: its :class:`~ipmask.Settings`, inputs and output, and what to report.

    ``files`` are paths, ``-`` for standard input; ``output`` a path to append to (None:
    standard output); ``closed_fds`` the standard descriptors that were closed at start-up
    (now on /dev/null). The masker is made once, so every input shares its caches.
    """

    settings: Settings = field(default_factory=Settings)
    files: tuple[str, ...] = ("-",)
    output: str | None = None
    stats: bool = False
    verbose: bool = False
    jobs: int = 1
    rsyslog_input: str = "auto"
    closed_fds: frozenset[int] = frozenset()
    err: TextIO = field(default_factory=lambda: sys.stderr, repr=False)
    masker: Masker = field(init=False, repr=False, compare=False)
    #: Filters whose failure was said already: once a run is enough, whatever the inputs.
    failed: set[str] = field(init=False, repr=False, compare=False, default_factory=set)

    def __post_init__(self) -> None:
        object.__setattr__(self, "masker", Masker(self.settings))

    def make_filter(self, counts: Counts | None = None) -> LineFilter:
        """A fresh filter for one input (its own counts, its own format detection)."""
        return get_filter(self.settings, self.masker, counts=counts)

    def engine(self, *, count: bool | None = None, report: bool = True) -> Engine:
        """The block loop for one input; counts everything when ``--stats`` or ``--verbose``
        asks (or ``count`` says so), and with ``report`` says on ``err`` when a filter fails."""
        wanted = self.stats or self.verbose if count is None else count
        on_failure = self.filter_failed if report else None
        return Engine(self.make_filter, count=wanted, on_failure=on_failure)

    def say(self, message: str) -> None:
        """One line for the person or the log reading our standard error."""
        self.err.write(f"ipmask: {message}\n")
        self.err.flush()

    def filter_failed(self, name: str, exc: Exception | None = None) -> None:
        """Say once a run that a filter failed (``exc`` is unknown when a worker process
        saw it) and that its blocks were masked with the `any` rules."""
        if name in self.failed:
            return
        self.failed.add(name)
        kind = "" if exc is None else f" ({type(exc).__name__})"
        self.say(f"internal error in the {name} filter{kind}; masking with the any rules instead")


#: A mode: runs a request, returns the exit code.
Mode = Callable[[Request], int]
