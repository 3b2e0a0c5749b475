"""Signals as work for the main loop: the handlers only wake the wait for input, and the
reactions (stop, reopen the output) run between blocks, never in the middle of a write.
"""

from __future__ import annotations

import os
import select
import signal
from collections.abc import Callable, Mapping
from types import FrameType

__all__ = ["Signals"]


class Signals:
    """Turns signals into work for the main loop, and wakes a wait for input when one arrives.

    The handlers do nothing themselves: Python writes each signal's number into a pipe
    (``signal.set_wakeup_fd``), and :meth:`wait` reads it and runs the reaction. So a reaction
    never interrupts a half-done write, and a blocking wait cannot miss a signal.
    """

    def __init__(self) -> None:
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)
        self._actions: dict[int, Callable[[], None]] = {}
        self._saved: dict[int, object] = {}
        self._saved_wakeup: int | None = None
        self.stopping = False
        #: After the stop, wait for the end of a pipe's input (up to DRAIN_SECONDS).
        self.linger = False

    def install(self, actions: Mapping[int, Callable[[], None]]) -> None:
        """React to each signal number in ``actions`` by calling its action in the main loop."""
        self._saved_wakeup = signal.set_wakeup_fd(self._wake_write, warn_on_full_buffer=False)
        for signum, action in actions.items():
            self._actions[signum] = action
            self._saved[signum] = signal.signal(signum, _ignore)

    def close(self) -> None:
        """Put back the handlers that were there before :meth:`install`, close the pipe."""
        for signum, previous in self._saved.items():
            signal.signal(signum, previous)  # type: ignore[arg-type]
        if self._saved_wakeup is not None:
            signal.set_wakeup_fd(self._saved_wakeup)
        os.close(self._wake_read)
        os.close(self._wake_write)

    def stop(self) -> None:
        """Ask the reading to end after what a pipe already holds (the SIGINT action)."""
        self.stopping = True

    def stop_at_eof(self) -> None:
        """Ask the reading to end when the writers close the pipe (the SIGTERM action).

        A daemon that restarts its logger (Apache, on every reload) sends SIGTERM while its old
        workers may still write their last lines into the old pipe; they close it when they
        exit. Waiting for that, up to DRAIN_SECONDS, keeps those lines.
        """
        self.stopping = True
        self.linger = True

    def wait(self, fd: int, timeout: float | None = None) -> bool:
        """Wait until ``fd`` is readable, a signal arrives, or ``timeout`` passes.

        Runs the reactions to signals that arrived. Returns whether ``fd`` is readable.
        """
        ready, _, _ = select.select([fd, self._wake_read], [], [], timeout)
        if self._wake_read in ready:
            self.dispatch()
        return fd in ready

    def dispatch(self) -> None:
        """Run the reactions to every signal noted in the wake-up pipe."""
        while True:
            try:
                numbers = os.read(self._wake_read, 512)
            except BlockingIOError:
                return
            for signum in numbers:
                action = self._actions.get(signum)
                if action is not None:
                    action()


def _ignore(signum: int, frame: FrameType | None) -> None:
    """The Python-level handler: the wake-up pipe already carries the signal to the loop."""
