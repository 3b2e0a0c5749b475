"""The one progress bar: for a person waiting on files at a terminal, never for a daemon."""

from __future__ import annotations

import time
from typing import TextIO

__all__ = ["Progress", "no_progress"]


def no_progress(done: int) -> None:
    """Stands in for a bar where there is no terminal to draw it on."""


class Progress:
    """A one-line bar on ``err``, redrawn at most ten times a second; call it with the bytes
    done so far, and :meth:`clear` it when the input is done."""

    WIDTH = 30

    def __init__(self, err: TextIO, label: str, total: int) -> None:
        self._err, self._label, self._total = err, label, max(total, 1)
        self._next = 0.0
        self._drawn = False

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + 0.1
        share = min(done / self._total, 1.0)
        filled = int(share * self.WIDTH)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self._err.write(f"\r{self._label} [{bar}] {share:4.0%}")
        self._err.flush()
        self._drawn = True

    def clear(self) -> None:
        """Wipe the bar, so that what is written next starts on a clean line."""
        if not self._drawn:
            return
        width = len(self._label) + self.WIDTH + 8
        self._err.write("\r" + " " * width + "\r")
        self._err.flush()
