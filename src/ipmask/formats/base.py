"""What every line filter shares: the protocol, the statistics, and the `any` filter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ipmask.core import Masker

__all__ = ["AnyFilter", "FilterStats", "LineFilter", "count_lines"]

#: Entries of a small side cache (statistics, host names met in a field): dropped and refilled
#: when full, so a stream with millions of distinct clients keeps a bounded footprint.
CACHE_LIMIT = 1 << 12


@dataclass
class FilterStats:
    """What a filter did: addresses masked by family, and lines that did not fit the format."""

    ipv4: int = 0
    ipv6: int = 0
    unfit: int = 0


class LineFilter(Protocol):
    """Masks blocks of whole lines; the same lines come back, in order, nothing else changed."""

    name: str
    stats: FilterStats

    def __call__(self, block: bytes) -> bytes: ...


def count_lines(block: bytes) -> int:
    """Return how many lines `block` holds (a last line without a newline counts)."""
    if not block:
        return 0
    return block.count(b"\n") + (block[-1:] != b"\n")


class AnyFilter:
    """The contract's `any` rules on every line: every address, wherever it stands."""

    def __init__(
        self,
        masker: Masker,
        *,
        hostnames: Callable[[bytes], bytes] | None = None,
        count: bool = False,
        name: str = "any",
    ) -> None:
        self.name = name
        self.stats = FilterStats()
        self._masker = masker
        self._hostnames = hostnames
        self._count = count

    def __call__(self, block: bytes) -> bytes:
        if self._hostnames is not None:
            block = self._hostnames(block)
        if not self._count:
            return self._masker.mask_bytes(block)
        out, ipv4, ipv6 = self._masker.mask_bytes_counted(block)
        self.stats.ipv4 += ipv4
        self.stats.ipv6 += ipv6
        return out
