"""Free-text log lines: the core's `any` rules, with the line header understood.

Syslog, mail and error logs carry addresses anywhere in their messages, so the whole line is
masked by the core. The header decides whether a line fits the format (lines that do not are
counted), and, for syslog, where the HOSTNAME field stands: the name of the machine that wrote
the line is not a client's, so the host-name pass leaves it alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ipmask.formats.base import FilterStats, count_lines
from ipmask.hostnames.spelling import apply_edits

if TYPE_CHECKING:
    from ipmask.core import Masker
    from ipmask.hostnames import HostnameMasker

__all__ = ["TextFilter"]

Pass = Callable[[bytes], bytes]


class TextFilter:
    """Masks every address of each line; knows the format's header and extra passes.

    ``header`` matches the start of a fitting line after its line break, with two groups: the
    text before the HOSTNAME field, and that field (empty where the format has none).
    ``names`` masks host names that spell addresses; ``extras`` are a daemon's own passes.
    Both run on the original text, before the core masks the addresses.
    """

    def __init__(
        self,
        name: str,
        masker: Masker,
        header: re.Pattern[bytes],
        *,
        names: HostnameMasker | None = None,
        extras: Sequence[Pass] = (),
        count: bool = False,
    ) -> None:
        self.name = name
        self.stats = FilterStats()
        self._masker = masker
        self._header = header
        self._names = names
        self._extras = tuple(extras)
        self._count = count

    def __call__(self, block: bytes) -> bytes:
        for extra in self._extras:
            block = extra(block)
        if self._count:
            self.stats.unfit += count_lines(block) - len(self._header.findall(b"\n" + block))
        if self._names is not None:
            block = self._mask_names(block, self._names)
        if not self._count:
            return self._masker.mask_bytes(block)
        out, ipv4, ipv6 = self._masker.mask_bytes_counted(block)
        self.stats.ipv4 += ipv4
        self.stats.ipv6 += ipv6
        return out

    def _mask_names(self, block: bytes, names: HostnameMasker) -> bytes:
        """Run the host-name pass everywhere but in the HOSTNAME fields.

        The pass's edits are few (names that spell an address), so each is checked against
        the header of its own line, and those inside the HOSTNAME field are dropped.
        """
        edits = names.edits(block)
        if not edits:
            return block
        header = self._header
        lined = b"\n" + block  # the header pattern starts at the line break before its line
        kept = []
        for edit in edits:
            at = edit[0] + 1
            head = header.match(lined, lined.rfind(b"\n", 0, at))
            if head is None or not head.start(2) <= at < head.end(2):
                kept.append(edit)
        return apply_edits(block, kept)
