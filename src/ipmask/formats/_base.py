"""What every line filter shares: the protocol, the counts record, and the `any` filter."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ipmask.masking import Masker
    from ipmask.masking.hostnames import HostnameMasker

__all__ = ["AnyFilter", "Counts", "LineFilter", "Shared", "count_lines"]


@dataclass
class Counts:
    """What masking did, in any mode: the one record, merged across files and workers.

    Filters add the addresses they masked (``ipv4``, ``ipv6``; a mapped address counts as
    IPv4, a kept one not at all) and the lines that did not fit their format (``unfit``); the
    block loop adds ``lines`` (when asked to count), ``bytes``, the over-long lines (as
    unfit) and the names of filters that raised (``failed``).
    """

    lines: int = 0
    bytes: int = 0
    ipv4: int = 0
    ipv6: int = 0
    unfit: int = 0
    failed: set[str] = field(default_factory=set)

    def merge(self, other: Counts) -> None:
        """Add ``other``'s counts to these."""
        self.lines += other.lines
        self.bytes += other.bytes
        self.ipv4 += other.ipv4
        self.ipv6 += other.ipv6
        self.unfit += other.unfit
        self.failed |= other.failed

    def take(self) -> Counts:
        """A copy of these counts, which start again from zero (a worker's range at a time)."""
        copy = dataclasses.replace(self, failed=set(self.failed))
        self.lines = self.bytes = self.ipv4 = self.ipv6 = self.unfit = 0
        self.failed.clear()
        return copy


class LineFilter(Protocol):
    """Masks blocks of whole lines; the same lines come back, in order, nothing else changed.

    ``fallback`` is the `any` filter (with the host-name pass) that this filter uses for the
    lines that do not fit its format; the block loop uses it too, for pieces of over-long
    lines and for a block this filter failed on.
    """

    @property
    def name(self) -> str: ...

    @property
    def fallback(self) -> LineFilter: ...

    def __call__(self, block: bytes) -> bytes: ...


def count_lines(block: bytes) -> int:
    """Return how many lines `block` holds (a last line without a newline counts)."""
    if not block:
        return 0
    return block.count(b"\n") + (block[-1:] != b"\n")


class AnyFilter:
    """The contract's `any` rules on every line: every address, wherever it stands, and the
    copies of addresses in host names (names standing alone too when ``alone``)."""

    def __init__(
        self, masker: Masker, names: HostnameMasker, counts: Counts | None, *, alone: bool
    ) -> None:
        self.name = "any"
        self._masker = masker
        self._names = names
        self._alone = alone
        self._counts = counts

    @property
    def fallback(self) -> AnyFilter:
        return self

    def __call__(self, block: bytes) -> bytes:
        block = self._names(block, alone=self._alone)
        counts = self._counts
        if counts is None:
            return self._masker.mask_bytes(block)
        out, ipv4, ipv6 = self._masker.mask_bytes_counted(block)
        counts.ipv4 += ipv4
        counts.ipv6 += ipv6
        return out


@dataclass(frozen=True)
class Shared:
    """What the filters for one input share, made once per filter by ``get_filter``: the
    masker (its caches), the one host-name masker, the counts (None: nothing is counted) and
    the `any` filter every part of the format falls back to."""

    masker: Masker
    names: HostnameMasker
    counts: Counts | None
    fallback: AnyFilter
