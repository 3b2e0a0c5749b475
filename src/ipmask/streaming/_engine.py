"""The one block loop that every mode runs: stream, ``--jobs``, ``--in-place``, ``--check``
and ``--rsyslog``.

Blocks of whole lines go through the format's filter; what a filter cannot take goes through
its `any` fallback instead (a piece of a line longer than the line cap, or a block on which
the filter raised: a daemon's logger must outlive a bug in a filter, and must never pass a
line on in clear because of one). Everything is counted in one
:class:`~ipmask.formats.Counts`, so every mode reports the same numbers for the same input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ipmask.formats import Counts, LineFilter
from ipmask.streaming._lines import LineBlocks

__all__ = ["Engine", "MakeFilter"]

#: Makes a fresh filter that adds its counts to the record given (None: count nothing).
MakeFilter = Callable[["Counts | None"], LineFilter]


class Engine:
    """One input's masking: a fresh filter for it, its counts, and the block loop.

    ``count`` asks for every count (lines and addresses); without it only bytes, over-long
    lines and failed filters are known. ``on_failure`` hears of the first failure of each
    filter (its name and the exception), as it happens.
    """

    def __init__(
        self,
        make_filter: MakeFilter,
        *,
        count: bool = False,
        on_failure: Callable[[str, Exception], None] | None = None,
    ) -> None:
        self.counts = Counts()
        self._count = count
        self._on_failure = on_failure
        self.filter = make_filter(self.counts if count else None)

    @property
    def name(self) -> str:
        """The filter's name (``auto`` says what it picked, once it has)."""
        return self.filter.name

    def mask(self, block: bytes) -> bytes:
        """Mask a block of whole lines: by the format's filter, or else by the `any` rules."""
        line_filter = self.filter
        try:
            return line_filter(block)
        except Exception as exc:  # any bug in a filter; log content never raises
            name = line_filter.name
            if name not in self.counts.failed:
                self.counts.failed.add(name)
                if self._on_failure is not None:
                    self._on_failure(name, exc)
            return line_filter.fallback(block)

    def run(self, chunks: Iterable[bytes]) -> Iterator[tuple[bytes, bytes]]:
        """``(block, masked block)`` for the chunks' lines, in order, counted as they go.

        Chunks are at most :data:`~ipmask.streaming.BLOCK_SIZE` long, as every reader here
        hands them out; only then is a line over the line cap cut into pieces.
        """
        blocks = LineBlocks(chunks, count_lines=self._count, counts=self.counts)
        mask = self.mask
        for data, whole in blocks:
            # A piece of an over-long line is no line the format can read.
            yield data, mask(data) if whole else self.filter.fallback(data)
